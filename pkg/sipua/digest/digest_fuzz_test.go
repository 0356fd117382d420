package digest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

// challengeSeeds are realistic WWW-Authenticate / Proxy-Authenticate
// values in the styles of common SIP servers, plus malformed ones.
var challengeSeeds = []string{
	rfc3261Challenge,
	// RFC 7616 §3.9.1 style, one challenge per algorithm.
	`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
	`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
	`Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true`,
	// Kamailio auth module style.
	`Digest realm="sip.example.net", nonce="Y2Q5YmE1ZGEwMDAwMDAwMWQ4ZmUxYTQ0Nzg0NmQ3ZmM="`,
	`Digest realm="sip.example.net", nonce="Y2Q5YmE1ZGEwMDAwMDAwMWQ4ZmUxYTQ0Nzg0NmQ3ZmM=", qop="auth", stale=true`,
	`Digest realm="10.0.0.5", nonce="ZGJhYzE0NmYwMDAwMDAwMjlkOTdmMjUyOGRhMzE5NmI=", qop="auth", algorithm=SHA-256`,
	// Asterisk chan_sip and PJSIP styles.
	`Digest algorithm=MD5, realm="asterisk", nonce="4b6d9e2a"`,
	`Digest realm="asterisk",nonce="1716912345/5f1c2b8e7a9d0c3e4f5a6b7c8d9e0f1a",opaque="2f3e4d5c6b7a8f9e",algorithm=md5,qop="auth"`,
	`Digest realm="asterisk",nonce="1716912345/5f1c2b8e7a9d0c3e4f5a6b7c8d9e0f1a",opaque="2f3e4d5c6b7a8f9e",stale=true,algorithm=SHA-256,qop="auth"`,
	// FreeSWITCH style.
	`Digest realm="192.168.1.10", nonce="e5bbdc8f-0c57-4a5b-9e0a-5b7c4f1a3c2d", algorithm=MD5, qop="auth"`,
	`Digest realm="pbx.example.com", nonce="0f0e2a9e-5a4b-11ee-8c99-0242ac120002", algorithm=MD5, qop="auth,auth-int"`,
	// Syntax corners.
	"Digest realm=\"a\",\r\n\tnonce=\"b\"",
	`digest REALM=a, NONCE=b/c==, ,, qop=auth`,
	`Digest realm="say \"hi\" \\", nonce="x"`,
	`Basic realm="WallyWorld"`,
	`Digest`,
	`Digest realm="unterminated`,
	`realm="missing scheme"`,
	`Negotiate YIIB==`,
	"Digest realm=\"a\"\r\nX-Injected: 1",
}

// FuzzParseChallenge checks that ParseChallenge never panics, that
// failures are *ParseError values, and that a parsed challenge encodes
// to a value that parses back to the same challenge. When the challenge
// is answerable, the Client must answer it with credentials that
// encode, parse back and verify.
func FuzzParseChallenge(f *testing.F) {
	for _, s := range challengeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		ch, err := digest.ParseChallenge(value)
		if err != nil {
			var pe *digest.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, digest.ErrSyntax) {
				t.Fatalf("error %v (%T) is not a *ParseError wrapping ErrSyntax", err, err)
			}
			if pe.Offset < 0 || pe.Offset > len(value) {
				t.Fatalf("offset %d outside the value (len %d)", pe.Offset, len(value))
			}
			return
		}
		encoded, err := ch.Encode()
		if err != nil {
			t.Fatalf("parsed challenge %#v does not encode: %v", ch, err)
		}
		if strings.ContainsAny(encoded, "\r\n") {
			t.Fatalf("encoded challenge contains a line break: %q", encoded)
		}
		if len(encoded) <= digest.MaxHeaderLength {
			again, err := digest.ParseChallenge(encoded)
			if err != nil {
				t.Fatalf("re-parse of %q: %v", encoded, err)
			}
			if !equalChallenges(ch, again) {
				t.Fatalf("round trip changed the challenge:\n in: %#v\nout: %#v\nvia %q", ch, again, encoded)
			}
		}

		if !ch.Supported() {
			return
		}
		c := digest.Client{Rand: &countingReader{}}
		cr, err := c.Authorize(ch, "REGISTER", "sip:example.com", nil, "alice", "pw")
		if err != nil {
			// Only values that cannot be put on the wire may fail.
			if !errors.Is(err, digest.ErrInvalidValue) {
				t.Fatalf("Authorize(%#v): %v", ch, err)
			}
			return
		}
		wire, err := cr.Encode()
		if err != nil {
			t.Fatalf("credentials do not encode: %v", err)
		}
		if len(wire) > digest.MaxHeaderLength {
			return
		}
		back, err := digest.ParseCredentials(wire)
		if err != nil {
			t.Fatalf("ParseCredentials(%q): %v", wire, err)
		}
		if back.Userhash {
			// The server resolves the hashed user name first.
			if uh, _ := digest.UserHash(back.Algorithm, "alice", back.Realm); uh != back.Username {
				t.Fatalf("userhash %q is not H(alice:realm)", back.Username)
			}
			back.Username, back.Userhash = "alice", false
		}
		if !digest.Verify(back, "REGISTER", "pw", nil) {
			t.Fatalf("credentials %q do not verify", wire)
		}
	})
}

// FuzzParseCredentials is the same round-trip property for
// Authorization values.
func FuzzParseCredentials(f *testing.F) {
	f.Add(`Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
	f.Add(`Digest username="1001",realm="asterisk",nonce="1716912345/5f1c2b8e",uri="sip:192.0.2.1",response="0123456789abcdef0123456789abcdef",algorithm=MD5`)
	f.Add(`Digest username="488b35a6b1c9e2d4f3a7", realm="api@example.org", uri="/doe.json", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", nc=00000001, cnonce="NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", qop=auth, response="ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", userhash=true`)
	f.Add(`Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm="r", nonce="n", uri="sip:r", response="x"`)
	f.Add(`Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==`)
	f.Fuzz(func(t *testing.T, value string) {
		c, err := digest.ParseCredentials(value)
		if err != nil {
			var pe *digest.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, digest.ErrSyntax) {
				t.Fatalf("error %v (%T) is not a *ParseError wrapping ErrSyntax", err, err)
			}
			return
		}
		encoded, err := c.Encode()
		if err != nil {
			t.Fatalf("parsed credentials %#v do not encode: %v", c, err)
		}
		if strings.ContainsAny(encoded, "\r\n") {
			t.Fatalf("encoded credentials contain a line break: %q", encoded)
		}
		if len(encoded) > digest.MaxHeaderLength {
			return
		}
		again, err := digest.ParseCredentials(encoded)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", encoded, err)
		}
		if !equalCredentials(c, again) {
			t.Fatalf("round trip changed the credentials:\n in: %#v\nout: %#v\nvia %q", c, again, encoded)
		}
		_ = digest.Verify(c, "REGISTER", "pw", nil) // must not panic
	})
}

func equalParams(a, b []digest.Param) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalChallenges(a, b digest.Challenge) bool {
	if len(a.QOP) != len(b.QOP) {
		return false
	}
	for i := range a.QOP {
		if a.QOP[i] != b.QOP[i] {
			return false
		}
	}
	return a.Scheme == b.Scheme && a.Realm == b.Realm && a.Domain == b.Domain &&
		a.Nonce == b.Nonce && a.Opaque == b.Opaque && a.Stale == b.Stale &&
		a.Algorithm == b.Algorithm && a.Userhash == b.Userhash && equalParams(a.Params, b.Params)
}

func equalCredentials(a, b digest.Credentials) bool {
	return a.Scheme == b.Scheme && a.Username == b.Username && a.Realm == b.Realm &&
		a.Nonce == b.Nonce && a.URI == b.URI && a.Response == b.Response &&
		a.Algorithm == b.Algorithm && a.CNonce == b.CNonce && a.Opaque == b.Opaque &&
		a.QOP == b.QOP && a.NC == b.NC && a.Userhash == b.Userhash && equalParams(a.Params, b.Params)
}

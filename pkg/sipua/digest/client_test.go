package digest_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

func mustParseChallenge(t testing.TB, v string) digest.Challenge {
	t.Helper()
	ch, err := digest.ParseChallenge(v)
	require.NoError(t, err)
	return ch
}

func TestClientAnswersTheRFC7616ExampleChallenges(t *testing.T) {
	for _, tt := range []struct {
		algorithm, want string
	}{
		{"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
		{"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	} {
		t.Run(tt.algorithm, func(t *testing.T) {
			ch := mustParseChallenge(t, `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=`+
				tt.algorithm+`, nonce="`+rfc7616Nonce+`", opaque="`+rfc7616Opaque+`"`)
			var c digest.Client
			cr, err := c.Authorize(ch, "GET", "/dir/index.html", nil, "Mufasa", rfc7616Password)
			require.NoError(t, err)

			// The client nonce is random, so recompute with the RFC's
			// cnonce through the pure function, and check that the client
			// agrees with it for its own cnonce.
			in := digest.Input{
				Algorithm: tt.algorithm, Username: "Mufasa", Realm: rfc7616Realm, Nonce: rfc7616Nonce,
				CNonce: rfc7616CNonce, NC: "00000001", QOP: "auth", Method: "GET", URI: "/dir/index.html",
			}
			rfc, err := digest.Response(in, rfc7616Password)
			require.NoError(t, err)
			assert.Equal(t, tt.want, rfc)

			in.CNonce = cr.CNonce
			own, err := digest.Response(in, rfc7616Password)
			require.NoError(t, err)
			assert.Equal(t, own, cr.Response)

			assert.Equal(t, digest.Credentials{
				Scheme: "Digest", Username: "Mufasa", Realm: rfc7616Realm, Nonce: rfc7616Nonce,
				URI: "/dir/index.html", Response: cr.Response, Algorithm: tt.algorithm, CNonce: cr.CNonce,
				Opaque: rfc7616Opaque, QOP: "auth", NC: "00000001",
			}, cr)
		})
	}
}

func TestClientCountsNonceUsesAndRestartsForANewNonce(t *testing.T) {
	c := digest.Client{Rand: &countingReader{}}
	first := mustParseChallenge(t, `Digest realm="atlanta.com", nonce="n1", qop="auth"`)
	second := mustParseChallenge(t, `Digest realm="atlanta.com", nonce="n2", qop="auth", stale=true`)
	cnonce1 := hex.EncodeToString([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	cnonce2 := hex.EncodeToString([]byte{16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31})

	steps := []struct {
		ch         digest.Challenge
		wantNC     string
		wantCNonce string
	}{
		{first, "00000001", cnonce1},
		{first, "00000002", cnonce1},
		{first, "00000003", cnonce1},
		{second, "00000001", cnonce2},
		{second, "00000002", cnonce2},
		{first, "00000004", cnonce1},
	}
	for i, s := range steps {
		cr, err := c.Authorize(s.ch, "REGISTER", "sip:atlanta.com", nil, "alice", "pw")
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, s.wantNC, cr.NC, "step %d", i)
		assert.Equal(t, s.wantCNonce, cr.CNonce, "step %d", i)
		assert.Contains(t, cr.String(), "nc="+s.wantNC, "step %d", i)
		assert.True(t, digest.Verify(cr, "REGISTER", "pw", nil), "step %d verifies", i)
	}

	c.Reset()
	cr, err := c.Authorize(first, "REGISTER", "sip:atlanta.com", nil, "alice", "pw")
	require.NoError(t, err)
	assert.Equal(t, "00000001", cr.NC, "Reset forgets counts")
}

func TestClientNonceCountsGoPastNineInHex(t *testing.T) {
	var c digest.Client
	ch := mustParseChallenge(t, `Digest realm="r", nonce="n", qop="auth"`)
	var last digest.Credentials
	for range 10 {
		var err error
		last, err = c.Authorize(ch, "OPTIONS", "sip:r", nil, "u", "p")
		require.NoError(t, err)
	}
	assert.Equal(t, "0000000a", last.NC)
}

func TestClientKeepsCountsForABoundedNumberOfNonces(t *testing.T) {
	var c digest.Client
	challenge := func(i int) digest.Challenge {
		return digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: fmt.Sprintf("nonce-%d", i), QOP: []string{"auth"}}
	}
	for i := range 17 {
		cr, err := c.Authorize(challenge(i), "OPTIONS", "sip:r", nil, "u", "p")
		require.NoError(t, err)
		require.Equal(t, "00000001", cr.NC)
	}
	// 17 nonces with room for 16: the least recently used one (nonce-0)
	// was forgotten, the others are still counted.
	cr, err := c.Authorize(challenge(16), "OPTIONS", "sip:r", nil, "u", "p")
	require.NoError(t, err)
	assert.Equal(t, "00000002", cr.NC)
	cr, err = c.Authorize(challenge(0), "OPTIONS", "sip:r", nil, "u", "p")
	require.NoError(t, err)
	assert.Equal(t, "00000001", cr.NC)
}

func TestClientEchoesChallengeValues(t *testing.T) {
	var c digest.Client
	t.Run("opaque, realm and algorithm spelling are echoed", func(t *testing.T) {
		ch := mustParseChallenge(t, `Digest realm="biloxi.com", nonce="abc", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=sha-256, qop="auth"`)
		cr, err := c.Authorize(ch, "INVITE", "sip:bob@biloxi.com", nil, "bob", "zanzibar")
		require.NoError(t, err)
		assert.Equal(t, "biloxi.com", cr.Realm)
		assert.Equal(t, "5ccc069c403ebaf9f0171e9517f40e41", cr.Opaque)
		assert.Equal(t, "sha-256", cr.Algorithm)
		assert.Contains(t, cr.String(), `opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
	})
	t.Run("absent algorithm is sent as MD5", func(t *testing.T) {
		ch := mustParseChallenge(t, `Digest realm="biloxi.com", nonce="abc", qop="auth"`)
		cr, err := c.Authorize(ch, "INVITE", "sip:bob@biloxi.com", nil, "bob", "zanzibar")
		require.NoError(t, err)
		assert.Equal(t, "MD5", cr.Algorithm)
		assert.Empty(t, cr.Opaque)
		assert.NotContains(t, cr.String(), "opaque")
	})
}

func TestClientChoosesQOP(t *testing.T) {
	tests := []struct {
		name          string
		offered       []string
		preferAuthInt bool
		want          string
		wantErr       error
	}{
		{name: "none offered answers in RFC 2069 form", offered: nil, want: ""},
		{name: "auth", offered: []string{"auth"}, want: "auth"},
		{name: "only auth-int must use auth-int", offered: []string{"auth-int"}, want: "auth-int"},
		{name: "both prefer auth by default", offered: []string{"auth-int", "auth"}, want: "auth"},
		{name: "both with PreferAuthInt use auth-int", offered: []string{"auth", "auth-int"}, preferAuthInt: true, want: "auth-int"},
		{name: "PreferAuthInt without auth-int offered uses auth", offered: []string{"auth"}, preferAuthInt: true, want: "auth"},
		{name: "unknown options are skipped", offered: []string{"auth-conf", "AUTH"}, want: "auth"},
		{name: "only unknown options fail", offered: []string{"auth-conf"}, wantErr: digest.ErrUnsupportedQOP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := digest.Client{PreferAuthInt: tt.preferAuthInt}
			ch := digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n", QOP: tt.offered}
			cr, err := c.Authorize(ch, "MESSAGE", "sip:bob@r", []byte("hello"), "u", "p")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cr.QOP)
			assert.True(t, digest.Verify(cr, "MESSAGE", "p", []byte("hello")))
			if tt.want == "auth-int" {
				assert.False(t, digest.Verify(cr, "MESSAGE", "p", []byte("tampered")), "auth-int covers the body")
			}
		})
	}
}

func TestClientAnswersWithoutQOPInRFC2069Form(t *testing.T) {
	var c digest.Client
	ch := mustParseChallenge(t, `Digest realm="asterisk", nonce="4a8f2b1c"`)
	for range 2 {
		cr, err := c.Authorize(ch, "REGISTER", "sip:192.0.2.1", nil, "1001", "pw")
		require.NoError(t, err)
		want := md5hex(md5hex("1001:asterisk:pw") + ":4a8f2b1c:" + md5hex("REGISTER:sip:192.0.2.1"))
		assert.Equal(t, want, cr.Response)
		assert.Empty(t, cr.CNonce)
		assert.Empty(t, cr.NC)
		assert.Equal(t,
			`Digest username="1001", realm="asterisk", nonce="4a8f2b1c", uri="sip:192.0.2.1", response="`+want+`", algorithm=MD5`,
			cr.String())
	}
}

func TestClientAnswersSessionAlgorithms(t *testing.T) {
	for _, tt := range []struct {
		algorithm string
		h         func(string) string
	}{
		{"MD5-sess", md5hex},
		{"SHA-256-sess", sha256hex},
	} {
		t.Run(tt.algorithm, func(t *testing.T) {
			c := digest.Client{Rand: &countingReader{}}
			ch := digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n", Algorithm: tt.algorithm, QOP: []string{"auth"}}
			cr, err := c.Authorize(ch, "INVITE", "sip:b@r", nil, "u", "p")
			require.NoError(t, err)
			h := tt.h
			want := h(h(h("u:r:p")+":n:"+cr.CNonce) + ":n:00000001:" + cr.CNonce + ":auth:" + h("INVITE:sip:b@r"))
			assert.Equal(t, want, cr.Response)
			assert.True(t, digest.Verify(cr, "INVITE", "p", nil))
		})
	}
}

func TestClientSendsHashedUsernameWhenAsked(t *testing.T) {
	var c digest.Client
	ch := mustParseChallenge(t, `Digest realm="http-auth@example.org", qop="auth", algorithm=SHA-256, nonce="`+rfc7616Nonce+`", userhash=true`)
	cr, err := c.Authorize(ch, "GET", "/doe.json", nil, "Mufasa", rfc7616Password)
	require.NoError(t, err)
	assert.Equal(t, sha256hex("Mufasa:http-auth@example.org"), cr.Username)
	assert.True(t, cr.Userhash)
	assert.Contains(t, cr.String(), ", userhash=true")

	// The digest itself is computed with the real user name.
	want, err := digest.Response(digest.Input{
		Algorithm: "SHA-256", Username: "Mufasa", Realm: rfc7616Realm, Nonce: rfc7616Nonce,
		CNonce: cr.CNonce, NC: "00000001", QOP: "auth", Method: "GET", URI: "/doe.json",
	}, rfc7616Password)
	require.NoError(t, err)
	assert.Equal(t, want, cr.Response)

	assert.False(t, digest.Verify(cr, "GET", rfc7616Password, nil), "Verify needs the resolved user name")
	cr.Username, cr.Userhash = "Mufasa", false
	assert.True(t, digest.Verify(cr, "GET", rfc7616Password, nil))
}

func TestClientRefusesWhatItCannotAnswer(t *testing.T) {
	ok := digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n", QOP: []string{"auth"}}
	tests := []struct {
		name        string
		modify      func(ch *digest.Challenge)
		emptyMethod bool
		method      string
		uri         string
		username    string
		want        error
	}{
		{name: "non-Digest scheme", modify: func(ch *digest.Challenge) { ch.Scheme = "Basic" }, want: digest.ErrNotDigest},
		{name: "unsupported algorithm", modify: func(ch *digest.Challenge) { ch.Algorithm = "SHA-512-256" }, want: digest.ErrUnsupportedAlgorithm},
		{name: "no nonce", modify: func(ch *digest.Challenge) { ch.Nonce = "" }, want: digest.ErrMissingParameter},
		{name: "sess without qop", modify: func(ch *digest.Challenge) { ch.Algorithm, ch.QOP = "MD5-sess", nil }, want: digest.ErrUnsupportedQOP},
		{name: "no method", emptyMethod: true, want: digest.ErrMissingParameter},
		{name: "CRLF in username", username: "alice\r\nX-Evil: 1", want: digest.ErrInvalidValue},
		{name: "LF in uri", uri: "sip:r\nX-Evil: 1", want: digest.ErrInvalidValue},
		{name: "CR in method", method: "REGISTER\r", want: digest.ErrInvalidValue},
		{name: "LF in realm", modify: func(ch *digest.Challenge) { ch.Realm = "r\n" }, want: digest.ErrInvalidValue},
		{name: "CR in nonce", modify: func(ch *digest.Challenge) { ch.Nonce = "n\r" }, want: digest.ErrInvalidValue},
		{name: "LF in opaque", modify: func(ch *digest.Challenge) { ch.Opaque = "\n" }, want: digest.ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c digest.Client
			ch := ok
			if tt.modify != nil {
				tt.modify(&ch)
			}
			method, uri, user := "REGISTER", "sip:r", "alice"
			if tt.emptyMethod {
				method = ""
			} else if tt.method != "" {
				method = tt.method
			}
			if tt.uri != "" {
				uri = tt.uri
			}
			if tt.username != "" {
				user = tt.username
			}
			cr, err := c.Authorize(ch, method, uri, nil, user, "pw")
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, digest.Credentials{}, cr)

			// A failed call does not consume a nonce count.
			cr, err = c.Authorize(ok, "REGISTER", "sip:r", nil, "alice", "pw")
			require.NoError(t, err)
			assert.Equal(t, "00000001", cr.NC)
		})
	}
}

func TestClientReportsRandomnessFailure(t *testing.T) {
	boom := errors.New("entropy exhausted")
	c := digest.Client{Rand: failingReader{err: boom}}
	ch := digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n", QOP: []string{"auth"}}
	_, err := c.Authorize(ch, "REGISTER", "sip:r", nil, "u", "p")
	require.ErrorIs(t, err, boom)

	c.Rand = &countingReader{}
	cr, err := c.Authorize(ch, "REGISTER", "sip:r", nil, "u", "p")
	require.NoError(t, err)
	assert.Equal(t, "00000001", cr.NC)
}

func TestPasswordsNeverShowUpInPrintedValues(t *testing.T) {
	const password = "hunter2-very-secret"
	c := digest.Client{Rand: &countingReader{}}
	ch := mustParseChallenge(t, rfc3261Challenge)
	cr, err := c.Authorize(ch, "INVITE", "sip:bob@biloxi.com", []byte("v=0\r\n"), "alice", password)
	require.NoError(t, err)
	in := digest.Input{Username: "alice", Realm: "atlanta.com", Nonce: "n", Method: "INVITE", URI: "sip:bob@biloxi.com"}

	for _, printed := range []string{
		cr.String(),
		fmt.Sprintf("%v", cr), fmt.Sprintf("%+v", cr), fmt.Sprintf("%#v", cr),
		fmt.Sprintf("%v", &c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c),
		fmt.Sprintf("%#v", in), fmt.Sprintf("%+v", ch),
	} {
		assert.False(t, strings.Contains(printed, password), "password leaked in %q", printed)
	}
}

func TestClient_AuthorizeHA1MatchesPassword(t *testing.T) {
	ch, err := digest.ParseChallenge(`Digest realm="pbx.test", nonce="abc", qop="auth", algorithm=MD5`)
	if err != nil {
		t.Fatal(err)
	}
	ha1, err := digest.HA1(digest.MD5, "200", "pbx.test", "secret")
	if err != nil {
		t.Fatal(err)
	}
	var c digest.Client
	cred, err := c.AuthorizeHA1(ch, "REGISTER", "sip:pbx.test", nil, "200", ha1)
	if err != nil {
		t.Fatal(err)
	}
	if !digest.Verify(cred, "REGISTER", "secret", nil) {
		t.Fatal("credentials from HA1 do not verify with the password")
	}
	sha, _ := digest.ParseChallenge(`Digest realm="pbx.test", nonce="abc", qop="auth", algorithm=SHA-256`)
	if _, err := c.AuthorizeHA1(sha, "REGISTER", "sip:pbx.test", nil, "200", ha1); err == nil {
		t.Fatal("an MD5 HA1 must not answer a SHA-256 challenge")
	}
}

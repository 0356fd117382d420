package digest

import (
	"crypto/subtle"
	"fmt"
	"io"
)

// nonceBytes is the number of random bytes in a server nonce.
const nonceBytes = 16

// NewNonce returns a fresh server nonce: 16 bytes from r (crypto/rand
// when r is nil), hex-encoded. The caller is responsible for
// remembering issued nonces, expiring them (answering with stale=true)
// and rejecting replayed nonce counts.
func NewNonce(r io.Reader) (string, error) {
	n, err := newRandomHex(r, nonceBytes)
	if err != nil {
		return "", fmt.Errorf("digest: generating nonce: %w", err)
	}
	return n, nil
}

// Verify reports whether c carries a correct response for password and
// a request with the given method and body (the body matters only for
// qop=auth-int). The digest is recomputed from the values in c exactly
// as the client sent them and compared in constant time.
//
// Verify checks the arithmetic only. The caller must also check that
// c.Realm is its realm, c.Nonce is a nonce it issued and that has not
// expired, the nonce count grows (see [Credentials.NonceCount]),
// c.URI matches the Request-URI, c.Opaque is what it sent, and that
// the qop and algorithm are ones it offered (in particular, whether to
// accept RFC 2069 answers without qop).
//
// Credentials with userhash=true carry H(username:realm) instead of the
// user name; Verify returns false for them. Resolve the user, set
// Username to the real name and Userhash to false, then call Verify.
func Verify(c Credentials, method, password string, body []byte) bool {
	if !c.IsDigest() || c.Userhash || c.Response == "" {
		return false
	}
	want, err := Response(c.input(method, body), password)
	if err != nil {
		return false
	}
	return equalHex(want, c.Response)
}

// VerifyHA1 is like [Verify] for registrars that store
// HA1 = H(username ":" realm ":" password) (see [HA1]) instead of the
// password.
func VerifyHA1(c Credentials, method, ha1 string, body []byte) bool {
	if !c.IsDigest() || c.Userhash || c.Response == "" {
		return false
	}
	want, err := ResponseWithHA1(c.input(method, body), ha1)
	if err != nil {
		return false
	}
	return equalHex(want, c.Response)
}

func (c Credentials) input(method string, body []byte) Input {
	return Input{
		Algorithm: c.Algorithm,
		Username:  c.Username,
		Realm:     c.Realm,
		Nonce:     c.Nonce,
		CNonce:    c.CNonce,
		NC:        c.NC,
		QOP:       c.QOP,
		Method:    method,
		URI:       c.URI,
		Body:      body,
	}
}

// equalHex compares the lowercase hex digest want with got, ignoring
// the case of got, in time that depends only on the lengths.
func equalHex(want, got string) bool {
	if len(want) != len(got) {
		return false
	}
	var buf [64]byte
	g := buf[:0]
	for i := 0; i < len(got); i++ {
		c := got[i]
		if 'A' <= c && c <= 'F' {
			c += 'a' - 'A'
		}
		g = append(g, c)
	}
	return subtle.ConstantTimeCompare([]byte(want), g) == 1
}

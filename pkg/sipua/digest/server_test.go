package digest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

func TestVerifyAcceptsTheRFC2617Example(t *testing.T) {
	cr, err := digest.ParseCredentials(`Digest username="Mufasa", realm="testrealm@host.com", ` +
		`nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, ` +
		`cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
	require.NoError(t, err)
	assert.True(t, digest.Verify(cr, "GET", "Circle Of Life", nil))
	assert.False(t, digest.Verify(cr, "GET", "Circle of Life", nil))
}

func TestVerifyChecksEveryInputOfTheDigest(t *testing.T) {
	body := []byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n")
	c := digest.Client{Rand: &countingReader{}}
	ch := digest.Challenge{Scheme: "Digest", Realm: "dev.local", Nonce: "abc", QOP: []string{"auth-int"}, Algorithm: "SHA-256"}
	good, err := c.Authorize(ch, "INVITE", "sip:bob@dev.local", body, "alice", "pw")
	require.NoError(t, err)
	require.True(t, digest.Verify(good, "INVITE", "pw", body))

	tests := []struct {
		name     string
		modify   func(*digest.Credentials)
		method   string
		password string
		body     []byte
		want     bool
	}{
		{name: "uppercase hex response is accepted", modify: func(c *digest.Credentials) { c.Response = strings.ToUpper(c.Response) }, want: true},
		{name: "wrong password", password: "PW", want: false},
		{name: "wrong method", method: "BYE", want: false},
		{name: "other body", body: []byte("v=1\r\n"), want: false},
		{name: "tampered uri", modify: func(c *digest.Credentials) { c.URI = "sip:eve@dev.local" }, want: false},
		{name: "tampered nc", modify: func(c *digest.Credentials) { c.NC = "00000002" }, want: false},
		{name: "tampered cnonce", modify: func(c *digest.Credentials) { c.CNonce += "x" }, want: false},
		{name: "tampered nonce", modify: func(c *digest.Credentials) { c.Nonce = "abd" }, want: false},
		{name: "downgraded algorithm", modify: func(c *digest.Credentials) { c.Algorithm = "MD5" }, want: false},
		{name: "downgraded qop", modify: func(c *digest.Credentials) { c.QOP = "auth" }, want: false},
		{name: "truncated response", modify: func(c *digest.Credentials) { c.Response = c.Response[:32] }, want: false},
		{name: "empty response", modify: func(c *digest.Credentials) { c.Response = "" }, want: false},
		{name: "non-Digest scheme", modify: func(c *digest.Credentials) { c.Scheme = "Basic" }, want: false},
		{name: "unsupported algorithm", modify: func(c *digest.Credentials) { c.Algorithm = "SHA-512-256" }, want: false},
		{name: "hashed user name", modify: func(c *digest.Credentials) { c.Userhash = true }, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := good
			if tt.modify != nil {
				tt.modify(&cr)
			}
			method, password, b := "INVITE", "pw", body
			if tt.method != "" {
				method = tt.method
			}
			if tt.password != "" {
				password = tt.password
			}
			if tt.body != nil {
				b = tt.body
			}
			assert.Equal(t, tt.want, digest.Verify(cr, method, password, b))

			ha1, err := digest.HA1(cr.Algorithm, cr.Username, cr.Realm, password)
			if err == nil {
				assert.Equal(t, tt.want, digest.VerifyHA1(cr, method, ha1, b), "VerifyHA1 agrees")
			}
		})
	}
}

func TestVerifyHA1RejectsAMalformedHA1(t *testing.T) {
	var c digest.Client
	cr, err := c.Authorize(digest.Challenge{Realm: "r", Nonce: "n", QOP: []string{"auth"}}, "REGISTER", "sip:r", nil, "u", "p")
	require.NoError(t, err)
	ha1, err := digest.HA1("MD5", "u", "r", "p")
	require.NoError(t, err)
	assert.True(t, digest.VerifyHA1(cr, "REGISTER", ha1, nil))
	assert.False(t, digest.VerifyHA1(cr, "REGISTER", ha1[:10], nil))
	assert.False(t, digest.VerifyHA1(cr, "REGISTER", "", nil))
}

func TestNewNonceIsRandomHex(t *testing.T) {
	n, err := digest.NewNonce(&countingReader{})
	require.NoError(t, err)
	assert.Equal(t, "000102030405060708090a0b0c0d0e0f", n)

	a, err := digest.NewNonce(nil)
	require.NoError(t, err)
	b, err := digest.NewNonce(nil)
	require.NoError(t, err)
	assert.Len(t, a, 32)
	assert.NotEqual(t, a, b)

	boom := errors.New("no entropy")
	_, err = digest.NewNonce(failingReader{err: boom})
	assert.ErrorIs(t, err, boom)
}

func TestRegistrarRoundTrip(t *testing.T) {
	// A development registrar challenges, the client answers through the
	// wire format, and the registrar verifies what it parsed.
	nonce, err := digest.NewNonce(nil)
	require.NoError(t, err)
	challenge := digest.Challenge{Scheme: "Digest", Realm: "dev.local", Nonce: nonce, Algorithm: "SHA-256", QOP: []string{"auth"}}

	ch, err := digest.ParseChallenge(challenge.String())
	require.NoError(t, err)
	var ua digest.Client
	cr, err := ua.Authorize(ch, "REGISTER", "sip:dev.local", nil, "1001", "secret")
	require.NoError(t, err)

	got, err := digest.ParseCredentials(cr.String())
	require.NoError(t, err)
	assert.Equal(t, cr, got)
	assert.True(t, digest.Verify(got, "REGISTER", "secret", nil))
	n, err := got.NonceCount()
	require.NoError(t, err)
	assert.Equal(t, uint32(1), n)
}

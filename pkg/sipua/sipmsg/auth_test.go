package sipmsg

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

func TestChallenges_EachLineIsOneChallenge(t *testing.T) {
	msg := "SIP/2.0 401 Unauthorized\n" +
		"WWW-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"a,b\", qop=\"auth,auth-int\", algorithm=MD5\n" +
		"WWW-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"c\", qop=\"auth\", algorithm=SHA-256\n" +
		"WWW-Authenticate: Negotiate abc==\n\n"
	m, err := Parse(crlf(msg))
	require.NoError(t, err)
	chs, err := m.Challenges(HdrWWWAuthenticate)
	require.NoError(t, err)
	require.Len(t, chs, 2, "the unparsable Negotiate line is skipped")
	assert.Equal(t, "a,b", chs[0].Nonce)
	assert.Equal(t, []string{"auth", "auth-int"}, chs[0].QOP)
	best, ok := digest.Pick(chs)
	require.True(t, ok)
	assert.Equal(t, "SHA-256", best.Algorithm)

	_, err = m.Challenges(HdrProxyAuthenticate)
	require.ErrorIs(t, err, ErrNoHeader)
}

func TestCredentials_RoundTripThroughAMessage(t *testing.T) {
	ch, err := digest.ParseChallenge(`Digest realm="pbx.example.com", nonce="n1", qop="auth"`)
	require.NoError(t, err)
	var c digest.Client
	cred, err := c.Authorize(ch, REGISTER, "sip:pbx.example.com", nil, "200", "secret")
	require.NoError(t, err)
	value, err := cred.Encode()
	require.NoError(t, err)

	m := &Message{Method: REGISTER, RequestURI: mustURI(t, "sip:pbx.example.com")}
	require.NoError(t, m.Set(HdrAuthorization, value))
	wire, err := m.Bytes()
	require.NoError(t, err)
	back, err := Parse(wire)
	require.NoError(t, err)
	creds, err := back.Credentials(HdrAuthorization)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	assert.True(t, digest.Verify(creds[0], REGISTER, "secret", nil))
	assert.False(t, digest.Verify(creds[0], REGISTER, "wrong", nil))

	require.NoError(t, back.Set(HdrAuthorization, `Digest username="x", realm="unterminated`))
	_, err = back.Credentials(HdrAuthorization)
	require.Error(t, err)
}

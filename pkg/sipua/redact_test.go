package sipua

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	in := "REGISTER sip:b SIP/2.0\r\n" +
		"authorization: Digest username=\"u\", response=\"secret1\"\r\n" +
		"Proxy-Authorization : Digest response=\"secret2\"\r\n" +
		"Subject: Authorization: not a header\r\n" +
		"Content-Length: 0\r\n\r\n"
	out := redact([]byte(in))
	assert.NotContains(t, out, "secret1")
	assert.NotContains(t, out, "secret2")
	assert.Contains(t, out, "authorization: [redacted]\r\n")
	assert.Contains(t, out, "Proxy-Authorization: [redacted]\r\n")
	assert.Contains(t, out, "Subject: Authorization: not a header\r\n")
	assert.Equal(t, "OPTIONS sip:b SIP/2.0\r\n\r\n", redact([]byte("OPTIONS sip:b SIP/2.0\r\n\r\n")))
}

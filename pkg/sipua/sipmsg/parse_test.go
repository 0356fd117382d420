package sipmsg

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crlf turns a readable message with \n line ends into wire form.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

const registerMsg = `REGISTER sip:pbx.example.com SIP/2.0
Via: SIP/2.0/WSS 0x7ab2.invalid;branch=z9hG4bK1234567;rport
Max-Forwards: 70
To: <sip:200@pbx.example.com>
From: "Desk 200" <sip:200@pbx.example.com>;tag=abc123
Call-ID: 1kd93jd8s0
CSeq: 1 REGISTER
Contact: <sip:x9y8z7@0x7ab2.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:0f4e2a6c-8b1d-4c3e-9a7f-5d6b8c9e0a1b>";expires=300
Expires: 300
Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY
Supported: path,gruu,outbound
User-Agent: wasmphone/0.1.0
Content-Length: 0

`

func TestParse_Register(t *testing.T) {
	m, err := Parse(crlf(registerMsg))
	require.NoError(t, err)
	require.True(t, m.IsRequest())
	assert.Equal(t, REGISTER, m.Method)
	assert.Equal(t, "sip:pbx.example.com", m.RequestURI.String())
	assert.Equal(t, "SIP/2.0", m.Proto)
	assert.Len(t, m.Headers(), 12)
	require.NoError(t, m.Validate())

	via, err := m.TopVia()
	require.NoError(t, err)
	assert.Equal(t, "WSS", via.Transport)
	assert.Equal(t, "0x7ab2.invalid", via.Host)
	assert.Equal(t, "z9hG4bK1234567", via.Branch())
	port, ok := via.RPort()
	assert.True(t, ok)
	assert.Zero(t, port)

	from, err := m.From()
	require.NoError(t, err)
	assert.Equal(t, "Desk 200", from.DisplayName)
	assert.Equal(t, "abc123", from.Tag())
	assert.Equal(t, "200", from.URI.User)

	contacts, err := m.Contacts()
	require.NoError(t, err)
	require.Len(t, contacts, 1)
	inst, _ := contacts[0].Params.Get("+sip.instance")
	assert.Equal(t, "<urn:uuid:0f4e2a6c-8b1d-4c3e-9a7f-5d6b8c9e0a1b>", inst)
	regID, _ := contacts[0].Params.Get("reg-id")
	assert.Equal(t, "1", regID)
	assert.True(t, contacts[0].Params.Has("+sip.ice"))
	exp, ok := contacts[0].Expires()
	assert.True(t, ok)
	assert.Equal(t, 300, exp)

	cseq, err := m.CSeq()
	require.NoError(t, err)
	assert.Equal(t, CSeq{1, REGISTER}, cseq)
	e, err := m.Expires()
	require.NoError(t, err)
	assert.EqualValues(t, 300, e)
	assert.True(t, m.HasToken(HdrSupported, "outbound"))
	assert.Equal(t, []string{"INVITE", "ACK", "CANCEL", "BYE", "UPDATE", "MESSAGE", "OPTIONS", "REFER", "INFO", "NOTIFY"}, m.Tokens(HdrAllow))
	assert.Equal(t, "wasmphone/0.1.0", m.UserAgent())
	assert.Nil(t, m.Body)
}

func TestParse_CompactFormsAndCaseInsensitiveNames(t *testing.T) {
	msg := "OPTIONS sip:a@b SIP/2.0\n" +
		"v: SIP/2.0/WS h.invalid;branch=z9hG4bKx\n" +
		"f: <sip:c@d>;tag=1\nt: sip:a@b\ni: abc\nCSEQ: 2 OPTIONS\nm: *\n" +
		"l: 0\nc: text/plain\nk: path\ne: gzip\ns: hello\no: dialog\nu: dialog\n" +
		"r: <sip:x@y>\nb: <sip:z@y>\nx: 1800;refresher=uac\ny: abc\nmax-forwards: 10\n\n"
	m, err := Parse(crlf(msg))
	require.NoError(t, err)
	names := make([]string, 0, len(m.Headers()))
	for _, h := range m.Headers() {
		names = append(names, h.Name)
	}
	assert.Equal(t, []string{"Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length",
		"Content-Type", "Supported", "Content-Encoding", "Subject", "Event", "Allow-Events",
		"Refer-To", "Referred-By", "Session-Expires", "Identity", "Max-Forwards"}, names)
	assert.Equal(t, "abc", m.CallID())
	assert.Equal(t, "abc", m.Get("i"))
	assert.Equal(t, "abc", m.Get("call-id"))
	require.NoError(t, m.Validate())
	c, err := m.Contacts()
	require.NoError(t, err)
	require.Len(t, c, 1)
	assert.True(t, c[0].Wildcard)
	se, err := m.SessionExpires()
	require.NoError(t, err)
	assert.Equal(t, "1800", se.Value)
	ref, _ := se.Param("refresher")
	assert.Equal(t, "uac", ref)
	mf, err := m.MaxForwards()
	require.NoError(t, err)
	assert.Equal(t, 10, mf)
}

func TestParse_LineFoldingIsJoined(t *testing.T) {
	msg := "OPTIONS sip:a@b SIP/2.0\nSubject: first\n   second\n\tthird\n" +
		"Via: SIP/2.0/UDP h;branch=z9hG4bKa,\n SIP/2.0/TCP g;branch=z9hG4bKb\n\n"
	m, err := Parse(crlf(msg))
	require.NoError(t, err)
	assert.Equal(t, "first second third", m.Get("Subject"))
	vias, err := m.Vias()
	require.NoError(t, err)
	require.Len(t, vias, 2)
	assert.Equal(t, "TCP", vias[1].Transport)
	assert.Equal(t, "z9hG4bKb", vias[1].Branch())
}

func TestValues_SplitsListsOnlyAtTopLevelCommas(t *testing.T) {
	msg := "OPTIONS sip:a@b SIP/2.0\n" +
		"Contact: \"Doe, John\" <sip:j,k@x;a=1>;q=0.5, <sip:k@y>\n" +
		"Contact: sip:l@z;expires=60\n" +
		"Route: <sip:p1;lr>,<sip:p2;lr>\nRoute: <sip:p3;lr>\n" +
		"WWW-Authenticate: Digest realm=\"a,b\", nonce=\"x\"\n" +
		"Supported: , path ,,gruu\n\n"
	m, err := Parse(crlf(msg))
	require.NoError(t, err)
	assert.Equal(t, []string{`"Doe, John" <sip:j,k@x;a=1>;q=0.5`, "<sip:k@y>", "sip:l@z;expires=60"}, m.Values("Contact"))
	c, err := m.Contacts()
	require.NoError(t, err)
	require.Len(t, c, 3)
	assert.Equal(t, "Doe, John", c[0].DisplayName)
	q, _ := c[0].Params.Get("q")
	assert.Equal(t, "0.5", q)
	e, ok := c[2].Expires()
	assert.True(t, ok)
	assert.Equal(t, 60, e)
	routes, err := m.Routes()
	require.NoError(t, err)
	require.Len(t, routes, 3)
	assert.Equal(t, "p3", routes[2].URI.Host)
	// Authentication headers are not lists: their commas separate params.
	assert.Equal(t, []string{`Digest realm="a,b", nonce="x"`}, m.Values(HdrWWWAuthenticate))
	assert.Equal(t, []string{"path", "gruu"}, m.Tokens(HdrSupported))
	assert.Equal(t, `"Doe, John" <sip:j,k@x;a=1>;q=0.5`, m.Get("m"))
}

func TestParse_ContentLengthBoundsTheBody(t *testing.T) {
	base := "MESSAGE sip:a@b SIP/2.0\nContent-Type: text/plain\n"
	t.Run("exact", func(t *testing.T) {
		m, err := Parse(append(crlf(base+"Content-Length: 5\n\n"), "hello"...))
		require.NoError(t, err)
		assert.Equal(t, "hello", string(m.Body))
	})
	t.Run("extra bytes after the body are not part of it", func(t *testing.T) {
		m, err := Parse(append(crlf(base+"Content-Length: 5\n\n"), "hello world"...))
		require.NoError(t, err)
		assert.Equal(t, "hello", string(m.Body))
	})
	t.Run("short body is incomplete", func(t *testing.T) {
		_, err := Parse(append(crlf(base+"Content-Length: 50\n\n"), "hello"...))
		require.ErrorIs(t, err, ErrIncomplete)
	})
	t.Run("no Content-Length takes the rest", func(t *testing.T) {
		m, err := Parse(append(crlf(base+"\n"), "hello\r\n"...))
		require.NoError(t, err)
		assert.Equal(t, "hello\r\n", string(m.Body))
		l, err := m.ContentLength()
		require.NoError(t, err)
		assert.Equal(t, -1, l)
	})
	t.Run("conflicting Content-Length values", func(t *testing.T) {
		_, err := Parse(append(crlf(base+"Content-Length: 5\nl: 6\n\n"), "hello!"...))
		require.Error(t, err)
	})
	t.Run("negative or garbage Content-Length", func(t *testing.T) {
		for _, v := range []string{"-1", "abc", "1 2", "99999999999999999999"} {
			_, err := Parse(append(crlf(base+"Content-Length: "+v+"\n\n"), "x"...))
			require.Error(t, err, v)
		}
	})
}

func TestParse_Response(t *testing.T) {
	m, err := Parse(loadTestdata(t, "200-ok.sip"))
	require.NoError(t, err)
	require.True(t, m.IsResponse())
	assert.Equal(t, 200, m.StatusCode)
	assert.Equal(t, "OK", m.Reason)
	rr, err := m.RecordRoutes()
	require.NoError(t, err)
	require.Len(t, rr, 2)
	assert.True(t, rr[0].URI.Params.Has("lr"))
	ct, err := m.ContentType()
	require.NoError(t, err)
	assert.True(t, ct.Is("application", "sdp"))
	assert.True(t, strings.HasPrefix(string(m.Body), "v=0\r\n"))
	via, err := m.TopVia()
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.10", via.Received())
	p, ok := via.RPort()
	assert.True(t, ok)
	assert.Equal(t, 54012, p)
	assert.Equal(t, "as6f2d9a41", m.ToTag())
	require.NoError(t, m.Validate())
}

func TestParse_StatusLineForms(t *testing.T) {
	for _, tt := range []struct {
		line   string
		code   int
		reason string
	}{
		{"SIP/2.0 180 Ringing", 180, "Ringing"},
		{"SIP/2.0 100 ", 100, ""},
		{"SIP/2.0 100", 100, ""},
		{"SIP/2.0 486 Busy  Here ", 486, "Busy  Here "},
		{"SIP/2.0 200 Très bien", 200, "Très bien"},
	} {
		m, err := Parse(crlf(tt.line + "\n\n"))
		require.NoError(t, err, tt.line)
		assert.Equal(t, tt.code, m.StatusCode)
		assert.Equal(t, tt.reason, m.Reason)
	}
}

func TestParse_ErrorsSayWhatAndWhere(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty message"},
		{"only CRLFs", "\r\n\r\n", "empty message"},
		{"no line end", "INVITE sip:a@b SIP/2.0", "no end of start line"},
		{"no blank line", "INVITE sip:a@b SIP/2.0\r\nVia: x\r\n", "no empty line"},
		{"bad method", "INV(ITE sip:a@b SIP/2.0\r\n\r\n", "invalid method"},
		{"bad version", "INVITE sip:a@b HTTP/1.1\r\n\r\n", "invalid SIP version"},
		{"spaces in URI", "INVITE sip:a@b c SIP/2.0\r\n\r\n", "whitespace in Request-URI"},
		{"status code", "SIP/2.0 20 OK\r\n\r\n", "invalid status code"},
		{"status code range", "SIP/2.0 700 OK\r\n\r\n", "invalid status code"},
		{"header without colon", "OPTIONS sip:a@b SIP/2.0\r\nVia\r\n\r\n", "missing colon"},
		{"bad header name", "OPTIONS sip:a@b SIP/2.0\r\nV(a: 1\r\n\r\n", "invalid header name"},
		{"continuation first", "OPTIONS sip:a@b SIP/2.0\r\n x: 1\r\n\r\n", "continuation line"},
		{"bad URI", "OPTIONS sip:a@ SIP/2.0\r\n\r\n", "missing host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Contains(t, err.Error(), tt.want)
			assert.GreaterOrEqual(t, pe.Offset, 0)
		})
	}
}

func TestParse_ErrorOffsetPointsAtTheProblem(t *testing.T) {
	in := "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nBad Header: y\r\n\r\n"
	_, err := Parse([]byte(in))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, strings.Index(in, "Bad Header"), pe.Offset)
}

func TestParse_LimitsBoundInput(t *testing.T) {
	big := append(crlf("MESSAGE sip:a@b SIP/2.0\n\n"), make([]byte, DefaultMaxMessageSize)...)
	_, err := Parse(big)
	require.ErrorIs(t, err, ErrTooLarge)

	many := "OPTIONS sip:a@b SIP/2.0\n" + strings.Repeat("X-A: 1\n", 20) + "\n"
	_, err = Limits{MaxHeaders: 10}.Parse(crlf(many))
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = Limits{MaxHeaders: 20}.Parse(crlf(many))
	require.NoError(t, err)
	_, err = Limits{MaxMessageSize: 20}.Parse(crlf(many))
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestParse_KeepAliveCRLFsBeforeMessageAreSkipped(t *testing.T) {
	m, err := Parse(append([]byte("\r\n\r\n"), crlf("OPTIONS sip:a@b SIP/2.0\n\n")...))
	require.NoError(t, err)
	assert.Equal(t, OPTIONS, m.Method)
}

func TestParse_UnknownHeadersKeptVerbatimAndInOrder(t *testing.T) {
	in := "OPTIONS sip:a@b SIP/2.0\r\nX-Custom-Thing: a ; b,\"c\"\r\nvia: SIP/2.0/WS h;branch=z9hG4bK1\r\nx-lower: 1\r\n\r\n"
	m, err := Parse([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, []Header{{"X-Custom-Thing", `a ; b,"c"`}, {"Via", "SIP/2.0/WS h;branch=z9hG4bK1"}, {"x-lower", "1"}}, m.Headers())
	assert.Equal(t, "1", m.Get("X-Lower"))
	out, err := m.Bytes()
	require.NoError(t, err)
	assert.Equal(t, "OPTIONS sip:a@b SIP/2.0\r\nX-Custom-Thing: a ; b,\"c\"\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nx-lower: 1\r\nContent-Length: 0\r\n\r\n", string(out))
}

func TestSerialize_RoundTripsParsedMessages(t *testing.T) {
	for _, f := range []string{"webrtc-invite.sip", "200-ok.sip"} {
		data := loadTestdata(t, f)
		m, err := Parse(data)
		require.NoError(t, err)
		out, err := m.Bytes()
		require.NoError(t, err)
		assert.Equal(t, string(data), string(out), f)
	}
}

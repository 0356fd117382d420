package sipmsg

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAddress_Forms(t *testing.T) {
	tests := []struct {
		in      string
		display string
		uri     string
		params  Params
	}{
		{`"Alice" <sip:alice@atlanta.com>;tag=1928301774`, "Alice", "sip:alice@atlanta.com", Params{{Name: "tag", Value: "1928301774"}}},
		{`Bob <sips:bob@biloxi.com> ;tag=a48s`, "Bob", "sips:bob@biloxi.com", Params{{Name: "tag", Value: "a48s"}}},
		{`Anonymous Caller  <sip:c8oqz84zk7z@privacy.org>`, "Anonymous Caller", "sip:c8oqz84zk7z@privacy.org", nil},
		{`sip:+12125551212@server.phone2net.com;tag=887s`, "", "sip:+12125551212@server.phone2net.com", Params{{Name: "tag", Value: "887s"}}},
		{`<sip:alice@atlanta.com;transport=ws>;expires=3600;q=0.7`, "", "sip:alice@atlanta.com;transport=ws",
			Params{{Name: "expires", Value: "3600"}, {Name: "q", Value: "0.7"}}},
		{`"\"Quoted\" \\ name" <sip:x@y>`, `"Quoted" \ name`, "sip:x@y", nil},
		{`"J. Rosenberg \\\"Jdrosen\\\"" <sip:jdrosen@example.com>`, `J. Rosenberg \"Jdrosen\"`, "sip:jdrosen@example.com", nil},
		{`<sip:p1.example.com;lr>`, "", "sip:p1.example.com;lr", nil},
		{`<sip:x@y>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;ob`, "", "sip:x@y",
			Params{{Name: "+sip.instance", Value: "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", Quoted: true},
				{Name: "reg-id", Value: "1"}, {Name: "ob"}}},
		{`"日本語" <sip:u@example.jp>`, "日本語", "sip:u@example.jp", nil},
		{`<tel:+1-201-555-0123>`, "", "tel:+1-201-555-0123", nil},
		{`<sip:bob@biloxi.com?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>`, "",
			"sip:bob@biloxi.com?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := ParseAddress(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.display, a.DisplayName)
			assert.Equal(t, tt.uri, a.URI.String())
			assert.Equal(t, tt.params, a.Params)
			again, err := ParseAddress(a.String())
			require.NoError(t, err, a.String())
			assert.Equal(t, a, again)
		})
	}
}

func TestParseAddress_Rejects(t *testing.T) {
	for _, in := range []string{
		"", `"unterminated <sip:a@b>`, `"name" sip:a@b`, `<sip:a@b`, `Bad"Name <sip:a@b>`,
		`sip:a@b c`, `<sip:a@b>;=x`, `<sip:a@b>;tag="x`, `<sip:a@b> junk`, `<>`,
	} {
		_, err := ParseAddress(in)
		assert.Error(t, err, in)
	}
}

func TestAddressString_ControlCharactersCannotEndTheLine(t *testing.T) {
	a := Address{DisplayName: "Eve\r\nX-Evil: 1", URI: URI{Scheme: "sip", User: "e", Host: "x"},
		Params: Params{{Name: "tag", Value: "a\r\nb", Quoted: true}}}
	s := a.String()
	assert.NotContains(t, s, "\r")
	assert.NotContains(t, s, "\n")
	require.ErrorIs(t, a.Validate(), ErrUnsafeValue)
}

func TestParseVia_Forms(t *testing.T) {
	tests := []struct {
		in   string
		want Via
	}{
		{"SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds;rport",
			Via{"SIP", "2.0", "WSS", "df7jal23ls0d.invalid", 0, Params{{Name: "branch", Value: "z9hG4bK776asdhds"}, {Name: "rport"}}}},
		{"SIP / 2.0 / udp 192.0.2.1:5060 ; received = 192.0.2.207 ; branch=z9hG4bK77asjd",
			Via{"SIP", "2.0", "UDP", "192.0.2.1", 5060, Params{{Name: "received", Value: "192.0.2.207"}, {Name: "branch", Value: "z9hG4bK77asjd"}}}},
		{"SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKas;received=2001:db8::9:255",
			Via{"SIP", "2.0", "TCP", "[2001:db8::9:1]", 5061, Params{{Name: "branch", Value: "z9hG4bKas"}, {Name: "received", Value: "2001:db8::9:255"}}}},
		{"SIP/2.0/UDP host.example.com;rport=5070;branch=z9hG4bK1 (a comment)",
			Via{"SIP", "2.0", "UDP", "host.example.com", 0, Params{{Name: "rport", Value: "5070"}, {Name: "branch", Value: "z9hG4bK1"}}}},
	}
	for _, tt := range tests {
		v, err := ParseVia(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, v, tt.in)
		again, err := ParseVia(v.String())
		require.NoError(t, err)
		assert.Equal(t, v, again)
	}
	for _, bad := range []string{"", "SIP/2.0", "SIP/2.0/UDP", "SIP/2.0 UDP host", "SIP/2.0/UDP host:0", "SIP/2.0/UDP host;", "SIP/2.0/UDP [::1"} {
		_, err := ParseVia(bad)
		assert.Error(t, err, bad)
	}
}

func TestTypedHeaders(t *testing.T) {
	msg := "NOTIFY sip:a@b SIP/2.0\n" +
		"Event: dialog;id=42\n" +
		"Subscription-State: terminated;reason=timeout;retry-after=30\n" +
		"Content-Type: Application/Dialog-Info+XML ; charset=\"utf-8\"\n" +
		"Min-Expires: 60\nMin-SE: 90\n" +
		"Reason: SIP;cause=200;text=\"Call completed elsewhere\", Q.850;cause=16\n" +
		"Retry-After: 18000 (in a meeting);duration=3600\n" +
		"Replaces: 12345@192.168.118.3;to-tag=12345;from-tag=5FFE-3994;early-only\n" +
		"Refer-To: <sip:carol@chicago.example.com?Replaces=abc%40def%3Bto-tag%3D1%3Bfrom-tag%3D2>\n" +
		"Referred-By: <sip:alice@atlanta.example.com>\n" +
		"Expires: 99999999999\n\n"
	m, err := Parse(crlf(msg))
	require.NoError(t, err)

	ev, err := m.Event()
	require.NoError(t, err)
	assert.Equal(t, "dialog", ev.Value)
	id, _ := ev.Param("id")
	assert.Equal(t, "42", id)

	ss, err := m.SubscriptionState()
	require.NoError(t, err)
	assert.Equal(t, "terminated", ss.Value)
	ra, _ := ss.Param("retry-after")
	assert.Equal(t, "30", ra)

	ct, err := m.ContentType()
	require.NoError(t, err)
	assert.True(t, ct.Is("application", "dialog-info+xml"))
	cs, _ := ct.Params.Get("charset")
	assert.Equal(t, "utf-8", cs)

	me, err := m.MinExpires()
	require.NoError(t, err)
	assert.EqualValues(t, 60, me)
	mse, err := m.MinSE()
	require.NoError(t, err)
	assert.EqualValues(t, 90, mse)

	reasons, err := m.Reasons()
	require.NoError(t, err)
	require.Len(t, reasons, 2)
	text, _ := reasons[0].Param("text")
	assert.Equal(t, "Call completed elsewhere", text)
	assert.Equal(t, "Q.850", reasons[1].Value)

	rta, err := m.RetryAfter()
	require.NoError(t, err)
	assert.Equal(t, "18000", rta.Value)
	assert.Equal(t, "in a meeting", rta.Comment)
	dur, _ := rta.Param("duration")
	assert.Equal(t, "3600", dur)

	rep, err := m.Replaces()
	require.NoError(t, err)
	assert.Equal(t, Replaces{CallID: "12345@192.168.118.3", ToTag: "12345", FromTag: "5FFE-3994", EarlyOnly: true}, rep)
	back, err := ParseReplaces(rep.String())
	require.NoError(t, err)
	assert.Equal(t, rep, back)

	rt, err := m.ReferTo()
	require.NoError(t, err)
	embedded, ok := rt.URI.Headers.Get("Replaces")
	require.True(t, ok)
	inner, err := ParseReplaces(embedded)
	require.NoError(t, err)
	assert.Equal(t, "abc@def", inner.CallID)
	rb, err := m.ReferredBy()
	require.NoError(t, err)
	assert.Equal(t, "alice", rb.URI.User)

	exp, err := m.Expires()
	require.NoError(t, err)
	assert.EqualValues(t, uint32(MaxDelta), exp, "overlarge Expires is taken as 2^32-1")

	_, err = m.CSeq()
	require.ErrorIs(t, err, ErrNoHeader)
	_, err = m.MaxForwards()
	require.ErrorIs(t, err, ErrNoHeader)
}

func TestParseCSeq(t *testing.T) {
	c, err := ParseCSeq("  4711   INVITE ")
	require.NoError(t, err)
	assert.Equal(t, CSeq{4711, INVITE}, c)
	for _, bad := range []string{"", "INVITE", "1", "-1 INVITE", "2147483648 INVITE", "36893488147419103232 INVITE", "1 INV ITE", "x INVITE"} {
		_, err := ParseCSeq(bad)
		assert.Error(t, err, bad)
	}
}

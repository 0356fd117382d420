package sipmsg

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseURI_Components(t *testing.T) {
	tests := []struct {
		in   string
		want URI
	}{
		{"sip:alice@atlanta.com", URI{Scheme: "sip", User: "alice", Host: "atlanta.com"}},
		{"SIPS:Bob:secret@Biloxi.com:5061", URI{Scheme: "sips", User: "Bob", Password: "secret", Host: "Biloxi.com", Port: 5061}},
		{"sip:atlanta.com;transport=tcp;lr", URI{Scheme: "sip", Host: "atlanta.com",
			Params: Params{{Name: "transport", Value: "tcp"}, {Name: "lr"}}}},
		{"sip:%61lice@atlanta.com", URI{Scheme: "sip", User: "alice", Host: "atlanta.com"}},
		{"sip:sips%3Auser%40example.com@example.net", URI{Scheme: "sip", User: "sips:user@example.com", Host: "example.net"}},
		{"sip:[2001:db8::10]:5070;maddr=[2001:db8::20]", URI{Scheme: "sip", Host: "[2001:db8::10]", Port: 5070,
			Params: Params{{Name: "maddr", Value: "[2001:db8::20]"}}}},
		{"sip:192.0.2.4", URI{Scheme: "sip", Host: "192.0.2.4"}},
		{"sip:+1-212-555-1212:1234@gateway.com;user=phone", URI{Scheme: "sip", User: "+1-212-555-1212",
			Password: "1234", Host: "gateway.com", Params: Params{{Name: "user", Value: "phone"}}}},
		{"sip:alice@atlanta.com?subject=project%20x&priority=urgent", URI{Scheme: "sip", User: "alice", Host: "atlanta.com",
			Headers: Params{{Name: "subject", Value: "project x"}, {Name: "priority", Value: "urgent"}}}},
		{"sip:q8r3ce5u@h7k2m9q4x1ve.invalid;transport=ws;ob", URI{Scheme: "sip", User: "q8r3ce5u",
			Host: "h7k2m9q4x1ve.invalid", Params: Params{{Name: "transport", Value: "ws"}, {Name: "ob"}}}},
		{"tel:+1-201-555-0123", URI{Scheme: "tel", User: "+1-201-555-0123"}},
		{"tel:7042;phone-context=example.com", URI{Scheme: "tel", User: "7042",
			Params: Params{{Name: "phone-context", Value: "example.com"}}}},
		{"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", URI{Scheme: "urn", Opaque: "uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}},
		{"sip:user;par=u%40example.net@example.com", URI{Scheme: "sip", User: "user;par=u@example.net", Host: "example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURI(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			// Round trip: the text form parses back to the same URI.
			again, err := ParseURI(got.String())
			require.NoError(t, err, got.String())
			assert.Equal(t, got, again)
		})
	}
}

func TestParseURI_RejectsBadInput(t *testing.T) {
	for _, in := range []string{
		"", "alice@atlanta.com", "sip:", "sip:alice@", "sip:@host", "sip:alice@host:0",
		"sip:alice@host:99999", "sip:alice@host:", "sip:al ice@host", "sip:alice@ho st",
		"sip:100\r\nX-Evil: 1@host", "sip:100@host\r\nX-Evil: 1", "sip:[::1", "sip:[zz]",
		"sip:a%2@host", "sip:a%zz@host", "sip:host;=x", "sip:host;a=<b>", "tel:", "tel:12 34",
		"1sip:host", "sip:alice@host>", "sip:host?a=\"b\"",
	} {
		t.Run(strings.ReplaceAll(in, "\r\n", "CRLF"), func(t *testing.T) {
			_, err := ParseURI(in)
			require.Error(t, err)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
		})
	}
}

func TestParseURI_TooLongIsRefused(t *testing.T) {
	_, err := ParseURI("sip:" + strings.Repeat("a", MaxURILen) + "@host")
	require.ErrorIs(t, err, ErrTooLarge)
}

// The examples of RFC 3261 §19.1.4.
func TestURIEqual_RFC3261Examples(t *testing.T) {
	equal := [][2]string{
		{"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
		{"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
		{"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
			"sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
		{"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
			"sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
		{"tel:+1-201-555-0123", "tel:+12015550123"},
	}
	notEqual := [][2]string{
		{"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
		{"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
		{"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"},
		{"sip:alice@atlanta.com", "sips:alice@atlanta.com"},
	}
	for _, p := range equal {
		a, b := mustURI(t, p[0]), mustURI(t, p[1])
		assert.True(t, a.Equal(&b), "%s == %s", p[0], p[1])
		assert.True(t, b.Equal(&a), "%s == %s", p[1], p[0])
	}
	for _, p := range notEqual {
		a, b := mustURI(t, p[0]), mustURI(t, p[1])
		assert.False(t, a.Equal(&b), "%s != %s", p[0], p[1])
		assert.False(t, b.Equal(&a), "%s != %s", p[1], p[0])
	}
}

func mustURI(t *testing.T, s string) URI {
	t.Helper()
	u, err := ParseURI(s)
	require.NoError(t, err, s)
	return u
}

func TestURIString_EscapesWhatNeedsIt(t *testing.T) {
	u := URI{Scheme: "sip", User: "a b@c", Password: "p:w", Host: "example.com", Port: 5060,
		Params:  Params{{Name: "transport", Value: "ws"}, {Name: "lr"}},
		Headers: Params{{Name: "Subject", Value: "hi there"}}}
	assert.Equal(t, "sip:a%20b%40c:p%3Aw@example.com:5060;transport=ws;lr?Subject=hi%20there", u.String())
}

func TestURIString_NeverWritesCRLF(t *testing.T) {
	u := URI{Scheme: "sip", User: "100\r\nX-Evil: 1", Host: "ho\r\nst",
		Params: Params{{Name: "a\r\n", Value: "b\nc"}}, Headers: Params{{Name: "h", Value: "\r\n"}}}
	s := u.String()
	assert.NotContains(t, s, "\r")
	assert.NotContains(t, s, "\n")
}

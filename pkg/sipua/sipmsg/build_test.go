package sipmsg

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testSpec(t *testing.T) RequestSpec {
	t.Helper()
	target := mustURI(t, "sip:201@pbx.example.com")
	return RequestSpec{
		Method:  INVITE,
		URI:     target,
		Via:     Via{Host: "h7k2m9q4x1ve.invalid", Params: Params{{Name: "rport"}}},
		From:    Address{DisplayName: "Alice", URI: mustURI(t, "sip:200@pbx.example.com")},
		To:      Address{URI: target},
		CSeq:    10,
		Contact: &Address{URI: mustURI(t, "sip:q8r3@h7k2m9q4x1ve.invalid;transport=ws;ob")},
		Routes:  []Address{{URI: mustURI(t, "sip:proxy.example.com;lr")}},
		Body:    []byte("v=0\r\n"), ContentType: "application/sdp",
	}
}

func TestBuildRequest_FillsWhatRFC3261Requires(t *testing.T) {
	m, err := BuildRequest(testSpec(t))
	require.NoError(t, err)
	require.NoError(t, m.Validate())

	via, err := m.TopVia()
	require.NoError(t, err)
	assert.Equal(t, "WSS", via.Transport)
	assert.True(t, strings.HasPrefix(via.Branch(), BranchMagic))
	assert.Len(t, via.Branch(), len(BranchMagic)+16)
	assert.Len(t, m.FromTag(), 12)
	assert.Empty(t, m.ToTag())
	assert.NotEmpty(t, m.CallID())
	cseq, err := m.CSeq()
	require.NoError(t, err)
	assert.Equal(t, CSeq{10, INVITE}, cseq)
	mf, err := m.MaxForwards()
	require.NoError(t, err)
	assert.Equal(t, 70, mf)
	assert.Equal(t, "<sip:proxy.example.com;lr>", m.Get(HdrRoute))

	// What is written parses back to the same message.
	wire, err := m.Bytes()
	require.NoError(t, err)
	back, err := Parse(wire)
	require.NoError(t, err)
	assert.Equal(t, m.Headers()[:len(m.Headers())], back.Headers()[:len(m.Headers())])
	assert.Equal(t, "5", back.Get(HdrContentLength))
	assert.Equal(t, "v=0\r\n", string(back.Body))
}

func TestBuildRequest_FreshIdentifiersEachTime(t *testing.T) {
	a, err := BuildRequest(testSpec(t))
	require.NoError(t, err)
	b, err := BuildRequest(testSpec(t))
	require.NoError(t, err)
	va, _ := a.TopVia()
	vb, _ := b.TopVia()
	assert.NotEqual(t, va.Branch(), vb.Branch())
	assert.NotEqual(t, a.FromTag(), b.FromTag())
	assert.NotEqual(t, a.CallID(), b.CallID())
}

func TestBuildRequest_RefusesInjectedValues(t *testing.T) {
	mutations := map[string]func(*RequestSpec){
		"display name": func(s *RequestSpec) { s.From.DisplayName = "x\r\nX-Evil: 1" },
		"to param":     func(s *RequestSpec) { s.To.Params = Params{{Name: "tag", Value: "1\nX-Evil: 1"}} },
		"call-id":      func(s *RequestSpec) { s.CallID = "abc\r\nX-Evil: 1" },
		"content type": func(s *RequestSpec) { s.ContentType = "text/plain\r\nX-Evil: 1" },
		"method":       func(s *RequestSpec) { s.Method = "INVITE sip:x SIP/2.0\r\n" },
		"via param":    func(s *RequestSpec) { s.Via.Params = Params{{Name: "x", Value: "\n"}} },
		"route":        func(s *RequestSpec) { s.Routes[0].Params = Params{{Name: "\r\n"}} },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			spec := testSpec(t)
			mutate(&spec)
			m, err := BuildRequest(spec)
			require.ErrorIs(t, err, ErrUnsafeValue)
			assert.Nil(t, m)
		})
	}
}

func TestHeaderEditing(t *testing.T) {
	m := &Message{Method: OPTIONS, RequestURI: URI{Scheme: "sip", Host: "x"}}
	require.NoError(t, m.Add("Route", "<sip:a;lr>"))
	require.NoError(t, m.Add("X-Foo", "1"))
	require.NoError(t, m.Add("route", "<sip:b;lr>"))
	require.NoError(t, m.Prepend("Route", "<sip:first;lr>"))
	require.NoError(t, m.Prepend("v", "SIP/2.0/WSS h.invalid;branch=z9hG4bKx"))
	assert.Equal(t, []Header{{"Via", "SIP/2.0/WSS h.invalid;branch=z9hG4bKx"}, {"Route", "<sip:first;lr>"},
		{"Route", "<sip:a;lr>"}, {"Route", "<sip:b;lr>"}, {"X-Foo", "1"}}, m.Headers())
	require.NoError(t, m.Set("Route", "<sip:only;lr>"))
	assert.Equal(t, []string{"<sip:only;lr>"}, m.Values("Route"))
	assert.Equal(t, 1, indexOf(m, "Route"))
	m.Del("x-foo")
	assert.False(t, m.Has("X-Foo"))
	require.NoError(t, m.Set("X-New", "  padded  "))
	assert.Equal(t, "padded", m.Get("X-New"))

	for _, bad := range [][2]string{{"X-Evil", "1\r\nX-Other: 2"}, {"X-Evil", "a\nb"}, {"X-Evil", "nul\x00"},
		{"Bad Name", "1"}, {"", "1"}, {"X:Y", "1"}} {
		before := len(m.Headers())
		assert.ErrorIs(t, m.Add(bad[0], bad[1]), ErrUnsafeValue, bad)
		assert.ErrorIs(t, m.Set(bad[0], bad[1]), ErrUnsafeValue, bad)
		assert.ErrorIs(t, m.Prepend(bad[0], bad[1]), ErrUnsafeValue, bad)
		assert.Len(t, m.Headers(), before, "nothing is lost or added on refusal")
	}
}

func indexOf(m *Message, name string) int {
	for i, h := range m.Headers() {
		if h.Name == name {
			return i
		}
	}
	return -1
}

func TestSerialize_RefusesUnsafeStartLine(t *testing.T) {
	m := &Message{Method: "INVITE\r\n", RequestURI: URI{Scheme: "sip", Host: "x"}}
	_, err := m.Bytes()
	require.ErrorIs(t, err, ErrUnsafeValue)
	r := &Message{StatusCode: 200, Reason: "OK\r\nX-Evil: 1"}
	_, err = r.Bytes()
	require.ErrorIs(t, err, ErrUnsafeValue)
	assert.Contains(t, r.String(), "invalid SIP message")
}

func TestNewResponse_CopiesWhatRFC3261Requires(t *testing.T) {
	req, err := Parse(loadTestdata(t, "webrtc-invite.sip"))
	require.NoError(t, err)
	require.NoError(t, req.Prepend(HdrVia, "SIP/2.0/WSS proxy.example.com;branch=z9hG4bKproxy"))
	require.NoError(t, req.Add(HdrRecordRoute, "<sip:proxy.example.com;lr>"))

	trying, err := NewResponse(req, 100, "")
	require.NoError(t, err)
	assert.Equal(t, "Trying", trying.Reason)
	assert.Empty(t, trying.ToTag(), "100 Trying carries no To tag")
	assert.False(t, trying.Has(HdrRecordRoute))

	ok, err := NewResponse(req, 200, "")
	require.NoError(t, err)
	require.NoError(t, ok.Validate())
	assert.Equal(t, req.Values(HdrVia), ok.Values(HdrVia))
	assert.Equal(t, req.CallID(), ok.CallID())
	assert.Equal(t, req.Get(HdrCSeq), ok.Get(HdrCSeq))
	assert.Equal(t, req.Get(HdrFrom), ok.Get(HdrFrom))
	assert.Len(t, ok.ToTag(), 12)
	assert.Equal(t, []string{"<sip:proxy.example.com;lr>"}, ok.Values(HdrRecordRoute))
	assert.Nil(t, ok.Body)

	require.NoError(t, ok.SetToTag("dialogtag"))
	assert.Equal(t, "dialogtag", ok.ToTag())

	busy, err := NewResponse(req, 486, "")
	require.NoError(t, err)
	assert.Equal(t, "Busy Here", busy.Reason)
	assert.False(t, busy.Has(HdrRecordRoute))

	// A request that already has a To tag keeps it.
	require.NoError(t, req.Set(HdrTo, "<sip:201@pbx.example.com>;tag=existing"))
	inDialog, err := NewResponse(req, 200, "")
	require.NoError(t, err)
	assert.Equal(t, "existing", inDialog.ToTag())

	_, err = NewResponse(req, 99, "")
	require.Error(t, err)
	_, err = NewResponse(req, 200, "OK\r\nX: 1")
	require.ErrorIs(t, err, ErrUnsafeValue)
}

func TestParseTarget(t *testing.T) {
	tests := map[string]string{
		"100":                         "sip:100@pbx.example.com",
		" 201 ":                       "sip:201@pbx.example.com",
		"+44 (20) 7946-0018":          "sip:+442079460018@pbx.example.com",
		"tel:+1-201-555-0123":         "sip:+12015550123@pbx.example.com",
		"sip:bob@biloxi.example.com":  "sip:bob@biloxi.example.com",
		"SIPS:bob@biloxi.example.com": "sips:bob@biloxi.example.com",
		"alice@other.example.com":     "sip:alice@other.example.com",
		"*52":                         "sip:*52@pbx.example.com",
	}
	for in, want := range tests {
		u, err := ParseTarget(in, "pbx.example.com")
		require.NoError(t, err, in)
		assert.Equal(t, want, u.String(), in)
	}
	for _, bad := range []string{"", "   ", "100\r\nX-Evil: 1", "100\nX", "sip:100@host\r\nX-Evil: 1",
		"a<b", "sip:", "100;x", "100?x", "@host", "\x00"} {
		_, err := ParseTarget(bad, "pbx.example.com")
		assert.Error(t, err, "%q", bad)
	}
}

package sipmsg

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// torture is one entry of testdata/rfc4475/manifest.json: the values a
// correct parser reports for each RFC 4475 message.
type torture struct {
	File          string `json:"file"`
	Tag           string `json:"tag"`
	Valid         bool   `json:"valid"`
	Method        string `json:"method"`
	RequestURI    string `json:"requestURI"`
	Status        int64  `json:"status"`
	Reason        string `json:"reason"`
	CallID        string `json:"callID"`
	CSeq          string `json:"cseq"`
	CSeqMethod    string `json:"cseqMethod"`
	ContentLength int    `json:"contentLength"`
	BodyLength    int    `json:"bodyLength"`
	ViaCount      *int   `json:"viaCount"`
	Expect        string `json:"expect"`
}

func loadTorture(t *testing.T) map[string]torture {
	t.Helper()
	raw, err := os.ReadFile("testdata/rfc4475/manifest.json")
	require.NoError(t, err)
	var list []torture
	require.NoError(t, json.Unmarshal(raw, &list))
	require.Len(t, list, 32, "13 valid and 19 invalid messages")
	out := make(map[string]torture, len(list))
	for _, m := range list {
		out[m.Tag] = m
	}
	return out
}

func parseTorture(t *testing.T, tt torture) (*Message, error) {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc4475/" + tt.File)
	require.NoError(t, err)
	return Parse(data)
}

// RFC 4475 §3.1.1: every valid message parses, passes Validate and reports
// the values the RFC describes.
func TestRFC4475_ValidMessages(t *testing.T) {
	all := loadTorture(t)
	checks := map[string]func(t *testing.T, m *Message){
		"wsinv": func(t *testing.T, m *Message) {
			to, err := m.To()
			require.NoError(t, err)
			assert.Equal(t, "sip:vivekg@chair-dnrc.example.com", to.URI.String())
			assert.Equal(t, "1918181833n", to.Tag())
			from, err := m.From()
			require.NoError(t, err)
			assert.Equal(t, `J Rosenberg \"`, from.DisplayName)
			assert.Equal(t, "98asjd8", from.Tag())
			mf, err := m.MaxForwards()
			require.NoError(t, err)
			assert.Equal(t, 68, mf)
			vias, err := m.Vias()
			require.NoError(t, err)
			assert.Equal(t, []string{"390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"},
				[]string{vias[0].Branch(), vias[1].Branch(), vias[2].Branch()})
			assert.Equal(t, []string{"UDP", "TCP", "UDP"}, []string{vias[0].Transport, vias[1].Transport, vias[2].Transport})
			assert.Equal(t, "spindle.example.com", vias[1].Host)
			c, err := m.Contacts()
			require.NoError(t, err)
			require.Len(t, c, 1)
			assert.Equal(t, `Quoted string ""`, c[0].DisplayName)
			assert.Equal(t, Params{{Name: "newparam", Value: "newvalue"}, {Name: "secondparam"}, {Name: "q", Value: "0.33"}}, c[0].Params)
			assert.Equal(t, ";;,,;;,;", m.Get("UnknownHeaderWithUnusualValue"))
			assert.Equal(t, "newfangled value continued newfangled value", m.Get("NewFangledHeader"))
			assert.True(t, m.Has("Subject"))
			assert.Equal(t, "", m.Get("Subject"))
			r, err := m.Routes()
			require.NoError(t, err)
			assert.True(t, r[0].URI.Params.Has("unknown-no-value"))
			assert.True(t, m.RequestURI.Params.Has("unknownparam"))
		},
		"intmeth": func(t *testing.T, m *Message) {
			assert.Equal(t, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", m.RequestURI.User)
			assert.Equal(t, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", m.RequestURI.Password)
			assert.Equal(t, "example.com", m.RequestURI.Host)
			to, err := m.To()
			require.NoError(t, err)
			assert.Equal(t, "BEL:\x07 NUL:\x00 DEL:\x7f", to.DisplayName)
			assert.Equal(t, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", to.URI.User)
			from, err := m.From()
			require.NoError(t, err)
			assert.Equal(t, "token1~` token2'+_ token3*%!.-", from.DisplayName)
			v, ok := from.Params.Get("fromParam''~+*_!.-%")
			require.True(t, ok)
			assert.Equal(t, "работающий", v)
			assert.Equal(t, "_token~1'+`*%!-.", from.Tag())
			assert.Equal(t, "\xef\xbb\xbf大停電", m.Get("extensionHeader-!.%*+_`'~"))
			via, err := m.TopVia()
			require.NoError(t, err)
			assert.Equal(t, "z9hG4bK-.!%66*_+`'~", via.Branch())
		},
		"esc01": func(t *testing.T, m *Message) {
			assert.Equal(t, "sips:user@example.com", m.RequestURI.User)
			assert.Equal(t, "example.net", m.RequestURI.Host)
			to, _ := m.To()
			assert.Equal(t, "user", to.URI.User)
			from, _ := m.From()
			assert.Equal(t, "I have spaces", from.URI.User)
			c, err := m.Contacts()
			require.NoError(t, err)
			require.Len(t, c, 1)
			assert.Equal(t, "caller", c[0].URI.User)
			assert.True(t, c[0].URI.Params.Has("lr"))
			v, _ := c[0].URI.Params.Get("name")
			assert.Equal(t, "value%41", v, "unescaped once only")
			ct, err := m.ContentType()
			require.NoError(t, err)
			assert.True(t, ct.Is("application", "sdp"))
		},
		"escnull": func(t *testing.T, m *Message) {
			to, _ := m.To()
			assert.Equal(t, "null-\x00-null", to.URI.User)
			from, _ := m.From()
			assert.Equal(t, "null-\x00-null", from.URI.User)
			c, err := m.Contacts()
			require.NoError(t, err)
			require.Len(t, c, 2)
			assert.Equal(t, "\x00", c[0].URI.User)
			assert.Equal(t, "\x00\x00", c[1].URI.User)
			assert.False(t, c[0].URI.Equal(&c[1].URI))
		},
		"esc02": func(t *testing.T, m *Message) {
			assert.NotEqual(t, REGISTER, m.Method)
			to, _ := m.To()
			assert.Equal(t, "%Z%45", to.DisplayName)
			c, err := m.Contacts()
			require.NoError(t, err)
			require.Len(t, c, 2)
			assert.Equal(t, "<sip:alias2@host2.example.com>", m.Get("C%6Fntact"))
			via, _ := m.TopVia()
			assert.Equal(t, "z9hG4bK209%fzsnel234", via.Branch())
		},
		"lwsdisp": func(t *testing.T, m *Message) {
			from, err := m.From()
			require.NoError(t, err)
			assert.Equal(t, "caller", from.DisplayName)
			assert.Equal(t, "323", from.Tag())
		},
		"longreq": func(t *testing.T, m *Message) {
			assert.Len(t, m.CallID(), 141)
			to, err := m.To()
			require.NoError(t, err)
			assert.Equal(t, "I have a user name of "+strings.Repeat("extreme", 10)+" proportion", to.DisplayName)
			assert.Equal(t, 6000, to.URI.Port)
			v, ok := to.URI.Params.Get("longparam" + strings.Repeat("name", 25))
			require.True(t, ok)
			assert.Equal(t, "shortvalue", v)
			from, err := m.From()
			require.NoError(t, err)
			assert.Equal(t, strings.Repeat("amazinglylongcallername", 5), from.URI.User)
			assert.Equal(t, "12"+strings.Repeat("982", 50)+"424", from.Tag())
			assert.Len(t, m.Get("Unknown-"+strings.Repeat("Long", 20)+"-Name"), 306)
			vias, err := m.Vias()
			require.NoError(t, err)
			assert.Equal(t, "sip33.example.com", vias[0].Host)
			last := vias[len(vias)-1]
			assert.Equal(t, "very"+strings.Repeat("long", 50)+"branchvalue", last.Branch())
			assert.Equal(t, "192.0.2.5", last.Received())
			c, err := m.Contacts()
			require.NoError(t, err)
			assert.Equal(t, strings.Repeat("amazinglylongcallername", 5), c[0].URI.User)
		},
		"dblreq": func(t *testing.T, m *Message) {
			assert.Empty(t, m.Body, "the junk after Content-Length 0 is not the body")
		},
		"semiuri": func(t *testing.T, m *Message) {
			assert.Equal(t, "user;par=u@example.net", m.RequestURI.User)
			assert.Equal(t, "example.com", m.RequestURI.Host)
			assert.Empty(t, m.RequestURI.Params)
			assert.Len(t, m.Values("Accept"), 6)
		},
		"transports": func(t *testing.T, m *Message) {
			vias, err := m.Vias()
			require.NoError(t, err)
			got := make([]string, len(vias))
			for i := range vias {
				got[i] = vias[i].Transport
			}
			assert.Equal(t, []string{"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"}, got)
		},
		"mpart01": func(t *testing.T, m *Message) {
			ct, err := m.ContentType()
			require.NoError(t, err)
			assert.True(t, ct.Is("multipart", "mixed"))
			b, _ := ct.Params.Get("boundary")
			assert.Equal(t, "7a9cbec02ceef655", b)
			assert.Len(t, m.Get("Identity"), 172, "172 base64 characters")
			assert.Contains(t, string(m.Body), "\x00")
		},
		"unreason": func(t *testing.T, m *Message) {
			assert.Equal(t, "= 2**3 * 5**2 но сто девяносто девять - простое", m.Reason)
		},
		"noreason": func(t *testing.T, m *Message) {
			assert.Equal(t, "", m.Reason)
		},
	}
	for tag, check := range checks {
		tt, ok := all[tag]
		require.True(t, ok, tag)
		t.Run(tt.File, func(t *testing.T) {
			require.True(t, tt.Valid)
			m, err := parseTorture(t, tt)
			require.NoError(t, err)
			require.NoError(t, m.Validate())
			if tt.Status != 0 {
				assert.EqualValues(t, tt.Status, m.StatusCode)
			} else {
				assert.Equal(t, tt.Method, m.Method)
				want := mustURI(t, tt.RequestURI)
				assert.True(t, m.RequestURI.Equal(&want), "%s != %s", m.RequestURI.String(), tt.RequestURI)
			}
			assert.Equal(t, tt.CallID, m.CallID())
			cseq, err := m.CSeq()
			require.NoError(t, err)
			n, _ := strconv.Atoi(tt.CSeq)
			assert.EqualValues(t, n, cseq.Seq)
			assert.Equal(t, tt.CSeqMethod, cseq.Method)
			assert.Len(t, m.Body, tt.ContentLength)
			if tt.ViaCount != nil {
				vias, err := m.Vias()
				require.NoError(t, err)
				assert.Len(t, vias, *tt.ViaCount)
			}
			check(t, m)

			// What we write parses back to the same message.
			wire, err := m.Bytes()
			require.NoError(t, err)
			again, err := Parse(wire)
			require.NoError(t, err)
			require.NoError(t, again.Validate())
			assert.Equal(t, withoutLength(m.Headers()), withoutLength(again.Headers()))
			assert.Equal(t, m.Body, again.Body)
		})
	}
	assert.Len(t, checks, 13, "every valid message has its checks")
}

// RFC 4475 §3.1.2: every invalid message is refused at the layer that can
// tell (the parser, Validate, or the typed accessor of the broken header),
// or tolerated where the RFC allows it, always the same way.
func TestRFC4475_InvalidMessages(t *testing.T) {
	all := loadTorture(t)
	type stage int
	const (
		atParse stage = iota
		atValidate
		atAccessor
		tolerated
	)
	cases := map[string]struct {
		stage    stage
		accessor func(m *Message) error
		contains string
	}{
		"badinv01":   {stage: atValidate, contains: "empty parameter name"},
		"clerr":      {stage: atParse, contains: "exceeds"},
		"ncl":        {stage: atParse, contains: "Content-Length"},
		"scalar02":   {stage: atValidate, contains: "CSeq"},
		"scalarlg":   {stage: atValidate, contains: "CSeq"},
		"quotbal":    {stage: atValidate, contains: "unterminated"},
		"ltgtruri":   {stage: atParse, contains: "scheme"},
		"lwsruri":    {stage: atParse, contains: "whitespace in Request-URI"},
		"lwsstart":   {stage: atParse, contains: "whitespace in Request-URI"},
		"trws":       {stage: atParse, contains: "SIP version"},
		"escruri":    {stage: atValidate, contains: "Request-URI with headers"},
		"baddate":    {stage: tolerated}, // the Date header is not interpreted
		"regbadct":   {stage: atAccessor, accessor: func(m *Message) error { _, err := m.Contacts(); return err }, contains: "enclosed in <>"},
		"badaspec":   {stage: atValidate, contains: "scheme"},
		"baddn":      {stage: atValidate, contains: "display name"},
		"badvers":    {stage: atValidate, contains: "version"},
		"mismatch01": {stage: atValidate, contains: "does not match"},
		"mismatch02": {stage: atValidate, contains: "does not match"},
		"bigcode":    {stage: atParse, contains: "status code"},
	}
	for tag, c := range cases {
		tt, ok := all[tag]
		require.True(t, ok, tag)
		t.Run(tt.File, func(t *testing.T) {
			require.False(t, tt.Valid)
			m, err := parseTorture(t, tt)
			if c.stage == atParse {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.contains)
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				return
			}
			require.NoError(t, err)
			verr := m.Validate()
			switch c.stage {
			case atValidate:
				require.Error(t, verr)
				assert.Contains(t, verr.Error(), c.contains)
			case atAccessor:
				require.NoError(t, verr)
				aerr := c.accessor(m)
				require.Error(t, aerr)
				assert.Contains(t, aerr.Error(), c.contains)
			case tolerated:
				require.NoError(t, verr)
			}
		})
	}
	assert.Len(t, cases, 19, "every invalid message has a decision")
	_, err := parseTorture(t, all["badvers"])
	require.NoError(t, err)
	m, _ := parseTorture(t, all["badvers"])
	require.ErrorIs(t, m.Validate(), ErrVersion, "badvers is answered with 505")
}

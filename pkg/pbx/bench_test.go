package pbx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// cannedTransport answers every request with the same body.
type cannedTransport struct {
	status int
	body   []byte
}

func (c *cannedTransport) Do(ctx context.Context, req *Request) (*Response, error) {
	return &Response{StatusCode: c.status, Status: "200 OK", URL: req.URL,
		Header: Header{"Content-Type": {"application/json"}, "X-Ratelimit-Remaining": {"1000"}},
		Body:   io.NopCloser(bytes.NewReader(c.body))}, nil
}

// phonebookPage returns a list body of n phone book entries.
func phonebookPage(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"totalItems":%d,"pageSize":%d,"page":1,"nextPage":"https://pbx.sipcentric.com/api/v1/customers/1001/phonebook/?page=2&pageSize=200","items":[`, n*3, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"phonebookentry","id":"%d","uri":"https://pbx.sipcentric.com/api/v1/customers/1001/phonebook/%d","created":"2012-09-26T13:47:28Z","parent":"https://pbx.sipcentric.com/api/v1/customers/1001","name":"Contact number %d","phoneNumber":"0121 496 %04d","email":"contact%d@example.com","speedDial":%d,"priority":1}`, 1000+i, 1000+i, i, i, i, i%100)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// BenchmarkList_200Items decodes a 200-item page into representations.
func BenchmarkList_200Items(b *testing.B) {
	body := phonebookPage(200)
	c, err := New(Options{Username: "u", Password: "p", Transport: &cannedTransport{status: 200, body: body}})
	if err != nil {
		b.Fatal(err)
	}
	coll := &Collection{client: c, spec: childSpec{Name: "phonebook", Kind: KindPhonebookEntry}, path: "customers/1001/phonebook/"}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := coll.List(context.Background(), nil)
		if err != nil || len(p.Items) != 200 {
			b.Fatal(err, len(p.Items))
		}
	}
}

func TestCanonicalKey_MatchesNetHTTP(t *testing.T) {
	for in, want := range map[string]string{
		"x-ratelimit-limit": "X-Ratelimit-Limit", "CONTENT-TYPE": "Content-Type",
		"Accept": "Accept", "x-partner-id": "X-Partner-Id", "a": "A", "": "",
		"bad key": "bad key", "www-authenticate": "Www-Authenticate",
	} {
		if got := canonicalKey(in); got != want {
			t.Errorf("canonicalKey(%q) = %q, want %q", in, got, want)
		}
	}
	h := Header{}
	h.Add("x-a", "1")
	h.Add("X-A", "2")
	if got := h.Values("X-a"); len(got) != 2 || h.Get("x-A") != "1" {
		t.Errorf("Header = %v", h)
	}
}

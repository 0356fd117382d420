package restapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePage(t *testing.T) {
	p, err := ParsePage(url.Values{})
	require.NoError(t, err)
	assert.Equal(t, Page{Number: 1, Size: DefaultPageSize}, p)
	p, err = ParsePage(url.Values{"page": {"3"}, "pageSize": {"200"}})
	require.NoError(t, err)
	assert.Equal(t, Page{Number: 3, Size: 200}, p)
	for _, q := range []string{"pageSize=0", "pageSize=201", "pageSize=abc", "pageSize=", "page=0", "page=-1", "page=x"} {
		v, _ := url.ParseQuery(q)
		_, err := ParsePage(v)
		assert.Error(t, err, q)
	}
	_, err = ParsePage(url.Values{"pageSize": {"0"}})
	assert.EqualError(t, err, `pageSize must be an integer from 1 to 200, got "0"`)
}

func TestPage_Last(t *testing.T) {
	assert.Equal(t, 1, Page{Size: 5}.Last(0))
	assert.Equal(t, 1, Page{Size: 5}.Last(5))
	assert.Equal(t, 2, Page{Size: 5}.Last(6))
}

// listBody answers a list of n items with page p and decodes the body.
func listBody(t *testing.T, p Page, n int) map[string]any {
	t.Helper()
	items := make([]int, n)
	for i := range items {
		items[i] = i + 1
	}
	link := func(number int) string { return "page " + strconv.Itoa(number) }
	rep := ListReply(p, items, func(i int) any { return i }, link)
	require.Equal(t, http.StatusOK, rep.Status)
	var body map[string]any
	require.NoError(t, json.Unmarshal(rep.Body, &body))
	return body
}

func TestListReply_Pages(t *testing.T) {
	for _, tc := range []struct {
		page       Page
		n          int
		items      []any
		prev, next string
	}{
		{Page{1, 5}, 12, []any{1.0, 2.0, 3.0, 4.0, 5.0}, "", "page 2"},
		{Page{2, 5}, 12, []any{6.0, 7.0, 8.0, 9.0, 10.0}, "page 1", "page 3"},
		{Page{3, 5}, 12, []any{11.0, 12.0}, "page 2", ""},
		{Page{9, 5}, 12, []any{}, "page 8", ""},
		{Page{1, 20}, 0, []any{}, "", ""},
	} {
		t.Run(fmt.Sprintf("page %d of %d", tc.page.Number, tc.n), func(t *testing.T) {
			body := listBody(t, tc.page, tc.n)
			assert.Equal(t, float64(tc.n), body["totalItems"])
			assert.Equal(t, float64(tc.page.Size), body["pageSize"])
			assert.Equal(t, float64(tc.page.Number), body["page"])
			assert.Equal(t, tc.items, body["items"])
			for key, want := range map[string]string{"prevPage": tc.prev, "nextPage": tc.next} {
				if want == "" {
					assert.NotContains(t, body, key)
				} else {
					assert.Equal(t, want, body[key], key)
				}
			}
		})
	}
}

func TestPageURL_KeepsOtherParameters(t *testing.T) {
	q := url.Values{"type": {"phone"}, "note": {"a b&c="}, "_method": {"PUT"}, "tokenid": {"t"}, "page": {"1"}}
	u, err := url.Parse(PageURL("http://pbx.test/api/v1/customers/1001/endpoints", q, 2, 5, "tokenid"))
	require.NoError(t, err)
	assert.Equal(t, "/api/v1/customers/1001/endpoints", u.Path)
	assert.Equal(t, url.Values{"type": {"phone"}, "note": {"a b&c="}, "page": {"2"}, "pageSize": {"5"}}, u.Query())

	assert.Equal(t, "http://pbx.test/api/v1/x/?page=3&pageSize=20&tokenid=t",
		PageURL("http://pbx.test/api/v1/x/", url.Values{"tokenid": {"t"}}, 3, 20))
}

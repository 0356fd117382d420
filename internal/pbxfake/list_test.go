package pbxfake

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPagination(t *testing.T) {
	h := newHarness(t)
	r := h.get("/customers/1001/phonebook/")
	body := r.obj(t)
	assert.Equal(t, 23.0, body["totalItems"])
	assert.Equal(t, 20.0, body["pageSize"])
	assert.Equal(t, 1.0, body["page"])
	assert.NotContains(t, body, "prevPage")
	assert.Len(t, r.items(t), 20)
	assert.Equal(t, h.base+"/customers/1001/phonebook?page=2&pageSize=20", body["nextPage"])

	// Walk every page by nextPage; prevPage walks back.
	var ids []string
	next := h.base + "/customers/1001/phonebook/?pageSize=5"
	pages := 0
	for next != "" {
		r := h.get(next)
		require.Equal(t, http.StatusOK, r.status)
		b := r.obj(t)
		for _, it := range r.items(t) {
			ids = append(ids, it["id"].(string))
		}
		pages++
		assert.Equal(t, float64(pages), b["page"])
		if pages > 1 {
			prev := h.get(b["prevPage"].(string)).obj(t)
			assert.Equal(t, float64(pages-1), prev["page"])
		}
		next, _ = b["nextPage"].(string)
	}
	assert.Equal(t, 5, pages)
	assert.Len(t, ids, 23)
	assert.Equal(t, "6101", ids[0])
	assert.Equal(t, "6123", ids[22])

	// Other parameters survive, encoded.
	b := h.get("/customers/1001/endpoints/?type=phone&pageSize=2&note=a%20b%26c%3D").obj(t)
	next = b["nextPage"].(string)
	u, err := url.Parse(next)
	require.NoError(t, err)
	assert.Equal(t, h.srv.URL, u.Scheme+"://"+u.Host)
	assert.Equal(t, "/api/v1/customers/1001/endpoints", u.Path)
	assert.Equal(t, url.Values{"type": {"phone"}, "pageSize": {"2"}, "page": {"2"}, "note": {"a b&c="}}, u.Query())
	assert.Equal(t, 3.0, b["totalItems"])
	last := h.get(next).obj(t)
	assert.NotContains(t, last, "nextPage")
	assert.Len(t, last["items"], 1)

	// Beyond the end: empty items.
	r = h.get("/customers/1001/phonebook/?page=9")
	require.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.items(t))

	// Reseller: 25 customers over several pages.
	b = h.req(http.MethodGet, "/customers/?pageSize=10&page=3", "reseller", "").obj(t)
	assert.Equal(t, 25.0, b["totalItems"])
	assert.Len(t, b["items"], 5)
	assert.Equal(t, "1021", b["items"].([]any)[0].(map[string]any)["id"])
	assert.Equal(t, 200.0, h.get("/customers/1001/phonebook/?pageSize=200").obj(t)["pageSize"])
}

func TestBadPageParameters(t *testing.T) {
	h := newHarness(t)
	for _, q := range []string{"pageSize=0", "pageSize=201", "pageSize=abc", "pageSize=", "page=0", "page=-1", "page=x"} {
		r := h.get("/customers/1001/phonebook/?" + q)
		assert.Equal(t, http.StatusBadRequest, r.status, q)
		assert.Equal(t, "BAD_REQUEST", errorCode(t, r), q)
	}
}

func TestListFilters(t *testing.T) {
	h := newHarness(t)
	count := func(q string) int {
		t.Helper()
		r := h.get("/customers/1001/calls/?pageSize=200&" + q)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", q, r.body)
		return int(r.obj(t)["totalItems"].(float64))
	}
	assert.Equal(t, 12, count(""))
	assert.Equal(t, 4, count("direction=in"))
	assert.Equal(t, 8, count("direction=OUT"))
	assert.Equal(t, 9, count("includeLocal=false"))
	assert.Equal(t, 12, count("includeLocal=true"))
	assert.Equal(t, 6, count("endpointId=2001"))
	assert.Equal(t, 1, count("to=447700900555"))
	assert.Equal(t, 1, count("from=447700900555"))
	assert.Equal(t, 6, count("startedAfter=2024-03-07T00:00:00Z"))
	assert.Equal(t, 5, count("createdBefore=2024-03-07"))
	assert.Equal(t, 2, count("startedAfter=2024-03-07T00:00:00Z&createdBefore=2024-03-07T09:00:00Z"))
	for _, q := range []string{"startedAfter=yesterday", "direction=sideways", "includeLocal=maybe"} {
		assert.Equal(t, http.StatusBadRequest, h.get("/customers/1001/calls/?"+q).status, q)
	}

	call := h.get("/customers/1001/calls/7101").obj(t)
	recs := h.get(call["links"].(map[string]any)["recordings"].(string))
	require.Equal(t, http.StatusOK, recs.status)
	require.Len(t, recs.items(t), 1)
	assert.Equal(t, call["linkedId"], recs.items(t)[0]["linkedId"])
	assert.Len(t, h.get("/customers/1001/sms/?direction=in").items(t), 1)
	assert.Len(t, h.get("/customers/1001/endpoints/?type=nothing").items(t), 0)
}

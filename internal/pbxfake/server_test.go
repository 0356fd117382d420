package pbxfake

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthRequired(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/customers/", "/customers/1001/", "/customers/me/phonebook/", "/tokengenerator",
		"/stream", "/customers/1001/recordings/8101.wav", "/nothing"} {
		for _, creds := range [][2]string{{}, {"alice", "wrong"}, {"mallory", "mallory-secret"}} {
			r, err := http.NewRequest(http.MethodGet, h.base+path, nil)
			require.NoError(t, err)
			if creds[0] != "" {
				r.SetBasicAuth(creds[0], creds[1])
			}
			resp, err := http.DefaultClient.Do(r)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s %v", path, creds)
			assert.Equal(t, `Basic realm="pbx"`, resp.Header.Get("WWW-Authenticate"))
			assert.Equal(t, "1200", resp.Header.Get("X-RateLimit-Limit"))
		}
	}
	r := h.req(http.MethodGet, "/customers/", "", "")
	assert.Equal(t, "UNAUTHORIZED", errorCode(t, r))
	// X-WWW-Authenticate: false suppresses the browser's login dialog.
	r = h.req(http.MethodGet, "/customers/", "", "", "X-WWW-Authenticate", "false")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Empty(t, r.header.Get("WWW-Authenticate"))
	for _, u := range []string{"alice", "bob", "carol", "reseller", "nobody"} {
		assert.Equal(t, http.StatusOK, h.req(http.MethodGet, "/customers/", u, "").status, u)
	}
}

func TestBearerToken(t *testing.T) {
	h := newHarness(t)
	r := h.req(http.MethodPost, "/authenticate/", "carol", "", "X-WWW-Authenticate", "false")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	tok, _ := r.obj(t)["accessToken"].(string)
	require.NotEmpty(t, tok)
	r = h.req(http.MethodGet, "/customers/me/", "", "", "Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "1002", r.obj(t)["id"])
	r = h.req(http.MethodGet, "/customers/me/", "", "", "Authorization", "Bearer nope", "X-WWW-Authenticate", "false")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Empty(t, r.header.Get("WWW-Authenticate"))
	assert.Equal(t, http.StatusUnauthorized, h.req(http.MethodPost, "/authenticate", "", "").status)
}

func TestRecordingAudioAndTokens(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/customers/1001/recordings/8101.wav", "/customers/1001/sounds/10101.wav"} {
		r := h.get(path)
		require.Equal(t, http.StatusOK, r.status, path)
		assert.Equal(t, "audio/wav", r.header.Get("Content-Type"))
		assert.Equal(t, "RIFF", string(r.body[:4]))
		assert.Equal(t, "WAVE", string(r.body[8:12]))
	}
	rec := h.get("/customers/1001/recordings/8101").obj(t)
	assert.Equal(t, float64(len(h.get("/customers/1001/recordings/8101.wav").body)), rec["size"])

	tok := h.get("/tokengenerator").obj(t)
	assert.Equal(t, "authtoken", tok["type"])
	for _, k := range []string{"id", "created", "expires"} {
		assert.NotEmpty(t, tok[k], k)
	}
	url := "/customers/1001/recordings/8102.wav?tokenid=" + tok["id"].(string)
	r := h.req(http.MethodGet, url, "", "")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "audio/wav", r.header.Get("Content-Type"))
	assert.Equal(t, http.StatusUnauthorized, h.req(http.MethodGet, url, "", "").status, "tokens are single use")
	// A token opens audio only, and only the user's own.
	tok = h.get("/tokengenerator/").obj(t)
	assert.Equal(t, http.StatusUnauthorized,
		h.req(http.MethodGet, "/customers/1001/recordings/8102?tokenid="+tok["id"].(string), "", "").status)
	tok = h.req(http.MethodGet, "/tokengenerator", "carol", "").obj(t)
	assert.Equal(t, http.StatusNotFound,
		h.req(http.MethodGet, "/customers/1001/recordings/8101.wav?tokenid="+tok["id"].(string), "", "").status)
	assert.Equal(t, http.StatusNotFound, h.get("/customers/1001/recordings/9999.wav").status)
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t)
	r := h.get("/customers/")
	assert.Equal(t, "1200", r.header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "1199", r.header.Get("X-RateLimit-Remaining"))
	reset, err := strconv.Atoi(r.header.Get("X-RateLimit-Reset"))
	require.NoError(t, err)
	assert.InDelta(t, 3600, reset, 5)
	assert.Equal(t, "1198", h.get("/customers/1001/").header.Get("X-RateLimit-Remaining"))

	h.fake.SetRateLimit(3)
	for want := 2; want >= 0; want-- {
		r := h.get("/customers/1001/")
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "3", r.header.Get("X-RateLimit-Limit"))
		assert.Equal(t, strconv.Itoa(want), r.header.Get("X-RateLimit-Remaining"))
	}
	r = h.get("/customers/1001/")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "TOO_MANY_REQUESTS", errorCode(t, r))
	assert.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, http.StatusTooManyRequests, h.req(http.MethodGet, "/stream", "alice", "").status)
	// Per user.
	r = h.req(http.MethodGet, "/customers/", "bob", "")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "2", r.header.Get("X-RateLimit-Remaining"))
	h.fake.SetRateLimit(-1)
	assert.Equal(t, http.StatusOK, h.get("/customers/").status)
}

func TestRequestsAreRecorded(t *testing.T) {
	h := newHarness(t)
	h.req(http.MethodGet, "/customers/me/?x=1", "alice", `{}`, "X-Partner-Id", "p1")
	h.req(http.MethodPost, "/customers/1001/phonebook/", "alice", `{"name":"A","phoneNumber":"1"}`)
	h.req(http.MethodGet, "/customers/", "", "")
	reqs := h.fake.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/api/v1/customers/me/", reqs[0].Path)
	assert.Equal(t, "x=1", reqs[0].RawQuery)
	assert.Equal(t, "{}", string(reqs[0].Body), "a GET body is recorded")
	assert.Equal(t, "p1", reqs[0].Header.Get("X-Partner-Id"))
	assert.Equal(t, `{"name":"A","phoneNumber":"1"}`, string(reqs[1].Body))
	assert.Empty(t, reqs[2].Body)
	reqs[0].Header.Set("X-Partner-Id", "changed")
	assert.Equal(t, "p1", h.fake.Requests()[0].Header.Get("X-Partner-Id"), "Requests returns copies")
	h.fake.ResetRequests()
	assert.Empty(t, h.fake.Requests())
}

func TestCORS(t *testing.T) {
	h := newHarness(t)
	r := h.req(http.MethodOptions, "/customers/", "", "", "Origin", "http://localhost:8080",
		"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization,x-relationship-key")
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Equal(t, "http://localhost:8080", r.header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "authorization,x-relationship-key", r.header.Get("Access-Control-Allow-Headers"))
	r = h.req(http.MethodGet, "/customers/", "alice", "", "Origin", "http://localhost:8080")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "http://localhost:8080", r.header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, r.header.Get("Access-Control-Expose-Headers"), "X-RateLimit-Remaining")
}

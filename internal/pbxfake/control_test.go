package pbxfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestControlHandler(t *testing.T) {
	fake := New()
	mux := http.NewServeMux()
	mux.Handle("/_fake/", fake.ControlHandler())
	mux.Handle("/", fake)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	h := &harness{t: t, fake: fake, srv: srv, base: srv.URL + APIPrefix}
	ctl := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/_fake/"+path, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}

	s := openStream(t, h, "alice")
	waitStreams(t, h, 1)
	code, m := ctl("GET", "streams", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, 1.0, m["connections"])
	code, m = ctl("POST", "publish?customer=1001", `{"event":"smsdelivered"}`)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, 1.0, m["streams"])
	s.expect(`{"event":"smsdelivered"}`)
	code, _ = ctl("POST", "publish?customer=1001", `{"event":`)
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = ctl("POST", "streamoptions", `{"heartbeatMs":10,"newlines":true}`)
	assert.Equal(t, http.StatusOK, code)
	s.expect(Heartbeat + "\n")
	code, _ = ctl("POST", "silence?on=true", "")
	assert.Equal(t, http.StatusOK, code)
	code, m = ctl("POST", "drop", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, 1.0, m["dropped"])
	assert.Error(t, s.ended())

	code, _ = ctl("POST", "fault?path=/customers/1001/", `{"status":500,"times":1}`)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, http.StatusInternalServerError, h.get("/customers/1001/").status)
	code, _ = ctl("POST", "fault?path=/customers/1001/", `{"status":500}`)
	assert.Equal(t, http.StatusOK, code)
	code, _ = ctl("DELETE", "fault", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, http.StatusOK, h.get("/customers/1001/").status)

	code, _ = ctl("POST", "ratelimit?n=1", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, http.StatusOK, h.get("/customers/1001/").status)
	assert.Equal(t, http.StatusTooManyRequests, h.get("/customers/1001/").status)

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/_fake/requests", nil)
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	var reqs []struct{ Method, Path, RawQuery, Body string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&reqs))
	_ = resp.Body.Close()
	require.NotEmpty(t, reqs)
	assert.Equal(t, "/api/v1/stream", reqs[0].Path)
	for _, r := range reqs {
		assert.False(t, strings.HasPrefix(r.Path, "/_fake"), "control requests are not recorded")
	}

	code, _ = ctl("POST", "reset", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, fake.Requests())
	assert.Equal(t, http.StatusOK, h.get("/customers/1001/").status, "reset restores the rate limit")
	code, _ = ctl("GET", "reset", "")
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	code, _ = ctl("GET", "nothing", "")
	assert.Equal(t, http.StatusNotFound, code)
}

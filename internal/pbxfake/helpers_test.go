package pbxfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// harness is a fake behind an httptest server.
type harness struct {
	t    *testing.T
	fake *Server
	srv  *httptest.Server
	base string // srv.URL + /api/v1
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	fake := New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &harness{t: t, fake: fake, srv: srv, base: srv.URL + APIPrefix}
}

// response is a read response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as one JSON object.
func (r response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// items returns the items of a list body.
func (r response) items(t *testing.T) []map[string]any {
	t.Helper()
	var l struct{ Items []map[string]any }
	require.NoError(t, json.Unmarshal(r.body, &l), "body: %s", r.body)
	return l.Items
}

// req sends a request as user ("" for none; password user+"-secret").
// path is below /api/v1 unless it is an absolute URL. hdr holds name, value
// pairs.
func (h *harness) req(method, path, user, body string, hdr ...string) response {
	h.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = h.base + path
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, u, rd)
	require.NoError(h.t, err)
	if user != "" {
		r.SetBasicAuth(user, user+"-secret")
	}
	r.Header.Set("X-Relationship-Key", "id")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := h.srv.Client().Do(r)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// get is req GET as alice.
func (h *harness) get(path string) response {
	h.t.Helper()
	return h.req(http.MethodGet, path, "alice", "")
}

// errorCode returns the code of the first entry of an errors body.
func errorCode(t *testing.T, r response) string {
	t.Helper()
	var b struct {
		Errors []struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(r.body, &b), "body: %s", r.body)
	require.NotEmpty(t, b.Errors, "body: %s", r.body)
	return b.Errors[0].Code
}

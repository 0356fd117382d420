package restapi

import (
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoopbackOrigin(t *testing.T) {
	for origin, want := range map[string]bool{
		"http://127.0.0.1:8080":      true,
		"https://127.0.0.1":          true,
		"http://localhost:5173":      true,
		"http://LOCALHOST":           true,
		"http://[::1]:8080":          true,
		"http://127.0.0.2:80":        true,
		"http://evil.example":        false,
		"http://127.0.0.1.evil.test": false,
		"http://localhost.evil.test": false,
		"null":                       false,
		"file://":                    false,
		"ws://127.0.0.1:8080":        false,
		"http://user@127.0.0.1":      false,
		"http://10.0.0.1:8080":       false,
		"":                           false,
	} {
		assert.Equal(t, want, LoopbackOrigin(origin), origin)
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:8080":        true,
		"127.0.0.1":             true,
		"localhost:8080":        true,
		"[::1]:8080":            true,
		"[::1]":                 true,
		"rebound.evil.test":     false,
		"rebound.evil.test:80":  false,
		"127.0.0.1.nip.example": false,
		"192.168.1.10:8080":     false,
		"":                      false,
	} {
		assert.Equal(t, want, LoopbackHost(host), host)
	}
}

// The patterns accept exactly the origins LoopbackOrigin accepts on
// localhost, 127.0.0.1 and [::1].
func TestLoopbackOriginPatterns(t *testing.T) {
	matches := func(host string) bool {
		for _, p := range LoopbackOriginPatterns {
			ok, err := path.Match(p, strings.ToLower(host))
			require.NoError(t, err, p)
			if ok {
				return true
			}
		}
		return false
	}
	for host, want := range map[string]bool{
		"localhost": true, "localhost:5173": true, "127.0.0.1": true, "127.0.0.1:8080": true,
		"[::1]": true, "[::1]:8080": true,
		"evil.example": false, "127.0.0.1.evil.test": false, "localhost.evil.test:80": false, "[::2]:80": false,
	} {
		assert.Equal(t, want, matches(host), host)
	}
}

func TestLoopbackOnly_RefusesOtherHostsAndOrigins(t *testing.T) {
	h := LoopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	for _, tc := range []struct {
		host, origin string
		want         int
	}{
		{"127.0.0.1:8080", "", http.StatusNoContent},
		{"127.0.0.1:8080", "http://127.0.0.1:8080", http.StatusNoContent},
		{"localhost:8080", "http://127.0.0.1:5173", http.StatusNoContent},
		{"127.0.0.1:8080", "https://evil.example", http.StatusForbidden},
		{"127.0.0.1:8080", "null", http.StatusForbidden},
		{"rebound.evil.test:8080", "", http.StatusForbidden},
		{"rebound.evil.test:8080", "http://rebound.evil.test:8080", http.StatusForbidden},
	} {
		r := httptest.NewRequest("GET", "/api/v1/", nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		assert.Equal(t, tc.want, rec.Code, "%s from %q", tc.host, tc.origin)
		assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"))
		if tc.want == http.StatusForbidden {
			assert.Contains(t, rec.Body.String(), CodeForbidden)
		}
	}
}

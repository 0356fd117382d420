package restapi

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSegments_BelowThePrefixOnly(t *testing.T) {
	for _, tc := range []struct {
		path string
		segs []string
		ok   bool
	}{
		{"/api/v1", []string{}, true},
		{"/api/v1/", []string{}, true},
		{"/api/v1/customers/1001/", []string{"customers", "1001"}, true},
		{"/api/v1//customers//1001", []string{"customers", "1001"}, true},
		{"/api/v10/customers", nil, false},
		{"/other", nil, false},
	} {
		segs, ok := Segments(tc.path, "/api/v1")
		assert.Equal(t, tc.ok, ok, tc.path)
		if tc.ok {
			assert.Equal(t, tc.segs, segs, tc.path)
		}
	}
}

func TestBaseURL_FollowsSchemeAndHost(t *testing.T) {
	r := httptest.NewRequest("GET", "/api/v1/customers", nil)
	r.Host = "pbx.example.test:8080"
	assert.Equal(t, "http://pbx.example.test:8080/api/v1", BaseURL(r, "/api/v1"))
	r.TLS = &tls.ConnectionState{}
	assert.Equal(t, "https://pbx.example.test:8080/api/v1", BaseURL(r, "/api/v1"))
}

func TestMethod_PostOverloadsPutAndDelete(t *testing.T) {
	for _, tc := range []struct{ method, param, want string }{
		{"POST", "put", "PUT"},
		{"POST", "DELETE", "DELETE"},
		{"POST", "PATCH", "POST"},
		{"POST", "", "POST"},
		{"GET", "DELETE", "GET"},
	} {
		r := httptest.NewRequest(tc.method, "/api/v1/x", nil)
		assert.Equal(t, tc.want, Method(r, url.Values{"_method": {tc.param}}), "%s ?_method=%s", tc.method, tc.param)
	}
}

func TestRelationshipIDs(t *testing.T) {
	r := httptest.NewRequest("GET", "/api/v1/x", nil)
	assert.False(t, RelationshipIDs(r))
	r.Header.Set("X-Relationship-Key", "ID")
	assert.True(t, RelationshipIDs(r))
}

func TestBearerToken(t *testing.T) {
	for _, tc := range []struct {
		header, token string
		ok            bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer  abc ", "abc", true},
		{"Basic YTpi", "", false},
		{"Bearer", "", false},
		{"", "", false},
	} {
		r := httptest.NewRequest("GET", "/api/v1/x", nil)
		r.Header.Set("Authorization", tc.header)
		tok, ok := BearerToken(r)
		assert.Equal(t, tc.ok, ok, tc.header)
		assert.Equal(t, tc.token, tok, tc.header)
	}
}

func TestNewToken_IsRandomHex(t *testing.T) {
	a, b := NewToken(16), NewToken(16)
	assert.Regexp(t, `^[0-9a-f]{32}$`, a)
	assert.NotEqual(t, a, b)
}

func TestCORS(t *testing.T) {
	t.Run("NoOrigin", func(t *testing.T) {
		rec := httptest.NewRecorder()
		assert.False(t, CORS(rec, httptest.NewRequest("GET", "/api/v1/x", nil)))
		assert.Empty(t, rec.Header())
	})
	t.Run("SimpleRequest", func(t *testing.T) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/api/v1/x", nil)
		r.Header.Set("Origin", "http://app.test")
		assert.False(t, CORS(rec, r))
		assert.Equal(t, "http://app.test", rec.Header().Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "true", rec.Header().Get("Access-Control-Allow-Credentials"))
		assert.Contains(t, rec.Header().Get("Access-Control-Expose-Headers"), "X-RateLimit-Remaining")
		assert.Equal(t, "Origin", rec.Header().Get("Vary"))
	})
	t.Run("Preflight", func(t *testing.T) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("OPTIONS", "/api/v1/x", nil)
		r.Header.Set("Origin", "http://app.test")
		r.Header.Set("Access-Control-Request-Method", "PUT")
		r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		assert.True(t, CORS(rec, r))
		assert.Equal(t, http.StatusNoContent, rec.Code)
		assert.Equal(t, "GET, POST, PUT, DELETE", rec.Header().Get("Access-Control-Allow-Methods"))
		assert.Equal(t, "authorization, content-type", rec.Header().Get("Access-Control-Allow-Headers"))
		assert.Equal(t, "600", rec.Header().Get("Access-Control-Max-Age"))
	})
}

//go:build !js

package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadInput_NeverCrashes sends malformed paths, queries and bodies:
// every answer is a 4xx with a JSON error body, never a 5xx or a panic.
func TestBadInput_NeverCrashes(t *testing.T) {
	e := newEnv(t, envOptions{rateLimit: 1 << 20})
	paths := []string{
		"", "/", "/customers", "/customers/", "/customers/me", "/customers/me/", "/customers//",
		"/customers/1001/phonebook/abc", "/customers/1001/phonebook/1/2/3/4", "/customers/%00",
		"/customers/1001/endpoints/2001/sip/registrations/1", "/customers/1001/sounds/.wav",
		"/customers/1001/sounds/6001.wav.wav", "/customers/1001/phonebook/6001.wav",
		"/customers/1001/endpoints/9999/sip", "/customers/1001/endpoints/9999/sip/registrations",
		"/customers/1001/linkedusers/me/x", "/customers/me/linkedusers/me", "/customers/1001/billing/x/y",
		"/customers/1001/calls/?startedAfter=yesterday", "/customers/1001/sms/?createdAfter=%zz",
		"/customers/1001/endpoints/?type=" + strings.Repeat("x", 5000), "/stream/x", "/tokengenerator",
		"/customers/1001/" + strings.Repeat("a/", 300), "/customers/1001/phonebook/'%20OR%201=1",
		"/customers/1001/phonebook/?page=99999999999999999999", "/customers/1001/phonebook/?pageSize=-1",
	}
	bodies := []string{
		"", "{", "}", "[]", "null", "true", "1", `"s"`, `{"name":null}`, `{"name":1,"phoneNumber":{}}`,
		`{"speedDial":1e400}`, `{"email":[]}`, `{"dndActive":null}`, `{"to":["x"],"body":1}`,
		`{"endpoint":{},"to":1}`, `{"endpoint":"::::","to":"2002"}`, `{"endpoint":"../../../x","to":"2002"}`,
		`{"endpoint":"http://%zz","to":"2002"}`, strings.Repeat("[", 100000), `{"a":"` + strings.Repeat("\\u0000", 1000) + `"}`,
		`{"name":"x","phoneNumber":"0113"}garbage`, "\xff\xfe", `{"type":null,"id":{},"uri":[],"links":7}`,
	}
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}
	for _, p := range paths {
		for _, m := range methods {
			for _, b := range bodies {
				if m == "GET" && b != "" {
					continue
				}
				req := httptest.NewRequest(m, "http://127.0.0.1"+Prefix+"/x", strings.NewReader(b))
				req.URL.RawPath = ""
				req.URL.Path = Prefix + strings.SplitN(p, "?", 2)[0]
				if i := strings.Index(p, "?"); i >= 0 {
					req.URL.RawQuery = p[i+1:]
				}
				req.SetBasicAuth("alice", "alice-secret")
				rec := httptest.NewRecorder()
				require.NotPanics(t, func() { e.api.ServeHTTP(rec, req) }, "%s %s %q", m, p, b)
				code := rec.Code
				assert.True(t, code < 500 || code == http.StatusServiceUnavailable, "%s %s %q: %d %s", m, p, b, code, rec.Body)
				if code >= 400 && m != "HEAD" {
					var v map[string]any
					assert.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), "%s %s %q: %s", m, p, b, rec.Body)
				}
			}
		}
	}
	// Nothing was created: the phonebook and the SMS list are as seeded.
	resp, body := e.do(t, "GET", "/customers/1001/phonebook/", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"totalItems":5`)
}

func TestBadInput_BadCredentials(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, auth := range []string{"", "Basic", "Basic !!!", "Basic " + strings.Repeat("A", 10000), "Bearer x",
		"Basic YWxpY2U=", "Basic YWxpY2U6"} {
		req := httptest.NewRequest("GET", Prefix+"/customers/", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, auth)
	}
}

func TestBadInput_BodyTooLarge(t *testing.T) {
	e := newEnv(t, envOptions{})
	resp, _ := e.do(t, "POST", "/customers/1001/phonebook/", `{"name":"`+strings.Repeat("x", maxBody)+`"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

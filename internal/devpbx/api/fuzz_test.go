//go:build !js

package api

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary methods, paths, queries and bodies as
// alice: the API never panics, never answers 5xx (503 aside, for calls
// while no SIP server is connected) and every error body is JSON.
func FuzzRequest(f *testing.F) {
	seeds := []struct{ method, path, query, body string }{
		{"GET", "/customers/me/phonebook/", "pageSize=2&page=2", ""},
		{"POST", "/customers/1001/phonebook/", "", `{"name":"A","phoneNumber":"0113 496 0000","speedDial":3}`},
		{"PUT", "/customers/1001/endpoints/2001/phonestatus", "", `{"type":"phonestatus","dndActive":true}`},
		{"POST", "/customers/1001/sms/", "", `{"to":"441134960002","body":"hi"}`},
		{"POST", "/customers/1001/calls/", "", `{"type":"call","endpoint":"2001","to":"*52"}`},
		{"POST", "/customers/1001/phonebook/100001", "_method=DELETE", ""},
		{"GET", "/customers/1001/calls/", "direction=in&startedAfter=2025-01-01", ""},
		{"GET", "/customers/1001/sounds/6001.wav", "", ""},
		{"PATCH", "/customers/1001/", "", "{"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.body)
	}
	e := newEnv(f, envOptions{rateLimit: 1 << 30, noSIP: true})
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") {
			return // not a token: no client can send it
		}
		req := httptest.NewRequest("GET", "http://127.0.0.1/", strings.NewReader(body))
		req.Method = method
		req.URL.Path = Prefix + "/" + strings.TrimPrefix(path, "/")
		req.URL.RawQuery = query
		req.SetBasicAuth("alice", "alice-secret")
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 503 {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && method != "HEAD" && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s?%s %q: %d with a body that is not JSON: %q", method, path, query, body, rec.Code, rec.Body)
		}
	})
}

package restapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Prefix is the path under which the API is served.
const Prefix = "/api/v1"

// Segments returns the non-empty segments of path below prefix, so that
// trailing (and doubled) slashes do not matter; ok is false when path is
// not below prefix.
func Segments(path, prefix string) (segs []string, ok bool) {
	rel, ok := strings.CutPrefix(path, prefix)
	if !ok || (rel != "" && rel[0] != '/') {
		return nil, false
	}
	return SplitPath(rel), true
}

// SplitPath splits a path into its non-empty segments.
func SplitPath(p string) []string {
	return slices.DeleteFunc(strings.Split(p, "/"), func(s string) bool { return s == "" })
}

// BaseURL is the absolute URL of prefix on the server r was sent to
// (scheme://host/prefix), from which the API builds every URI it returns.
func BaseURL(r *http.Request, prefix string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + prefix
}

// Method is the request's method after overloading: a POST with
// ?_method=PUT or ?_method=DELETE counts as that method.
func Method(r *http.Request, q url.Values) string {
	if m := strings.ToUpper(q.Get("_method")); r.Method == http.MethodPost && (m == http.MethodPut || m == http.MethodDelete) {
		return m
	}
	return r.Method
}

// RelationshipIDs reports whether the request asks for relations as ids
// rather than absolute URIs ("X-Relationship-Key: id").
func RelationshipIDs(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("X-Relationship-Key"), "id")
}

// BearerToken returns the token of an "Authorization: Bearer" header (the
// scheme in any case), reporting whether there was one.
func BearerToken(r *http.Request) (string, bool) {
	const scheme = "Bearer "
	v := r.Header.Get("Authorization")
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false
	}
	return strings.TrimSpace(v[len(scheme):]), true
}

// NewToken returns n random bytes in hex, for access tokens and token ids.
func NewToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CORS adds CORS headers for a browser client of another origin (a request
// with an Origin) and answers a preflight request, reporting whether it
// did.
func CORS(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Access-Control-Expose-Headers", "Location, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset")
	h.Add("Vary", "Origin")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
	if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
		h.Set("Access-Control-Allow-Headers", rh)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

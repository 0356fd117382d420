package pbxfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// APIPrefix is the path under which the fake serves the API.
	APIPrefix = "/api/v1"
	// DefaultRateLimit is the number of requests per user per window.
	DefaultRateLimit = 1200
	rateWindow       = time.Hour
	tokenLifetime    = 5 * time.Minute
	maxBody          = 1 << 20
)

// Server is the fake PBX: an http.Handler serving the REST API and the event
// stream under /api/v1. Its methods are safe for concurrent use.
type Server struct {
	mu       sync.Mutex
	st       *store
	requests []RecordedRequest
	faults   map[string]*Fault
	limit    int
	buckets  map[string]*bucket
	bearer   map[string]string    // access token -> username
	tokens   map[string]authToken // tokengenerator id -> token

	streams        map[*stream]struct{}
	streamsChanged chan struct{} // closed and replaced when streams change
	streamOpts     StreamOptions
	silenced       bool
}

// RecordedRequest is one request the fake received, as the client sent it.
type RecordedRequest struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

type bucket struct {
	used  int
	reset time.Time
}

type authToken struct {
	username string
	expires  time.Time
}

// New returns a fake with fresh seed data.
func New() *Server {
	s := &Server{streams: map[*stream]struct{}{}, streamsChanged: make(chan struct{})}
	s.resetLocked()
	return s
}

// Reset restores the seed data and clears recorded requests, faults, rate
// limit counters, tokens, stream options and silence. Open streams stay open.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.st = seed()
	s.requests = nil
	s.faults = map[string]*Fault{}
	s.limit = DefaultRateLimit
	s.buckets = map[string]*bucket{}
	s.bearer = map[string]string{}
	s.tokens = map[string]authToken{}
	s.streamOpts = StreamOptions{}
	s.silenced = false
}

// Requests returns a copy of the requests received so far, oldest first.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RecordedRequest, len(s.requests))
	for i, r := range s.requests {
		out[i] = RecordedRequest{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery,
			Header: r.Header.Clone(), Body: slices.Clone(r.Body)}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// SetRateLimit sets the number of requests each user may make per window
// (one hour) and restarts every user's count. n < 0 restores the default
// (1200); n == 0 makes every authenticated request answer 429.
func (s *Server) SetRateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		n = DefaultRateLimit
	}
	s.limit = n
	s.buckets = map[string]*bucket{}
}

// call is one request being answered.
type call struct {
	r      *http.Request
	method string // after ?_method= overloading
	segs   []string
	query  url.Values
	body   []byte
	base   string // scheme://host/api/v1
	relIDs bool   // X-Relationship-Key: id
	audio  bool   // the last segment names a .wav file
	user   *Login
}

// reply is a response computed under the lock and written after it.
type reply struct {
	status int
	ctype  string
	body   []byte
	header http.Header
}

func (rep *reply) write(w http.ResponseWriter) {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.ctype != "" {
		w.Header().Set("Content-Type", rep.ctype)
	}
	if rep.body != nil {
		w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// marshal encodes v as JSON without HTML escaping.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("pbxfake: cannot encode %T: %v", v, err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func jsonReply(status int, v any) *reply {
	return &reply{status: status, ctype: "application/json", body: marshal(v)}
}

func errReply(status int, code, format string, args ...any) *reply {
	return jsonReply(status, map[string]any{"errors": []any{
		map[string]any{"code": code, "message": fmt.Sprintf(format, args...)}}})
}

func notFound(path string) *reply {
	return errReply(http.StatusNotFound, "NOT_FOUND", "no resource at %s", path)
}

func methodNotAllowed(method string, allowed []string) *reply {
	rep := errReply(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "%s is not allowed here", method)
	rep.header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
	return rep
}

// fieldError is one entry of a validationErrors body.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func validationReply(errs []fieldError) *reply {
	return jsonReply(http.StatusBadRequest, map[string]any{"validationErrors": errs})
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	s.mu.Lock()
	s.requests = append(s.requests, RecordedRequest{Method: r.Method, Path: r.URL.Path,
		RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	if s.applyFault(w, r) {
		return
	}
	if corsPreflight(w, r) {
		return
	}
	switch {
	case err != nil:
		errReply(http.StatusBadRequest, "BAD_REQUEST", "cannot read request body: %v", err).write(w)
		return
	case len(body) > maxBody:
		errReply(http.StatusRequestEntityTooLarge, "BAD_REQUEST", "request body too large").write(w)
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, APIPrefix)
	if !ok || (rel != "" && rel[0] != '/') {
		notFound(r.URL.Path).write(w)
		return
	}
	c := &call{r: r, method: r.Method, segs: splitPath(rel), query: r.URL.Query(), body: body,
		relIDs: strings.EqualFold(r.Header.Get("X-Relationship-Key"), "id")}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	c.base = scheme + "://" + r.Host + APIPrefix
	if m := strings.ToUpper(c.query.Get("_method")); r.Method == http.MethodPost && (m == "PUT" || m == "DELETE") {
		c.method = m
	}
	c.audio = len(c.segs) > 0 && strings.HasSuffix(c.segs[len(c.segs)-1], ".wav")

	s.mu.Lock()
	rep := s.authorize(w, c)
	if rep == nil && len(c.segs) == 1 && c.segs[0] == "stream" {
		if c.method != http.MethodGet {
			rep = methodNotAllowed(c.method, []string{http.MethodGet})
		} else {
			s.mu.Unlock()
			s.serveStream(w, r, c.user)
			return
		}
	}
	if rep == nil {
		rep = s.route(c)
	}
	s.mu.Unlock()
	rep.write(w)
}

// splitPath splits a path into its non-empty segments, so trailing (and
// doubled) slashes do not matter.
func splitPath(p string) []string {
	return slices.DeleteFunc(strings.Split(p, "/"), func(s string) bool { return s == "" })
}

// authorize authenticates the request and counts it against the user's rate
// limit, setting the rate limit headers. It returns nil when the request may
// proceed. Called with s.mu held.
func (s *Server) authorize(w http.ResponseWriter, c *call) *reply {
	r := c.r
	if user, pass, ok := r.BasicAuth(); ok {
		c.user = s.st.login(user, pass)
	} else if tok, ok := cutPrefixFold(r.Header.Get("Authorization"), "Bearer "); ok {
		if name, ok := s.bearer[strings.TrimSpace(tok)]; ok {
			c.user = s.st.loginByName(name)
		}
	} else if id := c.query.Get("tokenid"); id != "" && c.audio && r.Header.Get("Authorization") == "" {
		if t, ok := s.tokens[id]; ok {
			delete(s.tokens, id) // single use
			if time.Now().Before(t.expires) {
				c.user = s.st.loginByName(t.username)
			}
		}
	}
	// The header names keep the API's spelling (net/http would write
	// X-Ratelimit-Limit); clients must not care either way.
	h := w.Header()
	h["X-RateLimit-Limit"] = []string{strconv.Itoa(s.limit)}
	if c.user == nil {
		h["X-RateLimit-Remaining"] = []string{strconv.Itoa(s.limit)}
		h["X-RateLimit-Reset"] = []string{strconv.Itoa(int(rateWindow / time.Second))}
		if !strings.EqualFold(r.Header.Get("X-WWW-Authenticate"), "false") {
			h["WWW-Authenticate"] = []string{`Basic realm="pbx"`}
		}
		return errReply(http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	}
	now := time.Now()
	b := s.buckets[c.user.Username]
	if b == nil || !now.Before(b.reset) {
		b = &bucket{reset: now.Add(rateWindow)}
		s.buckets[c.user.Username] = b
	}
	limited := b.used >= s.limit
	if !limited {
		b.used++
	}
	h["X-RateLimit-Remaining"] = []string{strconv.Itoa(max(s.limit-b.used, 0))}
	h["X-RateLimit-Reset"] = []string{strconv.Itoa(int((b.reset.Sub(now) + time.Second - 1) / time.Second))}
	if limited {
		return errReply(http.StatusTooManyRequests, "TOO_MANY_REQUESTS",
			"rate limit of %d requests exceeded", s.limit)
	}
	return nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// corsPreflight adds CORS headers for browser clients and answers a
// preflight request, reporting whether it did.
func corsPreflight(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Access-Control-Expose-Headers",
		"Location, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset")
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

package pbxfake

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

const (
	// APIPrefix is the path under which the fake serves the API.
	APIPrefix = restapi.Prefix
	// DefaultRateLimit is the number of requests per user per window.
	DefaultRateLimit = restapi.DefaultRateLimit
	tokenLifetime    = 5 * time.Minute
)

// Server is the fake PBX: an http.Handler serving the REST API and the event
// stream under /api/v1. Its methods are safe for concurrent use.
type Server struct {
	mu       sync.Mutex
	st       *store
	requests []RecordedRequest
	faults   map[string]*Fault
	rate     *restapi.RateLimit
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
	s.rate = restapi.NewRateLimit(DefaultRateLimit)
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
	if n < 0 {
		n = DefaultRateLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate.Reset(n)
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

// marshal encodes v as JSON without HTML escaping; the fake's values
// always encode.
func marshal(v any) []byte {
	b, err := restapi.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("pbxfake: cannot encode %T: %v", v, err))
	}
	return b
}

// jsonReply is a reply with v as its JSON body.
func jsonReply(status int, v any) *restapi.Reply {
	return &restapi.Reply{Status: status, ContentType: restapi.ContentTypeJSON, Body: marshal(v)}
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, restapi.MaxBody+1))
	s.mu.Lock()
	s.requests = append(s.requests, RecordedRequest{Method: r.Method, Path: r.URL.Path,
		RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	if s.applyFault(w, r) {
		return
	}
	if restapi.CORS(w, r) {
		return
	}
	switch {
	case err != nil:
		restapi.BadRequest("cannot read request body: %v", err).Write(w)
		return
	case len(body) > restapi.MaxBody:
		restapi.Error(http.StatusRequestEntityTooLarge, restapi.CodeBadRequest, "request body too large").Write(w)
		return
	}
	segs, ok := restapi.Segments(r.URL.Path, APIPrefix)
	if !ok {
		restapi.NotFound(r.URL.Path).Write(w)
		return
	}
	q := r.URL.Query()
	c := &call{r: r, method: restapi.Method(r, q), segs: segs, query: q, body: body,
		base: restapi.BaseURL(r, APIPrefix), relIDs: restapi.RelationshipIDs(r)}
	c.audio = len(c.segs) > 0 && strings.HasSuffix(c.segs[len(c.segs)-1], ".wav")

	s.mu.Lock()
	rep := s.authorize(w, c)
	if rep == nil && len(c.segs) == 1 && c.segs[0] == "stream" {
		if c.method != http.MethodGet {
			rep = restapi.MethodNotAllowed(c.method, []string{http.MethodGet})
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
	rep.Write(w)
}

// authorize authenticates the request and counts it against the user's rate
// limit, setting the rate limit headers. It returns nil when the request may
// proceed. Called with s.mu held.
func (s *Server) authorize(w http.ResponseWriter, c *call) *restapi.Reply {
	r := c.r
	if user, pass, ok := r.BasicAuth(); ok {
		c.user = s.st.login(user, pass)
	} else if tok, ok := restapi.BearerToken(r); ok {
		if name, ok := s.bearer[tok]; ok {
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
	if c.user == nil {
		s.rate.Anonymous(w.Header())
		return restapi.Unauthorized("pbx", restapi.WantsChallenge(r))
	}
	if !s.rate.Take(w.Header(), c.user.Username, time.Now()) {
		return restapi.Error(http.StatusTooManyRequests, restapi.CodeTooManyRequests,
			"rate limit of %d requests exceeded", s.rate.Limit())
	}
	return nil
}

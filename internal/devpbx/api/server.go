//go:build !js

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/internal/devpbx/sipserver"
	"github.com/wasmphone/wasmphone/internal/devpbx/store"
)

const (
	// Prefix is the path under which the API is served.
	Prefix = "/api/v1"
	// DefaultRateLimit is the number of requests per user per hour.
	DefaultRateLimit = 1200
	// DefaultHeartbeatInterval is the stream's heartbeat period.
	DefaultHeartbeatInterval = 60 * time.Second
	rateWindow               = time.Hour
	maxBody                  = 1 << 20
	originateTimeout         = 45 * time.Second // above the SIP server's own bound
	hookTimeout              = 10 * time.Second
	bearerLifetime           = 24 * time.Hour
	audioTokenLifetime       = 5 * time.Minute
)

// SIP is what the API needs from the SIP server: the live registrations
// of a SIP user and call origination. *sipserver.Server implements it.
type SIP interface {
	Registrations(sipUsername string) []sipserver.Registration
	Originate(ctx context.Context, from sipserver.Extension, to string) (callID string, err error)
}

// Config configures an API.
type Config struct {
	// Store holds the data; required.
	Store *store.Store
	// Realm is the SIP domain shown in sip identities; default
	// store.DemoDomain.
	Realm string
	// HeartbeatInterval is the stream's heartbeat period; default
	// DefaultHeartbeatInterval.
	HeartbeatInterval time.Duration
	// RateLimit is the number of requests each user may make per hour;
	// default DefaultRateLimit.
	RateLimit int
	// Logger receives diagnostics; default slog.Default(). Passwords and
	// Authorization headers are never logged.
	Logger *slog.Logger
	// Clock is the time source; default clock.Real().
	Clock clock.Clock
}

// API is the REST API and event stream, an http.Handler for paths under
// Prefix. It is also the SIP server's Directory and Events. Its methods
// are safe for concurrent use.
type API struct {
	st        *store.Store
	realm     string
	heartbeat time.Duration
	limit     int
	log       *slog.Logger
	clk       clock.Clock
	hub       *hub

	mu      sync.Mutex
	sip     SIP
	buckets map[string]*bucket
	bearer  map[string]token // access token -> user (POST /authenticate)
	audio   map[string]token // single-use token id -> user (GET /tokengenerator)
}

// token is an access token or a single-use audio token.
type token struct {
	user    store.User
	expires time.Time
}

type bucket struct {
	used  int
	reset time.Time
}

var (
	_ sipserver.Directory = (*API)(nil)
	_ sipserver.Events    = (*API)(nil)
)

// New returns an API for cfg.
func New(cfg Config) (*API, error) {
	if cfg.Store == nil {
		return nil, errors.New("api: Config.Store is required")
	}
	a := &API{st: cfg.Store, realm: cfg.Realm, heartbeat: cfg.HeartbeatInterval, limit: cfg.RateLimit,
		log: cfg.Logger, clk: cfg.Clock, hub: newHub(), buckets: map[string]*bucket{},
		bearer: map[string]token{}, audio: map[string]token{}}
	if a.realm == "" {
		a.realm = store.DemoDomain
	}
	if a.heartbeat <= 0 {
		a.heartbeat = DefaultHeartbeatInterval
	}
	if a.limit <= 0 {
		a.limit = DefaultRateLimit
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.clk == nil {
		a.clk = clock.Real()
	}
	return a, nil
}

// SetSIP connects the SIP server (registrations, call origination). Until
// it is set, registrations are empty and POST calls answers 503.
func (a *API) SetSIP(s SIP) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sip = s
}

func (a *API) sipServer() SIP {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sip
}

// Close ends every open event stream; later streams end at once.
func (a *API) Close() error {
	a.hub.close()
	return nil
}

// request is one request being answered.
type request struct {
	r      *http.Request
	method string // after ?_method= overloading; HEAD counts as GET
	segs   []string
	query  url.Values
	body   []byte
	base   string // scheme://host/api/v1
	relIDs bool   // X-Relationship-Key: id
	user   store.User
}

// reply is a response to write.
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
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func jsonReply(status int, v any) *reply {
	b, err := marshal(v)
	if err != nil {
		return &reply{status: http.StatusInternalServerError, ctype: "application/json",
			body: []byte(`{"errors":[{"code":"INTERNAL","message":"cannot encode the response"}]}`)}
	}
	return &reply{status: status, ctype: "application/json", body: b}
}

// apiError is one entry of an errors body.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func errReply(status int, code, format string, args ...any) *reply {
	return jsonReply(status, map[string]any{"errors": []apiError{{code, fmt.Sprintf(format, args...)}}})
}

func notFound(path string) *reply {
	return errReply(http.StatusNotFound, "NOT_FOUND", "no resource at %s", path)
}

func badRequest(format string, args ...any) *reply {
	return errReply(http.StatusBadRequest, "BAD_REQUEST", format, args...)
}

func methodNotAllowed(method string, allowed []string) *reply {
	rep := errReply(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "%s is not allowed here", method)
	rep.header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
	return rep
}

// internalError logs err and answers 500 without its details.
func (a *API) internalError(r *http.Request, err error) *reply {
	a.log.Error("devpbx api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return errReply(http.StatusInternalServerError, "INTERNAL", "internal error")
}

// fieldError is one entry of a validationErrors body.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func validationReply(errs []fieldError) *reply {
	return jsonReply(http.StatusBadRequest, map[string]any{"validationErrors": errs})
}

// ServeHTTP answers one request under Prefix.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if corsPreflight(w, r) {
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok || (rel != "" && rel[0] != '/') {
		notFound(r.URL.Path).write(w)
		return
	}
	q, qerr := url.ParseQuery(r.URL.RawQuery)
	c := &request{r: r, method: r.Method, segs: splitPath(rel), query: q, body: body,
		relIDs: strings.EqualFold(r.Header.Get("X-Relationship-Key"), "id")}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	c.base = scheme + "://" + r.Host + Prefix
	if m := strings.ToUpper(q.Get("_method")); r.Method == http.MethodPost && (m == "PUT" || m == "DELETE") {
		c.method = m
	}
	if c.method == http.MethodHead {
		c.method = http.MethodGet
	}

	if rep := a.authorize(w, c); rep != nil {
		rep.write(w)
		return
	}
	var rep *reply
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		rep = errReply(http.StatusRequestEntityTooLarge, "BAD_REQUEST", "the request body is larger than %d bytes", maxBody)
	case err != nil:
		rep = badRequest("cannot read the request body: %v", err)
	case qerr != nil:
		rep = badRequest("malformed query string: %v", qerr)
	case len(c.segs) == 1 && c.segs[0] == "stream":
		if c.method != http.MethodGet {
			rep = methodNotAllowed(c.method, []string{http.MethodGet})
			break
		}
		a.serveStream(w, r, c)
		return
	default:
		rep = a.route(c)
	}
	rep.write(w)
}

// splitPath splits a path into its non-empty segments, so trailing (and
// doubled) slashes do not matter.
func splitPath(p string) []string {
	return slices.DeleteFunc(strings.Split(p, "/"), func(s string) bool { return s == "" })
}

// authorize authenticates the request and counts it against the user's
// rate limit, setting the rate-limit headers. It returns nil when the
// request may proceed.
func (a *API) authorize(w http.ResponseWriter, c *request) *reply {
	h := w.Header()
	// The header names keep the API's spelling (net/http would write
	// X-Ratelimit-Limit).
	h["X-RateLimit-Limit"] = []string{strconv.Itoa(a.limit)}
	user, ok, err := a.authenticate(c)
	if err != nil {
		return a.internalError(c.r, err)
	}
	if !ok {
		h["X-RateLimit-Remaining"] = []string{strconv.Itoa(a.limit)}
		h["X-RateLimit-Reset"] = []string{strconv.Itoa(int(rateWindow / time.Second))}
		// A challenge makes browsers open their own login dialog over
		// the page: send it only to a client that sent no credentials
		// and did not ask for none (X-WWW-Authenticate: false).
		if c.r.Header.Get("Authorization") == "" && !strings.EqualFold(c.r.Header.Get("X-WWW-Authenticate"), "false") {
			h["WWW-Authenticate"] = []string{`Basic realm="devpbx"`}
		}
		return errReply(http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	}
	c.user = user

	now := a.clk.Now()
	a.mu.Lock()
	b := a.buckets[user.Username]
	if b == nil || !now.Before(b.reset) {
		b = &bucket{reset: now.Add(rateWindow)}
		a.buckets[user.Username] = b
	}
	limited := b.used >= a.limit
	if !limited {
		b.used++
	}
	remaining, reset := max(a.limit-b.used, 0), b.reset.Sub(now)
	a.mu.Unlock()
	h["X-RateLimit-Remaining"] = []string{strconv.Itoa(remaining)}
	h["X-RateLimit-Reset"] = []string{strconv.Itoa(int((reset + time.Second - 1) / time.Second))}
	if limited {
		return errReply(http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "rate limit of %d requests per hour exceeded", a.limit)
	}
	return nil
}

// authenticate finds the request's user: HTTP Basic credentials of a
// portal user, a bearer token from POST /authenticate, or (for audio
// only) a single-use ?tokenid= from GET /tokengenerator.
func (a *API) authenticate(c *request) (store.User, bool, error) {
	r := c.r
	if name, pass, ok := r.BasicAuth(); ok {
		return a.st.Authenticate(r.Context(), name, pass)
	}
	now := a.clk.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := cutPrefixFold(r.Header.Get("Authorization"), "Bearer "); ok {
		t, ok := a.bearer[strings.TrimSpace(v)]
		if !ok || !now.Before(t.expires) {
			return store.User{}, false, nil
		}
		return t.user, true, nil
	}
	if id := c.query.Get("tokenid"); id != "" && r.Header.Get("Authorization") == "" && len(c.segs) > 0 &&
		strings.HasSuffix(c.segs[len(c.segs)-1], ".wav") {
		t, ok := a.audio[id]
		delete(a.audio, id) // single use
		if ok && now.Before(t.expires) {
			return t.user, true, nil
		}
	}
	return store.User{}, false, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// newToken stores a token for the user and returns its id.
func (a *API) newToken(m map[string]token, user store.User, life time.Duration) (string, time.Time) {
	id, now := randomHex(24), a.clk.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, t := range m { // forget expired tokens
		if !now.Before(t.expires) {
			delete(m, k)
		}
	}
	m[id] = token{user: user, expires: now.Add(life)}
	return id, now
}

// corsPreflight adds CORS headers for browser clients of another origin
// and answers a preflight request, reporting whether it did.
func corsPreflight(w http.ResponseWriter, r *http.Request) bool {
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

// hookContext bounds the store work of a SIP event hook.
func hookContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), hookTimeout)
}

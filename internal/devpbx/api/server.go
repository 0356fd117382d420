//go:build !js

package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/internal/devpbx/sipserver"
	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/internal/restapi"
)

const (
	// Prefix is the path under which the API is served.
	Prefix = restapi.Prefix
	// DefaultRateLimit is the number of requests per user per hour.
	DefaultRateLimit = restapi.DefaultRateLimit
	// DefaultHeartbeatInterval is the stream's heartbeat period.
	DefaultHeartbeatInterval = restapi.DefaultHeartbeatInterval
	maxBody                  = restapi.MaxBody
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

	mu     sync.Mutex
	sip    SIP
	rate   *restapi.RateLimit
	bearer map[string]token // access token -> user (POST /authenticate)
	audio  map[string]token // single-use token id -> user (GET /tokengenerator)
}

// token is an access token or a single-use audio token.
type token struct {
	user    store.User
	expires time.Time
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
		log: cfg.Logger, clk: cfg.Clock, hub: newHub(),
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
	a.rate = restapi.NewRateLimit(a.limit)
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

// internalError logs err and answers 500 without its details.
func (a *API) internalError(r *http.Request, err error) *restapi.Reply {
	a.log.Error("devpbx api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return restapi.Error(http.StatusInternalServerError, restapi.CodeInternal, "internal error")
}

// ServeHTTP answers one request under Prefix.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if restapi.CORS(w, r) {
		return
	}
	segs, ok := restapi.Segments(r.URL.Path, Prefix)
	if !ok {
		restapi.NotFound(r.URL.Path).Write(w)
		return
	}
	q, qerr := url.ParseQuery(r.URL.RawQuery)
	c := &request{r: r, method: restapi.Method(r, q), segs: segs, query: q, body: body,
		base: restapi.BaseURL(r, Prefix), relIDs: restapi.RelationshipIDs(r)}
	if c.method == http.MethodHead {
		c.method = http.MethodGet
	}

	if rep := a.authorize(w, c); rep != nil {
		rep.Write(w)
		return
	}
	var rep *restapi.Reply
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		rep = restapi.Error(http.StatusRequestEntityTooLarge, restapi.CodeBadRequest, "the request body is larger than %d bytes", maxBody)
	case err != nil:
		rep = restapi.BadRequest("cannot read the request body: %v", err)
	case qerr != nil:
		rep = restapi.BadRequest("malformed query string: %v", qerr)
	case len(c.segs) == 1 && c.segs[0] == "stream":
		if c.method != http.MethodGet {
			rep = restapi.MethodNotAllowed(c.method, []string{http.MethodGet})
			break
		}
		a.serveStream(w, r, c)
		return
	default:
		rep = a.route(c)
	}
	rep.Write(w)
}

// authorize authenticates the request and counts it against the user's
// rate limit, setting the rate-limit headers. It returns nil when the
// request may proceed.
func (a *API) authorize(w http.ResponseWriter, c *request) *restapi.Reply {
	h := w.Header()
	a.rate.LimitHeader(h)
	user, ok, err := a.authenticate(c)
	if err != nil {
		return a.internalError(c.r, err)
	}
	if !ok {
		a.rate.Anonymous(h)
		// A challenge makes browsers open their own login dialog over
		// the page: send it only to a client that sent no credentials
		// and did not ask for none (X-WWW-Authenticate: false).
		return restapi.Unauthorized("devpbx", c.r.Header.Get("Authorization") == "" && restapi.WantsChallenge(c.r))
	}
	c.user = user
	if !a.rate.Take(h, user.Username, a.clk.Now()) {
		return restapi.Error(http.StatusTooManyRequests, restapi.CodeTooManyRequests,
			"rate limit of %d requests per hour exceeded", a.limit)
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
	if v, ok := restapi.BearerToken(r); ok {
		t, ok := a.bearer[v]
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

// newToken stores a token for the user and returns its id.
func (a *API) newToken(m map[string]token, user store.User, life time.Duration) (string, time.Time) {
	id, now := restapi.NewToken(24), a.clk.Now()
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

// hookContext bounds the store work of a SIP event hook.
func hookContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), hookTimeout)
}

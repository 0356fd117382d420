//go:build !js

package devpbx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/wasmphone/wasmphone/internal/devpbx/api"
	"github.com/wasmphone/wasmphone/internal/devpbx/sipserver"
	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/internal/restapi"
)

const (
	// DefaultAddr is where the PBX listens unless told otherwise.
	DefaultAddr = "127.0.0.1:8080"
	// HomePath is where / redirects: the softphone example.
	HomePath = "/examples/softphone/"
	// SIPPath is where the SIP WebSocket endpoint is mounted.
	SIPPath = "/ws"
	// EchoNumber, BusyNumber and NoAnswerNumber are the test numbers:
	// an echo of the caller's audio, a busy line and a line that rings
	// until the caller gives up.
	EchoNumber     = "*52"
	BusyNumber     = "*486"
	NoAnswerNumber = "*408"
)

// Config configures a Server.
type Config struct {
	// Addr is the listening address; default DefaultAddr. Port 0 picks a
	// free port (see Server.Addr).
	Addr string
	// DataDir holds the database; ignored with Memory.
	DataDir string
	// Memory keeps the data in memory only.
	Memory bool
	// WebDir is the directory served at /; "" serves no files.
	WebDir string
	// Realm is the SIP domain and digest realm; default store.DemoDomain.
	Realm string
	// HeartbeatInterval is the event stream's heartbeat period; default
	// 60 s.
	HeartbeatInterval time.Duration
	// Logger receives diagnostics; default slog.Default().
	Logger *slog.Logger
	// EchoLoopbackOnly restricts the echo test's ICE candidates to the
	// loopback interface (tests on machines without other networks).
	EchoLoopbackOnly bool

	// readTimeout, writeTimeout and idleTimeout replace the HTTP
	// server's, for tests.
	readTimeout, writeTimeout, idleTimeout time.Duration
}

// The HTTP server's timeouts: a request is read within readTimeout (its
// headers within readHeaderTimeout), its response written within
// writeTimeout (the event stream extends it at each write, WebSockets
// have none), and an idle keep-alive connection is closed after
// idleTimeout.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
)

// Server is a running development PBX.
type Server struct {
	store *store.Store
	api   *api.API
	sip   *sipserver.Server
	http  *http.Server
	ln    net.Listener
	log   *slog.Logger
	done  chan error

	closeOnce sync.Once
	closeErr  error
}

// New opens the store, starts the SIP server, listens on cfg.Addr and
// serves until Shutdown.
func New(cfg Config) (*Server, error) {
	ctx := context.Background()
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Realm == "" {
		cfg.Realm = store.DemoDomain
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("devpbx: listen on %s: %w", cfg.Addr, err)
	}
	// On the loopback interface the PBX is this machine's: other sites'
	// pages a browser opens must not use it (see restapi.LoopbackOnly).
	loopback := isLoopback(ln.Addr())
	var origins []string
	if loopback {
		origins = restapi.LoopbackOriginPatterns
	}
	st, err := store.Open(ctx, store.Options{Dir: cfg.DataDir, Memory: cfg.Memory})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("devpbx: %w", err)
	}
	a, err := api.New(api.Config{Store: st, Realm: cfg.Realm, HeartbeatInterval: cfg.HeartbeatInterval, Logger: log})
	if err != nil {
		ln.Close()
		st.Close()
		return nil, fmt.Errorf("devpbx: %w", err)
	}
	sip, err := sipserver.New(sipserver.Config{Directory: a, Events: a, Realm: cfg.Realm, Logger: log,
		EchoNumber: EchoNumber, BusyNumber: BusyNumber, NoAnswerNumber: NoAnswerNumber,
		EchoLoopbackOnly: cfg.EchoLoopbackOnly, OriginPatterns: origins})
	if err != nil {
		ln.Close()
		st.Close()
		return nil, fmt.Errorf("devpbx: %w", err)
	}
	a.SetSIP(sip)

	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", a)
	mux.Handle(api.Prefix, a)
	mux.Handle(SIPPath, sip)
	if cfg.WebDir != "" {
		mux.Handle("/", staticHandler(cfg.WebDir))
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, HomePath, http.StatusFound)
	})
	var handler http.Handler = mux
	if loopback {
		handler = restapi.LoopbackOnly(mux)
	}

	s := &Server{store: st, api: a, sip: sip, ln: ln, log: log, done: make(chan error, 1),
		http: &http.Server{Handler: handler, ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:  cmp.Or(cfg.readTimeout, readTimeout),
			WriteTimeout: cmp.Or(cfg.writeTimeout, writeTimeout),
			IdleTimeout:  cmp.Or(cfg.idleTimeout, idleTimeout),
			ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn)}}
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// isLoopback reports whether a listening address is on the loopback
// interface only.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL returns the server's base URL, e.g. http://127.0.0.1:8080.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// SIPURL returns the WebSocket URL of the SIP endpoint.
func (s *Server) SIPURL() string { return "ws://" + s.ln.Addr().String() + SIPPath }

// Store returns the server's store.
func (s *Server) Store() *store.Store { return s.store }

// API returns the server's REST API.
func (s *Server) API() *api.API { return s.api }

// Done returns a channel that receives the HTTP server's error (nil after
// Shutdown) when it stops serving.
func (s *Server) Done() <-chan error { return s.done }

// Shutdown stops the server: it ends the event streams and SIP
// connections, waits for requests in flight until ctx ends, then closes
// the store.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		_ = s.api.Close()
		errs := []error{}
		if err := s.sip.Close(); err != nil {
			errs = append(errs, fmt.Errorf("devpbx: close SIP server: %w", err))
		}
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("devpbx: shut down HTTP server: %w", err))
			_ = s.http.Close()
		}
		if err := s.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("devpbx: %w", err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

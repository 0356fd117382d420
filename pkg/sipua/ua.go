package sipua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/internal/version"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"
)

// Transport carries SIP messages to and from the server; the default is
// pkg/sipua/transport over WebSocket. Tests plug in an in-memory one.
type Transport interface {
	Start()
	Stop()
	Send(ctx context.Context, msg []byte) error
	Events() <-chan transport.Event
	// Via returns the Via transport token, "WS" or "WSS".
	Via() string
}

// Config configures a UA.
type Config struct {
	// Servers are the WebSocket servers (ws:// or wss://), tried by
	// weight. Ignored when Transport is set.
	Servers []transport.Server
	// Transport replaces the WebSocket transport (tests, custom carriers).
	Transport Transport
	// TransportConfig tunes the WebSocket transport (back-off, keep-alive).
	TransportConfig transport.Config

	// URI is the user's address of record, "sip:alice@example.com".
	URI string
	// AuthUser is the digest user name; default the URI's user.
	AuthUser string
	// Password is the digest password. It is never logged.
	Password string
	// HA1, when set, replaces Password: the hex MD5 of
	// "authuser:realm:password", as some provisioning systems hand out.
	HA1 string
	// DisplayName goes into From headers.
	DisplayName string
	// InstanceID is the RFC 5626 instance (a UUID); generated when empty.
	// Browsers persist it so the registrar sees one device.
	InstanceID string

	// Media creates the WebRTC media of a call: media.New natively (pion)
	// or the browser's RTCPeerConnection through the JavaScript bridge.
	// Without it, calls are refused.
	Media MediaFactory

	// Register makes Start register, and keep registering.
	Register bool
	// RegisterExpires is the binding lifetime asked for; default 300 s.
	RegisterExpires int
	// SubscribeExpires is the lifetime of presence subscriptions; default
	// 600 s.
	SubscribeExpires int
	// UserAgent is sent in User-Agent; default "wasmphone/<version>".
	UserAgent string

	// OnEvent receives the UA's events, one at a time and in order, on a
	// goroutine of its own: it may call the UA's methods.
	OnEvent func(Event)
	// Wants reports whether the application handles an event, as JsSIP
	// checks for listeners: an incoming MESSAGE without a "newMessage"
	// handler is refused. Nil means every event is wanted when OnEvent
	// is set.
	Wants func(event string) bool

	// Clock drives every timer; default the real clock.
	Clock clock.Clock
	// Logger receives diagnostics; nil discards.
	Logger *slog.Logger
	// Trace logs every SIP message at debug level, with credentials
	// redacted.
	Trace bool
}

// Protocol constants of RFC 3261 §17 for reliable transports.
const (
	T1 = 500 * time.Millisecond
	// TimerB bounds an INVITE client transaction (and Timer F a
	// non-INVITE one): 64*T1.
	TimerB = 64 * T1
	TimerF = 64 * T1
	// TimerH bounds the wait for the ACK of a failure response, and
	// Timers L and M the life of an accepted INVITE transaction.
	TimerH = 64 * T1
	TimerL = 64 * T1
	TimerM = 64 * T1
	// sendTimeout bounds one write to the transport.
	sendTimeout = 10 * time.Second
)

// allowed lists the methods the UA accepts.
const allowed = "INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY"

// UA is a SIP user agent over WebSocket. One goroutine owns its protocol
// state; every method is safe for concurrent use and hands its work to
// that goroutine.
type UA struct {
	cfg  Config
	aor  sipmsg.URI
	clk  clock.Clock
	log  *slog.Logger
	tr   Transport
	inst string

	posts    chan func()
	done     chan struct{} // closed when the loop has exited
	started  atomic.Bool
	stopping atomic.Bool
	stopOnce sync.Once

	connected  atomic.Bool
	registered atomic.Bool

	events eventQueue

	// Owned by the loop goroutine.
	viaHost   string
	contact   sipmsg.Address
	gruu      sipmsg.URI // public GRUU from the registrar, if any
	auth      digest.Client
	clientTxs map[string]*clientTx
	serverTxs map[string]*serverTx
	reg       *registrator
	subs      *subscriptions
	dialogs   map[dialogID]dialogUsage
	sessions  map[*Session]struct{}
	exit      bool
}

// New checks cfg and returns a UA; Start connects it.
func New(cfg Config) (*UA, error) {
	aor, err := sipmsg.ParseURI(cfg.URI)
	if err != nil || !aor.IsSIP() || aor.User == "" {
		return nil, fmt.Errorf("sipua: URI %q must be a sip: or sips: URI with a user", cfg.URI)
	}
	for name, v := range map[string]string{"auth user": cfg.AuthUser, "password": cfg.Password, "HA1": cfg.HA1,
		"display name": cfg.DisplayName, "user agent": cfg.UserAgent, "instance id": cfg.InstanceID} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("sipua: %s contains CR, LF or NUL", name)
		}
	}
	if cfg.AuthUser == "" {
		cfg.AuthUser = aor.User
	}
	if cfg.RegisterExpires <= 0 {
		cfg.RegisterExpires = 300
	}
	if cfg.SubscribeExpires <= 0 {
		cfg.SubscribeExpires = 600
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "wasmphone/" + version.Version
	}
	inst := cfg.InstanceID
	if inst == "" {
		inst = uuid.NewString()
	} else if _, err := uuid.Parse(strings.TrimPrefix(inst, "urn:uuid:")); err != nil {
		return nil, fmt.Errorf("sipua: instance id %q is not a UUID", cfg.InstanceID)
	}
	inst = strings.TrimPrefix(inst, "urn:uuid:")
	ua := &UA{cfg: cfg, aor: aor, clk: cfg.Clock, log: cfg.Logger, tr: cfg.Transport, inst: inst,
		posts: make(chan func(), 64), done: make(chan struct{}),
		clientTxs: map[string]*clientTx{}, serverTxs: map[string]*serverTx{},
		dialogs: map[dialogID]dialogUsage{}, sessions: map[*Session]struct{}{}}
	if ua.clk == nil {
		ua.clk = clock.Real()
	}
	if ua.log == nil {
		ua.log = slog.New(slog.DiscardHandler)
	}
	if ua.tr == nil {
		tc := cfg.TransportConfig
		tc.Servers = cfg.Servers
		if tc.Clock == nil {
			tc.Clock = ua.clk
		}
		if tc.Logger == nil {
			tc.Logger = ua.log
		}
		t, err := transport.New(tc)
		if err != nil {
			return nil, fmt.Errorf("sipua: %w", err)
		}
		ua.tr = t
	}
	ua.viaHost = sipmsg.RandomToken(12) + ".invalid"
	ua.contact = sipmsg.Address{URI: sipmsg.URI{Scheme: "sip", User: sipmsg.RandomToken(8), Host: ua.viaHost,
		Params: sipmsg.Params{{Name: "transport", Value: "ws"}}}}
	ua.reg = newRegistrator(ua)
	ua.subs = newSubscriptions(ua)
	ua.events.init(cfg.OnEvent, ua.log)
	return ua, nil
}

// InstanceID returns the RFC 5626 instance id (a UUID).
func (ua *UA) InstanceID() string { return ua.inst }

// AOR returns the user's address of record.
func (ua *UA) AOR() sipmsg.URI { return ua.aor.Clone() }

// Start connects, and registers when Config.Register is set. It returns
// at once; progress arrives as events.
func (ua *UA) Start() error {
	if ua.stopping.Load() {
		return ErrStopped
	}
	if !ua.started.CompareAndSwap(false, true) {
		return nil
	}
	go ua.loop()
	ua.tr.Start()
	return nil
}

// Stop unregisters, ends the subscriptions, waits (within ctx) for their
// responses, closes the transport and stops every timer. Nothing of the
// UA runs after it returns.
func (ua *UA) Stop(ctx context.Context) error {
	var err error
	ua.stopOnce.Do(func() {
		if !ua.started.Load() {
			ua.stopping.Store(true)
			ua.events.close()
			return
		}
		finished := make(chan struct{})
		if !ua.post(func() { ua.shutdown(finished) }) {
			return
		}
		select {
		case <-finished:
		case <-ctx.Done():
			err = ctx.Err()
		}
		ua.stopping.Store(true)
		ua.post(func() { ua.finish() })
		<-ua.done
		ua.tr.Stop()
		ua.events.close()
	})
	return err
}

// IsConnected reports whether the transport is connected.
func (ua *UA) IsConnected() bool { return ua.connected.Load() }

// IsRegistered reports whether the binding is registered.
func (ua *UA) IsRegistered() bool { return ua.registered.Load() }

// post hands f to the loop; it reports false once the UA has stopped.
func (ua *UA) post(f func()) bool {
	select {
	case <-ua.done:
		return false
	default:
	}
	select {
	case ua.posts <- f:
		return true
	case <-ua.done:
		return false
	}
}

// run runs f on the loop and waits for it.
func (ua *UA) run(ctx context.Context, f func()) error {
	if !ua.started.Load() {
		return errors.New("sipua: user agent not started")
	}
	if ua.stopping.Load() {
		return ErrStopped
	}
	done := make(chan struct{})
	if !ua.post(func() { f(); close(done) }) {
		return ErrStopped
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-ua.done:
		return ErrStopped
	}
}

// runAsync starts work on the loop and waits for the outcome it reports
// on result (buffered, so reporting never blocks the loop).
func (ua *UA) runAsync(ctx context.Context, start func(result chan<- error)) error {
	result := make(chan error, 1)
	if err := ua.run(ctx, func() { start(result) }); err != nil {
		return err
	}
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-ua.done:
		return ErrStopped
	}
}

// after arms a timer whose callback runs on the loop.
func (ua *UA) after(d time.Duration, f func()) clock.Timer {
	return ua.clk.AfterFunc(d, func() { ua.post(f) })
}

func (ua *UA) emit(e Event) { ua.events.push(e) }

func (ua *UA) wants(event string) bool {
	if ua.cfg.OnEvent == nil {
		return false
	}
	if ua.cfg.Wants == nil {
		return true
	}
	return ua.cfg.Wants(event)
}

func (ua *UA) loop() {
	defer close(ua.done)
	events := ua.tr.Events()
	for !ua.exit {
		select {
		case f := <-ua.posts:
			f()
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			ua.onTransport(ev)
		}
	}
}

// shutdown ends the registration and the subscriptions, then closes
// finished once their transactions are over.
func (ua *UA) shutdown(finished chan struct{}) {
	pending := 0
	var once sync.Once
	check := func() {
		if pending == 0 {
			once.Do(func() { close(finished) })
		}
	}
	done := func() { pending--; check() }
	for s := range ua.sessions {
		s.terminateOnStop()
	}
	if ua.connected.Load() {
		if ua.reg.unregisterOnStop(done) {
			pending++
		}
		pending += ua.subs.terminateAll(done)
	}
	check()
}

// finish stops every timer and transaction and makes the loop exit.
func (ua *UA) finish() {
	ua.reg.stop()
	ua.subs.stop()
	for s := range ua.sessions {
		if !s.ended {
			s.finish(StatusTerminated)
			s.emit("ended", "system", CauseTerminated, nil)
		}
	}
	for _, tx := range ua.clientTxs {
		tx.terminate()
	}
	for _, tx := range ua.serverTxs {
		tx.terminate()
	}
	ua.registered.Store(false)
	ua.exit = true
}

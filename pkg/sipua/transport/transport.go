package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wasmphone/wasmphone/internal/clock"
)

// Errors reported by [Transport.Send] and in [Disconnected] events. Test
// for them with errors.Is.
var (
	// ErrNotConnected is returned by Send while no connection is open
	// (before Start, between connections, after Stop). Nothing is queued.
	ErrNotConnected = errors.New("transport: not connected")
	// ErrNoSubprotocol: the server did not select the "sip" WebSocket
	// subprotocol (RFC 7118 §4), so the connection was refused.
	ErrNoSubprotocol = errors.New("transport: server did not select the sip WebSocket subprotocol")
	// ErrKeepAliveTimeout: the server showed no sign of life within
	// PongTimeout after a keep-alive ping.
	ErrKeepAliveTimeout = errors.New("transport: keep-alive timeout")
	// ErrDialTimeout: a connection attempt took longer than DialTimeout.
	ErrDialTimeout = errors.New("transport: dial timeout")
	// ErrMessageTooBig: the server sent a message larger than
	// MaxMessageSize; the connection was closed with status 1009.
	ErrMessageTooBig = errors.New("transport: message too big")
)

// Internal cancellation causes of a connection attempt or connection.
var (
	errReconnect = errors.New("transport: reconnect requested")
	errStopped   = errors.New("transport: stopped")
)

// WebSocket close status codes reported in [Disconnected] events
// (RFC 6455 §7.4.1).
const (
	CodeNormal        = 1000 // closed normally (Stop, or the server's 1000)
	CodeProtocolError = 1002 // protocol error (e.g. no sip subprotocol)
	CodeAbnormal      = 1006 // the connection was lost without a close status
	CodeMessageTooBig = 1009 // a message exceeded MaxMessageSize
)

// EventKind tells what an [Event] reports.
type EventKind int

// The kinds of [Event].
const (
	// Connecting: a connection attempt to URL starts. Attempt counts the
	// attempts since the last successful connection, from 1.
	Connecting EventKind = iota + 1
	// Connected: the WebSocket to URL is open with the sip subprotocol;
	// Send works from now on.
	Connected
	// Disconnected: a connection attempt failed or an open connection
	// ended. Err, Code and Reason tell why.
	Disconnected
	// Message: the server sent one SIP message, in Data.
	Message
)

// String returns the kind's name.
func (k EventKind) String() string {
	switch k {
	case Connecting:
		return "connecting"
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	case Message:
		return "message"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is something that happened to the transport, delivered in order
// on [Transport.Events].
//
// Every Connecting event is followed by exactly one Connected or
// Disconnected event for the same URL, and every Connected event by
// Message events and then exactly one Disconnected event (the last one,
// after Stop, is delivered only if the channel has room; see
// [Transport.Stop]).
type Event struct {
	Kind EventKind
	// URL is the server concerned (all kinds).
	URL string
	// Attempt numbers Connecting events since the last successful
	// connection, from 1.
	Attempt int
	// Data is the message of a Message event. It belongs to the receiver.
	Data []byte
	// Err is why a Disconnected event happened. It is nil only when the
	// transport closed the connection on request (Stop or Reconnect).
	Err error
	// Code is the WebSocket close status of a Disconnected event: the
	// server's close status when it sent one, 1000 after Stop, 1002 when
	// the server did not select the sip subprotocol, 1009 when a message
	// was too big, 1006 when an open connection was lost (or dropped by
	// Reconnect or the keep-alive) without a close status, and 0 when
	// the connection never opened.
	//
	// Under js/wasm browsers send no close status below 3000 but 1000,
	// so the transport closes with 1000 where natively it sends 1002 or
	// 1009.
	Code int
	// Reason is the close reason sent by the server, or a short
	// description of why the transport closed the connection.
	Reason string
}

// Transport is a SIP-over-WebSocket transport (RFC 7118): it keeps one
// WebSocket connection with the "sip" subprotocol open to one of the
// configured servers, sends and receives one SIP message per WebSocket
// message, and reconnects whenever the connection drops. It knows nothing
// of SIP beyond framing and keep-alives.
//
// # Events
//
// Connection changes and received messages are delivered, in order, on
// the channel returned by Events, whose capacity is Config.EventBuffer.
// The consumer must drain it: when the channel is full the transport
// stops reading from the server (back-pressure) instead of dropping
// messages, which also holds back the keep-alive accounting. After Stop
// the channel is closed, so a receive that reports !ok means the
// transport is finished.
//
// # Reconnection and failover
//
// Servers are tried in order of descending Weight (equal weights in the
// order given). A connection attempt that fails moves on to the next
// server at once; a round ends when a server connects or every server
// failed. Each round starts again from the most preferred server, so the
// transport returns to it as soon as it is reachable again after a drop.
//
// Before every round except the first one after Start or Reconnect, the
// transport waits a random delay drawn uniformly from
// [MinBackoff, min(MaxBackoff, MinBackoff·2^n)], where n counts the
// rounds since the last stable connection (with the defaults: 2-4 s,
// 2-8 s, 2-16 s, then 2-30 s), in the spirit of JsSIP's random
// 1..2^n+1 s clamped to 2..30 s but with jitter from the first retry. A
// connection is stable, and resets n, once it received anything from the
// server or stayed open for MaxBackoff; a server that accepts and drops
// connections at once therefore meets a growing delay.
//
// # Keep-alive
//
// While connected the transport sends a double CRLF (RFC 5626 §4.4.1)
// every KeepAlive. If nothing at all arrives from the server within
// PongTimeout after a ping (the server's single CRLF pong or any other
// message), the connection is presumed dead: it is dropped, reported as
// Disconnected with ErrKeepAliveTimeout, and reconnected. In the other
// direction, a message that is exactly CRLF CRLF from the server is
// answered with CRLF; messages made only of CR and LF (pings, pongs) and
// empty messages are never delivered.
//
// # Concurrency
//
// All methods are safe for concurrent use. Send may be called from any
// goroutine; none of the methods waits for the event consumer except
// Stop, which never blocks on a full Events channel.
type Transport struct {
	cfg    Config
	log    *slog.Logger
	events chan Event
	stopCh chan struct{} // closed by Stop
	done   chan struct{} // closed when run has returned
	wake   chan struct{} // Reconnect's signal to a waiting run (cap 1)

	mu               sync.Mutex
	started          bool
	stopping         bool
	reconnectPending bool
	cur              int                     // index in cfg.Servers of the current server
	conn             wsConn                  // open connection, nil when down
	link             *link                   // state of conn (for tests)
	abort            context.CancelCauseFunc // cancels the current attempt or connection
}

// New validates cfg and returns a Transport that is not connected yet;
// call Start. It fails on a missing server, a URL whose scheme is not
// ws or wss, or inconsistent durations.
func New(cfg Config) (*Transport, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Transport{
		cfg:    c,
		log:    c.Logger,
		events: make(chan Event, c.EventBuffer),
		stopCh: make(chan struct{}),
		done:   make(chan struct{}),
		wake:   make(chan struct{}, 1),
	}, nil
}

// Start begins connecting in the background and keeps a connection open,
// reconnecting as described on [Transport], until Stop. Calling it again,
// or after Stop, does nothing: a Transport is used once.
func (t *Transport) Start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started || t.stopping {
		return
	}
	t.started = true
	go t.run()
}

// stopGrace bounds the close handshake of Stop.
const stopGrace = 2 * time.Second

// Stop closes the connection with status 1000 and stops reconnecting.
// When it returns, every goroutine of the transport has finished and the
// Events channel is closed; the Disconnected event of an open connection
// is delivered only if the channel had room, and undelivered messages are
// discarded. Stop waits for the WebSocket close handshake for a bounded
// time (2 s, in rare cases up to the 5 s that coder/websocket allows
// natively) before it drops the connection. It is idempotent and safe to
// call concurrently.
//
// Under js/wasm a connection attempt that Stop (or Reconnect, or the dial
// timeout) abandons is closed with 1000, which fails it if it is still
// connecting.
func (t *Transport) Stop() {
	t.mu.Lock()
	if t.stopping {
		t.mu.Unlock()
		<-t.done
		return
	}
	t.stopping = true
	close(t.stopCh)
	started := t.started
	c, abort := t.conn, t.abort
	t.conn = nil
	t.mu.Unlock()

	if !started {
		close(t.events)
		close(t.done)
		return
	}
	if c != nil {
		// The read loop sees the close and ends the connection. A
		// server that does not complete the close handshake in time is
		// cut off.
		// Under js/wasm Close only starts the handshake: the cut stays
		// armed until the connection has really ended.
		cut := t.cfg.Clock.AfterFunc(stopGrace, func() { abort(errStopped) })
		c.Close(CodeNormal, "")
		<-t.done
		cut.Stop()
		return
	} else if abort != nil {
		abort(errStopped)
	}
	<-t.done
}

// Reconnect drops the current connection, if any, without waiting for a
// close handshake (the old network path may be gone), and connects again
// at once, starting from the most preferred server and without back-off.
// Use it after a network change. It does nothing before Start or after
// Stop.
func (t *Transport) Reconnect() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started || t.stopping {
		return
	}
	t.reconnectPending = true
	if t.abort != nil {
		t.abort(errReconnect)
	}
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Events returns the channel on which events are delivered, in order.
// See [Transport] for the duty to drain it and [Transport.Stop] for its
// closing.
func (t *Transport) Events() <-chan Event { return t.events }

// Connected reports whether a connection is open (Send can succeed).
func (t *Transport) Connected() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.conn != nil
}

// Via returns the Via transport token for the current server (the one
// connected or being tried; before Start the most preferred one): "WSS"
// for wss:// URLs, "WS" for ws:// (RFC 7118 §5.2).
func (t *Transport) Via() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return viaTransport(t.cfg.Servers[t.cur].URL)
}

// Send sends msg, one complete SIP message, as one WebSocket message: a
// text message when msg is valid UTF-8, a binary one otherwise (RFC 7118
// §5.2 allows both). It returns an error wrapping ErrNotConnected when no
// connection is open; messages are never queued. A ctx that expires while
// the message is being written closes the connection (a partly written
// message cannot be taken back), which then reconnects.
func (t *Transport) Send(ctx context.Context, msg []byte) error {
	t.mu.Lock()
	c := t.conn
	t.mu.Unlock()
	if c == nil {
		return ErrNotConnected
	}
	if err := c.Write(ctx, !utf8.Valid(msg), msg); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("%w: %w", ErrNotConnected, err)
		}
		return fmt.Errorf("transport: send: %w", err)
	}
	return nil
}

// emit delivers ev, waiting for room in the channel until Stop; after
// Stop it delivers only if there is room.
func (t *Transport) emit(ev Event) {
	select {
	case t.events <- ev:
		return
	case <-t.stopCh:
	}
	select {
	case t.events <- ev:
	default:
	}
}

// outcome is how one connection attempt ended, for run.
type outcome int

const (
	outFailed    outcome = iota // the attempt failed: try the next server
	outDropped                  // a connection was open and ended: back off, start over
	outReconnect                // Reconnect was called: start over now
	outStopped                  // Stop was called: return
)

// run is the supervisor goroutine: it connects, watches the connection,
// and reconnects until Stop.
func (t *Transport) run() {
	defer close(t.done)
	defer close(t.events)

	failures := 0 // rounds since the last stable connection
	attempt := 0  // attempts since the last successful connection
	wait := false
	for {
		if wait {
			d := backoff(failures, t.cfg.MinBackoff, t.cfg.MaxBackoff, t.cfg.Rand)
			t.log.Info("transport: waiting before reconnecting", "delay", d, "round", failures)
			switch t.sleep(d) {
			case outStopped:
				return
			case outReconnect:
				failures, attempt = 0, 0
			}
		}
		wait = true
	round:
		for i := range t.cfg.Servers {
			attempt++
			out, stable := t.connect(i, attempt)
			switch out {
			case outStopped:
				return
			case outReconnect:
				failures, attempt = 0, 0
				wait = false
				break round
			case outDropped:
				attempt = 0
				if stable {
					failures = 0
				}
				break round
			}
		}
		if wait {
			failures++
		}
	}
}

// sleep waits d, or less when Stop or Reconnect interrupts it.
func (t *Transport) sleep(d time.Duration) outcome {
	tm := t.cfg.Clock.NewTimer(d)
	defer tm.Stop()
	for {
		select {
		case <-t.stopCh:
			return outStopped
		case <-tm.C():
			return outFailed
		case <-t.wake:
			if t.takeReconnect() {
				return outReconnect
			}
		}
	}
}

// takeReconnect consumes a pending Reconnect request.
func (t *Transport) takeReconnect() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.takeReconnectLocked()
}

func (t *Transport) takeReconnectLocked() bool {
	if !t.reconnectPending {
		return false
	}
	t.reconnectPending = false
	select {
	case <-t.wake:
	default:
	}
	return true
}

// link is the state of one connection attempt and connection.
type link struct {
	url    string
	ctx    context.Context // cancelled (with a cause) to drop the connection
	cancel context.CancelCauseFunc
	rx     atomic.Uint64 // messages and frames received: liveness
	pingRx atomic.Uint64 // rx when the last keep-alive ping was sent
	busy   atomic.Bool   // the reader is waiting for the event consumer
	done   chan error    // the reader's final error (cap 1)
}

func (l *link) alive() { l.rx.Add(1) }

// connect makes one attempt on server i and, when it succeeds, serves the
// connection until it ends. stable tells whether an ended connection
// counts as stable.
func (t *Transport) connect(i, attempt int) (out outcome, stable bool) {
	srv := t.cfg.Servers[i]
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	l := &link{url: srv.URL, ctx: ctx, cancel: cancel, done: make(chan error, 1)}

	t.mu.Lock()
	if t.stopping {
		t.mu.Unlock()
		return outStopped, false
	}
	if t.takeReconnectLocked() {
		t.mu.Unlock()
		return outReconnect, false
	}
	t.cur = i
	t.abort = cancel
	t.mu.Unlock()

	t.log.Info("transport: connecting", "url", srv.URL, "attempt", attempt)
	t.emit(Event{Kind: Connecting, URL: srv.URL, Attempt: attempt})

	dialCtx, dialCancel := context.WithCancelCause(ctx)
	timer := t.cfg.Clock.AfterFunc(t.cfg.DialTimeout, func() { dialCancel(ErrDialTimeout) })
	c, err := dial(dialCtx, srv.URL, &t.cfg, l.alive)
	timer.Stop()
	if err != nil {
		if errors.Is(context.Cause(dialCtx), ErrDialTimeout) {
			err = fmt.Errorf("transport: connecting to %s: %w (%v)", srv.URL, ErrDialTimeout, t.cfg.DialTimeout)
		} else {
			err = fmt.Errorf("transport: connecting to %s: %w", srv.URL, err)
		}
		dialCancel(nil)
		return t.attemptFailed(srv.URL, err, 0, "")
	}
	dialCancel(nil)
	if p := c.Subprotocol(); p != "sip" {
		c.Close(CodeProtocolError, "the sip subprotocol is required")
		return t.attemptFailed(srv.URL,
			fmt.Errorf("%w (%s selected %q)", ErrNoSubprotocol, srv.URL, p),
			CodeProtocolError, "sip subprotocol not selected")
	}
	c.SetReadLimit(t.cfg.MaxMessageSize)

	t.mu.Lock()
	if t.stopping {
		t.abort = nil
		t.mu.Unlock()
		c.Close(CodeNormal, "")
		t.emit(Event{Kind: Disconnected, URL: srv.URL, Code: CodeNormal, Reason: "stopped"})
		return outStopped, false
	}
	t.conn, t.link = c, l
	t.mu.Unlock()

	return t.serve(c, l)
}

// attemptFailed reports a failed attempt and tells run what to do next.
func (t *Transport) attemptFailed(url string, err error, code int, reason string) (outcome, bool) {
	t.mu.Lock()
	t.abort = nil
	stopping := t.stopping
	reconnect := !stopping && t.takeReconnectLocked()
	t.mu.Unlock()

	ev := Event{Kind: Disconnected, URL: url, Err: err, Code: code, Reason: reason}
	switch {
	case stopping:
		ev.Err, ev.Reason = nil, "stopped"
		t.emit(ev)
		return outStopped, false
	case reconnect:
		ev.Err, ev.Reason = nil, "reconnect requested"
		t.emit(ev)
		return outReconnect, false
	}
	t.log.Info("transport: connection attempt failed", "url", url, "err", err)
	t.emit(ev)
	return outFailed, false
}

// serve runs an open connection: it starts the reader, sends keep-alives,
// and reports the end of the connection.
func (t *Transport) serve(c wsConn, l *link) (outcome, bool) {
	connectedAt := t.cfg.Clock.Now()
	t.log.Info("transport: connected", "url", l.url)
	t.emit(Event{Kind: Connected, URL: l.url})
	go t.read(c, l)

	if t.cfg.KeepAlive <= 0 {
		return t.ended(l, <-l.done, connectedAt)
	}
	ping := t.cfg.Clock.NewTimer(t.cfg.KeepAlive)
	var pong clock.Timer
	for {
		select {
		case err := <-l.done:
			// Timers are stopped before the Disconnected event, so that
			// a test that sees it can count the back-off timer alone.
			ping.Stop()
			if pong != nil {
				pong.Stop()
			}
			return t.ended(l, err, connectedAt)
		case <-ping.C():
			// Both timers are armed before the ping leaves, so that a
			// server that sees it knows they are.
			ping.Reset(t.cfg.KeepAlive)
			l.pingRx.Store(l.rx.Load())
			if t.cfg.PongTimeout > 0 {
				if pong == nil {
					pong = t.cfg.Clock.AfterFunc(t.cfg.PongTimeout, l.checkPong)
				} else {
					pong.Reset(t.cfg.PongTimeout)
				}
			}
			if err := c.Write(l.ctx, false, crlfcrlf); err != nil {
				// The reader sees the broken connection too.
				t.log.Debug("transport: keep-alive ping failed", "url", l.url, "err", err)
			}
		}
	}
}

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
)

// checkPong runs PongTimeout after a ping: with no data received since,
// and the reader not held up by the event consumer, the connection is
// dead.
func (l *link) checkPong() {
	if l.rx.Load() == l.pingRx.Load() && !l.busy.Load() {
		l.cancel(ErrKeepAliveTimeout)
	}
}

// read is the reader goroutine of a connection: it delivers messages,
// answers pings, and reports the error that ended the connection on
// l.done.
func (t *Transport) read(c wsConn, l *link) {
	var err error
	defer func() {
		// A Read that fails on a cancelled context may leave the
		// connection open: make sure it is closed before reporting.
		c.CloseNow()
		l.done <- err
	}()
	for {
		var data []byte
		data, err = c.Read(l.ctx)
		if err != nil {
			return
		}
		l.alive()
		if onlyCRLF(data) {
			if len(data) == len(crlfcrlf) {
				// RFC 5626 §4.4.1: answer a double-CRLF ping with a
				// CRLF pong. A failure shows up in the next Read.
				_ = c.Write(l.ctx, false, crlf)
			}
			continue
		}
		l.busy.Store(true)
		t.emit(Event{Kind: Message, URL: l.url, Data: data})
		l.busy.Store(false)
	}
}

// onlyCRLF reports whether p holds nothing but CR and LF characters (an
// empty p included): a keep-alive ping or pong, never a SIP message.
func onlyCRLF(p []byte) bool {
	for _, b := range p {
		if b != '\r' && b != '\n' {
			return false
		}
	}
	return true
}

// ended reports the end of an open connection and tells run what to do.
func (t *Transport) ended(l *link, err error, connectedAt time.Time) (outcome, bool) {
	t.mu.Lock()
	t.conn, t.link = nil, nil
	t.abort = nil
	stopping := t.stopping
	reconnect := !stopping && t.takeReconnectLocked()
	t.mu.Unlock()

	stable := l.rx.Load() > 0 || t.cfg.Clock.Now().Sub(connectedAt) >= t.cfg.MaxBackoff
	ev := Event{Kind: Disconnected, URL: l.url}
	cause := context.Cause(l.ctx)
	var ce *closedError
	switch {
	case stopping:
		ev.Code, ev.Reason = CodeNormal, "stopped"
	case errors.Is(cause, errReconnect):
		ev.Code, ev.Reason = CodeAbnormal, "reconnect requested"
	case errors.Is(cause, ErrKeepAliveTimeout):
		ev.Err = fmt.Errorf("%w: nothing from %s within %v of a ping", ErrKeepAliveTimeout, l.url, t.cfg.PongTimeout)
		ev.Code, ev.Reason = CodeAbnormal, "keep-alive timeout"
	case errors.Is(err, errTooBig):
		ev.Err = fmt.Errorf("%w: %w", ErrMessageTooBig, err)
		ev.Code, ev.Reason = CodeMessageTooBig, "message too big"
	case errors.As(err, &ce):
		ev.Err, ev.Code, ev.Reason = fmt.Errorf("transport: closed by %s: %w", l.url, err), ce.Code, ce.Reason
	default:
		ev.Err, ev.Code, ev.Reason = fmt.Errorf("transport: connection to %s lost: %w", l.url, err), CodeAbnormal, "connection lost"
	}
	t.log.Info("transport: disconnected", "url", l.url, "code", ev.Code, "reason", ev.Reason, "err", ev.Err)
	t.emit(ev)
	switch {
	case stopping:
		return outStopped, stable
	case reconnect:
		return outReconnect, stable
	}
	return outDropped, stable
}

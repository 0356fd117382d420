package pbx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
)

// streamOp is the Op of the errors the stream reports.
const streamOp = "GET /stream"

// ErrStreamIdle is the cause (in an *Error's Err) of a reconnection after
// nothing, not even a heartbeat, arrived for StreamOptions.IdleTimeout: the
// connection is presumed dead even though no error was seen, which is what
// a NAT or proxy silently dropping it looks like.
var ErrStreamIdle = errors.New("pbx: stream idle timeout")

// Event is one event of the PBX event stream, e.g.
//
//	{"event":"incomingcall","location":"/customers/325/calls/1",
//	 "values":{"callerIdNumber":"01234567890","callerIdName":"Alice",
//	           "endpoint":"/customers/325/endpoints/6874"}}
//
// The same Event value goes to every matching handler: treat it, its Values
// and its Raw bytes as read-only.
type Event struct {
	// Event is the event's name: "incomingcall", "smsreceived",
	// "smsdelivered", or any other the server sends.
	Event string `json:"event"`
	// Location is the decoded "location" value as encoding/json decodes
	// into an any (usually a string path), nil when absent.
	Location any `json:"location"`
	// Values holds the event's "values" object, nil when absent.
	Values map[string]any `json:"values"`
	// Raw is the whole object exactly as received, so that fields this
	// type does not know about still reach the user (the JavaScript
	// layer hands callbacks the complete object).
	Raw json.RawMessage `json:"-"`
}

// StreamStatus is the connection status of a Stream.
type StreamStatus int

// The statuses of a Stream. The zero value is StreamStopped: a stream
// nobody has subscribed to holds no connection.
const (
	// StreamStopped: no connection and none being attempted, because
	// nobody is subscribed, the server refused the credentials (Err says
	// so) or the stream was closed (Err is ErrClosed).
	StreamStopped StreamStatus = iota
	// StreamConnecting: a request for the stream is in flight.
	StreamConnecting
	// StreamConnected: the server accepted the request and the response
	// is being read.
	StreamConnected
	// StreamReconnecting: the last connection failed or ended; the next
	// attempt starts after Delay.
	StreamReconnecting
)

// String returns the status in lower case, e.g. "connected", the form the
// JavaScript layer shows.
func (s StreamStatus) String() string {
	switch s {
	case StreamStopped:
		return "stopped"
	case StreamConnecting:
		return "connecting"
	case StreamConnected:
		return "connected"
	case StreamReconnecting:
		return "reconnecting"
	}
	return "unknown"
}

// StreamState is a snapshot of a Stream's connection state.
type StreamState struct {
	State StreamStatus
	// Attempt counts the connection attempts since the last connection
	// that delivered something: 0 for the first connection, n >= 1 for
	// the n-th retry. In StreamReconnecting it is the number of the retry
	// that Delay leads to.
	Attempt int
	// Delay is the wait before the next attempt (StreamReconnecting only).
	Delay time.Duration
	// Err says why the stream is reconnecting or stopped: an *Error (an
	// HTTP error from httpError, or a network failure, ErrStreamIdle or
	// ErrStreamObjectTooLarge in its Err), or ErrClosed after Close. It is
	// nil while connecting or connected and when stopped because nobody is
	// subscribed.
	Err error
}

// StreamOptions configures a Stream. Zero fields take their defaults.
type StreamOptions struct {
	// IdleTimeout: reconnect when nothing, not even a heartbeat, arrived
	// for this long. It also bounds the wait for the response headers.
	// Default 2 minutes: the server sends a heartbeat every 60 s, so
	// one lost heartbeat is tolerated.
	IdleTimeout time.Duration
	// MinBackoff is the back-off before the first retry. Default 1 s.
	MinBackoff time.Duration
	// MaxBackoff caps the back-off. Default 30 s.
	MaxBackoff time.Duration
	// Clock is the source of timers. Default clock.Real().
	Clock clock.Clock
	// Logger receives the stream's diagnostics. Default: discard. The
	// stream never logs credentials, headers or URLs.
	Logger *slog.Logger
}

// Stream is the PBX event stream: one standing GET of /stream, decoded
// into Events and fanned out to subscribers.
//
// The connection is shared by every subscription: it opens on the first
// Subscribe and closes after the last unsubscribe. It reconnects with a
// jittered exponential back-off after a drop, a read error, an HTTP error
// other than 401 and 403, or IdleTimeout without data; a 401 or 403 stops
// it (see Subscribe for how to retry).
//
// Threading: one goroutine owns the connection and calls the handlers and
// the OnState listeners, one call at a time, events in arrival order. (A
// connection reopened after the last unsubscribe gets a new goroutine,
// which starts only once the previous one has finished, so calls never
// overlap.) A handler blocks the stream while it runs (the next data is
// not read until it returns; the idle timeout restarts after it), so it
// should hand long work to another goroutine. A handler or listener may
// call any method of the Stream, including unsubscribe and Close.
//
// Heartbeats: an object without an "event" field, with an empty or null
// one, or whose event is "heartbeat", "ping" or "keepalive" (in any case)
// is a heartbeat. Heartbeats are never delivered to handlers. Any data at
// all, heartbeat, event or padding, restarts the idle timeout.
//
// All methods are safe for concurrent use.
type Stream struct {
	t         Transport
	url       string
	header    func() Header
	idle      time.Duration
	minB      time.Duration
	maxB      time.Duration
	clk       clock.Clock
	log       *slog.Logger
	maxObject int
	// randN returns a uniform random number in [0, n); tests replace it
	// before the first Subscribe to make the jitter predictable.
	randN func(n int64) int64

	mu        sync.Mutex
	closed    bool
	sess      *streamSession // newest session; nil when none is running
	listeners []*streamListener
	state     StreamState
	// subs is replaced, never modified, under mu, so that the owner
	// goroutine reads it per event without locking.
	subs atomic.Pointer[[]*streamSubscription]

	// notifyMu serializes state changes with the calls of the listeners,
	// so every listener sees the states in the order they happened.
	notifyMu       sync.Mutex
	closedNotified bool // guarded by notifyMu

	// inCallback counts the handler and listener calls in progress; Close
	// does not wait for the owner goroutine while one runs, since it may
	// be that very call.
	inCallback atomic.Int32
}

// streamSession is one run of the owner goroutine, from the Subscribe that
// started it to the last unsubscribe, a fatal error or Close.
type streamSession struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the owner goroutine is finishing
	ending bool          // guarded by Stream.mu: stopping; a new Subscribe starts a successor
}

type streamSubscription struct {
	all    bool
	names  []string
	h      func(Event)
	active atomic.Bool
}

func (sub *streamSubscription) matches(name string) bool {
	if sub.all {
		return true
	}
	for _, n := range sub.names {
		if n == name {
			return true
		}
	}
	return false
}

type streamListener struct{ f func(StreamState) }

// newStream returns a Stream that reads url through t, calling header for
// the headers (authentication included) of every connection, so that
// credentials changed in between are picked up. No connection is made
// before the first Subscribe.
func newStream(t Transport, url string, header func() Header, opts StreamOptions) *Stream {
	s := &Stream{
		t:         t,
		url:       url,
		header:    header,
		idle:      opts.IdleTimeout,
		minB:      opts.MinBackoff,
		maxB:      opts.MaxBackoff,
		clk:       opts.Clock,
		log:       opts.Logger,
		maxObject: defaultMaxObjectSize,
		randN:     rand.Int64N,
	}
	if s.idle <= 0 {
		s.idle = 2 * time.Minute
	}
	if s.minB <= 0 {
		s.minB = time.Second
	}
	if s.maxB <= 0 {
		s.maxB = 30 * time.Second
	}
	if s.maxB < s.minB {
		s.maxB = s.minB
	}
	if s.clk == nil {
		s.clk = clock.Real()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Subscribe calls h for every event whose name is in events; an empty list
// or one containing "*" means every event. Names match exactly
// ("incomingcall", "smsreceived", "smsdelivered"). It returns a function
// that ends the subscription; calling it again does nothing, and once it
// has returned h is not called again (a call in progress may finish).
//
// The first subscription opens the connection. If the stream is stopped
// after a 401 or 403, Subscribe tries again, with all the current
// subscriptions and freshly computed headers: this is how to resume after
// fixing the credentials. After Close, and for a nil h, Subscribe does
// nothing and returns a no-op function.
//
// A handler that panics is recovered (the panic is logged) and keeps its
// subscription.
func (s *Stream) Subscribe(events []string, h func(Event)) (unsubscribe func()) {
	if h == nil {
		return func() {}
	}
	sub := &streamSubscription{h: h, all: len(events) == 0}
	for _, e := range events {
		if e == "*" {
			sub.all = true
		}
	}
	if !sub.all {
		sub.names = append([]string(nil), events...)
	}
	sub.active.Store(true)

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return func() {}
	}
	old := s.loadSubs()
	// A full slice expression makes append copy: the owner goroutine may
	// be reading the old slice.
	s.storeSubsLocked(append(old[:len(old):len(old)], sub))
	if s.sess == nil || s.sess.ending {
		s.startSessionLocked()
	}
	s.mu.Unlock()

	var once sync.Once
	return func() { once.Do(func() { s.unsubscribe(sub) }) }
}

func (s *Stream) unsubscribe(sub *streamSubscription) {
	sub.active.Store(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.loadSubs()
	subs := make([]*streamSubscription, 0, len(old))
	for _, o := range old {
		if o != sub {
			subs = append(subs, o)
		}
	}
	s.storeSubsLocked(subs)
	if len(subs) == 0 && s.sess != nil && !s.sess.ending {
		s.sess.ending = true
		s.sess.cancel()
	}
}

// loadSubs returns the current subscriptions; the slice must not be
// modified.
func (s *Stream) loadSubs() []*streamSubscription {
	if p := s.subs.Load(); p != nil {
		return *p
	}
	return nil
}

func (s *Stream) storeSubsLocked(subs []*streamSubscription) { s.subs.Store(&subs) }

// startSessionLocked starts an owner goroutine. A previous session that is
// still ending is waited for first, so there is never more than one
// connection and handlers never run on two goroutines at once.
func (s *Stream) startSessionLocked() {
	ctx, cancel := context.WithCancel(context.Background())
	ss := &streamSession{ctx: ctx, cancel: cancel, done: make(chan struct{})}
	prev := s.sess
	s.sess = ss
	go s.run(ss, prev)
}

// OnState registers f to be called with every state change, from the
// stream's goroutine (or from Close), one call at a time and in order. It
// is not called with the current state: use State for that. The returned
// function removes f; calling it again does nothing.
func (s *Stream) OnState(f func(StreamState)) (remove func()) {
	if f == nil {
		return func() {}
	}
	l := &streamListener{f: f}
	s.mu.Lock()
	s.listeners = append(s.listeners[:len(s.listeners):len(s.listeners)], l)
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			ls := make([]*streamListener, 0, len(s.listeners))
			for _, o := range s.listeners {
				if o != l {
					ls = append(ls, o)
				}
			}
			s.listeners = ls
		})
	}
}

// State returns the current connection state.
func (s *Stream) State() StreamState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Close closes the connection and ends every subscription; later
// Subscribes do nothing. The state becomes StreamStopped with ErrClosed.
// Close waits until the stream's goroutines have finished, except when a
// handler or listener is running at that moment (Close may be called from
// one): then the goroutine finishes as soon as that call returns, and no
// further handler is called either way. Calling Close again does nothing.
// It always returns nil.
func (s *Stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.state = StreamState{State: StreamStopped, Err: ErrClosed}
	for _, sub := range s.loadSubs() {
		sub.active.Store(false)
	}
	s.storeSubsLocked(nil)
	ss := s.sess
	if ss != nil {
		ss.ending = true
		ss.cancel()
	}
	s.mu.Unlock()
	if ss != nil {
		if s.inCallback.Load() > 0 {
			return nil // the owner notifies the listeners as it exits
		}
		<-ss.done
	}
	s.notifyClosed()
	return nil
}

// run is the owner goroutine of a session.
func (s *Stream) run(ss *streamSession, prev *streamSession) {
	var final StreamState
	defer func() {
		s.publishFinal(ss, final)
		close(ss.done)
		s.mu.Lock()
		if s.sess == ss {
			s.sess = nil
		}
		s.mu.Unlock()
		ss.cancel()
	}()
	if prev != nil {
		<-prev.done
	}
	attempt := 0
	for ss.ctx.Err() == nil {
		s.publish(ss, StreamState{State: StreamConnecting, Attempt: attempt})
		delivered, err, fatal := s.connect(ss, attempt)
		if ss.ctx.Err() != nil {
			return
		}
		if fatal {
			s.mu.Lock()
			ss.ending = true
			s.mu.Unlock()
			s.log.Error("pbx: event stream stopped", "err", err)
			final = StreamState{State: StreamStopped, Attempt: attempt, Err: err}
			return
		}
		if delivered {
			attempt = 0
		}
		attempt++
		delay := s.backoff(attempt)
		s.log.Warn("pbx: event stream reconnecting", "attempt", attempt, "delay", delay, "err", err)
		s.publish(ss, StreamState{State: StreamReconnecting, Attempt: attempt, Delay: delay, Err: err})
		t := s.clk.NewTimer(delay)
		select {
		case <-t.C():
		case <-ss.ctx.Done():
			t.Stop()
			return
		}
	}
}

// backoff returns the wait before retry number attempt (>= 1): a uniform
// random duration in [b/2, b] where b = MinBackoff * 2^(attempt-1), capped
// at MaxBackoff. Jitter keeps many clients from reconnecting in lockstep
// after a server restart; keeping it below b means MaxBackoff is a true
// maximum.
func (s *Stream) backoff(attempt int) time.Duration {
	b := s.minB
	for i := 1; i < attempt && b < s.maxB; i++ {
		b *= 2
	}
	if b > s.maxB {
		b = s.maxB
	}
	half := b / 2
	return half + time.Duration(s.randN(int64(b-half)+1))
}

type streamMsgKind int

const (
	streamMsgConnected streamMsgKind = iota // 2xx response headers arrived
	streamMsgBatch                          // data arrived; objs may be empty
	streamMsgDone                           // the connection ended with err
)

type streamMsg struct {
	kind  streamMsgKind
	objs  [][]byte // streamMsgBatch: valid until acknowledged
	err   error    // streamMsgDone
	fatal bool     // streamMsgDone: do not retry
}

// connect makes one connection and serves it until it ends. It reports
// whether the connection delivered any object, the error it ended with,
// and whether that error is fatal. It returns only after the reading
// goroutine has exited and the response body is closed.
func (s *Stream) connect(ss *streamSession, attempt int) (delivered bool, err error, fatal bool) {
	ctx, cancel := context.WithCancel(ss.ctx)
	msgs := make(chan streamMsg)
	ack := make(chan struct{}, 1)
	exited := make(chan struct{})
	// The idle timer runs from the start, so a server that never answers
	// is given up on too.
	idle := s.clk.NewTimer(s.idle)
	go func() {
		defer close(exited)
		s.read(ctx, msgs, ack)
	}()
	defer func() {
		cancel()
		<-exited
		idle.Stop()
	}()
	for {
		var m streamMsg
		select {
		case <-ss.ctx.Done():
			return delivered, nil, false
		case m = <-msgs:
		case <-idle.C():
			select {
			case m = <-msgs: // data that raced with the timeout wins
			default:
				return delivered, &Error{Op: streamOp,
					Message: "no data for " + s.idle.String(), Err: ErrStreamIdle}, false
			}
		}
		switch m.kind {
		case streamMsgConnected:
			idle.Reset(s.idle)
			s.log.Info("pbx: event stream connected", "attempt", attempt)
			s.publish(ss, StreamState{State: StreamConnected, Attempt: attempt})
		case streamMsgBatch:
			for _, obj := range m.objs {
				delivered = true
				s.dispatch(ss, obj)
			}
			// Restarted after the handlers, so that slow handlers do
			// not count as silence of the server.
			idle.Reset(s.idle)
			ack <- struct{}{}
		case streamMsgDone:
			return delivered, m.err, m.fatal
		}
	}
}

// read is the connection's reading goroutine: it makes the request, then
// reads and splits the body, handing each chunk's objects to the owner and
// waiting for the owner to be done with them before reading on (which
// lets the decoder reuse its buffer and pushes back on the server when
// handlers are slow). It stops when ctx is done.
func (s *Stream) read(ctx context.Context, msgs chan<- streamMsg, ack <-chan struct{}) {
	send := func(m streamMsg) bool {
		select {
		case msgs <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var h Header
	if s.header != nil {
		h = s.header()
	}
	resp, err := s.t.Do(ctx, &Request{Method: "GET", URL: s.url, Header: h})
	if err != nil {
		if ctx.Err() == nil {
			send(streamMsg{kind: streamMsgDone, err: asStreamError("connection failed", err)})
		}
		return
	}
	if resp == nil {
		send(streamMsg{kind: streamMsgDone, err: asStreamError("connection failed", errors.New("transport returned no response"))})
		return
	}
	body := resp.Body
	if body == nil {
		body = io.NopCloser(bytes.NewReader(nil))
	}
	var closeOnce sync.Once
	closeBody := func() { closeOnce.Do(func() { _ = body.Close() }) }
	// Closing the body unblocks a Read even if the transport were slow to
	// notice the cancellation.
	stop := context.AfterFunc(ctx, closeBody)
	defer func() {
		stop()
		closeBody()
	}()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(body, 64<<10))
		fatal := resp.StatusCode == 401 || resp.StatusCode == 403
		send(streamMsg{kind: streamMsgDone, err: httpError(streamOp, resp, b), fatal: fatal})
		return
	}
	if !send(streamMsg{kind: streamMsgConnected}) {
		return
	}

	dec := newStreamDecoder(s.maxObject)
	buf := make([]byte, 32<<10)
	var batch [][]byte
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			_, derr := dec.Write(buf[:n])
			batch = batch[:0]
			for {
				obj, ok := dec.Next()
				if !ok {
					break
				}
				batch = append(batch, obj)
			}
			if !send(streamMsg{kind: streamMsgBatch, objs: batch}) {
				return
			}
			select {
			case <-ack:
			case <-ctx.Done():
				return
			}
			if derr != nil {
				send(streamMsg{kind: streamMsgDone, err: &Error{Op: streamOp, Message: "object too large", Err: derr}})
				return
			}
		}
		if rerr != nil {
			if ctx.Err() == nil {
				msg := "connection lost"
				if rerr == io.EOF {
					msg = "stream ended by the server"
				}
				send(streamMsg{kind: streamMsgDone, err: asStreamError(msg, rerr)})
			}
			return
		}
	}
}

// asStreamError wraps a transport error in an *Error, keeping one that
// already is.
func asStreamError(msg string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Op: streamOp, Message: msg, Err: err}
}

// dispatch decodes one object and calls the matching handlers.
func (s *Stream) dispatch(ss *streamSession, obj []byte) {
	ev, heartbeat, err := decodeStreamEvent(obj)
	if err != nil {
		s.log.Warn("pbx: event stream: skipping malformed object", "err", err, "size", len(obj))
		return
	}
	if heartbeat {
		return
	}
	for _, sub := range s.loadSubs() {
		if ss.ctx.Err() != nil {
			return
		}
		if sub.active.Load() && sub.matches(ev.Event) {
			s.callHandler(sub, ev)
		}
	}
}

// decodeStreamEvent decodes one object of the stream and reports whether
// it is a heartbeat. Raw is a copy of obj, which lives in the decoder's
// buffer, while Raw must outlive it.
func decodeStreamEvent(obj []byte) (ev Event, heartbeat bool, err error) {
	raw := bytes.Clone(obj)
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Event{}, false, err
	}
	ev.Raw = raw
	return ev, isStreamHeartbeat(ev.Event), nil
}

// isStreamHeartbeat reports whether an object with this event name is a
// heartbeat (see Stream). The exact shape of the server's heartbeat is not
// documented, so every plausible one is accepted.
func isStreamHeartbeat(name string) bool {
	return name == "" || strings.EqualFold(name, "heartbeat") ||
		strings.EqualFold(name, "ping") || strings.EqualFold(name, "keepalive")
}

func (s *Stream) callHandler(sub *streamSubscription, ev Event) {
	s.inCallback.Add(1)
	defer s.inCallback.Add(-1)
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("pbx: event stream handler panicked", "event", ev.Event,
				"panic", r, "stack", string(debug.Stack()))
		}
	}()
	sub.h(ev)
}

// publish records a state of a live session and tells the listeners. It
// drops the state when the session is ending or the stream is closed, so
// nothing contradicts the Stopped state that follows.
func (s *Stream) publish(ss *streamSession, st StreamState) {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.mu.Lock()
	if s.closed || ss.ctx.Err() != nil {
		s.mu.Unlock()
		return
	}
	s.state = st
	ls := s.listeners
	s.mu.Unlock()
	s.callListeners(ls, st)
}

// publishFinal records how a session ended: Stopped with ErrClosed after
// Close (once for the whole stream), with the fatal error, or with no
// error when nobody is subscribed any more. A session that merely ended
// because a successor took over reports nothing.
func (s *Stream) publishFinal(ss *streamSession, st StreamState) {
	s.mu.Lock()
	closed := s.closed
	successor := s.sess != ss && s.sess != nil
	s.mu.Unlock()
	if closed {
		s.notifyClosed()
		return
	}
	if successor && st.Err == nil {
		return
	}
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return // Close reports ErrClosed once it sees the session done
	}
	s.state = st
	ls := s.listeners
	s.mu.Unlock()
	s.callListeners(ls, st)
}

// notifyClosed tells the listeners, once, that the stream is closed.
func (s *Stream) notifyClosed() {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	if s.closedNotified {
		return
	}
	s.closedNotified = true
	st := StreamState{State: StreamStopped, Err: ErrClosed}
	s.mu.Lock()
	s.state = st
	ls := s.listeners
	s.mu.Unlock()
	s.callListeners(ls, st)
}

func (s *Stream) callListeners(ls []*streamListener, st StreamState) {
	s.inCallback.Add(1)
	defer s.inCallback.Add(-1)
	for _, l := range ls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("pbx: event stream state listener panicked", "panic", r,
						"stack", string(debug.Stack()))
				}
			}()
			l.f(st)
		}()
	}
}

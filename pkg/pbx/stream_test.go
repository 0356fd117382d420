package pbx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/clock"
)

// waitTimeout bounds every wait of these tests, so that a bug fails a test
// instead of hanging it. Nothing waits for it to pass in a passing run.
const waitTimeout = 10 * time.Second

// streamSecret is the credential the tests' header function returns; it
// must never appear in the logs.
const streamSecret = "c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M="

// fakeTransport hands every request to the test, which answers it through
// the fakeConn: a scripted response or error. No network is involved.
type fakeTransport struct {
	conns chan *fakeConn
	calls atomic.Int32
}

func newFakeTransport() *fakeTransport {
	return &fakeTransport{conns: make(chan *fakeConn)}
}

type fakeReply struct {
	resp *Response
	err  error
}

// fakeConn is one request in flight.
type fakeConn struct {
	ctx   context.Context
	req   *Request
	reply chan fakeReply
}

func (ft *fakeTransport) Do(ctx context.Context, req *Request) (*Response, error) {
	ft.calls.Add(1)
	c := &fakeConn{ctx: ctx, req: req, reply: make(chan fakeReply, 1)}
	select {
	case ft.conns <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-c.reply:
		return r.resp, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// accept waits for the next request.
func (ft *fakeTransport) accept(t *testing.T) *fakeConn {
	t.Helper()
	select {
	case c := <-ft.conns:
		return c
	case <-time.After(waitTimeout):
		t.Fatal("no connection attempt")
		return nil
	}
}

// expectNoConn fails if a request is waiting.
func (ft *fakeTransport) expectNoConn(t *testing.T) {
	t.Helper()
	select {
	case <-ft.conns:
		t.Fatal("unexpected connection attempt")
	default:
	}
}

// ok answers 200 with a body the test scripts.
func (c *fakeConn) ok() *fakeBody {
	b := newFakeBody(c.ctx, "")
	c.reply <- fakeReply{resp: &Response{StatusCode: 200, Status: "200 OK", Header: Header{}, URL: c.req.URL, Body: b}}
	return b
}

// status answers with an error status and a complete body.
func (c *fakeConn) status(code int, text, body string) *fakeBody {
	b := newFakeBody(c.ctx, body)
	close(b.chunks)
	c.reply <- fakeReply{resp: &Response{StatusCode: code, Status: text, Header: Header{}, URL: c.req.URL, Body: b}}
	return b
}

func (c *fakeConn) fail(err error) { c.reply <- fakeReply{err: err} }

// fakeBody is a response body fed chunk by chunk by the test. Each chunk
// is handed over only when the stream's reader asks for more data, and
// the reader asks only once the owner goroutine has dispatched the
// previous chunk's events, so sync gives the test a deterministic point at
// which everything sent before has been fully processed.
type fakeBody struct {
	ctx     context.Context
	chunks  chan fakeChunk
	pending []byte // reader side only
	closed  chan struct{}
	once    sync.Once
}

type fakeChunk struct {
	data []byte
	err  error
}

func newFakeBody(ctx context.Context, initial string) *fakeBody {
	return &fakeBody{ctx: ctx, chunks: make(chan fakeChunk), pending: []byte(initial), closed: make(chan struct{})}
}

func (b *fakeBody) Read(p []byte) (int, error) {
	for len(b.pending) == 0 {
		select {
		case c, ok := <-b.chunks:
			if !ok {
				return 0, io.EOF
			}
			if c.err != nil {
				return 0, c.err
			}
			b.pending = c.data // empty for sync: keep waiting
		case <-b.closed:
			return 0, errors.New("read on closed body")
		case <-b.ctx.Done():
			return 0, b.ctx.Err()
		}
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

func (b *fakeBody) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}

func (b *fakeBody) hand(t *testing.T, c fakeChunk) {
	t.Helper()
	select {
	case b.chunks <- c:
	case <-time.After(waitTimeout):
		t.Fatal("the stream is not reading the body")
	}
}

// send hands data to the reader.
func (b *fakeBody) send(t *testing.T, data string) {
	t.Helper()
	b.hand(t, fakeChunk{data: []byte(data)})
}

// sync returns once everything sent before has been dispatched.
func (b *fakeBody) sync(t *testing.T) {
	t.Helper()
	b.hand(t, fakeChunk{})
}

// end makes the next read fail with err (io.EOF for a clean end).
func (b *fakeBody) end(t *testing.T, err error) {
	t.Helper()
	b.hand(t, fakeChunk{err: err})
}

func (b *fakeBody) waitClosed(t *testing.T) {
	t.Helper()
	select {
	case <-b.closed:
	case <-time.After(waitTimeout):
		t.Fatal("body not closed")
	}
}

func (b *fakeBody) isClosed() bool {
	select {
	case <-b.closed:
		return true
	default:
		return false
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a Stream over a fakeTransport and a fake clock, with its
// states recorded.
type harness struct {
	ft      *fakeTransport
	clk     *clock.Fake
	s       *Stream
	states  chan StreamState
	logs    *syncBuffer
	headers atomic.Int32
}

var testEpoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func newHarness(t *testing.T, opts StreamOptions) *harness {
	h := &harness{
		ft:     newFakeTransport(),
		clk:    clock.NewFake(testEpoch),
		states: make(chan StreamState, 1000),
		logs:   &syncBuffer{},
	}
	opts.Clock = h.clk
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	header := func() Header {
		h.headers.Add(1)
		hdr := Header{}
		hdr.Set("Authorization", "Basic "+streamSecret)
		hdr.Set("Accept", "application/json")
		return hdr
	}
	h.s = newStream(h.ft, "https://pbx.example/api/v1/stream", header, opts)
	h.s.OnState(func(st StreamState) { h.states <- st })
	t.Cleanup(func() {
		require.NoError(t, h.s.Close())
		assert.NotContains(t, h.logs.String(), streamSecret, "credentials must not be logged")
	})
	return h
}

// expectState waits for the next state and checks its status.
func (h *harness) expectState(t *testing.T, want StreamStatus) StreamState {
	t.Helper()
	select {
	case st := <-h.states:
		require.Equal(t, want.String(), st.State.String(), "state %+v", st)
		return st
	case <-time.After(waitTimeout):
		t.Fatalf("no state change, wanted %v", want)
		return StreamState{}
	}
}

// expectAnyState waits for the next state.
func (h *harness) expectAnyState(t *testing.T) StreamState {
	t.Helper()
	select {
	case st := <-h.states:
		return st
	case <-time.After(waitTimeout):
		t.Fatal("no state change")
		return StreamState{}
	}
}

// expectNoState fails if a state change is waiting.
func (h *harness) expectNoState(t *testing.T) {
	t.Helper()
	select {
	case st := <-h.states:
		t.Fatalf("unexpected state %+v", st)
	default:
	}
}

// connect accepts the next request, answers 200 and checks the states.
func (h *harness) connect(t *testing.T, attempt int) *fakeBody {
	t.Helper()
	c := h.ft.accept(t)
	st := h.expectState(t, StreamConnecting)
	assert.Equal(t, attempt, st.Attempt)
	b := c.ok()
	st = h.expectState(t, StreamConnected)
	assert.Equal(t, attempt, st.Attempt)
	return b
}

// blockUntil waits until the stream has exactly n timers armed.
func (h *harness) blockUntil(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	require.NoError(t, h.clk.BlockUntilContext(ctx, n), "waiting for %d timers", n)
}

// sink collects events.
type sink chan Event

func newSink() sink { return make(sink, 1000) }

func (k sink) handler(e Event) { k <- e }

// drain returns the raw objects received so far.
func (k sink) drain() []string {
	var out []string
	for {
		select {
		case e := <-k:
			out = append(out, string(e.Raw))
		default:
			return out
		}
	}
}

func evCall(id string) string {
	return `{"event":"incomingcall","location":"/customers/325/calls/` + id +
		`","values":{"callerIdNumber":"01234567890","callerIdName":"Caller ` + id + `","endpoint":"/customers/325/endpoints/6874"}}`
}

func evSMS(id string) string {
	return `{"event":"smsreceived","values":{"to":"07000","from":"07111","excerpt":"caf\u00e9 é }{ \"` + id + `\""}}`
}

func evDelivered(id string) string {
	return `{"event":"smsdelivered","location":"/customers/325/sms/` + id + `"}`
}

func TestStreamChunking(t *testing.T) {
	e1, e2, e3 := evCall("1"), evSMS("2"), evDelivered("3")
	all := e1 + e2 + e3
	sms := evSMS("x")
	tests := []struct {
		name   string
		chunks []string
		want   []string
	}{
		{"one object per chunk", []string{e1, e2, e3}, []string{e1, e2, e3}},
		{"batched", []string{all}, []string{e1, e2, e3}},
		{"byte by byte", strings.Split(all, ""), []string{e1, e2, e3}},
		{"whitespace and newlines", []string{"\n" + e1 + "\r\n", "  \t", e2 + "\n\n" + e3 + "\n"}, []string{e1, e2, e3}},
		{"atmosphere preamble and padding", []string{"3f1d7c62-0d1e-4c5e-9f0a-2b8e0c4d6a11|60000|", "X|" + strings.Repeat(" ", 4096), e1, "||pad||" + e2}, []string{e1, e2}},
		{"split inside an escape", []string{sms[:strings.Index(sms, `\u00`)+3], sms[strings.Index(sms, `\u00`)+3:]}, []string{sms}},
		{"split inside a utf-8 rune", []string{sms[:strings.Index(sms, "é")+1], sms[strings.Index(sms, "é")+1:]}, []string{sms}},
		{"split after a backslash", []string{sms[:strings.Index(sms, `\"`)+1], sms[strings.Index(sms, `\"`)+1:]}, []string{sms}},
		{"heartbeats are not delivered", []string{`{"event":"heartbeat"}`, e1, `{}` + `{"event":"PING"}` + "\n", `{"event":null,"time":1}`, `{"event":"keepalive"}` + e2}, []string{e1, e2}},
		{"malformed object is skipped", []string{`{"event":incomingcall}`, e1, `{"event":42}`, e2}, []string{e1, e2}},
		{"array of events", []string{"[" + e1 + ",", e2 + "]"}, []string{e1, e2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, StreamOptions{})
			got := newSink()
			h.s.Subscribe(nil, got.handler)
			b := h.connect(t, 0)
			for _, c := range tt.chunks {
				b.send(t, c)
			}
			b.sync(t)
			assert.Equal(t, tt.want, got.drain())
			h.expectNoState(t)
		})
	}
}

func TestStreamEventFields(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	got := newSink()
	h.s.Subscribe([]string{"*"}, got.handler)
	b := h.connect(t, 0)
	raw := `{"event":"incomingcall","location":"/customers/325/calls/9","values":{"callerIdNumber":"0123","callerIdName":"Bob","endpoint":"/customers/325/endpoints/6874"},"extra":{"x":1}}`
	b.send(t, raw)
	b.sync(t)
	require.Len(t, got, 1)
	ev := <-got
	assert.Equal(t, "incomingcall", ev.Event)
	assert.Equal(t, "/customers/325/calls/9", ev.Location)
	assert.Equal(t, map[string]any{"callerIdNumber": "0123", "callerIdName": "Bob",
		"endpoint": "/customers/325/endpoints/6874"}, ev.Values)
	assert.JSONEq(t, raw, string(ev.Raw), "Raw keeps fields Event does not know")

	// Raw must not alias the decoder's buffer, which the next chunk reuses.
	b.send(t, strings.Repeat(" ", len(raw))+evDelivered("1"))
	b.sync(t)
	assert.JSONEq(t, raw, string(ev.Raw))
	var back map[string]any
	require.NoError(t, json.Unmarshal(ev.Raw, &back))
}

func TestStreamRequest(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	h.s.Subscribe(nil, func(Event) {})
	c := h.ft.accept(t)
	assert.Equal(t, "GET", c.req.Method)
	assert.Equal(t, "https://pbx.example/api/v1/stream", c.req.URL)
	assert.Equal(t, "Basic "+streamSecret, c.req.Header.Get("Authorization"))
	assert.Nil(t, c.req.Body)
	c.fail(errors.New("network down"))
	h.expectState(t, StreamConnecting)
	h.expectState(t, StreamReconnecting)
	h.blockUntil(t, 1)
	h.clk.Advance(time.Minute)
	h.ft.accept(t).fail(errors.New("network down"))
	assert.Equal(t, int32(2), h.headers.Load(), "headers are computed for every connection")
}

func TestStreamSharedConnection(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	calls, sms, all, star := newSink(), newSink(), newSink(), newSink()
	h.s.Subscribe([]string{"incomingcall"}, calls.handler)
	b := h.connect(t, 0)
	unsubSMS := h.s.Subscribe([]string{"smsreceived", "smsdelivered"}, sms.handler)
	h.s.Subscribe(nil, all.handler)
	h.s.Subscribe([]string{"smsdelivered", "*"}, star.handler)

	b.send(t, evCall("1")+evSMS("2")+evDelivered("3")+`{"event":"other"}`)
	b.sync(t)
	assert.Equal(t, []string{evCall("1")}, calls.drain())
	assert.Equal(t, []string{evSMS("2"), evDelivered("3")}, sms.drain())
	everything := []string{evCall("1"), evSMS("2"), evDelivered("3"), `{"event":"other"}`}
	assert.Equal(t, everything, all.drain())
	assert.Equal(t, everything, star.drain())

	unsubSMS()
	b.send(t, evSMS("4"))
	b.sync(t)
	assert.Empty(t, sms.drain())
	assert.Equal(t, []string{evSMS("4")}, all.drain())

	assert.Equal(t, int32(1), h.ft.calls.Load(), "one connection for all subscriptions")
	assert.False(t, b.isClosed())
	h.expectNoState(t)
}

func TestStreamLastUnsubscribeClosesConnection(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	a, bSink := newSink(), newSink()
	unsubA := h.s.Subscribe(nil, a.handler)
	unsubB := h.s.Subscribe(nil, bSink.handler)
	body := h.connect(t, 0)

	unsubA()
	unsubA() // idempotent: must not take b's subscription with it
	body.send(t, evCall("1"))
	body.sync(t)
	assert.Empty(t, a.drain())
	assert.Equal(t, []string{evCall("1")}, bSink.drain())
	assert.False(t, body.isClosed())

	unsubB()
	body.waitClosed(t)
	st := h.expectState(t, StreamStopped)
	assert.NoError(t, st.Err)
	h.blockUntil(t, 0)
	h.clk.Advance(time.Hour)
	h.ft.expectNoConn(t)
	unsubB()

	// A new subscription opens a new connection.
	c := newSink()
	h.s.Subscribe([]string{"smsreceived"}, c.handler)
	body2 := h.connect(t, 0)
	body2.send(t, evCall("2")+evSMS("3"))
	body2.sync(t)
	assert.Equal(t, []string{evSMS("3")}, c.drain())
	assert.Empty(t, bSink.drain())
	assert.Equal(t, int32(2), h.ft.calls.Load())
}

// TestStreamResubscribeWhileStopping checks that a subscription made while
// the previous connection is being torn down gets a connection of its own.
func TestStreamResubscribeWhileStopping(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	unsub := h.s.Subscribe(nil, func(Event) {})
	body := h.connect(t, 0)
	unsub()
	got := newSink()
	h.s.Subscribe(nil, got.handler)
	body.waitClosed(t)
	c := h.ft.accept(t)
	// The old session reports Stopped only if it ended before the new
	// subscription came.
	st := h.expectAnyState(t)
	if st.State == StreamStopped {
		st = h.expectAnyState(t)
	}
	require.Equal(t, StreamConnecting, st.State)
	body2 := c.ok()
	h.expectState(t, StreamConnected)
	body2.send(t, evCall("1"))
	body2.sync(t)
	assert.Equal(t, []string{evCall("1")}, got.drain())
}

func TestStreamNoLossNoDuplicateAcrossReconnect(t *testing.T) {
	tests := []struct {
		name string
		drop func(t *testing.T, b *fakeBody)
	}{
		{"server ends the response", func(t *testing.T, b *fakeBody) { b.end(t, io.EOF) }},
		{"read error", func(t *testing.T, b *fakeBody) { b.end(t, io.ErrUnexpectedEOF) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, StreamOptions{})
			got := newSink()
			h.s.Subscribe(nil, got.handler)

			b1 := h.connect(t, 0)
			b1.send(t, evCall("1")+"\n"+evSMS("2")[:10])
			b1.send(t, evSMS("2")[10:]+"\n"+evCall("3")[:25]) // the connection drops mid-object
			tt.drop(t, b1)
			st := h.expectState(t, StreamReconnecting)
			assert.Equal(t, 1, st.Attempt)
			var pe *Error
			require.ErrorAs(t, st.Err, &pe)
			assert.Equal(t, streamOp, pe.Op)
			b1.waitClosed(t)

			h.blockUntil(t, 1)
			h.clk.Advance(st.Delay)
			b2 := h.connect(t, 1)
			// If the half object of the first connection were kept, it
			// would swallow the start of this one.
			b2.send(t, evCall("3")+evDelivered("4"))
			b2.sync(t)
			assert.Equal(t, []string{evCall("1"), evSMS("2"), evCall("3"), evDelivered("4")}, got.drain())
		})
	}
}

// backoffBound returns b for retry number attempt with the default
// options: 1 s doubling up to 30 s.
func backoffBound(attempt int) time.Duration {
	b := time.Second << (attempt - 1)
	if attempt > 6 || b > 30*time.Second {
		return 30 * time.Second
	}
	return b
}

func TestStreamBackoff(t *testing.T) {
	tests := []struct {
		name  string
		randN func(int64) int64 // nil: the real source
	}{
		{"shortest", func(int64) int64 { return 0 }},
		{"longest", func(n int64) int64 { return n - 1 }},
		{"random", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, StreamOptions{})
			if tt.randN != nil {
				h.s.randN = tt.randN
			}
			h.s.Subscribe(nil, func(Event) {})
			failures := []func(c *fakeConn){
				func(c *fakeConn) { c.fail(errors.New("connection refused")) },
				func(c *fakeConn) { c.status(500, "500 Internal Server Error", `{"errors":["oops"]}`) },
				func(c *fakeConn) { c.ok().end(t, io.EOF) }, // accepted, delivered nothing
				func(c *fakeConn) { c.status(429, "429 Too Many Requests", "") },
			}
			for attempt := 1; attempt <= 9; attempt++ {
				c := h.ft.accept(t)
				st := h.expectState(t, StreamConnecting)
				assert.Equal(t, attempt-1, st.Attempt)
				failures[attempt%len(failures)](c)
				if attempt%len(failures) == 2 {
					h.expectState(t, StreamConnected)
				}
				st = h.expectState(t, StreamReconnecting)
				require.Equal(t, attempt, st.Attempt)
				b := backoffBound(attempt)
				switch tt.name {
				case "shortest":
					assert.Equal(t, b/2, st.Delay)
				case "longest":
					assert.Equal(t, b, st.Delay)
				default:
					assert.GreaterOrEqual(t, st.Delay, b/2)
					assert.LessOrEqual(t, st.Delay, b)
				}
				var pe *Error
				require.ErrorAs(t, st.Err, &pe)

				// Exactly at the delay, not a nanosecond before.
				h.blockUntil(t, 1)
				fired := h.clk.Fired()
				h.clk.Advance(st.Delay - 1)
				assert.Equal(t, fired, h.clk.Fired())
				h.ft.expectNoConn(t)
				h.clk.Advance(1)
			}

			// A connection that delivers something resets the back-off.
			body := h.connect(t, 9)
			body.send(t, `{"event":"heartbeat"}`)
			body.end(t, io.EOF)
			st := h.expectState(t, StreamReconnecting)
			assert.Equal(t, 1, st.Attempt)
			assert.GreaterOrEqual(t, st.Delay, 500*time.Millisecond)
			assert.LessOrEqual(t, st.Delay, time.Second)
		})
	}
}

func TestStreamBackoffOptions(t *testing.T) {
	s := newStream(newFakeTransport(), "u", nil, StreamOptions{MinBackoff: 100 * time.Millisecond, MaxBackoff: 250 * time.Millisecond})
	s.randN = func(n int64) int64 { return n - 1 }
	want := []time.Duration{100, 200, 250, 250}
	for i, w := range want {
		assert.Equal(t, w*time.Millisecond, s.backoff(i+1), "attempt %d", i+1)
	}
	// A huge attempt number must not overflow.
	assert.Equal(t, 250*time.Millisecond, s.backoff(1<<30))

	s = newStream(newFakeTransport(), "u", nil, StreamOptions{})
	assert.Equal(t, 2*time.Minute, s.idle)
	assert.Equal(t, time.Second, s.minB)
	assert.Equal(t, 30*time.Second, s.maxB)
	assert.Equal(t, StreamState{}, s.State(), "stopped, no error, before any subscription")
	require.NoError(t, s.Close())
}

func TestStreamIdleTimeout(t *testing.T) {
	const idle = 2 * time.Minute
	h := newHarness(t, StreamOptions{IdleTimeout: idle})
	got := newSink()
	h.s.Subscribe(nil, got.handler)
	body := h.connect(t, 0)

	fired := h.clk.Fired()
	h.clk.Advance(idle - 1)
	assert.Equal(t, fired, h.clk.Fired(), "not idle yet")
	h.clk.Advance(1)
	assert.Equal(t, fired+1, h.clk.Fired())

	st := h.expectState(t, StreamReconnecting)
	assert.Equal(t, 1, st.Attempt)
	assert.ErrorIs(t, st.Err, ErrStreamIdle)
	var pe *Error
	require.ErrorAs(t, st.Err, &pe)
	body.waitClosed(t)

	h.blockUntil(t, 1)
	h.clk.Advance(st.Delay)
	body2 := h.connect(t, 1)
	body2.send(t, evCall("1"))
	body2.sync(t)
	assert.Equal(t, []string{evCall("1")}, got.drain())
}

func TestStreamHeartbeatResetsIdleTimer(t *testing.T) {
	const idle = 2 * time.Minute
	h := newHarness(t, StreamOptions{IdleTimeout: idle})
	got := newSink()
	h.s.Subscribe(nil, got.handler)
	body := h.connect(t, 0)
	fired := h.clk.Fired()

	h.clk.Advance(100 * time.Second)
	body.send(t, `{"event":"heartbeat"}`+"\n")
	body.sync(t)
	// Without the heartbeat the timer would fire at 120 s.
	h.clk.Advance(idle - 1)
	assert.Equal(t, fired, h.clk.Fired(), "the heartbeat restarted the idle timer")
	assert.Equal(t, StreamConnected, h.s.State().State)
	h.clk.Advance(1)
	assert.Equal(t, fired+1, h.clk.Fired())

	st := h.expectState(t, StreamReconnecting)
	assert.ErrorIs(t, st.Err, ErrStreamIdle)
	assert.Empty(t, got.drain(), "heartbeats are not delivered")
	body.waitClosed(t)
}

func TestStreamIdleTimeoutWhileConnecting(t *testing.T) {
	h := newHarness(t, StreamOptions{IdleTimeout: time.Minute})
	h.s.Subscribe(nil, func(Event) {})
	c := h.ft.accept(t)
	h.expectState(t, StreamConnecting)
	h.blockUntil(t, 1)
	h.clk.Advance(time.Minute) // the server never answers
	st := h.expectState(t, StreamReconnecting)
	assert.ErrorIs(t, st.Err, ErrStreamIdle)
	select {
	case <-c.ctx.Done():
	case <-time.After(waitTimeout):
		t.Fatal("the request was not cancelled")
	}
}

func TestStreamUnauthorizedStops(t *testing.T) {
	tests := []struct {
		code int
		text string
	}{
		{401, "401 Unauthorized"},
		{403, "403 Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			h := newHarness(t, StreamOptions{})
			got := newSink()
			h.s.Subscribe(nil, got.handler)
			c := h.ft.accept(t)
			h.expectState(t, StreamConnecting)
			body := c.status(tt.code, tt.text, `{"errors":["Bad credentials"]}`)

			st := h.expectState(t, StreamStopped)
			var pe *Error
			require.ErrorAs(t, st.Err, &pe)
			assert.Equal(t, tt.code, pe.StatusCode)
			assert.Equal(t, MsgErrors, pe.Message)
			assert.Equal(t, streamOp, pe.Op)
			assert.Equal(t, map[string]any{"errors": []any{"Bad credentials"}}, pe.Body)
			assert.Equal(t, tt.code == 401, errors.Is(st.Err, ErrUnauthorized))
			assert.Equal(t, st, h.s.State())
			body.waitClosed(t)

			// No hot loop, no further attempt however long we wait.
			h.blockUntil(t, 0)
			h.clk.Advance(24 * time.Hour)
			h.ft.expectNoConn(t)
			assert.Equal(t, int32(1), h.ft.calls.Load())
			h.expectNoState(t)

			// A new subscription tries again, for every subscriber.
			more := newSink()
			h.s.Subscribe([]string{"incomingcall"}, more.handler)
			body2 := h.connect(t, 0)
			body2.send(t, evCall("1"))
			body2.sync(t)
			assert.Equal(t, []string{evCall("1")}, got.drain())
			assert.Equal(t, []string{evCall("1")}, more.drain())
		})
	}
}

func TestStreamObjectTooLargeReconnects(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	h.s.maxObject = 512
	got := newSink()
	h.s.Subscribe(nil, got.handler)
	body := h.connect(t, 0)
	body.send(t, evCall("1")+`{"event":"smsreceived","values":{"excerpt":"`+strings.Repeat("a", 600))
	st := h.expectState(t, StreamReconnecting)
	assert.ErrorIs(t, st.Err, ErrStreamObjectTooLarge)
	assert.Equal(t, 1, st.Attempt, "the connection delivered an event before")
	body.waitClosed(t)
	assert.Equal(t, []string{evCall("1")}, got.drain())
}

func TestStreamHandlerPanic(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	var panics atomic.Int32
	h.s.Subscribe(nil, func(Event) {
		panics.Add(1)
		panic("handler bug")
	})
	got := newSink()
	h.s.Subscribe(nil, got.handler)
	body := h.connect(t, 0)
	body.send(t, evCall("1"))
	body.send(t, evCall("2"))
	body.sync(t)
	assert.Equal(t, int32(2), panics.Load(), "the panicking handler stays subscribed")
	assert.Equal(t, []string{evCall("1"), evCall("2")}, got.drain())
	assert.Equal(t, StreamConnected, h.s.State().State)
	assert.Equal(t, int32(1), h.ft.calls.Load())
	assert.Contains(t, h.logs.String(), "handler bug")
	h.expectNoState(t)
}

func TestStreamStateListener(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	seen := make(chan StreamStatus, 100)
	remove := h.s.OnState(func(st StreamState) {
		seen <- st.State
		panic("listener bug") // recovered, like a handler's
	})
	h.s.Subscribe(nil, func(Event) {})
	h.connect(t, 0)
	// Listeners are called in order, so this one may still be running.
	for _, want := range []StreamStatus{StreamConnecting, StreamConnected} {
		select {
		case st := <-seen:
			assert.Equal(t, want, st)
		case <-time.After(waitTimeout):
			t.Fatal("listener not called")
		}
	}
	remove()
	remove()
	h.clk.Advance(time.Hour) // idle timeout
	h.expectState(t, StreamReconnecting)
	assert.Equal(t, StreamReconnecting, h.s.State().State)
	assert.Empty(t, seen, "removed listener not called")
	assert.Contains(t, h.logs.String(), "listener bug")
}

func TestStreamClose(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	got := newSink()
	h.s.Subscribe(nil, got.handler)
	body := h.connect(t, 0)
	body.send(t, evCall("1"))
	body.sync(t)

	require.NoError(t, h.s.Close())
	assert.True(t, body.isClosed(), "Close waits for the connection to be closed")
	assert.Equal(t, StreamState{State: StreamStopped, Err: ErrClosed}, h.s.State())
	st := h.expectState(t, StreamStopped)
	assert.ErrorIs(t, st.Err, ErrClosed)
	assert.Equal(t, 0, h.clk.Waiters())

	require.NoError(t, h.s.Close(), "Close is idempotent")
	unsub := h.s.Subscribe(nil, got.handler)
	unsub()
	h.ft.expectNoConn(t)
	h.expectNoState(t)
	assert.Equal(t, []string{evCall("1")}, got.drain())
}

func TestStreamCloseBeforeSubscribe(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	require.NoError(t, h.s.Close())
	st := h.expectState(t, StreamStopped)
	assert.ErrorIs(t, st.Err, ErrClosed)
	h.s.Subscribe(nil, func(Event) {})()
	assert.Equal(t, int32(0), h.ft.calls.Load())
}

func TestStreamCloseWhileConnecting(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	h.s.Subscribe(nil, func(Event) {})
	c := h.ft.accept(t) // never answered
	require.NoError(t, h.s.Close())
	assert.Error(t, c.ctx.Err(), "the request was cancelled")
}

func TestStreamCloseWhileBackingOff(t *testing.T) {
	h := newHarness(t, StreamOptions{})
	h.s.Subscribe(nil, func(Event) {})
	h.ft.accept(t).fail(errors.New("refused"))
	h.expectState(t, StreamConnecting)
	h.expectState(t, StreamReconnecting)
	h.blockUntil(t, 1)
	require.NoError(t, h.s.Close())
	assert.Equal(t, 0, h.clk.Waiters(), "the back-off timer is stopped")
	st := h.expectState(t, StreamStopped)
	assert.ErrorIs(t, st.Err, ErrClosed)
}

func TestStreamCloseFromCallbacks(t *testing.T) {
	t.Run("handler", func(t *testing.T) {
		h := newHarness(t, StreamOptions{})
		var after atomic.Int32
		h.s.Subscribe(nil, func(Event) { _ = h.s.Close() })
		h.s.Subscribe(nil, func(Event) { after.Add(1) })
		body := h.connect(t, 0)
		body.send(t, evCall("1")+evCall("2"))
		st := h.expectState(t, StreamStopped)
		assert.ErrorIs(t, st.Err, ErrClosed)
		body.waitClosed(t)
		assert.Equal(t, int32(0), after.Load(), "no handler runs after Close")
	})
	t.Run("listener", func(t *testing.T) {
		h := newHarness(t, StreamOptions{})
		h.s.OnState(func(st StreamState) {
			if st.State == StreamConnected {
				_ = h.s.Close()
			}
		})
		h.s.Subscribe(nil, func(Event) {})
		h.connect(t, 0).waitClosed(t)
		st := h.expectState(t, StreamStopped)
		assert.ErrorIs(t, st.Err, ErrClosed)
	})
	t.Run("unsubscribe and resubscribe from a handler", func(t *testing.T) {
		h := newHarness(t, StreamOptions{})
		got := newSink()
		var unsub func()
		unsub = h.s.Subscribe(nil, func(Event) {
			unsub()
			h.s.Subscribe(nil, got.handler)
		})
		body := h.connect(t, 0)
		body.send(t, evCall("1"))
		body.waitClosed(t) // the last subscription ended
		body2 := h.connect(t, 0)
		body2.send(t, evCall("2"))
		body2.sync(t)
		assert.Equal(t, []string{evCall("2")}, got.drain())
	})
}

// TestStreamCloseLeavesNoGoroutines runs connections, a reconnection and
// an unsubscription, then checks that Close leaves no goroutine behind.
func TestStreamCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		ft := newFakeTransport()
		clk := clock.NewFake(testEpoch)
		s := newStream(ft, "https://pbx.example/api/v1/stream", nil, StreamOptions{Clock: clk})
		states := make(chan StreamStatus, 100)
		s.OnState(func(st StreamState) { states <- st.State })
		waitFor := func(want StreamStatus) {
			t.Helper()
			for {
				select {
				case st := <-states:
					if st == want {
						return
					}
				case <-time.After(waitTimeout):
					t.Fatalf("no %v state", want)
				}
			}
		}
		got := newSink()
		unsub := s.Subscribe(nil, got.handler)
		b := newFakeBodyFor(t, ft)
		b.send(t, evCall("1"))
		b.end(t, io.EOF)
		waitFor(StreamReconnecting)
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		require.NoError(t, clk.BlockUntilContext(ctx, 1)) // the back-off timer
		clk.Advance(time.Minute)
		b = newFakeBodyFor(t, ft)
		waitFor(StreamConnected)
		unsub()
		b.waitClosed(t)

		s.Subscribe(nil, got.handler)
		b = newFakeBodyFor(t, ft)
		b.send(t, evCall("2"))
		b.sync(t)
		require.NoError(t, s.Close())
		assert.True(t, b.isClosed())
		assert.Len(t, got.drain(), 2)
	}()
	// Goroutines end shortly after the channel that Close waits for is
	// closed, so poll briefly.
	deadline := time.Now().Add(waitTimeout)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func newFakeBodyFor(t *testing.T, ft *fakeTransport) *fakeBody {
	t.Helper()
	return ft.accept(t).ok()
}

// BenchmarkStreamDelivery measures the whole path of one event: fake body,
// decoder, owner goroutine, json.Unmarshal and the handler; one op is one
// event.
func BenchmarkStreamDelivery(b *testing.B) {
	data, perStream := benchStream(1000)
	ft := newFakeTransport()
	s := newStream(ft, "u", nil, StreamOptions{})
	defer s.Close()
	var n atomic.Int64
	done := make(chan struct{})
	target := int64(b.N)
	s.Subscribe(nil, func(Event) {
		if n.Add(1) == target {
			close(done)
		}
	})
	c := <-ft.conns
	pr, pw := io.Pipe()
	c.reply <- fakeReply{resp: &Response{StatusCode: 200, Body: pr}}
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		// Each copy holds perStream objects, 1 in 50 a heartbeat.
		for sent := 0; sent < b.N*50/49+perStream; sent += perStream {
			if _, err := pw.Write(data); err != nil {
				return
			}
		}
	}()
	<-done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	_ = pw.Close()
}

//go:build !js

package transport

// Tests against an in-process WebSocket server on 127.0.0.1 (httptest),
// so native only. Time is a fake clock; the network I/O is real, so the
// tests synchronize on events and server-side channels, never on sleeps.

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/clock"
)

// wait bounds every wait for something that happens over the network.
const wait = 10 * time.Second

// testServer is a SIP-over-WebSocket server for the tests: it accepts
// connections (offering protos), records what each receives, and lets the
// test write and close from its side.
type testServer struct {
	hs      *httptest.Server
	url     string
	conns   chan *serverConn
	headers chan http.Header
	refuse  atomic.Bool // answer 503 instead of upgrading
}

type serverConn struct {
	c      *websocket.Conn
	msgs   chan serverMsg
	closed chan struct{} // the read loop ended; err says why
	err    error
}

type serverMsg struct {
	typ  websocket.MessageType
	data string
}

func newTestServer(t *testing.T, protos ...string) *testServer {
	t.Helper()
	s := &testServer{conns: make(chan *serverConn, 16), headers: make(chan http.Header, 16)}
	s.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.refuse.Load() {
			http.Error(w, "refusing", http.StatusServiceUnavailable)
			return
		}
		s.headers <- r.Header.Clone()
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protos})
		if err != nil {
			return
		}
		c.SetReadLimit(1 << 20)
		sc := &serverConn{c: c, msgs: make(chan serverMsg, 1024), closed: make(chan struct{})}
		s.conns <- sc
		defer close(sc.closed)
		for {
			typ, p, err := c.Read(context.Background())
			if err != nil {
				sc.err = err
				return
			}
			sc.msgs <- serverMsg{typ, string(p)}
		}
	}))
	s.url = "ws" + strings.TrimPrefix(s.hs.URL, "http")
	t.Cleanup(s.hs.Close)
	return s
}

// accept returns the next connection the server accepted.
func (s *testServer) accept(t *testing.T) *serverConn {
	t.Helper()
	select {
	case sc := <-s.conns:
		return sc
	case <-time.After(wait):
		t.Fatal("the server accepted no connection")
		return nil
	}
}

// recv returns the next message the server received on sc.
func (sc *serverConn) recv(t *testing.T) serverMsg {
	t.Helper()
	select {
	case m := <-sc.msgs:
		return m
	case <-sc.closed:
		select {
		case m := <-sc.msgs: // received before the close
			return m
		default:
		}
		t.Fatalf("server connection closed while waiting for a message: %v", sc.err)
	case <-time.After(wait):
		t.Fatal("the server received no message")
	}
	return serverMsg{}
}

func (sc *serverConn) send(t *testing.T, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, sc.c.Write(ctx, websocket.MessageText, []byte(msg)))
}

// waitClosed waits for the server side of sc to end and returns why.
func (sc *serverConn) waitClosed(t *testing.T) error {
	t.Helper()
	select {
	case <-sc.closed:
		return sc.err
	case <-time.After(wait):
		t.Fatal("the server connection did not close")
		return nil
	}
}

// deadURL returns a ws:// URL on 127.0.0.1 where nothing listens.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "ws://" + addr + "/ws"
}

// silentURL returns a ws:// URL on 127.0.0.1 whose server accepts TCP
// connections and never answers.
func silentURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "ws://" + l.Addr().String()
}

// most makes the back-off delays deterministic: always the upper bound.
func most(n int64) int64 { return n - 1 }

// newTransport starts a Transport with a fake clock (unless cfg has a
// clock) and stops it when the test ends.
func newTransport(t *testing.T, cfg Config) (*Transport, *clock.Fake) {
	t.Helper()
	fc, _ := cfg.Clock.(*clock.Fake)
	if cfg.Clock == nil {
		fc = clock.NewFake(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
		cfg.Clock = fc
	}
	if cfg.Rand == nil {
		cfg.Rand = most
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	tr, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(tr.Stop)
	tr.Start()
	return tr, fc
}

// next returns the next event.
func next(t *testing.T, tr *Transport) Event {
	t.Helper()
	select {
	case ev, ok := <-tr.Events():
		require.True(t, ok, "Events closed")
		return ev
	case <-time.After(wait):
		t.Fatal("no event")
		return Event{}
	}
}

// expect returns the next event after checking its kind and URL.
func expect(t *testing.T, tr *Transport, kind EventKind, url string) Event {
	t.Helper()
	ev := next(t, tr)
	require.Equal(t, kind, ev.Kind, "event %+v", ev)
	require.Equal(t, url, ev.URL, "event %+v", ev)
	return ev
}

// connect waits for the Connecting (with attempt) and Connected events
// and for the server side of the connection.
func connect(t *testing.T, tr *Transport, s *testServer, attempt int) *serverConn {
	t.Helper()
	ev := expect(t, tr, Connecting, s.url)
	assert.Equal(t, attempt, ev.Attempt)
	expect(t, tr, Connected, s.url)
	return s.accept(t)
}

// blockUntil waits until exactly n fake timers are armed.
func blockUntil(t *testing.T, fc *clock.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, fc.BlockUntilContext(ctx, n), "waiting for %d armed timers (have %d)", n, fc.Waiters())
}

// noEvent asserts that no event is waiting. Used right after an Advance
// that fired no timer: without a timer the transport has nothing to do.
func noEvent(t *testing.T, tr *Transport) {
	t.Helper()
	select {
	case ev := <-tr.Events():
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

func TestConnectSendReceive(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, _ := newTransport(t, Config{Servers: []Server{{URL: s.url}}, Handshake: Handshake{Header: http.Header{"Origin": {s.hs.URL}}}})
	sc := connect(t, tr, s, 1)
	assert.True(t, tr.Connected())
	assert.Equal(t, "WS", tr.Via())
	assert.Equal(t, "sip", sc.c.Subprotocol())
	h := <-s.headers
	assert.Equal(t, s.hs.URL, h.Get("Origin"), "Config.Header is sent")
	assert.Equal(t, "sip", h.Get("Sec-WebSocket-Protocol"))

	ctx := context.Background()
	const n = 50
	for i := range n {
		require.NoError(t, tr.Send(ctx, []byte("MESSAGE sip:bob@example.com SIP/2.0\r\nCSeq: "+strconv.Itoa(i)+" MESSAGE\r\n\r\n")))
	}
	for i := range n {
		m := sc.recv(t)
		assert.Equal(t, websocket.MessageText, m.typ)
		assert.Contains(t, m.data, "CSeq: "+strconv.Itoa(i)+" MESSAGE", "order kept")
	}
	// Not UTF-8: sent as a binary message, byte for byte.
	bin := []byte("INFO sip:x SIP/2.0\r\n\r\n\xff\xfe")
	require.NoError(t, tr.Send(ctx, bin))
	m := sc.recv(t)
	assert.Equal(t, websocket.MessageBinary, m.typ)
	assert.Equal(t, string(bin), m.data)

	for i := range n {
		sc.send(t, "SIP/2.0 200 OK\r\nCSeq: "+strconv.Itoa(i)+" MESSAGE\r\n\r\n")
	}
	for i := range n {
		ev := expect(t, tr, Message, s.url)
		assert.Contains(t, string(ev.Data), "CSeq: "+strconv.Itoa(i)+" MESSAGE", "order kept")
	}
	// Binary messages from the server are delivered too.
	require.NoError(t, sc.c.Write(ctx, websocket.MessageBinary, []byte("OPTIONS sip:a SIP/2.0\r\n\r\n")))
	ev := expect(t, tr, Message, s.url)
	assert.Equal(t, "OPTIONS sip:a SIP/2.0\r\n\r\n", string(ev.Data))
}

func TestServerPingIsAnsweredNotDelivered(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, _ := newTransport(t, Config{Servers: []Server{{URL: s.url}}})
	sc := connect(t, tr, s, 1)

	sc.send(t, "\r\n\r\n")
	assert.Equal(t, serverMsg{websocket.MessageText, "\r\n"}, sc.recv(t), "RFC 5626 pong")
	sc.send(t, "\r\n")     // a pong: not delivered
	sc.send(t, "")         // empty: not delivered
	sc.send(t, "\r\n\r\n") // another ping
	assert.Equal(t, "\r\n", sc.recv(t).data)
	sc.send(t, "OPTIONS sip:alice@example.com SIP/2.0\r\n\r\n")
	ev := expect(t, tr, Message, s.url)
	assert.Equal(t, "OPTIONS sip:alice@example.com SIP/2.0\r\n\r\n", string(ev.Data), "keep-alives were not delivered")
}

func TestKeepAlive(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{
		Servers:     []Server{{URL: s.url}},
		KeepAlive:   30 * time.Second,
		PongTimeout: 10 * time.Second,
	})
	sc := connect(t, tr, s, 1)
	blockUntil(t, fc, 1) // the ping timer

	// First ping; the server answers with a pong, then a message that
	// proves the pong has been read.
	fc.Advance(30 * time.Second)
	assert.Equal(t, "\r\n\r\n", sc.recv(t).data, "double-CRLF ping")
	sc.send(t, "\r\n")
	sc.send(t, "NOTIFY sip:a SIP/2.0\r\n\r\n")
	expect(t, tr, Message, s.url)
	blockUntil(t, fc, 2) // ping and pong timers
	fired := fc.Fired()
	fc.Advance(10 * time.Second)
	assert.Equal(t, fired+1, fc.Fired(), "the pong timer fired")
	assert.True(t, tr.Connected(), "the pong kept the connection")
	assert.Equal(t, 1, fc.Waiters(), "only the ping timer is armed")
	noEvent(t, tr)

	// Second ping at 60 s; the server stays silent.
	fc.Advance(20 * time.Second)
	assert.Equal(t, "\r\n\r\n", sc.recv(t).data)
	blockUntil(t, fc, 2)
	fc.Advance(10*time.Second - 1)
	assert.True(t, tr.Connected())
	noEvent(t, tr)
	fc.Advance(1)
	ev := expect(t, tr, Disconnected, s.url)
	assert.ErrorIs(t, ev.Err, ErrKeepAliveTimeout)
	assert.Equal(t, "keep-alive timeout", ev.Reason)
	assert.Equal(t, CodeAbnormal, ev.Code)
	assert.False(t, tr.Connected())
	sc.waitClosed(t)

	// The connection had received data, so it was stable: first back-off
	// round, at most 4 s.
	blockUntil(t, fc, 1)
	fc.Advance(4 * time.Second)
	connect(t, tr, s, 1)
}

func TestKeepAliveOff(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}, KeepAlive: -1})
	connect(t, tr, s, 1)
	assert.Equal(t, 0, fc.Waiters(), "no keep-alive timer")
}

func TestPingWithoutPongTimeout(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}, PongTimeout: -1})
	sc := connect(t, tr, s, 1)
	for range 3 {
		blockUntil(t, fc, 1)
		fc.Advance(30 * time.Second)
		assert.Equal(t, "\r\n\r\n", sc.recv(t).data)
	}
	blockUntil(t, fc, 1)
	fc.Advance(time.Hour)
	assert.True(t, tr.Connected(), "no pong timeout")
}

func TestServerCloseAndBackoff(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}, KeepAlive: -1})
	sc := connect(t, tr, s, 1)

	// Unstable connections (nothing received, open for no time): the
	// delay's upper bound doubles each round, up to MaxBackoff.
	for _, delay := range []time.Duration{4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		require.NoError(t, sc.c.Close(4001, "maintenance"))
		ev := expect(t, tr, Disconnected, s.url)
		assert.Equal(t, 4001, ev.Code)
		assert.Equal(t, "maintenance", ev.Reason)
		assert.Error(t, ev.Err)
		assert.Equal(t, 4001, int(websocket.CloseStatus(ev.Err)))
		assert.ErrorIs(t, tr.Send(context.Background(), []byte("x")), ErrNotConnected)

		blockUntil(t, fc, 1)
		fc.Advance(delay - 1)
		noEvent(t, tr)
		assert.Equal(t, 1, fc.Waiters(), "still waiting after %v", delay-1)
		fc.Advance(1)
		sc = connect(t, tr, s, 1)
	}

	// A connection that received something is stable: back to round 1.
	sc.send(t, "OPTIONS sip:a SIP/2.0\r\n\r\n")
	expect(t, tr, Message, s.url)
	require.NoError(t, sc.c.Close(websocket.StatusNormalClosure, ""))
	ev := expect(t, tr, Disconnected, s.url)
	assert.Equal(t, CodeNormal, ev.Code)
	assert.Error(t, ev.Err, "closed by the server")
	blockUntil(t, fc, 1)
	fc.Advance(4*time.Second - 1)
	noEvent(t, tr)
	fc.Advance(1)
	sc = connect(t, tr, s, 1)

	// So is one that stayed open for MaxBackoff.
	fc.Advance(30 * time.Second)
	require.NoError(t, sc.c.Close(websocket.StatusGoingAway, "restart"))
	ev = expect(t, tr, Disconnected, s.url)
	assert.Equal(t, 1001, ev.Code)
	blockUntil(t, fc, 1)
	fc.Advance(4 * time.Second)
	connect(t, tr, s, 1)
}

func TestBackoffLowerBound(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{
		Servers: []Server{{URL: s.url}}, KeepAlive: -1,
		MinBackoff: 3 * time.Second, MaxBackoff: 5 * time.Second,
		Rand: func(int64) int64 { return 0 },
	})
	sc := connect(t, tr, s, 1)
	for range 4 {
		require.NoError(t, sc.c.Close(4000, ""))
		expect(t, tr, Disconnected, s.url)
		blockUntil(t, fc, 1)
		fc.Advance(3*time.Second - 1)
		noEvent(t, tr)
		fc.Advance(1)
		sc = connect(t, tr, s, 1)
	}
}

func TestNoSubprotocol(t *testing.T) {
	s := newTestServer(t) // selects no subprotocol
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}})
	expect(t, tr, Connecting, s.url)
	ev := expect(t, tr, Disconnected, s.url)
	assert.ErrorIs(t, ev.Err, ErrNoSubprotocol)
	assert.Contains(t, ev.Err.Error(), "sip")
	assert.Equal(t, CodeProtocolError, ev.Code)
	assert.False(t, tr.Connected())
	err := s.accept(t).waitClosed(t)
	assert.Equal(t, websocket.StatusProtocolError, websocket.CloseStatus(err), "the server was told why")

	// It keeps trying, with back-off.
	blockUntil(t, fc, 1)
	fc.Advance(4 * time.Second)
	ev = expect(t, tr, Connecting, s.url)
	assert.Equal(t, 2, ev.Attempt)
	expect(t, tr, Disconnected, s.url)
}

func TestFailoverByWeight(t *testing.T) {
	a := newTestServer(t, "sip")
	a.refuse.Store(true)
	b := newTestServer(t, "sip")
	dead := deadURL(t)
	tr, fc := newTransport(t, Config{
		Servers: []Server{
			{URL: b.url, Weight: 5},
			{URL: dead, Weight: 7},
			{URL: a.url, Weight: 10},
		},
		KeepAlive: -1,
	})

	// Round 1: a refuses (503), dead refuses the TCP connection, b works.
	ev := expect(t, tr, Connecting, a.url)
	assert.Equal(t, 1, ev.Attempt)
	ev = expect(t, tr, Disconnected, a.url)
	assert.ErrorContains(t, ev.Err, "503")
	assert.Equal(t, 0, ev.Code, "never opened")
	ev = expect(t, tr, Connecting, dead)
	assert.Equal(t, 2, ev.Attempt)
	ev = expect(t, tr, Disconnected, dead)
	assert.Error(t, ev.Err)
	scB := connect(t, tr, b, 3)

	// b drops: the next round starts again from a, still refusing.
	require.NoError(t, scB.c.Close(websocket.StatusGoingAway, ""))
	expect(t, tr, Disconnected, b.url)
	blockUntil(t, fc, 1)
	fc.Advance(4 * time.Second)
	expect(t, tr, Connecting, a.url)
	expect(t, tr, Disconnected, a.url)
	expect(t, tr, Connecting, dead)
	expect(t, tr, Disconnected, dead)
	scB = connect(t, tr, b, 3)

	// a is back: after the next drop the transport returns to it.
	a.refuse.Store(false)
	require.NoError(t, scB.c.Close(websocket.StatusGoingAway, ""))
	expect(t, tr, Disconnected, b.url)
	blockUntil(t, fc, 1)
	fc.Advance(8 * time.Second) // second unstable round
	connect(t, tr, a, 1)
}

func TestAllServersDownBacksOffPerRound(t *testing.T) {
	d1, d2 := deadURL(t), deadURL(t)
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: d1}, {URL: d2}}})
	attempt := 0
	for _, delay := range []time.Duration{4 * time.Second, 8 * time.Second, 16 * time.Second} {
		for _, u := range []string{d1, d2} {
			attempt++
			ev := expect(t, tr, Connecting, u)
			assert.Equal(t, attempt, ev.Attempt, "attempts count up until a connection succeeds")
			expect(t, tr, Disconnected, u)
		}
		blockUntil(t, fc, 1)
		fc.Advance(delay - 1)
		noEvent(t, tr)
		fc.Advance(1)
	}
}

func TestDialTimeout(t *testing.T) {
	// A TCP listener that never answers the handshake.
	url := silentURL(t)
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: url}}, DialTimeout: 5 * time.Second})
	expect(t, tr, Connecting, url)
	blockUntil(t, fc, 1) // the dial timer
	fc.Advance(5*time.Second - 1)
	noEvent(t, tr)
	fc.Advance(1)
	ev := expect(t, tr, Disconnected, url)
	assert.ErrorIs(t, ev.Err, ErrDialTimeout)
	assert.Equal(t, 0, ev.Code)
}

func TestMessageTooBig(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, _ := newTransport(t, Config{Servers: []Server{{URL: s.url}}, MaxMessageSize: 1024})
	sc := connect(t, tr, s, 1)
	sc.send(t, strings.Repeat("a", 1024)) // at the limit: fine
	ev := expect(t, tr, Message, s.url)
	assert.Len(t, ev.Data, 1024)
	sc.send(t, strings.Repeat("b", 2000))
	ev = expect(t, tr, Disconnected, s.url)
	assert.ErrorIs(t, ev.Err, ErrMessageTooBig)
	assert.Equal(t, CodeMessageTooBig, ev.Code)
	err := sc.waitClosed(t)
	assert.Equal(t, websocket.StatusMessageTooBig, websocket.CloseStatus(err), "the server is told 1009")
}

func TestSendWhileDisconnected(t *testing.T) {
	dead := deadURL(t)
	tr, _ := newTransport(t, Config{Servers: []Server{{URL: dead}}})
	assert.ErrorIs(t, tr.Send(context.Background(), []byte("OPTIONS")), ErrNotConnected)
	expect(t, tr, Connecting, dead)
	expect(t, tr, Disconnected, dead)
	assert.ErrorIs(t, tr.Send(context.Background(), []byte("OPTIONS")), ErrNotConnected)
	tr.Stop()
	assert.ErrorIs(t, tr.Send(context.Background(), []byte("OPTIONS")), ErrNotConnected)
}

func TestReconnect(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}})
	sc := connect(t, tr, s, 1)

	// While connected: drop at once and connect again without back-off.
	tr.Reconnect()
	ev := expect(t, tr, Disconnected, s.url)
	assert.NoError(t, ev.Err, "closed on request")
	assert.Equal(t, "reconnect requested", ev.Reason)
	sc.waitClosed(t)
	sc = connect(t, tr, s, 1)

	// While waiting to reconnect: skip the rest of the delay.
	require.NoError(t, sc.c.Close(4000, "bye"))
	expect(t, tr, Disconnected, s.url)
	blockUntil(t, fc, 1)
	tr.Reconnect()
	sc = connect(t, tr, s, 1)
	sc.send(t, "OPTIONS sip:a SIP/2.0\r\n\r\n")
	expect(t, tr, Message, s.url)
}

func TestReconnectWhileDialing(t *testing.T) {
	url := silentURL(t)
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: url}}})
	expect(t, tr, Connecting, url)
	blockUntil(t, fc, 1)
	tr.Reconnect()
	ev := expect(t, tr, Disconnected, url)
	assert.NoError(t, ev.Err)
	ev = expect(t, tr, Connecting, url)
	assert.Equal(t, 1, ev.Attempt, "a new start")
}

func TestBackpressure(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}, EventBuffer: 1})
	sc := connect(t, tr, s, 1)
	blockUntil(t, fc, 1)

	const n = 200
	for i := range n {
		sc.send(t, "MESSAGE sip:a SIP/2.0\r\nCSeq: "+strconv.Itoa(i)+" MESSAGE\r\n\r\n")
	}
	// Nobody reads Events: the reader waits, and a keep-alive cycle
	// meanwhile must not declare the connection dead.
	deadline := time.Now().Add(wait)
	for !tr.readerBlocked() {
		require.True(t, time.Now().Before(deadline), "the reader never blocked")
		runtime.Gosched()
	}
	fc.Advance(30 * time.Second)
	assert.Equal(t, "\r\n\r\n", sc.recv(t).data)
	blockUntil(t, fc, 2)
	fc.Advance(10 * time.Second)
	for i := range n {
		ev := expect(t, tr, Message, s.url)
		require.Contains(t, string(ev.Data), "CSeq: "+strconv.Itoa(i)+" MESSAGE", "nothing dropped, order kept")
	}
	assert.True(t, tr.Connected())
}

func TestStop(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}})
	sc := connect(t, tr, s, 1)
	tr.Stop()
	assert.False(t, tr.Connected())
	err := sc.waitClosed(t)
	assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "closed with 1000")

	ev := expect(t, tr, Disconnected, s.url)
	assert.NoError(t, ev.Err)
	assert.Equal(t, CodeNormal, ev.Code)
	_, ok := <-tr.Events()
	assert.False(t, ok, "Events is closed")
	assert.Equal(t, 0, fc.Waiters(), "no timer left")
	tr.Stop()      // idempotent
	tr.Reconnect() // no-op
	tr.Start()     // no-op
	assert.False(t, tr.Connected())
}

func TestStopCutsOffAServerThatIgnoresTheClose(t *testing.T) {
	release := make(chan struct{})
	accepted := make(chan struct{}, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"}})
		if err != nil {
			return
		}
		accepted <- struct{}{}
		_ = c.Write(context.Background(), websocket.MessageText, []byte("OPTIONS sip:a SIP/2.0\r\n\r\n"))
		<-release // never reads, so never answers the close
		c.CloseNow()
	}))
	t.Cleanup(hs.Close)
	t.Cleanup(func() { close(release) })
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: url}}})
	expect(t, tr, Connecting, url)
	expect(t, tr, Connected, url)
	<-accepted
	// Once the message is delivered the reader soon waits in Read, where
	// the cut-off reaches it. (Should coder/websocket's close handshake
	// take the read lock first, it gives up by itself after 5 s: Stop
	// still returns within the test's bound.)
	expect(t, tr, Message, url)
	blockUntil(t, fc, 1) // the ping timer

	stopped := make(chan struct{})
	go func() { tr.Stop(); close(stopped) }()
	blockUntil(t, fc, 2) // and the grace timer of Stop
	select {
	case <-stopped:
		t.Fatal("Stop returned before the close handshake or the grace period ended")
	default:
	}
	fc.Advance(2 * time.Second)
	select {
	case <-stopped:
	case <-time.After(wait):
		t.Fatal("Stop did not cut the connection off after its grace period")
	}
	assert.Equal(t, 0, fc.Waiters())
}

func TestStopDoesNotWaitForTheConsumer(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, _ := newTransport(t, Config{Servers: []Server{{URL: s.url}}, EventBuffer: 1})
	sc := connect(t, tr, s, 1)
	for range 20 {
		sc.send(t, "OPTIONS sip:a SIP/2.0\r\n\r\n")
	}
	// The reader is (or soon will be) stuck on the full channel.
	stopped := make(chan struct{})
	go func() { tr.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(wait):
		t.Fatal("Stop blocked on the event consumer")
	}
	n := 0
	for range tr.Events() {
		n++
	}
	assert.LessOrEqual(t, n, 1)
}

func TestStopWhileWaitingAndDialing(t *testing.T) {
	dead := deadURL(t)
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: dead}}})
	expect(t, tr, Connecting, dead)
	expect(t, tr, Disconnected, dead)
	blockUntil(t, fc, 1) // back-off
	tr.Stop()
	_, ok := <-tr.Events()
	assert.False(t, ok)
	assert.Equal(t, 0, fc.Waiters())

	url := silentURL(t)
	tr, fc = newTransport(t, Config{Servers: []Server{{URL: url}}})
	expect(t, tr, Connecting, url)
	blockUntil(t, fc, 1) // dialing
	tr.Stop()
	for range tr.Events() {
	}
	assert.Equal(t, 0, fc.Waiters())
}

// readerBlocked reports whether the reader waits for the event consumer.
func (t *Transport) readerBlocked() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.link != nil && t.link.busy.Load()
}

// TestStopLeavesNoGoroutine checks, like goleak, that nothing of the
// transport or the WebSocket library runs after Stop.
func TestStopLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		s := newTestServer(t, "sip")
		tr, fc := newTransport(t, Config{Servers: []Server{{URL: s.url}}})
		sc := connect(t, tr, s, 1)
		require.NoError(t, tr.Send(context.Background(), []byte("OPTIONS sip:a SIP/2.0\r\n\r\n")))
		sc.recv(t)
		sc.send(t, "SIP/2.0 200 OK\r\n\r\n")
		expect(t, tr, Message, s.url)
		blockUntil(t, fc, 1)
		fc.Advance(30 * time.Second) // a keep-alive cycle: ping and pong timers
		sc.recv(t)
		sc.send(t, "\r\n")
		blockUntil(t, fc, 2)

		// And a second connection after a drop.
		require.NoError(t, sc.c.Close(4000, ""))
		expect(t, tr, Disconnected, s.url)
		blockUntil(t, fc, 1)
		fc.Advance(4 * time.Second)
		sc = connect(t, tr, s, 1)

		tr.Stop()
		sc.waitClosed(t)
		s.hs.Close()
	}()

	deadline := time.Now().Add(wait)
	for {
		leaked := ours()
		n := runtime.NumGoroutine()
		if len(leaked) == 0 && n <= before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Stop: %d before, %d after; ours:\n%s", before, n, strings.Join(leaked, "\n\n"))
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // polling the runtime, not waiting for the code under test
	}
}

// ours returns the stacks of goroutines running code of this package
// (outside its tests) or of the WebSocket library.
func ours() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "transport.(*Transport).") && !strings.Contains(g, "_test.go") ||
			strings.Contains(g, "github.com/coder/websocket.") {
			found = append(found, g)
		}
	}
	return found
}

// TestEventInvariant checks, over a run with failures and drops, that
// every Connecting is followed by Connected or Disconnected and every
// Connected by a Disconnected.
func TestEventInvariant(t *testing.T) {
	s := newTestServer(t, "sip")
	dead := deadURL(t)
	tr, fc := newTransport(t, Config{Servers: []Server{{URL: dead, Weight: 1}, {URL: s.url}}, KeepAlive: -1})
	var kinds []EventKind
	record := func(k EventKind, u string) { kinds = append(kinds, expect(t, tr, k, u).Kind) }
	record(Connecting, dead)
	record(Disconnected, dead)
	record(Connecting, s.url)
	record(Connected, s.url)
	sc := s.accept(t)
	sc.send(t, "OPTIONS sip:a SIP/2.0\r\n\r\n")
	record(Message, s.url)
	require.NoError(t, sc.c.Close(4000, ""))
	record(Disconnected, s.url)
	blockUntil(t, fc, 1)
	fc.Advance(4 * time.Second)
	record(Connecting, dead)
	record(Disconnected, dead)
	record(Connecting, s.url)
	record(Connected, s.url)
	tr.Stop()
	for ev := range tr.Events() {
		kinds = append(kinds, ev.Kind)
	}
	state := Disconnected
	for i, k := range kinds {
		switch k {
		case Connecting:
			require.Equal(t, Disconnected, state, "event %d", i)
		case Connected:
			require.Equal(t, Connecting, state, "event %d", i)
		case Message:
			require.Equal(t, Connected, state, "event %d", i)
			continue
		case Disconnected:
			require.NotEqual(t, Disconnected, state, "event %d", i)
		}
		state = k
	}
	assert.Equal(t, Disconnected, state, "the last event")
}

func TestRealClockSmoke(t *testing.T) {
	s := newTestServer(t, "sip")
	tr, _ := newTransport(t, Config{Servers: []Server{{URL: s.url}}, Clock: clock.Real(), Rand: func(int64) int64 { return 0 },
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		KeepAlive: 50 * time.Millisecond, PongTimeout: 40 * time.Millisecond})
	sc := connect(t, tr, s, 1)
	// The server never answers pings: the keep-alive drops it, and the
	// transport reconnects on its own with real timers.
	ev := expect(t, tr, Disconnected, s.url)
	assert.ErrorIs(t, ev.Err, ErrKeepAliveTimeout)
	assert.Equal(t, "\r\n\r\n", sc.recv(t).data)
	connect(t, tr, s, 1)
}

package sipua

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"
)

// memTransport is an in-memory transport: what the UA sends arrives on
// sent, parsed; the test plays the server by pushing events.
type memTransport struct {
	events chan transport.Event
	sent   chan *sipmsg.Message
	mu     sync.Mutex
	up     bool
}

func newMemTransport() *memTransport {
	return &memTransport{events: make(chan transport.Event, 256), sent: make(chan *sipmsg.Message, 1024)}
}

func (m *memTransport) Start() {}
func (m *memTransport) Stop()  {}
func (m *memTransport) Via() string {
	return "WSS"
}
func (m *memTransport) Events() <-chan transport.Event { return m.events }

func (m *memTransport) Send(ctx context.Context, b []byte) error {
	m.mu.Lock()
	up := m.up
	m.mu.Unlock()
	if !up {
		return transport.ErrNotConnected
	}
	msg, err := sipmsg.Parse(b)
	if err != nil {
		panic("UA sent an unparsable message: " + err.Error() + "\n" + string(b))
	}
	m.sent <- msg
	return nil
}

func (m *memTransport) connect() {
	m.mu.Lock()
	m.up = true
	m.mu.Unlock()
	m.events <- transport.Event{Kind: transport.Connected, URL: "wss://test.invalid"}
}

func (m *memTransport) disconnect() {
	m.mu.Lock()
	m.up = false
	m.mu.Unlock()
	m.events <- transport.Event{Kind: transport.Disconnected, Code: 1006, Reason: "test drop"}
}

// harness is a UA wired to a memTransport and a fake clock.
type harness struct {
	t      *testing.T
	ua     *UA
	tr     *memTransport
	clk    *clock.Fake
	events chan Event
	wants  map[string]bool
}

const testPassword = "s3cret-pw"

func newHarness(t *testing.T, mutate ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, tr: newMemTransport(), clk: clock.NewFake(time.Unix(1_700_000_000, 0)),
		events: make(chan Event, 256), wants: map[string]bool{}}
	cfg := Config{
		URI: "sip:200@pbx.test", Password: testPassword, DisplayName: "Desk 200",
		Transport: h.tr, Clock: h.clk,
		OnEvent: func(e Event) { h.events <- e },
	}
	for _, f := range mutate {
		f(&cfg)
	}
	ua, err := New(cfg)
	require.NoError(t, err)
	h.ua = ua
	require.NoError(t, ua.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		h.tr.mu.Lock()
		h.tr.up = false
		h.tr.mu.Unlock()
		_ = ua.Stop(ctx)
	})
	return h
}

// sync waits until the loop has handled everything posted before.
func (h *harness) sync() {
	h.t.Helper()
	require.NoError(h.t, h.ua.run(context.Background(), func() {}))
}

func (h *harness) connect() {
	h.tr.connect()
	h.expectEvent("connected")
}

// expect waits for the UA to send a request of the given method.
func (h *harness) expect(method string) *sipmsg.Message {
	h.t.Helper()
	select {
	case m := <-h.tr.sent:
		require.True(h.t, m.IsRequest(), "expected %s, got %s", method, m.Summary())
		require.Equal(h.t, method, m.Method, "expected %s, got %s", method, m.Summary())
		return m
	case <-time.After(5 * time.Second):
		h.t.Fatalf("the UA sent no %s", method)
		return nil
	}
}

// expectResponse waits for the UA to send a response.
func (h *harness) expectResponse(code int) *sipmsg.Message {
	h.t.Helper()
	select {
	case m := <-h.tr.sent:
		require.True(h.t, m.IsResponse(), "expected %d, got %s", code, m.Summary())
		require.Equal(h.t, code, m.StatusCode, "got %s", m.Summary())
		return m
	case <-time.After(5 * time.Second):
		h.t.Fatalf("the UA sent no %d", code)
		return nil
	}
}

// nothingSent asserts that the UA sent nothing (after the loop settled).
func (h *harness) nothingSent() {
	h.t.Helper()
	h.sync()
	select {
	case m := <-h.tr.sent:
		h.t.Fatalf("unexpected %s", m.Summary())
	default:
	}
}

// reply answers req as the server would.
func (h *harness) reply(req *sipmsg.Message, code int, mutate ...func(*sipmsg.Message)) *sipmsg.Message {
	h.t.Helper()
	resp, err := sipmsg.NewResponse(req, code, "")
	require.NoError(h.t, err)
	for _, f := range mutate {
		f(resp)
	}
	h.deliver(resp)
	return resp
}

func (h *harness) deliver(m *sipmsg.Message) {
	h.t.Helper()
	b, err := m.Bytes()
	require.NoError(h.t, err)
	h.tr.events <- transport.Event{Kind: transport.Message, Data: b}
}

func (h *harness) deliverRaw(s string) {
	h.tr.events <- transport.Event{Kind: transport.Message, Data: []byte(s)}
}

// expectEvent waits for an event of the given name, skipping others.
func (h *harness) expectEvent(name string) Event {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-h.events:
			if e.Name() == name {
				return e
			}
		case <-deadline:
			h.t.Fatalf("no %s event", name)
			return nil
		}
	}
}

// noEvent asserts that no event of the given name is queued.
func (h *harness) noEvent(name string) {
	h.t.Helper()
	h.sync()
	time.Sleep(10 * time.Millisecond) // the dispatcher runs on its own goroutine
	for {
		select {
		case e := <-h.events:
			if e.Name() == name {
				h.t.Fatalf("unexpected %s event: %+v", name, e)
			}
		default:
			return
		}
	}
}

// advance moves the fake clock and lets the loop run what fell due.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.sync()
	h.clk.Advance(d)
	h.sync()
}

// advanceUntilSent moves the clock in steps until the UA sends something,
// at most max; it fails when nothing is sent.
func (h *harness) advanceUntilSent(max, step time.Duration) *sipmsg.Message {
	h.t.Helper()
	for moved := time.Duration(0); moved < max; moved += step {
		h.advance(step)
		select {
		case m := <-h.tr.sent:
			return m
		default:
		}
	}
	h.t.Fatalf("the UA sent nothing within %v", max)
	return nil
}

func challenge(realm, nonce string, stale bool) func(*sipmsg.Message) {
	return func(m *sipmsg.Message) {
		v := `Digest realm="` + realm + `", nonce="` + nonce + `", qop="auth", algorithm=MD5`
		if stale {
			v += ", stale=true"
		}
		name := sipmsg.HdrWWWAuthenticate
		if m.StatusCode == 407 {
			name = sipmsg.HdrProxyAuthenticate
		}
		_ = m.Add(name, v)
	}
}

// verifyAuth checks the credentials of req against the test password.
func verifyAuth(t *testing.T, req *sipmsg.Message, header string) digest.Credentials {
	t.Helper()
	creds, err := req.Credentials(header)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	require.True(t, digest.Verify(creds[0], req.Method, testPassword, req.Body), "digest must verify")
	return creds[0]
}

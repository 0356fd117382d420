package transport

// Tests of configuration, back-off and server order: no network, so they
// run natively and under js/wasm.

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

func TestNewValidatesURLs(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"", "empty server URL"},
		{"http://example.com/ws", `scheme "http": want ws:// or wss://`},
		{"sip:alice@example.com", `scheme "sip": want ws:// or wss://`},
		{"example.com:8080", "want ws:// or wss://"},
		{"ws:///path", "has no host"},
		{"wss://example.com/ws#frag", "fragment"},
		{"ws://exa mple.com", "invalid character"},
	} {
		_, err := New(Config{Servers: []Server{{URL: tc.url}}})
		if assert.Error(t, err, tc.url) {
			assert.Contains(t, err.Error(), tc.want, tc.url)
		}
	}
	_, err := New(Config{})
	assert.ErrorContains(t, err, "no server configured")

	for _, ok := range []string{"ws://127.0.0.1:5066", "wss://sip.example.com/ws", "WSS://sip.example.com", "ws://[::1]:80/x?y=z"} {
		_, err := New(Config{Servers: []Server{{URL: ok}}})
		assert.NoError(t, err, ok)
	}
}

func TestNewValidatesDurations(t *testing.T) {
	srv := []Server{{URL: "ws://127.0.0.1:1"}}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"min>max", Config{MinBackoff: time.Minute, MaxBackoff: time.Second}, "exceeds MaxBackoff"},
		{"min>default max", Config{MinBackoff: time.Minute}, "exceeds MaxBackoff"},
		{"negative min", Config{MinBackoff: -1}, "negative MinBackoff"},
		{"negative dial", Config{DialTimeout: -time.Second}, "negative DialTimeout"},
		{"pong>=keepalive", Config{KeepAlive: 5 * time.Second, PongTimeout: 5 * time.Second}, "shorter than KeepAlive"},
		{"negative size", Config{MaxMessageSize: -1}, "negative MaxMessageSize"},
		{"negative buffer", Config{EventBuffer: -1}, "negative EventBuffer"},
	} {
		tc.cfg.Servers = srv
		_, err := New(tc.cfg)
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
}

func TestDefaults(t *testing.T) {
	tr, err := New(Config{Servers: []Server{{URL: "ws://127.0.0.1:1"}}})
	require.NoError(t, err)
	c := tr.cfg
	assert.Equal(t, 2*time.Second, c.MinBackoff)
	assert.Equal(t, 30*time.Second, c.MaxBackoff)
	assert.Equal(t, 30*time.Second, c.KeepAlive)
	assert.Equal(t, 10*time.Second, c.PongTimeout)
	assert.Equal(t, 10*time.Second, c.DialTimeout)
	assert.Equal(t, int64(sipmsg.DefaultMaxMessageSize), c.MaxMessageSize, "same limit as the parser")
	assert.Equal(t, 64, cap(tr.events))
	assert.NotNil(t, c.Clock)
	assert.NotNil(t, c.Logger)
	assert.NotNil(t, c.Rand)

	// A short keep-alive gets a pong timeout of half of it.
	tr, err = New(Config{Servers: []Server{{URL: "ws://127.0.0.1:1"}}, KeepAlive: 4 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, tr.cfg.PongTimeout)

	// Negative values turn keep-alives, or only their timeout, off.
	tr, err = New(Config{Servers: []Server{{URL: "ws://127.0.0.1:1"}}, KeepAlive: -1})
	require.NoError(t, err)
	assert.Negative(t, tr.cfg.KeepAlive)
	tr, err = New(Config{Servers: []Server{{URL: "ws://127.0.0.1:1"}}, PongTimeout: -1})
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, tr.cfg.KeepAlive)
	assert.Negative(t, tr.cfg.PongTimeout)
}

func TestServerOrder(t *testing.T) {
	in := []Server{
		{URL: "ws://c", Weight: 1},
		{URL: "ws://a1", Weight: 10},
		{URL: "ws://b1", Weight: 5},
		{URL: "ws://a2", Weight: 10},
		{URL: "ws://b2", Weight: 5},
		{URL: "ws://d", Weight: -3},
	}
	tr, err := New(Config{Servers: in})
	require.NoError(t, err)
	var got []string
	for _, s := range tr.cfg.Servers {
		got = append(got, s.URL)
	}
	assert.Equal(t, []string{"ws://a1", "ws://a2", "ws://b1", "ws://b2", "ws://c", "ws://d"}, got)
	assert.Equal(t, "ws://c", in[0].URL, "the caller's slice is not reordered")
}

func TestVia(t *testing.T) {
	tr, err := New(Config{Servers: []Server{{URL: "wss://a.example/ws", Weight: 2}, {URL: "ws://b.example"}}})
	require.NoError(t, err)
	assert.Equal(t, "WSS", tr.Via())
	tr, err = New(Config{Servers: []Server{{URL: "wss://a.example/ws"}, {URL: "ws://b.example", Weight: 2}}})
	require.NoError(t, err)
	assert.Equal(t, "WS", tr.Via())
	assert.Equal(t, "WSS", viaTransport("WSS://x"))
}

func TestBackoffBounds(t *testing.T) {
	lo, hi := 2*time.Second, 30*time.Second
	least := func(int64) int64 { return 0 }
	most := func(n int64) int64 { return n - 1 }
	wantTop := []time.Duration{4, 8, 16, 30, 30, 30}
	for i, top := range wantTop {
		n := i + 1
		assert.Equal(t, lo, backoff(n, lo, hi, least), "round %d, least", n)
		assert.Equal(t, top*time.Second, backoff(n, lo, hi, most), "round %d, most", n)
	}
	// Huge round numbers do not overflow.
	assert.Equal(t, hi, backoff(1000, lo, hi, most))
	assert.Equal(t, hi, backoff(1<<30, time.Nanosecond, hi, most))
	// n < 1 is treated as 1; a Rand out of range is clamped.
	assert.Equal(t, 4*time.Second, backoff(0, lo, hi, most))
	assert.Equal(t, hi, backoff(9, lo, hi, func(n int64) int64 { return 5 * n }))
	assert.Equal(t, lo, backoff(9, lo, hi, func(int64) int64 { return -7 }))
	// MinBackoff == MaxBackoff: no jitter.
	assert.Equal(t, lo, backoff(3, lo, lo, most))

	// The default Rand stays within the bounds.
	for n := 1; n < 8; n++ {
		for range 50 {
			d := backoff(n, lo, hi, nil2default(nil))
			assert.GreaterOrEqual(t, d, lo)
			assert.LessOrEqual(t, d, hi)
		}
	}
}

// nil2default returns the Rand that New would use for r.
func nil2default(r func(int64) int64) func(int64) int64 {
	c, err := Config{Servers: []Server{{URL: "ws://x"}}, Rand: r}.withDefaults()
	if err != nil {
		panic(err)
	}
	return c.Rand
}

func TestOnlyCRLF(t *testing.T) {
	assert.True(t, onlyCRLF(nil))
	assert.True(t, onlyCRLF([]byte("\r\n")))
	assert.True(t, onlyCRLF([]byte("\r\n\r\n")))
	assert.False(t, onlyCRLF([]byte("\r\nOPTIONS")))
	assert.False(t, onlyCRLF([]byte(" \r\n")))
}

func TestEventKindString(t *testing.T) {
	assert.Equal(t, "connecting", Connecting.String())
	assert.Equal(t, "connected", Connected.String())
	assert.Equal(t, "disconnected", Disconnected.String())
	assert.Equal(t, "message", Message.String())
	assert.Equal(t, "EventKind(42)", EventKind(42).String())
}

// TestLifecycleWithoutStart needs no network: a Transport that was never
// started refuses to send, and Stop closes its Events.
func TestLifecycleWithoutStart(t *testing.T) {
	fc := clock.NewFake(time.Unix(0, 0))
	tr, err := New(Config{Servers: []Server{{URL: "ws://127.0.0.1:1"}}, Clock: fc})
	require.NoError(t, err)
	assert.False(t, tr.Connected())
	assert.ErrorIs(t, tr.Send(context.Background(), []byte("OPTIONS")), ErrNotConnected)
	tr.Reconnect() // no-op before Start
	tr.Stop()
	tr.Stop() // idempotent
	_, ok := <-tr.Events()
	assert.False(t, ok, "Events is closed after Stop")
	tr.Start() // no-op after Stop
	assert.False(t, tr.Connected())
	assert.ErrorIs(t, tr.Send(context.Background(), []byte("OPTIONS")), ErrNotConnected)
	assert.Equal(t, 0, fc.Waiters())
}

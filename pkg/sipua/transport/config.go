package transport

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
)

// Defaults applied by [New] to the zero values of [Config].
const (
	DefaultMinBackoff     = 2 * time.Second
	DefaultMaxBackoff     = 30 * time.Second
	DefaultKeepAlive      = 30 * time.Second
	DefaultPongTimeout    = 10 * time.Second
	DefaultDialTimeout    = 10 * time.Second
	DefaultMaxMessageSize = 256 << 10 // sipmsg.DefaultMaxMessageSize
	DefaultEventBuffer    = 64
)

// Server is one SIP-over-WebSocket server the transport may connect to.
type Server struct {
	// URL is the WebSocket URL, ws://host[:port][/path] or wss://...
	URL string
	// Weight orders the servers: a higher weight is tried first. Servers
	// of equal weight are tried in the order they are listed.
	Weight int
}

// Config configures a [Transport]. The zero value of every field but
// Servers selects a default.
type Config struct {
	// Servers lists the servers; at least one is required. See
	// [Transport] for the order in which they are tried.
	Servers []Server

	// MinBackoff and MaxBackoff bound the delay before a reconnection
	// round (default 2 s and 30 s, as JsSIP). See [Transport] for the
	// policy.
	MinBackoff, MaxBackoff time.Duration

	// KeepAlive is the interval of the RFC 5626 double-CRLF keep-alive
	// ping sent while connected: 0 selects 30 s, a negative value turns
	// keep-alives off.
	KeepAlive time.Duration

	// PongTimeout is how long after a ping the connection must show a
	// sign of life (the single-CRLF pong or any other data) before it is
	// considered dead, closed and reconnected. 0 selects 10 s, or half of
	// KeepAlive if that is shorter; a negative value sends pings without
	// ever timing out (for servers that do not answer them). It must be
	// shorter than KeepAlive.
	PongTimeout time.Duration

	// DialTimeout bounds one connection attempt, handshake included
	// (default 10 s).
	DialTimeout time.Duration

	// MaxMessageSize is the largest message accepted from the server
	// (default 256 KiB, the SIP parser's own limit). A larger one closes
	// the connection with status 1009.
	MaxMessageSize int64

	// EventBuffer is the capacity of the Events channel (default 64).
	EventBuffer int

	// Clock is the source of every timer (default: the real clock).
	Clock clock.Clock
	// Logger receives connection-level logs (default: discarded).
	Logger *slog.Logger
	// Rand returns a uniformly random integer in [0, n) for n > 0; it
	// draws the back-off jitter (default: math/rand/v2.Int64N).
	Rand func(n int64) int64

	// Handshake holds the native WebSocket handshake's options. It is
	// empty under js/wasm, where the browser's WebSocket dials and sets the
	// headers itself; keeping net/http's types out of that build keeps the
	// module small.
	Handshake
}

// withDefaults validates c and returns a copy with defaults applied and
// the servers sorted by preference.
func (c Config) withDefaults() (Config, error) {
	if len(c.Servers) == 0 {
		return c, errors.New("transport: no server configured")
	}
	servers := make([]Server, len(c.Servers))
	for i, s := range c.Servers {
		norm, err := checkURL(s.URL)
		if err != nil {
			return c, err
		}
		servers[i] = Server{URL: norm, Weight: s.Weight}
	}
	c.Servers = sortServers(servers)

	var err error
	if c.MinBackoff, err = durationOrDefault("MinBackoff", c.MinBackoff, DefaultMinBackoff); err != nil {
		return c, err
	}
	if c.MaxBackoff, err = durationOrDefault("MaxBackoff", c.MaxBackoff, DefaultMaxBackoff); err != nil {
		return c, err
	}
	if c.MinBackoff > c.MaxBackoff {
		return c, fmt.Errorf("transport: MinBackoff %v exceeds MaxBackoff %v", c.MinBackoff, c.MaxBackoff)
	}
	if c.DialTimeout, err = durationOrDefault("DialTimeout", c.DialTimeout, DefaultDialTimeout); err != nil {
		return c, err
	}
	switch {
	case c.KeepAlive == 0:
		c.KeepAlive = DefaultKeepAlive
	case c.KeepAlive < 0:
		c.KeepAlive = -1
	}
	if c.KeepAlive > 0 {
		switch {
		case c.PongTimeout == 0:
			c.PongTimeout = min(DefaultPongTimeout, c.KeepAlive/2)
		case c.PongTimeout < 0:
			c.PongTimeout = -1
		case c.PongTimeout >= c.KeepAlive:
			return c, fmt.Errorf("transport: PongTimeout %v must be shorter than KeepAlive %v", c.PongTimeout, c.KeepAlive)
		}
	}
	switch {
	case c.MaxMessageSize == 0:
		c.MaxMessageSize = DefaultMaxMessageSize
	case c.MaxMessageSize < 0:
		return c, fmt.Errorf("transport: negative MaxMessageSize %d", c.MaxMessageSize)
	}
	switch {
	case c.EventBuffer == 0:
		c.EventBuffer = DefaultEventBuffer
	case c.EventBuffer < 0:
		return c, fmt.Errorf("transport: negative EventBuffer %d", c.EventBuffer)
	}
	if c.Clock == nil {
		c.Clock = clock.Real()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Rand == nil {
		c.Rand = rand.Int64N
	}
	return c, nil
}

func durationOrDefault(name string, d, def time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return def, nil
	case d < 0:
		return 0, fmt.Errorf("transport: negative %s %v", name, d)
	}
	return d, nil
}

// checkURL accepts ws:// and wss:// URLs with a host and no fragment
// (RFC 6455 §3) and returns the URL as given.
func checkURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("transport: empty server URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("transport: server URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "":
		return "", fmt.Errorf("transport: server URL %q has no scheme: want ws:// or wss://", raw)
	default:
		return "", fmt.Errorf("transport: server URL %q has scheme %q: want ws:// or wss://", raw, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("transport: server URL %q has no host", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "", fmt.Errorf("transport: server URL %q has a fragment, which WebSocket URLs must not have", raw)
	}
	return raw, nil
}

// sortServers orders servers by descending weight, keeping the given order
// among equal weights.
func sortServers(s []Server) []Server {
	slices.SortStableFunc(s, func(a, b Server) int { return cmp.Compare(b.Weight, a.Weight) })
	return s
}

// viaTransport returns the Via transport token for a ws:// or wss:// URL.
func viaTransport(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Scheme == "wss" {
		return "WSS"
	}
	return "WS"
}

// backoff returns the delay before reconnection round n (n >= 1 counts
// the rounds since the last stable connection): uniformly random in
// [lo, min(hi, lo·2^n)], drawn with rnd.
func backoff(n int, lo, hi time.Duration, rnd func(int64) int64) time.Duration {
	if n < 1 {
		n = 1
	}
	top := lo
	for i := 0; i < n && top < hi; i++ {
		if top > hi/2 {
			top = hi
			break
		}
		top *= 2
	}
	if top <= lo {
		return lo
	}
	span := int64(top - lo)
	j := rnd(span + 1)
	j = max(0, min(j, span))
	return lo + time.Duration(j)
}

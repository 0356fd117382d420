//go:build !js

package transport

import (
	"context"

	"github.com/coder/websocket"
)

// dialOptions returns the options of a native dial: the sip subprotocol,
// the configured HTTP client and headers, and WebSocket-level pings and
// pongs from the server counted as liveness.
func dialOptions(cfg *Config, alive func()) *websocket.DialOptions {
	return &websocket.DialOptions{
		Subprotocols: []string{"sip"},
		HTTPClient:   cfg.HTTPClient,
		HTTPHeader:   cfg.Header,
		OnPingReceived: func(context.Context, []byte) bool {
			alive()
			return true // answer it
		},
		OnPongReceived: func(context.Context, []byte) { alive() },
	}
}

// dial opens a WebSocket; cancelling ctx aborts the handshake.
func dial(ctx context.Context, url string, opts *websocket.DialOptions) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, url, opts)
	return c, err
}

// closeWith closes c with a close handshake, sending code and reason.
func closeWith(c *websocket.Conn, code websocket.StatusCode, reason string) {
	_ = c.Close(code, reason)
}

// closeNow closes c at once if it is still open.
func closeNow(c *websocket.Conn) {
	_ = c.CloseNow()
}

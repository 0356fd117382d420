//go:build !js

package transport

import (
	"context"
	"errors"

	"github.com/coder/websocket"
)

// nativeConn adapts a coder/websocket connection.
type nativeConn struct{ c *websocket.Conn }

// dial opens a WebSocket with the sip subprotocol, the configured HTTP
// client and headers; WebSocket-level pings and pongs from the server
// count as liveness. Cancelling ctx aborts the handshake.
func dial(ctx context.Context, url string, cfg *Config, alive func()) (wsConn, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		Subprotocols: []string{"sip"},
		HTTPClient:   cfg.HTTPClient,
		HTTPHeader:   cfg.Header,
		OnPingReceived: func(context.Context, []byte) bool {
			alive()
			return true // answer it
		},
		OnPongReceived: func(context.Context, []byte) { alive() },
	})
	if err != nil {
		return nil, err
	}
	return nativeConn{c}, nil
}

func (n nativeConn) Subprotocol() string  { return n.c.Subprotocol() }
func (n nativeConn) SetReadLimit(l int64) { n.c.SetReadLimit(l) }

func (n nativeConn) Read(ctx context.Context) ([]byte, error) {
	_, data, err := n.c.Read(ctx)
	var ce websocket.CloseError
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, websocket.ErrMessageTooBig):
		return nil, errors.Join(errTooBig, err)
	case errors.As(err, &ce):
		return nil, &closedError{Code: int(ce.Code), Reason: ce.Reason, err: err}
	}
	return nil, err
}

func (n nativeConn) Write(ctx context.Context, binary bool, p []byte) error {
	typ := websocket.MessageText
	if binary {
		typ = websocket.MessageBinary
	}
	return n.c.Write(ctx, typ, p)
}

// Close performs the close handshake (bounded by coder/websocket).
func (n nativeConn) Close(code int, reason string) {
	_ = n.c.Close(websocket.StatusCode(code), reason)
}

func (n nativeConn) CloseNow() { _ = n.c.CloseNow() }

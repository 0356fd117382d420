//go:build js

package transport

import (
	"context"

	"github.com/coder/websocket"
)

// dialOptions returns the options of a dial through the browser's
// WebSocket, which offers nothing but the subprotocols: it sets the
// headers itself and handles WebSocket-level pings unseen.
func dialOptions(*Config, func()) *websocket.DialOptions {
	return &websocket.DialOptions{Subprotocols: []string{"sip"}}
}

// dial opens a WebSocket through the browser.
//
// coder/websocket aborts a dial whose context ends by closing the socket
// with status 1008, which browsers refuse to send (WebSocket.close accepts
// only 1000 and 3000-4999): the socket would go on connecting, and stay
// open unowned if it succeeded. So the dial runs without a deadline in a
// goroutine; when ctx ends first, that goroutine is left to close the
// socket whenever the browser settles the attempt.
func dial(ctx context.Context, url string, opts *websocket.DialOptions) (*websocket.Conn, error) {
	type result struct {
		c   *websocket.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, _, err := websocket.Dial(context.Background(), url, opts)
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				closeNow(r.c)
			}
		}()
		return nil, context.Cause(ctx)
	}
}

// closeWith closes c with a close handshake. Browsers send only 1000 and
// 3000-4999, so other codes become 1000 (the reason still says why).
func closeWith(c *websocket.Conn, code websocket.StatusCode, reason string) {
	if code != websocket.StatusNormalClosure && (code < 3000 || code > 4999) {
		code = websocket.StatusNormalClosure
	}
	_ = c.Close(code, reason)
}

// closeNow closes c if it is still open. c.CloseNow sends 1001, which
// browsers refuse, so this sends 1000.
func closeNow(c *websocket.Conn) {
	_ = c.Close(websocket.StatusNormalClosure, "")
}

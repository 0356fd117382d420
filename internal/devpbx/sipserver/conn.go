//go:build !js

package sipserver

import (
	"context"
	"errors"
	"time"

	"github.com/coder/websocket"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// outQueue bounds the messages waiting to be written to one connection; a
// client that reads slower than that is disconnected, so sending never
// blocks the server.
const outQueue = 256

// writeTimeout bounds one WebSocket write.
const writeTimeout = 10 * time.Second

// conn is one SIP-over-WebSocket connection: a flow in RFC 5626 terms.
type conn struct {
	id     string // flow token, used in Record-Route and Via
	ws     *websocket.Conn
	remote string
	out    chan []byte
	ctx    context.Context
	cancel context.CancelFunc
}

// send queues a message for writing. It never blocks: a full queue closes
// the connection.
func (c *conn) send(m *sipmsg.Message) error {
	b, err := m.Bytes()
	if err != nil {
		return err
	}
	return c.sendRaw(b)
}

func (c *conn) sendRaw(b []byte) error {
	select {
	case <-c.ctx.Done():
		return errConnClosed
	default:
	}
	select {
	case c.out <- b:
		return nil
	default:
		c.cancel()
		return errors.New("sipserver: connection write queue full")
	}
}

// writeLoop writes queued messages until the connection ends.
func (c *conn) writeLoop() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case b := <-c.out:
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				c.cancel()
				return
			}
		}
	}
}

var errConnClosed = errors.New("sipserver: connection closed")

package transport

import (
	"context"
	"errors"
	"strconv"
)

// wsConn is one open WebSocket. Natively it is github.com/coder/websocket;
// under js/wasm it is the JavaScript runtime's WebSocket, called directly:
// coder/websocket would bring net/http, and with it crypto/tls and x509,
// into the module (about 0.4 MB of its gzip size) only for its types.
type wsConn interface {
	// Subprotocol is the subprotocol the server selected.
	Subprotocol() string
	// SetReadLimit sets the largest message Read accepts; a larger one
	// closes the connection and Read fails with errTooBig.
	SetReadLimit(n int64)
	// Read returns the next message.
	Read(ctx context.Context) ([]byte, error)
	// Write sends one message, binary or text.
	Write(ctx context.Context, binary bool, p []byte) error
	// Close starts or performs the close handshake with code and reason.
	Close(code int, reason string)
	// CloseNow closes the connection at once if it is still open.
	CloseNow()
}

// errTooBig is how a wsConn reports a message above its read limit.
var errTooBig = errors.New("websocket: message too big")

// closedError is how a wsConn reports a close status from the server.
type closedError struct {
	Code   int
	Reason string
	err    error // the implementation's own error, if any
}

func (e *closedError) Unwrap() error { return e.err }

func (e *closedError) Error() string {
	if e.Reason == "" {
		return "websocket: closed with status " + strconv.Itoa(e.Code)
	}
	return "websocket: closed with status " + strconv.Itoa(e.Code) + ": " + e.Reason
}

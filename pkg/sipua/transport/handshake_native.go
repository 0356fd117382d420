//go:build !js

package transport

import "net/http"

// Handshake configures the HTTP request that opens the WebSocket.
type Handshake struct {
	// HTTPClient performs the handshake (default: http.DefaultClient),
	// e.g. to trust a private CA for wss://.
	HTTPClient *http.Client
	// Header adds HTTP headers to the handshake (e.g. Origin, which some
	// servers check).
	Header http.Header
}

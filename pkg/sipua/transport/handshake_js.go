//go:build js && wasm

package transport

// Handshake is empty under js/wasm: the browser's WebSocket performs the
// handshake and chooses its headers.
type Handshake struct{}

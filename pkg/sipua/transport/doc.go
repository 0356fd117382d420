// Package transport is the SIP-over-WebSocket transport of the user agent
// (RFC 7118): a [Transport] keeps one WebSocket connection with the "sip"
// subprotocol open to one of a list of servers, carries exactly one SIP
// message per WebSocket message in each direction, keeps the connection
// alive with RFC 5626 double-CRLF pings, and reconnects with back-off and
// failover when it drops.
//
// It knows nothing of SIP beyond that framing: the user agent builds Via
// and Contact (using [Transport.Via] for the Via transport token) and
// parses what arrives.
//
// Natively the WebSocket is github.com/coder/websocket, and the handshake
// can use a custom HTTP client and headers ([Handshake.HTTPClient],
// [Handshake.Header]). Under js/wasm it is the runtime's own WebSocket
// class (the browser's, or the one the package's loader provides in
// Node.js), called directly, which does the handshake itself; reaching it
// through coder/websocket would link net/http and crypto/tls into the
// module for nothing.
//
// All timing (back-off, keep-alive, dial timeout) comes from
// [Config.Clock], so tests drive it with a fake clock.
//
// # Use from a user agent's event loop
//
// A user agent whose state is owned by one goroutine selects on
// [Transport.Events] alongside its other inputs, and sends with
// [Transport.Send] from that goroutine:
//
//	tr, err := transport.New(transport.Config{
//		Servers: []transport.Server{{URL: "wss://sip.example.com/ws", Weight: 10}},
//	})
//	if err != nil {
//		return err
//	}
//	tr.Start()
//	defer tr.Stop()
//	for {
//		select {
//		case ev, ok := <-tr.Events():
//			if !ok {
//				return nil // stopped
//			}
//			switch ev.Kind {
//			case transport.Connected:
//				// (re-)register
//			case transport.Disconnected:
//				// fail pending client transactions, mark unregistered
//			case transport.Message:
//				// parse ev.Data, hand it to the transaction layer
//			}
//		case req := <-apiCalls:
//			// ... tr.Send(ctx, msg) returns ErrNotConnected while down
//		}
//	}
//
// The loop must keep draining Events: the transport stops reading from the
// server while the channel is full rather than drop a message.
package transport

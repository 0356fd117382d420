// Package sipserver is the SIP half of the development PBX: SIP over
// WebSocket (RFC 7118, subprotocol "sip") with a registrar using digest
// authentication, a proxy that forks calls between registered extensions,
// a dialog-event notifier (RFC 4235) for busy-lamp fields, an echo test and
// other test numbers, and call origination for the REST API.
//
// It is a development tool, not a production PBX: all state is in memory.
package sipserver

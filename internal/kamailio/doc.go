//go:build !(js && wasm)

// Package kamailio runs a real Kamailio 5.6 (Debian's packages) for interop
// tests of the SIP user agent: a registrar with digest authentication, a
// proxy between registered users, and a presence server for the dialog event
// package, reachable over SIP over WebSocket on ws://127.0.0.1:PORT.
//
//	srv := kamailio.Start(t, kamailio.Options{
//		Users: map[string]string{"alice": "alice-pw", "bob": "bob-pw"},
//	})
//	// dial srv.WSURL with subprotocol "sip", register sip:alice@srv.Domain ...
//	n, err := srv.Registrations("alice")
//
// Start installs Kamailio when it is missing and the test runs as root
// (scripts/install-kamailio.sh); otherwise the test fails with what to
// install. It never skips.
//
// Each Server runs its own kamailio process in the foreground with a config
// generated from kamailio.cfg.tmpl (see that file for the routing logic and
// the authentication rules) on free loopback ports, with its runtime files
// in a temporary directory. Its log is kept in memory and printed when the
// test fails. t.Cleanup stops it.
//
// Programs other than Go tests use Launch, which returns errors instead of
// failing a test and runs until Close; the command
// internal/kamailio/cmd/kamailio wraps it for tests in other processes (the
// browser tests in web/test/browser/) and prints the server's WebSocket
// URL, domain and users as KAMAILIO_* lines.
//
// # What a user agent sees
//
// Measured with this configuration (see kamailio_test.go, which checks most
// of it):
//
//   - REGISTER is challenged with 401, every other initial request (INVITE,
//     MESSAGE, SUBSCRIBE, PUBLISH, OPTIONS to a user) with 407: qop=auth,
//     MD5, realm = the domain. Wrong credentials get a fresh 401/407 without
//     stale=true. OPTIONS to the server itself (no user part) gets 200
//     without a challenge. In-dialog requests, ACK and CANCEL are not
//     challenged.
//   - The 200 to REGISTER lists the contact with expires=N and
//     received="sip:127.0.0.1:PORT;transport=ws"; with +sip.instance it also
//     echoes +sip.instance and reg-id and adds pub-gruu and temp-gruu. Match
//     our binding by URI, not by the whole header. Expires below
//     Options.MinExpires (60 by default) are raised silently, no 423.
//   - Outbound (RFC 5626) is not negotiated: "Supported: outbound" is
//     accepted and ignored (no Require/Supported in the 200, no
//     Flow-Timer); "Require: outbound" gets 420 Bad Extension. A Contact URI
//     ";ob" parameter is kept. No Path is added (single proxy).
//   - A new REGISTER with the same +sip.instance replaces the old binding
//     even from a new connection and Call-ID; without +sip.instance the old
//     binding stays until it expires or its connection closes. Bindings are
//     removed when their WebSocket connection closes (usrloc
//     handle_lost_tcp) and all are forgotten by Restart.
//   - Requests reaching a UA carry Kamailio's Via, written with two spaces
//     ("SIP/2.0/WS  127.0.0.1:PORT"), and Record-Route
//     <sip:127.0.0.1:PORT;transport=ws;lr;ftag=...;did=...>; the
//     Request-URI is the registered Contact URI. Contacts of WebSocket
//     peers get an ";alias=127.0.0.1~PORT~5" parameter: a UA must send every
//     request over its one WebSocket connection whatever the Route and
//     Request-URI say.
//   - A double-CRLF keep-alive is answered with a WebSocket message holding
//     just "\r\n". Kamailio pings idle WebSocket connections after 180 s
//     (websocket module default; a Go UA using coder/websocket must keep a
//     Read pending for the pong to be sent); tcp_connection_lifetime is 3605 s.
//   - SUBSCRIBE Event: dialog gets 200 (not 202) with Expires and
//     Contact <sip:127.0.0.1:PORT;transport=ws>, no Record-Route; other
//     event packages get 489. The NOTIFYs' Request-URI is the SUBSCRIBE
//     Contact rewritten to the connection's address
//     (sip:user@127.0.0.1:PORT;transport=ws). A subscription without
//     Expires lasts 3600 s. The first NOTIFY of a fresh subscription holds a
//     dummy dialog: version="1" state="full", one <dialog> with
//     direction="recipient" and <state>terminated</state>. An un-SUBSCRIBE
//     gets 200 and a last NOTIFY with "Subscription-State:
//     terminated;reason=timeout": do not resubscribe on that reason after
//     unsubscribing.
//   - Call states come from the dialog module through pua_dialoginfo (no
//     PUBLISH needed from UAs): the caller's entity goes Trying (capital T)
//     -> early -> confirmed -> terminated with direction="initiator", the
//     callee's early -> confirmed -> terminated with direction="recipient";
//     the dialog id is not the Call-ID (call-id is an attribute),
//     local-tag/remote-tag are often missing, and <local>/<remote> targets
//     may carry the ;alias parameter. Compare states case-insensitively.
package kamailio

//go:build !js

// Package sipserver is the SIP half of the development PBX: SIP over
// WebSocket (RFC 7118, subprotocol "sip") with a registrar, a proxy that
// forks calls between registered extensions, a dialog-event notifier
// (RFC 4235) for busy-lamp fields, an echo test and other test numbers,
// and call origination (third-party call control, RFC 3725) for the REST
// API. It is a development tool, not a production PBX: all state is in
// memory and one mutex guards it.
//
// # Registrar
//
// REGISTER is authenticated with digest MD5, qop=auth, in Config.Realm
// (401; a wrong password is challenged again, so a client reports an
// authentication error; 403 for someone else's credentials, 404 for a
// user the Directory does not know). Each Contact is a binding on
// the WebSocket connection it came over; RFC 5626 instance and reg-id
// replace an older binding of the same device. Bindings live between 60
// and 3600 s (423 below) and die with their connection.
//
// # Routing
//
// INVITE, MESSAGE and SUBSCRIBE are authenticated with 407. The
// Request-URI's user part is a short number, a SIP username, or a test
// number. A call to an extension is forked to every binding: the first
// 2xx is relayed and the other branches are cancelled; when all fail the
// best failure is relayed (486 over 480 over 408 over 487); 480 when the
// extension has no binding, 404 when it does not exist, 486 when it has
// do-not-disturb on. MESSAGE is forked the same way.
//
// Clients are reachable only over their WebSocket, so the proxy
// Record-Routes INVITEs with flow tokens (RFC 5626 §5.3 style): the Route
// URI carries the caller's From tag and the connection ids of both sides,
// and an in-dialog request goes to the caller's or the callee's
// connection depending on its From tag. If that connection is gone, the
// binding whose Contact matches the Request-URI is used (a client that
// reconnected), else 430. Responses find their way back through a Via
// parameter naming the connection the request came from.
//
// A connection that closes during an answered call does not end it at
// once: a UA that reconnects restarts ICE with a re-INVITE over its new
// connection and the call goes on. If the party has not come back after
// 35 s, the server sends the other party a BYE in its name.
//
// A connection that sends nothing, not even a keep-alive, within a minute
// of opening is closed.
//
// # Dialog events
//
// SUBSCRIBE with Event: dialog to an extension gets 200 and a NOTIFY with
// a full dialog-info document (version 0, then one more per NOTIFY); each
// call change of that extension (trying, early, confirmed, terminated)
// sends a new one. Refreshes, Expires: 0 and expiry end with
// Subscription-State: terminated. dialoginfo.StateOf reads the documents
// as RINGING (an incoming call trying or early), BUSY (a confirmed call,
// or an outgoing call being set up) and AVAILABLE.
//
// # Test numbers and origination
//
// Config.EchoNumber is answered by the server with pion native media that
// sends back every RTP packet it receives, until a BYE or
// Config.EchoMaxDuration. Config.BusyNumber answers 486;
// Config.NoAnswerNumber rings and answers 408 after a minute unless
// cancelled. Originate rings an extension with an offerless INVITE and
// connects it to another extension or the echo test; the server then
// stays in the call as a back-to-back user agent, relaying BYE and
// re-INVITEs between the two legs.
package sipserver

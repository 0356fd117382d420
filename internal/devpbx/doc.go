//go:build !js

// Package devpbx is the development PBX that `make demo` starts: one HTTP
// server on 127.0.0.1:8080 with the REST API and event stream under
// /api/v1 (package api, data in package store), SIP over WebSocket at /ws
// (package sipserver) and the web/ directory (the softphone example, the
// WebAssembly module and its loader). It lets someone without a Sipcentric
// account log in, call the echo test, call another tab and watch presence.
//
// It is a development tool, not a production PBX: it listens on loopback by
// default, keeps demo passwords and serves whatever web directory it is
// given. On loopback it answers only requests for a loopback Host from
// pages of loopback origins (or without an Origin: tools), so that other
// sites a browser opens cannot use it, even by DNS rebinding.
//
// # Demo data
//
// A new database holds one customer, 1001 "Demo Company Ltd", with portal
// logins (HTTP Basic, for the REST API and the softphone page):
//
//	alice / alice-secret  CUSTOMER   default extension 2001
//	bob   / bob-secret    EXTENSION  default extension 2002
//	carol / carol-secret  EXTENSION  default extension 2003
//
// and phones 2001 (Alice Smith), 2002 (Bob Jones) and 2003 (Carol White),
// whose SIP usernames are 002001, 002002 and 002003 with passwords
// sip-2001-secret, sip-2002-secret and sip-2003-secret (domain
// devpbx.local unless -realm says otherwise). Dial 2001..2003 or the SIP
// usernames to call a phone, *52 for the echo test, *486 for a busy line,
// *408 for a line that never answers. Endpoints 2004..2008 are a virtual
// extension, a group, a queue, an IVR and a mailbox; phone numbers
// 441134960001 and 441134960002 take SMS (an SMS from one to the other
// arrives as smsreceived on the event stream).
package devpbx

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
// given.
package devpbx

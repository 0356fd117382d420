//go:build !js

// Package api serves the development PBX's REST API under /api/v1 and its
// event stream at /api/v1/stream, as pbx-api.md describes the Sipcentric
// API, on top of the store. It also implements the SIP server's Directory
// (extensions and their SIP identities, do-not-disturb) and Events (stream
// events for ringing extensions, the call history).
//
// # Behaviour
//
// Every request needs HTTP Basic credentials of a portal user, or a bearer
// token from POST /api/v1/authenticate (401 otherwise); GET
// /api/v1/tokengenerator hands out single-use tokens that open a sound's
// or recording's {id}.wav as ?tokenid=. A user sees only its own customer, and "me" works as a
// customer id and as a linkeduser id. Ids work with and without a trailing
// slash. Items carry type, id, uri (absolute, built from the request's
// Host), created, parent and links. Fields that point at other resources
// (linkeduser.defaultExtension, call.srcEndpoint, group.members, ...) are
// ids when the request has "X-Relationship-Key: id", absolute URIs
// otherwise.
//
// Methods: GET everywhere; POST on phonebook, sms and calls (201 with the
// item and a Location header); PUT (200, merged: fields the PBX does not
// know but sent itself survive) and DELETE (204) on phonebook items; PUT
// on a phone's phonestatus (do not disturb). Anything else is 405 with an
// Allow header; POST ...?_method=PUT|DELETE overloads. Lists page with
// pageSize (default 20, 1..200) and page (from 1); prevPage and nextPage
// are absolute and keep the other query parameters. Endpoints and sounds
// take ?type=; calls and sms take filters. A phone's sip/registrations are
// the live registrations of the SIP server. POST calls rings the given
// phone and then dials "to" (SIP Originate); the call history is written
// when a call ends. POST sms stores the message and, when "to" is a phone
// number of the PBX that takes SMS, stores an incoming message there and
// raises smsreceived on that customer's stream; the sender's stream gets
// smsdelivered.
//
// Errors: {"errors":[{"code":"NOT_FOUND","message":"..."}]} with codes
// UNAUTHORIZED, NOT_FOUND, METHOD_NOT_ALLOWED, BAD_REQUEST,
// TOO_MANY_REQUESTS, CALL_FAILED, UNAVAILABLE; validation failures (missing
// or malformed fields, unknown fields) are 400 with
// {"validationErrors":[{"field":"name","message":"may not be empty"}]}.
// Invalid JSON is a 400 BAD_REQUEST. Every response carries
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset; past the
// limit (1200 requests per user per hour by default) requests get 429.
//
// The event stream holds the response open and writes JSON objects
// {"event":...,"location":...,"values":{...}}, one per line, for the
// user's customer: incomingcall, smsreceived, smsdelivered, and
// {"event":"heartbeat"} every heartbeat interval (60 s by default).
package api

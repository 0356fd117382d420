// Package pbxfake is an in-process fake of the Sipcentric PBX REST API v1
// and its event stream, for tests. It is not the development PBX (that is
// internal/devpbx): it holds small, deterministic seed data in memory, answers
// the way the API documentation (pbx-api.md) says the real service does, and
// adds hooks that let a test inspect requests, inject faults and drive the
// event stream.
//
// A test mounts it with httptest:
//
//	fake := pbxfake.New()
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	base := srv.URL + "/api/v1" // log in as alice / alice-secret
//
// # Seed data
//
// Portal logins (HTTP Basic):
//
//	alice    / alice-secret     customer 1001, CUSTOMER,  linkeduser 5101, defaultExtension 2001
//	bob      / bob-secret       customer 1001, EXTENSION, linkeduser 5102, defaultExtension 2002
//	carol    / carol-secret     customer 1002, CUSTOMER,  linkeduser 5201, defaultExtension 3001
//	reseller / reseller-secret  own customer 1003 (linkeduser 5301, RESELLER, no
//	                            defaultExtension); sees the 25 customers 1001..1025
//	nobody   / nobody-secret    no customers at all
//
// Customers 1001 and 1002 hold every resource of the tree; 1003..1025 hold
// only the customer, its single objects and empty lists. Endpoints of 1001:
// phones 2001 (Alice Smith, 201), 2002 (Bob Jones, 202), 2003 (Reception,
// 203), virtual 2004, group 2005, queue 2006, ivr 2007, mailbox 2008, trunk
// 2009; of 1002 the same shape at 3001..3009. A phone's SIP username is its
// id zero-padded to six digits (2001 -> "002001"), its password
// "sip-secret-<id>", its domain sip.sipcentric.com; phone 2002 has one
// registration, 2003 two. The phonebook of 1001 has 23 entries (6101..6123),
// its calls are 7101..7112, recordings 8101..8103, sounds 10101..10104
// (prompts, then music); its phone numbers are 4101 (447700900101, SMS
// enabled) and 4102 (441214960101); 1002's number 4201 is 447700900201 (SMS
// enabled), so an SMS from 1001 to it arrives at 1002. Logins returns the
// logins as data.
//
// # Behaviour
//
// Everything lives under /api/v1. Items carry type, id, uri (absolute, built
// from the request's scheme and Host), created, parent and links; single
// objects (sip, phonestatus, creditstatus, billing, ...) borrow id and created
// from their owner. Ids work with and without a trailing slash, and "me"
// works as a customer id and as a linkeduser id. Fields that point at other
// resources (linkeduser.defaultExtension, call.srcEndpoint, ...) come back as
// ids when the request has "X-Relationship-Key: id" and as absolute URIs
// otherwise (the latter is the fake's guess).
//
// Methods: GET everywhere; POST on phonebook, sms and calls (201, Location,
// the stored body); PUT (200, the merged body: fields the fake does not know
// survive) and DELETE (204, empty) on phonebook items; PUT on phonestatus;
// anything else is 405 with an Allow header. POST ...?_method=PUT|DELETE
// overloads. Lists page with pageSize (default 20, 1..200) and page (from
// 1); prevPage and nextPage are absolute and keep the other parameters.
// Endpoints and sounds take ?type= on lists and items; calls, recordings
// and sms take filters. Recordings and sounds have {id}.wav audio, readable
// with Basic auth or ?tokenid= of a single-use token from GET /tokengenerator.
// POST /authenticate (Basic) answers {"accessToken"} for
// "Authorization: Bearer". Every authenticated request counts against the
// user's rate limit (X-RateLimit-* headers, then 429). Requests with an
// Origin get CORS headers. Sending an SMS publishes smsdelivered to the
// sender and, for a number of another seeded customer, stores an incoming
// message there and publishes smsreceived; originating a call to a short
// number or a seeded number publishes incomingcall.
//
// Error bodies are {"errors":[{"code":"NOT_FOUND","message":"..."}]} with
// codes UNAUTHORIZED, NOT_FOUND, METHOD_NOT_ALLOWED, BAD_REQUEST,
// TOO_MANY_REQUESTS; validation failures are 400 with
// {"validationErrors":[{"field":"name","message":"may not be empty"}]}. Both
// shapes are the fake's guess at the real service's.
//
// The event stream (GET /api/v1/stream) writes JSON objects
// {"event":...,"location":...,"values":{...}} for the user's own customer and
// a heartbeat {"event":"heartbeat"} every StreamOptions.HeartbeatInterval
// (60 s by default). The heartbeat's shape is the fake's choice: the real
// one is not documented.
//
// ControlHandler serves /_fake/ endpoints that drive the same hooks over
// HTTP, for tests in another process; the pbxfake command (cmd/pbxfake)
// serves both.
package pbxfake

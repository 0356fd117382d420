// Package restapi holds the wire conventions of the Sipcentric REST API v1
// that both servers of this project speak: the in-memory fake
// (internal/pbxfake) and the development PBX (internal/devpbx/api).
//
// It knows how the API shapes what travels, not what it stores:
//
//   - replies and their JSON bodies (Reply, JSON, Marshal);
//   - error bodies {"errors":[{"code":...,"message":...}]} and validation
//     bodies {"validationErrors":[{"field":...,"message":...}]} (Error,
//     NotFound, MethodNotAllowed, Unauthorized, Validation);
//   - request conventions: path segments below Prefix, absolute base
//     URLs from the request's Host, ?_method= overloading, the
//     X-Relationship-Key header, bearer tokens and CORS (request.go);
//   - what a server on the loopback interface accepts from browsers:
//     loopback Hosts and Origins only (LoopbackOnly, origin.go);
//   - the resource tree: paths, the methods each takes, the types POST
//     creates, ?type= and audio (Tree, Resource); a server embeds
//     Resource in its own resource type, adds its behaviour by path with
//     Attach and finds a request's resource with Find;
//   - list pages: ?page= and ?pageSize=, and bodies with totalItems,
//     pageSize, page, items and absolute prevPage and nextPage URLs that
//     keep the other query parameters (Page, ListReply, PageURL);
//   - list filters on fields and ISO 8601 dates (Filter), and those of
//     the calls and recordings lists (CallFilter, RecordingFilter);
//   - JSON request bodies and their fields (DecodeObject, EmptyString,
//     IsInteger, Digits, CheckPhoneStatus);
//   - SMS: the body's limits, the fields of a sent and of a received
//     message and the smsreceived event's values (sms.go);
//   - per-user rate limits and their X-RateLimit-* headers (RateLimit);
//   - the event stream's envelope and heartbeat (Event, Heartbeat).
//
// Where the two servers differ on purpose (the realm of the Basic
// challenge and when to send it, the URL of a list in its page links and
// the parameters they drop, where prevPage of a page past the end points,
// the sms filter, what a field must look like), the caller decides.
//
// The package builds for js/wasm too, as internal/pbxfake does.
package restapi

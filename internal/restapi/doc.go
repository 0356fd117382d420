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
//   - request conventions: path segments below the prefix, absolute base
//     URLs from the request's Host, ?_method= overloading, the
//     X-Relationship-Key header, bearer tokens and CORS (request.go);
//   - the resource tree's path patterns (Match);
//   - list pages: ?page= and ?pageSize=, and bodies with totalItems,
//     pageSize, page, items and absolute prevPage and nextPage URLs that
//     keep the other query parameters (Page, PageURL);
//   - list filters on fields and ISO 8601 dates (Filter);
//   - JSON request bodies and their fields (DecodeObject, EmptyString,
//     IsInteger, Digits);
//   - per-user rate limits and their X-RateLimit-* headers (RateLimit).
//
// Where the two servers differ on purpose (the realm of the Basic
// challenge, whether prevPage of a page past the end points at the last
// page, which query parameters a page URL drops), the caller decides.
package restapi

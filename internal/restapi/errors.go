package restapi

import (
	"fmt"
	"net/http"
	"strings"
)

// Error codes of the errors body.
const (
	CodeUnauthorized     = "UNAUTHORIZED"
	CodeForbidden        = "FORBIDDEN"
	CodeNotFound         = "NOT_FOUND"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodeBadRequest       = "BAD_REQUEST"
	CodeTooManyRequests  = "TOO_MANY_REQUESTS"
	CodeInternal         = "INTERNAL"
)

// ErrorEntry is one entry of an errors body.
type ErrorEntry struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is a reply with an errors body of one entry:
// {"errors":[{"code":code,"message":message}]}.
func Error(status int, code, format string, args ...any) *Reply {
	return JSON(status, map[string]any{"errors": []ErrorEntry{{code, fmt.Sprintf(format, args...)}}})
}

// BadRequest is a 400 BAD_REQUEST error.
func BadRequest(format string, args ...any) *Reply {
	return Error(http.StatusBadRequest, CodeBadRequest, format, args...)
}

// NotFound is a 404 NOT_FOUND error for the request path.
func NotFound(path string) *Reply {
	return Error(http.StatusNotFound, CodeNotFound, "no resource at %s", path)
}

// MethodNotAllowed is a 405 METHOD_NOT_ALLOWED error with an Allow header
// naming the allowed methods.
func MethodNotAllowed(method string, allowed []string) *Reply {
	rep := Error(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s is not allowed here", method)
	rep.Header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
	return rep
}

// Unauthorized is a 401 UNAUTHORIZED error; with challenge, it carries a
// Basic challenge for realm (see WantsChallenge).
func Unauthorized(realm string, challenge bool) *Reply {
	rep := Error(http.StatusUnauthorized, CodeUnauthorized, "authentication required")
	if challenge {
		// The header keeps the API's spelling.
		rep.Header = http.Header{"WWW-Authenticate": {`Basic realm="` + realm + `"`}}
	}
	return rep
}

// WantsChallenge reports whether a 401 to r may carry a WWW-Authenticate
// challenge: not when the client asked for none with
// "X-WWW-Authenticate: false" (a challenge makes a browser open its own
// login dialog).
func WantsChallenge(r *http.Request) bool {
	return !strings.EqualFold(r.Header.Get("X-WWW-Authenticate"), "false")
}

// FieldError is one entry of a validationErrors body.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Invalid is a FieldError.
func Invalid(field, message string) FieldError { return FieldError{field, message} }

// Validation is a 400 reply with a validationErrors body.
func Validation(errs []FieldError) *Reply {
	return JSON(http.StatusBadRequest, map[string]any{"validationErrors": errs})
}

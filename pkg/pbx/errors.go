package pbx

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Named errors, for errors.Is.
var (
	// ErrUnauthorized matches an *Error with status 401.
	ErrUnauthorized = errors.New("pbx: unauthorized")
	// ErrNotFound matches an *Error with status 404.
	ErrNotFound = errors.New("pbx: not found")
	// ErrRateLimited matches an *Error with status 429.
	ErrRateLimited = errors.New("pbx: rate limited")
	// ErrClosed reports use of a closed stream.
	ErrClosed = errors.New("pbx: closed")
)

// Messages the original client used, kept so that code matching on them
// keeps working.
const (
	MsgParseJSON        = "Error parsing JSON"
	MsgErrors           = "Errors in response body"
	MsgValidationErrors = "Validation errors in response body"
)

// ResponseInfo describes the HTTP response an error came from.
type ResponseInfo struct {
	StatusCode int
	Status     string
	Header     Header
	URL        string
}

// Error is the one error type of this package's REST calls. Every failed
// call returns an *Error: HTTP errors carry the status and the parsed body;
// network errors, timeouts and cancellations carry the cause in Err.
type Error struct {
	// Message is the human-readable summary.
	Message string
	// Op says what was being done, e.g. "GET /customers/me/".
	Op string
	// StatusCode is the HTTP status, 0 when no response arrived.
	StatusCode int
	// Body is the parsed response body: the decoded JSON value when the
	// body is JSON, else the text, nil when empty.
	Body any
	// Response describes the response, nil when none arrived.
	Response *ResponseInfo
	// Err is the underlying cause (network error, context error, JSON
	// syntax error), if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pbx: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.StatusCode != 0 && !strings.Contains(e.Message, strconv.Itoa(e.StatusCode)) {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Err != nil && !strings.Contains(e.Message, e.Err.Error()) {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the named status errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == 401
	case ErrNotFound:
		return e.StatusCode == 404
	case ErrRateLimited:
		return e.StatusCode == 429
	}
	return false
}

// httpError builds the error for a non-2xx response whose body has been
// read: the original's messages for `errors` and `validationErrors`
// bodies, else the status.
func httpError(op string, resp *Response, body []byte) *Error {
	e := &Error{
		Op:         op,
		StatusCode: resp.StatusCode,
		Response: &ResponseInfo{StatusCode: resp.StatusCode, Status: resp.Status,
			Header: resp.Header, URL: resp.URL},
	}
	e.Body = parseBody(body)
	if obj, ok := e.Body.(map[string]any); ok {
		switch {
		case obj["validationErrors"] != nil:
			e.Message = MsgValidationErrors
		case obj["errors"] != nil:
			e.Message = MsgErrors
		}
	}
	if e.Message == "" {
		e.Message = "HTTP " + strconv.Itoa(resp.StatusCode)
		if t := statusText(resp); t != "" {
			e.Message += " " + t
		}
	}
	return e
}

// statusText returns the reason phrase without the code.
func statusText(resp *Response) string {
	s := strings.TrimSpace(resp.Status)
	if code := strconv.Itoa(resp.StatusCode); strings.HasPrefix(s, code) {
		s = strings.TrimSpace(s[len(code):])
	}
	return s
}

// parseBody decodes a JSON body, or returns it as text when it is not
// JSON, or nil when empty.
func parseBody(body []byte) any {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return string(body)
	}
	return v
}

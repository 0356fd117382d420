package sipmsg

import (
	"errors"
	"fmt"
)

// Named errors, for errors.Is.
var (
	// ErrTooLarge reports input beyond the parser's limits.
	ErrTooLarge = errors.New("sipmsg: input too large")
	// ErrUnsafeValue reports a value that would break the message framing
	// (CR, LF or NUL) or is otherwise not writable as given.
	ErrUnsafeValue = errors.New("sipmsg: unsafe value")
	// ErrNoHeader reports that a header the caller asked for is absent.
	ErrNoHeader = errors.New("sipmsg: header not present")
	// ErrIncomplete reports a message whose body is shorter than its
	// Content-Length says.
	ErrIncomplete = errors.New("sipmsg: message incomplete")
)

// ParseError describes what could not be parsed and where.
type ParseError struct {
	// What names the element being parsed: "start line", "header Via",
	// "URI", ...
	What string
	// Offset is the byte offset of the problem within the parsed input
	// (the whole message for Parse, the value for value parsers), or -1
	// when unknown.
	Offset int
	// Msg says what is wrong.
	Msg string
	// Err is an underlying error, if any (for example ErrTooLarge).
	Err error
}

func (e *ParseError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("sipmsg: parse %s: %s at offset %d", e.What, e.Msg, e.Offset)
	}
	return fmt.Sprintf("sipmsg: parse %s: %s", e.What, e.Msg)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

func parseErr(what string, off int, format string, args ...any) *ParseError {
	return &ParseError{What: what, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

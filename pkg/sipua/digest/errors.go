package digest

import (
	"errors"
	"fmt"
)

// Sentinel errors returned (possibly wrapped) by this package. Test for
// them with [errors.Is].
var (
	// ErrSyntax is wrapped by every [ParseError]: the header value does
	// not follow the auth-scheme / auth-param grammar.
	ErrSyntax = errors.New("digest: syntax error")

	// ErrUnsupportedAlgorithm reports an algorithm other than MD5,
	// MD5-sess, SHA-256 or SHA-256-sess.
	ErrUnsupportedAlgorithm = errors.New("digest: unsupported algorithm")

	// ErrUnsupportedQOP reports a qop (or set of offered qop options)
	// that cannot be answered: neither "auth" nor "auth-int", or a
	// session algorithm offered without any qop.
	ErrUnsupportedQOP = errors.New("digest: unsupported qop")

	// ErrNotDigest reports a challenge or credentials whose scheme is
	// not "Digest".
	ErrNotDigest = errors.New("digest: scheme is not Digest")

	// ErrMissingParameter reports that a parameter needed for the
	// computation (nonce, cnonce, nc, method, ...) is empty.
	ErrMissingParameter = errors.New("digest: missing parameter")

	// ErrInvalidValue reports a value that cannot be put on the wire or
	// used in the computation, such as a value containing CR, LF or
	// another control character, a parameter name that is not a token,
	// or a malformed nc or H(A1) value.
	ErrInvalidValue = errors.New("digest: invalid value")

	// ErrNonceCountExhausted is returned by [Client.Authorize] when a
	// nonce has been used 2^32-1 times; the caller needs a new
	// challenge.
	ErrNonceCountExhausted = errors.New("digest: nonce count exhausted")
)

// ParseError describes where and why [ParseChallenge] or
// [ParseCredentials] rejected a header value. It wraps [ErrSyntax].
type ParseError struct {
	// Header is "challenge" or "credentials".
	Header string
	// Offset is the byte offset in the parsed value where the problem
	// was detected.
	Offset int
	// Msg describes the problem, e.g. "unterminated quoted string".
	Msg string
}

// Error formats the error as
// "digest: parse <header>: <msg> at offset <offset>".
func (e *ParseError) Error() string {
	return fmt.Sprintf("digest: parse %s: %s at offset %d", e.Header, e.Msg, e.Offset)
}

// Unwrap returns [ErrSyntax].
func (e *ParseError) Unwrap() error { return ErrSyntax }

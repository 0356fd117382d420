package pbx

import (
	"context"
	"io"
	"time"
)

// Header holds HTTP header fields; keys are canonicalized as in net/http
// ("x-ratelimit-limit" becomes "X-Ratelimit-Limit"). It is its own type so
// that the package needs neither net/http nor net/textproto (which pulls
// in package net) under js/wasm.
type Header map[string][]string

// Get returns the first value of key.
func (h Header) Get(key string) string {
	if v := h[canonicalKey(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Set replaces the values of key.
func (h Header) Set(key, value string) { h[canonicalKey(key)] = []string{value} }

// Add appends a value to key.
func (h Header) Add(key, value string) {
	k := canonicalKey(key)
	h[k] = append(h[k], value)
}

// Del removes key.
func (h Header) Del(key string) { delete(h, canonicalKey(key)) }

// Values returns every value of key.
func (h Header) Values(key string) []string { return h[canonicalKey(key)] }

// canonicalKey upper-cases the first letter and every letter after a '-',
// lower-cases the rest, as net/textproto does for valid header names.
func canonicalKey(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return s // not a token: left alone, as net/http does
		}
	}
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				c := b[j]
				if upper && 'a' <= c && c <= 'z' {
					b[j] = c - ('a' - 'A')
				} else if !upper && 'A' <= c && c <= 'Z' {
					b[j] = c + ('a' - 'A')
				}
				upper = c == '-'
			}
			return string(b)
		}
		upper = c == '-'
	}
	return s
}

// Clone returns a deep copy.
func (h Header) Clone() Header {
	if h == nil {
		return nil
	}
	c := make(Header, len(h))
	for k, v := range h {
		c[k] = append([]string(nil), v...)
	}
	return c
}

// Request is one HTTP request as the client hands it to a Transport.
type Request struct {
	Method string
	// URL is absolute.
	URL    string
	Header Header
	// Body is nil for requests without a body (GET, DELETE).
	Body []byte
	// Timeout, when set, bounds the whole request including its body.
	// The client uses it instead of a context deadline where the
	// transport keeps time better (under js/wasm, a Go timer keeps
	// Node.js alive until it would have fired, even after it was
	// stopped; the Fetch API's AbortSignal.timeout does not).
	Timeout time.Duration
}

// Response is an HTTP response whose body is read incrementally, so the
// event stream can consume a response that never ends.
type Response struct {
	StatusCode int
	// Status is the status text, e.g. "404 Not Found" or "Not Found".
	Status string
	Header Header
	// URL is the final URL of the response (after redirects).
	URL string
	// Body must be closed by the caller. Reads fail once the request's
	// context is done.
	Body io.ReadCloser
}

// Transport performs HTTP requests. Cancelling ctx aborts the request,
// including a body still being read. Implementations: net/http natively,
// the Fetch API under js/wasm (NewTransport returns the right one).
type Transport interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

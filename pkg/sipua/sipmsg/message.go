package sipmsg

import (
	"fmt"
	"strconv"
	"strings"
)

// SIP methods.
const (
	ACK       = "ACK"
	BYE       = "BYE"
	CANCEL    = "CANCEL"
	INFO      = "INFO"
	INVITE    = "INVITE"
	MESSAGE   = "MESSAGE"
	NOTIFY    = "NOTIFY"
	OPTIONS   = "OPTIONS"
	PRACK     = "PRACK"
	PUBLISH   = "PUBLISH"
	REFER     = "REFER"
	REGISTER  = "REGISTER"
	SUBSCRIBE = "SUBSCRIBE"
	UPDATE    = "UPDATE"
)

// Version is the SIP version this package writes.
const Version = "SIP/2.0"

// Header is one header line: its canonical name and its value, with line
// folding undone and surrounding whitespace trimmed.
type Header struct {
	Name  string
	Value string
}

// Message is a SIP request or response. A request has a Method; a response
// has a StatusCode.
//
// Headers are kept in their order on the wire and edited through Add, Set,
// Prepend and Del, which refuse unsafe values. Content-Length is written
// from len(Body) when the message is serialized, whatever the header says.
//
// A Message is not safe for concurrent mutation.
type Message struct {
	// Method and RequestURI are set for requests.
	Method     string
	RequestURI URI
	// StatusCode and Reason are set for responses.
	StatusCode int
	Reason     string
	// Proto is the SIP version of the start line, "SIP/2.0" unless the
	// peer sent something else (which a UA answers with 505).
	Proto string

	headers []Header
	Body    []byte
}

// IsRequest reports whether m is a request.
func (m *Message) IsRequest() bool { return m.StatusCode == 0 }

// IsResponse reports whether m is a response.
func (m *Message) IsResponse() bool { return m.StatusCode != 0 }

// Headers returns the header lines in order. The slice must not be
// modified; use Add, Set, Prepend and Del.
func (m *Message) Headers() []Header { return m.headers }

// Has reports whether a header named name is present (any form of the
// name: "v", "via" and "Via" are the same).
func (m *Message) Has(name string) bool {
	name = CanonicalName(name)
	for i := range m.headers {
		if nameEqual(m.headers[i].Name, name) {
			return true
		}
	}
	return false
}

// nameEqual compares a stored (canonical or verbatim) name with a
// canonical one.
func nameEqual(stored, canonical string) bool {
	return len(stored) == len(canonical) && (stored == canonical || strings.EqualFold(stored, canonical))
}

// Get returns the first value of the named header: for headers whose
// values are comma-separated lists (Via, Contact, Route, Allow, ...) the
// first element, otherwise the first line's value. It returns "" when the
// header is absent.
func (m *Message) Get(name string) string {
	name = CanonicalName(name)
	list := isListHeader(name)
	for i := range m.headers {
		if nameEqual(m.headers[i].Name, name) {
			if list {
				if item, _, ok := nextListItem(m.headers[i].Value); ok {
					return item
				}
				continue
			}
			return m.headers[i].Value
		}
	}
	return ""
}

// Values returns every value of the named header across all its lines,
// with list headers split at top-level commas (never inside quotes or
// <...>), as RFC 3261 §7.3.1 allows several lines to be combined.
func (m *Message) Values(name string) []string {
	name = CanonicalName(name)
	list := isListHeader(name)
	var out []string
	for i := range m.headers {
		if !nameEqual(m.headers[i].Name, name) {
			continue
		}
		if !list {
			out = append(out, m.headers[i].Value)
			continue
		}
		s := m.headers[i].Value
		for {
			item, rest, ok := nextListItem(s)
			if !ok {
				break
			}
			out = append(out, item)
			s = rest
		}
	}
	return out
}

func checkHeader(name, value string) error {
	if !isTokenString(name) {
		return fmt.Errorf("%w: header name %q", ErrUnsafeValue, clip(name))
	}
	if hasUnsafe(value) {
		return fmt.Errorf("%w: header %s value contains CR, LF or NUL", ErrUnsafeValue, name)
	}
	return nil
}

// Add appends a header line after the last line of the same name, or at
// the end. It refuses names that are not tokens and values with CR, LF or
// NUL.
func (m *Message) Add(name, value string) error {
	name = CanonicalName(name)
	if err := checkHeader(name, value); err != nil {
		return err
	}
	value = trimWS(value)
	at := len(m.headers)
	for i := len(m.headers) - 1; i >= 0; i-- {
		if nameEqual(m.headers[i].Name, name) {
			at = i + 1
			break
		}
	}
	m.insert(at, Header{name, value})
	return nil
}

// Prepend inserts a header line before the first line of the same name,
// or at the top (as a proxy pushes a Via or a Route).
func (m *Message) Prepend(name, value string) error {
	name = CanonicalName(name)
	if err := checkHeader(name, value); err != nil {
		return err
	}
	value = trimWS(value)
	at := 0
	for i := range m.headers {
		if nameEqual(m.headers[i].Name, name) {
			at = i
			break
		}
	}
	m.insert(at, Header{name, value})
	return nil
}

func (m *Message) insert(at int, h Header) {
	m.headers = append(m.headers, Header{})
	copy(m.headers[at+1:], m.headers[at:])
	m.headers[at] = h
}

// Set replaces every line of the named header with one line holding value,
// at the place of the first one (or at the end).
func (m *Message) Set(name, value string) error {
	name = CanonicalName(name)
	if err := checkHeader(name, value); err != nil {
		return err
	}
	value = trimWS(value)
	out := m.headers[:0]
	done := false
	for _, h := range m.headers {
		if nameEqual(h.Name, name) {
			if !done {
				out = append(out, Header{name, value})
				done = true
			}
			continue
		}
		out = append(out, h)
	}
	m.headers = out
	if !done {
		m.headers = append(m.headers, Header{name, value})
	}
	return nil
}

// Del removes every line of the named header.
func (m *Message) Del(name string) {
	name = CanonicalName(name)
	out := m.headers[:0]
	for _, h := range m.headers {
		if !nameEqual(h.Name, name) {
			out = append(out, h)
		}
	}
	clear(m.headers[len(out):])
	m.headers = out
}

// Clone returns a deep copy of m.
func (m *Message) Clone() *Message {
	c := *m
	c.RequestURI = m.RequestURI.Clone()
	c.headers = append([]Header(nil), m.headers...)
	if m.Body != nil {
		c.Body = append([]byte(nil), m.Body...)
	}
	return &c
}

// AppendTo appends the wire form of m to b. Content-Length is written from
// len(Body). It fails with ErrUnsafeValue when the start line holds
// something that cannot be written (a method that is not a token, a
// reason phrase with CR or LF).
func (m *Message) AppendTo(b []byte) ([]byte, error) {
	proto := m.Proto
	if proto == "" {
		proto = Version
	}
	if hasUnsafe(proto) || strings.ContainsAny(proto, " \t") {
		return b, fmt.Errorf("%w: SIP version %q", ErrUnsafeValue, clip(proto))
	}
	if m.IsRequest() {
		if !isTokenString(m.Method) {
			return b, fmt.Errorf("%w: method %q", ErrUnsafeValue, clip(m.Method))
		}
		b = append(b, m.Method...)
		b = append(b, ' ')
		b = m.RequestURI.AppendTo(b)
		b = append(b, ' ')
		b = append(b, proto...)
	} else {
		if m.StatusCode < 100 || m.StatusCode > 699 {
			return b, fmt.Errorf("%w: status code %d", ErrUnsafeValue, m.StatusCode)
		}
		if hasUnsafe(m.Reason) {
			return b, fmt.Errorf("%w: reason phrase contains CR, LF or NUL", ErrUnsafeValue)
		}
		b = append(b, proto...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(m.StatusCode), 10)
		b = append(b, ' ')
		b = append(b, m.Reason...)
	}
	b = append(b, "\r\n"...)
	wroteLength := false
	for _, h := range m.headers {
		if h.Name == HdrContentLength {
			if wroteLength {
				continue
			}
			wroteLength = true
			b = appendContentLength(b, len(m.Body))
			continue
		}
		b = append(b, h.Name...)
		b = append(b, ": "...)
		b = append(b, h.Value...)
		b = append(b, "\r\n"...)
	}
	if !wroteLength {
		b = appendContentLength(b, len(m.Body))
	}
	b = append(b, "\r\n"...)
	return append(b, m.Body...), nil
}

func appendContentLength(b []byte, n int) []byte {
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "\r\n"...)
}

// Bytes returns the wire form of m (see AppendTo).
func (m *Message) Bytes() ([]byte, error) {
	n := 64 + len(m.Body)
	for _, h := range m.headers {
		n += len(h.Name) + len(h.Value) + 4
	}
	return m.AppendTo(make([]byte, 0, n))
}

// String returns the wire form of m, or a description of why it cannot be
// written. It is meant for logs and tests.
func (m *Message) String() string {
	b, err := m.Bytes()
	if err != nil {
		return "<invalid SIP message: " + err.Error() + ">"
	}
	return string(b)
}

// Summary returns a one-line description such as "INVITE sip:100@x" or
// "200 OK (INVITE)", for logs.
func (m *Message) Summary() string {
	if m.IsRequest() {
		return m.Method + " " + m.RequestURI.String()
	}
	cseq := m.Get(HdrCSeq)
	return strconv.Itoa(m.StatusCode) + " " + m.Reason + " (" + cseq + ")"
}

package sipmsg

import (
	"fmt"
	"strconv"
	"strings"
)

// Address is a name-addr or addr-spec with header parameters, the value of
// From, To, Contact, Route, Record-Route, Refer-To, Referred-By and
// similar headers: `"Alice" <sip:alice@example.com>;tag=1928301774`.
type Address struct {
	// DisplayName is unquoted and unescaped.
	DisplayName string
	URI         URI
	// Params are the header parameters after the URI (tag, expires, q,
	// +sip.instance, reg-id, ...), not the URI's own parameters.
	Params Params
	// Wildcard is set for the Contact value "*".
	Wildcard bool
}

// ParseAddress parses one name-addr or addr-spec with parameters.
func ParseAddress(s string) (Address, error) {
	var a Address
	err := a.parse(s, "address")
	return a, err
}

func (a *Address) parse(s, what string) error {
	s = trimWS(s)
	if s == "*" {
		a.Wildcard = true
		return nil
	}
	if s == "" {
		return parseErr(what, 0, "empty value")
	}
	var uri string
	i := 0
	switch {
	case s[0] == '"':
		name, end, ok := scanQuoted(s, 0)
		if !ok {
			return parseErr(what, 0, "unterminated quoted display name")
		}
		a.DisplayName = name
		i = skipWS(s, end)
		if i >= len(s) || s[i] != '<' {
			return parseErr(what, i, "expected '<' after display name")
		}
		fallthrough
	case strings.IndexByte(s, '<') >= 0:
		lt := i + strings.IndexByte(s[i:], '<')
		if s[0] != '"' {
			display := trimWS(s[:lt])
			for j := 0; j < len(display); j++ {
				if c := display[j]; !isToken(c) && !isWS(c) && c < 0x80 {
					return parseErr(what, j, "invalid character %q in display name", c)
				}
			}
			a.DisplayName = display
		}
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			return parseErr(what, lt, "missing '>'")
		}
		uri = s[lt+1 : lt+gt]
		i = lt + gt + 1
	default:
		// addr-spec: the URI cannot hold ';' here, so parameters start at
		// the first one (RFC 3261 §20.10).
		i = strings.IndexByte(s, ';')
		if i < 0 {
			i = len(s)
		}
		uri = trimWS(s[:i])
		if strings.ContainsAny(uri, " \t,?") {
			return parseErr(what, 0, "URI with spaces, ',' or '?' must be enclosed in <>: %q", clip(uri))
		}
	}
	if err := a.URI.parse(uri); err != nil {
		return err
	}
	var err error
	a.Params, err = parseHeaderParams(s[i:], what)
	return err
}

// Tag returns the tag parameter (From and To).
func (a *Address) Tag() string {
	v, _ := a.Params.Get("tag")
	return v
}

// Expires returns the expires parameter of a Contact, if present and valid.
func (a *Address) Expires() (int, bool) {
	v, ok := a.Params.Get("expires")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// AppendTo appends the address in name-addr form.
func (a *Address) AppendTo(b []byte) []byte {
	if a.Wildcard {
		return append(b, '*')
	}
	if a.DisplayName != "" {
		b = appendQuoted(b, a.DisplayName)
		b = append(b, ' ')
	}
	b = append(b, '<')
	b = a.URI.AppendTo(b)
	b = append(b, '>')
	return a.Params.appendHeaderParams(b)
}

// String returns the address in name-addr form.
func (a Address) String() string {
	return string(a.AppendTo(make([]byte, 0, 80)))
}

// Clone returns a deep copy.
func (a Address) Clone() Address {
	a.URI = a.URI.Clone()
	a.Params = a.Params.Clone()
	return a
}

// Validate reports values that String would have to alter to stay safe on
// the wire: CR, LF or NUL in the display name or parameters.
func (a *Address) Validate() error {
	if hasUnsafe(a.DisplayName) {
		return fmt.Errorf("%w: display name contains CR, LF or NUL", ErrUnsafeValue)
	}
	return a.Params.validate()
}

// address parses the first value of the named header.
func (m *Message) address(name string) (Address, error) {
	v := m.Get(name)
	if v == "" && !m.Has(name) {
		return Address{}, fmt.Errorf("%w: %s", ErrNoHeader, name)
	}
	var a Address
	if err := a.parse(v, "header "+name); err != nil {
		return Address{}, err
	}
	return a, nil
}

// addresses parses every value of the named list header.
func (m *Message) addresses(name string) ([]Address, error) {
	vals := m.Values(name)
	if len(vals) == 0 {
		return nil, nil
	}
	out := make([]Address, len(vals))
	for i, v := range vals {
		if err := out[i].parse(v, "header "+name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// From parses the From header.
func (m *Message) From() (Address, error) { return m.address(HdrFrom) }

// To parses the To header.
func (m *Message) To() (Address, error) { return m.address(HdrTo) }

// Contacts parses every Contact value; a "*" gives one Address with
// Wildcard set.
func (m *Message) Contacts() ([]Address, error) { return m.addresses(HdrContact) }

// Routes parses the Route header values in order.
func (m *Message) Routes() ([]Address, error) { return m.addresses(HdrRoute) }

// RecordRoutes parses the Record-Route header values in order.
func (m *Message) RecordRoutes() ([]Address, error) { return m.addresses(HdrRecordRoute) }

// ReferTo parses the Refer-To header.
func (m *Message) ReferTo() (Address, error) { return m.address(HdrReferTo) }

// ReferredBy parses the Referred-By header.
func (m *Message) ReferredBy() (Address, error) { return m.address(HdrReferredBy) }

// FromTag returns the From tag, or "" if absent or unparsable.
func (m *Message) FromTag() string {
	a, err := m.From()
	if err != nil {
		return ""
	}
	return a.Tag()
}

// ToTag returns the To tag, or "" if absent or unparsable.
func (m *Message) ToTag() string {
	a, err := m.To()
	if err != nil {
		return ""
	}
	return a.Tag()
}

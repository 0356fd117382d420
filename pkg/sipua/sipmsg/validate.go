package sipmsg

import (
	"errors"
	"fmt"
	"strings"
)

// ErrVersion reports a SIP version other than 2.0 (answer with 505).
var ErrVersion = errors.New("sipmsg: unsupported SIP version")

// Validate checks what RFC 3261 §8.1.1 requires of every message before a
// transaction layer can use it: SIP/2.0, a parsable top Via, From, To,
// Call-ID and CSeq, and for requests a CSeq method equal to the request's.
// Parse does not check these, so that a UA can still answer a broken
// request with 400 (or 505) built from what it has.
func (m *Message) Validate() error {
	if !strings.EqualFold(m.Proto, Version) {
		return fmt.Errorf("%w: %q", ErrVersion, clip(m.Proto))
	}
	if m.IsRequest() && len(m.RequestURI.Headers) > 0 {
		// RFC 3261 §19.1.5: headers are not allowed in a Request-URI.
		return parseErr("start line", -1, "Request-URI with headers")
	}
	if _, err := m.TopVia(); err != nil {
		return err
	}
	if _, err := m.From(); err != nil {
		return err
	}
	if _, err := m.To(); err != nil {
		return err
	}
	if m.CallID() == "" {
		return fmt.Errorf("%w: %s", ErrNoHeader, HdrCallID)
	}
	if len(m.Values(HdrCallID)) > 1 {
		return parseErr("header Call-ID", -1, "more than one Call-ID")
	}
	cseq, err := m.CSeq()
	if err != nil {
		return err
	}
	if m.IsRequest() && cseq.Method != m.Method {
		return parseErr("header CSeq", -1, "method %q does not match request method %q", clip(cseq.Method), clip(m.Method))
	}
	if m.IsRequest() && m.Has(HdrMaxForwards) {
		if _, err := m.MaxForwards(); err != nil {
			return err
		}
	}
	return nil
}

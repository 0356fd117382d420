package sipmsg

import (
	"fmt"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

// Challenges parses every WWW-Authenticate or Proxy-Authenticate line
// (name says which). Each line is one challenge: their values are not
// comma-split. Lines that do not parse are skipped, as a UA answers the
// challenges it understands; the error reports a header that is absent or
// that no line parsed.
func (m *Message) Challenges(name string) ([]digest.Challenge, error) {
	vals := m.Values(name)
	if len(vals) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoHeader, CanonicalName(name))
	}
	out := make([]digest.Challenge, 0, len(vals))
	var firstErr error
	for _, v := range vals {
		ch, err := digest.ParseChallenge(v)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("header %s: %w", CanonicalName(name), err)
			}
			continue
		}
		out = append(out, ch)
	}
	if len(out) == 0 {
		return nil, firstErr
	}
	return out, nil
}

// Credentials parses every Authorization or Proxy-Authorization line
// (name says which); unlike Challenges, any line that does not parse is
// an error, since a registrar must not guess which credentials were meant.
func (m *Message) Credentials(name string) ([]digest.Credentials, error) {
	vals := m.Values(name)
	if len(vals) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoHeader, CanonicalName(name))
	}
	out := make([]digest.Credentials, 0, len(vals))
	for _, v := range vals {
		c, err := digest.ParseCredentials(v)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", CanonicalName(name), err)
		}
		out = append(out, c)
	}
	return out, nil
}

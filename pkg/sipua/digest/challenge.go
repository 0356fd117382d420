package digest

import (
	"fmt"
	"strings"
)

const schemeDigest = "Digest"

// isChallengeField reports whether name (case-insensitive) has a field
// in Challenge; such names never appear in Challenge.Params.
func isChallengeField(name string) bool {
	return equalFoldAny(name, "realm", "domain", "nonce", "opaque", "stale", "algorithm", "qop", "userhash")
}

// Challenge is one parsed WWW-Authenticate or Proxy-Authenticate header
// value (RFC 3261 §22, RFC 2617 §3.2.1, RFC 7616 §3.3).
//
// A Challenge holds no secret and may be logged.
type Challenge struct {
	// Scheme is the auth-scheme as received, e.g. "Digest". Compare it
	// with [Challenge.IsDigest]. An empty Scheme means "Digest".
	Scheme string
	// Realm is the protection space; it is echoed in the credentials.
	Realm string
	// Domain is the raw, space-separated list of URIs of the protection
	// space, if any.
	Domain string
	// Nonce is the server nonce.
	Nonce string
	// Opaque is echoed unchanged in the credentials when non-empty.
	Opaque string
	// Stale reports stale=true (case-insensitive): the previous
	// credentials were right but their nonce expired. Any other value
	// is false.
	Stale bool
	// Algorithm is the algorithm as received ("MD5", "sha-256", ...).
	// Compare it case-insensitively; empty means MD5.
	Algorithm string
	// QOP lists the offered qop options ("auth", "auth-int"), in
	// order, from qop="auth,auth-int". Nil means the server offered
	// none (RFC 2069 compatibility mode).
	QOP []string
	// Userhash reports userhash=true (RFC 7616 §3.4.4): the client
	// should send H(username ":" realm) instead of the user name.
	Userhash bool
	// Params holds the other auth-params in the order received.
	Params []Param
}

// ParseChallenge parses one WWW-Authenticate or Proxy-Authenticate
// header value, such as
//
//	Digest realm="atlanta.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", algorithm=MD5
//
// The scheme and parameter names are case-insensitive; values may be
// tokens or quoted-strings (with backslash escapes); whitespace,
// header folding and empty list elements are tolerated. Any scheme is
// accepted as long as it is followed by auth-params; use
// [Challenge.IsDigest] or [Pick] to keep the Digest ones. token68
// challenges (such as "Negotiate abc==") are reported as errors.
//
// A nil error means every field was understood syntactically; it does
// not mean the challenge can be answered (see [Challenge.Supported]).
// Errors are *[ParseError] values wrapping [ErrSyntax].
func ParseChallenge(value string) (Challenge, error) {
	scheme, params, err := parseAuth("challenge", value)
	if err != nil {
		return Challenge{}, err
	}
	ch := Challenge{Scheme: scheme}
	for _, p := range params {
		switch {
		case strings.EqualFold(p.name, "realm"):
			ch.Realm = p.value
		case strings.EqualFold(p.name, "domain"):
			ch.Domain = p.value
		case strings.EqualFold(p.name, "nonce"):
			ch.Nonce = p.value
		case strings.EqualFold(p.name, "opaque"):
			ch.Opaque = p.value
		case strings.EqualFold(p.name, "stale"):
			ch.Stale = strings.EqualFold(p.value, "true")
		case strings.EqualFold(p.name, "algorithm"):
			ch.Algorithm = p.value
		case strings.EqualFold(p.name, "qop"):
			ch.QOP = splitQOP(p.value)
		case strings.EqualFold(p.name, "userhash"):
			ch.Userhash = strings.EqualFold(p.value, "true")
		default:
			ch.Params = append(ch.Params, Param{Name: p.name, Value: p.value})
		}
	}
	return ch, nil
}

// splitQOP splits a qop-options value such as "auth, auth-int" into its
// non-empty, whitespace-trimmed elements. It returns nil for no options.
func splitQOP(v string) []string {
	var out []string
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.Trim(part, " \t"); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// IsDigest reports whether the scheme is "Digest" (case-insensitive) or
// empty, which Encode writes as "Digest".
func (ch Challenge) IsDigest() bool {
	return ch.Scheme == "" || strings.EqualFold(ch.Scheme, schemeDigest)
}

// OffersQOP reports whether qop (e.g. "auth-int") is among the offered
// qop options, compared case-insensitively.
func (ch Challenge) OffersQOP(qop string) bool {
	for _, q := range ch.QOP {
		if strings.EqualFold(q, qop) {
			return true
		}
	}
	return false
}

// Supported reports whether a [Client] can answer the challenge: the
// scheme is Digest, the nonce is not empty, the algorithm is supported,
// and either auth or auth-int is offered, or no qop is offered and the
// algorithm is not a -sess variant.
func (ch Challenge) Supported() bool {
	if !ch.IsDigest() || ch.Nonce == "" {
		return false
	}
	a, err := lookupAlgorithm(ch.Algorithm)
	if err != nil {
		return false
	}
	qop, err := selectQOP(ch.QOP, false)
	return err == nil && !(a.sess && qop == "")
}

// Encode serializes the challenge as a header value:
//
//	Digest realm="...", domain="...", nonce="...", opaque="...", stale=true, algorithm=MD5, qop="auth,auth-int", userhash=true, name=value...
//
// Empty fields, and Stale and Userhash when false, are left out;
// realm, domain, nonce, opaque and qop are always quoted; Params
// values are written as tokens when they are tokens and quoted
// otherwise. Encode fails with [ErrInvalidValue] if a value contains
// CR, LF or another control character, if a qop option contains a
// comma, if a parameter name is not a token, is repeated, or names a
// field of Challenge. A successful result parses back with
// [ParseChallenge] to an equal Challenge (as long as it stays within
// MaxHeaderLength and MaxParams).
func (ch Challenge) Encode() (string, error) {
	var w paramWriter
	w.b.Grow(64 + len(ch.Realm) + len(ch.Domain) + len(ch.Nonce) + len(ch.Opaque))
	w.writeScheme(ch.Scheme)
	if ch.Realm != "" {
		w.quoted("realm", ch.Realm)
	}
	if ch.Domain != "" {
		w.quoted("domain", ch.Domain)
	}
	if ch.Nonce != "" {
		w.quoted("nonce", ch.Nonce)
	}
	if ch.Opaque != "" {
		w.quoted("opaque", ch.Opaque)
	}
	if ch.Stale {
		w.token("stale", "true")
	}
	if ch.Algorithm != "" {
		w.token("algorithm", ch.Algorithm)
	}
	if len(ch.QOP) > 0 {
		if err := checkQOPOptions(ch.QOP); err != nil && w.err == nil {
			w.err = err
		}
		w.quoted("qop", strings.Join(ch.QOP, ","))
	}
	if ch.Userhash {
		w.token("userhash", "true")
	}
	w.extra(ch.Params, isChallengeField)
	return w.result()
}

// String returns the header value produced by [Challenge.Encode], or an
// empty string if the challenge cannot be encoded. It never returns a
// value containing CR or LF.
func (ch Challenge) String() string {
	s, err := ch.Encode()
	if err != nil {
		return ""
	}
	return s
}

func checkQOPOptions(opts []string) error {
	for _, q := range opts {
		if q == "" || strings.ContainsRune(q, ',') || strings.Trim(q, " \t") != q {
			return fmt.Errorf("%w: qop option %q", ErrInvalidValue, q)
		}
	}
	return nil
}

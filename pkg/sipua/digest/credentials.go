package digest

import (
	"fmt"
	"strconv"
	"strings"
)

// isCredentialsField reports whether name (case-insensitive) has a
// field in Credentials; such names never appear in Credentials.Params.
func isCredentialsField(name string) bool {
	return equalFoldAny(name, "username", "realm", "nonce", "uri", "response",
		"algorithm", "cnonce", "opaque", "qop", "nc", "userhash")
}

// Credentials is one Authorization or Proxy-Authorization header value
// (RFC 3261 §22, RFC 2617 §3.2.2, RFC 7616 §3.4).
//
// Credentials never contain the password. Response is a hash of it,
// so treat Credentials like any authentication header: its String
// method is the wire form, needed to build requests, and should not be
// written to logs.
type Credentials struct {
	// Scheme is the auth-scheme as received. An empty Scheme means
	// "Digest".
	Scheme string
	// Username is the user name, or H(username ":" realm) when
	// Userhash is set.
	Username string
	// Realm is the challenge's realm, echoed.
	Realm string
	// Nonce is the challenge's nonce, echoed.
	Nonce string
	// URI is the digest-uri: in SIP, the Request-URI of the request.
	URI string
	// Response is the request digest, lowercase hex.
	Response string
	// Algorithm is the algorithm as sent; empty means MD5.
	Algorithm string
	// CNonce is the client nonce; empty when QOP is empty.
	CNonce string
	// Opaque is the challenge's opaque value, echoed unchanged; left
	// out of the header when empty.
	Opaque string
	// QOP is the chosen qop ("auth" or "auth-int"), or empty in RFC 2069
	// compatibility mode.
	QOP string
	// NC is the nonce count exactly as sent (8 hex digits, such as
	// "00000001"); see [Credentials.NonceCount].
	NC string
	// Userhash reports userhash=true: Username is hashed.
	Userhash bool
	// Params holds the other auth-params in the order received.
	Params []Param
}

// ParseCredentials parses one Authorization or Proxy-Authorization
// header value, such as
//
//	Digest username="bob", realm="atlanta.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sips:ss2.biloxi.com", response="dfe56131d1958046689d83306477ecc", qop=auth, nc=00000001, cnonce="0a4f113b"
//
// with the same lexical rules as [ParseChallenge]. Values are not
// checked beyond syntax; servers use [Verify]. Errors are *[ParseError]
// values wrapping [ErrSyntax].
func ParseCredentials(value string) (Credentials, error) {
	scheme, params, err := parseAuth("credentials", value)
	if err != nil {
		return Credentials{}, err
	}
	c := Credentials{Scheme: scheme}
	for _, p := range params {
		switch {
		case strings.EqualFold(p.name, "username"):
			c.Username = p.value
		case strings.EqualFold(p.name, "realm"):
			c.Realm = p.value
		case strings.EqualFold(p.name, "nonce"):
			c.Nonce = p.value
		case strings.EqualFold(p.name, "uri"):
			c.URI = p.value
		case strings.EqualFold(p.name, "response"):
			c.Response = p.value
		case strings.EqualFold(p.name, "algorithm"):
			c.Algorithm = p.value
		case strings.EqualFold(p.name, "cnonce"):
			c.CNonce = p.value
		case strings.EqualFold(p.name, "opaque"):
			c.Opaque = p.value
		case strings.EqualFold(p.name, "qop"):
			c.QOP = p.value
		case strings.EqualFold(p.name, "nc"):
			c.NC = p.value
		case strings.EqualFold(p.name, "userhash"):
			c.Userhash = strings.EqualFold(p.value, "true")
		default:
			c.Params = append(c.Params, Param{Name: p.name, Value: p.value})
		}
	}
	return c, nil
}

// IsDigest reports whether the scheme is "Digest" (case-insensitive) or
// empty, which Encode writes as "Digest".
func (c Credentials) IsDigest() bool {
	return c.Scheme == "" || strings.EqualFold(c.Scheme, schemeDigest)
}

// NonceCount returns NC as a number. It fails with [ErrInvalidValue]
// unless NC is exactly 8 hexadecimal digits. Servers use it to detect
// replays: the count must grow with each request on the same nonce.
func (c Credentials) NonceCount() (uint32, error) {
	if len(c.NC) != 8 {
		return 0, fmt.Errorf("%w: nc %q is not 8 hex digits", ErrInvalidValue, c.NC)
	}
	n, err := strconv.ParseUint(c.NC, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: nc %q is not 8 hex digits", ErrInvalidValue, c.NC)
	}
	return uint32(n), nil
}

// Encode serializes the credentials as SIP user agents send them:
//
//	Digest username="...", realm="...", nonce="...", uri="...", response="...", algorithm=MD5, cnonce="...", opaque="...", qop=auth, nc=00000001
//
// For the Digest scheme, username, realm, nonce, uri and response are
// always written; the other fields only when set, followed by
// userhash=true and Params. algorithm, qop and nc are unquoted (unless
// they are not tokens); all other values are quoted with '"' and '\'
// escaped. Encode fails with [ErrInvalidValue] if any value contains
// CR, LF or another control character, or if a parameter name in Params
// is not a token, is repeated, or names a field of Credentials; it
// never produces a value that could inject a header line.
func (c Credentials) Encode() (string, error) {
	var w paramWriter
	w.b.Grow(128 + len(c.Username) + len(c.Realm) + len(c.Nonce) + len(c.URI) +
		len(c.Response) + len(c.CNonce) + len(c.Opaque))
	w.writeScheme(c.Scheme)
	digest := c.IsDigest()
	quoted := func(name, v string) {
		if digest || v != "" {
			w.quoted(name, v)
		}
	}
	quoted("username", c.Username)
	quoted("realm", c.Realm)
	quoted("nonce", c.Nonce)
	quoted("uri", c.URI)
	quoted("response", c.Response)
	if c.Algorithm != "" {
		w.token("algorithm", c.Algorithm)
	}
	if c.CNonce != "" {
		w.quoted("cnonce", c.CNonce)
	}
	if c.Opaque != "" {
		w.quoted("opaque", c.Opaque)
	}
	if c.QOP != "" {
		w.token("qop", c.QOP)
	}
	if c.NC != "" {
		w.token("nc", c.NC)
	}
	if c.Userhash {
		w.token("userhash", "true")
	}
	w.extra(c.Params, isCredentialsField)
	return w.result()
}

// String returns the wire form produced by [Credentials.Encode], or an
// empty string if the credentials cannot be encoded (for example a
// field contains CR or LF). Credentials returned by [Client.Authorize]
// always encode. The result contains the response digest but never the
// password.
func (c Credentials) String() string {
	s, err := c.Encode()
	if err != nil {
		return ""
	}
	return s
}

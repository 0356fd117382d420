package sipmsg

import (
	"strconv"
	"strings"
)

// URI is a SIP, SIPS or tel URI (RFC 3261 §19.1, RFC 3966). Other schemes
// are kept opaque.
//
// User, Password, Params and Headers hold unescaped text; String escapes
// what needs it, so a URI is always safe to write whatever its fields hold.
type URI struct {
	// Scheme in lower case: "sip", "sips", "tel", or another scheme.
	Scheme string
	// User is the user part of a SIP URI or the number of a tel URI.
	User     string
	Password string
	// Host is a host name, an IPv4 address or an IPv6 reference in
	// brackets ("[2001:db8::1]").
	Host string
	// Port is 0 when the URI has none.
	Port    int
	Params  Params
	Headers Params
	// Opaque holds everything after "scheme:" for schemes other than sip,
	// sips and tel.
	Opaque string
}

// IsSIP reports whether the URI is a sip: or sips: URI.
func (u *URI) IsSIP() bool { return u.Scheme == "sip" || u.Scheme == "sips" }

// ParseURI parses a URI as it appears in a Request-URI or inside <...>.
func ParseURI(s string) (URI, error) {
	var u URI
	err := u.parse(s)
	return u, err
}

func (u *URI) parse(s string) error {
	const what = "URI"
	if len(s) > MaxURILen {
		return &ParseError{What: what, Offset: MaxURILen, Msg: "URI too long", Err: ErrTooLarge}
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return parseErr(what, 0, "missing scheme in %q", clip(s))
	}
	scheme := s[:colon]
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return parseErr(what, i, "invalid scheme %q", clip(scheme))
		}
	}
	u.Scheme = lowerASCII(scheme)
	rest := s[colon+1:]
	switch u.Scheme {
	case "sip", "sips":
		return u.parseSIP(rest, colon+1)
	case "tel":
		return u.parseTel(rest, colon+1)
	default:
		if rest == "" {
			return parseErr(what, colon+1, "empty URI after scheme")
		}
		for i := 0; i < len(rest); i++ {
			if c := rest[i]; c <= ' ' || c == '<' || c == '>' || c == '"' || c >= 0x7f {
				return parseErr(what, colon+1+i, "invalid character %q", c)
			}
		}
		u.Opaque = rest
		return nil
	}
}

func (u *URI) parseSIP(s string, off int) error {
	const what = "URI"
	// The user part ends at the first '@': '@' must be escaped in user,
	// password, parameters and headers.
	if at := strings.IndexByte(s, '@'); at >= 0 {
		userinfo := s[:at]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		if user == "" {
			return parseErr(what, off, "empty user part")
		}
		var err error
		if u.User, err = unescapeClass(user, clUser, what, off); err != nil {
			return err
		}
		if hasPass {
			if u.Password, err = unescapeClass(pass, clPassword, what, off+len(user)+1); err != nil {
				return err
			}
		}
		s = s[at+1:]
		off += at + 1
	}
	// host
	i := 0
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return parseErr(what, off, "unterminated IPv6 reference")
		}
		if !validIPv6(s[1:end]) {
			return parseErr(what, off, "invalid IPv6 reference %q", clip(s[:end+1]))
		}
		i = end + 1
	} else {
		for i < len(s) && charClass[s[i]]&clHost != 0 {
			i++
		}
		if i == 0 {
			return parseErr(what, off, "missing host")
		}
	}
	u.Host = s[:i]
	if i < len(s) && s[i] == ':' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		port, err := strconv.Atoi(s[i+1 : j])
		if err != nil || port < 1 || port > 65535 {
			return parseErr(what, off+i+1, "invalid port %q", clip(s[i+1:j]))
		}
		u.Port = port
		i = j
	}
	s, off = s[i:], off+i
	if s == "" {
		return nil
	}
	if s[0] != ';' && s[0] != '?' {
		return parseErr(what, off, "unexpected %q after host", s[0])
	}
	params, headers, _ := strings.Cut(s, "?")
	var err error
	if u.Params, err = parseURIParams(params, ';', clParam, what, off); err != nil {
		return err
	}
	if len(s) > len(params) {
		if u.Headers, err = parseURIParams("&"+headers, '&', clHeader, what, off+len(params)); err != nil {
			return err
		}
	}
	return nil
}

func (u *URI) parseTel(s string, off int) error {
	const what = "tel URI"
	num, _, _ := strings.Cut(s, ";")
	if num == "" {
		return parseErr(what, off, "empty number")
	}
	for i := 0; i < len(num); i++ {
		c := num[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' ||
			strings.IndexByte("*#+-.()pPwW", c) >= 0) {
			return parseErr(what, off+i, "invalid character %q in number", c)
		}
	}
	u.User = num
	if len(s) > len(num) {
		var err error
		u.Params, err = parseURIParams(s[len(num):], ';', clParam, what, off+len(num))
		return err
	}
	return nil
}

// parseURIParams parses sep-separated name[=value] pairs; s starts with
// sep. Names and values are checked against class and unescaped.
func parseURIParams(s string, sep byte, class uint8, what string, off int) (Params, error) {
	if s == "" {
		return nil, nil
	}
	params := make(Params, 0, strings.Count(s, string(sep)))
	for len(s) > 0 {
		s = s[1:] // the separator
		off++
		end := strings.IndexByte(s, sep)
		if end < 0 {
			end = len(s)
		}
		rawName, rawValue, _ := strings.Cut(s[:end], "=")
		if rawName == "" {
			return nil, parseErr(what, off, "empty parameter name")
		}
		name, err := unescapeClass(rawName, class, what, off)
		if err != nil {
			return nil, err
		}
		value, err := unescapeClass(rawValue, class, what, off+len(rawName)+1)
		if err != nil {
			return nil, err
		}
		params = append(params, Param{Name: name, Value: value})
		s, off = s[end:], off+end
	}
	return params, nil
}

// unescapeClass checks that s holds only characters of class or %XX
// escapes, and returns it unescaped.
func unescapeClass(s string, class uint8, what string, off int) (string, error) {
	escapes := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", parseErr(what, off+i, "invalid escape")
			}
			escapes = true
			i += 2
			continue
		}
		if charClass[c]&class == 0 {
			return "", parseErr(what, off+i, "invalid character %q", c)
		}
	}
	if !escapes {
		return s, nil
	}
	return unescape(s), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unescape decodes %XX sequences; malformed ones are kept as they are.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

const hexDigits = "0123456789ABCDEF"

// appendEscaped writes s, percent-escaping every byte outside class.
func appendEscaped(b []byte, s string, class uint8) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if charClass[c]&class != 0 {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return b
}

// appendRaw writes a raw component, escaping only bytes that are never
// valid in a URI (controls, space, '<', '>', '"', non-ASCII), so that a
// URI built by hand with bad values cannot break the message around it.
func appendRaw(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		} else {
			b = append(b, c)
		}
	}
	return b
}

// appendHost writes a host, escaping nothing that a valid host has.
func appendHost(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if charClass[c]&clHost != 0 || c == '[' || c == ']' || c == ':' {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return b
}

// AppendTo appends the URI's text form to b.
func (u *URI) AppendTo(b []byte) []byte {
	b = appendEscaped(b, u.Scheme, clToken)
	b = append(b, ':')
	switch u.Scheme {
	case "sip", "sips":
	case "tel":
		b = appendRaw(b, u.User)
		return appendURIParams(b, u.Params, ';')
	default:
		return appendRaw(b, u.Opaque)
	}
	if u.User != "" {
		b = appendEscaped(b, u.User, clUser)
		if u.Password != "" {
			b = append(b, ':')
			b = appendEscaped(b, u.Password, clPassword)
		}
		b = append(b, '@')
	}
	b = appendHost(b, u.Host)
	if u.Port > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(u.Port), 10)
	}
	b = appendURIParams(b, u.Params, ';')
	if len(u.Headers) > 0 {
		b = append(b, '?')
		b = appendURIParams(b, u.Headers, '&')
	}
	return b
}

func appendURIParams(b []byte, p Params, sep byte) []byte {
	class := uint8(clParam)
	if sep == '&' {
		class = clHeader
	}
	for i, x := range p {
		if sep != '&' || i > 0 { // before the first header, '?' is written
			b = append(b, sep)
		}
		b = appendEscaped(b, x.Name, class)
		if x.Value != "" || sep == '&' {
			b = append(b, '=')
			b = appendEscaped(b, x.Value, class)
		}
	}
	return b
}

// String returns the URI's text form.
func (u URI) String() string {
	return string(u.AppendTo(make([]byte, 0, 64)))
}

// HostPort returns the host with the port when there is one.
func (u *URI) HostPort() string {
	if u.Port == 0 {
		return u.Host
	}
	return u.Host + ":" + strconv.Itoa(u.Port)
}

// Clone returns a deep copy.
func (u URI) Clone() URI {
	u.Params = u.Params.Clone()
	u.Headers = u.Headers.Clone()
	return u
}

// Equal compares two URIs as RFC 3261 §19.1.4 defines: user parts are
// case-sensitive, everything else case-insensitive after unescaping;
// user, ttl, method, maddr and transport parameters must match when either
// URI has them, other parameters only when both do; headers must all match.
func (u *URI) Equal(v *URI) bool {
	if u.Scheme != v.Scheme {
		return false
	}
	switch u.Scheme {
	case "sip", "sips":
	case "tel":
		return telNumber(u.User) == telNumber(v.User) && paramsEqualAll(u.Params, v.Params)
	default:
		return strings.EqualFold(unescape(u.Opaque), unescape(v.Opaque))
	}
	if u.User != v.User || u.Password != v.Password || u.Port != v.Port ||
		!strings.EqualFold(u.Host, v.Host) {
		return false
	}
	for _, name := range [...]string{"user", "ttl", "method", "maddr", "transport"} {
		a, aok := u.Params.Get(name)
		b, bok := v.Params.Get(name)
		if aok != bok || !strings.EqualFold(a, b) {
			return false
		}
	}
	// A name repeated in one URI counts with its first value, as Get
	// reads it, so that Equal stays reflexive.
	for _, p := range u.Params {
		a, _ := u.Params.Get(p.Name)
		if w, ok := v.Params.Get(p.Name); ok && !strings.EqualFold(a, w) {
			return false
		}
	}
	return paramsEqualAll(u.Headers, v.Headers)
}

// paramsEqualAll reports whether a and b hold the same names with equal
// values, in any order (a repeated name counts with its first value).
func paramsEqualAll(a, b Params) bool {
	if len(a) != len(b) {
		return false
	}
	for _, p := range a {
		x, _ := a.Get(p.Name)
		w, ok := b.Get(p.Name)
		if !ok || !strings.EqualFold(x, w) {
			return false
		}
	}
	return true
}

// telNumber drops the visual separators of a tel URI number (RFC 3966).
func telNumber(s string) string {
	if !strings.ContainsAny(s, "-.()") {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '-', '.', '(', ')':
		default:
			b.WriteByte(s[i])
		}
	}
	return strings.ToLower(b.String())
}

func validIPv6(s string) bool {
	if len(s) < 2 {
		return false
	}
	colons := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colons++
		case isHex(c), c == '.':
		default:
			return false
		}
	}
	return colons >= 2
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// clip shortens s for error messages.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

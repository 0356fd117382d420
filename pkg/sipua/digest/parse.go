package digest

import (
	"fmt"
	"strings"
)

// Limits that keep parsing cheap whatever the input. Real SIP
// challenges and credentials are a few hundred bytes with a dozen
// parameters.
const (
	// MaxHeaderLength is the longest header value ParseChallenge and
	// ParseCredentials accept, in bytes.
	MaxHeaderLength = 8192
	// MaxParams is the largest number of auth-params ParseChallenge and
	// ParseCredentials accept in one header value.
	MaxParams = 64
)

// Param is one auth-param that the package has no field for, such as
// RFC 7616's charset or a vendor extension. Names keep the case they
// were received with; values are unquoted and unescaped.
type Param struct {
	// Name is the parameter name, a token.
	Name string
	// Value is the unquoted value.
	Value string
}

// rawParam is an auth-param as found by the lexer.
type rawParam struct {
	name  string
	value string
	off   int
}

// lexer walks one header value. All positions are byte offsets into s.
type lexer struct {
	s      string
	pos    int
	header string // "challenge" or "credentials", for error messages
}

func (l *lexer) fail(off int, format string, args ...any) error {
	return &ParseError{Header: l.header, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) eof() bool { return l.pos >= len(l.s) }

// skipLWS skips spaces, tabs and header folding (CRLF or LF followed by
// whitespace). It reports how many bytes were skipped. A line break that
// is not a fold is an error: it would end the header.
func (l *lexer) skipLWS() (int, error) {
	start := l.pos
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		switch c {
		case ' ', '\t':
			l.pos++
		case '\r', '\n':
			n := 1
			if c == '\r' {
				if l.pos+1 >= len(l.s) || l.s[l.pos+1] != '\n' {
					return 0, l.fail(l.pos, "bare CR")
				}
				n = 2
			}
			if l.pos+n >= len(l.s) || !isWSP(l.s[l.pos+n]) {
				return 0, l.fail(l.pos, "line break not followed by whitespace")
			}
			l.pos += n + 1
		default:
			return l.pos - start, nil
		}
	}
	return l.pos - start, nil
}

// token reads a strict RFC 3261 token (possibly empty).
func (l *lexer) token() string {
	start := l.pos
	for l.pos < len(l.s) && isTokenChar(l.s[l.pos]) {
		l.pos++
	}
	return l.s[start:l.pos]
}

// bareValue reads an unquoted parameter value. It is more lenient than
// the token grammar so that values such as unquoted base64 nonces
// ("abc/def==") from sloppy peers are still understood, but a value
// cannot start with '=', so that token68 credentials ("abc==") are
// rejected rather than misread as a parameter.
func (l *lexer) bareValue() string {
	start := l.pos
	if l.pos < len(l.s) && l.s[l.pos] == '=' {
		return ""
	}
	for l.pos < len(l.s) && isBareValueChar(l.s[l.pos]) {
		l.pos++
	}
	return l.s[start:l.pos]
}

// quoted reads a quoted-string starting at the opening quote and returns
// its unescaped content. Control characters other than HTAB are
// refused, escaped or not, so that a parsed value can never carry a
// line break.
func (l *lexer) quoted() (string, error) {
	open := l.pos
	i := open + 1
	for i < len(l.s) {
		c := l.s[i]
		if c == '"' {
			l.pos = i + 1
			return l.s[open+1 : i], nil
		}
		if c == '\\' {
			break
		}
		if isCtl(c) {
			return "", l.fail(i, "control character %q in quoted string", c)
		}
		i++
	}
	if i >= len(l.s) {
		return "", l.fail(open, "unterminated quoted string")
	}
	// Slow path: the string contains quoted-pairs.
	var b strings.Builder
	b.Grow(len(l.s) - open)
	b.WriteString(l.s[open+1 : i])
	for i < len(l.s) {
		c := l.s[i]
		switch {
		case c == '"':
			l.pos = i + 1
			return b.String(), nil
		case c == '\\':
			if i+1 >= len(l.s) {
				return "", l.fail(open, "unterminated quoted string")
			}
			e := l.s[i+1]
			if isCtl(e) {
				return "", l.fail(i+1, "control character %q in quoted string", e)
			}
			b.WriteByte(e)
			i += 2
		case isCtl(c):
			return "", l.fail(i, "control character %q in quoted string", c)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", l.fail(open, "unterminated quoted string")
}

// parseAuth splits a WWW-Authenticate / Authorization style header value
// into its scheme and auth-params:
//
//	value = [LWS] scheme [LWS+ param *([LWS] "," [LWS] [param])] [LWS]
//	param = name [LWS] "=" [LWS] (token / quoted-string)
//
// Empty list elements (",,") are tolerated; duplicate parameter names
// (compared case-insensitively) are not. Work is linear in len(s) plus
// quadratic in the number of parameters, which is capped by MaxParams.
func parseAuth(header, s string) (string, []rawParam, error) {
	l := lexer{s: s, header: header}
	if len(s) > MaxHeaderLength {
		return "", nil, l.fail(MaxHeaderLength, "value longer than %d bytes", MaxHeaderLength)
	}
	if _, err := l.skipLWS(); err != nil {
		return "", nil, err
	}
	if l.eof() {
		return "", nil, l.fail(l.pos, "missing auth scheme")
	}
	schemeStart := l.pos
	scheme := l.token()
	if scheme == "" {
		return "", nil, l.fail(l.pos, "expected auth scheme, found %q", l.s[l.pos])
	}
	ws, err := l.skipLWS()
	if err != nil {
		return "", nil, err
	}
	if !l.eof() {
		switch c := l.s[l.pos]; {
		case c == '=':
			return "", nil, l.fail(schemeStart, "missing auth scheme before parameter %q", scheme)
		case ws == 0 && c != ',':
			return "", nil, l.fail(l.pos, "unexpected %q after auth scheme", c)
		}
	}

	var params []rawParam
	for {
		if _, err := l.skipLWS(); err != nil {
			return "", nil, err
		}
		if l.eof() {
			break
		}
		if l.s[l.pos] == ',' {
			l.pos++
			continue
		}
		nameStart := l.pos
		name := l.token()
		if name == "" {
			return "", nil, l.fail(l.pos, "expected parameter name, found %q", l.s[l.pos])
		}
		if _, err := l.skipLWS(); err != nil {
			return "", nil, err
		}
		if l.eof() {
			return "", nil, l.fail(l.pos, "missing '=' after parameter %q", name)
		}
		if l.s[l.pos] != '=' {
			return "", nil, l.fail(l.pos, "expected '=' after parameter %q, found %q", name, l.s[l.pos])
		}
		l.pos++
		if _, err := l.skipLWS(); err != nil {
			return "", nil, err
		}
		if l.eof() {
			return "", nil, l.fail(l.pos, "missing value for parameter %q", name)
		}
		var value string
		if l.s[l.pos] == '"' {
			if value, err = l.quoted(); err != nil {
				return "", nil, err
			}
		} else if value = l.bareValue(); value == "" {
			return "", nil, l.fail(l.pos, "expected value for parameter %q, found %q", name, l.s[l.pos])
		}
		if len(params) == MaxParams {
			return "", nil, l.fail(nameStart, "more than %d parameters", MaxParams)
		}
		for _, p := range params {
			if strings.EqualFold(p.name, name) {
				return "", nil, l.fail(nameStart, "duplicate parameter %q", name)
			}
		}
		params = append(params, rawParam{name: name, value: value, off: nameStart})

		if _, err := l.skipLWS(); err != nil {
			return "", nil, err
		}
		if l.eof() {
			break
		}
		if l.s[l.pos] != ',' {
			return "", nil, l.fail(l.pos, "expected ',' after parameter %q, found %q", name, l.s[l.pos])
		}
	}
	return scheme, params, nil
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// isCtl reports control characters other than HTAB.
func isCtl(c byte) bool { return (c < 0x20 && c != '\t') || c == 0x7f }

// isTokenChar reports whether c may appear in an RFC 3261 token.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~':
		return true
	}
	return false
}

func isBareValueChar(c byte) bool {
	return c > ' ' && c != 0x7f && c != ',' && c != '"'
}

// isToken reports whether s is a non-empty RFC 3261 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// checkValue refuses values that cannot be carried in a quoted-string
// without changing the header structure: CR, LF and other controls.
func checkValue(name, v string) error {
	for i := 0; i < len(v); i++ {
		if isCtl(v[i]) {
			return fmt.Errorf("%w: %s contains control character %q", ErrInvalidValue, name, v[i])
		}
	}
	return nil
}

// paramWriter serializes auth-params after a scheme. The first error is
// kept and later writes are ignored.
type paramWriter struct {
	b     strings.Builder
	count int
	err   error
}

func (w *paramWriter) sep() {
	if w.count == 0 {
		w.b.WriteByte(' ')
	} else {
		w.b.WriteString(", ")
	}
	w.count++
}

// quoted writes name="value" with '"' and '\' escaped.
func (w *paramWriter) quoted(name, value string) {
	if w.err != nil {
		return
	}
	if err := checkValue(name, value); err != nil {
		w.err = err
		return
	}
	w.sep()
	w.b.WriteString(name)
	w.b.WriteString(`="`)
	for i := 0; i < len(value); i++ {
		if c := value[i]; c == '"' || c == '\\' {
			w.b.WriteByte('\\')
		}
		w.b.WriteByte(value[i])
	}
	w.b.WriteByte('"')
}

// token writes name=value unquoted when value is a token, and quoted
// otherwise.
func (w *paramWriter) token(name, value string) {
	if w.err != nil {
		return
	}
	if !isToken(value) {
		w.quoted(name, value)
		return
	}
	w.sep()
	w.b.WriteString(name)
	w.b.WriteByte('=')
	w.b.WriteString(value)
}

// extra writes caller-supplied parameters, refusing names that are not
// tokens, that duplicate an earlier parameter or that belong to a field
// of the enclosing struct.
func (w *paramWriter) extra(params []Param, isField func(string) bool) {
	for i, p := range params {
		if w.err != nil {
			return
		}
		if !isToken(p.Name) {
			w.err = fmt.Errorf("%w: parameter name %q is not a token", ErrInvalidValue, p.Name)
			return
		}
		if isField(p.Name) {
			w.err = fmt.Errorf("%w: parameter %q must be set through its field, not Params", ErrInvalidValue, p.Name)
			return
		}
		for _, q := range params[:i] {
			if strings.EqualFold(q.Name, p.Name) {
				w.err = fmt.Errorf("%w: duplicate parameter %q", ErrInvalidValue, p.Name)
				return
			}
		}
		w.token(p.Name, p.Value)
	}
}

// writeScheme starts a header value with scheme ("Digest" if empty).
func (w *paramWriter) writeScheme(scheme string) {
	if scheme == "" {
		scheme = schemeDigest
	}
	if !isToken(scheme) {
		w.err = fmt.Errorf("%w: scheme %q is not a token", ErrInvalidValue, scheme)
		return
	}
	w.b.WriteString(scheme)
}

func (w *paramWriter) result() (string, error) {
	if w.err != nil {
		return "", w.err
	}
	return w.b.String(), nil
}

// equalFoldAny reports whether s equals one of names, ignoring case.
func equalFoldAny(s string, names ...string) bool {
	for _, n := range names {
		if strings.EqualFold(s, n) {
			return true
		}
	}
	return false
}

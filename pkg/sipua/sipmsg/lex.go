package sipmsg

import (
	"strings"
)

// Character classes of RFC 3261 §25.1, as bit masks in one read-only table.
const (
	clToken      = 1 << iota // token characters
	clUnreserved             // alphanum / mark
	clUser                   // characters allowed unescaped in a URI user part
	clPassword               // ... in a URI password
	clParam                  // ... in a URI parameter name or value
	clHeader                 // ... in a URI header name or value
	clHost                   // characters of a host name or IPv4 address
	clWord                   // word characters (Call-ID)
)

var charClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = 0xff
		t[c-'a'+'A'] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 0xff
	}
	set := func(chars string, cl uint8) {
		for i := 0; i < len(chars); i++ {
			t[chars[i]] |= cl
		}
	}
	const mark = "-_.!~*'()"
	set(mark, clUnreserved|clUser|clPassword|clParam|clHeader|clWord)
	set("-.!%*_+`'~", clToken)
	set("&=+$,;?/", clUser)
	set("&=+$,", clPassword)
	set("[]/:&+$", clParam)
	set("[]/?:+$", clHeader)
	set("-._", clHost)
	set("%+`<>:\\\"/[]?{}", clWord)
	set("-.!%*_+`'~", clWord)
	// Host names with '_' occur in the wild (SRV-style names), so the
	// host class accepts them.
	return t
}()

func isToken(c byte) bool { return charClass[c]&clToken != 0 }

// isTokenString reports whether s is a non-empty token.
func isTokenString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isToken(s[i]) {
			return false
		}
	}
	return true
}

func isWS(c byte) bool { return c == ' ' || c == '\t' }

func trimWS(s string) string {
	i, j := 0, len(s)
	for i < j && isWS(s[i]) {
		i++
	}
	for j > i && isWS(s[j-1]) {
		j--
	}
	return s[i:j]
}

func skipWS(s string, i int) int {
	for i < len(s) && isWS(s[i]) {
		i++
	}
	return i
}

// hasUnsafe reports whether s contains a byte that would break message
// framing if written into a header: CR, LF or NUL.
func hasUnsafe(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r', '\n', 0:
			return true
		}
	}
	return false
}

// scanQuoted reads a quoted-string starting at s[i] == '"'. It returns the
// unescaped content and the index just past the closing quote.
func scanQuoted(s string, i int) (string, int, bool) {
	start := i + 1
	escaped := false
	for j := start; j < len(s); j++ {
		switch s[j] {
		case '\\':
			escaped = true
			j++ // skip the escaped character
		case '"':
			if !escaped {
				return s[start:j], j + 1, true
			}
			return unescapeQuoted(s[start:j]), j + 1, true
		}
	}
	return "", len(s), false
}

func unescapeQuoted(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// appendQuoted writes s as a quoted-string: '"', '\' and other control
// characters become quoted-pairs; CR and LF, which no quoted-pair may
// carry, become spaces so that nothing written here can end a line.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\r' || c == '\n':
			b = append(b, ' ')
		case c == '"' || c == '\\' || c < ' ' && c != '\t' || c == 0x7f:
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// nextListItem splits a comma-separated header value at its first top-level
// comma: commas inside quoted strings and <...> do not count. item is
// trimmed; ok is false when s holds nothing more.
func nextListItem(s string) (item, rest string, ok bool) {
	for {
		s = trimWS(s)
		if s == "" {
			return "", "", false
		}
		inQuote, inAngle := false, false
		end := len(s)
	scan:
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case inQuote:
				if c == '\\' {
					i++
				} else if c == '"' {
					inQuote = false
				}
			case c == '"':
				inQuote = true
			case c == '<':
				inAngle = true
			case c == '>':
				inAngle = false
			case c == ',' && !inAngle:
				end = i
				break scan
			}
		}
		item = trimWS(s[:end])
		if end < len(s) {
			rest = s[end+1:]
		} else {
			rest = ""
		}
		if item != "" {
			return item, rest, true
		}
		s = rest // empty element between commas: skip it
	}
}

// splitList splits a comma-separated header value into trimmed items.
func splitList(s string) []string {
	var out []string
	for {
		item, rest, ok := nextListItem(s)
		if !ok {
			return out
		}
		out = append(out, item)
		s = rest
	}
}

// Param is one ";name=value" parameter. A parameter without "=" (such as
// "lr" or "ob") has an empty Value and Quoted false.
type Param struct {
	Name string
	// Value is the parameter's value. Header parameters given as
	// quoted-strings hold the unquoted, unescaped text with Quoted set;
	// URI parameters hold the value as written (percent-escapes kept).
	Value  string
	Quoted bool
}

// Params is an ordered parameter list; names compare case-insensitively.
type Params []Param

// Get returns the value of the first parameter named name.
func (p Params) Get(name string) (string, bool) {
	for i := range p {
		if strings.EqualFold(p[i].Name, name) {
			return p[i].Value, true
		}
	}
	return "", false
}

// Has reports whether a parameter named name is present.
func (p Params) Has(name string) bool {
	_, ok := p.Get(name)
	return ok
}

// Set replaces the value of the parameter named name, or appends it. An
// empty value makes a flag parameter (";lr").
func (p *Params) Set(name, value string) {
	for i := range *p {
		if strings.EqualFold((*p)[i].Name, name) {
			(*p)[i].Value = value
			(*p)[i].Quoted = false
			return
		}
	}
	*p = append(*p, Param{Name: name, Value: value})
}

// Del removes every parameter named name.
func (p *Params) Del(name string) {
	out := (*p)[:0]
	for _, x := range *p {
		if !strings.EqualFold(x.Name, name) {
			out = append(out, x)
		}
	}
	*p = out
}

// Clone returns a copy that does not share storage with p.
func (p Params) Clone() Params {
	if p == nil {
		return nil
	}
	return append(Params(nil), p...)
}

func (p Params) validate() error {
	for _, x := range p {
		if x.Name == "" || hasUnsafe(x.Name) || hasUnsafe(x.Value) {
			return ErrUnsafeValue
		}
	}
	return nil
}

// appendHeaderParams writes header parameters; values that are not plain
// tokens (or hosts) are quoted.
func (p Params) appendHeaderParams(b []byte) []byte {
	for _, x := range p {
		b = append(b, ';')
		b = append(b, x.Name...)
		if x.Value == "" && !x.Quoted {
			continue
		}
		b = append(b, '=')
		if x.Quoted || !isGenValue(x.Value) {
			b = appendQuoted(b, x.Value)
		} else {
			b = append(b, x.Value...)
		}
	}
	return b
}

// isGenValue reports whether v can be written unquoted as a gen-value
// (token or host, including "[IPv6]").
func isGenValue(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == '[' {
		return v[len(v)-1] == ']' && !strings.ContainsAny(v[1:len(v)-1], " \t\"[],;")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isToken(c) && c != ':' {
			return false
		}
	}
	return true
}

// parseHeaderParams parses ";name[=value]" parameters of a header value
// (gen-value: token, host or quoted-string). s starts at the first ';' or
// is empty. what names the element for errors.
func parseHeaderParams(s string, what string) (Params, error) {
	if s == "" {
		return nil, nil
	}
	n := strings.Count(s, ";")
	params := make(Params, 0, n)
	i := 0
	for {
		i = skipWS(s, i)
		if i >= len(s) {
			return params, nil
		}
		if s[i] != ';' {
			return nil, parseErr(what, i, "unexpected %q in parameters", s[i])
		}
		i = skipWS(s, i+1)
		start := i
		for i < len(s) && isToken(s[i]) {
			i++
		}
		if i == start {
			return nil, parseErr(what, i, "empty parameter name")
		}
		var prm Param
		prm.Name = s[start:i]
		i = skipWS(s, i)
		if i < len(s) && s[i] == '=' {
			i = skipWS(s, i+1)
			if i < len(s) && s[i] == '"' {
				v, end, ok := scanQuoted(s, i)
				if !ok {
					return nil, parseErr(what, i, "unterminated quoted string")
				}
				prm.Value, prm.Quoted = v, true
				i = end
			} else if i < len(s) && s[i] == '[' {
				end := strings.IndexByte(s[i:], ']')
				if end < 0 {
					return nil, parseErr(what, i, "unterminated IPv6 reference")
				}
				prm.Value = s[i : i+end+1]
				i += end + 1
			} else {
				vs := i
				for i < len(s) && (isToken(s[i]) || s[i] == ':') {
					i++
				}
				if i == vs {
					return nil, parseErr(what, i, "empty value for parameter %q", prm.Name)
				}
				prm.Value = s[vs:i]
			}
		}
		params = append(params, prm)
	}
}

package sipmsg

import (
	"strconv"
	"strings"
)

// Size limits. A WebRTC INVITE is 1-5 KB; these leave room for large SDP
// and long route sets while bounding what hostile input can cost.
const (
	// DefaultMaxMessageSize bounds a whole message.
	DefaultMaxMessageSize = 256 << 10
	// DefaultMaxHeaders bounds the number of header lines.
	DefaultMaxHeaders = 256
	// MaxURILen bounds one URI.
	MaxURILen = 16 << 10
)

// Limits bounds what Parse accepts. Zero fields take the defaults.
type Limits struct {
	MaxMessageSize int
	MaxHeaders     int
}

// Parse parses one complete SIP message with the default limits. Leading
// CRLFs (keep-alives) are skipped. The body is bounded by Content-Length
// when present; without it the body is the rest of data, as on a
// message-oriented transport such as WebSocket.
func Parse(data []byte) (*Message, error) { return Limits{}.Parse(data) }

// Parse parses one complete SIP message within the limits l.
func (l Limits) Parse(data []byte) (*Message, error) {
	maxSize, maxHeaders := l.MaxMessageSize, l.MaxHeaders
	if maxSize <= 0 {
		maxSize = DefaultMaxMessageSize
	}
	if maxHeaders <= 0 {
		maxHeaders = DefaultMaxHeaders
	}
	if len(data) > maxSize {
		return nil, &ParseError{What: "message", Offset: maxSize,
			Msg: "message larger than " + strconv.Itoa(maxSize) + " bytes", Err: ErrTooLarge}
	}
	skip := 0
	for skip < len(data) && (data[skip] == '\r' || data[skip] == '\n') {
		skip++
	}
	// One copy of the input backs every header name and value.
	s := string(data[skip:])
	p := parser{s: s, base: skip, maxHeaders: maxHeaders}
	return p.parse()
}

type parser struct {
	s          string
	base       int // offset of s within the caller's input, for errors
	maxHeaders int
}

// line returns the line starting at i without its line ending, and the
// index of the next line. ok is false when no line ending follows.
func (p *parser) line(i int) (line string, next int, ok bool) {
	j := strings.IndexByte(p.s[i:], '\n')
	if j < 0 {
		return p.s[i:], len(p.s), false
	}
	end := i + j
	next = end + 1
	if end > i && p.s[end-1] == '\r' {
		end--
	}
	return p.s[i:end], next, true
}

func (p *parser) err(what string, off int, format string, args ...any) *ParseError {
	return parseErr(what, p.base+off, format, args...)
}

func (p *parser) parse() (*Message, error) {
	if p.s == "" {
		return nil, p.err("message", 0, "empty message")
	}
	start, i, ok := p.line(0)
	if !ok {
		return nil, p.err("message", len(p.s), "no end of start line")
	}
	m := &Message{}
	if err := p.startLine(m, start); err != nil {
		return nil, err
	}
	// Count lines to size the header slice once.
	hdrEnd := strings.Index(p.s[i:], "\n\r\n")
	if hdrEnd < 0 {
		hdrEnd = strings.Index(p.s[i:], "\n\n")
	}
	n := 8
	if hdrEnd >= 0 {
		n = strings.Count(p.s[i:i+hdrEnd+1], "\n")
	}
	if n > p.maxHeaders {
		n = p.maxHeaders
	}
	m.headers = make([]Header, 0, n)

	for {
		if i >= len(p.s) {
			return nil, p.err("message", i, "no empty line after headers")
		}
		lineStart := i
		line, next, ok := p.line(i)
		if !ok {
			return nil, p.err("message", i, "no empty line after headers")
		}
		if line == "" {
			i = next
			break
		}
		if isWS(line[0]) {
			return nil, p.err("header", lineStart, "continuation line without a header")
		}
		// Join folded continuation lines (RFC 3261 §7.3.1).
		value, folded := "", false
		for next < len(p.s) && isWS(p.s[next]) {
			cont, after, ok := p.line(next)
			if !ok {
				return nil, p.err("message", next, "no empty line after headers")
			}
			if !folded {
				value = line
				folded = true
			}
			if t := trimWS(cont); t != "" {
				value = trimRightWS(value) + " " + t
			}
			next = after
		}
		if !folded {
			value = line
		}
		colon := strings.IndexByte(value, ':')
		if colon < 0 {
			return nil, p.err("header", lineStart, "missing colon in %q", clip(line))
		}
		name := trimRightWS(value[:colon])
		if !isTokenString(name) {
			return nil, p.err("header", lineStart, "invalid header name %q", clip(name))
		}
		if len(m.headers) >= p.maxHeaders {
			return nil, &ParseError{What: "message", Offset: p.base + lineStart,
				Msg: "more than " + strconv.Itoa(p.maxHeaders) + " headers", Err: ErrTooLarge}
		}
		// NUL may appear escaped in a quoted-string (RFC 4475 §3.1.1.2), so
		// values are not checked here; typed parsers check their syntax.
		v := trimWS(value[colon+1:])
		m.headers = append(m.headers, Header{Name: CanonicalName(name), Value: v})
		i = next
	}

	body := p.s[i:]
	length := -1
	for _, h := range m.headers {
		if h.Name != HdrContentLength {
			continue
		}
		n, err := strconv.Atoi(h.Value)
		if err != nil || n < 0 {
			return nil, p.err("header Content-Length", i, "invalid value %q", clip(h.Value))
		}
		if length >= 0 && n != length {
			return nil, p.err("header Content-Length", i, "conflicting values %d and %d", length, n)
		}
		length = n
	}
	if length >= 0 {
		if length > len(body) {
			return nil, &ParseError{What: "body", Offset: p.base + i,
				Msg: "Content-Length " + strconv.Itoa(length) + " exceeds the " +
					strconv.Itoa(len(body)) + " bytes present", Err: ErrIncomplete}
		}
		body = body[:length]
	}
	if body != "" {
		m.Body = []byte(body)
	}
	return m, nil
}

func trimRightWS(s string) string {
	j := len(s)
	for j > 0 && isWS(s[j-1]) {
		j--
	}
	return s[:j]
}

func (p *parser) startLine(m *Message, line string) error {
	const what = "start line"
	if strings.HasPrefix(line, "SIP/") || strings.HasPrefix(line, "sip/") {
		// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
		proto, rest, ok := strings.Cut(line, " ")
		if !ok || !validVersion(proto) {
			return p.err(what, 0, "malformed status line %q", clip(line))
		}
		code, reason, _ := strings.Cut(rest, " ")
		if len(code) != 3 {
			return p.err(what, len(proto)+1, "invalid status code %q", clip(code))
		}
		n, err := strconv.Atoi(code)
		if err != nil || n < 100 || n > 699 {
			return p.err(what, len(proto)+1, "invalid status code %q", clip(code))
		}
		for i := 0; i < len(reason); i++ {
			if c := reason[i]; c < ' ' && c != '\t' || c == 0x7f {
				return p.err(what, len(proto)+5+i, "control character in reason phrase")
			}
		}
		m.Proto, m.StatusCode, m.Reason = proto, n, reason
		return nil
	}
	// Request-Line = Method SP Request-URI SP SIP-Version
	sp1 := strings.IndexByte(line, ' ')
	sp2 := strings.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1 {
		return p.err(what, 0, "malformed request line %q", clip(line))
	}
	method, uri, proto := line[:sp1], line[sp1+1:sp2], line[sp2+1:]
	if !isTokenString(method) {
		return p.err(what, 0, "invalid method %q", clip(method))
	}
	if !validVersion(proto) {
		return p.err(what, sp2+1, "invalid SIP version %q", clip(proto))
	}
	if uri == "" || strings.ContainsAny(uri, " \t") {
		return p.err(what, sp1+1, "whitespace in Request-URI %q", clip(uri))
	}
	if err := m.RequestURI.parse(uri); err != nil {
		if pe, ok := err.(*ParseError); ok && pe.Offset >= 0 {
			pe.Offset += p.base + sp1 + 1
		}
		return err
	}
	m.Method, m.Proto = method, proto
	return nil
}

// validVersion accepts "SIP/" 1*DIGIT "." 1*DIGIT, case-insensitively; a
// version other than 2.0 parses (the UA answers it with 505).
func validVersion(v string) bool {
	if len(v) < 7 || !strings.EqualFold(v[:4], "SIP/") {
		return false
	}
	major, minor, ok := strings.Cut(v[4:], ".")
	return ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

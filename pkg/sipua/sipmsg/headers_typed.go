package sipmsg

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxCSeq is the largest CSeq number RFC 3261 §8.1.1.5 allows (2^31-1).
const MaxCSeq = 1<<31 - 1

// CSeq is the value of the CSeq header.
type CSeq struct {
	Seq    uint32
	Method string
}

// String returns "Seq Method".
func (c CSeq) String() string { return strconv.FormatUint(uint64(c.Seq), 10) + " " + c.Method }

// ParseCSeq parses a CSeq value.
func ParseCSeq(s string) (CSeq, error) {
	const what = "header CSeq"
	num, method, ok := strings.Cut(trimWS(s), " ")
	if !ok {
		num, method, ok = strings.Cut(trimWS(s), "\t")
	}
	method = trimWS(method)
	if !ok || !isTokenString(method) {
		return CSeq{}, parseErr(what, 0, "malformed value %q", clip(s))
	}
	n, err := parseDigits(num, MaxCSeq)
	if err != nil {
		return CSeq{}, parseErr(what, 0, "sequence number %q: %v", clip(num), err)
	}
	return CSeq{Seq: uint32(n), Method: method}, nil
}

// parseDigits parses 1*DIGIT no larger than max.
func parseDigits(s string, max uint64) (uint64, error) {
	if !isDigits(s) {
		return 0, fmt.Errorf("not a number")
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, fmt.Errorf("larger than %d", max)
	}
	return n, nil
}

// required returns the first value of a header that must be present.
func (m *Message) required(name string) (string, error) {
	v := m.Get(name)
	if v == "" {
		return "", fmt.Errorf("%w: %s", ErrNoHeader, name)
	}
	return v, nil
}

// CSeq parses the CSeq header.
func (m *Message) CSeq() (CSeq, error) {
	v, err := m.required(HdrCSeq)
	if err != nil {
		return CSeq{}, err
	}
	return ParseCSeq(v)
}

// CallID returns the Call-ID header value.
func (m *Message) CallID() string { return m.Get(HdrCallID) }

// MaxForwards parses Max-Forwards (0..255).
func (m *Message) MaxForwards() (int, error) {
	v, err := m.required(HdrMaxForwards)
	if err != nil {
		return 0, err
	}
	n, err := parseDigits(v, 255)
	if err != nil {
		return 0, parseErr("header Max-Forwards", 0, "%q: %v", clip(v), err)
	}
	return int(n), nil
}

// MaxDelta is the largest delta-seconds value (2^32-1).
const MaxDelta = math.MaxUint32

// parseDelta parses delta-seconds; values beyond 2^32-1 are taken as
// 2^32-1, as RFC 3261 §20.19 says for Expires.
func parseDelta(s string) (uint32, bool) {
	s = trimWS(s)
	if !isDigits(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > MaxDelta {
		return MaxDelta, true
	}
	return uint32(n), true
}

func (m *Message) delta(name string) (uint32, error) {
	v, err := m.required(name)
	if err != nil {
		return 0, err
	}
	// Parameters (as in Min-SE: 90;x=y) are ignored here.
	num, _, _ := strings.Cut(v, ";")
	n, ok := parseDelta(num)
	if !ok {
		return 0, parseErr("header "+name, 0, "invalid delta-seconds %q", clip(v))
	}
	return n, nil
}

// Expires parses the Expires header.
func (m *Message) Expires() (uint32, error) { return m.delta(HdrExpires) }

// MinExpires parses the Min-Expires header (423 responses).
func (m *Message) MinExpires() (uint32, error) { return m.delta(HdrMinExpires) }

// MinSE parses the Min-SE header (RFC 4028).
func (m *Message) MinSE() (uint32, error) { return m.delta(HdrMinSE) }

// ContentLength parses Content-Length; a message without one has -1.
func (m *Message) ContentLength() (int, error) {
	v := m.Get(HdrContentLength)
	if v == "" {
		return -1, nil
	}
	n, err := parseDigits(v, math.MaxInt32)
	if err != nil {
		return 0, parseErr("header Content-Length", 0, "%q: %v", clip(v), err)
	}
	return int(n), nil
}

// MediaType is a Content-Type or Accept value: type/subtype;params.
type MediaType struct {
	Type    string
	Subtype string
	Params  Params
}

// ParseMediaType parses "type/subtype *(;param)".
func ParseMediaType(s string) (MediaType, error) {
	const what = "media type"
	s = trimWS(s)
	semi := strings.IndexByte(s, ';')
	if semi < 0 {
		semi = len(s)
	}
	t, sub, ok := strings.Cut(s[:semi], "/")
	t, sub = trimWS(t), trimWS(sub)
	if !ok || !isTokenString(t) || !isTokenString(sub) {
		return MediaType{}, parseErr(what, 0, "malformed media type %q", clip(s))
	}
	params, err := parseHeaderParams(s[semi:], what)
	if err != nil {
		return MediaType{}, err
	}
	return MediaType{Type: lowerASCII(t), Subtype: lowerASCII(sub), Params: params}, nil
}

// String returns "type/subtype;params".
func (t MediaType) String() string {
	b := make([]byte, 0, 32)
	b = appendEscaped(b, t.Type, clToken)
	b = append(b, '/')
	b = appendEscaped(b, t.Subtype, clToken)
	return string(t.Params.appendHeaderParams(b))
}

// Is reports whether the media type is typ/sub (case-insensitive).
func (t MediaType) Is(typ, sub string) bool {
	return strings.EqualFold(t.Type, typ) && strings.EqualFold(t.Subtype, sub)
}

// ContentType parses the Content-Type header.
func (m *Message) ContentType() (MediaType, error) {
	v, err := m.required(HdrContentType)
	if err != nil {
		return MediaType{}, err
	}
	return ParseMediaType(v)
}

// Tokens returns the values of a header holding a list of tokens (Allow,
// Supported, Require, Unsupported, Proxy-Require, Allow-Events).
func (m *Message) Tokens(name string) []string { return m.Values(name) }

// HasToken reports whether a token list header holds tok
// (case-insensitive), as in m.HasToken("Supported", "outbound").
func (m *Message) HasToken(name, tok string) bool {
	for _, v := range m.Values(name) {
		if strings.EqualFold(v, tok) {
			return true
		}
	}
	return false
}

// ValueParams is a header value made of a leading token or number and
// parameters: Event, Subscription-State, Session-Expires, Retry-After,
// Reason, Content-Disposition.
type ValueParams struct {
	Value  string
	Params Params
	// Comment holds a Retry-After comment, without its parentheses.
	Comment string
}

// ParseValueParams parses "value *(;param)".
func ParseValueParams(s string) (ValueParams, error) {
	const what = "header value"
	s = trimWS(s)
	i := 0
	for i < len(s) && s[i] != ';' && !isWS(s[i]) && s[i] != '(' {
		i++
	}
	vp := ValueParams{Value: s[:i]}
	if vp.Value == "" {
		return ValueParams{}, parseErr(what, 0, "empty value")
	}
	rest := trimWS(s[i:])
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return ValueParams{}, parseErr(what, i, "unterminated comment")
		}
		vp.Comment = rest[1:end]
		rest = rest[end+1:]
	}
	var err error
	vp.Params, err = parseHeaderParams(rest, what)
	if err != nil {
		return ValueParams{}, err
	}
	return vp, nil
}

// Param returns a parameter value.
func (v ValueParams) Param(name string) (string, bool) { return v.Params.Get(name) }

// String returns "value;params".
func (v ValueParams) String() string {
	b := appendRaw(make([]byte, 0, 32), v.Value)
	if v.Comment != "" {
		b = append(b, " ("...)
		b = appendRaw(b, v.Comment)
		b = append(b, ')')
	}
	return string(v.Params.appendHeaderParams(b))
}

func (m *Message) valueParams(name string) (ValueParams, error) {
	v, err := m.required(name)
	if err != nil {
		return ValueParams{}, err
	}
	vp, err := ParseValueParams(v)
	if err != nil {
		return ValueParams{}, fmt.Errorf("header %s: %w", name, err)
	}
	return vp, nil
}

// Event parses the Event header: Value is the event package ("dialog",
// "presence", "refer"), Params holds "id".
func (m *Message) Event() (ValueParams, error) { return m.valueParams(HdrEvent) }

// SubscriptionState parses Subscription-State: Value is "active",
// "pending" or "terminated"; Params hold expires, reason, retry-after.
func (m *Message) SubscriptionState() (ValueParams, error) {
	return m.valueParams(HdrSubscriptionState)
}

// SessionExpires parses Session-Expires (RFC 4028): Value is the interval,
// Params holds "refresher".
func (m *Message) SessionExpires() (ValueParams, error) {
	return m.valueParams(HdrSessionExpires)
}

// RetryAfter parses Retry-After: Value is delta-seconds, Comment the
// optional comment, Params holds "duration".
func (m *Message) RetryAfter() (ValueParams, error) { return m.valueParams(HdrRetryAfter) }

// Reasons parses every Reason value (RFC 3326): Value is the protocol
// ("SIP", "Q.850"), Params hold "cause" and "text".
func (m *Message) Reasons() ([]ValueParams, error) {
	vals := m.Values(HdrReason)
	out := make([]ValueParams, 0, len(vals))
	for _, v := range vals {
		vp, err := ParseValueParams(v)
		if err != nil {
			return nil, fmt.Errorf("header Reason: %w", err)
		}
		out = append(out, vp)
	}
	return out, nil
}

// UserAgent returns the User-Agent header value.
func (m *Message) UserAgent() string { return m.Get(HdrUserAgent) }

// Replaces is the value of the Replaces header (RFC 3891).
type Replaces struct {
	CallID    string
	ToTag     string
	FromTag   string
	EarlyOnly bool
}

// ParseReplaces parses "call-id;to-tag=x;from-tag=y[;early-only]".
func ParseReplaces(s string) (Replaces, error) {
	const what = "header Replaces"
	s = trimWS(s)
	semi := strings.IndexByte(s, ';')
	if semi <= 0 {
		return Replaces{}, parseErr(what, 0, "malformed value %q", clip(s))
	}
	params, err := parseHeaderParams(s[semi:], what)
	if err != nil {
		return Replaces{}, err
	}
	r := Replaces{CallID: trimWS(s[:semi]), EarlyOnly: params.Has("early-only")}
	var ok1, ok2 bool
	r.ToTag, ok1 = params.Get("to-tag")
	r.FromTag, ok2 = params.Get("from-tag")
	if !ok1 || !ok2 {
		return Replaces{}, parseErr(what, 0, "to-tag and from-tag are required")
	}
	return r, nil
}

// String returns the header value.
func (r Replaces) String() string {
	b := appendRaw(make([]byte, 0, 64), r.CallID)
	p := Params{{Name: "to-tag", Value: r.ToTag}, {Name: "from-tag", Value: r.FromTag}}
	if r.EarlyOnly {
		p = append(p, Param{Name: "early-only"})
	}
	return string(p.appendHeaderParams(b))
}

// Replaces parses the Replaces header.
func (m *Message) Replaces() (Replaces, error) {
	v, err := m.required(HdrReplaces)
	if err != nil {
		return Replaces{}, err
	}
	return ParseReplaces(v)
}

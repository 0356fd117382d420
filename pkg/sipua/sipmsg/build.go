package sipmsg

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// RandomToken returns n random characters from [a-z0-9], from crypto/rand.
func RandomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	for i := range b {
		b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
	}
	return string(b)
}

// NewBranch returns a fresh RFC 3261 branch: "z9hG4bK" and 16 random
// characters.
func NewBranch() string { return BranchMagic + RandomToken(16) }

// NewTag returns a fresh From/To tag.
func NewTag() string { return RandomToken(12) }

// NewCallID returns a fresh Call-ID (a random UUID).
func NewCallID() string { return uuid.NewString() }

// RequestSpec describes a request for BuildRequest.
type RequestSpec struct {
	Method string
	URI    URI
	// Via is the sent-by of this UA; a branch is generated when it has
	// none. Transport defaults to "WSS".
	Via  Via
	From Address
	To   Address
	// CallID is generated when empty.
	CallID string
	// CSeq defaults to 1.
	CSeq uint32
	// MaxForwards defaults to 70.
	MaxForwards int
	// Contact, when set, is written as the Contact header.
	Contact *Address
	// Routes are written as Route headers, in order.
	Routes []Address
	// ContentType and Body form the body.
	ContentType string
	Body        []byte
}

// BuildRequest builds a request from spec: a From tag is generated when
// From has none, and everything an application supplied is checked, so a
// value carrying CR or LF fails with ErrUnsafeValue.
func BuildRequest(spec RequestSpec) (*Message, error) {
	if !isTokenString(spec.Method) {
		return nil, fmt.Errorf("%w: method %q", ErrUnsafeValue, clip(spec.Method))
	}
	if spec.URI.Scheme == "" {
		return nil, fmt.Errorf("sipmsg: build %s: empty Request-URI", spec.Method)
	}
	for _, a := range append([]*Address{&spec.From, &spec.To, spec.Contact}, addrPtrs(spec.Routes)...) {
		if a == nil {
			continue
		}
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("sipmsg: build %s: %w", spec.Method, err)
		}
	}
	if err := spec.Via.Params.validate(); err != nil {
		return nil, fmt.Errorf("sipmsg: build %s: Via: %w", spec.Method, err)
	}
	m := &Message{Method: spec.Method, RequestURI: spec.URI.Clone(), Proto: Version}
	m.headers = make([]Header, 0, 12)

	via := spec.Via
	via.Params = via.Params.Clone()
	if via.Transport == "" {
		via.Transport = "WSS"
	}
	if via.Branch() == "" {
		via.Params = append(Params{{Name: "branch", Value: NewBranch()}}, via.Params...)
	}
	from := spec.From.Clone()
	if from.Tag() == "" {
		from.Params.Set("tag", NewTag())
	}
	callID := spec.CallID
	if callID == "" {
		callID = NewCallID()
	}
	cseq := spec.CSeq
	if cseq == 0 {
		cseq = 1
	}
	maxf := spec.MaxForwards
	if maxf == 0 {
		maxf = 70
	}
	add := func(name, value string) error { return m.Add(name, value) }
	errs := []error{add(HdrVia, via.String())}
	for i := range spec.Routes {
		errs = append(errs, add(HdrRoute, spec.Routes[i].String()))
	}
	errs = append(errs,
		add(HdrMaxForwards, strconv.Itoa(maxf)),
		add(HdrTo, spec.To.String()),
		add(HdrFrom, from.String()),
		add(HdrCallID, callID),
		add(HdrCSeq, CSeq{Seq: cseq, Method: spec.Method}.String()),
	)
	if spec.Contact != nil {
		errs = append(errs, add(HdrContact, spec.Contact.String()))
	}
	if len(spec.Body) > 0 || spec.ContentType != "" {
		if spec.ContentType != "" {
			errs = append(errs, add(HdrContentType, spec.ContentType))
		}
		m.Body = append([]byte(nil), spec.Body...)
	}
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("sipmsg: build %s: %w", spec.Method, err)
		}
	}
	return m, nil
}

func addrPtrs(a []Address) []*Address {
	out := make([]*Address, len(a))
	for i := range a {
		out[i] = &a[i]
	}
	return out
}

// NewResponse builds a response to req (RFC 3261 §8.2.6): Via lines,
// From, To, Call-ID and CSeq are copied; Record-Route too for responses
// that can establish a dialog. A To tag is generated when the request's To
// has none and the status is above 100 (replace it with SetToTag to reuse
// a dialog's tag). An empty reason takes the standard phrase.
func NewResponse(req *Message, code int, reason string) (*Message, error) {
	if code < 100 || code > 699 {
		return nil, fmt.Errorf("sipmsg: response status %d out of range", code)
	}
	if hasUnsafe(reason) {
		return nil, fmt.Errorf("%w: reason phrase contains CR, LF or NUL", ErrUnsafeValue)
	}
	if reason == "" {
		reason = StatusText(code)
	}
	m := &Message{StatusCode: code, Reason: reason, Proto: Version}
	m.headers = make([]Header, 0, 8)
	copyRR := code > 100 && code < 300 && createsDialog(req.Method)
	for _, h := range req.headers {
		switch h.Name {
		case HdrVia, HdrFrom, HdrCallID, HdrCSeq:
			m.headers = append(m.headers, h)
		case HdrRecordRoute:
			if copyRR {
				m.headers = append(m.headers, h)
			}
		case HdrTo:
			if code > 100 && toTagOf(h.Value) == "" {
				h.Value += ";tag=" + NewTag()
			}
			m.headers = append(m.headers, h)
		}
	}
	return m, nil
}

func toTagOf(v string) string {
	a, err := ParseAddress(v)
	if err != nil {
		return ""
	}
	return a.Tag()
}

func createsDialog(method string) bool {
	switch method {
	case INVITE, SUBSCRIBE, REFER, NOTIFY:
		return true
	}
	return false
}

// SetToTag sets the tag of the To header (a UAS reuses one tag for every
// response of a dialog).
func (m *Message) SetToTag(tag string) error {
	to, err := m.To()
	if err != nil {
		return err
	}
	to.Params.Set("tag", tag)
	if err := to.Validate(); err != nil {
		return err
	}
	return m.Set(HdrTo, to.String())
}

// ParseTarget turns what a user dials into a URI: "sip:" and "sips:" URIs
// are parsed as given, a "tel:" URI or a bare extension or number becomes
// sip:number@domain. Anything that is not a valid target (spaces inside a
// number, CR or LF, an empty string) is refused before anything is sent.
func ParseTarget(target, domain string) (URI, error) {
	t := strings.TrimSpace(target)
	if t == "" {
		return URI{}, fmt.Errorf("sipmsg: empty dial target")
	}
	if hasUnsafe(target) {
		return URI{}, fmt.Errorf("%w: dial target contains CR, LF or NUL", ErrUnsafeValue)
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "sip:") || strings.HasPrefix(lower, "sips:") {
		u, err := ParseURI(t)
		if err != nil {
			return URI{}, fmt.Errorf("sipmsg: dial target %q: %w", clip(t), err)
		}
		return u, nil
	}
	if strings.HasPrefix(lower, "tel:") {
		t = t[4:]
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
	}
	user, host, hasHost := strings.Cut(t, "@")
	if !hasHost {
		host = domain
	}
	// Visual separators people type in numbers are dropped.
	user = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, user)
	if user == "" {
		return URI{}, fmt.Errorf("sipmsg: dial target %q has no user part", clip(target))
	}
	for i := 0; i < len(user); i++ {
		if charClass[user[i]]&clUser == 0 || user[i] == ';' || user[i] == '?' {
			return URI{}, fmt.Errorf("sipmsg: dial target %q: invalid character %q", clip(target), user[i])
		}
	}
	u, err := ParseURI("sip:" + user + "@" + host)
	if err != nil {
		return URI{}, fmt.Errorf("sipmsg: dial target %q: %w", clip(target), err)
	}
	return u, nil
}

// StatusText returns the standard reason phrase of a status code.
func StatusText(code int) string {
	switch code {
	case 100:
		return "Trying"
	case 180:
		return "Ringing"
	case 181:
		return "Call Is Being Forwarded"
	case 182:
		return "Queued"
	case 183:
		return "Session Progress"
	case 200:
		return "OK"
	case 202:
		return "Accepted"
	case 204:
		return "No Notification"
	case 300:
		return "Multiple Choices"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Moved Temporarily"
	case 305:
		return "Use Proxy"
	case 380:
		return "Alternative Service"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 402:
		return "Payment Required"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 406:
		return "Not Acceptable"
	case 407:
		return "Proxy Authentication Required"
	case 408:
		return "Request Timeout"
	case 410:
		return "Gone"
	case 413:
		return "Request Entity Too Large"
	case 414:
		return "Request-URI Too Long"
	case 415:
		return "Unsupported Media Type"
	case 416:
		return "Unsupported URI Scheme"
	case 420:
		return "Bad Extension"
	case 421:
		return "Extension Required"
	case 422:
		return "Session Interval Too Small"
	case 423:
		return "Interval Too Brief"
	case 480:
		return "Temporarily Unavailable"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 482:
		return "Loop Detected"
	case 483:
		return "Too Many Hops"
	case 484:
		return "Address Incomplete"
	case 485:
		return "Ambiguous"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 489:
		return "Bad Event"
	case 491:
		return "Request Pending"
	case 493:
		return "Undecipherable"
	case 500:
		return "Server Internal Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Server Time-out"
	case 505:
		return "Version Not Supported"
	case 513:
		return "Message Too Large"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	case 604:
		return "Does Not Exist Anywhere"
	case 606:
		return "Not Acceptable"
	}
	switch code / 100 {
	case 1:
		return "Progress"
	case 2:
		return "OK"
	case 3:
		return "Redirection"
	case 4:
		return "Client Error"
	case 5:
		return "Server Error"
	default:
		return "Global Failure"
	}
}

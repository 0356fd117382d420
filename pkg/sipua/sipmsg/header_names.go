package sipmsg

import "strings"

// Canonical names of the headers this package knows.
const (
	HdrAccept             = "Accept"
	HdrAcceptEncoding     = "Accept-Encoding"
	HdrAcceptLanguage     = "Accept-Language"
	HdrAlertInfo          = "Alert-Info"
	HdrAllow              = "Allow"
	HdrAllowEvents        = "Allow-Events"
	HdrAuthorization      = "Authorization"
	HdrCallID             = "Call-ID"
	HdrCallInfo           = "Call-Info"
	HdrContact            = "Contact"
	HdrContentDisposition = "Content-Disposition"
	HdrContentEncoding    = "Content-Encoding"
	HdrContentLength      = "Content-Length"
	HdrContentType        = "Content-Type"
	HdrCSeq               = "CSeq"
	HdrDate               = "Date"
	HdrErrorInfo          = "Error-Info"
	HdrEvent              = "Event"
	HdrExpires            = "Expires"
	HdrFrom               = "From"
	HdrIdentity           = "Identity"
	HdrInReplyTo          = "In-Reply-To"
	HdrMaxForwards        = "Max-Forwards"
	HdrMinExpires         = "Min-Expires"
	HdrMinSE              = "Min-SE"
	HdrOrganization       = "Organization"
	HdrPath               = "Path"
	HdrPriority           = "Priority"
	HdrProxyAuthenticate  = "Proxy-Authenticate"
	HdrProxyAuthorization = "Proxy-Authorization"
	HdrProxyRequire       = "Proxy-Require"
	HdrReason             = "Reason"
	HdrRecordRoute        = "Record-Route"
	HdrReferTo            = "Refer-To"
	HdrReferredBy         = "Referred-By"
	HdrReplaces           = "Replaces"
	HdrReplyTo            = "Reply-To"
	HdrRequire            = "Require"
	HdrRetryAfter         = "Retry-After"
	HdrRoute              = "Route"
	HdrServer             = "Server"
	HdrServiceRoute       = "Service-Route"
	HdrSessionExpires     = "Session-Expires"
	HdrSubject            = "Subject"
	HdrSubscriptionState  = "Subscription-State"
	HdrSupported          = "Supported"
	HdrTimestamp          = "Timestamp"
	HdrTo                 = "To"
	HdrUnsupported        = "Unsupported"
	HdrUserAgent          = "User-Agent"
	HdrVia                = "Via"
	HdrWarning            = "Warning"
	HdrWWWAuthenticate    = "WWW-Authenticate"
	HdrAcceptContact      = "Accept-Contact"
	HdrRejectContact      = "Reject-Contact"
	HdrRequestDisposition = "Request-Disposition"
)

// knownHeaders lists the canonical names; whether a header's value is a
// comma-separated list (RFC 3261 §7.3.1: lines of the same name may be
// combined) decides how Values splits it.
var knownHeaders = [...]struct {
	name string
	list bool
}{
	{HdrAccept, true}, {HdrAcceptEncoding, true}, {HdrAcceptLanguage, true},
	{HdrAlertInfo, true}, {HdrAllow, true}, {HdrAllowEvents, true},
	{HdrAuthorization, false}, {HdrCallID, false}, {HdrCallInfo, true},
	{HdrContact, true}, {HdrContentDisposition, false}, {HdrContentEncoding, true},
	{HdrContentLength, false}, {HdrContentType, false}, {HdrCSeq, false},
	{HdrDate, false}, {HdrErrorInfo, true}, {HdrEvent, false}, {HdrExpires, false},
	{HdrFrom, false}, {HdrIdentity, false}, {HdrInReplyTo, true},
	{HdrMaxForwards, false}, {HdrMinExpires, false}, {HdrMinSE, false},
	{HdrOrganization, false}, {HdrPath, true}, {HdrPriority, false},
	{HdrProxyAuthenticate, false}, {HdrProxyAuthorization, false},
	{HdrProxyRequire, true}, {HdrReason, true}, {HdrRecordRoute, true},
	{HdrReferTo, false}, {HdrReferredBy, false}, {HdrReplaces, false},
	{HdrReplyTo, false}, {HdrRequire, true}, {HdrRetryAfter, false},
	{HdrRoute, true}, {HdrServer, false}, {HdrServiceRoute, true},
	{HdrSessionExpires, false}, {HdrSubject, false}, {HdrSubscriptionState, false},
	{HdrSupported, true}, {HdrTimestamp, false}, {HdrTo, false},
	{HdrUnsupported, true}, {HdrUserAgent, false}, {HdrVia, true},
	{HdrWarning, true}, {HdrWWWAuthenticate, false},
	{HdrAcceptContact, true}, {HdrRejectContact, true}, {HdrRequestDisposition, true},
}

// compactForms maps the single-letter forms of RFC 3261 §7.3.3 and later
// RFCs to canonical names.
func compactForm(c byte) string {
	switch c | 0x20 {
	case 'i':
		return HdrCallID
	case 'm':
		return HdrContact
	case 'f':
		return HdrFrom
	case 't':
		return HdrTo
	case 'v':
		return HdrVia
	case 'l':
		return HdrContentLength
	case 'c':
		return HdrContentType
	case 'k':
		return HdrSupported
	case 'e':
		return HdrContentEncoding
	case 's':
		return HdrSubject
	case 'o':
		return HdrEvent
	case 'u':
		return HdrAllowEvents
	case 'r':
		return HdrReferTo
	case 'b':
		return HdrReferredBy
	case 'x':
		return HdrSessionExpires
	case 'y':
		return HdrIdentity
	case 'a':
		return HdrAcceptContact
	case 'j':
		return HdrRejectContact
	case 'd':
		return HdrRequestDisposition
	}
	return ""
}

// headerIndex maps lower-case known names to their knownHeaders entry. It
// is built once and only read.
var headerIndex = func() map[string]int {
	m := make(map[string]int, len(knownHeaders))
	for i, h := range knownHeaders {
		m[strings.ToLower(h.name)] = i
	}
	return m
}()

// maxKnownName bounds the names worth looking up ("Request-Disposition").
const maxKnownName = 24

func lookupHeader(name string) (int, bool) {
	if len(name) > maxKnownName {
		return 0, false
	}
	var buf [maxKnownName]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	i, ok := headerIndex[string(buf[:len(name)])] // no allocation for the key
	return i, ok
}

// CanonicalName returns the canonical spelling of a header name: compact
// forms are expanded and known names get their usual capitalization.
// Unknown names are returned as given.
func CanonicalName(name string) string {
	if len(name) == 1 {
		if c := compactForm(name[0]); c != "" {
			return c
		}
		return name
	}
	if i, ok := lookupHeader(name); ok {
		return knownHeaders[i].name
	}
	return name
}

// isListHeader reports whether the canonical name's values are
// comma-separated lists.
func isListHeader(canonical string) bool {
	i, ok := lookupHeader(canonical)
	return ok && knownHeaders[i].list
}

package sipua

import (
	"errors"
	"strconv"
)

// Causes of failures and endings, as JsSIP names them: the JavaScript API
// reports these strings and applications match on them.
const (
	CauseConnectionError     = "Connection Error"
	CauseRequestTimeout      = "Request Timeout"
	CauseSIPFailureCode      = "SIP Failure Code"
	CauseInternalError       = "Internal Error"
	CauseBusy                = "Busy"
	CauseRejected            = "Rejected"
	CauseRedirected          = "Redirected"
	CauseUnavailable         = "Unavailable"
	CauseNotFound            = "Not Found"
	CauseAddressIncomplete   = "Address Incomplete"
	CauseIncompatibleSDP     = "Incompatible SDP"
	CauseMissingSDP          = "Missing SDP"
	CauseAuthenticationError = "Authentication Error"
	CauseBye                 = "BYE"
	CauseCanceled            = "Canceled"
	CauseNoAnswer            = "No Answer"
	CauseExpires             = "Expires"
	CauseNoACK               = "No ACK"
	CauseDialogError         = "Dialog Error"
	CauseUserDeniedMedia     = "User Denied Media Access"
	CauseBadMediaDescription = "Bad Media Description"
	CauseRTPTimeout          = "RTP Timeout"
	CauseTerminated          = "Terminated"
)

// CauseForStatus maps a final failure status to its JsSIP cause.
func CauseForStatus(code int) string {
	switch {
	case code >= 300 && code < 400:
		return CauseRedirected
	}
	switch code {
	case 401, 407:
		return CauseAuthenticationError
	case 403, 603:
		return CauseRejected
	case 404, 604:
		return CauseNotFound
	case 408:
		return CauseRequestTimeout
	case 410, 480:
		return CauseUnavailable
	case 484, 485:
		return CauseAddressIncomplete
	case 486, 600:
		return CauseBusy
	case 487:
		return CauseCanceled
	case 488, 606:
		return CauseIncompatibleSDP
	}
	return CauseSIPFailureCode
}

// Named errors, for errors.Is.
var (
	// ErrStopped reports use of a stopped UA.
	ErrStopped = errors.New("sipua: user agent stopped")
	// ErrNotConnected reports a request while the transport is down.
	ErrNotConnected = errors.New("sipua: not connected")
	// ErrTimeout reports a transaction that got no final response in time.
	ErrTimeout = errors.New("sipua: request timed out")
	// ErrTransportLost reports a transaction cut short by the loss of the
	// connection.
	ErrTransportLost = errors.New("sipua: connection lost")
)

// FailedError reports a request that failed: with a final response (Code
// is its status) or without one (Code is 0 and Err says why).
type FailedError struct {
	Method string
	Code   int
	Reason string
	// Cause is the JsSIP cause string.
	Cause string
	Err   error
}

func (e *FailedError) Error() string {
	if e.Code != 0 {
		return "sipua: " + e.Method + " failed: " + strconv.Itoa(e.Code) + " " + e.Reason + " (" + e.Cause + ")"
	}
	msg := "sipua: " + e.Method + " failed: " + e.Cause
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *FailedError) Unwrap() error { return e.Err }

package dialoginfo

import (
	"errors"
	"time"
)

// Namespace is the XML namespace of RFC 4235 dialog-info documents.
const Namespace = "urn:ietf:params:xml:ns:dialog-info"

// ContentType is the MIME type of RFC 4235 dialog-info documents.
const ContentType = "application/dialog-info+xml"

// Limits applied by [Parse]. Exceeding any of them yields [ErrTooLarge].
const (
	// MaxBodySize is the largest body, in bytes, that Parse accepts.
	MaxBodySize = 64 << 10
	// MaxDialogs is the largest number of dialog elements one document
	// may hold, and the most dialogs a Tracker keeps.
	MaxDialogs = 256
	// MaxDepth is the deepest element nesting accepted; the root element
	// is at depth 1. Standard documents need at most 5 levels.
	MaxDepth = 32
)

// Errors returned by [Parse] and [StateOf]. Returned errors wrap one of
// these and can be tested with errors.Is; the message adds detail.
var (
	// ErrEmpty reports a body that is empty or holds only white space.
	// Notifiers send such NOTIFYs legitimately, e.g. while a subscription
	// is pending, so callers may want to treat it apart from other errors.
	ErrEmpty = errors.New("dialoginfo: empty body")
	// ErrTooLarge reports a body longer than MaxBodySize, a document with
	// more than MaxDialogs dialogs, or nesting deeper than MaxDepth.
	ErrTooLarge = errors.New("dialoginfo: document too large")
	// ErrMalformed reports a body that is not well-formed XML, or uses a
	// DOCTYPE or other declaration, which this package refuses.
	ErrMalformed = errors.New("dialoginfo: malformed document")
	// ErrNotDialogInfo reports a well-formed document whose root element
	// is not dialog-info in the RFC 4235 namespace or in no namespace.
	ErrNotDialogInfo = errors.New("dialoginfo: root element is not dialog-info")
	// ErrInvalidVersion reports a missing or non-numeric version attribute.
	ErrInvalidVersion = errors.New("dialoginfo: missing or invalid version")
	// ErrInvalidState reports a missing document state attribute, or one
	// that is neither "full" nor "partial".
	ErrInvalidState = errors.New("dialoginfo: missing or invalid document state")
)

// DocumentState says whether a document carries the complete dialog state
// of the entity or only the dialogs that changed.
type DocumentState int

const (
	// Full documents list every dialog of the entity and replace any
	// previously known state.
	Full DocumentState = iota + 1
	// Partial documents list only the dialogs that changed since the
	// previous document.
	Partial
)

// String returns "full", "partial", or "invalid" for other values.
func (s DocumentState) String() string {
	switch s {
	case Full:
		return "full"
	case Partial:
		return "partial"
	}
	return "invalid"
}

// DialogState is the state of one dialog, in lower case. Parse normalizes
// the text of the state element by trimming white space and lower-casing
// it; values outside the constants below are kept in that form.
type DialogState string

// Dialog states defined by RFC 4235 section 3.7.1.
const (
	Trying     DialogState = "trying"
	Proceeding DialogState = "proceeding"
	Early      DialogState = "early"
	Confirmed  DialogState = "confirmed"
	Terminated DialogState = "terminated"
)

// Direction tells which side created a dialog, from the point of view of
// the watched entity.
type Direction string

const (
	// Initiator marks a dialog the entity started: an outgoing call.
	Initiator Direction = "initiator"
	// Recipient marks a dialog started towards the entity: an incoming call.
	Recipient Direction = "recipient"
)

// Info is one decoded dialog-info document.
type Info struct {
	// Version orders the documents of one subscription; it grows by one
	// with every notification.
	Version uint64
	// State says whether the document is full or partial.
	State DocumentState
	// Entity is the URI of the watched resource, e.g. "sip:201@pbx".
	// It is empty when the notifier omitted it.
	Entity string
	// Dialogs are the dialogs in document order; nil when there are none.
	Dialogs []Dialog
}

// Dialog is one dialog element of a document.
type Dialog struct {
	// ID identifies the dialog within the subscription; partial
	// documents refer to dialogs by it. It is empty if the notifier
	// omitted it, and a Tracker then treats all such dialogs as one.
	ID string
	// CallID, LocalTag and RemoteTag identify the SIP dialog; notifiers
	// may omit them, e.g. before the dialog is established or for privacy.
	CallID    string
	LocalTag  string
	RemoteTag string
	// Direction is Initiator, Recipient, or empty when absent or
	// unrecognized.
	Direction Direction
	// State is the normalized dialog state; empty when the state element
	// is missing.
	State DialogState
	// Event is the lower-cased event attribute of the state element
	// (e.g. "rejected", "remote-bye"), empty when absent.
	Event string
	// Code is the code attribute of the state element (the SIP response
	// code that caused the transition), 0 when absent or not a positive
	// number.
	Code int
	// Duration is the time the dialog has existed, from the duration
	// element (whole seconds).
	Duration time.Duration
	// HasDuration tells whether Duration was present and valid.
	HasDuration bool
	// Local and Remote describe the two participants.
	Local  Participant
	Remote Participant
}

// Participant describes one side of a dialog.
type Participant struct {
	// Identity is the participant's URI, from the identity element.
	Identity string
	// Display is the display attribute of the identity element.
	Display string
	// Target is the uri attribute of the target element: the contact of
	// the participant's device.
	Target string
}

// ExtensionState is the presence of an extension as a busy lamp shows it.
type ExtensionState int

// Extension states. The zero value is Unknown.
const (
	// Unknown means the state cannot be told: no usable document yet, or
	// dialogs in states this package does not recognize.
	Unknown ExtensionState = iota
	// Available means the extension has no dialog in progress.
	Available
	// Ringing means a call to the extension is ringing and could be picked up.
	Ringing
	// Busy means the extension is in a call or placing one.
	Busy
)

// String returns "UNKNOWN", "AVAILABLE", "RINGING" or "BUSY". Values
// outside the defined constants also yield "UNKNOWN", so the result is
// always one of the four strings exposed to JavaScript.
func (s ExtensionState) String() string {
	switch s {
	case Available:
		return "AVAILABLE"
	case Ringing:
		return "RINGING"
	case Busy:
		return "BUSY"
	}
	return "UNKNOWN"
}

// ExtensionState reduces the document's dialogs to one state:
//
//   - any confirmed dialog makes the extension Busy;
//   - so does an outgoing (Initiator) dialog that is trying, proceeding or
//     early: the user is dialling out, and the lamp must show the phone in
//     use rather than a ringing call that another user could pick up;
//   - otherwise a trying, proceeding or early dialog that is incoming
//     (Recipient) or of unknown direction makes it Ringing;
//   - otherwise a dialog whose state is missing or unrecognized makes it
//     Unknown;
//   - otherwise, with no dialogs or only terminated ones, it is Available.
//
// For a partial document the result describes only the dialogs it lists;
// use a [Tracker] to follow a subscription. A nil Info yields Unknown.
func (info *Info) ExtensionState() ExtensionState {
	if info == nil {
		return Unknown
	}
	return reduce(info.Dialogs)
}

// reduce folds dialogs into the highest-ranked state they imply, ranked
// Available < Unknown < Ringing < Busy.
func reduce(dialogs []Dialog) ExtensionState {
	best := Available
	for i := range dialogs {
		s := dialogs[i].extensionState()
		if s == Busy {
			return Busy
		}
		if rank(s) > rank(best) {
			best = s
		}
	}
	return best
}

func rank(s ExtensionState) int {
	switch s {
	case Available:
		return 0
	case Ringing:
		return 2
	case Busy:
		return 3
	}
	return 1
}

// extensionState is what a single dialog says about the extension.
func (d *Dialog) extensionState() ExtensionState {
	switch d.State {
	case Confirmed:
		return Busy
	case Trying, Proceeding, Early:
		if d.Direction == Initiator {
			return Busy
		}
		return Ringing
	case Terminated:
		return Available
	}
	return Unknown
}

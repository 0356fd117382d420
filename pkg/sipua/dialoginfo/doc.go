// Package dialoginfo decodes RFC 4235 dialog state documents
// (content type application/dialog-info+xml), the NOTIFY bodies of the SIP
// "dialog" event package, and reduces them to a single presence state for
// the watched extension: available, ringing or busy. It is the building
// block of a busy-lamp-field (BLF) view.
//
// # Parsing
//
// [Parse] decodes one document into an [Info]. The root element must be
// dialog-info, either in the namespace [Namespace] (as a default namespace
// or through a prefix) or in no namespace at all; documents in any other
// namespace are rejected with [ErrNotDialogInfo]. Elements and attributes
// the package does not model (route sets, session descriptions, vendor
// extensions such as Asterisk's or FreeSWITCH's additions) are skipped.
//
// The required root attributes are checked: version must be a
// non-negative decimal integer ([ErrInvalidVersion]) and state must be
// "full" or "partial" in any letter case ([ErrInvalidState]). Inside
// dialogs the parser is lenient, because deployed notifiers differ: the
// dialog state is trimmed and lower-cased (so "Trying" becomes
// [Trying]), an unrecognized direction is reported as empty, and a
// malformed duration or code is treated as absent.
//
// # Hostile input
//
// Bodies come from the network, so decoding is bounded:
//
//   - bodies larger than [MaxBodySize] bytes are refused with [ErrTooLarge]
//     before any decoding happens;
//   - element nesting deeper than [MaxDepth] and documents holding more
//     than [MaxDialogs] dialog elements also fail with [ErrTooLarge];
//   - DOCTYPE declarations (any <!...> markup other than comments and
//     CDATA sections) are refused with [ErrMalformed], so entity
//     definitions are never even looked at. The
//     decoder runs in strict mode and knows only XML's five predefined
//     entities and numeric character references; any other entity
//     reference is a syntax error. Nothing is ever fetched.
//
// Documents declaring an encoding other than UTF-8 are accepted only for
// US-ASCII and ISO-8859-1.
//
// # Extension state
//
// [Info.ExtensionState] folds the dialogs of a document into an
// [ExtensionState]; the rules are documented on that method. The most
// notable decision concerns outgoing calls: a dialog the extension
// initiated that is still trying, proceeding or early makes the extension
// [Busy], not [Ringing]. Its user is on the phone dialling out, and a
// ringing lamp would wrongly invite a call pickup of a call that is not
// ringing at that extension.
//
// # Tracking a subscription
//
// A subscription delivers a sequence of documents, the first normally
// carrying full state and later ones either full or partial state. A
// [Tracker] applies them in order following RFC 4235 section 4.1 and
// tells the caller when a document was out of date or when a notification
// was lost and the subscription should be refreshed to obtain full state
// again.
//
// The package keeps no global mutable state. [Parse] and [StateOf] are
// safe for concurrent use; a [Tracker] is not.
package dialoginfo

//go:build !js

package sipserver

import (
	"context"
	"log/slog"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
)

// Extension is a phone extension as the SIP side needs it.
type Extension struct {
	ID          string // endpoint id (REST)
	CustomerID  string
	ShortNumber string // e.g. "2001"
	Name        string // display name
	SIPUsername string // e.g. "002001"
	SIPPassword string
	DND         bool
}

// Directory answers the SIP side's lookups; implementations must be safe for
// concurrent use.
type Directory interface {
	// Lookup finds an extension by short number or SIP username.
	Lookup(ctx context.Context, name string) (Extension, bool, error)
}

// CallInfo describes a call the SIP side saw.
type CallInfo struct {
	CallID   string
	From, To string     // caller and callee as dialled / shown (user parts)
	FromExt  *Extension // nil when the caller is not an extension
	ToExt    *Extension // nil for test numbers
	Started  time.Time
	Answered time.Time // zero when never answered
	Ended    time.Time
	Outcome  string // "answered", "busy", "noanswer", "cancelled", "failed", "rejected"
}

// Call outcomes reported in CallInfo.Outcome.
const (
	OutcomeAnswered  = "answered"
	OutcomeBusy      = "busy"
	OutcomeNoAnswer  = "noanswer"
	OutcomeCancelled = "cancelled"
	OutcomeFailed    = "failed"
	OutcomeRejected  = "rejected"
)

// Events receives what the rest of the PBX reports (stream events, call
// history). Its methods are called from the server's goroutines and must not
// block long.
type Events interface {
	// CallRinging reports that an extension is being called (it raises the
	// event stream's incomingcall).
	CallRinging(CallInfo)
	// CallEnded reports that the call is over (it is written to the call
	// history).
	CallEnded(CallInfo)
}

// Config configures a Server. Only Directory is required.
type Config struct {
	// Directory resolves extensions for authentication and routing.
	Directory Directory
	// Events receives call notifications; it may be nil.
	Events Events
	// Realm is the digest realm and the SIP domain; default "devpbx.local".
	Realm string
	// EchoNumber, BusyNumber and NoAnswerNumber are the test numbers;
	// defaults "*52", "*486" and "*408".
	EchoNumber, BusyNumber, NoAnswerNumber string
	// EchoMaxDuration ends an echo call after this long; default 10 minutes.
	EchoMaxDuration time.Duration
	// EchoLoopbackOnly restricts the echo test's ICE to the loopback
	// interface: for tests, and for a PBX used only from this machine.
	EchoLoopbackOnly bool
	// OriginateTimeout bounds how long Originate rings the calling
	// extension, and then the called one; default 30 s (the first leg's
	// 200 OK waits for our ACK, which carries the second leg's answer,
	// and a UA gives up on it after 32 s).
	OriginateTimeout time.Duration
	// OriginPatterns, when set, are the origins (host patterns of
	// github.com/coder/websocket's AcceptOptions) whose pages may open a
	// SIP WebSocket, besides the server's own; a handshake from another
	// page is refused with 403. Clients that send no Origin (Node, native
	// UAs) always connect. Nil accepts every origin.
	OriginPatterns []string
	// MaxMessageSize is the largest WebSocket message accepted, default
	// 64 KiB; larger frames close the connection with status 1009.
	MaxMessageSize int64
	// Logger receives diagnostics; default slog.Default(). Passwords and
	// Authorization values are never logged.
	Logger *slog.Logger
	// Clock is the time source, for tests; default clock.Real().
	Clock clock.Clock

	// newMedia, for tests, replaces the echo test's media.
	newMedia func() (echoMedia, error)
}

// Registration is one registered contact of an extension: one WebSocket
// connection (or UA instance) of the extension's SIP user.
type Registration struct {
	Contact    string    // the Contact URI as registered
	UserAgent  string    // the User-Agent header of the REGISTER
	InstanceID string    // the +sip.instance Contact parameter as sent, e.g. "<urn:uuid:...>"
	RemoteAddr string    // the WebSocket peer's address
	Expires    time.Time // when the binding expires
}

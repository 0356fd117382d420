// Package media is the WebRTC audio of a call, behind one small interface
// with two implementations: natively pion's full WebRTC stack (a generated
// audio source and a measuring sink, so Go tests and bots have real
// media), and under js/wasm the browser's own RTCPeerConnection (microphone
// from getUserMedia, remote audio as a MediaStream).
//
// The SIP session layer (package sipua) drives it with complete SDP
// offers and answers: ICE candidates are gathered before an offer or
// answer is returned, bounded by Options.ICEGatherTimeout, so an INVITE
// never waits long for a dead interface.
package media

import (
	"context"
	"errors"
	"time"
)

// Direction is an SDP media direction (RFC 3264 §6.1).
type Direction string

// The directions; hold is sendonly (or inactive when the peer holds too).
const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

// ICEServer is a STUN or TURN server.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// Options configure a Session.
type Options struct {
	ICEServers []ICEServer
	// ICEGatherTimeout bounds candidate gathering before an SDP is
	// returned; default 2 s. What was gathered by then is used.
	ICEGatherTimeout time.Duration
}

// OfferOptions shape one offer.
type OfferOptions struct {
	// Direction of our audio; "" means sendrecv.
	Direction Direction
	// ICERestart asks for new ICE credentials (network change, recovery).
	ICERestart bool
}

// ConnectionState is the peer connection's state as the session layer
// needs it.
type ConnectionState string

// Connection states.
const (
	StateNew          ConnectionState = "new"
	StateConnecting   ConnectionState = "connecting"
	StateConnected    ConnectionState = "connected"
	StateDisconnected ConnectionState = "disconnected"
	StateFailed       ConnectionState = "failed"
	StateClosed       ConnectionState = "closed"
)

// Stats are what a call-quality indicator needs.
type Stats struct {
	PacketsSent     uint64
	PacketsReceived uint64
	PacketsLost     int64
	// Jitter and RoundTripTime as the RTCP reports give them (0 unknown).
	Jitter        time.Duration
	RoundTripTime time.Duration
	// AudioLevel is the received audio level in [0, 1] (RMS of the last
	// interval), when the implementation can measure it.
	AudioLevel float64
	BytesSent  uint64
	BytesRecv  uint64
}

// Session is the media of one call.
type Session interface {
	// CreateOffer makes a local offer and sets it as the local
	// description.
	CreateOffer(ctx context.Context, opts OfferOptions) (string, error)
	// CreateAnswer applies a remote offer and returns our answer with
	// the given direction ("" = sendrecv, the answer may still narrow it
	// to what the offer allows).
	CreateAnswer(ctx context.Context, offer string, dir Direction) (string, error)
	// SetRemoteAnswer applies the answer to our last offer.
	SetRemoteAnswer(answer string) error
	// Rollback discards a local offer that got no answer (a re-INVITE
	// that failed), returning to the last stable state.
	Rollback() error
	// SetMuted stops or resumes sending our audio without signalling.
	SetMuted(muted bool)
	// SendDTMF sends tones ("0-9*#A-D", ',' = 2 s pause) as RFC 4733
	// telephone-events, each for duration, with gap between them.
	SendDTMF(tones string, duration, gap time.Duration) error
	// OnDTMF is called for each telephone-event tone received.
	OnDTMF(f func(tone rune, duration time.Duration))
	// OnState is called when the connection state changes.
	OnState(f func(ConnectionState))
	// Stats returns the current counters.
	Stats(ctx context.Context) (Stats, error)
	// Close ends the media; it is idempotent.
	Close() error
}

// ErrNoMedia reports an SDP without a usable audio stream (JsSIP's
// "Incompatible SDP").
var ErrNoMedia = errors.New("media: no usable audio in the SDP")

//go:build js && wasm

package media

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	"github.com/wasmphone/wasmphone/internal/jspromise"
)

// AudioOptions configure the audio of a browser session.
type AudioOptions struct {
	// Stream is the local MediaStream whose first audio track is sent
	// (the microphone, from GetUserMedia with the call's constraints).
	// Undefined or null sends nothing until SetLocalStream. The session
	// never stops the stream's tracks: whoever called getUserMedia owns
	// them.
	Stream js.Value
}

// Errors of the browser implementation.
var (
	// ErrNoWebRTC reports a JavaScript environment without
	// RTCPeerConnection (Node.js, a worker).
	ErrNoWebRTC = errors.New("media: no RTCPeerConnection in this JavaScript environment")
	// ErrNoMediaDevices reports that navigator.mediaDevices is missing
	// (not a browser, or not a secure context).
	ErrNoMediaDevices = errors.New("media: navigator.mediaDevices is not available")
)

// Browser is the js/wasm implementation of Session: the browser's own
// RTCPeerConnection, driven through syscall/js (offer and answer,
// descriptions, transceivers, replaceTrack, the track event, DTMF and
// getStats). Calling the browser directly rather than through pion's JS
// backend keeps pion's DTLS, ICE and TURN code, which a browser never
// runs, out of the module: about 0.45 MB of its gzip size.
//
// Hold sets the audio transceiver's direction before createOffer or
// createAnswer; the browser narrows an answer's direction against the
// offer itself (RFC 3264). Mute clears the local track's enabled flag
// (the browser then sends silence). SendDTMF uses the sender's
// RTCDTMFSender. Received DTMF is not available in browsers: OnDTMF
// callbacks never fire. Rollback is the browser's
// setLocalDescription({type: "rollback"}), with the transceiver's
// direction restored.
//
// The remote audio is a MediaStream (the track event's first stream, or
// a new stream holding the track): RemoteStream and OnRemoteStream give
// it to whoever binds it to an <audio> element.
type Browser struct {
	pc            js.Value // RTCPeerConnection
	gatherTimeout time.Duration

	neg     sync.Mutex // serializes offer/answer (they await promises)
	prevDir string     // transceiver direction before an outstanding offer

	mu       sync.Mutex // never held across a JavaScript await
	closed   bool
	tr       js.Value // our audio RTCRtpTransceiver, once associated
	local    js.Value // local MediaStream
	muted    bool
	remote   js.Value // remote MediaStream
	onRemote func(js.Value)
	onState  func(ConnectionState)

	trackFn   js.Func
	stateFn   js.Func
	states    chan ConnectionState
	closeOnce sync.Once
	closeErr  error
}

var _ Session = (*Browser)(nil)

// New creates a browser media session: an RTCPeerConnection with the ICE
// servers of opts and the microphone stream of audio. The audio
// transceiver is created with the first offer, or taken from the remote
// offer when we answer (a transceiver made by addTransceiver before a
// remote offer would not be matched to it, JSEP §5.10).
func New(opts Options, audio AudioOptions) (Session, error) {
	return NewBrowser(opts, audio)
}

// NewBrowser is New returning the concrete type.
func NewBrowser(opts Options, audio AudioOptions) (*Browser, error) {
	if !hasWebRTC() {
		return nil, ErrNoWebRTC
	}
	servers := make([]any, 0, len(opts.ICEServers))
	for _, s := range opts.ICEServers {
		urls := make([]any, len(s.URLs))
		for i, u := range s.URLs {
			urls[i] = u
		}
		srv := map[string]any{"urls": urls}
		if s.Username != "" {
			srv["username"] = s.Username
		}
		if s.Credential != "" {
			srv["credential"] = s.Credential
		}
		servers = append(servers, srv)
	}
	pc, err := construct(js.Global().Get("RTCPeerConnection"), map[string]any{"iceServers": servers})
	if err != nil {
		return nil, fmt.Errorf("media: RTCPeerConnection: %w", err)
	}
	b := &Browser{
		pc:            pc,
		gatherTimeout: opts.ICEGatherTimeout,
		tr:            js.Undefined(),
		local:         orUndefined(audio.Stream),
		remote:        js.Undefined(),
	}
	if b.gatherTimeout <= 0 {
		b.gatherTimeout = 2 * time.Second
	}
	b.trackFn = js.FuncOf(b.onTrack)
	pc.Call("addEventListener", "track", b.trackFn)
	// States are handed to one goroutine, in order: session code never
	// runs inside a JavaScript callback, which must not block.
	states := make(chan ConnectionState, 16)
	b.states = states
	go func() {
		for st := range states {
			b.mu.Lock()
			f := b.onState
			b.mu.Unlock()
			if f != nil {
				f(st)
			}
		}
	}()
	b.stateFn = js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case states <- mapState(pc.Get("connectionState").String()):
		default: // the session is far behind; a later state follows
		}
		return nil
	})
	pc.Call("addEventListener", "connectionstatechange", b.stateFn)
	return b, nil
}

// construct calls new ctor(arg), turning a thrown exception (an invalid
// ICE server URL, say) into an error.
func construct(ctor js.Value, arg any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(js.Error); ok {
				err = e
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	return ctor.New(arg), nil
}

// call invokes a method that may throw synchronously, turning the
// exception into an error.
func call(v js.Value, method string, args ...any) (r js.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(js.Error); ok {
				err = e
				return
			}
			err = fmt.Errorf("%v", p)
		}
	}()
	return v.Call(method, args...), nil
}

// mapState maps the browser's connectionState to ours.
func mapState(s string) ConnectionState {
	switch ConnectionState(s) {
	case StateConnecting, StateConnected, StateDisconnected, StateFailed, StateClosed:
		return ConnectionState(s)
	default:
		return StateNew
	}
}

func hasWebRTC() bool {
	return js.Global().Get("RTCPeerConnection").Type() == js.TypeFunction
}

func orUndefined(v js.Value) js.Value {
	if v.IsNull() || v.IsUndefined() || v.Type() != js.TypeObject {
		return js.Undefined()
	}
	return v
}

// PeerConnection returns the RTCPeerConnection (JsSIP's
// session.connection).
func (b *Browser) PeerConnection() js.Value { return b.pc }

// RemoteStream returns the remote audio MediaStream, or undefined before
// the remote track arrived.
func (b *Browser) RemoteStream() js.Value {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.remote
}

// OnRemoteStream sets f to be called (on a new goroutine) with the remote
// audio MediaStream when it arrives; if it already has, f is called at
// once.
func (b *Browser) OnRemoteStream(f func(js.Value)) {
	b.mu.Lock()
	b.onRemote = f
	s := b.remote
	b.mu.Unlock()
	if f != nil && !s.IsUndefined() {
		go f(s)
	}
}

// LocalStream returns the local MediaStream (undefined when none).
func (b *Browser) LocalStream() js.Value {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.local
}

// SetLocalStream switches the stream whose first audio track is sent
// (another microphone), without renegotiation (replaceTrack). The mute
// state carries over.
func (b *Browser) SetLocalStream(ctx context.Context, stream js.Value) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.local = orUndefined(stream)
	tr := b.tr
	b.mu.Unlock()
	if tr.IsUndefined() {
		return nil // attached when the transceiver exists
	}
	return b.attach(ctx, tr)
}

// onTrack handles the peer connection's track event.
func (b *Browser) onTrack(_ js.Value, args []js.Value) any {
	if len(args) == 0 {
		return nil
	}
	ev := args[0]
	track := ev.Get("track")
	if track.Get("kind").String() != "audio" {
		return nil
	}
	var stream js.Value
	if streams := ev.Get("streams"); streams.Type() == js.TypeObject && streams.Length() > 0 {
		stream = streams.Index(0)
	} else {
		stream = js.Global().Get("MediaStream").New(js.ValueOf([]any{track}))
	}
	b.mu.Lock()
	b.remote = stream
	f := b.onRemote
	b.mu.Unlock()
	if f != nil {
		go f(stream)
	}
	return nil
}

// firstAudioTrack returns the stream's first audio track, or null.
func firstAudioTrack(stream js.Value) js.Value {
	if stream.IsUndefined() {
		return js.Null()
	}
	tracks := stream.Call("getAudioTracks")
	if tracks.Length() == 0 {
		return js.Null()
	}
	return tracks.Index(0)
}

// attach puts the local stream's audio track on the transceiver's sender
// and applies the mute state.
func (b *Browser) attach(ctx context.Context, tr js.Value) error {
	b.mu.Lock()
	stream, muted := b.local, b.muted
	b.mu.Unlock()
	track := firstAudioTrack(stream)
	if !track.IsNull() {
		track.Set("enabled", !muted)
	}
	sender := tr.Get("sender")
	if _, err := jspromise.Await(ctx, sender.Call("replaceTrack", track)); err != nil {
		return fmt.Errorf("media: replaceTrack: %w", err)
	}
	if !stream.IsUndefined() && sender.Get("setStreams").Type() == js.TypeFunction {
		sender.Call("setStreams", stream) // so the peer's track event has our stream
	}
	return nil
}

// offerTransceiver returns our audio transceiver, creating it for an
// offer.
func (b *Browser) offerTransceiver(ctx context.Context) (js.Value, error) {
	b.mu.Lock()
	tr := b.tr
	b.mu.Unlock()
	if !tr.IsUndefined() {
		return tr, nil
	}
	t, err := call(b.pc, "addTransceiver", "audio", map[string]any{"direction": "sendrecv"})
	if err != nil {
		return js.Undefined(), fmt.Errorf("media: addTransceiver: %w", err)
	}
	return b.adopt(ctx, t)
}

// answerTransceiver returns our audio transceiver after a remote offer
// was applied: the one we had, or the one the offer's audio section made.
func (b *Browser) answerTransceiver(ctx context.Context) (js.Value, error) {
	b.mu.Lock()
	tr := b.tr
	b.mu.Unlock()
	if !tr.IsUndefined() {
		return tr, nil
	}
	all := b.pc.Call("getTransceivers")
	for i := range all.Length() {
		t := all.Index(i)
		if t.Get("stopped").Truthy() || t.Get("mid").IsNull() {
			continue
		}
		if t.Get("receiver").Get("track").Get("kind").String() == "audio" {
			return b.adopt(ctx, t)
		}
	}
	return js.Undefined(), ErrNoMedia
}

func (b *Browser) adopt(ctx context.Context, tr js.Value) (js.Value, error) {
	b.mu.Lock()
	b.tr = tr
	b.mu.Unlock()
	return tr, b.attach(ctx, tr)
}

func (b *Browser) checkOpen() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	return nil
}

// CreateOffer implements Session.
func (b *Browser) CreateOffer(ctx context.Context, opts OfferOptions) (string, error) {
	if !ValidDirection(opts.Direction) {
		return "", fmt.Errorf("media: invalid direction %q", opts.Direction)
	}
	b.neg.Lock()
	defer b.neg.Unlock()
	if err := b.checkOpen(); err != nil {
		return "", err
	}
	tr, err := b.offerTransceiver(ctx)
	if err != nil {
		return "", err
	}
	if b.signalingState() == "stable" {
		b.prevDir = tr.Get("direction").String()
	}
	tr.Set("direction", string(orSendRecv(opts.Direction)))
	offer, err := b.await(ctx, "createOffer", map[string]any{"iceRestart": opts.ICERestart})
	if err != nil {
		b.restoreDirection(tr)
		return "", fmt.Errorf("media: createOffer: %w", err)
	}
	var gathered <-chan struct{}
	if opts.ICERestart {
		// The previous gathering left the state "complete", and it may
		// still read so when setLocalDescription resolves: wait for the
		// new gathering's end of candidates instead.
		var stop func()
		gathered, stop = b.endOfCandidates()
		defer stop()
	}
	if _, err := b.await(ctx, "setLocalDescription", offer); err != nil {
		b.restoreDirection(tr)
		return "", fmt.Errorf("media: setLocalDescription: %w", err)
	}
	if gathered != nil {
		t := time.NewTimer(b.gatherTimeout)
		defer t.Stop()
		select {
		case <-gathered:
		case <-t.C: // what was gathered by then is used
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return b.localSDP(ctx)
}

// restoreDirection puts back the transceiver's direction after an offer
// that could not be made.
func (b *Browser) restoreDirection(tr js.Value) {
	if b.prevDir != "" && b.signalingState() == "stable" {
		tr.Set("direction", b.prevDir)
	}
}

// endOfCandidates reports the next end of ICE candidates (the
// icecandidate event without a candidate) on the returned channel; stop
// removes the listener.
func (b *Browser) endOfCandidates() (<-chan struct{}, func()) {
	done := make(chan struct{}, 1)
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			if c := args[0].Get("candidate"); c.IsNull() || c.IsUndefined() {
				select {
				case done <- struct{}{}:
				default:
				}
			}
		}
		return nil
	})
	b.pc.Call("addEventListener", "icecandidate", fn)
	return done, func() {
		b.pc.Call("removeEventListener", "icecandidate", fn)
		fn.Release()
	}
}

// CreateAnswer implements Session. An offer of ours that is outstanding
// is rolled back first (glare).
func (b *Browser) CreateAnswer(ctx context.Context, offer string, dir Direction) (string, error) {
	if !ValidDirection(dir) {
		return "", fmt.Errorf("media: invalid direction %q", dir)
	}
	if !HasAudio(offer) {
		return "", ErrNoMedia
	}
	b.neg.Lock()
	defer b.neg.Unlock()
	if err := b.checkOpen(); err != nil {
		return "", err
	}
	if b.signalingState() == "have-local-offer" {
		if err := b.rollback(ctx); err != nil {
			return "", err
		}
	}
	if _, err := b.await(ctx, "setRemoteDescription", map[string]any{"type": "offer", "sdp": offer}); err != nil {
		return "", fmt.Errorf("media: setRemoteDescription: %w", err)
	}
	answer, err := b.answer(ctx, dir)
	if err != nil && b.signalingState() == "have-remote-offer" {
		// Back to stable, so that the next offer (a hold, a retry) can
		// be made; bounded, as the caller's ctx may be what ended.
		rctx, cancel := context.WithTimeout(context.Background(), descriptionTimeout)
		_, _ = b.await(rctx, "setRemoteDescription", map[string]any{"type": "rollback"})
		cancel()
	}
	return answer, err
}

// answer makes and sets our answer to the remote offer just applied;
// b.neg is held.
func (b *Browser) answer(ctx context.Context, dir Direction) (string, error) {
	tr, err := b.answerTransceiver(ctx)
	if err != nil {
		return "", err
	}
	tr.Set("direction", string(orSendRecv(dir)))
	answer, err := b.await(ctx, "createAnswer")
	if err != nil {
		return "", fmt.Errorf("media: createAnswer: %w", err)
	}
	if _, err := b.await(ctx, "setLocalDescription", answer); err != nil {
		return "", fmt.Errorf("media: setLocalDescription: %w", err)
	}
	return b.localSDP(ctx)
}

// SetRemoteAnswer implements Session.
func (b *Browser) SetRemoteAnswer(answer string) error {
	if !HasAudio(answer) {
		return ErrNoMedia
	}
	b.neg.Lock()
	defer b.neg.Unlock()
	if err := b.checkOpen(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), descriptionTimeout)
	defer cancel()
	if _, err := b.await(ctx, "setRemoteDescription", map[string]any{"type": "answer", "sdp": answer}); err != nil {
		return fmt.Errorf("media: setRemoteDescription: %w", err)
	}
	b.prevDir = ""
	return nil
}

// Rollback implements Session.
func (b *Browser) Rollback() error {
	b.neg.Lock()
	defer b.neg.Unlock()
	if err := b.checkOpen(); err != nil {
		return err
	}
	if b.signalingState() == "stable" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), descriptionTimeout)
	defer cancel()
	return b.rollback(ctx)
}

// rollback rolls the browser back to stable and restores the
// transceiver's direction; b.neg is held.
func (b *Browser) rollback(ctx context.Context) error {
	if _, err := b.await(ctx, "setLocalDescription", map[string]any{"type": "rollback"}); err != nil {
		return fmt.Errorf("media: rollback: %w", err)
	}
	b.mu.Lock()
	tr := b.tr
	b.mu.Unlock()
	if b.prevDir != "" && !tr.IsUndefined() {
		tr.Set("direction", b.prevDir)
	}
	b.prevDir = ""
	return nil
}

// descriptionTimeout bounds the browser's handling of a remote
// description or a rollback, which take no context from the caller.
const descriptionTimeout = 10 * time.Second

func (b *Browser) signalingState() string { return b.pc.Get("signalingState").String() }

// await calls a promise-returning method of the peer connection.
func (b *Browser) await(ctx context.Context, method string, args ...any) (js.Value, error) {
	p, err := call(b.pc, method, args...)
	if err != nil {
		return js.Undefined(), err
	}
	return jspromise.Await(ctx, p)
}

// localSDP waits for ICE gathering (bounded) and returns the local
// description with the candidates gathered so far.
func (b *Browser) localSDP(ctx context.Context) (string, error) {
	if err := b.waitGathering(ctx); err != nil {
		return "", err
	}
	d := b.pc.Get("localDescription")
	if d.Type() != js.TypeObject {
		return "", errors.New("media: no local description")
	}
	return d.Get("sdp").String(), nil
}

// waitGathering waits until ICE gathering is complete, at most the
// gather timeout.
func (b *Browser) waitGathering(ctx context.Context) error {
	pc := b.pc
	complete := func() bool { return pc.Get("iceGatheringState").String() == "complete" }
	if complete() {
		return nil
	}
	done := make(chan struct{}, 1)
	fn := js.FuncOf(func(js.Value, []js.Value) any {
		if complete() {
			select {
			case done <- struct{}{}:
			default:
			}
		}
		return nil
	})
	pc.Call("addEventListener", "icegatheringstatechange", fn)
	defer func() {
		pc.Call("removeEventListener", "icegatheringstatechange", fn)
		fn.Release()
	}()
	if complete() {
		return nil
	}
	t := time.NewTimer(b.gatherTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// SetMuted implements Session: the local track's enabled flag.
func (b *Browser) SetMuted(muted bool) {
	b.mu.Lock()
	b.muted = muted
	track := firstAudioTrack(b.local)
	b.mu.Unlock()
	if !track.IsNull() {
		track.Set("enabled", !muted)
	}
}

// SendDTMF implements Session with the sender's RTCDTMFSender: the tones
// are appended to those still playing, and all of them take this call's
// duration and gap (insertDTMF replaces the tone buffer).
func (b *Browser) SendDTMF(tones string, duration, gap time.Duration) error {
	if err := ValidateTones(tones); err != nil {
		return err
	}
	if err := b.checkOpen(); err != nil {
		return err
	}
	b.mu.Lock()
	tr := b.tr
	b.mu.Unlock()
	if tr.IsUndefined() {
		return ErrNoTelephoneEvent
	}
	dtmf := tr.Get("sender").Get("dtmf")
	if dtmf.IsNull() || dtmf.IsUndefined() {
		return ErrNoTelephoneEvent
	}
	if !dtmf.Get("canInsertDTMF").Truthy() {
		if cur := tr.Get("currentDirection"); cur.Type() == js.TypeString && !sends(Direction(cur.String())) {
			return ErrNotSending
		}
		return ErrNoTelephoneEvent
	}
	d, g := DTMFTiming(duration, gap)
	buffer := dtmf.Get("toneBuffer").String() + tones
	dtmf.Call("insertDTMF", buffer, d.Milliseconds(), g.Milliseconds())
	return nil
}

// OnDTMF implements Session; browsers do not expose received
// telephone-events, so f is never called.
func (b *Browser) OnDTMF(func(tone rune, duration time.Duration)) {}

// OnState implements Session (the browser's connectionState).
func (b *Browser) OnState(f func(ConnectionState)) {
	b.mu.Lock()
	b.onState = f
	b.mu.Unlock()
}

// Stats implements Session from getStats(): inbound-rtp (packets, loss,
// jitter, bytes, audioLevel), outbound-rtp (packets, bytes) and
// remote-inbound-rtp (round-trip time), audio only; the selected
// candidate pair's currentRoundTripTime when there is no RTCP RTT yet.
func (b *Browser) Stats(ctx context.Context) (Stats, error) {
	if err := b.checkOpen(); err != nil {
		return Stats{}, err
	}
	report, err := b.await(ctx, "getStats")
	if err != nil {
		return Stats{}, fmt.Errorf("media: getStats: %w", err)
	}
	return statsFromReport(report), nil
}

// statsFromReport maps an RTCStatsReport (a Map-like object of stats
// dictionaries).
func statsFromReport(report js.Value) Stats {
	var s Stats
	var pairRTT time.Duration
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		v := args[0]
		audio := func() bool {
			k := v.Get("kind")
			if k.Type() != js.TypeString {
				k = v.Get("mediaType") // older browsers
			}
			return k.Type() != js.TypeString || k.String() == "audio"
		}
		switch v.Get("type").String() {
		case "inbound-rtp":
			if audio() {
				s.PacketsReceived += uint64(number(v, "packetsReceived"))
				s.PacketsLost += int64(number(v, "packetsLost"))
				s.BytesRecv += uint64(number(v, "bytesReceived"))
				s.Jitter = max(s.Jitter, seconds(number(v, "jitter")))
				s.AudioLevel = max(s.AudioLevel, number(v, "audioLevel"))
			}
		case "outbound-rtp":
			if audio() {
				s.PacketsSent += uint64(number(v, "packetsSent"))
				s.BytesSent += uint64(number(v, "bytesSent"))
			}
		case "remote-inbound-rtp":
			if audio() {
				s.RoundTripTime = max(s.RoundTripTime, seconds(number(v, "roundTripTime")))
			}
		case "candidate-pair":
			if v.Get("nominated").Truthy() && v.Get("state").String() == "succeeded" {
				pairRTT = max(pairRTT, seconds(number(v, "currentRoundTripTime")))
			}
		}
		return nil
	})
	defer fn.Release()
	report.Call("forEach", fn)
	if s.RoundTripTime == 0 {
		s.RoundTripTime = pairRTT
	}
	return s
}

// number reads a numeric property (0 when absent).
func number(v js.Value, name string) float64 {
	p := v.Get(name)
	if p.Type() != js.TypeNumber {
		return 0
	}
	return p.Float()
}

// Close implements Session: it closes the RTCPeerConnection and releases
// the callbacks. The local stream's tracks are left running (the caller
// owns them).
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		_, b.closeErr = call(b.pc, "close")
		b.pc.Call("removeEventListener", "track", b.trackFn)
		b.pc.Call("removeEventListener", "connectionstatechange", b.stateFn)
		b.trackFn.Release()
		b.stateFn.Release()
		close(b.states)
	})
	return b.closeErr
}

// stopLateStream returns a JavaScript function that stops every track of
// a stream (built once per call; it is tiny and has no Go side to free).
func stopLateStream() js.Value {
	return js.Global().Get("Function").New("s", "s.getTracks().forEach((t) => t.stop())")
}

// GetUserMedia awaits navigator.mediaDevices.getUserMedia(constraints)
// and returns the MediaStream. A refusal is a js.Error whose name is the
// DOMException's (NotAllowedError: the user denied access).
func GetUserMedia(ctx context.Context, constraints js.Value) (js.Value, error) {
	nav := js.Global().Get("navigator")
	if nav.Type() != js.TypeObject {
		return js.Undefined(), ErrNoMediaDevices
	}
	md := nav.Get("mediaDevices")
	if md.Type() != js.TypeObject || md.Get("getUserMedia").Type() != js.TypeFunction {
		return js.Undefined(), ErrNoMediaDevices
	}
	promise := md.Call("getUserMedia", constraints)
	stream, err := jspromise.Await(ctx, promise)
	if err != nil {
		if ctx.Err() != nil {
			// The user may still allow it later: stop what then arrives,
			// so the microphone does not stay on for nobody.
			promise.Call("then", stopLateStream(), js.Undefined())
		}
		return js.Undefined(), fmt.Errorf("media: getUserMedia: %w", err)
	}
	return stream, nil
}

//go:build !(js && wasm)

package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/stats"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// AudioOptions configure the audio of a native session: what it sends
// (a generated tone by default, PCM from Source, or nothing but what the
// application writes with (*Native).WriteRTP) and what it does with what
// it receives (always counted and measured; optionally handed to Sink and
// OnRTP).
//
// Native media generates and measures G.711, PCMU (payload type 0) and
// PCMA (8), plus telephone-event/8000 (101) for DTMF: every browser and SIP
// endpoint accepts PCMU. Built with the tag opus (cgo and libopus, see
// opus_cgo.go) it also speaks Opus, offered first: opus/48000/2 (111,
// "minptime=10;useinbandfec=1") with telephone-event/48000 (110); when a
// peer takes it, the tone or Source is Opus-encoded, RTP timestamps and
// DTMF durations count at 48 kHz, and received Opus is decoded for the
// level meter, Sink and DTMF detection. Peers that offer or answer G.711
// only get G.711 as before. Without the tag there is no Opus codec (none
// in pure Go): a NoSource session, which only relays RTP the application
// writes (an echo test, a recorder), still offers and accepts Opus (111,
// preferred), but never decodes it, so such a call's AudioLevel stays 0
// while packets are counted. The js/wasm implementation uses what the
// browser negotiates.
type AudioOptions struct {
	// ToneFrequency is the generated tone's frequency in Hz; 0 means
	// 440 Hz.
	ToneFrequency float64
	// ToneAmplitude is the tone's peak as a fraction of full scale, in
	// (0, 1]; 0 means 0.25.
	ToneAmplitude float64
	// Source, when set, replaces the tone: it is called every 20 ms and
	// returns the next frame of 8 kHz mono PCM, 160 samples (a shorter
	// frame is padded with silence, a longer one cut; nil is silence),
	// whatever the codec. It runs on the sending goroutine and must not
	// block.
	Source func() []int16
	// NoSource sends no audio of our own: the application writes RTP
	// with (*Native).WriteRTP (an echo service). DTMF is still sent.
	NoSource bool
	// Sink, when set, receives the decoded PCM (8 kHz mono, whatever
	// the codec) of every received audio packet, on the receiving
	// goroutine; the slice is the callee's.
	Sink func(pcm []int16)
	// OnRTP, when set, receives every received RTP packet (audio and
	// telephone-event) before it is decoded, on the receiving goroutine;
	// the packet is the callee's. Echo services send them back with
	// (*Native).WriteRTP.
	OnRTP func(*rtp.Packet)
	// PreferPCMA offers PCMA before PCMU (after Opus, when built with
	// the tag opus).
	PreferPCMA bool
	// LoopbackOnly restricts ICE to IPv4 UDP host candidates on the
	// loopback interface, local and remote (tests).
	LoopbackOnly bool
}

// Native is the native implementation of Session: pion's WebRTC stack
// with G.711 audio (and Opus with the build tag opus). Besides the Session
// methods it offers WriteRTP, Direction and PeerConnection.
//
// Hold: pion v4.2.26 has no RTPTransceiver.SetDirection, and its
// SetLocalDescription only accepts the SDP its CreateOffer/CreateAnswer
// made. So pion keeps a sendrecv transceiver throughout, and the
// direction lives in this layer: the SDP we hand out carries the wanted
// direction (rewritten with pion/sdp), the remote SDP's direction is read
// before it is given to pion as sendrecv (pion would otherwise stop the
// transceiver for good on an inactive offer), and our sender sends RTP
// only while the negotiated direction lets it. RTCP flows throughout.
//
// Mute sends silence (G.711's silence code, or Opus-encoded silence: the
// sender keeps sending packets, as a browser does with a disabled track,
// so the peer's RTP timeout and NAT bindings stay alive); hold (a
// negotiated direction without send) sends no RTP at all.
//
// Rollback: pion cannot roll back a local offer (its signaling state
// machine refuses have-local-offer -> stable by rollback), so a re-offer
// is not applied to pion until its answer arrives; Rollback just drops
// it. Two limits follow: the initial offer cannot be rolled back (close
// the session instead), and an ICE-restart re-offer restarts pion's ICE
// agent when it is made, so after its rollback media stays down until
// the next successful offer/answer.
type Native struct {
	pc            *webrtc.PeerConnection
	track         *localTrack
	audio         AudioOptions
	gatherTimeout time.Duration

	// neg serializes offer/answer operations (they wait for gathering).
	neg          sync.Mutex
	pendingOffer *webrtc.SessionDescription // a re-offer not yet given to pion
	pendingDir   Direction                  // direction of our outstanding offer
	pendingSDP   string                     // the offer as handed out

	mu      sync.Mutex // closed, dir, callbacks, workers
	closed  bool
	dir     Direction
	onDTMF  func(rune, time.Duration)
	onState func(ConnectionState)

	stateMu   sync.Mutex // serializes state callbacks
	lastState ConnectionState

	sendAllowed atomic.Bool
	muted       atomic.Bool
	payloads    atomic.Pointer[payloadTable]

	dtmfMu    sync.Mutex
	dtmfQueue []dtmfStep

	meter                  *levelMeter
	packetsRecv, bytesRecv atomic.Uint64
	remoteSSRC             atomic.Uint32
	rtpStats               *statsHolder

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var _ Session = (*Native)(nil)

// New creates a native media session: a pion PeerConnection with one
// sendrecv audio transceiver whose sending goroutine starts at once (it
// sends once negotiation has bound the track).
//
// ICE uses the ICE servers of opts and never mDNS: our host candidates
// carry real addresses, and a peer's ".local" candidates are not
// resolved (a browser peer that hides its addresses is reached through
// its other candidates or by its own checks towards ours).
func New(opts Options, audio AudioOptions) (Session, error) {
	return NewNative(opts, audio)
}

// NewNative is New returning the concrete type.
func NewNative(opts Options, audio AudioOptions) (*Native, error) {
	holder := &statsHolder{}
	api, err := newAPI(audio, holder)
	if err != nil {
		return nil, err
	}
	cfg := webrtc.Configuration{}
	for _, s := range opts.ICEServers {
		cfg.ICEServers = append(cfg.ICEServers, webrtc.ICEServer{
			URLs: s.URLs, Username: s.Username, Credential: s.Credential,
		})
	}
	pc, err := api.NewPeerConnection(cfg)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	n := &Native{
		pc:            pc,
		track:         newLocalTrack("audio", fmt.Sprintf("wasmphone-%08x", rand.Uint32())),
		audio:         audio,
		gatherTimeout: opts.ICEGatherTimeout,
		dir:           SendRecv,
		meter:         newLevelMeter(levelWindow),
		rtpStats:      holder,
		done:          make(chan struct{}),
	}
	if n.gatherTimeout <= 0 {
		n.gatherTimeout = 2 * time.Second
	}
	n.sendAllowed.Store(true)
	t := newPayloadTable()
	n.payloads.Store(&t)

	tr, err := pc.AddTransceiverFromTrack(n.track, webrtc.RTPTransceiverInit{
		Direction: webrtc.RTPTransceiverDirectionSendrecv,
	})
	if err != nil {
		_ = pc.Close()
		return nil, fmt.Errorf("media: %w", err)
	}
	pc.OnConnectionStateChange(func(webrtc.PeerConnectionState) { n.stateChanged() })
	pc.OnTrack(n.onTrack)

	sender := tr.Sender()
	n.wg.Add(2)
	go n.pump()
	go n.drainRTCP(func() error { _, _, err := sender.ReadRTCP(); return err })
	return n, nil
}

// statsHolder receives the stats interceptor's getter for the one peer
// connection of an API.
type statsHolder struct {
	mu     sync.Mutex
	getter stats.Getter
}

func (h *statsHolder) get(ssrc uint32) *stats.Stats {
	h.mu.Lock()
	g := h.getter
	h.mu.Unlock()
	if g == nil || ssrc == 0 {
		return nil
	}
	return g.Get(ssrc)
}

// newAPI sets up pion: G.711 and telephone-event/8000; Opus and
// telephone-event/48000 when built with the tag opus, else Opus alone for
// NoSource (to relay); RTCP reports and stats (whose getter goes to
// holder), no mDNS, and loopback-only ICE when asked. Each session has
// its own API.
func newAPI(audio AudioOptions, holder *statsHolder) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	pcmu := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: sampleRate},
		PayloadType:        0,
	}
	pcma := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: sampleRate},
		PayloadType:        8,
	}
	event := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: mimeTelephoneEvent, ClockRate: sampleRate, SDPFmtpLine: "0-16",
		},
		PayloadType: 101,
	}
	opus := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: opusClockRate, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1",
		},
		PayloadType: 111,
	}
	event48 := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: mimeTelephoneEvent, ClockRate: opusClockRate, SDPFmtpLine: "0-16",
		},
		PayloadType: 110,
	}
	if audio.PreferPCMA {
		pcmu, pcma = pcma, pcmu
	}
	var codecs []webrtc.RTPCodecParameters
	switch {
	case opusSupported:
		codecs = []webrtc.RTPCodecParameters{opus, pcmu, pcma, event48, event}
	case audio.NoSource:
		codecs = []webrtc.RTPCodecParameters{opus, pcmu, pcma, event}
	default:
		codecs = []webrtc.RTPCodecParameters{pcmu, pcma, event}
	}
	for _, c := range codecs {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("media: %w", err)
		}
	}

	// The stats interceptor comes first so that it sees the sender
	// reports the report interceptor writes (it needs them for the RTT).
	ir := &interceptor.Registry{}
	sf, err := stats.NewInterceptor()
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	sf.OnNewPeerConnection(func(_ string, g stats.Getter) {
		holder.mu.Lock()
		holder.getter = g
		holder.mu.Unlock()
	})
	ir.Add(sf)
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}

	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if audio.LoopbackOnly {
		loopback := func(ip net.IP) bool { return ip.IsLoopback() }
		se.SetIncludeLoopbackCandidate(true)
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		se.SetIPFilter(loopback)
		se.SetRemoteIPFilter(loopback)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se),
		webrtc.WithInterceptorRegistry(ir)), nil
}

// PeerConnection returns the underlying pion PeerConnection (for
// diagnostics; changing its transceivers breaks the session).
func (n *Native) PeerConnection() *webrtc.PeerConnection { return n.pc }

// Direction returns the negotiated direction of our audio (sendrecv
// before the first negotiation).
func (n *Native) Direction() Direction {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.dir
}

// WriteRTP sends an application's RTP packet on our audio stream: its
// payload type, marker, timestamp and payload are kept, the SSRC and
// sequence number are ours. It is meant for AudioOptions.NoSource (an
// echo service writing back what OnRTP received); with a tone or Source
// running the timestamps would interleave badly. It fails before
// negotiation, and sends nothing (returning nil) while the negotiated
// direction does not let us send.
func (n *Native) WriteRTP(p *rtp.Packet) error {
	if n.isClosed() {
		return ErrClosed
	}
	if !n.sendAllowed.Load() {
		return nil
	}
	return n.track.sendRaw(p)
}

func (n *Native) isClosed() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.closed
}

// startWorker registers a goroutine unless the session is closed.
func (n *Native) startWorker() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	n.wg.Add(1)
	return true
}

// CreateOffer implements Session. The first offer is set on pion at once
// (that starts ICE gathering); a re-offer is kept until SetRemoteAnswer
// (see Rollback on Native).
func (n *Native) CreateOffer(ctx context.Context, opts OfferOptions) (string, error) {
	if !ValidDirection(opts.Direction) {
		return "", fmt.Errorf("media: invalid direction %q", opts.Direction)
	}
	n.neg.Lock()
	defer n.neg.Unlock()
	if n.isClosed() {
		return "", ErrClosed
	}
	dir := orSendRecv(opts.Direction)

	if n.pc.SignalingState() != webrtc.SignalingStateStable {
		return "", errors.New("media: an offer is outstanding (" + n.pc.SignalingState().String() + ")")
	}
	initial := n.pc.CurrentLocalDescription() == nil
	offer, err := n.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: opts.ICERestart && !initial})
	if err != nil {
		return "", fmt.Errorf("media: create offer: %w", err)
	}

	var sdpText string
	if initial {
		gathered := webrtc.GatheringCompletePromise(n.pc)
		if err := n.pc.SetLocalDescription(offer); err != nil {
			return "", fmt.Errorf("media: set local offer: %w", err)
		}
		if err := n.waitGathering(ctx, gathered); err != nil {
			return "", err
		}
		sdpText = n.pc.LocalDescription().SDP
		n.pendingOffer = nil
	} else {
		if opts.ICERestart {
			// The restart began gathering anew; the offer made with it
			// has few candidates yet. Wait, then make it again.
			if err := n.waitGathering(ctx, webrtc.GatheringCompletePromise(n.pc)); err != nil {
				return "", err
			}
			if offer, err = n.pc.CreateOffer(nil); err != nil {
				return "", fmt.Errorf("media: create offer: %w", err)
			}
		}
		n.pendingOffer = &offer
		sdpText = offer.SDP
	}
	out, err := setAudioDirection(sdpText, dir)
	if err != nil {
		return "", err
	}
	n.pendingDir, n.pendingSDP = dir, out
	return out, nil
}

// waitGathering waits for ICE gathering to complete, at most the gather
// timeout (then what was gathered is used).
func (n *Native) waitGathering(ctx context.Context, gathered <-chan struct{}) error {
	t := time.NewTimer(n.gatherTimeout)
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return ErrClosed
	}
	return nil
}

// CreateAnswer implements Session. The answer's direction is
// intersect(dir, Reverse(offer's direction)), as RFC 3264 §6.1 requires.
// A re-offer of ours that is still outstanding is dropped (an implicit
// rollback).
func (n *Native) CreateAnswer(ctx context.Context, offer string, dir Direction) (string, error) {
	if !ValidDirection(dir) {
		return "", fmt.Errorf("media: invalid direction %q", dir)
	}
	offerDir, err := RemoteDirection(offer)
	if err != nil {
		return "", err
	}
	if !offersUsableAudio(offer) {
		return "", fmt.Errorf("%w: no %s offered", ErrNoMedia, usableCodecs())
	}
	want := intersect(orSendRecv(dir), Reverse(offerDir))
	forPion, err := rewriteDirections(offer, SendRecv)
	if err != nil {
		return "", err
	}

	n.neg.Lock()
	defer n.neg.Unlock()
	if n.isClosed() {
		return "", ErrClosed
	}
	n.pendingOffer, n.pendingDir, n.pendingSDP = nil, "", ""
	if st := n.pc.SignalingState(); st != webrtc.SignalingStateStable {
		return "", errors.New("media: cannot answer in signaling state " + st.String())
	}
	if err := n.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: forPion}); err != nil {
		return "", fmt.Errorf("media: set remote offer: %w", err)
	}
	answer, err := n.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("media: create answer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(n.pc)
	if err := n.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("media: set local answer: %w", err)
	}
	if err := n.waitGathering(ctx, gathered); err != nil {
		return "", err
	}
	out, err := setAudioDirection(n.pc.LocalDescription().SDP, want)
	if err != nil {
		return "", err
	}
	n.negotiated(want, out, offer)
	return out, nil
}

// SetRemoteAnswer implements Session.
func (n *Native) SetRemoteAnswer(answer string) error {
	remoteDir, err := RemoteDirection(answer)
	if err != nil {
		return err
	}
	if !offersUsableAudio(answer) {
		return fmt.Errorf("%w: no %s in the answer", ErrNoMedia, usableCodecs())
	}
	forPion, err := rewriteDirections(answer, SendRecv)
	if err != nil {
		return err
	}

	n.neg.Lock()
	defer n.neg.Unlock()
	if n.isClosed() {
		return ErrClosed
	}
	switch {
	case n.pendingOffer != nil:
		if err := n.pc.SetLocalDescription(*n.pendingOffer); err != nil {
			return fmt.Errorf("media: set local offer: %w", err)
		}
		n.pendingOffer = nil
	case n.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer:
		return errors.New("media: no offer to apply an answer to")
	}
	if err := n.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: forPion}); err != nil {
		return fmt.Errorf("media: set remote answer: %w", err)
	}
	n.negotiated(intersect(n.pendingDir, Reverse(remoteDir)), n.pendingSDP, answer)
	n.pendingDir, n.pendingSDP = "", ""
	return nil
}

// usableCodecs names the codecs we send and receive, for errors.
func usableCodecs() string {
	if opusSupported {
		return "Opus, PCMU or PCMA"
	}
	return "PCMU or PCMA"
}

// offersUsableAudio reports whether the audio section of an SDP lists a
// codec we send and receive: G.711, or Opus when built with the tag opus.
// (A NoSource session relays Opus without the tag, but its offers carry
// G.711 too, and so must what it answers.)
func offersUsableAudio(s string) bool {
	if opusSupported {
		return offersCodec(s, payloadPCMU, payloadPCMA, payloadOpus)
	}
	return offersG711(s)
}

// negotiated applies a completed offer/answer: our direction and the
// payload types to expect (the remote's SDP first, ours winning, since
// the peer sends with the numbers we declared).
func (n *Native) negotiated(dir Direction, local, remote string) {
	t := newPayloadTable()
	t.add(remote)
	t.add(local)
	n.payloads.Store(&t)
	n.mu.Lock()
	n.dir = dir
	n.mu.Unlock()
	n.sendAllowed.Store(sends(dir))
}

// Rollback implements Session: it drops an outstanding re-offer. The
// initial offer cannot be rolled back natively (see Native).
func (n *Native) Rollback() error {
	n.neg.Lock()
	defer n.neg.Unlock()
	if n.isClosed() {
		return ErrClosed
	}
	n.pendingOffer, n.pendingDir, n.pendingSDP = nil, "", ""
	if n.pc.SignalingState() == webrtc.SignalingStateStable {
		return nil
	}
	return errors.New("media: pion cannot roll back the initial offer; close the session")
}

// SetMuted implements Session: muted, the sender sends silence.
func (n *Native) SetMuted(muted bool) { n.muted.Store(muted) }

// SendDTMF implements Session. It checks the tones and queues them, then
// returns; they are sent in order after any already queued, each as RFC
// 4733 packets every 20 ms (marker on the first, the end packet three
// times), audio pausing during a tone. Tones are sent while muted too.
func (n *Native) SendDTMF(tones string, duration, gap time.Duration) error {
	if err := ValidateTones(tones); err != nil {
		return err
	}
	if n.isClosed() {
		return ErrClosed
	}
	if !n.sendAllowed.Load() {
		return ErrNotSending
	}
	if b := n.track.binding(); !b.ok || b.eventPT < 0 {
		return ErrNoTelephoneEvent
	}
	steps := dtmfSteps(tones, duration, gap)
	n.dtmfMu.Lock()
	n.dtmfQueue = append(n.dtmfQueue, steps...)
	n.dtmfMu.Unlock()
	return nil
}

// OnDTMF implements Session: f is called on the receiving goroutine for
// each telephone-event tone, once, at its end (or when the next event or
// audio shows its end packets were lost).
func (n *Native) OnDTMF(f func(tone rune, duration time.Duration)) {
	n.mu.Lock()
	n.onDTMF = f
	n.mu.Unlock()
}

// OnState implements Session. Calls are serialized and report the
// connection state at the time of the call; states that follow each other
// quickly may be reported once.
func (n *Native) OnState(f func(ConnectionState)) {
	n.mu.Lock()
	n.onState = f
	n.mu.Unlock()
}

func (n *Native) stateChanged() {
	n.stateMu.Lock()
	defer n.stateMu.Unlock()
	s := mapState(n.pc.ConnectionState())
	if s == n.lastState {
		return
	}
	n.lastState = s
	n.mu.Lock()
	f := n.onState
	n.mu.Unlock()
	if f != nil {
		f(s)
	}
}

// Stats implements Session: packets and bytes are our own counters
// (payload bytes), loss and jitter come from pion's stats interceptor
// (inbound RTP), the round-trip time from the peer's RTCP receiver
// reports (0 until the first, a few seconds into the call), and
// AudioLevel is the RMS of the last 100 ms received (0 when nothing
// arrived for half a second).
func (n *Native) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	if n.isClosed() {
		return Stats{}, ErrClosed
	}
	s := Stats{
		PacketsSent:     n.track.packets.Load(),
		BytesSent:       n.track.bytes.Load(),
		PacketsReceived: n.packetsRecv.Load(),
		BytesRecv:       n.bytesRecv.Load(),
		AudioLevel:      n.meter.Level(time.Now(), levelStale),
	}
	if in := n.rtpStats.get(n.remoteSSRC.Load()); in != nil {
		s.PacketsLost = in.InboundRTPStreamStats.PacketsLost
		s.Jitter = seconds(in.InboundRTPStreamStats.Jitter)
	}
	if out := n.rtpStats.get(n.track.localSSRC()); out != nil {
		s.RoundTripTime = out.RemoteInboundRTPStreamStats.RoundTripTime
	}
	return s, nil
}

// Close implements Session: it closes the peer connection and waits for
// the sending and receiving goroutines to end.
func (n *Native) Close() error {
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		close(n.done)
		n.closeErr = n.pc.Close()
		n.wg.Wait()
	})
	return n.closeErr
}

// pump is the sending goroutine: every 20 ms it takes a frame from the
// source, and sends it or a telephone-event packet, as the direction,
// mute and the DTMF queue decide. The RTP timestamp advances every frame
// whether or not anything is sent, in units of the negotiated codec's
// clock (8 kHz for G.711, 48 kHz for Opus).
func (n *Native) pump() {
	defer n.wg.Done()
	tick := time.NewTicker(frameDuration)
	defer tick.Stop()

	var (
		ts        = rand.Uint32()
		frame     = make([]int16, frameSamples)
		enc       = frameEncoder{buf: make([]byte, 0, frameSamples)}
		tone      = newToneGen(n.audio.ToneFrequency, n.audio.ToneAmplitude)
		dtmf      dtmfSender
		talkspurt = true // marker bit on the next audio packet
	)
	defer enc.close()
	for {
		select {
		case <-n.done:
			return
		case <-tick.C:
		}
		n.dtmfMu.Lock()
		if len(n.dtmfQueue) > 0 {
			dtmf.enqueue(n.dtmfQueue)
			n.dtmfQueue = nil
		}
		n.dtmfMu.Unlock()

		b := n.track.binding()
		dtmf.setClocks(b.audioRate(), b.eventRate)
		n.nextFrame(frame, tone)
		event, inTone := dtmf.next(ts)
		switch {
		case !b.ok || !n.sendAllowed.Load():
			talkspurt = true
		case event != nil:
			_ = n.track.sendEvent(event)
			talkspurt = true
		case inTone, n.audio.NoSource:
		default:
			if payload, err := enc.encode(b.audio, frame, n.muted.Load()); err == nil {
				_ = n.track.sendAudio(talkspurt, ts, payload)
			}
			talkspurt = false
		}
		ts += uint32(b.audioRate() / 50)
	}
}

// nextFrame fills frame from the Source or the tone generator.
func (n *Native) nextFrame(frame []int16, tone *toneGen) {
	switch {
	case n.audio.NoSource:
	case n.audio.Source != nil:
		c := copy(frame, n.audio.Source())
		clear(frame[c:])
	default:
		tone.fill(frame)
	}
}

// onTrack starts reading a remote audio track.
func (n *Native) onTrack(tr *webrtc.TrackRemote, rcv *webrtc.RTPReceiver) {
	if tr.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	n.remoteSSRC.Store(uint32(tr.SSRC()))
	if n.startWorker() {
		go n.readTrack(tr)
	}
	if n.startWorker() {
		go n.drainRTCP(func() error { _, _, err := rcv.ReadRTCP(); return err })
	}
}

// drainRTCP reads RTCP so that pion's interceptors (reports, stats) see
// it, until the connection closes.
func (n *Native) drainRTCP(read func() error) {
	defer n.wg.Done()
	failures := 0
	for {
		if err := read(); err != nil {
			if failures++; n.readDone(err, failures) {
				return
			}
			continue
		}
		failures = 0
	}
}

// readDone tells whether a read error ends a reading goroutine: the
// session or the stream closed, or reads keep failing (a malformed packet
// alone does not).
func (n *Native) readDone(err error, failures int) bool {
	select {
	case <-n.done:
		return true
	default:
	}
	return failures > 10 || errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed)
}

// readTrack is the receiving goroutine: counting, OnRTP, DTMF detection,
// decoding (G.711, and Opus with the tag opus), the level meter and Sink.
func (n *Native) readTrack(tr *webrtc.TrackRemote) {
	defer n.wg.Done()
	var (
		det dtmfDetector
		dec frameDecoder
	)
	defer dec.close()
	failures := 0
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			if failures++; n.readDone(err, failures) {
				return
			}
			continue
		}
		failures = 0
		n.packetsRecv.Add(1)
		n.bytesRecv.Add(uint64(len(p.Payload)))
		if f := n.audio.OnRTP; f != nil {
			f(p)
		}
		kind := (*n.payloads.Load())[p.PayloadType]
		switch kind {
		case payloadEvent, payloadEvent48:
			rate := sampleRate
			if kind == payloadEvent48 {
				rate = opusClockRate
			}
			for _, t := range det.event(p.Timestamp, p.Payload, rate) {
				n.emitDTMF(t)
			}
			continue
		}
		pcm, ok := dec.decode(kind, p.Payload)
		if !ok {
			continue
		}
		if t, ok := det.audio(); ok {
			n.emitDTMF(t)
		}
		n.meter.add(pcm, time.Now())
		if f := n.audio.Sink; f != nil {
			f(pcm)
		}
	}
}

func (n *Native) emitDTMF(t dtmfTone) {
	n.mu.Lock()
	f := n.onDTMF
	n.mu.Unlock()
	if f != nil {
		f(t.tone, t.duration)
	}
}

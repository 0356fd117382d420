//go:build !(js && wasm)

package media

import (
	"context"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	flowTimeout = 5 * time.Second
	poll        = 20 * time.Millisecond
)

func newTestSession(t *testing.T, audio AudioOptions) *Native {
	t.Helper()
	audio.LoopbackOnly = true
	n, err := NewNative(Options{ICEGatherTimeout: time.Second}, audio)
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Close() })
	return n
}

// negotiate runs one offer/answer from a to b and returns the SDPs.
func negotiate(t *testing.T, a, b *Native, opts OfferOptions, answerDir Direction) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	offer, err := a.CreateOffer(ctx, opts)
	require.NoError(t, err)
	answer, err := b.CreateAnswer(ctx, offer, answerDir)
	require.NoError(t, err)
	require.NoError(t, a.SetRemoteAnswer(answer))
	return offer, answer
}

// withoutOpus returns s without Opus and telephone-event/48000 in its
// audio section: what an endpoint that speaks G.711 only sends.
func withoutOpus(t *testing.T, s string) string {
	t.Helper()
	var sd sdp.SessionDescription
	require.NoError(t, sd.UnmarshalString(s))
	for _, m := range sd.MediaDescriptions {
		drop := map[string]bool{}
		for _, a := range m.Attributes {
			if a.Key == "rtpmap" {
				if pt, kind, ok := parseRTPMap(a.Value); ok && (kind == payloadOpus || kind == payloadEvent48) {
					drop[strconv.Itoa(int(pt))] = true
				}
			}
		}
		m.MediaName.Formats = slices.DeleteFunc(m.MediaName.Formats, func(f string) bool { return drop[f] })
		m.Attributes = slices.DeleteFunc(m.Attributes, func(a sdp.Attribute) bool {
			pt, _, _ := strings.Cut(a.Value, " ")
			return (a.Key == "rtpmap" || a.Key == "fmtp") && drop[pt]
		})
	}
	b, err := sd.Marshal()
	require.NoError(t, err)
	return string(b)
}

// negotiateG711 runs one offer/answer from a to b as if b spoke G.711
// only (with or without the build tag opus), and returns the SDPs.
func negotiateG711(t *testing.T, a, b *Native) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	offer, err := a.CreateOffer(ctx, OfferOptions{})
	require.NoError(t, err)
	offer = withoutOpus(t, offer)
	answer, err := b.CreateAnswer(ctx, offer, "")
	require.NoError(t, err)
	require.NoError(t, a.SetRemoteAnswer(answer))
	return offer, answer
}

// rtpLog records received packets (an OnRTP function).
type rtpLog struct {
	mu      sync.Mutex
	packets []rtp.Packet
}

func (l *rtpLog) add(p *rtp.Packet) {
	c := rtp.Packet{Header: p.Header, Payload: slices.Clone(p.Payload)}
	l.mu.Lock()
	l.packets = append(l.packets, c)
	l.mu.Unlock()
}

// of returns the packets with payload type pt.
func (l *rtpLog) of(pt uint8) []rtp.Packet {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []rtp.Packet
	for _, p := range l.packets {
		if p.PayloadType == pt {
			out = append(out, p)
		}
	}
	return out
}

// assertClock checks that consecutive packets advance the timestamp by
// step.
func assertClock(t *testing.T, packets []rtp.Packet, step uint32) {
	t.Helper()
	require.Greater(t, len(packets), 5)
	checked := 0
	for i := 1; i < len(packets); i++ {
		if packets[i].SequenceNumber-packets[i-1].SequenceNumber == 1 {
			assert.Equal(t, step, packets[i].Timestamp-packets[i-1].Timestamp, "packet %d", i)
			checked++
		}
	}
	assert.Greater(t, checked, 3)
}

func statsOf(t *testing.T, n *Native) Stats {
	t.Helper()
	s, err := n.Stats(context.Background())
	require.NoError(t, err)
	return s
}

// received returns a's received-packet counter as a function.
func received(t *testing.T, n *Native) func() uint64 {
	return func() uint64 { return statsOf(t, n).PacketsReceived }
}

// waitGrowing waits until get grows by at least by packets.
func waitGrowing(t *testing.T, get func() uint64, by uint64, msg string) {
	t.Helper()
	start := get()
	require.Eventually(t, func() bool { return get() >= start+by }, flowTimeout, poll, msg)
}

// waitStalled waits until get stays unchanged for quiet.
func waitStalled(t *testing.T, get func() uint64, quiet time.Duration, msg string) {
	t.Helper()
	last, since := get(), time.Now()
	deadline := time.Now().Add(flowTimeout)
	for time.Now().Before(deadline) {
		time.Sleep(poll)
		if v := get(); v != last {
			last, since = v, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
	}
	t.Fatalf("%s: counter still growing (%d)", msg, last)
}

func waitLevel(t *testing.T, n *Native, ok func(float64) bool, msg string) {
	t.Helper()
	var last float64
	require.Eventually(t, func() bool {
		last = statsOf(t, n).AudioLevel
		return ok(last)
	}, flowTimeout, poll, "%s (level %.4f)", msg, last)
}

// connected sets up a call a -> b and waits until audio flows both ways.
func connected(t *testing.T, aOpts, bOpts AudioOptions) (*Native, *Native) {
	t.Helper()
	a, b := newTestSession(t, aOpts), newTestSession(t, bOpts)
	negotiate(t, a, b, OfferOptions{}, "")
	waitGrowing(t, received(t, a), 10, "a receives")
	waitGrowing(t, received(t, b), 10, "b receives")
	return a, b
}

func TestNativeToneFlowsAndMute(t *testing.T) {
	var mu sync.Mutex
	var states []ConnectionState
	a, b := newTestSession(t, AudioOptions{}), newTestSession(t, AudioOptions{ToneFrequency: 1000})
	a.OnState(func(s ConnectionState) {
		mu.Lock()
		states = append(states, s)
		mu.Unlock()
	})
	offer, answer := negotiate(t, a, b, OfferOptions{}, "")
	assert.Contains(t, offer, "a=candidate:")
	assert.Contains(t, offer, "127.0.0.1")
	assert.Contains(t, offer, "telephone-event/8000")
	if opusSupported {
		assert.Contains(t, offer, "a=rtpmap:111 opus/48000/2")
	} else {
		assert.NotContains(t, offer, "opus")
	}
	assert.Contains(t, answer, "PCMU/8000")

	// A 0.25 full-scale sine has an RMS of 0.25/√2 ≈ 0.18.
	tone := func(l float64) bool { return l > 0.15 && l < 0.2 }
	waitLevel(t, b, tone, "b hears a's tone")
	waitLevel(t, a, tone, "a hears b's tone")
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(states) > 0 && states[len(states)-1] == StateConnected
	}, flowTimeout, poll, "a reports connected")

	a.SetMuted(true)
	waitLevel(t, b, func(l float64) bool { return l < 0.001 }, "a muted: b hears silence")
	waitGrowing(t, received(t, b), 10, "muted a still sends (silence)")
	a.SetMuted(false)
	waitLevel(t, b, tone, "a unmuted")

	s := statsOf(t, a)
	assert.NotZero(t, s.PacketsSent)
	assert.NotZero(t, s.BytesSent)
	assert.NotZero(t, s.BytesRecv)
	assert.Zero(t, s.PacketsLost)
}

func TestNativeStatsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for RTCP reports")
	}
	a, _ := connected(t, AudioOptions{}, AudioOptions{})
	// Sender reports go out about once a second; the RTT needs one
	// report each way.
	require.Eventually(t, func() bool { return statsOf(t, a).RoundTripTime > 0 }, 6*time.Second, 100*time.Millisecond)
	assert.Less(t, statsOf(t, a).RoundTripTime, 500*time.Millisecond)
}

type dtmfRecord struct {
	tone     rune
	duration time.Duration
}

func TestNativeDTMF(t *testing.T) {
	a, b := connected(t, AudioOptions{}, AudioOptions{})
	var mu sync.Mutex
	var got []dtmfRecord
	b.OnDTMF(func(tone rune, d time.Duration) {
		mu.Lock()
		got = append(got, dtmfRecord{tone, d})
		mu.Unlock()
	})

	require.ErrorIs(t, a.SendDTMF("12x", 0, 0), ErrInvalidTone)
	require.NoError(t, a.SendDTMF("123#", 100*time.Millisecond, 70*time.Millisecond))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 4
	}, flowTimeout, poll)
	time.Sleep(200 * time.Millisecond) // nothing more (no duplicate, nothing from "12x")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 4)
	for i, want := range "123#" {
		assert.Equal(t, want, got[i].tone)
		assert.Equal(t, 100*time.Millisecond, got[i].duration)
	}
}

func TestNativeHold(t *testing.T) {
	a, b := connected(t, AudioOptions{}, AudioOptions{})

	// a holds: it offers sendonly, b answers recvonly and stops sending.
	offer, answer := negotiate(t, a, b, OfferOptions{Direction: SendOnly}, "")
	d, err := RemoteDirection(offer)
	require.NoError(t, err)
	assert.Equal(t, SendOnly, d)
	d, err = RemoteDirection(answer)
	require.NoError(t, err)
	assert.Equal(t, RecvOnly, d)
	assert.Equal(t, SendOnly, a.Direction())
	assert.Equal(t, RecvOnly, b.Direction())

	waitStalled(t, received(t, a), 300*time.Millisecond, "a on hold: b must stop sending")
	waitGrowing(t, received(t, b), 10, "a keeps sending")
	require.ErrorIs(t, b.SendDTMF("1", 0, 0), ErrNotSending)

	// Even answering "sendrecv" cannot widen a sendonly offer.
	_, answer = negotiate(t, a, b, OfferOptions{Direction: SendOnly}, SendRecv)
	d, _ = RemoteDirection(answer)
	assert.Equal(t, RecvOnly, d)

	// Both on hold: inactive is answered inactive; nothing flows.
	_, answer = negotiate(t, a, b, OfferOptions{Direction: Inactive}, "")
	d, _ = RemoteDirection(answer)
	assert.Equal(t, Inactive, d)
	waitStalled(t, received(t, b), 300*time.Millisecond, "inactive: a must stop sending")

	// Unhold restores the flow both ways.
	negotiate(t, a, b, OfferOptions{}, "")
	assert.Equal(t, SendRecv, a.Direction())
	waitGrowing(t, received(t, a), 10, "unhold: a receives again")
	waitGrowing(t, received(t, b), 10, "unhold: b receives again")
	waitLevel(t, a, func(l float64) bool { return l > 0.15 }, "unhold: a hears b's tone")

	// The answerer can hold too: b answers a sendrecv offer recvonly.
	_, answer = negotiate(t, a, b, OfferOptions{}, RecvOnly)
	d, _ = RemoteDirection(answer)
	assert.Equal(t, RecvOnly, d)
	waitStalled(t, received(t, a), 300*time.Millisecond, "b answered recvonly: b must stop sending")
}

func iceUfrag(t *testing.T, sdp string) string {
	t.Helper()
	for line := range strings.SplitSeq(sdp, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "a=ice-ufrag:"); ok {
			return v
		}
	}
	t.Fatal("no ice-ufrag")
	return ""
}

func TestNativeICERestart(t *testing.T) {
	a, b := newTestSession(t, AudioOptions{}), newTestSession(t, AudioOptions{})
	offer1, answer1 := negotiate(t, a, b, OfferOptions{}, "")
	waitGrowing(t, received(t, a), 10, "a receives")
	waitGrowing(t, received(t, b), 10, "b receives")

	offer2, answer2 := negotiate(t, a, b, OfferOptions{ICERestart: true}, "")
	assert.NotEqual(t, iceUfrag(t, offer1), iceUfrag(t, offer2), "the offer restarts ICE")
	assert.NotEqual(t, iceUfrag(t, answer1), iceUfrag(t, answer2), "the answer restarts ICE")
	assert.Contains(t, offer2, "a=candidate:")
	assert.Contains(t, answer2, "a=candidate:")

	waitGrowing(t, received(t, a), 25, "a receives after the restart")
	waitGrowing(t, received(t, b), 25, "b receives after the restart")

	// A re-offer without restart keeps the credentials.
	offer3, _ := negotiate(t, a, b, OfferOptions{}, "")
	assert.Equal(t, iceUfrag(t, offer2), iceUfrag(t, offer3))
	waitGrowing(t, received(t, b), 10, "b receives after a plain re-offer")
}

func TestNativeRollback(t *testing.T) {
	a, b := connected(t, AudioOptions{}, AudioOptions{})
	ctx := context.Background()

	// A hold re-offer that failed (say 491) is rolled back: nothing changed.
	offer, err := a.CreateOffer(ctx, OfferOptions{Direction: SendOnly})
	require.NoError(t, err)
	d, _ := RemoteDirection(offer)
	require.Equal(t, SendOnly, d)
	require.NoError(t, a.Rollback())
	require.NoError(t, a.Rollback(), "rolling back in stable is a no-op")
	assert.Equal(t, SendRecv, a.Direction())
	waitGrowing(t, received(t, a), 10, "a still receives after the rollback")

	// The answer to the dropped offer cannot be applied any more.
	answer, err := b.CreateAnswer(ctx, offer, "")
	require.NoError(t, err)
	require.Error(t, a.SetRemoteAnswer(answer))
	// b did answer recvonly: restore b with a fresh negotiation from a.
	negotiate(t, a, b, OfferOptions{}, "")
	waitGrowing(t, received(t, a), 10, "flows after the next offer/answer")
	waitGrowing(t, received(t, b), 10, "flows after the next offer/answer")

	// A glare: b's offer is outstanding when a's offer arrives; b
	// answers it (dropping its own offer), and a later offer from b works.
	_, err = b.CreateOffer(ctx, OfferOptions{Direction: SendOnly})
	require.NoError(t, err)
	negotiate(t, a, b, OfferOptions{}, "")
	negotiate(t, b, a, OfferOptions{}, "")
	assert.Equal(t, SendRecv, b.Direction())
	waitGrowing(t, received(t, a), 10, "flows after glare")
	waitGrowing(t, received(t, b), 10, "flows after glare")
}

func TestNativeInitialOfferRollbackFails(t *testing.T) {
	a := newTestSession(t, AudioOptions{})
	_, err := a.CreateOffer(context.Background(), OfferOptions{})
	require.NoError(t, err)
	require.Error(t, a.Rollback())
}

func TestNativeEchoWithRawRTP(t *testing.T) {
	// b is an echo service: it sends back what it receives.
	var b *Native
	var echoed sync.WaitGroup
	echoed.Add(1)
	var once sync.Once
	b = newTestSession(t, AudioOptions{NoSource: true, OnRTP: func(p *rtp.Packet) {
		if err := b.WriteRTP(p); err == nil {
			once.Do(echoed.Done)
		}
	}})
	a := newTestSession(t, AudioOptions{PreferPCMA: true, ToneFrequency: 300})
	_, answer := negotiate(t, a, b, OfferOptions{}, "")
	formats := "8 0 101"
	if opusSupported {
		formats = "111 8 0 110 101"
	}
	assert.Regexp(t, `m=audio \d+ \S+ `+formats+`\r`, answer, "b follows a's codec preference")

	waitLevel(t, a, func(l float64) bool { return l > 0.15 }, "a hears its own tone echoed")
	echoed.Wait()
	assert.Greater(t, statsOf(t, b).AudioLevel, 0.15, "b measures what it echoes")
}

func TestNativeSourceAndSink(t *testing.T) {
	var mu sync.Mutex
	var got []int16
	frame := make([]int16, frameSamples)
	for i := range frame {
		frame[i] = 8000 // a square-ish constant: RMS 8000/32768
		if i%2 == 1 {
			frame[i] = -8000
		}
	}
	a := newTestSession(t, AudioOptions{Source: func() []int16 { return frame[:100] }})
	b := newTestSession(t, AudioOptions{Sink: func(pcm []int16) {
		mu.Lock()
		got = append(got, pcm...)
		mu.Unlock()
	}})
	// G.711 carries the samples as they are (Opus would not).
	negotiateG711(t, a, b)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 10*frameSamples
	}, flowTimeout, poll)
	mu.Lock()
	defer mu.Unlock()
	// Each packet holds 100 samples of ±8000 (after G.711, within a
	// step) and 60 of silence.
	first := got[:frameSamples]
	for i := range 100 {
		assert.InDelta(t, 8000, abs(int(first[i])), 260, "sample %d", i)
	}
	for i := 100; i < frameSamples; i++ {
		assert.Zero(t, first[i])
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestNativeRejectsUnusableSDP(t *testing.T) {
	n := newTestSession(t, AudioOptions{})
	ctx := context.Background()
	_, err := n.CreateAnswer(ctx, sdpNoAudio, "")
	require.ErrorIs(t, err, ErrNoMedia)
	_, err = n.CreateAnswer(ctx, sdpG722Only, "")
	require.ErrorIs(t, err, ErrNoMedia)
	if !opusSupported {
		_, err = n.CreateAnswer(ctx, sdpOpusOnly, "")
		require.ErrorIs(t, err, ErrNoMedia)
	}
	_, err = n.CreateAnswer(ctx, "not sdp", "")
	require.Error(t, err)
	_, err = n.CreateAnswer(ctx, sdpSendOnlySession, "bogus")
	require.Error(t, err)
	require.Error(t, n.SetRemoteAnswer(sdpSendOnlySession), "no offer outstanding")
	require.ErrorIs(t, n.SendDTMF("1", 0, 0), ErrNoTelephoneEvent, "not negotiated yet")
}

func TestNativeSDPHelpersOnPionSDP(t *testing.T) {
	a, b := newTestSession(t, AudioOptions{}), newTestSession(t, AudioOptions{})
	ctx := context.Background()
	offer, err := a.CreateOffer(ctx, OfferOptions{Direction: RecvOnly})
	require.NoError(t, err)
	assert.True(t, HasAudio(offer))
	d, err := RemoteDirection(offer)
	require.NoError(t, err)
	assert.Equal(t, RecvOnly, d)
	answer, err := b.CreateAnswer(ctx, offer, "")
	require.NoError(t, err)
	d, err = RemoteDirection(answer)
	require.NoError(t, err)
	assert.Equal(t, SendOnly, d)
	require.NoError(t, a.SetRemoteAnswer(answer))
	assert.Equal(t, RecvOnly, a.Direction())
	assert.Equal(t, SendOnly, b.Direction())
	// a recvonly offerer sends nothing; b does.
	waitGrowing(t, received(t, a), 10, "b sends to a")
	assert.Zero(t, statsOf(t, a).PacketsSent)
}

func TestNativeCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		a, err := NewNative(Options{}, AudioOptions{LoopbackOnly: true})
		require.NoError(t, err)
		b, err := NewNative(Options{}, AudioOptions{LoopbackOnly: true})
		require.NoError(t, err)
		negotiate(t, a, b, OfferOptions{}, "")
		waitGrowing(t, received(t, a), 10, "a receives")
		waitGrowing(t, received(t, b), 10, "b receives")
		require.NoError(t, a.SendDTMF("1,2", 0, 0))
		require.NoError(t, a.Close())
		require.NoError(t, a.Close(), "Close is idempotent")
		require.NoError(t, b.Close())
		_, err = a.Stats(context.Background())
		require.ErrorIs(t, err, ErrClosed)
		_, err = a.CreateOffer(context.Background(), OfferOptions{})
		require.ErrorIs(t, err, ErrClosed)
		require.ErrorIs(t, a.SendDTMF("1", 0, 0), ErrClosed)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(poll)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf)
	}
}

func TestNativeGatherTimeout(t *testing.T) {
	// A STUN server that never answers (on loopback) keeps gathering
	// going for pion's STUN timeout (seconds); the offer comes after
	// ICEGatherTimeout with the host candidate gathered so far.
	blackhole, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer blackhole.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := blackhole.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	n, err := NewNative(Options{
		ICEServers:       []ICEServer{{URLs: []string{"stun:" + blackhole.LocalAddr().String()}}},
		ICEGatherTimeout: 300 * time.Millisecond,
	}, AudioOptions{LoopbackOnly: true})
	require.NoError(t, err)
	defer n.Close()

	start := time.Now()
	offer, err := n.CreateOffer(context.Background(), OfferOptions{})
	require.NoError(t, err)
	elapsed := time.Since(start)
	assert.GreaterOrEqual(t, elapsed, 250*time.Millisecond)
	assert.Less(t, elapsed, 2*time.Second)
	assert.Contains(t, offer, "typ host")
	assert.NotContains(t, offer, "a=end-of-candidates", "gathering had not finished")

	// A cancelled context ends the wait too.
	m, err := NewNative(Options{
		ICEServers:       []ICEServer{{URLs: []string{"stun:" + blackhole.LocalAddr().String()}}},
		ICEGatherTimeout: 10 * time.Second,
	}, AudioOptions{LoopbackOnly: true})
	require.NoError(t, err)
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = m.CreateOffer(ctx, OfferOptions{})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestNativeEchoRelaysOpus(t *testing.T) {
	// An echo service (NoSource) answering a browser-like offer that
	// prefers Opus takes Opus, and relays the packets untouched.
	var b *Native
	b = newTestSession(t, AudioOptions{NoSource: true, OnRTP: func(p *rtp.Packet) { _ = b.WriteRTP(p) }})

	me := &webrtc.MediaEngine{}
	require.NoError(t, me.RegisterDefaultCodecs())
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	loopback := func(ip net.IP) bool { return ip.IsLoopback() }
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(loopback)
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "caller")
	require.NoError(t, err)
	_, err = pc.AddTrack(track)
	require.NoError(t, err)
	echoes := make(chan *rtp.Packet, 64)
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			select {
			case echoes <- p:
			default:
			}
		}
	})
	offer, err := pc.CreateOffer(nil)
	require.NoError(t, err)
	gathered := webrtc.GatheringCompletePromise(pc)
	require.NoError(t, pc.SetLocalDescription(offer))
	<-gathered

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	answer, err := b.CreateAnswer(ctx, pc.LocalDescription().SDP, "")
	require.NoError(t, err)
	assert.Regexp(t, `m=audio \d+ \S+ 111[ \r]`, answer, "the echo prefers Opus")
	assert.Contains(t, answer, "a=rtpmap:111 opus/48000/2")
	require.NoError(t, pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}))

	payload := []byte{0xfc, 0xff, 0xfe, 0x42}
	deadline := time.After(flowTimeout)
	for ts := uint32(0); ; ts += 960 {
		require.NoError(t, track.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, Timestamp: ts}, Payload: payload}))
		select {
		case p := <-echoes:
			assert.Equal(t, uint8(111), p.PayloadType)
			assert.Equal(t, payload, p.Payload)
			if !opusSupported {
				assert.Zero(t, statsOf(t, b).AudioLevel, "Opus is relayed, not decoded")
			}
			return
		case <-deadline:
			t.Fatal("no Opus packet came back")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// pionPeer is a plain pion peer connection on loopback standing for
// another endpoint (a browser, a SIP phone): it sends what the test writes
// on its track and logs what it receives.
type pionPeer struct {
	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticRTP
	got   rtpLog
}

// newPionPeer makes a peer with the codecs (pion's defaults when nil)
// whose track sends send.
func newPionPeer(t *testing.T, codecs []webrtc.RTPCodecParameters, send webrtc.RTPCodecCapability) *pionPeer {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if codecs == nil {
		require.NoError(t, me.RegisterDefaultCodecs())
	}
	for _, c := range codecs {
		require.NoError(t, me.RegisterCodec(c, webrtc.RTPCodecTypeAudio))
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	loopback := func(ip net.IP) bool { return ip.IsLoopback() }
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(loopback)
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	p := &pionPeer{pc: pc}
	p.track, err = webrtc.NewTrackLocalStaticRTP(send, "audio", "peer")
	require.NoError(t, err)
	_, err = pc.AddTrack(p.track)
	require.NoError(t, err)
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			p.got.add(pkt)
		}
	})
	return p
}

// setLocal sets the peer's local description and returns it with its
// candidates.
func (p *pionPeer) setLocal(t *testing.T, d webrtc.SessionDescription) string {
	t.Helper()
	gathered := webrtc.GatheringCompletePromise(p.pc)
	require.NoError(t, p.pc.SetLocalDescription(d))
	<-gathered
	return p.pc.LocalDescription().SDP
}

// answer answers an offer.
func (p *pionPeer) answer(t *testing.T, offer string) string {
	t.Helper()
	require.NoError(t, p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}))
	answer, err := p.pc.CreateAnswer(nil)
	require.NoError(t, err)
	return p.setLocal(t, answer)
}

// offer makes an offer; the answer goes to setAnswer.
func (p *pionPeer) offer(t *testing.T) string {
	t.Helper()
	offer, err := p.pc.CreateOffer(nil)
	require.NoError(t, err)
	return p.setLocal(t, offer)
}

func (p *pionPeer) setAnswer(t *testing.T, answer string) {
	t.Helper()
	require.NoError(t, p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}))
}

// sendTone writes a packet of what encode returns every 20 ms until the
// test ends, the timestamp advancing by step.
func (p *pionPeer) sendTone(t *testing.T, pt uint8, step uint32, encode func() []byte) {
	done := make(chan struct{})
	finished := make(chan struct{})
	t.Cleanup(func() { close(done); <-finished })
	go func() {
		defer close(finished)
		tick := time.NewTicker(frameDuration)
		defer tick.Stop()
		h := rtp.Header{Version: 2, PayloadType: pt}
		for ; ; h.SequenceNumber, h.Timestamp = h.SequenceNumber+1, h.Timestamp+step {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			_ = p.track.WriteRTP(&rtp.Packet{Header: h, Payload: encode()})
		}
	}()
}

var (
	codecPCMU = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000},
		PayloadType:        0,
	}
	codecEvent8000 = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mimeTelephoneEvent, ClockRate: 8000, SDPFmtpLine: "0-16"},
		PayloadType:        101,
	}
)

// TestNativeG711PeerGetsG711 checks that an endpoint speaking G.711 only
// gets G.711, whether it offers or answers, with or without the build tag
// opus: 8 kHz timestamps, telephone-event/8000.
func TestNativeG711PeerGetsG711(t *testing.T) {
	t.Run("offer", func(t *testing.T) {
		var fromA rtpLog
		a := newTestSession(t, AudioOptions{})
		b := newTestSession(t, AudioOptions{ToneFrequency: 1000, OnRTP: fromA.add})
		_, answer := negotiateG711(t, a, b)
		assert.Regexp(t, `m=audio \d+ \S+ 0 8 101\r`, answer)
		assert.NotContains(t, answer, "opus")
		for _, n := range []*Native{a, b} {
			bnd := n.track.binding()
			assert.Equal(t, payloadPCMU, bnd.audio)
			assert.Equal(t, 101, bnd.eventPT)
			assert.Equal(t, 8000, bnd.eventRate)
		}
		tone := func(l float64) bool { return l > 0.15 && l < 0.2 }
		waitLevel(t, b, tone, "b hears a's tone")
		waitLevel(t, a, tone, "a hears b's tone")
		waitGrowing(t, received(t, b), 10, "b receives")
		assertClock(t, fromA.of(0), frameSamples)

		var mu sync.Mutex
		var got []dtmfRecord
		b.OnDTMF(func(tone rune, d time.Duration) {
			mu.Lock()
			got = append(got, dtmfRecord{tone, d})
			mu.Unlock()
		})
		require.NoError(t, a.SendDTMF("7", 100*time.Millisecond, 0))
		require.Eventually(t, func() bool { return len(fromA.of(101)) == 7 }, flowTimeout, poll)
		end, ok := parseTelephoneEvent(fromA.of(101)[6].Payload)
		require.True(t, ok)
		assert.Equal(t, uint16(800), end.duration, "8 kHz units")
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []dtmfRecord{{'7', 100 * time.Millisecond}}, got)
	})

	t.Run("answer", func(t *testing.T) {
		peer := newPionPeer(t, []webrtc.RTPCodecParameters{codecPCMU, codecEvent8000}, codecPCMU.RTPCodecCapability)
		a := newTestSession(t, AudioOptions{})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		offer, err := a.CreateOffer(ctx, OfferOptions{})
		require.NoError(t, err)
		answer := peer.answer(t, offer)
		assert.NotContains(t, answer, "opus")
		require.NoError(t, a.SetRemoteAnswer(answer))
		assert.Equal(t, payloadPCMU, a.track.binding().audio)

		g := newToneGen(440, 0.25)
		frame := make([]int16, frameSamples)
		peer.sendTone(t, 0, frameSamples, func() []byte { g.fill(frame); return EncodePCMU(nil, frame) })
		waitLevel(t, a, func(l float64) bool { return l > 0.15 && l < 0.2 }, "a hears the peer")
		require.Eventually(t, func() bool { return len(peer.got.of(0)) > 10 }, flowTimeout, poll, "the peer gets PCMU")
		assertClock(t, peer.got.of(0), frameSamples)
		assert.Len(t, peer.got.of(0)[0].Payload, frameSamples)
	})
}

//go:build !(js && wasm)

package media

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
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
	assert.NotContains(t, offer, "opus")
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
	assert.Regexp(t, `m=audio \d+ \S+ 8 0 101`, answer, "b follows a's codec preference")

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
	negotiate(t, a, b, OfferOptions{}, "")
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
	_, err = n.CreateAnswer(ctx, sdpOpusOnly, "")
	require.ErrorIs(t, err, ErrNoMedia)
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
			assert.Zero(t, statsOf(t, b).AudioLevel, "Opus is relayed, not decoded")
			return
		case <-deadline:
			t.Fatal("no Opus packet came back")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

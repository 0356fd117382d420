//go:build opus && cgo && !js

package media

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opusLevel encodes frames of the tone with Opus, decodes them, and
// returns the level of the decoded audio once the codec has settled, and
// the largest packet.
func opusLevel(t *testing.T, fill func([]int16)) (float64, int) {
	t.Helper()
	enc, err := newOpusEncoder()
	require.NoError(t, err)
	defer enc.close()
	dec, err := newOpusDecoder()
	require.NoError(t, err)
	defer dec.close()
	m := newLevelMeter(levelWindow)
	frame := make([]int16, frameSamples)
	now := time.Unix(0, 0)
	largest := 0
	for i := range 50 {
		fill(frame)
		packet, err := enc.encode(frame)
		require.NoError(t, err)
		largest = max(largest, len(packet))
		pcm, err := dec.decode(packet)
		require.NoError(t, err)
		require.Len(t, pcm, frameSamples, "20 ms at 8 kHz")
		if i >= 10 {
			m.add(pcm, now)
		}
	}
	return m.Level(now, levelStale), largest
}

func TestOpusToneRoundTrip(t *testing.T) {
	for _, freq := range []float64{440, 1000} {
		g := newToneGen(freq, 0.25)
		level, largest := opusLevel(t, g.fill)
		assert.InDelta(t, 0.25/math.Sqrt2, level, 0.015, "%v Hz", freq)
		assert.Less(t, largest, frameSamples/2, "Opus takes less than half of G.711")
	}
	level, largest := opusLevel(t, func(f []int16) { clear(f) })
	assert.Less(t, level, 0.001, "silence")
	assert.Less(t, largest, 10)
}

func TestOpusErrors(t *testing.T) {
	enc, err := newOpusEncoder()
	require.NoError(t, err)
	_, err = enc.encode(make([]int16, 100))
	assert.ErrorContains(t, err, "opus_encode")
	enc.close()
	enc.close()
	_, err = enc.encode(make([]int16, frameSamples))
	assert.ErrorIs(t, err, ErrClosed)

	dec, err := newOpusDecoder()
	require.NoError(t, err)
	// Code 3 (an arbitrary number of frames) with a count of 0.
	_, err = dec.decode([]byte{0x03, 0x00})
	assert.EqualError(t, err, "media: opus_decode: corrupted stream", "libopus's own text")
	_, err = dec.decode(nil)
	assert.Error(t, err)
	dec.close()
	dec.close()
	_, err = dec.decode([]byte{0xf8, 0xff, 0xfe})
	assert.ErrorIs(t, err, ErrClosed)
}

func TestNativeOpusNegotiated(t *testing.T) {
	var fromA, fromB rtpLog
	a := newTestSession(t, AudioOptions{OnRTP: fromB.add})
	b := newTestSession(t, AudioOptions{ToneFrequency: 1000, OnRTP: fromA.add})
	offer, answer := negotiate(t, a, b, OfferOptions{}, "")
	for _, s := range []string{offer, answer} {
		assert.Regexp(t, `m=audio \d+ \S+ 111 0 8 110 101\r`, s, "Opus first")
		assert.Contains(t, s, "a=rtpmap:111 opus/48000/2\r\n")
		assert.Contains(t, s, "a=fmtp:111 minptime=10;useinbandfec=1\r\n")
		assert.Contains(t, s, "a=rtpmap:110 telephone-event/48000\r\n")
		assert.Contains(t, s, "a=rtpmap:101 telephone-event/8000\r\n")
	}
	for _, n := range []*Native{a, b} {
		bnd := n.track.binding()
		assert.True(t, bnd.ok)
		assert.Equal(t, payloadOpus, bnd.audio)
		assert.Equal(t, uint8(111), bnd.audioPT)
		assert.Equal(t, 110, bnd.eventPT, "the events that go with Opus")
		assert.Equal(t, 48000, bnd.eventRate)
	}

	// A 0.25 full-scale sine has an RMS of 0.25/√2 ≈ 0.18, after Opus too.
	tone := func(l float64) bool { return l > 0.15 && l < 0.2 }
	waitLevel(t, b, tone, "b hears a's tone through Opus")
	waitLevel(t, a, tone, "a hears b's tone through Opus")
	waitGrowing(t, received(t, a), 10, "a receives")
	waitGrowing(t, received(t, b), 10, "b receives")
	assertClock(t, fromA.of(111), 960)
	assertClock(t, fromB.of(111), 960)
	assert.Empty(t, fromA.of(0), "no G.711")
	assert.Less(t, statsOf(t, a).BytesSent/statsOf(t, a).PacketsSent, uint64(frameSamples/2), "Opus-sized packets")
}

func TestNativeOpusDTMF(t *testing.T) {
	var fromA rtpLog
	var mu sync.Mutex
	var got []dtmfRecord
	a := newTestSession(t, AudioOptions{})
	b := newTestSession(t, AudioOptions{OnRTP: fromA.add})
	negotiate(t, a, b, OfferOptions{}, "")
	waitGrowing(t, received(t, b), 10, "b receives")
	b.OnDTMF(func(tone rune, d time.Duration) {
		mu.Lock()
		got = append(got, dtmfRecord{tone, d})
		mu.Unlock()
	})
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}

	require.NoError(t, a.SendDTMF("5", 100*time.Millisecond, 0))
	require.Eventually(t, func() bool { return count() == 1 }, flowTimeout, poll)
	require.Eventually(t, func() bool { return len(fromA.of(110)) == 7 }, flowTimeout, poll,
		"5 packets of 20 ms, 2 more end packets")
	events := fromA.of(110)
	assert.Empty(t, fromA.of(101), "not the 8 kHz events")
	for i, p := range events {
		ev, ok := parseTelephoneEvent(p.Payload)
		require.True(t, ok)
		assert.Equal(t, uint16(min(i+1, 5)*960), ev.duration, "48 kHz units, packet %d", i)
		assert.Equal(t, events[0].Timestamp, p.Timestamp)
	}

	// A tone longer than the 16-bit duration holds at 48 kHz (1.36 s)
	// goes in segments and arrives as one tone.
	require.NoError(t, a.SendDTMF("#", 2*time.Second, 0))
	require.Eventually(t, func() bool { return count() == 2 }, 2*flowTimeout, poll)
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []dtmfRecord{{'5', 100 * time.Millisecond}, {'#', 2 * time.Second}}, got)
}

func TestNativeOpusSourceAndSink(t *testing.T) {
	var mu sync.Mutex
	var frames [][]int16
	g := newToneGen(600, 0.5)
	frame := make([]int16, frameSamples)
	a := newTestSession(t, AudioOptions{Source: func() []int16 { g.fill(frame); return frame }})
	b := newTestSession(t, AudioOptions{Sink: func(pcm []int16) {
		mu.Lock()
		frames = append(frames, pcm)
		mu.Unlock()
	}})
	negotiate(t, a, b, OfferOptions{}, "")
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(frames) >= 30
	}, flowTimeout, poll)
	mu.Lock()
	defer mu.Unlock()
	for _, f := range frames {
		assert.Len(t, f, frameSamples, "8 kHz PCM, 20 ms a packet")
	}
	assert.InDelta(t, 0.5/math.Sqrt2, rms(frames[10:30]), 0.03, "the Source's level")
}

// rms returns the RMS level of frames, in [0, 1].
func rms(frames [][]int16) float64 {
	var sum float64
	n := 0
	for _, f := range frames {
		for _, s := range f {
			v := float64(s) / 32768
			sum += v * v
		}
		n += len(f)
	}
	return math.Sqrt(sum / float64(max(n, 1)))
}

// TestNativeOpusOnlyOffer answers an offer of Opus alone (a browser that
// dropped G.711): the answer takes Opus, audio flows and is measured both
// ways; without telephone-event, DTMF has to go by SIP INFO.
func TestNativeOpusOnlyOffer(t *testing.T) {
	opus := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2},
		PayloadType:        111,
	}
	peer := newPionPeer(t, []webrtc.RTPCodecParameters{opus}, opus.RTPCodecCapability)
	b := newTestSession(t, AudioOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	answer, err := b.CreateAnswer(ctx, peer.offer(t), "")
	require.NoError(t, err)
	assert.Regexp(t, `m=audio \d+ \S+ 111\r`, answer)
	peer.setAnswer(t, answer)

	enc, err := newOpusEncoder()
	require.NoError(t, err)
	t.Cleanup(enc.close) // after sendTone's cleanup, which stops its writes
	g := newToneGen(440, 0.25)
	frame := make([]int16, frameSamples)
	peer.sendTone(t, 111, 960, func() []byte {
		g.fill(frame)
		p, err := enc.encode(frame)
		if err != nil {
			return nil
		}
		return append([]byte(nil), p...)
	})
	tone := func(l float64) bool { return l > 0.15 && l < 0.2 }
	waitLevel(t, b, tone, "b measures the peer's Opus")

	require.Eventually(t, func() bool { return len(peer.got.of(111)) > 20 }, flowTimeout, poll, "the peer gets Opus")
	got := peer.got.of(111)
	assertClock(t, got, 960)
	dec, err := newOpusDecoder()
	require.NoError(t, err)
	defer dec.close()
	var frames [][]int16
	for _, p := range got {
		pcm, err := dec.decode(p.Payload)
		require.NoError(t, err)
		frames = append(frames, pcm)
	}
	assert.InDelta(t, 0.25/math.Sqrt2, rms(frames[10:]), 0.015, "the peer decodes b's tone")

	assert.ErrorIs(t, b.SendDTMF("1", 0, 0), ErrNoTelephoneEvent)
}

package media

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateTones(t *testing.T) {
	assert.NoError(t, ValidateTones(""))
	assert.NoError(t, ValidateTones("0123456789*#ABCDabcd,"))
	for _, bad := range []string{"E", "1 2", "x", "١"} {
		assert.ErrorIs(t, ValidateTones(bad), ErrInvalidTone, bad)
	}
	for i, r := range dtmfEvents {
		ev, ok := toneEvent(r)
		require.True(t, ok)
		assert.Equal(t, uint8(i), ev)
		back, ok := eventTone(ev)
		require.True(t, ok)
		assert.Equal(t, r, back)
	}
	_, ok := eventTone(16) // flash is not a DTMF tone
	assert.False(t, ok)
}

func TestDTMFTiming(t *testing.T) {
	d, g := DTMFTiming(0, 0)
	assert.Equal(t, 100*time.Millisecond, d)
	assert.Equal(t, 70*time.Millisecond, g)
	d, g = DTMFTiming(time.Millisecond, time.Millisecond)
	assert.Equal(t, 40*time.Millisecond, d)
	assert.Equal(t, 30*time.Millisecond, g)
	d, _ = DTMFTiming(time.Minute, 0)
	assert.Equal(t, 6*time.Second, d)
}

func TestTelephoneEventPayload(t *testing.T) {
	ev := telephoneEvent{event: 11, end: true, volume: 10, duration: 800}
	b := ev.marshal()
	assert.Equal(t, []byte{11, 0x80 | 10, 0x03, 0x20}, b)
	back, ok := parseTelephoneEvent(b)
	require.True(t, ok)
	assert.Equal(t, ev, back)
	_, ok = parseTelephoneEvent(b[:3])
	assert.False(t, ok)
}

type sentFrame struct {
	frame  int
	ts     uint32
	packet *eventPacket
	inTone bool
}

// play runs the sender until it is idle, a frame at a time, the
// timestamp advancing at the sender's audio clock.
func play(t *testing.T, d *dtmfSender, start uint32) []sentFrame {
	t.Helper()
	var out []sentFrame
	ts := start
	step, _ := d.steps()
	for i := 0; !d.idle(); i++ {
		require.Less(t, i, 10000)
		p, inTone := d.next(ts)
		out = append(out, sentFrame{i, ts, p, inTone})
		ts += uint32(step)
	}
	return out
}

// detect feeds what the sender sent to a detector, as a receiver sees it.
func detect(frames []sentFrame, rate int) []dtmfTone {
	var det dtmfDetector
	var got []dtmfTone
	for _, f := range frames {
		if f.packet != nil {
			got = append(got, det.event(f.packet.timestamp, f.packet.payload, rate)...)
		} else if tone, ok := det.audio(); ok {
			got = append(got, tone)
		}
	}
	return got
}

func TestDTMFPacketization(t *testing.T) {
	var d dtmfSender
	d.enqueue(dtmfSteps("1#", 100*time.Millisecond, 70*time.Millisecond))
	frames := play(t, &d, 0xfffffff0) // the timestamp wraps on the way

	var packets []sentFrame
	for _, f := range frames {
		if f.packet != nil {
			packets = append(packets, f)
			assert.True(t, f.inTone)
		}
	}
	// Per tone: 5 packets of 20 ms (the 5th with E), 2 more end packets.
	require.Len(t, packets, 14)
	for tone, want := range []uint8{1, 11} {
		ps := packets[tone*7 : tone*7+7]
		start := ps[0].ts
		for i, p := range ps {
			ev, ok := parseTelephoneEvent(p.packet.payload)
			require.True(t, ok)
			assert.Equal(t, want, ev.event)
			assert.Equal(t, uint8(dtmfVolume), ev.volume)
			assert.Equal(t, start, p.packet.timestamp, "one timestamp per event")
			assert.Equal(t, i == 0, p.packet.marker, "marker on the first packet only")
			assert.Equal(t, i >= 4, ev.end, "packet %d", i)
			assert.Equal(t, uint16(min(i+1, 5)*frameSamples), ev.duration, "packet %d", i)
			if i > 0 {
				assert.Equal(t, ps[i-1].frame+1, p.frame, "every 20 ms")
			}
		}
	}
	// The gap: 70 ms rounds up to 4 frames after the end packet, of
	// which the 2 retransmissions are part: 2 frames of audio between.
	gapFrames := packets[7].frame - packets[6].frame - 1
	assert.Equal(t, 2, gapFrames)
	for _, f := range frames[packets[6].frame+1 : packets[7].frame] {
		assert.False(t, f.inTone)
	}
}

func TestDTMFPause(t *testing.T) {
	var d dtmfSender
	d.enqueue(dtmfSteps("1,2", 40*time.Millisecond, 30*time.Millisecond))
	frames := play(t, &d, 0)
	var starts []int
	for _, f := range frames {
		if f.packet != nil && f.packet.marker {
			starts = append(starts, f.frame)
		}
	}
	require.Len(t, starts, 2)
	// tone (2 frames) + end retransmissions (2) + pause (100 frames).
	assert.Equal(t, 2+2+100, starts[1]-starts[0])
}

func TestDTMFSenderToDetector(t *testing.T) {
	var d dtmfSender
	d.enqueue(dtmfSteps("9*D", 160*time.Millisecond, 50*time.Millisecond))
	var det dtmfDetector
	var got []dtmfTone
	for _, f := range play(t, &d, 1234) {
		if f.packet != nil {
			got = append(got, det.event(f.packet.timestamp, f.packet.payload, sampleRate)...)
		} else if tone, ok := det.audio(); ok {
			got = append(got, tone)
		}
	}
	assert.Equal(t, []dtmfTone{{'9', 160 * time.Millisecond}, {'*', 160 * time.Millisecond}, {'D', 160 * time.Millisecond}}, got)
}

func TestDTMFDetectorLostEnds(t *testing.T) {
	var det dtmfDetector
	pkt := func(ev uint8, end bool, dur uint16) []byte {
		return telephoneEvent{event: ev, end: end, duration: dur}.marshal()
	}
	assert.Empty(t, det.event(1000, pkt(5, false, 160), sampleRate))
	assert.Empty(t, det.event(1000, pkt(5, false, 320), sampleRate))
	// The end packets of "5" were lost; "6" starts.
	got := det.event(2000, pkt(6, false, 160), sampleRate)
	assert.Equal(t, []dtmfTone{{'5', 40 * time.Millisecond}}, got)
	// Duplicates and reordering: an older duration does not shrink it.
	assert.Empty(t, det.event(2000, pkt(6, false, 480), sampleRate))
	assert.Empty(t, det.event(2000, pkt(6, false, 320), sampleRate))
	// Its end packets were lost too; audio resumes.
	tone, ok := det.audio()
	assert.True(t, ok)
	assert.Equal(t, dtmfTone{'6', 60 * time.Millisecond}, tone)
	_, ok = det.audio()
	assert.False(t, ok, "reported once")
	// A tone with an end is reported once, whatever the retransmissions.
	assert.Equal(t, []dtmfTone{{'#', 20 * time.Millisecond}}, det.event(3000, pkt(11, true, 160), sampleRate))
	assert.Empty(t, det.event(3000, pkt(11, true, 160), sampleRate))
	assert.Empty(t, det.event(3000, pkt(11, true, 160), sampleRate))
	// Non-DTMF events and short payloads are ignored.
	assert.Empty(t, det.event(4000, pkt(16, true, 160), sampleRate))
	assert.Empty(t, det.event(5000, []byte{1}, sampleRate))
}

func TestDTMFClocks(t *testing.T) {
	for _, c := range []struct {
		name        string
		audio, rate int
		endDuration uint16
	}{
		{"Opus, telephone-event/48000", 48000, 48000, 4800},
		{"Opus, telephone-event/8000", 48000, 8000, 800},
		{"G.711", 8000, 8000, 800},
	} {
		t.Run(c.name, func(t *testing.T) {
			var d dtmfSender
			d.setClocks(c.audio, c.rate)
			d.enqueue(dtmfSteps("3", 100*time.Millisecond, 0))
			tsStep, unitStep := d.steps()
			assert.Equal(t, c.audio/50, tsStep, "timestamps run at the audio clock")
			assert.Equal(t, c.rate/50, unitStep, "durations at the event's")
			frames := play(t, &d, 1000)
			var last telephoneEvent
			for _, f := range frames {
				if f.packet != nil {
					assert.Equal(t, uint32(1000), f.packet.timestamp)
					last, _ = parseTelephoneEvent(f.packet.payload)
				}
			}
			assert.True(t, last.end)
			assert.Equal(t, c.endDuration, last.duration, "in units of the event's clock")
			assert.Equal(t, []dtmfTone{{'3', 100 * time.Millisecond}}, detect(frames, c.rate))
		})
	}
}

func TestDTMFLongToneInSegments(t *testing.T) {
	// 6 s at 48 kHz is 288000 units, beyond the 16-bit duration field:
	// four full segments of 0xffff and a last one of 25860.
	var d dtmfSender
	d.setClocks(48000, 48000)
	d.enqueue(dtmfSteps("4", 6*time.Second, 0))
	frames := play(t, &d, 0xfffff000) // the timestamp wraps on the way

	var segments [][]telephoneEvent
	var starts []uint32
	markers := 0
	for _, f := range frames {
		if f.packet == nil {
			continue
		}
		if f.packet.marker {
			markers++
		}
		ev, ok := parseTelephoneEvent(f.packet.payload)
		require.True(t, ok)
		if len(starts) == 0 || starts[len(starts)-1] != f.packet.timestamp {
			starts = append(starts, f.packet.timestamp)
			segments = append(segments, nil)
		}
		segments[len(segments)-1] = append(segments[len(segments)-1], ev)
	}
	require.Len(t, segments, 5)
	assert.Equal(t, 1, markers, "the marker starts the event, not its segments")
	for i, seg := range segments {
		last := seg[len(seg)-1]
		if i < 4 {
			assert.Equal(t, uint16(0xffff), last.duration, "segment %d ends full", i)
			assert.False(t, last.end, "segment %d", i)
			assert.Equal(t, uint32(0xffff), starts[i+1]-starts[i], "the next segment starts where %d ended", i)
		} else {
			assert.Equal(t, uint16(288000-4*0xffff), last.duration)
			assert.True(t, last.end)
		}
		for j := 1; j < len(seg); j++ {
			assert.GreaterOrEqual(t, seg[j].duration, seg[j-1].duration)
		}
	}
	assert.Equal(t, []dtmfTone{{'4', 6 * time.Second}}, detect(frames, 48000), "one tone")

	// A tone whose last frame fills a segment sends its end packets in
	// a segment of their own.
	d.enqueue(dtmfSteps("5", 1380*time.Millisecond, 0)) // 69 frames: 66240 units
	frames = play(t, &d, 0)
	var ends []telephoneEvent
	for _, f := range frames {
		if f.packet != nil {
			if ev, _ := parseTelephoneEvent(f.packet.payload); ev.end {
				assert.Equal(t, uint32(0xffff), f.packet.timestamp)
				ends = append(ends, ev)
			}
		}
	}
	assert.Len(t, ends, dtmfEndPackets)
	assert.Equal(t, uint16(66240-0xffff), ends[0].duration)
	assert.Equal(t, []dtmfTone{{'5', 1380 * time.Millisecond}}, detect(frames, 48000))

	// A receiver that lost the full packet of a segment still joins
	// them by the timestamp; a new press of the same key is a new tone.
	var det dtmfDetector
	assert.Empty(t, det.event(5000, telephoneEvent{event: 4, duration: 0xff00}.marshal(), 48000))
	next := telephoneEvent{event: 4, duration: 960, end: true}.marshal()
	assert.Equal(t, []dtmfTone{{'4', (0xffff + 960) * time.Second / 48000}}, det.event(5000+0xffff, next, 48000))
	again := telephoneEvent{event: 4, duration: 4800, end: true}.marshal()
	assert.Equal(t, []dtmfTone{{'4', 100 * time.Millisecond}}, det.event(5000+0xffff+48000, again, 48000))
}

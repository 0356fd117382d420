package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of SendDTMF and of the sessions.
var (
	// ErrInvalidTone reports a character outside "0123456789*#ABCD,"
	// (lower-case a-d are accepted too); nothing is sent then.
	ErrInvalidTone = errors.New("media: invalid DTMF tone")
	// ErrNoTelephoneEvent reports that the negotiated audio has no
	// telephone-event payload type (or, in a browser, the sender has no
	// DTMF sender), so RFC 4733 tones cannot be sent: use SIP INFO.
	ErrNoTelephoneEvent = errors.New("media: telephone-event not negotiated")
	// ErrNotSending reports that the negotiated direction does not let us
	// send (we are on hold with recvonly or inactive audio).
	ErrNotSending = errors.New("media: audio is not being sent")
	// ErrClosed reports a call on a closed session.
	ErrClosed = errors.New("media: session closed")
)

// DTMF timing: the defaults and bounds are those of WebRTC's
// RTCDTMFSender.insertDTMF, so both implementations behave alike.
const (
	DefaultDTMFDuration = 100 * time.Millisecond
	DefaultDTMFGap      = 70 * time.Millisecond
	minDTMFDuration     = 40 * time.Millisecond
	maxDTMFDuration     = 6 * time.Second
	minDTMFGap          = 30 * time.Millisecond
	dtmfPause           = 2 * time.Second // ','
	dtmfEndPackets      = 3               // RFC 4733 §2.5.1.4
	dtmfVolume          = 10              // -10 dBm0
)

const dtmfEvents = "0123456789*#ABCD" // event codes 0-15 (RFC 4733 §3.2)

// toneEvent maps a DTMF character to its RFC 4733 event code.
func toneEvent(r rune) (uint8, bool) {
	if r >= 'a' && r <= 'd' {
		r -= 'a' - 'A'
	}
	i := strings.IndexRune(dtmfEvents, r)
	if i < 0 {
		return 0, false
	}
	return uint8(i), true
}

// eventTone maps an RFC 4733 event code 0-15 to its DTMF character.
func eventTone(e uint8) (rune, bool) {
	if int(e) >= len(dtmfEvents) {
		return 0, false
	}
	return rune(dtmfEvents[e]), true
}

// ValidateTones checks a tone string for SendDTMF: "0-9", "*", "#",
// "A-D" (or "a-d") and ',' (a two-second pause). The empty string is
// valid and sends nothing.
func ValidateTones(tones string) error {
	for i, r := range tones {
		if r == ',' {
			continue
		}
		if _, ok := toneEvent(r); !ok {
			return fmt.Errorf("%w %q at %d", ErrInvalidTone, r, i)
		}
	}
	return nil
}

// DTMFTiming returns the duration and gap SendDTMF uses for the ones
// asked for: zero means the default (100 ms, 70 ms), and the duration is
// kept within 40 ms..6 s and the gap at 30 ms or more, as browsers do.
func DTMFTiming(duration, gap time.Duration) (time.Duration, time.Duration) {
	if duration <= 0 {
		duration = DefaultDTMFDuration
	}
	if gap <= 0 {
		gap = DefaultDTMFGap
	}
	return min(max(duration, minDTMFDuration), maxDTMFDuration), max(gap, minDTMFGap)
}

// telephoneEvent is the RFC 4733 §2.3 payload: event, E(nd) bit, volume
// (6 bits, -dBm0) and duration in units of the payload type's clock (8 kHz
// for telephone-event/8000, 48 kHz for telephone-event/48000).
type telephoneEvent struct {
	event    uint8
	end      bool
	volume   uint8
	duration uint16
}

func (e telephoneEvent) marshal() []byte {
	b := make([]byte, 4)
	b[0] = e.event
	b[1] = e.volume & 0x3f
	if e.end {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], e.duration)
	return b
}

func parseTelephoneEvent(b []byte) (telephoneEvent, bool) {
	if len(b) < 4 {
		return telephoneEvent{}, false
	}
	return telephoneEvent{
		event:    b[0],
		end:      b[1]&0x80 != 0,
		volume:   b[1] & 0x3f,
		duration: binary.BigEndian.Uint16(b[2:]),
	}, true
}

// dtmfStep is one queued tone or pause, in 20 ms frames.
type dtmfStep struct {
	event  uint8
	pause  bool
	frames int // tone length (or pause length)
	gap    int // silence after the tone
}

// dtmfSteps turns a validated tone string into steps.
func dtmfSteps(tones string, duration, gap time.Duration) []dtmfStep {
	duration, gap = DTMFTiming(duration, gap)
	toneFrames := max(int((duration+frameDuration/2)/frameDuration), 2)
	gapFrames := max(int((gap+frameDuration-1)/frameDuration), 2)
	var steps []dtmfStep
	for _, r := range tones {
		if r == ',' {
			steps = append(steps, dtmfStep{pause: true, frames: int(dtmfPause / frameDuration)})
			continue
		}
		ev, _ := toneEvent(r)
		steps = append(steps, dtmfStep{event: ev, frames: toneFrames, gap: gapFrames})
	}
	return steps
}

// eventPacket is one telephone-event RTP packet to send.
type eventPacket struct {
	timestamp uint32 // the event's start, the same in all its packets
	marker    bool   // first packet of an event
	payload   []byte
}

// maxEventDuration is the longest duration one event packet can carry;
// a longer tone is sent in segments (RFC 4733 §2.5.1.3).
const maxEventDuration = 0xffff

// dtmfSender plays queued steps as RFC 4733 packets, one call of next per
// 20 ms frame: an event's packets carry its start timestamp and a growing
// duration (marker on the first), the last one the E bit, sent three
// times; audio pauses during a tone and resumes in the gaps and pauses.
//
// A tone too long for the duration field (beyond 1.36 s at 48 kHz) is
// sent in segments, as RFC 4733 §2.5.1.3 asks: a segment's last packet
// reports the maximum duration without the E bit, and the next segment
// starts where it ended, with its own timestamp and no marker.
// It is not safe for concurrent use.
type dtmfSender struct {
	queue   []dtmfStep
	cur     *dtmfStep
	start   uint32 // timestamp of the current event (segment)
	segment int    // duration units before the current segment
	sent    int    // frames of the current tone sent
	ends    int    // end packets sent
	waiting int    // frames of gap or pause left

	// Clocks of the current event, per 20 ms frame: RTP timestamp units
	// (the audio codec's clock) and duration units (the event payload
	// type's); zero means 8 kHz.
	tsStep, unitStep int
}

func (d *dtmfSender) enqueue(steps []dtmfStep) { d.queue = append(d.queue, steps...) }

// setClocks sets the RTP clock of the audio and that of the event payload
// type, in Hz, for the events that start from now on.
func (d *dtmfSender) setClocks(audio, event int) {
	if d.cur == nil {
		d.tsStep, d.unitStep = audio/50, event/50
	}
}

// steps returns the timestamp and duration units of one frame.
func (d *dtmfSender) steps() (ts, units int) {
	ts, units = d.tsStep, d.unitStep
	if ts <= 0 {
		ts = frameSamples
	}
	if units <= 0 {
		units = frameSamples
	}
	return ts, units
}

// idle reports whether nothing is playing or queued.
func (d *dtmfSender) idle() bool { return d.cur == nil && d.waiting == 0 && len(d.queue) == 0 }

// next advances one frame whose first sample has timestamp ts. It returns
// the packet to send in this frame, if any, and whether the frame belongs
// to a tone (so no audio is sent in it).
func (d *dtmfSender) next(ts uint32) (*eventPacket, bool) {
	for {
		if d.waiting > 0 {
			d.waiting--
			return nil, false
		}
		if d.cur == nil {
			if len(d.queue) == 0 {
				return nil, false
			}
			step := d.queue[0]
			d.queue = d.queue[1:]
			if step.pause {
				d.waiting = step.frames
				continue
			}
			d.cur = &step
			d.start, d.segment, d.sent, d.ends = ts, 0, 0, 0
		}
		tsStep, unitStep := d.steps()
		ev := telephoneEvent{event: d.cur.event, volume: dtmfVolume}
		switch {
		case d.sent < d.cur.frames:
			d.sent++
			duration := d.sent*unitStep - d.segment
			if duration > maxEventDuration {
				// This segment is full: report its maximum, then go on
				// with a segment that starts where it ended (a tone that
				// ends in this frame sends its end packets from the next).
				ev.duration = maxEventDuration
				p := &eventPacket{timestamp: d.start, payload: ev.marshal()}
				d.start += uint32(maxEventDuration * tsStep / unitStep)
				d.segment += maxEventDuration
				return p, true
			}
			ev.duration = uint16(duration)
			if d.sent == d.cur.frames {
				ev.end = true
				d.ends = 1
			}
			return &eventPacket{timestamp: d.start, marker: d.sent == 1, payload: ev.marshal()}, true
		case d.ends < dtmfEndPackets:
			d.ends++
			ev.duration = uint16(d.sent*unitStep - d.segment)
			ev.end = true
			return &eventPacket{timestamp: d.start, payload: ev.marshal()}, true
		}
		// The retransmitted end packets took frames of the gap already.
		d.waiting = max(d.cur.gap-(dtmfEndPackets-1), 0)
		d.cur = nil
	}
}

// dtmfTone is a received tone.
type dtmfTone struct {
	tone     rune
	duration time.Duration
}

// dtmfDetector turns received telephone-event packets into tones: each
// event (identified by its timestamp) is reported once, at its first end
// packet; an event whose end packets were all lost is reported when the
// next event or audio arrives, with the last duration seen. The segments
// of a long event (RFC 4733 §2.5.2.3: a segment that reached the maximum
// duration without ending, followed by one of the same event) make one
// tone.
type dtmfDetector struct {
	have     bool
	ts       uint32
	ev       telephoneEvent
	rate     int // clock rate of the event's payload type
	earlier  int // duration units of the event's earlier segments
	reported bool
}

func (d *dtmfDetector) flush() (dtmfTone, bool) {
	if !d.have || d.reported {
		return dtmfTone{}, false
	}
	d.reported = true
	tone, ok := eventTone(d.ev.event)
	if !ok { // events beyond DTMF (flash, tones) are not reported
		return dtmfTone{}, false
	}
	units := time.Duration(d.earlier + int(d.ev.duration))
	return dtmfTone{tone: tone, duration: units * time.Second / time.Duration(d.rate)}, true
}

// continues reports whether an event packet with timestamp ts starts a new
// segment of the current event.
func (d *dtmfDetector) continues(ts uint32, ev telephoneEvent) bool {
	return d.have && !d.reported && ts != d.ts && ev.event == d.ev.event &&
		(d.ev.duration == maxEventDuration || ts-d.ts == maxEventDuration)
}

// event handles a telephone-event packet with RTP timestamp ts, of a
// payload type whose clock runs at rate Hz. It returns the tones completed
// by it (at most two: a previous one whose end was lost, and this one).
func (d *dtmfDetector) event(ts uint32, payload []byte, rate int) []dtmfTone {
	ev, ok := parseTelephoneEvent(payload)
	if !ok {
		return nil
	}
	var out []dtmfTone
	switch {
	case d.continues(ts, ev):
		d.earlier += maxEventDuration
		d.ts, d.ev = ts, ev
	case !d.have || ts != d.ts:
		if t, ok := d.flush(); ok {
			out = append(out, t)
		}
		d.have, d.ts, d.reported = true, ts, false
		d.ev, d.rate, d.earlier = ev, rate, 0
	case !d.reported && ev.duration >= d.ev.duration:
		d.ev = ev
	}
	if ev.end {
		if t, ok := d.flush(); ok {
			out = append(out, t)
		}
	}
	return out
}

// audio notes an audio packet: a tone still open lost its end packets.
func (d *dtmfDetector) audio() (dtmfTone, bool) { return d.flush() }

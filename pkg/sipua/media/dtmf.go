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
// (6 bits, -dBm0) and duration in timestamp units (8 kHz samples).
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

// dtmfSender plays queued steps as RFC 4733 packets, one call of next per
// 20 ms frame: an event's packets carry its start timestamp and a growing
// duration (marker on the first), the last one the E bit, sent three
// times; audio pauses during a tone and resumes in the gaps and pauses.
// It is not safe for concurrent use.
type dtmfSender struct {
	queue   []dtmfStep
	cur     *dtmfStep
	start   uint32 // timestamp of the current event
	sent    int    // frames of the current tone sent
	ends    int    // end packets sent
	waiting int    // frames of gap or pause left
}

func (d *dtmfSender) enqueue(steps []dtmfStep) { d.queue = append(d.queue, steps...) }

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
			d.start, d.sent, d.ends = ts, 0, 0
		}
		ev := telephoneEvent{event: d.cur.event, volume: dtmfVolume}
		switch {
		case d.sent < d.cur.frames:
			d.sent++
			ev.duration = uint16(d.sent * frameSamples)
			if d.sent == d.cur.frames {
				ev.end = true
				d.ends = 1
			}
			return &eventPacket{timestamp: d.start, marker: d.sent == 1, payload: ev.marshal()}, true
		case d.ends < dtmfEndPackets:
			d.ends++
			ev.duration = uint16(d.sent * frameSamples)
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
// next event or audio arrives, with the last duration seen.
type dtmfDetector struct {
	have     bool
	ts       uint32
	ev       telephoneEvent
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
	return dtmfTone{tone: tone, duration: time.Duration(d.ev.duration) * time.Second / sampleRate}, true
}

// event handles a telephone-event packet with RTP timestamp ts. It
// returns the tones completed by it (at most two: a previous one whose
// end was lost, and this one).
func (d *dtmfDetector) event(ts uint32, payload []byte) []dtmfTone {
	ev, ok := parseTelephoneEvent(payload)
	if !ok {
		return nil
	}
	var out []dtmfTone
	if !d.have || ts != d.ts {
		if t, ok := d.flush(); ok {
			out = append(out, t)
		}
		d.have, d.ts, d.reported = true, ts, false
		d.ev = ev
	} else if !d.reported && ev.duration >= d.ev.duration {
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

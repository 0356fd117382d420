//go:build !(js && wasm)

package media

import (
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

const mimeTelephoneEvent = "audio/telephone-event"

var errNotBound = errors.New("media: audio track not negotiated yet")

// localTrack is our audio track. Unlike pion's TrackLocalStaticRTP, which
// stamps every packet with the one payload type it was bound to, it writes
// audio (PCMU, PCMA or Opus) and telephone-events on the same SSRC with
// one sequence-number space, so DTMF interleaves correctly with audio.
type localTrack struct {
	id, streamID string

	mu        sync.Mutex
	writer    webrtc.TrackLocalWriter
	bindingID string
	ssrc      uint32
	bound     trackBinding
	seq       uint16

	packets, bytes atomic.Uint64
}

// trackBinding is what negotiation bound our track to.
type trackBinding struct {
	ok        bool // false before negotiation
	audio     payloadKind
	audioPT   uint8
	eventPT   int // -1: telephone-event not negotiated
	eventRate int // the clock rate of eventPT
}

// audioRate returns the RTP clock rate of the audio.
func (b trackBinding) audioRate() int { return clockRate(b.audio) }

func newLocalTrack(id, streamID string) *localTrack {
	return &localTrack{id: id, streamID: streamID, bound: trackBinding{eventPT: -1}, seq: uint16(rand.Uint32())}
}

// Bind picks the first audio codec of the negotiated list (the peer's
// preference order) and the telephone-event payload type of the same
// clock rate, else the one at 8 kHz. Opus is registered only when it can
// be encoded (the build tag opus) or for NoSource sessions, which relay
// what the application writes.
func (t *localTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var chosen *webrtc.RTPCodecParameters
	kind := payloadUnknown
	events := map[uint32]int{} // clock rate -> payload type
	codecs := ctx.CodecParameters()
	for i := range codecs {
		c := &codecs[i]
		switch {
		case chosen == nil && strings.EqualFold(c.MimeType, webrtc.MimeTypePCMU):
			chosen, kind = c, payloadPCMU
		case chosen == nil && strings.EqualFold(c.MimeType, webrtc.MimeTypePCMA):
			chosen, kind = c, payloadPCMA
		case chosen == nil && strings.EqualFold(c.MimeType, webrtc.MimeTypeOpus):
			chosen, kind = c, payloadOpus
		case strings.EqualFold(c.MimeType, mimeTelephoneEvent):
			if _, seen := events[c.ClockRate]; !seen {
				events[c.ClockRate] = int(c.PayloadType)
			}
		}
	}
	if chosen == nil {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	b := trackBinding{audio: kind, audioPT: uint8(chosen.PayloadType), eventPT: -1}
	for _, rate := range []uint32{uint32(clockRate(kind)), sampleRate} {
		if pt, ok := events[rate]; ok {
			b.eventPT, b.eventRate = pt, int(rate)
			break
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writer = ctx.WriteStream()
	t.bindingID = ctx.ID()
	t.ssrc = uint32(ctx.SSRC())
	t.bound = b
	return *chosen, nil
}

// Unbind forgets the binding when pion stops the sender.
func (t *localTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bindingID != ctx.ID() {
		return webrtc.ErrUnbindFailed
	}
	t.writer, t.bindingID = nil, ""
	return nil
}

// ID, RID, StreamID and Kind identify the track to pion.
func (t *localTrack) ID() string                { return t.id }
func (t *localTrack) RID() string               { return "" }
func (t *localTrack) StreamID() string          { return t.streamID }
func (t *localTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// binding returns what negotiation bound the track to.
func (t *localTrack) binding() trackBinding {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.bound
	b.ok = t.writer != nil
	return b
}

// localSSRC returns our SSRC (0 before negotiation).
func (t *localTrack) localSSRC() uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ssrc
}

// send writes one packet with the next sequence number.
func (t *localTrack) send(pt uint8, marker bool, ts uint32, payload []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return errNotBound
	}
	h := rtp.Header{
		Version:        2,
		Marker:         marker,
		PayloadType:    pt,
		SequenceNumber: t.seq,
		Timestamp:      ts,
		SSRC:           t.ssrc,
	}
	t.seq++
	if _, err := t.writer.WriteRTP(&h, payload); err != nil {
		return err
	}
	t.packets.Add(1)
	t.bytes.Add(uint64(len(payload)))
	return nil
}

// sendAudio writes an audio packet (encoded with the bound codec).
func (t *localTrack) sendAudio(marker bool, ts uint32, payload []byte) error {
	t.mu.Lock()
	pt := t.bound.audioPT
	t.mu.Unlock()
	return t.send(pt, marker, ts, payload)
}

// sendEvent writes a telephone-event packet.
func (t *localTrack) sendEvent(p *eventPacket) error {
	t.mu.Lock()
	pt := t.bound.eventPT
	t.mu.Unlock()
	if pt < 0 {
		return ErrNoTelephoneEvent
	}
	return t.send(uint8(pt), p.marker, p.timestamp, p.payload)
}

// sendRaw writes an application's packet: its payload type, marker,
// timestamp and payload, with our SSRC and sequence number.
func (t *localTrack) sendRaw(p *rtp.Packet) error {
	return t.send(p.PayloadType, p.Marker, p.Timestamp, p.Payload)
}

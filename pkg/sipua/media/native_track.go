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
// audio (PCMU or PCMA) and telephone-events on the same SSRC with one
// sequence-number space, so DTMF interleaves correctly with audio.
type localTrack struct {
	id, streamID string

	mu        sync.Mutex
	writer    webrtc.TrackLocalWriter
	bindingID string
	ssrc      uint32
	audioPT   uint8
	audioKind payloadKind
	eventPT   int // -1: telephone-event not negotiated
	seq       uint16

	packets, bytes atomic.Uint64
}

func newLocalTrack(id, streamID string) *localTrack {
	return &localTrack{id: id, streamID: streamID, eventPT: -1, seq: uint16(rand.Uint32())}
}

// Bind picks the first G.711 codec of the negotiated list (the peer's
// preference order) and notes the telephone-event payload type.
func (t *localTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var chosen *webrtc.RTPCodecParameters
	kind := payloadUnknown
	eventPT := -1
	codecs := ctx.CodecParameters()
	for i := range codecs {
		c := &codecs[i]
		switch {
		case chosen == nil && strings.EqualFold(c.MimeType, webrtc.MimeTypePCMU):
			chosen, kind = c, payloadPCMU
		case chosen == nil && strings.EqualFold(c.MimeType, webrtc.MimeTypePCMA):
			chosen, kind = c, payloadPCMA
		case chosen == nil && strings.EqualFold(c.MimeType, webrtc.MimeTypeOpus):
			// Registered only for NoSource sessions, which relay what
			// the application writes.
			chosen, kind = c, payloadOpus
		case eventPT < 0 && strings.EqualFold(c.MimeType, mimeTelephoneEvent) && c.ClockRate == sampleRate:
			eventPT = int(c.PayloadType)
		}
	}
	if chosen == nil {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writer = ctx.WriteStream()
	t.bindingID = ctx.ID()
	t.ssrc = uint32(ctx.SSRC())
	t.audioPT = uint8(chosen.PayloadType)
	t.audioKind = kind
	t.eventPT = eventPT
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

// binding returns the negotiated audio codec and telephone-event payload
// type (-1 when absent); ok is false before negotiation.
func (t *localTrack) binding() (audio payloadKind, eventPT int, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.audioKind, t.eventPT, t.writer != nil
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

// sendAudio encodes one frame with the negotiated codec; silence sends
// the codec's silence code instead of pcm.
func (t *localTrack) sendAudio(marker bool, ts uint32, pcm []int16, silence bool, buf []byte) ([]byte, error) {
	t.mu.Lock()
	kind, pt := t.audioKind, t.audioPT
	t.mu.Unlock()
	buf = buf[:0]
	switch {
	case silence && kind == payloadPCMA:
		for range pcm {
			buf = append(buf, alawSilence)
		}
	case silence:
		for range pcm {
			buf = append(buf, ulawSilence)
		}
	case kind == payloadPCMA:
		buf = EncodePCMA(buf, pcm)
	default:
		buf = EncodePCMU(buf, pcm)
	}
	return buf, t.send(pt, marker, ts, buf)
}

// sendEvent writes a telephone-event packet.
func (t *localTrack) sendEvent(p *eventPacket) error {
	t.mu.Lock()
	pt := t.eventPT
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

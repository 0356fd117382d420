//go:build !(js && wasm)

package media

// The codecs of native media. Our audio is 8 kHz mono in 20 ms frames
// whatever the codec: G.711 carries it as it is, Opus (built with the tag
// opus) is encoded from and decoded to it by libopus, with its RTP clock
// at 48 kHz.

// opusClockRate is the RTP clock of Opus (RFC 7587 §4.1), and of the
// telephone-event payload type that goes with it.
const opusClockRate = 48000

// clockRate returns the RTP clock rate of an audio payload kind.
func clockRate(k payloadKind) int {
	if k == payloadOpus {
		return opusClockRate
	}
	return sampleRate
}

// frameEncoder encodes our frames with the negotiated codec. The sending
// goroutine owns it and closes it when it ends.
type frameEncoder struct {
	buf     []byte
	silence []int16
	opus    *opusEncoder
	opusErr error // creating the Opus encoder failed; not tried again
}

// encode returns the payload of one frame (valid until the next call);
// silence encodes silence instead of pcm (mute).
func (e *frameEncoder) encode(kind payloadKind, pcm []int16, silence bool) ([]byte, error) {
	e.buf = e.buf[:0]
	switch {
	case kind == payloadOpus:
		if e.opus == nil && e.opusErr == nil {
			e.opus, e.opusErr = newOpusEncoder()
		}
		if e.opusErr != nil {
			return nil, e.opusErr
		}
		if silence {
			if len(e.silence) != len(pcm) {
				e.silence = make([]int16, len(pcm))
			}
			pcm = e.silence
		}
		return e.opus.encode(pcm)
	case silence && kind == payloadPCMA:
		for range pcm {
			e.buf = append(e.buf, alawSilence)
		}
	case silence:
		for range pcm {
			e.buf = append(e.buf, ulawSilence)
		}
	case kind == payloadPCMA:
		e.buf = EncodePCMA(e.buf, pcm)
	default:
		e.buf = EncodePCMU(e.buf, pcm)
	}
	return e.buf, nil
}

func (e *frameEncoder) close() {
	if e.opus != nil {
		e.opus.close()
	}
}

// frameDecoder decodes received audio payloads to 8 kHz PCM. The
// receiving goroutine owns it and closes it when it ends.
type frameDecoder struct {
	opus    *opusDecoder
	opusErr error // creating the Opus decoder failed; not tried again
}

// decode returns the samples of one payload in a new slice; ok is false
// for payloads that are not audio we decode (unknown payload types, Opus
// without the tag opus, a packet libopus rejects).
func (d *frameDecoder) decode(kind payloadKind, payload []byte) (pcm []int16, ok bool) {
	switch kind {
	case payloadPCMU:
		return DecodePCMU(make([]int16, 0, len(payload)), payload), true
	case payloadPCMA:
		return DecodePCMA(make([]int16, 0, len(payload)), payload), true
	case payloadOpus:
		if d.opus == nil && d.opusErr == nil {
			d.opus, d.opusErr = newOpusDecoder()
		}
		if d.opusErr != nil {
			return nil, false
		}
		pcm, err := d.opus.decode(payload)
		return pcm, err == nil
	}
	return nil, false
}

func (d *frameDecoder) close() {
	if d.opus != nil {
		d.opus.close()
	}
}

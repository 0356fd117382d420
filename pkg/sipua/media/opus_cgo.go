//go:build opus && cgo && !js

package media

// Opus through libopus (RFC 6716), bound with cgo: this file is built only
// with the build tag opus (go build -tags opus), which needs libopus and
// its headers (Debian: libopus-dev) and pkg-config. Without the tag
// opus_none.go stands in, and native media speaks G.711 only.
//
// Our audio runs at 8 kHz mono (AudioOptions.Source and Sink, the level
// meter), and so do the encoder and the decoder: libopus resamples
// internally, encoding narrowband and decoding any received Opus stream
// (a browser's fullband stereo too) down to 8 kHz mono. On the wire the
// RTP clock of Opus is 48 kHz whatever the audio's bandwidth (RFC 7587
// §4.1). Each encoder or decoder belongs to one goroutine.

/*
#cgo pkg-config: opus
#include <opus.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// opusSupported tells that this build encodes and decodes Opus.
const opusSupported = true

// opusMaxPacket bounds one encoded packet (RFC 6716 §3.4: 1275 bytes per
// frame, our packets hold one 20 ms frame).
const opusMaxPacket = 1275

// opusMaxFrame is the longest Opus packet in samples at our rate: 120 ms.
const opusMaxFrame = sampleRate * 120 / 1000

// opusError reports a libopus error code with libopus's own text.
func opusError(op string, code C.int) error {
	return fmt.Errorf("media: %s: %s", op, C.GoString(C.opus_strerror(code)))
}

// opusEncoder encodes 20 ms frames of 8 kHz mono PCM.
type opusEncoder struct {
	enc *C.OpusEncoder
	out []byte
}

// newOpusEncoder creates an encoder tuned for speech
// (OPUS_APPLICATION_VOIP).
func newOpusEncoder() (*opusEncoder, error) {
	var code C.int
	enc := C.opus_encoder_create(sampleRate, 1, C.OPUS_APPLICATION_VOIP, &code)
	if code != C.OPUS_OK || enc == nil {
		return nil, opusError("opus_encoder_create", code)
	}
	return &opusEncoder{enc: enc, out: make([]byte, opusMaxPacket)}, nil
}

// encode encodes one frame of frameSamples samples. The packet it returns
// is valid until the next call.
func (e *opusEncoder) encode(pcm []int16) ([]byte, error) {
	if e.enc == nil {
		return nil, ErrClosed
	}
	if len(pcm) != frameSamples {
		return nil, fmt.Errorf("media: opus_encode: %d samples, want %d", len(pcm), frameSamples)
	}
	n := C.opus_encode(e.enc,
		(*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)),
		(*C.uchar)(unsafe.Pointer(&e.out[0])), C.opus_int32(len(e.out)))
	if n < 0 {
		return nil, opusError("opus_encode", n)
	}
	return e.out[:n], nil
}

// close frees the encoder; it is idempotent.
func (e *opusEncoder) close() {
	if e.enc != nil {
		C.opus_encoder_destroy(e.enc)
		e.enc = nil
	}
}

// opusDecoder decodes Opus packets to 8 kHz mono PCM.
type opusDecoder struct {
	dec *C.OpusDecoder
	pcm []int16
}

func newOpusDecoder() (*opusDecoder, error) {
	var code C.int
	dec := C.opus_decoder_create(sampleRate, 1, &code)
	if code != C.OPUS_OK || dec == nil {
		return nil, opusError("opus_decoder_create", code)
	}
	return &opusDecoder{dec: dec, pcm: make([]int16, opusMaxFrame)}, nil
}

// decode decodes one packet and returns its samples in a new slice.
func (d *opusDecoder) decode(payload []byte) ([]int16, error) {
	if d.dec == nil {
		return nil, ErrClosed
	}
	if len(payload) == 0 {
		// An empty payload would ask for loss concealment: nothing
		// arrived that could be measured.
		return nil, fmt.Errorf("media: opus_decode: empty packet")
	}
	n := C.opus_decode(d.dec,
		(*C.uchar)(unsafe.Pointer(&payload[0])), C.opus_int32(len(payload)),
		(*C.opus_int16)(unsafe.Pointer(&d.pcm[0])), C.int(len(d.pcm)), 0)
	if n < 0 {
		return nil, opusError("opus_decode", n)
	}
	return append([]int16(nil), d.pcm[:n]...), nil
}

// close frees the decoder; it is idempotent.
func (d *opusDecoder) close() {
	if d.dec != nil {
		C.opus_decoder_destroy(d.dec)
		d.dec = nil
	}
}

package media

// G.711 (ITU-T G.711) μ-law and A-law, the codecs the native
// implementation speaks (PCMU, PCMA): 8 kHz, one byte per sample. The
// encoders compand a 16-bit linear sample to 8 bits with a sign, a 3-bit
// segment (exponent) and a 4-bit step; the decoders return the middle of
// the step.

const (
	ulawBias = 0x84 // 132: shifts the segment boundaries to powers of two
	ulawClip = 32635
)

// ulawEncode compands one linear sample to μ-law.
func ulawEncode(s int16) byte {
	v := int32(s)
	var sign byte
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > ulawClip {
		v = ulawClip
	}
	v += ulawBias
	// The segment is the position of the highest set bit above bit 7.
	seg := byte(0)
	for t := v >> 8; t != 0; t >>= 1 {
		seg++
	}
	step := byte(v>>(seg+3)) & 0x0f
	return ^(sign | seg<<4 | step)
}

// ulawDecode expands one μ-law byte to a linear sample.
func ulawDecode(u byte) int16 {
	u = ^u
	seg := (u >> 4) & 0x07
	v := ((int32(u&0x0f) << 3) + ulawBias) << seg
	v -= ulawBias
	if u&0x80 != 0 {
		return int16(-v)
	}
	return int16(v)
}

// alawEncode compands one linear sample to A-law.
func alawEncode(s int16) byte {
	v := int32(s) >> 3 // A-law works on 13 bits
	mask := byte(0xd5) // positive: sign bit set, even bits inverted
	if v < 0 {
		v = -v - 1
		mask = 0x55
	}
	seg := byte(0)
	for t := v >> 5; t != 0; t >>= 1 {
		seg++
	}
	if seg > 7 {
		return 0x7f ^ mask
	}
	var step byte
	if seg < 2 {
		step = byte(v>>1) & 0x0f
	} else {
		step = byte(v>>seg) & 0x0f
	}
	return (seg<<4 | step) ^ mask
}

// alawDecode expands one A-law byte to a linear sample.
func alawDecode(a byte) int16 {
	a ^= 0x55
	v := int32(a&0x0f)<<4 + 8
	seg := (a >> 4) & 0x07
	if seg > 0 {
		v = (v + 0x100) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(v)
	}
	return int16(-v)
}

// Silence in each law: the code that decodes to zero (μ-law) or to the
// smallest positive step (A-law).
const (
	ulawSilence byte = 0xff
	alawSilence byte = 0xd5
)

// EncodePCMU appends the μ-law encoding of pcm (8 kHz linear samples) to
// dst and returns it.
func EncodePCMU(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, ulawEncode(s))
	}
	return dst
}

// DecodePCMU appends the linear samples of the μ-law payload to dst and
// returns it.
func DecodePCMU(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		dst = append(dst, ulawDecode(b))
	}
	return dst
}

// EncodePCMA appends the A-law encoding of pcm to dst and returns it.
func EncodePCMA(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, alawEncode(s))
	}
	return dst
}

// DecodePCMA appends the linear samples of the A-law payload to dst and
// returns it.
func DecodePCMA(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		dst = append(dst, alawDecode(b))
	}
	return dst
}

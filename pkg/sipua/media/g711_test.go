package media

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestG711CodesRoundTrip(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if b != 0x7f { // μ-law has two zeros; 0x7f (-0) encodes back as 0xff
			assert.Equal(t, b, ulawEncode(ulawDecode(b)), "μ-law code %#02x", b)
		}
		assert.Equal(t, b, alawEncode(alawDecode(b)), "A-law code %#02x", b)
	}
}

func TestG711SamplesRoundTrip(t *testing.T) {
	// The quantization error grows with the segment: about 1/32 of the
	// magnitude (plus the smallest step) for both laws.
	for s := math.MinInt16; s <= math.MaxInt16; s++ {
		v := int16(s)
		tol := math.Abs(float64(s))/32 + 16
		assert.InDelta(t, float64(s), float64(ulawDecode(ulawEncode(v))), tol+4, "μ-law %d", s)
		assert.InDelta(t, float64(s), float64(alawDecode(alawEncode(v))), tol, "A-law %d", s)
		if t.Failed() {
			return
		}
	}
}

func TestG711KnownValues(t *testing.T) {
	// Silence and the extremes per G.711's tables.
	assert.Equal(t, byte(0xff), ulawEncode(0))
	assert.Equal(t, int16(0), ulawDecode(0xff))
	assert.Equal(t, byte(0x80), ulawEncode(math.MaxInt16))
	assert.Equal(t, byte(0x00), ulawEncode(math.MinInt16))
	assert.Equal(t, int16(32124), ulawDecode(0x80))
	assert.Equal(t, byte(0xd5), alawEncode(0))
	assert.Equal(t, byte(0xaa), alawEncode(math.MaxInt16))
	assert.Equal(t, byte(0x2a), alawEncode(math.MinInt16))
	assert.Equal(t, int16(32256), alawDecode(0xaa))
	assert.Equal(t, int16(8), alawDecode(alawSilence))
	assert.Equal(t, int16(0), ulawDecode(ulawSilence))
}

func TestG711Slices(t *testing.T) {
	pcm := []int16{0, 1000, -1000, 30000, -30000}
	u := EncodePCMU(nil, pcm)
	a := EncodePCMA(nil, pcm)
	require.Len(t, u, len(pcm))
	require.Len(t, a, len(pcm))
	du := DecodePCMU(nil, u)
	da := DecodePCMA(nil, a)
	for i := range pcm {
		assert.InDelta(t, pcm[i], du[i], 1000)
		assert.InDelta(t, pcm[i], da[i], 1000)
	}
}

func TestToneAndLevel(t *testing.T) {
	g := newToneGen(440, 0.5)
	m := newLevelMeter(levelWindow)
	frame := make([]int16, frameSamples)
	now := time.Unix(0, 0)
	for range 10 {
		g.fill(frame)
		m.add(DecodePCMU(nil, EncodePCMU(nil, frame)), now)
	}
	assert.InDelta(t, 0.5/math.Sqrt2, m.Level(now, levelStale), 0.01)
	assert.Zero(t, m.Level(now.Add(time.Second), levelStale), "stale")
	assert.Zero(t, newLevelMeter(levelWindow).Level(now, levelStale), "nothing yet")

	// The phase is continuous across frames: one long frame equals two
	// short ones.
	g1, g2 := newToneGen(440, 0.5), newToneGen(440, 0.5)
	long := make([]int16, 320)
	g1.fill(long)
	g2.fill(frame)
	assert.Equal(t, long[:160], frame)
	g2.fill(frame)
	assert.Equal(t, long[160:], frame)
}

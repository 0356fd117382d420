package media

import (
	"math"
	"sync"
	"time"
)

// The native audio clock: 8 kHz mono in 20 ms frames.
const (
	sampleRate    = 8000
	frameDuration = 20 * time.Millisecond
	frameSamples  = sampleRate / 50 // 160
)

// Defaults of the generated tone (native AudioOptions).
const (
	defaultToneFrequency = 440.0
	defaultToneAmplitude = 0.25
)

// Level measurement: RMS over 100 ms; 0 after 500 ms without audio.
const (
	levelWindow = 100 * time.Millisecond
	levelStale  = 500 * time.Millisecond
)

// toneGen generates a sine tone with a continuous phase across frames.
type toneGen struct {
	phase, step, amp float64
}

func newToneGen(freq, amp float64) *toneGen {
	if freq <= 0 {
		freq = defaultToneFrequency
	}
	if amp <= 0 {
		amp = defaultToneAmplitude
	}
	amp = min(amp, 1)
	return &toneGen{step: 2 * math.Pi * freq / sampleRate, amp: amp * math.MaxInt16}
}

// fill writes the next len(frame) samples.
func (g *toneGen) fill(frame []int16) {
	for i := range frame {
		frame[i] = int16(math.Round(g.amp * math.Sin(g.phase)))
		g.phase += g.step
		if g.phase >= 2*math.Pi {
			g.phase -= 2 * math.Pi
		}
	}
}

// levelMeter measures the RMS level of received audio over fixed windows
// and keeps the last complete window's value, in [0, 1] of full scale.
type levelMeter struct {
	mu      sync.Mutex
	window  int // samples per measurement
	sumSq   float64
	n       int
	level   float64
	last    time.Time // last samples added
	measure time.Time // last window completed
}

func newLevelMeter(window time.Duration) *levelMeter {
	n := max(int(window.Seconds()*sampleRate), 1)
	return &levelMeter{window: n}
}

func (m *levelMeter) add(pcm []int16, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last = now
	for _, s := range pcm {
		f := float64(s) / 32768
		m.sumSq += f * f
		m.n++
		if m.n == m.window {
			m.level = math.Sqrt(m.sumSq / float64(m.n))
			m.sumSq, m.n = 0, 0
			m.measure = now
		}
	}
}

// Level returns the last window's RMS, or 0 when nothing was received for
// stale (the sender stopped: hold, or a muted sender that sends nothing).
func (m *levelMeter) Level(now time.Time, stale time.Duration) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last.IsZero() || now.Sub(m.last) > stale {
		return 0
	}
	return m.level
}

// seconds converts a statistic in seconds.
func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

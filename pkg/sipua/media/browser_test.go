//go:build js && wasm

package media

import (
	"context"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// These run under Node.js, which has no WebRTC: the browser session
// itself is tested in a browser.

func TestBrowserNewWithoutWebRTC(t *testing.T) {
	s, err := New(Options{}, AudioOptions{})
	assert.ErrorIs(t, err, ErrNoWebRTC)
	assert.Nil(t, s)
}

func TestGetUserMediaUnavailable(t *testing.T) {
	_, err := GetUserMedia(context.Background(), js.ValueOf(map[string]any{"audio": true}))
	assert.ErrorIs(t, err, ErrNoMediaDevices)
}

func TestStatsFromReport(t *testing.T) {
	entry := func(m map[string]any) js.Value { return js.ValueOf(m) }
	report := js.Global().Get("Map").New()
	for id, v := range map[string]js.Value{
		"IT01A": entry(map[string]any{
			"type": "inbound-rtp", "kind": "audio", "packetsReceived": 500, "packetsLost": 3,
			"bytesReceived": 40000, "jitter": 0.004, "audioLevel": 0.25,
		}),
		"IT01V": entry(map[string]any{"type": "inbound-rtp", "kind": "video", "packetsReceived": 9999}),
		"OT01A": entry(map[string]any{"type": "outbound-rtp", "kind": "audio", "packetsSent": 480, "bytesSent": 38000}),
		"RI01A": entry(map[string]any{"type": "remote-inbound-rtp", "kind": "audio", "roundTripTime": 0.012}),
		"CP01": entry(map[string]any{
			"type": "candidate-pair", "nominated": true, "state": "succeeded", "currentRoundTripTime": 0.02,
		}),
	} {
		report.Call("set", id, v)
	}
	s := statsFromReport(report)
	assert.Equal(t, Stats{
		PacketsSent:     480,
		PacketsReceived: 500,
		PacketsLost:     3,
		Jitter:          4 * time.Millisecond,
		RoundTripTime:   12 * time.Millisecond,
		AudioLevel:      0.25,
		BytesSent:       38000,
		BytesRecv:       40000,
	}, s)

	// Without an RTCP round trip yet, the candidate pair's is used.
	report.Call("delete", "RI01A")
	assert.Equal(t, 20*time.Millisecond, statsFromReport(report).RoundTripTime)
}

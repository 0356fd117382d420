package media

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crlf turns a readable SDP into wire form.
func crlf(s string) string {
	return strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n")
}

// Hand-written SDPs, the way SIP servers and gateways write them.
var (
	sdpSendOnlySession = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
a=sendonly
m=audio 4000 UDP/TLS/RTP/SAVPF 0 8 101
a=mid:0
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
`)
	// The media-level attribute overrides the session-level one.
	sdpMediaOverrides = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
a=sendonly
m=audio 4000 RTP/AVP 0
a=inactive
`)
	sdpInactive = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 4000 RTP/AVP 8 0
a=rtpmap:8 PCMA/8000
a=inactive
`)
	sdpNoDirection = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 4000 RTP/AVP 0
`)
	sdpNoAudio = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=video 5000 RTP/AVP 96
a=rtpmap:96 VP8/90000
a=recvonly
`)
	sdpAudioRejected = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 0 RTP/AVP 0
m=video 5000 RTP/AVP 96
`)
	// Chrome-like: Opus only, telephone-event at 126.
	sdpOpusOnly = crlf(`
v=0
o=- 1 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
m=audio 9 UDP/TLS/RTP/SAVPF 111 126
c=IN IP4 0.0.0.0
a=mid:0
a=rtpmap:111 opus/48000/2
a=rtpmap:126 telephone-event/8000
a=sendrecv
`)
	// Chrome-like, with G.711 and both telephone-events.
	sdpOpusAndG711 = crlf(`
v=0
o=- 1 2 IN IP4 127.0.0.1
s=-
t=0 0
m=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8 110 101
c=IN IP4 0.0.0.0
a=mid:0
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:101 telephone-event/8000
a=sendrecv
`)
	// Neither G.711 nor Opus.
	sdpG722Only = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 4000 RTP/AVP 9 101
a=rtpmap:9 G722/8000
a=rtpmap:101 telephone-event/8000
`)
	// Video first, then audio with dynamic G.711 numbers.
	sdpVideoThenAudio = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
a=recvonly
m=video 5000 RTP/AVP 96
a=rtpmap:96 VP8/90000
m=audio 4000 RTP/AVP 96 97
a=rtpmap:96 PCMU/8000
a=rtpmap:97 telephone-event/8000
`)
)

func TestRemoteDirection(t *testing.T) {
	for _, tc := range []struct {
		name string
		sdp  string
		want Direction
	}{
		{"session-level sendonly", sdpSendOnlySession, SendOnly},
		{"media-level overrides session-level", sdpMediaOverrides, Inactive},
		{"inactive", sdpInactive, Inactive},
		{"absent is sendrecv", sdpNoDirection, SendRecv},
		{"session-level applies to a later audio section", sdpVideoThenAudio, RecvOnly},
		{"LF line ends", strings.ReplaceAll(sdpInactive, "\r\n", "\n"), Inactive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RemoteDirection(tc.sdp)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.True(t, HasAudio(tc.sdp))
		})
	}

	for _, s := range []string{sdpNoAudio, sdpAudioRejected} {
		_, err := RemoteDirection(s)
		assert.ErrorIs(t, err, ErrNoMedia)
		assert.False(t, HasAudio(s))
	}
	_, err := RemoteDirection("hello")
	assert.Error(t, err)
	assert.NotErrorIs(t, err, ErrNoMedia)
	assert.False(t, HasAudio("hello"))
	assert.False(t, HasAudio(""))
}

func TestReverseAndIntersect(t *testing.T) {
	assert.Equal(t, RecvOnly, Reverse(SendOnly))
	assert.Equal(t, SendOnly, Reverse(RecvOnly))
	assert.Equal(t, SendRecv, Reverse(SendRecv))
	assert.Equal(t, SendRecv, Reverse(""))
	assert.Equal(t, Inactive, Reverse(Inactive))

	// RFC 3264 §6.1: what an answer may be for each offer.
	for _, tc := range []struct{ want, offer, answer Direction }{
		{"", SendRecv, SendRecv},
		{"", SendOnly, RecvOnly},
		{"", RecvOnly, SendOnly},
		{"", Inactive, Inactive},
		{SendOnly, SendOnly, Inactive},
		{RecvOnly, RecvOnly, Inactive},
		{SendOnly, SendRecv, SendOnly},
		{Inactive, SendRecv, Inactive},
	} {
		assert.Equal(t, tc.answer, intersect(orSendRecv(tc.want), Reverse(tc.offer)), "want %s, offer %s", tc.want, tc.offer)
	}
	assert.True(t, ValidDirection(""))
	assert.True(t, ValidDirection(Inactive))
	assert.False(t, ValidDirection("sendrcv"))
}

func TestSetAudioDirection(t *testing.T) {
	out, err := setAudioDirection(sdpSendOnlySession, Inactive)
	require.NoError(t, err)
	d, err := RemoteDirection(out)
	require.NoError(t, err)
	assert.Equal(t, Inactive, d)
	assert.NotContains(t, out, "a=sendonly", "the session-level attribute is gone")
	assert.Equal(t, 1, strings.Count(out, "a=inactive"))
	assert.Contains(t, out, "a=fmtp:101 0-16", "everything else stays")

	// The session-level direction moves to the other sections.
	out, err = rewriteDirections(sdpVideoThenAudio, SendRecv)
	require.NoError(t, err)
	assert.Regexp(t, `(?s)m=video.*a=recvonly.*m=audio`, out)
	d, _ = RemoteDirection(out)
	assert.Equal(t, SendRecv, d)

	// A section without a direction gets one.
	out, err = setAudioDirection(sdpNoDirection, SendOnly)
	require.NoError(t, err)
	assert.Contains(t, out, "a=sendonly\r\n")

	_, err = setAudioDirection("x", SendOnly)
	assert.Error(t, err)
}

func TestPayloadTable(t *testing.T) {
	tb := newPayloadTable()
	tb.add(sdpVideoThenAudio)
	assert.Equal(t, payloadPCMU, tb[96], "the audio section's mapping, not the video one")
	assert.Equal(t, payloadEvent, tb[97])
	assert.Equal(t, payloadPCMA, tb[8], "static")
	tb.add(sdpOpusOnly)
	assert.Equal(t, payloadEvent, tb[126])
	assert.Equal(t, payloadOpus, tb[111])
	tb.add(sdpOpusAndG711)
	assert.Equal(t, payloadEvent48, tb[110])
	assert.Equal(t, payloadEvent, tb[101])
	assert.Equal(t, payloadUnknown, tb[9], "G722/8000 is not ours")

	assert.True(t, offersG711(sdpSendOnlySession))
	assert.True(t, offersG711(sdpVideoThenAudio), "dynamic PCMU")
	assert.True(t, offersG711(sdpNoDirection), "static 0 without rtpmap")
	assert.False(t, offersG711(sdpOpusOnly))
	assert.False(t, offersG711(sdpNoAudio))
	assert.True(t, offersCodec(sdpOpusOnly, payloadOpus))
	assert.True(t, offersCodec(sdpOpusAndG711, payloadOpus))
	assert.False(t, offersCodec(sdpSendOnlySession, payloadOpus))
}

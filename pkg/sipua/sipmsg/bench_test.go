package sipmsg

import (
	"os"
	"testing"
)

func loadTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func benchParse(b *testing.B, file string) {
	data := loadTestdata(b, file)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse_WebRTCInvite parses a 1.7 KB INVITE with an Opus SDP.
func BenchmarkParse_WebRTCInvite(b *testing.B) { benchParse(b, "webrtc-invite.sip") }

// BenchmarkParse_200OK parses a 200 OK with Record-Route and SDP.
func BenchmarkParse_200OK(b *testing.B) { benchParse(b, "200-ok.sip") }

// BenchmarkParseAndRead_WebRTCInvite parses the INVITE and reads what a
// transaction and dialog layer need: top Via, From, To, Call-ID, CSeq,
// Contact.
func BenchmarkParseAndRead_WebRTCInvite(b *testing.B) {
	data := loadTestdata(b, "webrtc-invite.sip")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.TopVia(); err != nil {
			b.Fatal(err)
		}
		if _, err := m.From(); err != nil {
			b.Fatal(err)
		}
		if _, err := m.To(); err != nil {
			b.Fatal(err)
		}
		if _, err := m.CSeq(); err != nil {
			b.Fatal(err)
		}
		if _, err := m.Contacts(); err != nil {
			b.Fatal(err)
		}
		_ = m.CallID()
	}
}

func benchSerialize(b *testing.B, file string) {
	m, err := Parse(loadTestdata(b, file))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		out, err := m.AppendTo(buf[:0])
		if err != nil {
			b.Fatal(err)
		}
		buf = out
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkSerialize_WebRTCInvite writes the INVITE into a reused buffer.
func BenchmarkSerialize_WebRTCInvite(b *testing.B) { benchSerialize(b, "webrtc-invite.sip") }

// BenchmarkSerialize_200OK writes the 200 OK into a reused buffer.
func BenchmarkSerialize_200OK(b *testing.B) { benchSerialize(b, "200-ok.sip") }

// BenchmarkBytes_WebRTCInvite writes the INVITE into a fresh buffer, as a
// transport does for each send.
func BenchmarkBytes_WebRTCInvite(b *testing.B) {
	m, err := Parse(loadTestdata(b, "webrtc-invite.sip"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}

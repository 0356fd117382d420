package sipmsg

import (
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds every message under testdata (and the RFC 4475 vectors) to
// a fuzz corpus.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.sip")
	more, _ := filepath.Glob("testdata/rfc4475/*.sip")
	for _, name := range append(files, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(crlf(registerMsg))
	f.Add([]byte("SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\", nonce=\"y\"\r\n\r\n"))
	f.Add([]byte("OPTIONS sip:a@b SIP/2.0\r\nSubject: a\r\n b\r\n\r\n"))
}

// FuzzParse checks that no input panics the parser and that whatever it
// accepts serializes to a message that parses back to the same content.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		// Typed accessors must not panic on whatever was accepted.
		_, _ = m.Vias()
		_, _ = m.From()
		_, _ = m.To()
		_, _ = m.Contacts()
		_, _ = m.CSeq()
		_, _ = m.RecordRoutes()
		_, _ = m.ContentType()
		_, _ = m.Event()
		_, _ = m.Replaces()
		_, _ = m.Reasons()
		_ = m.Validate()

		wire, err := m.Bytes()
		if err != nil {
			t.Fatalf("parsed message does not serialize: %v", err)
		}
		again, err := Parse(wire)
		if err != nil {
			t.Fatalf("serialized message does not parse: %v\n%q", err, wire)
		}
		if again.Method != m.Method || again.StatusCode != m.StatusCode || again.Reason != m.Reason ||
			!again.RequestURI.Equal(&m.RequestURI) || string(again.Body) != string(m.Body) {
			t.Fatalf("start line or body changed:\n%q\n%q", data, wire)
		}
		h1, h2 := withoutLength(m.Headers()), withoutLength(again.Headers())
		if len(h1) != len(h2) {
			t.Fatalf("header count changed %d -> %d", len(h1), len(h2))
		}
		for i := range h1 {
			if h1[i] != h2[i] {
				t.Fatalf("header %d changed: %q -> %q", i, h1[i], h2[i])
			}
		}
	})
}

func withoutLength(hs []Header) []Header {
	var out []Header
	for _, h := range hs {
		if h.Name != HdrContentLength {
			out = append(out, h)
		}
	}
	return out
}

// FuzzParseURI checks that URIs never panic the parser and round-trip.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"sip:alice@atlanta.com", "sips:bob:pw@[2001:db8::1]:5061;transport=tls?subject=x%20y&h=1",
		"sip:%61lice@host;lr;maddr=239.255.255.1", "tel:+1-201-555-0123;phone-context=example.com",
		"sip:user;par=u%40example.net@example.com", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
		"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			return
		}
		text := u.String()
		again, err := ParseURI(text)
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", s, text, err)
		}
		if !u.Equal(&again) || again.String() != text {
			t.Fatalf("%q -> %q -> %q changed", s, text, again.String())
		}
	})
}

// FuzzParseAddress checks name-addr parsing the same way.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		`"Alice" <sip:alice@atlanta.com>;tag=1928301774`, `sip:+12125551212@server.phone2net.com;tag=887s`,
		`<sip:x@y>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;ob`,
		`"\"Quoted\" \\ name" <sip:x@y>`, `*`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		text := a.String()
		again, err := ParseAddress(text)
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", s, text, err)
		}
		if again.String() != text {
			t.Fatalf("%q -> %q -> %q changed", s, text, again.String())
		}
	})
}

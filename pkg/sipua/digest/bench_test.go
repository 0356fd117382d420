package digest_test

import (
	"testing"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

func BenchmarkAuthorize(b *testing.B) {
	body := []byte("v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.101\r\ns=-\r\nc=IN IP4 192.0.2.101\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\n")
	for _, bc := range []struct {
		name string
		ch   digest.Challenge
	}{
		{"MD5-auth", digest.Challenge{Scheme: "Digest", Realm: "atlanta.com", Nonce: "f84f1cec41e6cbe5aea9c8e88d359", Opaque: "5ccc069c", Algorithm: "MD5", QOP: []string{"auth"}}},
		{"SHA-256-auth", digest.Challenge{Scheme: "Digest", Realm: "atlanta.com", Nonce: "f84f1cec41e6cbe5aea9c8e88d359", Opaque: "5ccc069c", Algorithm: "SHA-256", QOP: []string{"auth"}}},
		{"SHA-256-sess-auth-int", digest.Challenge{Scheme: "Digest", Realm: "atlanta.com", Nonce: "f84f1cec41e6cbe5aea9c8e88d359", Algorithm: "SHA-256-sess", QOP: []string{"auth-int"}}},
		{"MD5-no-qop", digest.Challenge{Scheme: "Digest", Realm: "atlanta.com", Nonce: "f84f1cec41e6cbe5aea9c8e88d359"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var c digest.Client
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Authorize(bc.ch, "INVITE", "sip:bob@biloxi.com", body, "alice", "secret"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAuthorizeAndEncode(b *testing.B) {
	ch := digest.Challenge{Scheme: "Digest", Realm: "atlanta.com", Nonce: "f84f1cec41e6cbe5aea9c8e88d359", Algorithm: "MD5", QOP: []string{"auth"}}
	var c digest.Client
	b.ReportAllocs()
	for b.Loop() {
		cr, err := c.Authorize(ch, "REGISTER", "sip:atlanta.com", nil, "alice", "secret")
		if err != nil {
			b.Fatal(err)
		}
		_ = cr.String()
	}
}

func BenchmarkParseChallenge(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := digest.ParseChallenge(rfc3261Challenge); err != nil {
			b.Fatal(err)
		}
	}
}

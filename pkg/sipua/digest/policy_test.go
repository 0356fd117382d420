package digest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

func TestPickPrefersTheStrongestSupportedChallenge(t *testing.T) {
	dig := func(alg string) digest.Challenge {
		return digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n-" + alg, Algorithm: alg, QOP: []string{"auth"}}
	}
	basic := digest.Challenge{Scheme: "Basic", Realm: "r"}
	noNonce := digest.Challenge{Scheme: "Digest", Realm: "r", Algorithm: "SHA-256", QOP: []string{"auth"}}
	confOnly := digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n", Algorithm: "SHA-256", QOP: []string{"auth-conf"}}
	sessNoQOP := digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n", Algorithm: "SHA-256-sess"}
	rfc2069 := digest.Challenge{Scheme: "Digest", Realm: "r", Nonce: "n"}

	tests := []struct {
		name       string
		challenges []digest.Challenge
		want       digest.Challenge
		ok         bool
	}{
		{"SHA-256 over MD5 listed first", []digest.Challenge{dig("MD5"), dig("SHA-256")}, dig("SHA-256"), true},
		{"SHA-256 over MD5 listed last", []digest.Challenge{dig("SHA-256"), dig("MD5")}, dig("SHA-256"), true},
		{"algorithm names are case-insensitive", []digest.Challenge{dig("md5"), dig("sha-256")}, dig("sha-256"), true},
		{"non-Digest schemes are ignored", []digest.Challenge{basic, dig("MD5")}, dig("MD5"), true},
		{"unsupported algorithms are ignored", []digest.Challenge{dig("SHA-512-256"), dig("MD5")}, dig("MD5"), true},
		{"sess variants are accepted, first of equal strength wins", []digest.Challenge{dig("MD5-sess"), dig("MD5")}, dig("MD5-sess"), true},
		{"SHA-256-sess beats MD5", []digest.Challenge{dig("MD5"), dig("SHA-256-sess"), dig("SHA-256")}, dig("SHA-256-sess"), true},
		{"absent algorithm is MD5", []digest.Challenge{rfc2069}, rfc2069, true},
		{"challenges without nonce are skipped", []digest.Challenge{noNonce, dig("MD5")}, dig("MD5"), true},
		{"challenges without a usable qop are skipped", []digest.Challenge{confOnly, sessNoQOP, dig("MD5")}, dig("MD5"), true},
		{"nothing usable", []digest.Challenge{basic, dig("SHA-512-256"), noNonce}, digest.Challenge{}, false},
		{"no challenges", nil, digest.Challenge{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := digest.Pick(tt.challenges)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestShouldRetryOnlyForStaleNoncesAndNewRealms(t *testing.T) {
	prev := digest.Challenge{Scheme: "Digest", Realm: "atlanta.com", Nonce: "n1", QOP: []string{"auth"}}
	with := func(modify func(*digest.Challenge)) digest.Challenge {
		ch := prev
		modify(&ch)
		return ch
	}
	tests := []struct {
		name string
		next digest.Challenge
		want bool
	}{
		{"stale with a new nonce: the password was right, retry", with(func(c *digest.Challenge) { c.Nonce, c.Stale = "n2", true }), true},
		{"same realm again without stale: wrong password, stop", with(func(c *digest.Challenge) { c.Nonce = "n2" }), false},
		{"identical challenge again: stop", prev, false},
		{"stale but the same nonce: stop rather than loop", with(func(c *digest.Challenge) { c.Stale = true }), false},
		{"same realm, other algorithm, not stale: stop", with(func(c *digest.Challenge) { c.Nonce, c.Algorithm = "n2", "SHA-256" }), false},
		{"another realm has not been answered yet: retry", with(func(c *digest.Challenge) { c.Realm, c.Nonce = "biloxi.com", "m1" }), true},
		{"stale but unanswerable: stop", with(func(c *digest.Challenge) { c.Nonce, c.Stale, c.Algorithm = "n2", true, "SHA-512-256" }), false},
		{"non-Digest: stop", digest.Challenge{Scheme: "Basic", Realm: "other"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, digest.ShouldRetry(prev, tt.next))
		})
	}
}

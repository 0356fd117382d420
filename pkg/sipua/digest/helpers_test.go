package digest_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
)

// The helpers below compute digests directly with the standard library,
// independently of the package under test, so that expectations are
// spelled out as the RFC formulas.

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// countingReader yields 0x00, 0x01, 0x02, ... so client nonces are
// predictable.
type countingReader struct{ next byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next++
	}
	return len(p), nil
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

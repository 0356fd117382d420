package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Algorithm names defined by RFC 2617 and RFC 7616. Algorithm values
// received from peers are compared case-insensitively; an absent
// algorithm means MD5.
const (
	// MD5 is the default algorithm of RFC 2617.
	MD5 = "MD5"
	// MD5Sess is MD5 with the session A1 = H(user:realm:password):nonce:cnonce.
	MD5Sess = "MD5-sess"
	// SHA256 is the SHA-256 algorithm of RFC 7616.
	SHA256 = "SHA-256"
	// SHA256Sess is SHA-256 with the session A1.
	SHA256Sess = "SHA-256-sess"
)

// Quality-of-protection values.
const (
	// QOPAuth authenticates the method and URI.
	QOPAuth = "auth"
	// QOPAuthInt also covers the message body.
	QOPAuthInt = "auth-int"
)

type hashKind uint8

const (
	hashMD5 hashKind = iota + 1
	hashSHA256
)

// algorithm is a supported algorithm: a hash function, possibly with
// the session variant of A1.
type algorithm struct {
	hash hashKind
	sess bool
}

// lookupAlgorithm resolves an algorithm name, case-insensitively.
// The empty name is MD5.
func lookupAlgorithm(name string) (algorithm, error) {
	switch {
	case name == "", strings.EqualFold(name, MD5):
		return algorithm{hash: hashMD5}, nil
	case strings.EqualFold(name, MD5Sess):
		return algorithm{hash: hashMD5, sess: true}, nil
	case strings.EqualFold(name, SHA256):
		return algorithm{hash: hashSHA256}, nil
	case strings.EqualFold(name, SHA256Sess):
		return algorithm{hash: hashSHA256, sess: true}, nil
	}
	return algorithm{}, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, name)
}

// SupportedAlgorithm reports whether name (case-insensitive, empty
// meaning MD5) is one of MD5, MD5-sess, SHA-256 and SHA-256-sess.
func SupportedAlgorithm(name string) bool {
	_, err := lookupAlgorithm(name)
	return err == nil
}

// strength orders algorithms for Pick: higher is preferred.
func (a algorithm) strength() int {
	if a.hash == hashSHA256 {
		return 2
	}
	return 1
}

// hexLen is the length of a lowercase hex digest.
func (a algorithm) hexLen() int {
	if a.hash == hashSHA256 {
		return 2 * sha256.Size
	}
	return 2 * md5.Size
}

// appendSum appends the lowercase hex digest of data to dst.
func (a algorithm) appendSum(dst, data []byte) []byte {
	if a.hash == hashSHA256 {
		sum := sha256.Sum256(data)
		return hex.AppendEncode(dst, sum[:])
	}
	sum := md5.Sum(data)
	return hex.AppendEncode(dst, sum[:])
}

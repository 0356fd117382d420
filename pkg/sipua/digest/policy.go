package digest

// Pick chooses the challenge to answer among those of one response
// (one per WWW-Authenticate or Proxy-Authenticate header field). Only
// challenges a [Client] can answer are considered (see
// [Challenge.Supported]); non-Digest schemes and unknown algorithms are
// ignored. SHA-256 and SHA-256-sess are preferred over MD5 and
// MD5-sess; among equally strong challenges the first one wins, since
// servers are expected to list their preferred challenge first
// (RFC 7616 §3.7). The boolean is false when no challenge is usable.
func Pick(challenges []Challenge) (Challenge, bool) {
	best, bestStrength := -1, 0
	for i, ch := range challenges {
		if !ch.Supported() {
			continue
		}
		a, _ := lookupAlgorithm(ch.Algorithm) // Supported checked it
		if s := a.strength(); s > bestStrength {
			best, bestStrength = i, s
		}
	}
	if best < 0 {
		return Challenge{}, false
	}
	return challenges[best], true
}

// ShouldRetry tells a user agent whether to answer next, a challenge
// received in reply to a request that already carried credentials
// computed for prev, with the same user name and password. It returns
//
//   - false if next cannot be answered (see [Challenge.Supported]);
//   - true if next is for another realm than prev (a different
//     protection space, e.g. a second proxy, that has not been
//     answered yet);
//   - true if next has stale=true and a nonce different from prev's:
//     the password was right, only the nonce expired;
//   - false otherwise: the same realm challenging again without
//     stale (or with stale but the same nonce) means the credentials
//     were rejected, and retrying would loop. Report an authentication
//     failure instead.
//
// Realms are compared exactly. ShouldRetry only looks at the two
// challenges; callers should still cap the number of attempts per
// request (a few are plenty) in case a server keeps sending stale
// challenges.
func ShouldRetry(prev, next Challenge) bool {
	if !next.Supported() {
		return false
	}
	if next.Realm != prev.Realm {
		return true
	}
	return next.Stale && next.Nonce != prev.Nonce
}

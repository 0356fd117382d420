// Package digest implements HTTP Digest access authentication as used
// by SIP (RFC 3261 §22, RFC 2617, RFC 7616): parsing and serializing
// WWW-Authenticate / Proxy-Authenticate challenges and Authorization /
// Proxy-Authorization credentials, computing responses with MD5,
// MD5-sess, SHA-256 and SHA-256-sess for qop auth, auth-int or none
// (RFC 2069), a client that keeps nonce counts, and server-side
// verification for a development registrar.
//
// The package only transforms strings: it does no I/O other than
// reading random bytes, and builds for js/wasm.
//
// # User agent
//
// On a 401 (or 407), parse every WWW-Authenticate (Proxy-Authenticate)
// header, pick one challenge and answer it:
//
//	var challenges []digest.Challenge
//	for _, v := range headerValues {
//		if ch, err := digest.ParseChallenge(v); err == nil {
//			challenges = append(challenges, ch)
//		}
//	}
//	ch, ok := digest.Pick(challenges) // SHA-256 over MD5, non-Digest ignored
//	if !ok {
//		return errNoUsableChallenge
//	}
//	cred, err := client.Authorize(ch, "REGISTER", "sip:example.com", nil, user, password)
//	if err != nil {
//		return err
//	}
//	authorization := cred.String() // the Authorization header value
//
// client is a [Client] owned by the user agent's goroutine; it counts
// nonce uses (nc) across requests. If the next response challenges
// again, [ShouldRetry] tells a stale nonce (answer again) from rejected
// credentials (stop).
//
// # Registrar
//
//	cred, err := digest.ParseCredentials(authorization)
//	if err != nil || !digest.Verify(cred, method, password, body) {
//		// answer 401 with a challenge built around digest.NewNonce(nil)
//	}
//
// [Verify] checks the digest only; nonce bookkeeping is the caller's.
//
// # Secrets
//
// Passwords are function arguments only: no type in this package stores
// one, so no value that reaches a log can contain one. [Credentials]
// contain the response digest, which is replayable while the nonce is
// valid, so do not log them either.
package digest

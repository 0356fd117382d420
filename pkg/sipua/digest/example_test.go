package digest_test

import (
	"fmt"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

func ExampleClient_Authorize() {
	// The 401 carried two challenges; answer the strongest.
	var challenges []digest.Challenge
	for _, v := range []string{
		`Digest realm="atlanta.com", nonce="84a4cc6f3082121f32b42a2187831a9e", qop="auth", algorithm=MD5`,
		`Digest realm="atlanta.com", nonce="84a4cc6f3082121f32b42a2187831a9e", qop="auth", algorithm=SHA-256`,
	} {
		ch, err := digest.ParseChallenge(v)
		if err != nil {
			continue // skip what cannot be parsed
		}
		challenges = append(challenges, ch)
	}
	ch, ok := digest.Pick(challenges)
	if !ok {
		fmt.Println("no usable challenge")
		return
	}

	var client digest.Client // owned by the user agent goroutine
	cred, err := client.Authorize(ch, "REGISTER", "sip:atlanta.com", nil, "alice", "secret")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cred.Algorithm, cred.QOP, cred.NC)
	fmt.Println(digest.Verify(cred, "REGISTER", "secret", nil))
	// Output:
	// SHA-256 auth 00000001
	// true
}

func ExampleShouldRetry() {
	answered := digest.Challenge{Realm: "atlanta.com", Nonce: "n1", QOP: []string{"auth"}}
	stale := digest.Challenge{Realm: "atlanta.com", Nonce: "n2", QOP: []string{"auth"}, Stale: true}
	rejected := digest.Challenge{Realm: "atlanta.com", Nonce: "n3", QOP: []string{"auth"}}
	fmt.Println(digest.ShouldRetry(answered, stale))
	fmt.Println(digest.ShouldRetry(answered, rejected))
	// Output:
	// true
	// false
}

func ExampleParseChallenge() {
	ch, err := digest.ParseChallenge(`Digest realm="atlanta.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ch.Realm, ch.QOP, ch.Stale)
	fmt.Println(ch)

	_, err = digest.ParseChallenge(`Digest realm="atlanta.com`)
	fmt.Println(err)
	// Output:
	// atlanta.com [auth auth-int] false
	// Digest realm="atlanta.com", nonce="f84f1cec41e6cbe5aea9c8e88d359", algorithm=MD5, qop="auth,auth-int"
	// digest: parse challenge: unterminated quoted string at offset 13
}

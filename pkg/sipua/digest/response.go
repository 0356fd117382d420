package digest

import (
	"fmt"
	"strings"
)

// Input holds everything except the secret that goes into a request
// digest (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1). Values are used exactly
// as given: a server verifying credentials must pass the values the
// client sent (in particular NC and QOP as received).
//
// The password is deliberately not a field: it is a separate argument
// of [Response], so that an Input can be logged.
type Input struct {
	// Algorithm is MD5, MD5-sess, SHA-256 or SHA-256-sess
	// (case-insensitive); empty means MD5.
	Algorithm string
	// Username is the real user name (never the userhash).
	Username string
	// Realm is the protection space, as in the challenge.
	Realm string
	// Nonce is the server nonce, as in the challenge.
	Nonce string
	// CNonce is the client nonce. It is required when QOP is set and
	// for -sess algorithms.
	CNonce string
	// NC is the nonce count as sent, e.g. "00000001". It is required
	// when QOP is set.
	NC string
	// QOP is "auth", "auth-int" or empty for RFC 2069 compatibility
	// (response = H(H(A1):nonce:H(A2))).
	QOP string
	// Method is the request method, e.g. "REGISTER" or "INVITE".
	Method string
	// URI is the digest-uri (in SIP, the Request-URI).
	URI string
	// Body is the message body, hashed into A2 for auth-int only. A
	// nil or empty body hashes the empty string.
	Body []byte
}

// Response computes the request digest ("response" parameter) for in
// and password, as lowercase hex:
//
//	A1       = username ":" realm ":" password
//	A1 -sess = H(username ":" realm ":" password) ":" nonce ":" cnonce
//	A2       = method ":" uri                    (qop auth or none)
//	A2       = method ":" uri ":" H(body)        (qop auth-int)
//	response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))
//	response = H(H(A1) ":" nonce ":" H(A2))      (no qop)
//
// It is a pure function, usable by clients and by servers verifying
// credentials (see also [Verify]). It fails with
// [ErrUnsupportedAlgorithm], [ErrUnsupportedQOP], or
// [ErrMissingParameter] when qop is set without nc and cnonce or a
// -sess algorithm has no cnonce.
func Response(in Input, password string) (string, error) {
	a, err := in.check()
	if err != nil {
		return "", err
	}
	var scratch [256]byte
	buf := append(scratch[:0], in.Username...)
	buf = append(buf, ':')
	buf = append(buf, in.Realm...)
	buf = append(buf, ':')
	buf = append(buf, password...)
	var ha1 [64]byte
	h := a.appendSum(ha1[:0], buf)
	clear(buf) // do not leave the password in the scratch buffer
	return in.finish(a, h), nil
}

// ResponseWithHA1 is like [Response] for servers that store
// HA1 = H(username ":" realm ":" password) (see [HA1]) instead of
// passwords. ha1 must be the hex digest for in.Algorithm's hash
// function; -sess algorithms derive the session key from it. It fails
// with [ErrInvalidValue] if ha1 has the wrong length or is not hex.
func ResponseWithHA1(in Input, ha1 string) (string, error) {
	a, err := in.check()
	if err != nil {
		return "", err
	}
	if len(ha1) != a.hexLen() {
		return "", fmt.Errorf("%w: HA1 has %d characters, want %d", ErrInvalidValue, len(ha1), a.hexLen())
	}
	var buf [64]byte
	h := buf[:len(ha1)]
	for i := 0; i < len(ha1); i++ {
		c := ha1[i]
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", fmt.Errorf("%w: HA1 is not hexadecimal", ErrInvalidValue)
		}
		h[i] = c
	}
	return in.finish(a, h), nil
}

// HA1 returns H(username ":" realm ":" password) as lowercase hex, for
// the hash function of algorithm (so MD5 and MD5-sess give the same
// value). Registrars can store it instead of the password and use
// [ResponseWithHA1] or [VerifyHA1].
func HA1(algorithm, username, realm, password string) (string, error) {
	a, err := lookupAlgorithm(algorithm)
	if err != nil {
		return "", err
	}
	buf := make([]byte, 0, len(username)+len(realm)+len(password)+2)
	buf = append(buf, username...)
	buf = append(buf, ':')
	buf = append(buf, realm...)
	buf = append(buf, ':')
	buf = append(buf, password...)
	h := string(a.appendSum(nil, buf))
	clear(buf)
	return h, nil
}

// UserHash returns H(username ":" realm), the value sent as username
// when a challenge has userhash=true (RFC 7616 §3.4.4), using the hash
// function of algorithm. Servers can index users by it.
func UserHash(algorithm, username, realm string) (string, error) {
	a, err := lookupAlgorithm(algorithm)
	if err != nil {
		return "", err
	}
	return userHash(a, username, realm), nil
}

func userHash(a algorithm, username, realm string) string {
	var scratch [128]byte
	buf := append(scratch[:0], username...)
	buf = append(buf, ':')
	buf = append(buf, realm...)
	var out [64]byte
	return string(a.appendSum(out[:0], buf))
}

// check validates the parameters that do not depend on the secret.
func (in *Input) check() (algorithm, error) {
	a, err := lookupAlgorithm(in.Algorithm)
	if err != nil {
		return algorithm{}, err
	}
	if in.QOP != "" {
		if !strings.EqualFold(in.QOP, QOPAuth) && !strings.EqualFold(in.QOP, QOPAuthInt) {
			return algorithm{}, fmt.Errorf("%w: %q", ErrUnsupportedQOP, in.QOP)
		}
		if in.NC == "" {
			return algorithm{}, fmt.Errorf("%w: nc (required with qop)", ErrMissingParameter)
		}
		if in.CNonce == "" {
			return algorithm{}, fmt.Errorf("%w: cnonce (required with qop)", ErrMissingParameter)
		}
	}
	if a.sess && in.CNonce == "" {
		return algorithm{}, fmt.Errorf("%w: cnonce (required by %s)", ErrMissingParameter, in.Algorithm)
	}
	return a, nil
}

// finish computes the response from the hex H(A1) of username, realm
// and password.
func (in *Input) finish(a algorithm, ha1 []byte) string {
	var scratch [512]byte
	if a.sess {
		buf := append(scratch[:0], ha1...)
		buf = append(buf, ':')
		buf = append(buf, in.Nonce...)
		buf = append(buf, ':')
		buf = append(buf, in.CNonce...)
		var sess [64]byte
		ha1 = a.appendSum(sess[:0], buf)
	}

	buf := append(scratch[:0], in.Method...)
	buf = append(buf, ':')
	buf = append(buf, in.URI...)
	if strings.EqualFold(in.QOP, QOPAuthInt) {
		buf = append(buf, ':')
		buf = a.appendSum(buf, in.Body)
	}
	var ha2 [64]byte
	h2 := a.appendSum(ha2[:0], buf)

	buf = append(scratch[:0], ha1...)
	buf = append(buf, ':')
	buf = append(buf, in.Nonce...)
	buf = append(buf, ':')
	if in.QOP != "" {
		buf = append(buf, in.NC...)
		buf = append(buf, ':')
		buf = append(buf, in.CNonce...)
		buf = append(buf, ':')
		buf = append(buf, in.QOP...)
		buf = append(buf, ':')
	}
	buf = append(buf, h2...)
	var out [64]byte
	return string(a.appendSum(out[:0], buf))
}

package digest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strings"
)

// maxTrackedNonces bounds the per-nonce state a Client keeps. A user
// agent talks to one registrar and a few proxies; when the limit is
// reached the least recently used nonce is forgotten (its next use
// starts again at nc=00000001, which a server may reject as a replay
// and answer with a fresh challenge).
const maxTrackedNonces = 16

// cnonceBytes is the number of random bytes in a client nonce.
const cnonceBytes = 16

// Client answers Digest challenges for a user agent. It remembers, per
// realm and nonce, the nonce count (nc) and client nonce (cnonce) so
// that successive requests on the same nonce send nc=00000001,
// 00000002, ... with the same cnonce, and a new nonce starts again at
// 00000001 with a fresh cnonce.
//
// The zero value is ready to use. A Client is not safe for concurrent
// use: it is meant to be owned by the goroutine that drives the user
// agent. It never stores passwords.
type Client struct {
	// Rand is the source of client nonces; nil means crypto/rand.
	// Tests can set a deterministic reader.
	Rand io.Reader
	// PreferAuthInt selects qop=auth-int, which also protects the
	// message body, when a challenge offers both auth and auth-int.
	// By default auth is chosen, because proxies and B2BUAs commonly
	// rewrite bodies (SDP) and auth-int then fails. A challenge that
	// offers only auth-int is always answered with auth-int.
	PreferAuthInt bool

	nonces map[nonceKey]*nonceState
	clock  uint64
}

type nonceKey struct{ realm, nonce string }

type nonceState struct {
	nc     uint32
	cnonce string
	used   uint64
}

// Authorize computes the credentials answering ch for a request with
// the given method, Request-URI and body (used only for qop=auth-int),
// to be sent in an Authorization header (after a 401) or a
// Proxy-Authorization header (after a 407).
//
// The realm, nonce and opaque are taken from ch, and the algorithm is
// echoed as the challenge spelled it ("MD5" when absent). The qop is
// chosen as documented on [Client.PreferAuthInt]; without qop the
// answer is in RFC 2069 form (no cnonce, no nc). When ch has
// userhash=true, the user name is sent hashed. The password is used for
// the computation only and is not retained.
//
// Authorize fails with [ErrNotDigest], [ErrUnsupportedAlgorithm],
// [ErrUnsupportedQOP], [ErrMissingParameter] (no nonce or method),
// [ErrInvalidValue] (a value that would contain CR, LF or another
// control character) or an error from Rand. A failed call does not
// advance the nonce count.
func (c *Client) Authorize(ch Challenge, method, uri string, body []byte, username, password string) (Credentials, error) {
	return c.authorize(ch, method, uri, body, username, func(in Input) (string, error) { return Response(in, password) })
}

// AuthorizeHA1 is Authorize for a user agent configured with
// HA1 = H(username ":" realm ":" password) instead of the password, as
// some provisioning systems hand out. The HA1 must be for the challenge's
// hash function (an MD5 HA1 answers MD5 and MD5-sess challenges only);
// otherwise it fails with ErrInvalidValue.
func (c *Client) AuthorizeHA1(ch Challenge, method, uri string, body []byte, username, ha1 string) (Credentials, error) {
	return c.authorize(ch, method, uri, body, username, func(in Input) (string, error) { return ResponseWithHA1(in, ha1) })
}

func (c *Client) authorize(ch Challenge, method, uri string, body []byte, username string, respond func(Input) (string, error)) (Credentials, error) {
	if !ch.IsDigest() {
		return Credentials{}, fmt.Errorf("%w: %q", ErrNotDigest, ch.Scheme)
	}
	a, err := lookupAlgorithm(ch.Algorithm)
	if err != nil {
		return Credentials{}, err
	}
	if ch.Nonce == "" {
		return Credentials{}, fmt.Errorf("%w: challenge has no nonce", ErrMissingParameter)
	}
	if method == "" {
		return Credentials{}, fmt.Errorf("%w: method", ErrMissingParameter)
	}
	if err := checkValue("method", method); err != nil {
		return Credentials{}, err
	}
	qop, err := selectQOP(ch.QOP, c.PreferAuthInt)
	if err != nil {
		return Credentials{}, err
	}
	if a.sess && qop == "" {
		return Credentials{}, fmt.Errorf("%w: algorithm %s needs qop, challenge offers none", ErrUnsupportedQOP, ch.Algorithm)
	}

	cr := Credentials{
		Scheme:    schemeDigest,
		Username:  username,
		Realm:     ch.Realm,
		Nonce:     ch.Nonce,
		URI:       uri,
		Algorithm: ch.Algorithm,
		Opaque:    ch.Opaque,
		QOP:       qop,
		Userhash:  ch.Userhash,
	}
	if cr.Algorithm == "" {
		cr.Algorithm = MD5
	}
	if ch.Userhash {
		cr.Username = userHash(a, username, ch.Realm)
	}
	// Refuse unencodable values before touching any state.
	for _, f := range [...]struct{ name, v string }{
		{"username", username}, {"realm", cr.Realm}, {"nonce", cr.Nonce},
		{"uri", uri}, {"algorithm", cr.Algorithm}, {"opaque", cr.Opaque},
	} {
		if err := checkValue(f.name, f.v); err != nil {
			return Credentials{}, err
		}
	}

	key := nonceKey{realm: ch.Realm, nonce: ch.Nonce}
	var st *nonceState
	var nc uint32
	if qop != "" {
		st = c.nonces[key]
		if st == nil {
			cn, err := newRandomHex(c.Rand, cnonceBytes)
			if err != nil {
				return Credentials{}, fmt.Errorf("digest: generating cnonce: %w", err)
			}
			cr.CNonce, nc = cn, 1
		} else {
			if st.nc == math.MaxUint32 {
				return Credentials{}, ErrNonceCountExhausted
			}
			cr.CNonce, nc = st.cnonce, st.nc+1
		}
		cr.NC = formatNC(nc)
	}

	cr.Response, err = respond(Input{
		Algorithm: ch.Algorithm,
		Username:  username,
		Realm:     ch.Realm,
		Nonce:     ch.Nonce,
		CNonce:    cr.CNonce,
		NC:        cr.NC,
		QOP:       qop,
		Method:    method,
		URI:       uri,
		Body:      body,
	})
	if err != nil {
		return Credentials{}, err
	}

	if qop != "" {
		if st == nil {
			st = c.track(key, cr.CNonce)
		}
		st.nc = nc
		c.clock++
		st.used = c.clock
	}
	return cr, nil
}

// Reset forgets all nonce counts and client nonces.
func (c *Client) Reset() {
	c.nonces = nil
	c.clock = 0
}

// track adds state for a new nonce, evicting the least recently used
// one when maxTrackedNonces is reached.
func (c *Client) track(key nonceKey, cnonce string) *nonceState {
	if c.nonces == nil {
		c.nonces = make(map[nonceKey]*nonceState)
	}
	if len(c.nonces) >= maxTrackedNonces {
		var oldest nonceKey
		first := true
		var oldestUse uint64
		for k, s := range c.nonces {
			if first || s.used < oldestUse {
				oldest, oldestUse, first = k, s.used, false
			}
		}
		delete(c.nonces, oldest)
	}
	st := &nonceState{cnonce: cnonce}
	c.nonces[key] = st
	return st
}

// selectQOP chooses the qop to answer with among the offered options:
// "" when none is offered, otherwise auth (or auth-int if preferred and
// offered), or auth-int when it is the only supported option.
func selectQOP(offered []string, preferAuthInt bool) (string, error) {
	if len(offered) == 0 {
		return "", nil
	}
	var auth, authInt bool
	for _, q := range offered {
		switch {
		case strings.EqualFold(q, QOPAuth):
			auth = true
		case strings.EqualFold(q, QOPAuthInt):
			authInt = true
		}
	}
	switch {
	case authInt && (preferAuthInt || !auth):
		return QOPAuthInt, nil
	case auth:
		return QOPAuth, nil
	}
	return "", fmt.Errorf("%w: offered %q", ErrUnsupportedQOP, strings.Join(offered, ","))
}

// formatNC formats a nonce count as 8 lowercase hex digits.
func formatNC(n uint32) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// newRandomHex reads n bytes from r (crypto/rand if nil) and returns
// them hex-encoded.
func newRandomHex(r io.Reader, n int) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

//go:build !js

package sipserver

import (
	"context"
	"strings"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// authenticate checks the digest credentials of req (RFC 3261 §22): the
// Authorization header answering a 401 for REGISTER, Proxy-Authorization
// answering a 407 for everything else. It returns the authenticated
// extension, or the status of the response to send instead: 401/407 with
// a fresh challenge (no credentials for our realm, an unknown or expired
// nonce, or a wrong password), 403 (unknown user), 500 (directory
// failure).
//
// Nonce counts are not checked for replays: this is a development server,
// and requests of one client may arrive out of nonce-count order.
func (s *Server) authenticate(ctx context.Context, req *sipmsg.Message) (ext Extension, code int, stale bool) {
	hdr, challengeCode := sipmsg.HdrProxyAuthorization, 407
	if req.Method == sipmsg.REGISTER {
		hdr, challengeCode = sipmsg.HdrAuthorization, 401
	}
	creds, err := req.Credentials(hdr)
	if err != nil {
		return Extension{}, challengeCode, false
	}
	var cred *digest.Credentials
	for i := range creds {
		if creds[i].IsDigest() && creds[i].Realm == s.cfg.Realm {
			cred = &creds[i]
			break
		}
	}
	if cred == nil {
		return Extension{}, challengeCode, false
	}
	s.mu.Lock()
	issued, ok := s.nonces[cred.Nonce]
	s.mu.Unlock()
	// An unknown or expired nonce gets a new challenge with stale=true, so
	// that a client refreshing with an old nonce answers again.
	stale = !ok || s.clk.Now().Sub(issued) > nonceLifetime
	if cred.Userhash || (cred.QOP != "" && !strings.EqualFold(cred.QOP, digest.QOPAuth)) ||
		(cred.Algorithm != "" && !strings.EqualFold(cred.Algorithm, digest.MD5)) {
		return Extension{}, 403, false
	}
	ext, found, err := s.cfg.Directory.Lookup(ctx, cred.Username)
	if err != nil {
		s.log.Warn("sipserver: directory lookup failed", "err", err)
		return Extension{}, 500, false
	}
	if !found || ext.SIPPassword == "" {
		s.log.Info("sipserver: authentication failed: no such SIP user", "user", cred.Username, "method", req.Method)
		return Extension{}, 403, false
	}
	if !digest.Verify(*cred, req.Method, ext.SIPPassword, req.Body) {
		// A wrong password is challenged again, as registrars commonly
		// do: a client that answers with the same password gives up and
		// reports an authentication error, not a refusal.
		s.log.Info("sipserver: authentication failed: wrong password", "user", cred.Username, "method", req.Method)
		return Extension{}, challengeCode, false
	}
	if stale {
		return Extension{}, challengeCode, true
	}
	return ext, 0, false
}

// challenge answers req with 401 or 407 and a fresh MD5 challenge, marked
// stale when the credentials were right but their nonce was not ours.
func (s *Server) challenge(c *conn, req *sipmsg.Message, code int, stale bool) {
	nonce, err := digest.NewNonce(nil)
	if err != nil {
		s.reply(c, req, 500)
		return
	}
	now := s.clk.Now()
	s.mu.Lock()
	if len(s.nonces) >= maxNonces {
		for n, t := range s.nonces {
			if now.Sub(t) > nonceLifetime {
				delete(s.nonces, n)
			}
		}
		if len(s.nonces) >= maxNonces {
			clear(s.nonces) // flooded: clients simply get challenged again
		}
	}
	s.nonces[nonce] = now
	s.mu.Unlock()
	ch := digest.Challenge{Realm: s.cfg.Realm, Nonce: nonce, Algorithm: digest.MD5, QOP: []string{digest.QOPAuth}, Stale: stale}
	name := sipmsg.HdrWWWAuthenticate
	if code == 407 {
		name = sipmsg.HdrProxyAuthenticate
	}
	s.reply(c, req, code, sipmsg.Header{Name: name, Value: ch.String()})
}

// authorize authenticates req and answers it when that fails; ok reports
// whether the request may proceed.
func (s *Server) authorize(ctx context.Context, c *conn, req *sipmsg.Message) (Extension, bool) {
	ext, code, stale := s.authenticate(ctx, req)
	switch code {
	case 0:
		return ext, true
	case 401, 407:
		s.challenge(c, req, code, stale)
	default:
		s.reply(c, req, code)
	}
	return Extension{}, false
}

// lookup resolves a dialled name or SIP user to an extension.
func (s *Server) lookup(ctx context.Context, name string) (Extension, bool, error) {
	if name == "" {
		return Extension{}, false, nil
	}
	return s.cfg.Directory.Lookup(ctx, name)
}

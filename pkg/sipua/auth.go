package sipua

import (
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// maxAuthRounds bounds the challenges one request answers, so that a
// server that keeps challenging cannot make us loop.
const maxAuthRounds = 3

// authedRequest sends a request and answers 401/407 challenges with a
// fresh request (new branch and CSeq), as RFC 3261 §22.2 asks.
type authedRequest struct {
	ua *UA
	// build returns a fresh request each time it is called.
	build func() (*sipmsg.Message, error)
	// onProvisional gets 1xx responses (may be nil).
	onProvisional func(*sipmsg.Message)
	// onFinal gets the final response, including a 401/407 we stopped
	// answering (wrong password).
	onFinal func(*sipmsg.Message)
	// onFail reports a request that got no final response.
	onFail func(error)

	prev  *digest.Challenge
	proxy bool // prev came in a 407
	// preauth: prev is a challenge cached from an earlier request, used
	// to authorize the first attempt; a challenge to that attempt is
	// answered like a first one (the cached nonce may simply be old).
	preauth bool
	rounds  int
}

func (a *authedRequest) send() {
	ua := a.ua
	req, err := a.build()
	if err != nil {
		a.onFail(err)
		return
	}
	if a.prev != nil {
		if err := ua.authorize(req, *a.prev, a.prevHeader()); err != nil {
			a.onFail(err)
			return
		}
	}
	ua.sendRequest(req, func(resp *sipmsg.Message) {
		switch code := resp.StatusCode; {
		case code < 200:
			if a.onProvisional != nil {
				a.onProvisional(resp)
			}
		case code == 401 || code == 407:
			a.challenged(resp)
		default:
			a.onFinal(resp)
		}
	}, a.onFail)
}

func (a *authedRequest) prevHeader() string {
	if a.proxy {
		return sipmsg.HdrProxyAuthorization
	}
	return sipmsg.HdrAuthorization
}

func (a *authedRequest) challenged(resp *sipmsg.Message) {
	name := sipmsg.HdrWWWAuthenticate
	if resp.StatusCode == 407 {
		name = sipmsg.HdrProxyAuthenticate
	}
	chs, err := resp.Challenges(name)
	if err != nil {
		a.onFinal(resp)
		return
	}
	ch, ok := digest.Pick(chs)
	prev := a.prev
	if a.preauth {
		a.preauth, prev = false, nil
	}
	if !ok || a.rounds >= maxAuthRounds || (prev != nil && !digest.ShouldRetry(*prev, ch)) {
		a.onFinal(resp) // wrong credentials: never loop
		return
	}
	a.rounds++
	a.proxy = resp.StatusCode == 407
	a.prev = &ch
	a.send()
}

// authorize adds the credentials answering ch to req.
func (ua *UA) authorize(req *sipmsg.Message, ch digest.Challenge, header string) error {
	var creds digest.Credentials
	var err error
	if ua.cfg.HA1 != "" {
		creds, err = ua.auth.AuthorizeHA1(ch, req.Method, req.RequestURI.String(), req.Body, ua.cfg.AuthUser, ua.cfg.HA1)
	} else {
		creds, err = ua.auth.Authorize(ch, req.Method, req.RequestURI.String(), req.Body, ua.cfg.AuthUser, ua.cfg.Password)
	}
	if err != nil {
		return err
	}
	value, err := creds.Encode()
	if err != nil {
		return err
	}
	return req.Set(header, value)
}

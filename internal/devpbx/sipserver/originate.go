//go:build !js

package sipserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Errors of Originate, for errors.Is.
var (
	// ErrNotRegistered: the extension has no registration to ring.
	ErrNotRegistered = errors.New("sipserver: extension not registered")
	// ErrNoAnswer: nobody answered in time.
	ErrNoAnswer = errors.New("sipserver: no answer")
	// ErrRejected: every registration refused the call.
	ErrRejected = errors.New("sipserver: call rejected")
	// ErrUnknownTarget: the number to connect to is neither an extension
	// nor the echo test.
	ErrUnknownTarget = errors.New("sipserver: unknown target")
	// ErrServerClosed: the server is closed.
	ErrServerClosed = errors.New("sipserver: server closed")
)

// uacFork is an INVITE the server sends itself to every registration of
// an extension: the first 2xx wins, later ones are acknowledged and hung
// up, the other branches cancelled. Handlers run with s.mu held.
type uacFork struct {
	s        *Server
	branches []*clientTx
	answered bool
	over     bool
	best     int
	timer    clock.Timer
	onAnswer func(tx *clientTx, resp *sipmsg.Message)
	onRing   func()
	onFail   func(code int)
}

// inviteAll sends build(b) to every binding. s.mu is held.
func (s *Server) inviteAll(bs []*binding, limit time.Duration, build func(b *binding, via sipmsg.Via) (*sipmsg.Message, error), f *uacFork) {
	f.s = s
	for _, b := range bs {
		via, branch := s.via("")
		m, err := build(b, via)
		if err != nil {
			s.log.Debug("sipserver: cannot build INVITE", "err", err)
			continue
		}
		var tx *clientTx
		tx = s.startClientTx(b.conn, m, branch, func(resp *sipmsg.Message) { f.onResponse(tx, resp) })
		f.branches = append(f.branches, tx)
	}
	s.uacForks[f] = struct{}{}
	f.timer = s.clk.AfterFunc(limit, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		f.give(408)
	})
	if len(f.branches) == 0 {
		f.timer.Reset(0)
	}
}

func (f *uacFork) onResponse(tx *clientTx, resp *sipmsg.Message) {
	s := f.s
	code := resp.StatusCode
	switch {
	case code < 200:
		if code > 100 && f.onRing != nil && !f.over {
			f.onRing()
		}
	case code < 300:
		if f.answered || f.over {
			s.ackAndBye(tx, resp)
			return
		}
		f.answered = true
		f.end()
		for _, b := range f.branches {
			if b != tx && !b.done {
				s.cancelBranch(b)
			}
		}
		f.onAnswer(tx, resp)
	default:
		if !tx.local {
			s.ackFailure(tx, resp)
		}
		if f.over {
			return
		}
		if rankFailure(code) > rankFailure(f.best) || f.best == 0 {
			f.best = code
		}
		for _, b := range f.branches {
			if !b.done {
				return
			}
		}
		f.end()
		f.onFail(f.best)
	}
}

// give ends the fork without an answer: branches cancelled, onFail told.
func (f *uacFork) give(code int) {
	if f.over {
		return
	}
	f.end()
	for _, b := range f.branches {
		if !b.done {
			f.s.cancelBranch(b)
		}
	}
	f.onFail(code)
}

// end marks the fork over and forgets it.
func (f *uacFork) end() {
	f.over = true
	f.timer.Stop()
	delete(f.s.uacForks, f)
}

// dialogFromAnswer makes the dialog of an INVITE we sent from its 2xx.
func (s *Server) dialogFromAnswer(tx *clientTx, resp *sipmsg.Message) (*peerDialog, uint32) {
	from, _ := tx.req.From()
	to, _ := resp.To()
	cs, _ := tx.req.CSeq()
	d := &peerDialog{s: s, conn: tx.conn, key: dialogKey{tx.req.CallID(), from.Tag()}, local: from, remote: to,
		remoteTarget: tx.req.RequestURI, localSeq: cs.Seq}
	d.updateTarget(resp)
	return d, cs.Seq
}

// ackAndBye ends a dialog an extra 2xx created.
func (s *Server) ackAndBye(tx *clientTx, resp *sipmsg.Message) {
	d, seq := s.dialogFromAnswer(tx, resp)
	if ack, _, err := d.request(sipmsg.ACK, seq); err == nil {
		_ = d.conn.send(ack)
	}
	if bye, branch, err := d.request(sipmsg.BYE, 0); err == nil {
		s.startClientTx(d.conn, bye, branch, nil)
	}
}

// Originate rings every registration of from (an INVITE without SDP whose
// From shows to, so the user sees what they are calling) and, once one
// answers, connects it to to (an extension or the echo test) by
// third-party call control (RFC 3725 flow I): the offer of the 200 OK goes
// into the INVITE of the second leg, its answer into the first leg's ACK.
// It returns the Call-ID of the first leg once from answered, or an error
// when from has no registration, does not answer within
// Config.OriginateTimeout (or ctx), or refuses.
func (s *Server) Originate(ctx context.Context, from Extension, to string) (string, error) {
	var toExt *Extension
	if to != s.cfg.EchoNumber {
		lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		ext, found, err := s.lookup(lctx, to)
		cancel()
		if err != nil {
			return "", fmt.Errorf("sipserver: originate: looking up %q: %w", to, err)
		}
		if !found || !sameCustomer(from, ext) {
			return "", fmt.Errorf("sipserver: originate to %q: %w", to, ErrUnknownTarget)
		}
		toExt = &ext
	}
	callID := sipmsg.NewCallID()
	aTag := sipmsg.NewTag()
	result := make(chan error, 1)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", ErrServerClosed
	}
	bs := s.activeBindings(from.SIPUsername)
	if len(bs) == 0 {
		s.mu.Unlock()
		return "", fmt.Errorf("sipserver: originate from %s: %w", from.SIPUsername, ErrNotRegistered)
	}
	o := &originate{s: s, from: from, to: to, toExt: toExt, result: result}
	o.call = s.newCall(callID, from.ShortNumber, to, &from, toExt)
	o.aFork = &uacFork{
		onAnswer: o.aAnswered,
		onFail: func(code int) {
			s.endCall(o.call, outcomeFor(code))
			if code == 408 || code == 480 {
				result <- fmt.Errorf("sipserver: originate from %s: %w", from.SIPUsername, ErrNoAnswer)
			} else {
				result <- fmt.Errorf("sipserver: originate from %s: %w (%d)", from.SIPUsername, ErrRejected, code)
			}
		},
	}
	shown := sipmsg.Address{DisplayName: to, URI: sipmsg.URI{Scheme: "sip", User: to, Host: s.host},
		Params: sipmsg.Params{{Name: "tag", Value: aTag}}}
	toAddr := sipmsg.Address{DisplayName: from.Name, URI: sipmsg.URI{Scheme: "sip", User: from.SIPUsername, Host: s.host}}
	contact := s.contact()
	s.inviteAll(bs, s.originateTimeout(), func(b *binding, via sipmsg.Via) (*sipmsg.Message, error) {
		m, err := sipmsg.BuildRequest(sipmsg.RequestSpec{Method: sipmsg.INVITE, URI: b.contact.URI, Via: via,
			From: shown, To: toAddr, CallID: callID, CSeq: 1, Contact: &contact})
		if err == nil {
			_ = m.Add(sipmsg.HdrUserAgent, userAgentName)
			_ = m.Add(sipmsg.HdrAllow, allowed)
		}
		return m, err
	}, o.aFork)
	s.mu.Unlock()

	select {
	case err := <-result:
		if err != nil {
			return "", err
		}
		return callID, nil
	case <-ctx.Done():
		s.mu.Lock()
		o.aFork.give(487)
		s.mu.Unlock()
		if err := <-result; err == nil {
			return callID, nil
		}
		return "", fmt.Errorf("sipserver: originate from %s: %w", from.SIPUsername, ctx.Err())
	}
}

func (s *Server) originateTimeout() time.Duration {
	if s.cfg.OriginateTimeout > 0 {
		return s.cfg.OriginateTimeout
	}
	return defaultOriginateTimeout
}

// originate is a call set up by Originate: leg a to the calling
// extension, leg b to the called one (nil for the echo test), bridged by
// the server, which relays BYE and re-INVITEs between them.
type originate struct {
	s      *Server
	from   Extension
	to     string
	toExt  *Extension
	call   *call
	result chan error
	aFork  *uacFork
	bFork  *uacFork
	a, b   *peerDialog
	aSeq   uint32 // CSeq of the first leg's INVITE, for its ACK
	ended  bool
	// pending is a re-INVITE relayed from one leg to the other.
	pending *sipmsg.Message
}

// aAnswered handles the calling extension's 2xx: its offer goes to the
// second leg. s.mu is held.
func (o *originate) aAnswered(tx *clientTx, resp *sipmsg.Message) {
	s := o.s
	o.a, o.aSeq = s.dialogFromAnswer(tx, resp)
	s.dialogs[o.a.key] = o
	o.result <- nil
	if !isSDP(resp) {
		o.fail(488)
		return
	}
	offer := resp.Body
	if o.toExt == nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			o.connectEcho(offer)
		}()
		return
	}
	bs := s.activeBindings(o.toExt.SIPUsername)
	if len(bs) == 0 {
		o.fail(480)
		return
	}
	if o.toExt.DND {
		o.fail(486)
		return
	}
	bTag := sipmsg.NewTag()
	bCallID := sipmsg.NewCallID()
	fromAddr := sipmsg.Address{DisplayName: o.from.Name, URI: sipmsg.URI{Scheme: "sip", User: o.from.SIPUsername, Host: s.host},
		Params: sipmsg.Params{{Name: "tag", Value: bTag}}}
	toAddr := sipmsg.Address{DisplayName: o.toExt.Name, URI: sipmsg.URI{Scheme: "sip", User: o.toExt.SIPUsername, Host: s.host}}
	contact := s.contact()
	o.bFork = &uacFork{
		onRing: func() { s.callState(o.call, stateEarly) },
		onAnswer: func(tx *clientTx, resp *sipmsg.Message) {
			if o.ended {
				s.ackAndBye(tx, resp)
				return
			}
			var seq uint32
			o.b, seq = s.dialogFromAnswer(tx, resp)
			s.dialogs[o.b.key] = o
			if ack, _, err := o.b.request(sipmsg.ACK, seq); err == nil {
				_ = o.b.conn.send(ack)
			}
			o.ackA(resp.Body)
			s.callState(o.call, stateConfirmed)
		},
		onFail: func(code int) { o.fail(code) },
	}
	s.inviteAll(bs, s.originateTimeout(), func(b *binding, via sipmsg.Via) (*sipmsg.Message, error) {
		m, err := sipmsg.BuildRequest(sipmsg.RequestSpec{Method: sipmsg.INVITE, URI: b.contact.URI, Via: via,
			From: fromAddr, To: toAddr, CallID: bCallID, CSeq: 1, Contact: &contact,
			ContentType: "application/sdp", Body: offer})
		if err == nil {
			_ = m.Add(sipmsg.HdrUserAgent, userAgentName)
			_ = m.Add(sipmsg.HdrAllow, allowed)
		}
		return m, err
	}, o.bFork)
	s.callState(o.call, stateTrying)
}

// connectEcho answers the first leg's offer with echo media.
func (o *originate) connectEcho(offer []byte) {
	s := o.s
	n, err := s.newEchoMedia()
	var sdp string
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), mediaSetupTimeout)
		sdp, err = n.CreateAnswer(ctx, string(offer), "")
		cancel()
		if err != nil {
			_ = n.Close()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.ended || s.closed {
		if err == nil {
			s.closeMedia(n)
		}
		return
	}
	if err != nil {
		o.fail(488)
		return
	}
	// From now on the first leg is an echo call.
	e := &echoCall{peerDialog: *o.a, call: o.call, media: n}
	s.dialogs[o.a.key] = e
	o.a = &e.peerDialog
	o.ackA([]byte(sdp))
	s.callState(o.call, stateConfirmed)
	e.timer = s.clk.AfterFunc(s.cfg.EchoMaxDuration, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		e.hangUp()
	})
}

// ackA acknowledges the first leg's 2xx, with the answer to its offer.
func (o *originate) ackA(answer []byte) {
	ack, _, err := o.a.request(sipmsg.ACK, o.aSeq)
	if err != nil {
		return
	}
	if len(answer) > 0 {
		_ = ack.Set(sipmsg.HdrContentType, "application/sdp")
		ack.Body = answer
	}
	_ = o.a.conn.send(ack)
}

// fail ends an originated call whose second leg could not be set up: the
// first leg gets its ACK and a BYE. s.mu is held.
func (o *originate) fail(code int) {
	if o.ended {
		return
	}
	o.ackA(nil)
	o.hangUp(nil, outcomeFor(code))
}

// hangUp sends BYE to every leg but except and ends the call with
// outcome, which an answered call turns into "answered" (see endCall).
func (o *originate) hangUp(except *peerDialog, outcome string) {
	s := o.s
	if o.ended {
		return
	}
	o.ended = true
	if o.bFork != nil {
		o.bFork.give(487)
	}
	for _, d := range []*peerDialog{o.a, o.b} {
		if d == nil {
			continue
		}
		if d != except {
			if bye, branch, err := d.request(sipmsg.BYE, 0); err == nil {
				s.startClientTx(d.conn, bye, branch, nil)
			}
		}
		if s.dialogs[d.key] == localDialog(o) {
			delete(s.dialogs, d.key)
		}
	}
	s.endCall(o.call, outcome)
}

// inDialog relays between the legs: BYE ends both, a re-INVITE's offer
// goes to the other leg and its answer comes back. s.mu is held.
func (o *originate) inDialog(c *conn, m *sipmsg.Message) {
	s := o.s
	self, other := o.a, o.b
	if o.b != nil && m.ToTag() == o.b.key.localTag && m.CallID() == o.b.key.callID {
		self, other = o.b, o.a
	}
	self.conn = c
	switch m.Method {
	case sipmsg.ACK:
	case sipmsg.BYE:
		s.reply(c, m, 200)
		o.hangUp(self, OutcomeCancelled)
	case sipmsg.INVITE:
		if other == nil || !isSDP(m) || o.pending != nil {
			s.replyTag(c, m, 491, self.key.localTag, nil)
			return
		}
		self.updateTarget(m)
		o.pending = m
		reinvite, branch, err := other.request(sipmsg.INVITE, 0)
		if err != nil {
			o.pending = nil
			s.replyTag(c, m, 500, self.key.localTag, nil)
			return
		}
		_ = reinvite.Set(sipmsg.HdrContentType, "application/sdp")
		reinvite.Body = m.Body
		var tx *clientTx
		tx = s.startClientTx(other.conn, reinvite, branch, func(resp *sipmsg.Message) {
			if resp.StatusCode < 200 {
				return
			}
			o.pending = nil
			if resp.StatusCode < 300 {
				cs, _ := tx.req.CSeq()
				if ack, _, err := other.request(sipmsg.ACK, cs.Seq); err == nil {
					_ = other.conn.send(ack)
				}
				other.updateTarget(resp)
				s.replyTag(c, m, 200, self.key.localTag, resp.Body)
				return
			}
			if !tx.local {
				s.ackFailure(tx, resp)
			}
			s.replyTag(c, m, resp.StatusCode, self.key.localTag, nil)
		})
	case sipmsg.INFO, sipmsg.UPDATE, sipmsg.OPTIONS:
		s.reply(c, m, 200)
	default:
		s.reply(c, m, 405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: "INVITE, ACK, BYE, INFO, UPDATE, OPTIONS"})
	}
}

// connClosed ends the call when a leg's connection closes. s.mu is held.
func (o *originate) connClosed(c *conn) {
	gone := func() bool { return (o.a != nil && o.a.conn == c) || (o.b != nil && o.b.conn == c) }
	if c == nil {
		o.hangUp(nil, OutcomeCancelled)
		return
	}
	if !gone() {
		return
	}
	// As for proxied calls, a leg that reconnects keeps the call.
	o.s.clk.AfterFunc(o.s.reconnectGrace, func() {
		o.s.mu.Lock()
		defer o.s.mu.Unlock()
		if gone() && !o.s.closed {
			o.hangUp(nil, OutcomeCancelled)
		}
	})
}

//go:build !js

package sipserver

import (
	"context"
	"strconv"
	"strings"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// handleCallOrMessage handles an INVITE or MESSAGE outside a dialog: the
// caller authenticates (407), then the Request-URI's user part picks a
// test number or an extension, whose registrations are forked to.
func (s *Server) handleCallOrMessage(c *conn, m *sipmsg.Message) {
	ctx, cancel := context.WithTimeout(c.ctx, lookupTimeout)
	defer cancel()
	if m.Method == sipmsg.INVITE {
		s.reply(c, m, 100)
	}
	caller, ok := s.authorize(ctx, c, m)
	if !ok {
		return
	}
	from, _ := m.From()
	if from.URI.User != caller.SIPUsername && from.URI.User != caller.ShortNumber && !strings.EqualFold(from.URI.User, "anonymous") {
		// Someone else's identity: refuse rather than show a false caller.
		s.reply(c, m, 403)
		return
	}
	if !m.RequestURI.IsSIP() {
		s.reply(c, m, 416)
		return
	}
	mf := 70
	if m.Has(sipmsg.HdrMaxForwards) {
		mf, _ = m.MaxForwards()
	}
	if mf <= 0 {
		s.reply(c, m, 483)
		return
	}
	_ = m.Set(sipmsg.HdrMaxForwards, strconv.Itoa(mf-1))
	dialled := m.RequestURI.User
	if m.Method == sipmsg.INVITE {
		switch dialled {
		case s.cfg.EchoNumber:
			s.startEcho(c, m, caller)
			return
		case s.cfg.BusyNumber:
			s.testBusy(c, m, caller)
			return
		case s.cfg.NoAnswerNumber:
			s.testNoAnswer(c, m, caller)
			return
		}
	}
	callee, found, err := s.lookup(ctx, dialled)
	if err != nil {
		s.log.Warn("sipserver: directory lookup failed", "err", err)
		s.reply(c, m, 500)
		return
	}
	if !found || !sameCustomer(caller, callee) {
		s.reply(c, m, 404)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var cl *call
	if m.Method == sipmsg.INVITE {
		cl = s.newCall(m.CallID(), from.URI.User, dialled, &caller, &callee)
		if cl == nil {
			s.reply(c, m, 482) // the same Call-ID again: a loop or a confused client
			return
		}
		cl.conns[c] = true
	}
	if callee.DND && m.Method == sipmsg.INVITE { // messages still reach a phone on do-not-disturb
		s.reply(c, m, 486)
		s.endCall(cl, OutcomeBusy)
		return
	}
	var bs []*binding
	for _, b := range s.activeBindings(callee.SIPUsername) {
		if b.conn != c { // calling one's own extension rings the other devices
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 {
		s.reply(c, m, 480)
		s.endCall(cl, OutcomeNoAnswer)
		return
	}
	f := &fork{s: s, req: m, conn: c, call: cl}
	f.st = s.addServerTx(c, m)
	f.st.onCancel = f.cancelByCaller
	f.st.onClose = f.callerGone
	limit := timerF
	if m.Method == sipmsg.INVITE {
		limit = timerC
	}
	f.st.timer = s.clk.AfterFunc(limit, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		f.timeout()
	})
	for _, b := range bs {
		f.addBranch(b)
	}
	if cl != nil {
		s.callState(cl, stateTrying)
	}
}

// fork is a proxied INVITE or MESSAGE sent to every registration of the
// target (RFC 3261 §16.7): the first 2xx is relayed and the other branches
// cancelled; when every branch fails the best failure is relayed.
type fork struct {
	s        *Server
	req      *sipmsg.Message
	conn     *conn
	st       *serverTx
	call     *call // nil for MESSAGE
	branches []*clientTx
	best     *sipmsg.Message
	answered bool // a 2xx was relayed
	final    bool // the caller has its final response
	ringing  bool
}

func (f *fork) isInvite() bool { return f.req.Method == sipmsg.INVITE }

// addBranch sends a copy of the request to binding b. s.mu is held.
func (f *fork) addBranch(b *binding) {
	s := f.s
	m := f.req.Clone()
	m.RequestURI = b.contact.URI.Clone()
	m.Del(sipmsg.HdrProxyAuthorization) // credentials were for us
	via, branch := s.via(f.conn.id)
	_ = m.Prepend(sipmsg.HdrVia, via.String())
	if f.isInvite() {
		rr := sipmsg.Address{URI: sipmsg.URI{Scheme: "sip", Host: s.host, Params: sipmsg.Params{
			{Name: "transport", Value: "ws"}, {Name: "lr"},
			{Name: paramFTag, Value: f.req.FromTag()},
			{Name: paramFlowA, Value: f.conn.id}, {Name: paramFlowB, Value: b.conn.id}}}}
		_ = m.Prepend(sipmsg.HdrRecordRoute, rr.String())
		f.call.conns[b.conn] = true
	}
	var tx *clientTx
	tx = s.startClientTx(b.conn, m, branch, func(resp *sipmsg.Message) { f.onBranchResponse(tx, resp) })
	f.branches = append(f.branches, tx)
}

// onBranchResponse handles a response of one branch. s.mu is held.
func (f *fork) onBranchResponse(tx *clientTx, resp *sipmsg.Message) {
	s := f.s
	code := resp.StatusCode
	switch {
	case code < 200:
		if code == 100 || f.final {
			return
		}
		if f.call != nil && !f.ringing {
			f.ringing = true
			s.callState(f.call, stateEarly)
		}
		f.relay(resp)
	case code < 300:
		if f.isInvite() {
			// Every 2xx of an INVITE goes to the caller (RFC 3261
			// §16.7 step 5); the caller ends the extra dialogs.
			f.relay(resp)
			if !f.answered {
				f.answered = true
				f.call.legs = newProxiedLegs(f, tx, resp)
				// The call now depends on the caller and the device that
				// answered, no longer on the devices that rang.
				f.call.conns = map[*conn]bool{f.conn: true, tx.conn: true}
				s.callState(f.call, stateConfirmed)
				f.cancelOthers(tx)
			}
			f.finish()
			return
		}
		if !f.final {
			f.relay(resp)
			f.finish()
		}
	default:
		if f.isInvite() && !tx.local {
			s.ackFailure(tx, resp)
		}
		if f.final {
			return
		}
		if f.best == nil || rankFailure(code) > rankFailure(f.best.StatusCode) {
			f.best = resp
		}
		if f.allDone() {
			f.relay(f.best)
			f.finish()
			if f.call != nil {
				s.endCall(f.call, outcomeFor(f.best.StatusCode))
			}
		}
	}
}

func (f *fork) allDone() bool {
	for _, b := range f.branches {
		if !b.done {
			return false
		}
	}
	return true
}

// relay sends a branch's response to the caller without our Via.
func (f *fork) relay(resp *sipmsg.Message) {
	if resp.StatusCode >= 200 {
		f.final = true
	}
	out := resp.Clone()
	vias := out.Values(sipmsg.HdrVia)
	if len(vias) < 2 {
		return
	}
	popVia(out, vias)
	_ = f.conn.send(out)
}

// finish forgets the server transaction once the caller has its final
// response.
func (f *fork) finish() {
	f.final = true
	f.s.removeServerTx(f.st)
}

// cancelOthers cancels every branch still ringing but winner.
func (f *fork) cancelOthers(winner *clientTx) {
	for _, b := range f.branches {
		if b != winner && !b.done {
			f.s.cancelBranch(b)
		}
	}
}

// cancelByCaller handles the caller's CANCEL: the branches are cancelled
// and the caller gets its 487 at once.
func (f *fork) cancelByCaller() {
	if f.final {
		return
	}
	for _, b := range f.branches {
		if !b.done {
			f.s.cancelBranch(b)
		}
	}
	f.s.reply(f.conn, f.req, 487)
	f.finish()
	if f.call != nil {
		f.s.endCall(f.call, OutcomeCancelled)
	}
}

// callerGone cancels the branches of a caller whose connection closed.
func (f *fork) callerGone() {
	for _, b := range f.branches {
		if !b.done {
			f.s.cancelBranch(b)
		}
	}
	f.finish()
	if f.call != nil {
		f.s.endCall(f.call, OutcomeCancelled)
	}
}

// timeout ends a fork nobody answered (Timer C, or Timer F for MESSAGE).
func (f *fork) timeout() {
	if f.final {
		return
	}
	for _, b := range f.branches {
		if !b.done {
			f.s.cancelBranch(b)
		}
	}
	f.s.reply(f.conn, f.req, 408)
	f.finish()
	if f.call != nil {
		f.s.endCall(f.call, OutcomeNoAnswer)
	}
}

// cancelBranch sends a CANCEL for an INVITE branch (RFC 3261 §9.1) and
// stops waiting for it: its 487 is acknowledged when it comes.
func (s *Server) cancelBranch(tx *clientTx) {
	if tx.req.Method != sipmsg.INVITE {
		tx.fail(487)
		return
	}
	cancel := &sipmsg.Message{Method: sipmsg.CANCEL, RequestURI: tx.req.RequestURI, Proto: sipmsg.Version}
	vias := tx.req.Values(sipmsg.HdrVia)
	if len(vias) > 0 {
		_ = cancel.Add(sipmsg.HdrVia, vias[0])
	}
	for _, h := range []string{sipmsg.HdrFrom, sipmsg.HdrTo, sipmsg.HdrCallID} {
		_ = cancel.Add(h, tx.req.Get(h))
	}
	if cs, err := tx.req.CSeq(); err == nil {
		_ = cancel.Add(sipmsg.HdrCSeq, sipmsg.CSeq{Seq: cs.Seq, Method: sipmsg.CANCEL}.String())
	}
	_ = cancel.Add(sipmsg.HdrMaxForwards, "70")
	_ = cancel.Add(sipmsg.HdrUserAgent, userAgentName)
	_ = tx.conn.send(cancel)
	// The branch's 487 is still acknowledged, but nothing waits for it.
	handler := tx.onResponse
	tx.onResponse = func(resp *sipmsg.Message) {
		if resp.StatusCode >= 300 && !tx.local {
			s.ackFailure(tx, resp)
		} else if resp.StatusCode >= 200 && resp.StatusCode < 300 && handler != nil {
			handler(resp) // answered anyway: the caller gets it and hangs up
		}
	}
	// A branch that never answers the CANCEL is given up after Timer F.
	tx.timer.Reset(timerF)
}

// ackFailure acknowledges a failure response to an INVITE we sent (RFC
// 3261 §17.1.1.3): same branch, To with the response's tag.
func (s *Server) ackFailure(tx *clientTx, resp *sipmsg.Message) {
	ack := &sipmsg.Message{Method: sipmsg.ACK, RequestURI: tx.req.RequestURI, Proto: sipmsg.Version}
	vias := tx.req.Values(sipmsg.HdrVia)
	if len(vias) > 0 {
		_ = ack.Add(sipmsg.HdrVia, vias[0])
	}
	_ = ack.Add(sipmsg.HdrMaxForwards, "70")
	for _, h := range []string{sipmsg.HdrFrom, sipmsg.HdrCallID} {
		_ = ack.Add(h, tx.req.Get(h))
	}
	_ = ack.Add(sipmsg.HdrTo, resp.Get(sipmsg.HdrTo))
	if cs, err := tx.req.CSeq(); err == nil {
		_ = ack.Add(sipmsg.HdrCSeq, sipmsg.CSeq{Seq: cs.Seq, Method: sipmsg.ACK}.String())
	}
	for _, r := range tx.req.Values(sipmsg.HdrRoute) {
		_ = ack.Add(sipmsg.HdrRoute, r)
	}
	_ = tx.conn.send(ack)
}

// rankFailure orders failure responses for relaying the best one: a
// global refusal first, then busy, then other client errors, server
// errors, unavailable, timeout and cancelled last.
func rankFailure(code int) int {
	switch {
	case code >= 600:
		return 100
	case code == 486:
		return 90
	case code == 487:
		return 10
	case code == 408:
		return 20
	case code == 480:
		return 30
	case code >= 500:
		return 40
	default:
		return 80
	}
}

// outcomeFor maps a final failure to a CallInfo outcome.
func outcomeFor(code int) string {
	switch code {
	case 486, 600:
		return OutcomeBusy
	case 603, 403:
		return OutcomeRejected
	case 408, 480:
		return OutcomeNoAnswer
	case 487:
		return OutcomeCancelled
	}
	return OutcomeFailed
}

// relayInDialog forwards a request of a proxied dialog (it carried our
// Route): to the callee's flow when it comes from the caller, else to the
// caller's, or to whatever connection now holds the Request-URI's binding.
func (s *Server) relayInDialog(c *conn, m *sipmsg.Message, route *sipmsg.URI) {
	ftag, _ := route.Params.Get(paramFTag)
	target, _ := route.Params.Get(paramFlowB)
	if m.FromTag() != ftag {
		target, _ = route.Params.Get(paramFlowA)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dst := s.conns[target]
	if dst == nil {
		dst = s.connForTarget(&m.RequestURI)
	}
	if dst == nil {
		s.replyUnlessACK(c, m, 430) // Flow Failed (RFC 5626 §11.5)
		if m.Method == sipmsg.BYE {
			if cl := s.calls[m.CallID()]; cl != nil {
				s.endCall(cl, OutcomeAnswered)
			}
		}
		return
	}
	mf := 70
	if m.Has(sipmsg.HdrMaxForwards) {
		mf, _ = m.MaxForwards()
	}
	if mf <= 0 {
		s.replyUnlessACK(c, m, 483)
		return
	}
	_ = m.Set(sipmsg.HdrMaxForwards, strconv.Itoa(mf-1))
	via, _ := s.via(c.id)
	_ = m.Prepend(sipmsg.HdrVia, via.String())
	if cl := s.calls[m.CallID()]; cl != nil {
		if l := cl.legs; l != nil {
			fromCaller := m.FromTag() == ftag
			l.sawRequest(m, fromCaller)
			// Either side may have reconnected: follow its flow.
			if fromCaller {
				l.callerConn, l.calleeConn = c, dst
			} else {
				l.callerConn, l.calleeConn = dst, c
			}
			cl.conns = map[*conn]bool{c: true, dst: true}
		}
		if m.Method == sipmsg.BYE {
			s.endCall(cl, OutcomeAnswered)
		}
	}
	_ = dst.send(m)
}

// newProxiedLegs records the dialog an answered INVITE created.
func newProxiedLegs(f *fork, tx *clientTx, resp *sipmsg.Message) *proxiedLegs {
	l := &proxiedLegs{callerConn: f.conn, calleeConn: tx.conn}
	l.caller, _ = f.req.From()
	l.callee, _ = resp.To()
	if cts, err := f.req.Contacts(); err == nil && len(cts) > 0 {
		l.callerTarget = cts[0].URI
	}
	l.calleeTarget = tx.req.RequestURI
	if cts, err := resp.Contacts(); err == nil && len(cts) > 0 {
		l.calleeTarget = cts[0].URI
	}
	if cs, err := f.req.CSeq(); err == nil {
		l.callerSeq = cs.Seq
	}
	return l
}

// sameCustomer reports whether two extensions may reach each other: short
// numbers are per customer, so extensions of different customers are
// strangers. An empty CustomerID matches any.
func sameCustomer(a, b Extension) bool {
	return a.CustomerID == "" || b.CustomerID == "" || a.CustomerID == b.CustomerID
}

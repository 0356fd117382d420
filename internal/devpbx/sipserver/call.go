//go:build !js

package sipserver

import (
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Dialog states of a call, as RFC 4235 names them.
const (
	stateTrying     = "trying"
	stateEarly      = "early"
	stateConfirmed  = "confirmed"
	stateTerminated = "terminated"
)

// call is what the server knows of a call for the busy lamps and the call
// history: who calls whom and how far it got.
type call struct {
	info     CallInfo
	id       string // the dialog id in dialog-info documents
	fromUser string // SIP username of the calling extension, "" for none
	toUser   string // SIP username of the called extension, "" for none
	state    string
	// legs is set for a call the proxy relays once it is answered: what
	// it takes to hang up one party when the other's connection vanishes.
	legs  *proxiedLegs
	rang  bool
	ended bool
	conns map[*conn]bool // connections the call depends on
}

// newCall records a call with a new Call-ID; nil when the Call-ID is in
// use. s.mu is held.
func (s *Server) newCall(callID, from, to string, fromExt, toExt *Extension) *call {
	if _, dup := s.calls[callID]; dup {
		return nil
	}
	cl := &call{id: sipmsg.RandomToken(12), conns: map[*conn]bool{},
		info: CallInfo{CallID: callID, From: from, To: to, Started: s.clk.Now()}}
	if fromExt != nil {
		e := *fromExt
		cl.info.FromExt = &e
		cl.fromUser = e.SIPUsername
	}
	if toExt != nil {
		e := *toExt
		cl.info.ToExt = &e
		cl.toUser = e.SIPUsername
	}
	s.calls[callID] = cl
	return cl
}

// callState moves a call forward and tells the watchers. s.mu is held.
func (s *Server) callState(cl *call, state string) {
	if cl == nil || cl.ended || cl.state == state {
		return
	}
	cl.state = state
	switch state {
	case stateTrying, stateEarly:
		if cl.toUser != "" && !cl.rang {
			cl.rang = true
			info := cl.snapshot()
			s.emit(func() { s.cfg.Events.CallRinging(info) })
		}
	case stateConfirmed:
		cl.info.Answered = s.clk.Now()
	}
	s.notifyCall(cl)
}

// endCall ends a call: watchers see it terminated, the call history gets
// it. An answered call always ends as "answered". s.mu is held.
func (s *Server) endCall(cl *call, outcome string) {
	if cl == nil || cl.ended {
		return
	}
	cl.ended = true
	cl.state = stateTerminated
	if !cl.info.Answered.IsZero() {
		outcome = OutcomeAnswered
	}
	cl.info.Outcome = outcome
	cl.info.Ended = s.clk.Now()
	if s.calls[cl.info.CallID] == cl {
		delete(s.calls, cl.info.CallID)
	}
	s.notifyCall(cl)
	info := cl.snapshot()
	s.emit(func() { s.cfg.Events.CallEnded(info) })
}

// snapshot copies the call's info for a callback running later.
func (cl *call) snapshot() CallInfo {
	info := cl.info
	if info.FromExt != nil {
		e := *info.FromExt
		info.FromExt = &e
	}
	if info.ToExt != nil {
		e := *info.ToExt
		info.ToExt = &e
	}
	return info
}

// notifyCall sends NOTIFYs to those watching either party. s.mu is held.
func (s *Server) notifyCall(cl *call) {
	for _, user := range []string{cl.fromUser, cl.toUser} {
		if user == "" {
			continue
		}
		for sub := range s.subsByUser[user] {
			sub.notify(cl)
		}
		if cl.fromUser == cl.toUser {
			break
		}
	}
}

// callsOf returns the calls in progress of user. s.mu is held.
func (s *Server) callsOf(user string) []*call {
	var out []*call
	for _, cl := range s.calls {
		if cl.fromUser == user || cl.toUser == user {
			out = append(out, cl)
		}
	}
	return out
}

// proxiedLegs is the dialog of an answered proxied call as the proxy saw
// it: both parties' addresses with tags, targets and connections, and the
// highest CSeq each has used.
type proxiedLegs struct {
	caller, callee             sipmsg.Address // From and To of the INVITE, with tags
	callerTarget, calleeTarget sipmsg.URI
	callerConn, calleeConn     *conn
	callerSeq, calleeSeq       uint32
}

// sawRequest tracks the CSeq and target refreshes of an in-dialog request
// relayed from one party.
func (l *proxiedLegs) sawRequest(m *sipmsg.Message, fromCaller bool) {
	cs, err := m.CSeq()
	if err != nil || m.Method == sipmsg.ACK || m.Method == sipmsg.CANCEL {
		return
	}
	var target *sipmsg.URI
	if fromCaller {
		l.callerSeq = max(l.callerSeq, cs.Seq)
		target = &l.callerTarget
	} else {
		l.calleeSeq = max(l.calleeSeq, cs.Seq)
		target = &l.calleeTarget
	}
	if m.Method == sipmsg.INVITE || m.Method == sipmsg.UPDATE {
		if cts, err := m.Contacts(); err == nil && len(cts) > 0 && !cts[0].Wildcard {
			*target = cts[0].URI
		}
	}
}

// byeForGone sends a BYE, in the name of the party whose connection c
// closed, to the other party. s.mu is held.
func (s *Server) byeForGone(cl *call, c *conn) {
	l := cl.legs
	var from, to sipmsg.Address
	var target sipmsg.URI
	var dst *conn
	var seq uint32
	switch c {
	case l.calleeConn:
		from, to, target, dst, seq = l.callee, l.caller, l.callerTarget, l.callerConn, l.calleeSeq+1
	case l.callerConn:
		from, to, target, dst, seq = l.caller, l.callee, l.calleeTarget, l.calleeConn, l.callerSeq+1
	default:
		return
	}
	via, branch := s.via("")
	bye, err := sipmsg.BuildRequest(sipmsg.RequestSpec{Method: sipmsg.BYE, URI: target, Via: via,
		From: from, To: to, CallID: cl.info.CallID, CSeq: seq})
	if err != nil {
		return
	}
	_ = bye.Add(sipmsg.HdrReason, `SIP;cause=480;text="connection lost"`)
	_ = bye.Add(sipmsg.HdrUserAgent, userAgentName)
	s.startClientTx(dst, bye, branch, nil)
}

// afterGrace hangs up an answered proxied call for the party whose
// connection c closed, unless that party has come back on another
// connection by then. s.mu is held.
func (s *Server) afterGrace(cl *call, c *conn) {
	s.clk.AfterFunc(s.reconnectGrace, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if cl.ended || s.closed || (cl.legs.callerConn != c && cl.legs.calleeConn != c) {
			return
		}
		s.byeForGone(cl, c)
		s.endCall(cl, OutcomeAnswered)
	})
}

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
	info      CallInfo
	id        string // the dialog id in dialog-info documents
	fromUser  string // SIP username of the calling extension, "" for none
	toUser    string // SIP username of the called extension, "" for none
	state     string
	callerTag string
	answerTag string
	rang      bool
	ended     bool
	conns     map[*conn]bool // connections the call depends on
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

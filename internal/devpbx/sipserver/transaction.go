//go:build !js

package sipserver

import (
	"strings"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Via and Record-Route parameters of ours.
const (
	// paramBack in our Via names the connection a response is relayed to.
	paramBack = "x-flow"
	// paramFlowA and paramFlowB in our Record-Route name the caller's and
	// the callee's connections (RFC 5626 flow tokens); paramFTag is the
	// caller's From tag, which tells the direction of a request.
	paramFlowA = "x-fa"
	paramFlowB = "x-fb"
	paramFTag  = "x-ftag"
)

// clientTx is a request the server sent (a forked branch, a NOTIFY, a
// CANCEL, a BYE of its own): responses go to onResponse, and a missing
// final response becomes a 408 after Timer F. Handlers run with s.mu held.
type clientTx struct {
	s          *Server
	branch     string
	req        *sipmsg.Message
	conn       *conn
	onResponse func(resp *sipmsg.Message)
	timer      clock.Timer
	done       bool
	// local is set when the final response was generated here (timeout,
	// lost connection), so there is nothing to acknowledge.
	local bool
}

// startClientTx sends req on c as a new client transaction. req's top Via
// must be ours with the given branch. s.mu is held.
func (s *Server) startClientTx(c *conn, req *sipmsg.Message, branch string, onResponse func(*sipmsg.Message)) *clientTx {
	tx := &clientTx{s: s, branch: branch, req: req, conn: c, onResponse: onResponse}
	s.clientTxs[branch] = tx
	tx.timer = s.clk.AfterFunc(timerF, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		tx.fail(408)
	})
	if err := c.send(req); err != nil {
		// Report the failure after the caller has stored tx.
		tx.timer.Reset(0)
	}
	return tx
}

// receive handles a response to the transaction.
func (tx *clientTx) receive(resp *sipmsg.Message) {
	if tx.done {
		return
	}
	if resp.StatusCode >= 200 {
		tx.finish()
	} else if tx.req.Method == sipmsg.INVITE && resp.StatusCode > 100 {
		// Ringing: the INVITE's owner bounds the wait from now on (Timer C).
		tx.timer.Stop()
	}
	if tx.onResponse != nil {
		tx.onResponse(resp)
	}
}

// fail ends the transaction with a locally generated final response.
func (tx *clientTx) fail(code int) {
	if tx.done {
		return
	}
	tx.finish()
	tx.local = true
	if tx.onResponse == nil {
		return
	}
	resp, err := sipmsg.NewResponse(tx.req, code, "")
	if err != nil {
		return
	}
	tx.onResponse(resp)
}

func (tx *clientTx) finish() {
	tx.done = true
	tx.timer.Stop()
	if tx.s.clientTxs[tx.branch] == tx {
		delete(tx.s.clientTxs, tx.branch)
	}
}

func (tx *clientTx) stop() {
	tx.done = true
	tx.timer.Stop()
}

// serverTx is an INVITE or MESSAGE from a client that the server has not
// answered finally yet, found by its branch for CANCEL.
type serverTx struct {
	req      *sipmsg.Message
	conn     *conn
	key      string
	onCancel func() // s.mu held
	onClose  func() // the client's connection closed; s.mu held
	timer    clock.Timer
}

func serverTxKey(branch, method string) string { return branch + " " + method }

func (st *serverTx) stopTimer() {
	if st.timer != nil {
		st.timer.Stop()
	}
}

func (st *serverTx) connClosed() {
	if st.onClose != nil {
		st.onClose()
	}
}

// addServerTx remembers an unanswered request; s.mu is held.
func (s *Server) addServerTx(c *conn, req *sipmsg.Message) *serverTx {
	via, _ := req.TopVia()
	st := &serverTx{req: req, conn: c, key: serverTxKey(via.Branch(), req.Method)}
	s.serverTxs[st.key] = st
	return st
}

// removeServerTx forgets st once it has its final response; s.mu is held.
func (s *Server) removeServerTx(st *serverTx) {
	st.stopTimer()
	if s.serverTxs[st.key] == st {
		delete(s.serverTxs, st.key)
	}
}

// handleCancel answers a CANCEL (RFC 3261 §9.2) and cancels the matching
// INVITE.
func (s *Server) handleCancel(c *conn, m *sipmsg.Message) {
	via, _ := m.TopVia()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.serverTxs[serverTxKey(via.Branch(), sipmsg.INVITE)]
	if st == nil || st.conn != c {
		s.reply(c, m, 481)
		return
	}
	s.reply(c, m, 200)
	if st.onCancel != nil {
		st.onCancel()
	}
}

// handleResponse routes a response: to the transaction of ours it answers,
// or statelessly back to the connection our Via names.
func (s *Server) handleResponse(c *conn, m *sipmsg.Message) {
	vias := m.Values(sipmsg.HdrVia)
	if len(vias) == 0 {
		return
	}
	top, err := sipmsg.ParseVia(vias[0])
	if err != nil || !strings.EqualFold(top.Host, s.host) {
		return
	}
	if _, err := m.CSeq(); err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Matched by branch alone: a client may answer over a new connection
	// after reconnecting, and branches are random.
	if tx := s.clientTxs[top.Branch()]; tx != nil {
		tx.receive(m)
		return
	}
	back, _ := top.Params.Get(paramBack)
	dst := s.conns[back]
	if dst == nil || len(vias) < 2 {
		return
	}
	popVia(m, vias)
	_ = dst.send(m)
}

// popVia removes the top Via value of m; vias are m's Via values.
func popVia(m *sipmsg.Message, vias []string) {
	m.Del(sipmsg.HdrVia)
	for i := len(vias) - 1; i >= 1; i-- {
		_ = m.Prepend(sipmsg.HdrVia, vias[i])
	}
}

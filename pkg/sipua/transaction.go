package sipua

import (
	"context"
	"fmt"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// txState names the states of RFC 3261 §17 (and RFC 6026's Accepted).
type txState int

const (
	txTrying txState = iota
	txCalling
	txProceeding
	txCompleted
	txAccepted
	txConfirmed
	txTerminated
)

// clientTx is a client transaction over a reliable transport: no
// retransmissions, Timer B/F bound the wait for a final response, Timer K
// and D are zero, and an INVITE stays Accepted for Timer M after a 2xx so
// retransmitted 2xx reach the session (RFC 6026).
type clientTx struct {
	ua     *UA
	key    string
	req    *sipmsg.Message
	state  txState
	timer  clock.Timer
	invite bool
	// onResponse gets every response (provisional and final; for an
	// accepted INVITE also 2xx retransmissions).
	onResponse func(*sipmsg.Message)
	// onFail reports a transaction that ended without a final response.
	onFail func(error)
}

func txKey(branch, method string) string { return branch + "|" + method }

// sendRequest starts a client transaction for req, whose top Via carries
// a fresh branch.
func (ua *UA) sendRequest(req *sipmsg.Message, onResponse func(*sipmsg.Message), onFail func(error)) {
	via, err := req.TopVia()
	if err != nil {
		onFail(fmt.Errorf("sipua: request without Via: %w", err))
		return
	}
	tx := &clientTx{ua: ua, key: txKey(via.Branch(), req.Method), req: req, invite: req.Method == sipmsg.INVITE,
		onResponse: onResponse, onFail: onFail}
	if tx.invite {
		tx.state = txCalling
	}
	if !ua.connected.Load() {
		onFail(ErrNotConnected)
		return
	}
	ua.clientTxs[tx.key] = tx
	tx.timer = ua.after(TimerF, func() { tx.timeout() })
	if err := ua.send(req); err != nil {
		tx.fail(err)
	}
}

func (tx *clientTx) timeout() {
	if tx.state == txTerminated {
		return
	}
	if tx.state == txAccepted {
		tx.terminate() // Timer M: the accepted INVITE's life is over
		return
	}
	tx.fail(ErrTimeout)
}

func (tx *clientTx) fail(err error) {
	if tx.state == txTerminated {
		return
	}
	tx.terminate()
	tx.onFail(err)
}

func (tx *clientTx) terminate() {
	tx.state = txTerminated
	if tx.timer != nil {
		tx.timer.Stop()
	}
	if tx.ua.clientTxs[tx.key] == tx {
		delete(tx.ua.clientTxs, tx.key)
	}
}

func (tx *clientTx) receive(resp *sipmsg.Message) {
	code := resp.StatusCode
	switch tx.state {
	case txTerminated, txCompleted:
		return
	case txAccepted:
		if code >= 200 && code < 300 {
			tx.onResponse(resp) // a retransmitted 2xx: the session re-ACKs
		}
		return
	}
	if code < 200 {
		tx.state = txProceeding
		tx.onResponse(resp)
		return
	}
	if tx.invite {
		if code < 300 {
			tx.state = txAccepted
			tx.timer.Reset(TimerM)
			tx.onResponse(resp)
			return
		}
		tx.ackFailure(resp)
	}
	tx.terminate()
	tx.onResponse(resp)
}

// ackFailure sends the ACK of a 3xx-6xx to an INVITE (RFC 3261 §17.1.1.3):
// same branch, Call-ID, From, Request-URI and Route as the INVITE, To from
// the response.
func (tx *clientTx) ackFailure(resp *sipmsg.Message) {
	ack := sameTransaction(tx.req, sipmsg.ACK, resp.Get(sipmsg.HdrTo))
	if err := tx.ua.send(ack); err != nil {
		tx.ua.log.Debug("sipua: cannot send ACK", "err", err)
	}
}

// sameTransaction builds a request that belongs to req's INVITE
// transaction (its CANCEL, or the ACK of a failure): same Request-URI,
// top Via, Route, From, Call-ID and CSeq number, the given To.
func sameTransaction(req *sipmsg.Message, method, to string) *sipmsg.Message {
	m := &sipmsg.Message{Method: method, RequestURI: req.RequestURI.Clone(), Proto: sipmsg.Version}
	cseq, _ := req.CSeq()
	_ = m.Add(sipmsg.HdrVia, req.Get(sipmsg.HdrVia))
	for _, r := range req.Values(sipmsg.HdrRoute) {
		_ = m.Add(sipmsg.HdrRoute, r)
	}
	_ = m.Add(sipmsg.HdrMaxForwards, "70")
	_ = m.Add(sipmsg.HdrFrom, req.Get(sipmsg.HdrFrom))
	_ = m.Add(sipmsg.HdrTo, to)
	_ = m.Add(sipmsg.HdrCallID, req.CallID())
	_ = m.Add(sipmsg.HdrCSeq, sipmsg.CSeq{Seq: cseq.Seq, Method: method}.String())
	return m
}

// serverTx is a server transaction over a reliable transport: it keeps
// the last response so a retransmitted request is answered again, and
// Timer J/I are zero.
type serverTx struct {
	ua    *UA
	key   string
	req   *sipmsg.Message
	state txState
	last  *sipmsg.Message
	timer clock.Timer
	// onCancel is called when a CANCEL matches this INVITE transaction
	// while it is proceeding; nil answers the INVITE 487.
	onCancel func(cancel *sipmsg.Message)
}

func (ua *UA) newServerTx(req *sipmsg.Message) *serverTx {
	via, _ := req.TopVia()
	tx := &serverTx{ua: ua, key: txKey(via.Branch(), req.Method), req: req, state: txTrying}
	if req.Method == sipmsg.INVITE {
		tx.state = txProceeding
	}
	ua.serverTxs[tx.key] = tx
	return tx
}

// respond sends resp within the transaction.
func (tx *serverTx) respond(resp *sipmsg.Message) {
	if tx.state == txTerminated {
		return
	}
	tx.last = resp
	if err := tx.ua.send(resp); err != nil {
		tx.ua.log.Debug("sipua: cannot send response", "summary", resp.Summary(), "err", err)
	}
	if resp.StatusCode < 200 {
		tx.state = txProceeding
		return
	}
	if tx.req.Method != sipmsg.INVITE {
		tx.terminate() // Timer J is zero on a reliable transport
		return
	}
	if resp.StatusCode < 300 {
		tx.state = txAccepted
		tx.timer = tx.ua.after(TimerL, tx.terminate)
		return
	}
	tx.state = txCompleted
	tx.timer = tx.ua.after(TimerH, tx.terminate)
}

// reply builds and sends a response with the standard reason phrase and
// the given extra headers.
func (tx *serverTx) reply(code int, headers ...sipmsg.Header) {
	resp, err := sipmsg.NewResponse(tx.req, code, "")
	if err != nil {
		tx.ua.log.Debug("sipua: cannot build response", "err", err)
		return
	}
	for _, h := range headers {
		_ = resp.Add(h.Name, h.Value)
	}
	tx.respond(resp)
}

// retransmission answers a retransmitted request with the last response.
func (tx *serverTx) retransmission() {
	if tx.last != nil && tx.state != txTerminated {
		_ = tx.ua.send(tx.last)
	}
}

func (tx *serverTx) terminate() {
	tx.state = txTerminated
	if tx.timer != nil {
		tx.timer.Stop()
	}
	if tx.ua.serverTxs[tx.key] == tx {
		delete(tx.ua.serverTxs, tx.key)
	}
}

// send writes a message to the transport.
func (ua *UA) send(m *sipmsg.Message) error {
	data, err := m.Bytes()
	if err != nil {
		return err
	}
	if ua.cfg.Trace {
		ua.log.Debug("sipua: send", "message", redact(data))
	}
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	return ua.tr.Send(ctx, data)
}

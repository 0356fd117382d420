package sipua

import (
	"bytes"
	"errors"
	"strings"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"
)

// onTransport handles one transport event on the loop.
func (ua *UA) onTransport(ev transport.Event) {
	switch ev.Kind {
	case transport.Connecting:
		ua.emit(ConnectingEvent{URL: ev.URL, Attempt: ev.Attempt})
	case transport.Connected:
		ua.connected.Store(true)
		ua.emit(ConnectedEvent{URL: ev.URL})
		// Bindings and subscriptions died with the old connection's flow.
		if ua.reg.wanted {
			ua.reg.register()
		}
		ua.subs.resubscribeAll()
		// Calls outlive the connection: restart ICE so media follows the
		// new path, and refresh our Contact at the peer.
		for s := range ua.sessions {
			if s.IsEstablished() {
				s.recover("reconnected")
			}
		}
	case transport.Disconnected:
		wasConnected := ua.connected.Swap(false)
		for _, tx := range ua.clientTxs {
			if tx.state == txAccepted {
				tx.terminate() // the INVITE has its answer: nothing failed
				continue
			}
			tx.fail(ErrTransportLost)
		}
		for _, tx := range ua.serverTxs {
			tx.terminate()
		}
		ua.reg.onDisconnected()
		ua.subs.onDisconnected()
		if wasConnected || ev.Err != nil {
			ua.emit(DisconnectedEvent{Err: ev.Err, Code: ev.Code, Reason: ev.Reason})
		}
	case transport.Message:
		ua.receive(ev.Data)
	}
}

func (ua *UA) receive(data []byte) {
	if ua.cfg.Trace {
		ua.log.Debug("sipua: receive", "message", redact(data))
	}
	m, err := sipmsg.Parse(data)
	if err != nil {
		ua.log.Debug("sipua: dropping unparsable message", "err", err)
		return
	}
	if m.IsResponse() {
		ua.receiveResponse(m)
		return
	}
	ua.receiveRequest(m)
}

func (ua *UA) receiveResponse(m *sipmsg.Message) {
	via, err := m.TopVia()
	if err != nil {
		return
	}
	cseq, err := m.CSeq()
	if err != nil {
		return
	}
	if tx := ua.clientTxs[txKey(via.Branch(), cseq.Method)]; tx != nil {
		tx.receive(m)
		return
	}
	ua.log.Debug("sipua: response matches no transaction", "summary", m.Summary())
}

func (ua *UA) receiveRequest(m *sipmsg.Message) {
	if err := m.Validate(); err != nil {
		if _, verr := m.TopVia(); verr == nil && m.Method != sipmsg.ACK {
			code := 400
			if errors.Is(err, sipmsg.ErrVersion) {
				code = 505
			}
			if resp, rerr := sipmsg.NewResponse(m, code, ""); rerr == nil {
				_ = ua.send(resp)
			}
		}
		ua.log.Debug("sipua: invalid request", "err", err)
		return
	}
	via, _ := m.TopVia()
	if m.Method == sipmsg.ACK {
		if tx := ua.serverTxs[txKey(via.Branch(), sipmsg.INVITE)]; tx != nil && tx.state == txCompleted {
			tx.state = txConfirmed
			tx.terminate() // Timer I is zero on a reliable transport
			return
		}
		ua.dispatchInDialog(m, nil)
		return
	}
	if tx := ua.serverTxs[txKey(via.Branch(), m.Method)]; tx != nil {
		tx.retransmission()
		return
	}
	tx := ua.newServerTx(m)
	if ua.stopping.Load() {
		tx.reply(503)
		return
	}
	if m.ToTag() != "" {
		ua.dispatchInDialog(m, tx)
		return
	}
	switch m.Method {
	case sipmsg.OPTIONS:
		tx.reply(200, sipmsg.Header{Name: sipmsg.HdrAllow, Value: allowed},
			sipmsg.Header{Name: sipmsg.HdrAccept, Value: "application/sdp, application/dialog-info+xml, text/plain"},
			sipmsg.Header{Name: sipmsg.HdrSupported, Value: "path, gruu, outbound"})
	case sipmsg.MESSAGE:
		ua.receiveMessage(m, tx)
	case sipmsg.NOTIFY:
		// A NOTIFY may arrive before the 2xx of its SUBSCRIBE, with a To
		// tag; without one it belongs to no subscription of ours.
		tx.reply(481)
	case sipmsg.INVITE:
		ua.receiveInvite(m, tx)
	case sipmsg.BYE, sipmsg.INFO, sipmsg.UPDATE, sipmsg.REFER, sipmsg.PRACK:
		tx.reply(481)
	case sipmsg.CANCEL:
		// RFC 3261 §9.2: a CANCEL matches the INVITE server transaction
		// with the same branch; it is answered 200 and the INVITE 487.
		inv := ua.serverTxs[txKey(via.Branch(), sipmsg.INVITE)]
		if inv == nil || inv.state != txProceeding {
			tx.reply(481)
			return
		}
		tx.reply(200)
		if inv.onCancel != nil {
			inv.onCancel(m)
		} else {
			inv.reply(487)
		}
	default:
		tx.reply(405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: allowed})
	}
}

// dispatchInDialog hands an in-dialog request to the usage owning the
// dialog, or answers 481.
func (ua *UA) dispatchInDialog(m *sipmsg.Message, tx *serverTx) {
	id := dialogID{callID: m.CallID(), localTag: m.ToTag(), remoteTag: m.FromTag()}
	if u := ua.dialogs[id]; u != nil {
		u.receiveRequest(m, tx)
		return
	}
	if m.Method == sipmsg.NOTIFY {
		if sub := ua.subs.forNotify(m); sub != nil {
			sub.receiveRequest(m, tx)
			return
		}
	}
	if tx != nil {
		tx.reply(481)
	}
}

// redact hides credentials in a message for the trace log: the value of
// every Authorization and Proxy-Authorization header line is replaced.
func redact(data []byte) string {
	if !bytes.Contains(bytes.ToLower(data), []byte("authorization")) {
		return string(data)
	}
	var b strings.Builder
	b.Grow(len(data))
	for line := range strings.SplitAfterSeq(string(data), "\n") {
		name, _, found := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if found && (strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization")) {
			b.WriteString(name)
			b.WriteString(": [redacted]")
			if strings.HasSuffix(line, "\r\n") {
				b.WriteString("\r\n")
			} else if strings.HasSuffix(line, "\n") {
				b.WriteString("\n")
			}
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

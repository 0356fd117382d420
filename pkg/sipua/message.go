package sipua

import (
	"context"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// SendMessage sends a MESSAGE (RFC 3428) to target (an extension, a
// number or a sip: URI) and waits for its final response. Challenges are
// answered; a failure is a *FailedError with the JsSIP cause.
func (ua *UA) SendMessage(ctx context.Context, target string, body []byte, contentType string) error {
	uri, err := sipmsg.ParseTarget(target, ua.aor.HostPort())
	if err != nil {
		return err
	}
	if contentType == "" {
		contentType = "text/plain"
	}
	return ua.runAsync(ctx, func(result chan<- error) {
		me := sipmsg.Address{DisplayName: ua.cfg.DisplayName, URI: ua.aor}
		to := sipmsg.Address{URI: uri}
		callID, fromTag := sipmsg.NewCallID(), sipmsg.NewTag()
		var cseq uint32
		var sent *sipmsg.Message
		a := &authedRequest{ua: ua,
			build: func() (*sipmsg.Message, error) {
				cseq++
				from := me.Clone()
				from.Params = sipmsg.Params{{Name: "tag", Value: fromTag}}
				m, err := sipmsg.BuildRequest(sipmsg.RequestSpec{Method: sipmsg.MESSAGE, URI: uri, Via: ua.via(),
					From: from, To: to, CallID: callID, CSeq: cseq, ContentType: contentType, Body: body})
				if err == nil {
					_ = m.Add(sipmsg.HdrUserAgent, ua.cfg.UserAgent)
					sent = m
				}
				return m, err
			},
			onFinal: func(resp *sipmsg.Message) {
				if resp.StatusCode >= 300 {
					result <- &FailedError{Method: sipmsg.MESSAGE, Code: resp.StatusCode, Reason: resp.Reason,
						Cause: CauseForStatus(resp.StatusCode)}
					return
				}
				ua.emit(NewMessageEvent{Originator: "local", From: me, To: to, ContentType: contentType,
					Body: body, Request: sent})
				result <- nil
			},
			onFail: func(err error) {
				result <- &FailedError{Method: sipmsg.MESSAGE, Cause: causeForError(err), Err: err}
			},
		}
		a.send()
	})
}

// receiveMessage answers an incoming MESSAGE: 200 and a newMessage event
// when the application listens, 405 otherwise (as JsSIP does).
func (ua *UA) receiveMessage(m *sipmsg.Message, tx *serverTx) {
	if !ua.wants("newMessage") {
		tx.reply(405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: allowed})
		return
	}
	from, _ := m.From()
	to, _ := m.To()
	ct := m.Get(sipmsg.HdrContentType)
	if ct == "" {
		ct = "text/plain"
	}
	tx.reply(200)
	ua.emit(NewMessageEvent{Originator: "remote", From: from, To: to, ContentType: ct, Body: m.Body, Request: m})
}

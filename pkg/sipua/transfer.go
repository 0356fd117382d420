package sipua

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// ReferOptions shape a transfer.
type ReferOptions struct {
	// Replaces makes an attended transfer: the transfer target is the
	// other party of this (established) call, which the new call replaces
	// (RFC 3891).
	Replaces *Session
}

// Refer transfers the call (RFC 3515): the peer is asked to call target.
// It returns once the peer accepted (202) or refused the REFER; progress
// of the new call arrives as SessionEvents "referTrying", "referProgress",
// "referAccepted" and "referFailed" (StatusCode is the sipfrag status).
func (s *Session) Refer(ctx context.Context, target string, opts ReferOptions) error {
	referTo, err := s.referTo(target, opts)
	if err != nil {
		return err
	}
	return s.ua.runAsync(ctx, func(result chan<- error) {
		if !s.IsEstablished() || s.dlg == nil {
			result <- errors.New("sipua: transfer needs an established call")
			return
		}
		a := &authedRequest{ua: s.ua,
			build: func() (*sipmsg.Message, error) {
				m, err := s.dlg.request(sipmsg.REFER)
				if err != nil {
					return nil, err
				}
				if err := m.Set(sipmsg.HdrReferTo, referTo); err != nil {
					return nil, err
				}
				by := sipmsg.Address{URI: s.ua.aor}
				_ = m.Set(sipmsg.HdrReferredBy, by.String())
				return m, nil
			},
			onFinal: func(resp *sipmsg.Message) {
				if resp.StatusCode >= 300 {
					result <- &FailedError{Method: sipmsg.REFER, Code: resp.StatusCode, Reason: resp.Reason, Cause: CauseForStatus(resp.StatusCode)}
					return
				}
				result <- nil
			},
			onFail: func(err error) { result <- &FailedError{Method: sipmsg.REFER, Cause: causeForError(err), Err: err} },
		}
		a.send()
	})
}

// referTo builds the Refer-To value; for an attended transfer it carries
// the Replaces of the other call's dialog as the transfer target sees it.
func (s *Session) referTo(target string, opts ReferOptions) (string, error) {
	if opts.Replaces == nil {
		uri, err := sipmsg.ParseTarget(target, s.ua.aor.HostPort())
		if err != nil {
			return "", err
		}
		return sipmsg.Address{URI: uri}.String(), nil
	}
	other := opts.Replaces
	var out string
	var err error
	done := make(chan struct{})
	if !s.ua.post(func() {
		defer close(done)
		if other.dlg == nil || !other.IsEstablished() {
			err = errors.New("sipua: attended transfer needs an established second call")
			return
		}
		d := other.dlg
		uri := other.RemoteIdentity().URI.Clone()
		uri.Params = nil
		rep := sipmsg.Replaces{CallID: d.id.callID, ToTag: d.id.remoteTag, FromTag: d.id.localTag}
		uri.Headers = sipmsg.Params{{Name: "Replaces", Value: rep.String()}}
		out = sipmsg.Address{URI: uri}.String()
	}) {
		return "", ErrStopped
	}
	<-done
	return out, err
}

// ReferRequest is a transfer the peer asked for (an incoming REFER),
// delivered with the SessionEvent "refer": Accept calls the target and
// reports progress to the transferor, Reject refuses.
type ReferRequest struct {
	session *Session
	tx      *serverTx
	// Request is the REFER.
	Request *sipmsg.Message
	// Target is the Refer-To URI without its headers.
	Target sipmsg.URI
	// Replaces is set for an attended transfer.
	Replaces *sipmsg.Replaces
	cseq     uint32
}

// Accept accepts the transfer: 202, then a new call to the target whose
// progress is reported to the transferor by NOTIFY (message/sipfrag).
func (r *ReferRequest) Accept(ctx context.Context, opts CallOptions) (*Session, error) {
	s := r.session
	if err := s.ua.run(ctx, func() {
		r.tx.reply(202)
		s.notifyRefer(r.cseq, 100, "Trying", false)
	}); err != nil {
		return nil, err
	}
	target := r.Target.String()
	if r.Replaces != nil {
		opts.ExtraHeaders = append(opts.ExtraHeaders, sipmsg.Header{Name: sipmsg.HdrReplaces, Value: r.Replaces.String()})
	}
	if by := r.Request.Get(sipmsg.HdrReferredBy); by != "" {
		opts.ExtraHeaders = append(opts.ExtraHeaders, sipmsg.Header{Name: sipmsg.HdrReferredBy, Value: by})
	}
	call, err := s.ua.Call(ctx, target, opts)
	if err != nil {
		_ = s.ua.run(ctx, func() { s.notifyRefer(r.cseq, 503, "Service Unavailable", true) })
		return nil, err
	}
	_ = s.ua.run(ctx, func() { call.referFrom, call.referCSeq = s, r.cseq })
	return call, nil
}

// Reject refuses the transfer (603 by default).
func (r *ReferRequest) Reject(ctx context.Context, code int) error {
	if code < 300 || code > 699 {
		code = 603
	}
	return r.session.ua.run(ctx, func() { r.tx.reply(code) })
}

// receiveRefer handles an incoming REFER in the call.
func (s *Session) receiveRefer(m *sipmsg.Message, tx *serverTx) {
	to, err := m.ReferTo()
	if err != nil || !to.URI.IsSIP() {
		tx.reply(400)
		return
	}
	if !s.ua.wants("refer") {
		tx.reply(603)
		return
	}
	cseq, _ := m.CSeq()
	r := &ReferRequest{session: s, tx: tx, Request: m, cseq: cseq.Seq}
	r.Target = to.URI.Clone()
	if v, ok := to.URI.Headers.Get("Replaces"); ok {
		rep, err := sipmsg.ParseReplaces(v)
		if err != nil {
			tx.reply(400)
			return
		}
		r.Replaces = &rep
	}
	r.Target.Headers = nil
	s.ua.emit(SessionEvent{Session: s, Type: "refer", Originator: "remote", Message: m, Refer: r})
}

// notifyRefer reports the state of the call made for a REFER to the
// transferor (RFC 3515 §2.4.5).
func (s *Session) notifyRefer(referCSeq uint32, code int, reason string, final bool) {
	if s.dlg == nil || s.ended {
		return
	}
	n, err := s.dlg.request(sipmsg.NOTIFY)
	if err != nil {
		return
	}
	_ = n.Set(sipmsg.HdrEvent, "refer;id="+strconv.FormatUint(uint64(referCSeq), 10))
	state := "active;expires=60"
	if final {
		state = "terminated;reason=noresource"
	}
	_ = n.Set(sipmsg.HdrSubscriptionState, state)
	_ = n.Set(sipmsg.HdrContentType, "message/sipfrag;version=2.0")
	n.Body = []byte("SIP/2.0 " + strconv.Itoa(code) + " " + reason + "\r\n")
	s.ua.sendRequest(n, func(*sipmsg.Message) {}, func(error) {})
}

// reportToReferrer tells the transferor how the call it asked for went.
func (s *Session) reportToReferrer(code int, reason string) {
	if s.referFrom == nil {
		return
	}
	final := code >= 200
	s.referFrom.notifyRefer(s.referCSeq, code, reason, final)
	if final {
		s.referFrom = nil
	}
}

// receiveReferNotify handles the transferee's NOTIFY about the call it
// made for our REFER.
func (s *Session) receiveReferNotify(m *sipmsg.Message, tx *serverTx) {
	tx.reply(200)
	code, _ := sipfragStatus(string(m.Body))
	ev := SessionEvent{Session: s, Originator: "remote", Message: m, StatusCode: code}
	switch {
	case code == 0:
		return
	case code < 200:
		ev.Type = "referProgress"
		if code == 100 {
			ev.Type = "referTrying"
		}
	case code < 300:
		ev.Type = "referAccepted"
	default:
		ev.Type = "referFailed"
	}
	s.ua.emit(ev)
}

// sipfragStatus reads the status line of a message/sipfrag body.
func sipfragStatus(body string) (int, string) {
	line, _, _ := strings.Cut(body, "\n")
	parts := strings.SplitN(strings.TrimSpace(line), " ", 3)
	if len(parts) < 2 || !strings.HasPrefix(strings.ToUpper(parts[0]), "SIP/") {
		return 0, ""
	}
	code, err := strconv.Atoi(parts[1])
	if err != nil || code < 100 || code > 699 {
		return 0, ""
	}
	reason := ""
	if len(parts) == 3 {
		reason = parts[2]
	}
	return code, reason
}

// findReplaced finds the call an INVITE with Replaces targets (RFC 3891
// §3): the dialog whose Call-ID, local tag (to-tag) and remote tag
// (from-tag) match.
func (ua *UA) findReplaced(rep sipmsg.Replaces) (*Session, error) {
	u := ua.dialogs[dialogID{callID: rep.CallID, localTag: rep.ToTag, remoteTag: rep.FromTag}]
	s, ok := u.(*Session)
	if !ok || s.ended {
		return nil, fmt.Errorf("sipua: no call matches Replaces %s", rep.String())
	}
	if rep.EarlyOnly && s.IsEstablished() {
		return nil, fmt.Errorf("sipua: the call to replace is already established")
	}
	return s, nil
}

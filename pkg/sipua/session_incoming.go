package sipua

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// receiveInvite handles a new incoming INVITE.
func (ua *UA) receiveInvite(m *sipmsg.Message, tx *serverTx) {
	if !ua.wants("newRTCSession") || ua.cfg.Media == nil {
		tx.reply(405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: allowed})
		return
	}
	if ct, err := m.ContentType(); len(m.Body) > 0 && (err != nil || !ct.Is("application", "sdp")) {
		tx.reply(415, sipmsg.Header{Name: sipmsg.HdrAccept, Value: "application/sdp"})
		return
	}
	var replaced *Session
	if m.Has(sipmsg.HdrReplaces) {
		rep, err := m.Replaces()
		if err != nil {
			tx.reply(400)
			return
		}
		if replaced, err = ua.findReplaced(rep); err != nil {
			tx.reply(481)
			return
		}
	}
	s := &Session{ua: ua, direction: "incoming", invite: m, inviteTx: tx, replaces: replaced,
		opts: CallOptions{NoAnswerTimeout: DefaultNoAnswerTimeout}}
	from, _ := m.From()
	to, _ := m.To()
	s.remoteIdent = from
	s.localIdent = to
	s.localIdent.Params.Set("tag", sipmsg.NewTag())
	s.status = StatusInviteReceived
	ua.sessions[s] = struct{}{}
	tx.onCancel = func(cancel *sipmsg.Message) {
		s.reject(487, CauseCanceled)
		s.mu.Lock()
		s.status = StatusCanceled
		s.mu.Unlock()
	}
	s.respond(180, nil, nil)
	s.setStatus(StatusWaitingForAnswer)
	s.timer = ua.after(s.opts.NoAnswerTimeout, func() {
		if s.Status() == StatusWaitingForAnswer {
			s.reject(480, CauseNoAnswer)
		}
	})
	ua.emit(NewSessionEvent{Originator: "remote", Session: s, Request: m, Replaces: replaced})
	if replaced != nil {
		ua.emit(SessionEvent{Session: replaced, Type: "replaces", Originator: "remote", Message: m, Replacement: s})
	}
}

// respond answers the INVITE with our To tag.
func (s *Session) respond(code int, body []byte, extra []sipmsg.Header) *sipmsg.Message {
	resp, err := sipmsg.NewResponse(s.invite, code, "")
	if err != nil {
		return nil
	}
	if code > 100 {
		_ = resp.SetToTag(s.localIdent.Tag())
	}
	if code >= 180 && code < 300 {
		c := s.ua.dialogContact()
		_ = resp.Add(sipmsg.HdrContact, c.String())
	}
	if code >= 200 && code < 300 {
		_ = resp.Add(sipmsg.HdrAllow, allowed)
		_ = resp.Add(sipmsg.HdrSupported, "ice,replaces,outbound")
	}
	for _, h := range extra {
		_ = resp.Add(h.Name, h.Value)
	}
	if body != nil {
		_ = resp.Add(sipmsg.HdrContentType, "application/sdp")
		resp.Body = body
	}
	s.inviteTx.respond(resp)
	return resp
}

func (s *Session) reject(code int, cause string) {
	if s.ended {
		return
	}
	s.respond(code, nil, nil)
	originator := "local"
	if cause == CauseCanceled {
		originator = "remote"
	}
	s.fail(originator, cause, nil)
}

// Answer accepts an incoming call: our SDP answer in a 200, then the
// call is confirmed by the caller's ACK.
func (s *Session) Answer(ctx context.Context, opts CallOptions) error {
	if s.direction != "incoming" {
		return errors.New("sipua: only an incoming call can be answered")
	}
	if s.Status() != StatusWaitingForAnswer {
		return fmt.Errorf("sipua: the call cannot be answered in status %d", s.Status())
	}
	newMedia := s.ua.mediaFactory(opts)
	if newMedia == nil {
		return ErrNoMediaFactory
	}
	m, err := newMedia(opts.Media)
	if err != nil {
		_ = s.Terminate(ctx, 500)
		return fmt.Errorf("sipua: call media: %w", err)
	}
	var sdp string
	if len(s.invite.Body) > 0 {
		sdp, err = m.CreateAnswer(ctx, string(s.invite.Body), "")
	} else {
		sdp, err = m.CreateOffer(ctx, media.OfferOptions{}) // the answer comes in the ACK
	}
	if err != nil {
		_ = m.Close()
		_ = s.Terminate(ctx, 488)
		return fmt.Errorf("sipua: SDP: %w", err)
	}
	return s.ua.run(ctx, func() {
		if s.ended || s.Status() != StatusWaitingForAnswer {
			_ = m.Close()
			return
		}
		s.media = m
		s.watchMedia()
		s.emit("peerconnection", "local", "", nil)
		s.stopTimer()
		s.setStatus(StatusWaitingForACK)
		d, err := newDialogAsUAS(s.ua, s.invite, s.localIdent)
		if err != nil {
			s.reject(400, CauseDialogError)
			return
		}
		s.dlg = d
		s.ua.dialogs[d.id] = s
		extra := opts.ExtraHeaders
		if opts.SessionTimersExpires > 0 {
			s.sessionExpires = max(opts.SessionTimersExpires, minSE)
			if v, err := s.invite.SessionExpires(); err == nil {
				if n, err := strconv.Atoi(v.Value); err == nil && n >= minSE {
					s.sessionExpires = n
				}
			}
			extra = append(slices.Clone(extra),
				sipmsg.Header{Name: sipmsg.HdrSessionExpires, Value: strconv.Itoa(s.sessionExpires) + ";refresher=uac"},
				sipmsg.Header{Name: sipmsg.HdrRequire, Value: "timer"})
		}
		s.ok200 = s.respond(200, []byte(sdp), extra)
		s.startSessionTimer(s.ok200, "uas")
		s.answered = len(s.invite.Body) > 0
		s.emit("accepted", "local", "", nil)
		s.retransmit200(T1, 0)
	})
}

// retransmit200 resends the 2xx until the ACK comes (RFC 3261 §13.3.1.4),
// and gives up after 64*T1 with a BYE.
func (s *Session) retransmit200(interval, waited time.Duration) {
	s.ackTimer = s.ua.after(interval, func() {
		if s.ended || s.Status() != StatusWaitingForACK {
			return
		}
		waited += interval
		if waited >= TimerH {
			s.sendBye(CauseNoACK)
			s.end("remote", CauseNoACK, nil)
			return
		}
		_ = s.ua.send(s.ok200)
		s.retransmit200(min(2*interval, T2), waited)
	})
}

// receiveRequest handles in-dialog requests of the call.
func (s *Session) receiveRequest(m *sipmsg.Message, tx *serverTx) {
	switch m.Method {
	case sipmsg.ACK:
		if s.Status() == StatusWaitingForACK {
			if s.ackTimer != nil {
				s.ackTimer.Stop()
			}
			if !s.answered && len(m.Body) > 0 {
				if err := s.media.SetRemoteAnswer(string(m.Body)); err != nil {
					s.sendBye(CauseBadMediaDescription)
					s.end("remote", CauseBadMediaDescription, m)
					return
				}
				s.answered = true
			}
			s.confirmed("remote", m)
		}
		return
	case sipmsg.BYE:
		tx.reply(200)
		s.end("remote", CauseBye, m)
		return
	case sipmsg.INVITE:
		s.receiveReinvite(m, tx)
		return
	case sipmsg.INFO:
		s.receiveInfo(m, tx)
		return
	case sipmsg.REFER:
		if !s.dlg.acceptRequest(m) {
			tx.reply(500)
			return
		}
		s.receiveRefer(m, tx)
		return
	case sipmsg.NOTIFY:
		if ev, err := m.Event(); err == nil && strings.EqualFold(ev.Value, "refer") && s.dlg.acceptRequest(m) {
			s.receiveReferNotify(m, tx)
			return
		}
		tx.reply(489)
		return
	}
	if s.dlg != nil && !s.dlg.acceptRequest(m) {
		tx.reply(500)
		return
	}
	tx.reply(405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: allowed})
}

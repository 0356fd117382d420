package sipua

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Call timing defaults.
const (
	// DefaultNoAnswerTimeout ends a call nobody answers.
	DefaultNoAnswerTimeout = 60 * time.Second
	// T2 caps the 2xx retransmission interval (RFC 3261 §13.3.1.4).
	T2 = 4 * time.Second
)

// ErrNoMediaFactory reports a call on a UA configured without media.
var ErrNoMediaFactory = errors.New("sipua: calls need Config.Media (WebRTC media)")

// MediaFactory creates the media of one call.
type MediaFactory func(opts media.Options) (media.Session, error)

// SessionStatus is where a call stands.
type SessionStatus int

// Call statuses, in JsSIP's order.
const (
	StatusNull SessionStatus = iota
	StatusInviteSent
	Status1xxReceived
	StatusInviteReceived
	StatusWaitingForAnswer
	StatusAnswered
	StatusWaitingForACK
	StatusConfirmed
	StatusCanceled
	StatusTerminated
)

// CallOptions shape an outgoing call or an answer.
type CallOptions struct {
	// Media options (ICE servers, gathering timeout).
	Media media.Options
	// ExtraHeaders are added to the INVITE (or the 200 of an answer).
	ExtraHeaders []sipmsg.Header
	// NoAnswerTimeout ends an unanswered call; default 60 s.
	NoAnswerTimeout time.Duration
	// SessionTimersExpires turns on RFC 4028 session timers with this
	// interval in seconds (at least 90); 0 leaves them off, as the
	// original client did.
	SessionTimersExpires int
}

// SessionEvent is an event of one call: Name is JsSIP's RTCSession event
// name ("progress", "accepted", "confirmed", "ended", "failed", "hold",
// "unhold", "muted", "unmuted", "newDTMF", "newInfo", "reinvite").
type SessionEvent struct {
	Session *Session
	Type    string
	// Originator is "local", "remote" or "system".
	Originator string
	// Cause is set for ended and failed.
	Cause string
	// Message is the request or response behind the event, if any.
	Message *sipmsg.Message
	// Tone and Duration are set for newDTMF.
	Tone     rune
	Duration time.Duration
	// StatusCode is the sipfrag status of refer* events.
	StatusCode int
	// Refer is set for "refer": accept or reject the transfer.
	Refer *ReferRequest
	// Replacement is set for "replaces": the call taking over this one.
	Replacement *Session
}

// Name returns the event type.
func (e SessionEvent) Name() string { return e.Type }

// NewSessionEvent reports a new call: an incoming INVITE (Originator
// "remote") or a call this UA made (Originator "local").
type NewSessionEvent struct {
	Originator string
	Session    *Session
	Request    *sipmsg.Message
	// Replaces is the call this one replaces (an attended transfer).
	Replaces *Session
}

// Name returns "newRTCSession".
func (NewSessionEvent) Name() string { return "newRTCSession" }

// Session is one call (JsSIP's RTCSession). Its methods are safe for
// concurrent use; the UA's goroutine owns its state.
type Session struct {
	ua        *UA
	direction string // "outgoing" or "incoming"
	opts      CallOptions
	media     media.Session

	// Read by any goroutine through the accessors.
	mu          sync.Mutex
	status      SessionStatus
	localHold   bool
	remoteHold  bool
	muted       bool
	startTime   time.Time
	endTime     time.Time
	remoteIdent sipmsg.Address
	localIdent  sipmsg.Address

	// Loop-owned.
	invite    *sipmsg.Message // the INVITE we sent or received
	inviteTx  *serverTx
	dlg       *dialog
	cseq      uint32
	fromTag   string
	callID    string
	cancelled bool // Terminate before any provisional: CANCEL when one comes
	// cancelCause is the cause reported when the CANCEL succeeds.
	cancelCause string
	got1xx      bool
	answered    bool // remote SDP answer applied
	timer       clock.Timer
	ackTimer    clock.Timer
	ok200       *sipmsg.Message
	// referFrom is the call whose REFER made this one; the transferor
	// hears how it goes (referCSeq identifies the REFER).
	referFrom *Session
	referCSeq uint32
	// replaces is the call an incoming INVITE with Replaces takes over.
	replaces *Session
	// sessionExpires is the RFC 4028 interval asked for (0: off);
	// refreshTimer refreshes or, when the peer refreshes, ends the call.
	sessionExpires int
	refreshTimer   clock.Timer
	// reinviting: a re-INVITE of ours is in flight.
	reinviting bool
	// needsRecovery: an ICE restart is due once the transport is back.
	needsRecovery bool
	ended         bool
}

func (s *Session) setStatus(st SessionStatus) {
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
}

// Status returns the call's status.
func (s *Session) Status() SessionStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Direction returns "outgoing" or "incoming".
func (s *Session) Direction() string { return s.direction }

// IsEstablished reports whether the call is confirmed.
func (s *Session) IsEstablished() bool { return s.Status() == StatusConfirmed }

// IsEnded reports whether the call is over.
func (s *Session) IsEnded() bool {
	st := s.Status()
	return st == StatusCanceled || st == StatusTerminated
}

// IsInProgress reports whether the call is being set up.
func (s *Session) IsInProgress() bool {
	switch s.Status() {
	case StatusInviteSent, Status1xxReceived, StatusInviteReceived, StatusWaitingForAnswer, StatusAnswered, StatusWaitingForACK:
		return true
	}
	return false
}

// IsOnHold returns the local and remote hold state.
func (s *Session) IsOnHold() (local, remote bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.localHold, s.remoteHold
}

// IsMuted reports whether our audio is muted.
func (s *Session) IsMuted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.muted
}

// RemoteIdentity returns the other party (From of an incoming call, To
// of an outgoing one).
func (s *Session) RemoteIdentity() sipmsg.Address {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remoteIdent
}

// LocalIdentity returns our side's address.
func (s *Session) LocalIdentity() sipmsg.Address {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.localIdent
}

// StartTime returns when the call was confirmed (zero before).
func (s *Session) StartTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startTime
}

// EndTime returns when the call ended (zero before).
func (s *Session) EndTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endTime
}

// Media returns the call's media (nil before it exists).
func (s *Session) Media() media.Session { return s.media }

func (s *Session) emit(typ, originator, cause string, m *sipmsg.Message) {
	s.ua.emit(SessionEvent{Session: s, Type: typ, Originator: originator, Cause: cause, Message: m})
}

// Call calls target (an extension, a number or a sip: URI). The returned
// Session reports progress as SessionEvents; invalid targets fail here,
// before anything is sent.
func (ua *UA) Call(ctx context.Context, target string, opts CallOptions) (*Session, error) {
	uri, err := sipmsg.ParseTarget(target, ua.aor.HostPort())
	if err != nil {
		return nil, err
	}
	for _, h := range opts.ExtraHeaders {
		if err := (&sipmsg.Message{}).Add(h.Name, h.Value); err != nil {
			return nil, err
		}
	}
	if ua.cfg.Media == nil {
		return nil, ErrNoMediaFactory
	}
	if opts.NoAnswerTimeout <= 0 {
		opts.NoAnswerTimeout = DefaultNoAnswerTimeout
	}
	m, err := ua.cfg.Media(opts.Media)
	if err != nil {
		return nil, fmt.Errorf("sipua: call media: %w", err)
	}
	offer, err := m.CreateOffer(ctx, media.OfferOptions{})
	if err != nil {
		_ = m.Close()
		return nil, fmt.Errorf("sipua: SDP offer: %w", err)
	}
	s := &Session{ua: ua, direction: "outgoing", opts: opts, media: m,
		callID: sipmsg.NewCallID(), fromTag: sipmsg.NewTag()}
	s.localIdent = sipmsg.Address{DisplayName: ua.cfg.DisplayName, URI: ua.aor, Params: sipmsg.Params{{Name: "tag", Value: s.fromTag}}}
	s.remoteIdent = sipmsg.Address{URI: uri}
	s.watchMedia()
	err = ua.run(ctx, func() {
		ua.sessions[s] = struct{}{}
		ua.emit(NewSessionEvent{Originator: "local", Session: s})
		s.emit("peerconnection", "local", "", nil)
		s.sendInvite(uri, offer)
	})
	if err != nil {
		_ = m.Close()
		return nil, err
	}
	return s, nil
}

func (s *Session) watchMedia() {
	s.media.OnDTMF(func(tone rune, d time.Duration) {
		s.ua.emit(SessionEvent{Session: s, Type: "newDTMF", Originator: "remote", Tone: tone, Duration: d})
	})
	s.media.OnState(func(st media.ConnectionState) {
		if st == media.StateFailed {
			s.ua.post(func() { s.recover("ICE failed") })
		}
	})
}

// Stats returns the call's media counters (packets, loss, jitter, round
// trip time, audio level) for a quality indicator.
func (s *Session) Stats(ctx context.Context) (media.Stats, error) {
	if s.media == nil {
		return media.Stats{}, errors.New("sipua: the call has no media yet")
	}
	return s.media.Stats(ctx)
}

func (s *Session) sendInvite(uri sipmsg.URI, offer string) {
	ua := s.ua
	s.setStatus(StatusInviteSent)
	s.emit("connecting", "local", "", nil)
	if s.opts.SessionTimersExpires > 0 {
		s.sessionExpires = max(s.opts.SessionTimersExpires, minSE)
	}
	tries422 := 0
	var a *authedRequest
	a = &authedRequest{ua: ua,
		build: func() (*sipmsg.Message, error) {
			s.cseq++
			c := ua.dialogContact()
			m, err := sipmsg.BuildRequest(sipmsg.RequestSpec{Method: sipmsg.INVITE, URI: uri, Via: ua.via(),
				From: s.localIdent, To: sipmsg.Address{URI: uri}, CallID: s.callID, CSeq: s.cseq, Contact: &c,
				ContentType: "application/sdp", Body: []byte(offer)})
			if err != nil {
				return nil, err
			}
			for _, h := range s.opts.ExtraHeaders {
				_ = m.Add(h.Name, h.Value)
			}
			_ = m.Add(sipmsg.HdrAllow, allowed)
			if s.sessionExpires > 0 {
				_ = m.Add(sipmsg.HdrSupported, "ice,replaces,outbound,timer")
				_ = m.Add(sipmsg.HdrSessionExpires, strconv.Itoa(s.sessionExpires))
				_ = m.Add(sipmsg.HdrMinSE, strconv.Itoa(minSE))
			} else {
				_ = m.Add(sipmsg.HdrSupported, "ice,replaces,outbound")
			}
			_ = m.Add(sipmsg.HdrUserAgent, ua.cfg.UserAgent)
			s.invite = m
			s.emit("sending", "local", "", m)
			return m, nil
		},
		onProvisional: s.onProvisional,
		onFinal: func(resp *sipmsg.Message) {
			// 422: the interval is too small; retry with the Min-SE asked.
			if resp.StatusCode == 422 && s.sessionExpires > 0 && tries422 < 2 {
				if min, err := resp.MinSE(); err == nil && int(min) > s.sessionExpires {
					tries422++
					s.sessionExpires = int(min)
					a.send()
					return
				}
			}
			s.onFinal(resp)
		},
		onFail: func(err error) {
			if st := s.Status(); st == StatusInviteSent || st == Status1xxReceived {
				s.fail("system", causeForError(err), nil)
			}
		},
	}
	a.send()
	s.timer = ua.after(s.opts.NoAnswerTimeout, func() {
		if s.Status() == StatusInviteSent || s.Status() == Status1xxReceived {
			s.cancel(CauseNoAnswer)
		}
	})
}

func (s *Session) onProvisional(resp *sipmsg.Message) {
	if s.ended || resp.StatusCode == 100 {
		return
	}
	s.got1xx = true
	if s.cancelled {
		s.sendCancel()
		return
	}
	s.setStatus(Status1xxReceived)
	if len(resp.Body) > 0 && resp.ToTag() != "" && !s.answered {
		// Early media: the 183's SDP is the answer.
		if err := s.media.SetRemoteAnswer(string(resp.Body)); err == nil {
			s.answered = true
		}
	}
	s.emit("progress", "remote", "", resp)
}

func (s *Session) onFinal(resp *sipmsg.Message) {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		if s.dlg != nil {
			s.ack(resp) // a retransmitted 2xx: ACK again
			return
		}
		d, err := newDialogAsUAC(s.ua, s.invite, resp)
		if err != nil {
			s.fail("remote", CauseDialogError, resp)
			return
		}
		s.dlg = d
		s.ua.dialogs[d.id] = s
		if to, err := resp.To(); err == nil {
			s.mu.Lock()
			s.remoteIdent = to
			s.mu.Unlock()
		}
		if s.ended || s.cancelled {
			// The answer crossed our CANCEL: ACK it, then BYE.
			s.ack(resp)
			s.sendBye(CauseCanceled)
			return
		}
		if !s.answered {
			if len(resp.Body) == 0 {
				s.ack(resp)
				s.sendBye(CauseMissingSDP)
				s.fail("remote", CauseMissingSDP, resp)
				return
			}
			if err := s.media.SetRemoteAnswer(string(resp.Body)); err != nil {
				s.ack(resp)
				s.sendBye(CauseBadMediaDescription)
				s.fail("remote", CauseBadMediaDescription, resp)
				return
			}
			s.answered = true
		}
		s.stopTimer()
		s.emit("accepted", "remote", "", resp)
		s.ack(resp)
		s.confirmed("remote", resp)
		s.startSessionTimer(resp, "uac")
		return
	}
	cause := CauseForStatus(code)
	if code == 487 && s.cancelled {
		cause = CauseCanceled
		if s.cancelCause != "" {
			cause = s.cancelCause
		}
		s.finish(StatusCanceled)
		s.emit("failed", "local", cause, resp)
		return
	}
	s.fail("remote", cause, resp)
}

// ack sends the ACK of a 2xx: an in-dialog request with the INVITE's CSeq.
func (s *Session) ack(resp *sipmsg.Message) {
	cseq, _ := s.invite.CSeq()
	saved := s.dlg.localSeq
	s.dlg.localSeq = cseq.Seq - 1
	ack, err := s.dlg.request(sipmsg.ACK)
	s.dlg.localSeq = saved
	if err != nil {
		return
	}
	if err := s.ua.send(ack); err != nil {
		s.ua.log.Debug("sipua: cannot send ACK", "err", err)
	}
}

func (s *Session) confirmed(originator string, m *sipmsg.Message) {
	s.mu.Lock()
	s.status = StatusConfirmed
	s.startTime = s.ua.clk.Now()
	s.mu.Unlock()
	s.emit("confirmed", originator, "", m)
	s.reportToReferrer(200, "OK")
	if old := s.replaces; old != nil && !old.ended {
		s.replaces = nil
		old.sendBye(CauseBye)
		old.end("system", CauseTerminated, nil)
	}
}

// minSE is the smallest session interval RFC 4028 allows.
const minSE = 90

// startSessionTimer arms the RFC 4028 timer from a message carrying
// Session-Expires: the refresher re-INVITEs at half the interval, the
// other side ends the call if no refresh came in time. us says which role
// ("uac" or "uas") is ours in the transaction m belongs to.
func (s *Session) startSessionTimer(m *sipmsg.Message, us string) {
	if s.sessionExpires == 0 {
		return
	}
	se, err := m.SessionExpires()
	if err != nil {
		return // the peer does not do session timers
	}
	n, err := strconv.Atoi(se.Value)
	if err != nil || n <= 0 {
		return
	}
	refresher, _ := se.Param("refresher")
	if refresher == "" {
		refresher = us
	}
	if s.refreshTimer != nil {
		s.refreshTimer.Stop()
	}
	interval := time.Duration(n) * time.Second
	if strings.EqualFold(refresher, us) {
		s.refreshEvery(interval)
		return
	}
	s.refreshTimer = s.ua.after(interval-min(32*time.Second, interval/3), func() {
		if s.IsEstablished() {
			s.sendBye(CauseRequestTimeout)
			s.end("system", CauseRequestTimeout, nil)
		}
	})
}

// refreshEvery refreshes the session with a re-INVITE every half
// interval while the call lasts.
func (s *Session) refreshEvery(interval time.Duration) {
	s.refreshTimer = s.ua.after(interval/2, func() {
		if !s.IsEstablished() {
			return
		}
		if !s.reinviting {
			local, _ := s.IsOnHold()
			s.reinvite(context.Background(), local, false, 0, make(chan error, 1))
		}
		s.refreshEvery(interval)
	})
}

// Terminate ends the call: CANCEL before an answer, BYE after it, a final
// response (default 486) to an incoming call not yet answered.
func (s *Session) Terminate(ctx context.Context, statusCode int) error {
	return s.ua.run(ctx, func() {
		switch s.Status() {
		case StatusInviteSent, Status1xxReceived:
			s.cancel(CauseCanceled)
		case StatusInviteReceived, StatusWaitingForAnswer:
			if statusCode < 300 || statusCode > 699 {
				statusCode = 486
			}
			s.reject(statusCode, CauseRejected)
		case StatusAnswered, StatusWaitingForACK, StatusConfirmed:
			s.sendBye(CauseBye)
			s.end("local", CauseBye, nil)
		}
	})
}

func (s *Session) cancel(cause string) {
	s.cancelled = true
	s.cancelCause = cause
	if s.got1xx {
		s.sendCancel()
	}
	// Without a provisional response the CANCEL waits for one (RFC 3261
	// §9.1); the INVITE transaction's Timer B bounds the wait.
}

func (s *Session) sendCancel() {
	if s.invite == nil {
		return
	}
	c := &sipmsg.Message{Method: sipmsg.CANCEL, RequestURI: s.invite.RequestURI.Clone(), Proto: sipmsg.Version}
	cseq, _ := s.invite.CSeq()
	_ = c.Add(sipmsg.HdrVia, s.invite.Get(sipmsg.HdrVia))
	for _, r := range s.invite.Values(sipmsg.HdrRoute) {
		_ = c.Add(sipmsg.HdrRoute, r)
	}
	_ = c.Add(sipmsg.HdrMaxForwards, "70")
	_ = c.Add(sipmsg.HdrTo, s.invite.Get(sipmsg.HdrTo))
	_ = c.Add(sipmsg.HdrFrom, s.invite.Get(sipmsg.HdrFrom))
	_ = c.Add(sipmsg.HdrCallID, s.invite.CallID())
	_ = c.Add(sipmsg.HdrCSeq, sipmsg.CSeq{Seq: cseq.Seq, Method: sipmsg.CANCEL}.String())
	s.ua.sendRequest(c, func(*sipmsg.Message) {}, func(error) {})
}

func (s *Session) sendBye(cause string) {
	if s.dlg == nil {
		return
	}
	bye, err := s.dlg.request(sipmsg.BYE)
	if err != nil {
		return
	}
	if cause != CauseBye {
		_ = bye.Add(sipmsg.HdrReason, `SIP;text="`+cause+`"`)
	}
	s.ua.sendRequest(bye, func(*sipmsg.Message) {}, func(error) {})
}

// fail ends a call that never got confirmed.
func (s *Session) fail(originator, cause string, m *sipmsg.Message) {
	if s.ended {
		return
	}
	code, reason := 487, "Request Terminated"
	if m != nil && m.IsResponse() && m.StatusCode >= 300 {
		code, reason = m.StatusCode, m.Reason
	}
	s.reportToReferrer(code, reason)
	s.finish(StatusTerminated)
	s.emit("failed", originator, cause, m)
}

// end ends a confirmed call.
func (s *Session) end(originator, cause string, m *sipmsg.Message) {
	if s.ended {
		return
	}
	s.finish(StatusTerminated)
	s.emit("ended", originator, cause, m)
}

func (s *Session) finish(st SessionStatus) {
	s.ended = true
	s.mu.Lock()
	s.status = st
	s.endTime = s.ua.clk.Now()
	s.mu.Unlock()
	s.stopTimer()
	if s.ackTimer != nil {
		s.ackTimer.Stop()
	}
	if s.refreshTimer != nil {
		s.refreshTimer.Stop()
	}
	if s.dlg != nil {
		delete(s.ua.dialogs, s.dlg.id)
	}
	if s.media != nil {
		_ = s.media.Close()
	}
	delete(s.ua.sessions, s)
}

func (s *Session) stopTimer() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

// terminateOnStop ends a call because the UA stops.
func (s *Session) terminateOnStop() {
	switch s.Status() {
	case StatusInviteSent, Status1xxReceived:
		s.cancel(CauseTerminated)
	case StatusInviteReceived, StatusWaitingForAnswer:
		s.reject(480, CauseTerminated)
	case StatusAnswered, StatusWaitingForACK, StatusConfirmed:
		s.sendBye(CauseBye)
		s.end("local", CauseTerminated, nil)
	}
}

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
	m, err := s.ua.cfg.Media(opts.Media)
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

// Hold puts the call on hold (re-INVITE with sendonly, or inactive when the
// peer holds too).
func (s *Session) Hold(ctx context.Context) error { return s.setHold(ctx, true) }

// Unhold takes the call off hold.
func (s *Session) Unhold(ctx context.Context) error { return s.setHold(ctx, false) }

func (s *Session) setHold(ctx context.Context, hold bool) error {
	return s.ua.runAsync(ctx, func(result chan<- error) {
		if !s.IsEstablished() {
			result <- errors.New("sipua: hold needs an established call")
			return
		}
		local, _ := s.IsOnHold()
		if local == hold {
			result <- nil
			return
		}
		s.reinvite(ctx, hold, false, 0, result)
	})
}

func (s *Session) holdDirection(hold bool) media.Direction {
	_, remote := s.IsOnHold()
	switch {
	case hold && remote:
		return media.Inactive
	case hold:
		return media.SendOnly
	case remote:
		return media.RecvOnly
	}
	return media.SendRecv
}

// reinvite sends a re-INVITE with a new offer: hold or unhold, or an ICE
// restart. The offer is made off the UA's goroutine (ICE gathering may
// take a moment). A 491 (glare) is retried after the random delay of RFC
// 3261 §14.1 with the offer rolled back; a final failure rolls the hold
// state back.
func (s *Session) reinvite(ctx context.Context, hold, iceRestart bool, attempt int, result chan<- error) {
	if s.reinviting {
		result <- errors.New("sipua: a re-INVITE is already in progress")
		return
	}
	s.reinviting = true
	opts := media.OfferOptions{Direction: s.holdDirection(hold), ICERestart: iceRestart}
	go func() {
		offer, err := s.media.CreateOffer(ctx, opts)
		if !s.ua.post(func() {
			if err != nil || s.ended {
				s.reinviting = false
				if err == nil {
					err = errors.New("sipua: the call ended")
				}
				result <- err
				return
			}
			s.sendReinvite(ctx, offer, hold, iceRestart, attempt, result)
		}) {
			result <- ErrStopped
		}
	}()
}

func (s *Session) sendReinvite(ctx context.Context, offer string, hold, iceRestart bool, attempt int, result chan<- error) {
	var sent *sipmsg.Message
	a := &authedRequest{ua: s.ua,
		build: func() (*sipmsg.Message, error) {
			m, err := s.dlg.request(sipmsg.INVITE)
			if err != nil {
				return nil, err
			}
			_ = m.Set(sipmsg.HdrContentType, "application/sdp")
			m.Body = []byte(offer)
			sent = m
			return m, nil
		},
		onFinal: func(resp *sipmsg.Message) {
			s.reinviting = false
			if s.needsRecovery {
				defer s.recover("deferred")
			}
			code := resp.StatusCode
			switch {
			case code >= 200 && code < 300:
				s.ackReinvite(sent)
				if err := s.media.SetRemoteAnswer(string(resp.Body)); err != nil {
					result <- err
					return
				}
				s.mu.Lock()
				was := s.localHold
				s.localHold = hold
				s.mu.Unlock()
				switch {
				case hold && !was:
					s.emit("hold", "local", "", resp)
				case !hold && was:
					s.emit("unhold", "local", "", resp)
				}
				result <- nil
			case code == 491 && attempt < 3:
				_ = s.media.Rollback()
				// The Call-ID owner waits 2.1-4 s, the other side 0-2 s.
				d := time.Duration(rand.Int64N(int64(2*time.Second))) + 10*time.Millisecond
				if s.direction == "outgoing" {
					d = 2100*time.Millisecond + time.Duration(rand.Int64N(int64(1900*time.Millisecond)))
				}
				s.timer = s.ua.after(d, func() {
					if !s.ended {
						s.reinvite(ctx, hold, iceRestart, attempt+1, result)
					}
				})
			default:
				_ = s.media.Rollback()
				if code == 481 || code == 408 {
					s.sendBye(CauseDialogError)
					s.end("remote", CauseDialogError, resp)
				}
				result <- &FailedError{Method: sipmsg.INVITE, Code: code, Reason: resp.Reason, Cause: CauseForStatus(code)}
			}
		},
		onFail: func(err error) {
			s.reinviting = false
			_ = s.media.Rollback()
			result <- err
		},
	}
	a.send()
}

// Renegotiate sends a re-INVITE with a fresh offer; iceRestart asks for
// new ICE credentials (after a network change).
func (s *Session) Renegotiate(ctx context.Context, iceRestart bool) error {
	return s.ua.runAsync(ctx, func(result chan<- error) {
		if !s.IsEstablished() {
			result <- errors.New("sipua: renegotiation needs an established call")
			return
		}
		local, _ := s.IsOnHold()
		s.reinvite(ctx, local, iceRestart, 0, result)
	})
}

// recover restarts ICE on an established call after the connection came
// back or the media failed, so that audio resumes without user action.
func (s *Session) recover(reason string) {
	if !s.IsEstablished() || s.reinviting || !s.ua.connected.Load() {
		s.needsRecovery = s.IsEstablished()
		return
	}
	s.needsRecovery = false
	s.ua.log.Debug("sipua: restarting ICE", "reason", reason)
	local, _ := s.IsOnHold()
	result := make(chan error, 1)
	s.reinvite(context.Background(), local, true, 0, result)
}

func (s *Session) ackReinvite(req *sipmsg.Message) {
	cseq, _ := req.CSeq()
	saved := s.dlg.localSeq
	s.dlg.localSeq = cseq.Seq - 1
	ack, err := s.dlg.request(sipmsg.ACK)
	s.dlg.localSeq = saved
	if err == nil {
		_ = s.ua.send(ack)
	}
}

// receiveReinvite answers a re-INVITE: remote hold is read from the
// offer's direction; a re-INVITE crossing ours gets 491.
func (s *Session) receiveReinvite(m *sipmsg.Message, tx *serverTx) {
	if !s.dlg.acceptRequest(m) {
		tx.reply(500)
		return
	}
	if s.reinviting {
		tx.reply(491)
		return
	}
	if len(m.Body) == 0 {
		tx.reply(488) // offers in the 200 of a re-INVITE are not supported
		return
	}
	dir, err := media.RemoteDirection(string(m.Body))
	if err != nil || !media.HasAudio(string(m.Body)) {
		tx.reply(488)
		return
	}
	remoteHold := dir == media.SendOnly || dir == media.Inactive
	local, _ := s.IsOnHold()
	ours := media.SendRecv
	switch {
	case local && remoteHold:
		ours = media.Inactive
	case local:
		ours = media.SendOnly
	case remoteHold:
		ours = media.RecvOnly
	}
	answer, err := s.media.CreateAnswer(context.Background(), string(m.Body), ours)
	if err != nil {
		tx.reply(488)
		return
	}
	s.emit("reinvite", "remote", "", m)
	resp, err := sipmsg.NewResponse(m, 200, "")
	if err != nil {
		return
	}
	if se := m.Get(sipmsg.HdrSessionExpires); se != "" && s.sessionExpires > 0 {
		_ = resp.Add(sipmsg.HdrSessionExpires, se)
		_ = resp.Add(sipmsg.HdrRequire, "timer")
		s.startSessionTimer(m, "uac")
	}
	c := s.ua.dialogContact()
	_ = resp.Add(sipmsg.HdrContact, c.String())
	_ = resp.Add(sipmsg.HdrContentType, "application/sdp")
	resp.Body = []byte(answer)
	tx.respond(resp)
	s.mu.Lock()
	was := s.remoteHold
	s.remoteHold = remoteHold
	s.mu.Unlock()
	if remoteHold && !was {
		s.emit("hold", "remote", "", m)
	} else if !remoteHold && was {
		s.emit("unhold", "remote", "", m)
	}
}

// Mute stops sending our audio (no signalling).
func (s *Session) Mute() {
	s.mu.Lock()
	changed := !s.muted
	s.muted = true
	s.mu.Unlock()
	if changed && s.media != nil {
		s.media.SetMuted(true)
		s.emit("muted", "local", "", nil)
	}
}

// Unmute resumes sending our audio.
func (s *Session) Unmute() {
	s.mu.Lock()
	changed := s.muted
	s.muted = false
	s.mu.Unlock()
	if changed && s.media != nil {
		s.media.SetMuted(false)
		s.emit("unmuted", "local", "", nil)
	}
}

// DTMF transports.
const (
	DTMFRFC2833 = "RFC2833"
	DTMFInfo    = "INFO"
)

// DTMFOptions shape SendDTMF; zero values take JsSIP's defaults (100 ms
// tones, 500 ms gaps, RFC 4733).
type DTMFOptions struct {
	Duration     time.Duration
	InterToneGap time.Duration
	Transport    string
}

// SendDTMF sends tones (0-9 * # A-D, ',' pauses) during an established
// call, as RFC 4733 events or SIP INFO application/dtmf-relay.
func (s *Session) SendDTMF(ctx context.Context, tones string, opts DTMFOptions) error {
	if opts.Duration <= 0 {
		opts.Duration = 100 * time.Millisecond
	}
	if opts.InterToneGap <= 0 {
		opts.InterToneGap = 500 * time.Millisecond
	}
	for _, r := range strings.ToUpper(tones) {
		if !strings.ContainsRune("0123456789*#ABCD,", r) {
			return fmt.Errorf("sipua: invalid DTMF tone %q", r)
		}
	}
	if !s.IsEstablished() {
		return errors.New("sipua: DTMF needs an established call")
	}
	if opts.Transport != DTMFInfo {
		return s.media.SendDTMF(strings.ToUpper(tones), opts.Duration, opts.InterToneGap)
	}
	for i, r := range strings.ToUpper(tones) {
		if i > 0 {
			select {
			case <-time.After(opts.InterToneGap):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if r == ',' {
			continue
		}
		body := "Signal=" + string(r) + "\r\nDuration=" + strconv.Itoa(int(opts.Duration/time.Millisecond)) + "\r\n"
		if err := s.sendInfo(ctx, "application/dtmf-relay", []byte(body)); err != nil {
			return err
		}
	}
	return nil
}

// SendInfo sends an INFO with the given body in the call.
func (s *Session) SendInfo(ctx context.Context, contentType string, body []byte) error {
	return s.sendInfo(ctx, contentType, body)
}

func (s *Session) sendInfo(ctx context.Context, contentType string, body []byte) error {
	return s.ua.runAsync(ctx, func(result chan<- error) {
		if s.dlg == nil || s.ended {
			result <- errors.New("sipua: INFO needs an established call")
			return
		}
		m, err := s.dlg.request(sipmsg.INFO)
		if err != nil {
			result <- err
			return
		}
		if err := m.Set(sipmsg.HdrContentType, contentType); err != nil {
			result <- err
			return
		}
		m.Body = body
		s.ua.sendRequest(m, func(resp *sipmsg.Message) {
			if resp.StatusCode < 200 {
				return
			}
			if resp.StatusCode >= 300 {
				result <- &FailedError{Method: sipmsg.INFO, Code: resp.StatusCode, Reason: resp.Reason, Cause: CauseForStatus(resp.StatusCode)}
				return
			}
			result <- nil
		}, func(err error) { result <- err })
	})
}

// receiveInfo answers an INFO: DTMF relay bodies become newDTMF, others
// newInfo.
func (s *Session) receiveInfo(m *sipmsg.Message, tx *serverTx) {
	if !s.dlg.acceptRequest(m) {
		tx.reply(500)
		return
	}
	tx.reply(200)
	ct, _ := m.ContentType()
	if ct.Is("application", "dtmf-relay") || ct.Is("application", "dtmf") {
		tone, d := parseDTMFRelay(string(m.Body))
		if tone != 0 {
			s.ua.emit(SessionEvent{Session: s, Type: "newDTMF", Originator: "remote", Tone: tone, Duration: d, Message: m})
			return
		}
	}
	s.emit("newInfo", "remote", "", m)
}

func parseDTMFRelay(body string) (rune, time.Duration) {
	var tone rune
	d := 100 * time.Millisecond
	for _, line := range strings.Split(body, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "signal":
			v = strings.ToUpper(strings.TrimSpace(v))
			if len(v) == 1 && strings.Contains("0123456789*#ABCD", v) {
				tone = rune(v[0])
			}
		case "duration":
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
				d = time.Duration(n) * time.Millisecond
			}
		}
	}
	if len(body) == 1 && strings.Contains("0123456789*#ABCD", strings.ToUpper(body)) {
		tone = rune(strings.ToUpper(body)[0])
	}
	return tone, d
}

package sipua

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	// MediaFactory creates this call's media instead of Config.Media:
	// in a browser, one that sends the microphone stream the call's
	// options asked for.
	MediaFactory MediaFactory
	// OnSession, when set, is called with an outgoing call's Session on
	// the UA's goroutine before any of its events (NewSessionEvent
	// included) is emitted, so that whoever placed the call can attach
	// to it first. It must not block or call the UA.
	OnSession func(*Session)
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

// mediaFactory is the call's own media factory, else the UA's.
func (ua *UA) mediaFactory(opts CallOptions) MediaFactory {
	if opts.MediaFactory != nil {
		return opts.MediaFactory
	}
	return ua.cfg.Media
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
	newMedia := ua.mediaFactory(opts)
	if newMedia == nil {
		return nil, ErrNoMediaFactory
	}
	if opts.NoAnswerTimeout <= 0 {
		opts.NoAnswerTimeout = DefaultNoAnswerTimeout
	}
	m, err := newMedia(opts.Media)
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
		if opts.OnSession != nil {
			opts.OnSession(s)
		}
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
			s.ackRequest(s.invite) // a retransmitted 2xx: ACK again
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
			s.ackRequest(s.invite)
			s.sendBye(CauseCanceled)
			return
		}
		if !s.answered {
			if len(resp.Body) == 0 {
				s.ackRequest(s.invite)
				s.sendBye(CauseMissingSDP)
				s.fail("remote", CauseMissingSDP, resp)
				return
			}
			if err := s.media.SetRemoteAnswer(string(resp.Body)); err != nil {
				s.ackRequest(s.invite)
				s.sendBye(CauseBadMediaDescription)
				s.fail("remote", CauseBadMediaDescription, resp)
				return
			}
			s.answered = true
		}
		s.stopTimer()
		s.emit("accepted", "remote", "", resp)
		s.ackRequest(s.invite)
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
// ackRequest sends the ACK of the 2xx to one of our INVITEs.
func (s *Session) ackRequest(invite *sipmsg.Message) {
	cseq, _ := invite.CSeq()
	ack, err := s.dlg.ack(cseq.Seq)
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
	c := sameTransaction(s.invite, sipmsg.CANCEL, s.invite.Get(sipmsg.HdrTo))
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

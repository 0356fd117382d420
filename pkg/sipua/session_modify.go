package sipua

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

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
				s.ackRequest(sent)
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
func (s *Session) recover(reason string) { s.recoverAttempt(reason, 0) }

// Recovery re-INVITEs that fail (the peer may not have re-registered
// yet after the same outage) are retried a few times.
const (
	recoveryRetries    = 4
	recoveryRetryDelay = 2 * time.Second
)

func (s *Session) recoverAttempt(reason string, attempt int) {
	if !s.IsEstablished() || s.reinviting || !s.ua.connected.Load() {
		s.needsRecovery = s.IsEstablished()
		return
	}
	s.needsRecovery = false
	s.ua.log.Debug("sipua: restarting ICE", "reason", reason, "attempt", attempt+1)
	local, _ := s.IsOnHold()
	result := make(chan error, 1)
	s.reinvite(context.Background(), local, true, 0, result)
	go func() {
		err := <-result
		if err == nil || attempt+1 >= recoveryRetries || errors.Is(err, ErrStopped) {
			return
		}
		s.ua.after(recoveryRetryDelay, func() {
			if !s.ended {
				s.recoverAttempt("retry: "+err.Error(), attempt+1)
			}
		})
	}()
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
	// Bounded: this runs on the UA's goroutine, and a browser may never
	// settle a promise.
	ctx, cancel := context.WithTimeout(context.Background(), mediaAnswerTimeout)
	answer, err := s.media.CreateAnswer(ctx, string(m.Body), ours)
	cancel()
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

// mediaAnswerTimeout bounds the media's answer to a re-INVITE (ICE
// gathering is bounded well below it).
const mediaAnswerTimeout = 10 * time.Second

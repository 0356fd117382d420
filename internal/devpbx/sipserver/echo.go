//go:build !js

package sipserver

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// mediaSetupTimeout bounds creating the echo's media and its SDP.
const mediaSetupTimeout = 10 * time.Second

// echoCall is a call to the echo test: the server answers with native
// media that sends every received RTP packet back.
type echoCall struct {
	peerDialog
	call      *call
	st        *serverTx
	media     echoMedia
	timer     clock.Timer
	cancelled bool
	ended     bool
}

// echoMedia is what the echo test needs of its media (*media.Native).
type echoMedia interface {
	CreateAnswer(ctx context.Context, offer string, dir media.Direction) (string, error)
	Close() error
}

// newEchoMedia creates media that echoes what it receives.
func (s *Server) newEchoMedia() (echoMedia, error) {
	if s.cfg.newMedia != nil {
		return s.cfg.newMedia()
	}
	var self atomic.Pointer[media.Native]
	n, err := media.NewNative(media.Options{}, media.AudioOptions{NoSource: true, LoopbackOnly: s.cfg.EchoLoopbackOnly,
		OnRTP: func(p *rtp.Packet) {
			if m := self.Load(); m != nil {
				_ = m.WriteRTP(p)
			}
		}})
	if err != nil {
		return nil, err
	}
	self.Store(n)
	return n, nil
}

// startEcho answers an INVITE to the echo number.
func (s *Server) startEcho(c *conn, m *sipmsg.Message, caller Extension) {
	if !isSDP(m) {
		s.reply(c, m, 488)
		return
	}
	from, _ := m.From()
	to, _ := m.To()
	tag := sipmsg.NewTag()
	to.Params.Set("tag", tag)
	contacts, err := m.Contacts()
	if err != nil || len(contacts) == 0 || contacts[0].Wildcard {
		s.reply(c, m, 400)
		return
	}
	s.mu.Lock()
	cl := s.newCall(m.CallID(), from.URI.User, s.cfg.EchoNumber, &caller, nil)
	if cl == nil {
		s.mu.Unlock()
		s.reply(c, m, 482)
		return
	}
	cl.conns[c] = true
	e := &echoCall{call: cl, peerDialog: peerDialog{s: s, conn: c, key: dialogKey{m.CallID(), tag},
		local: to, remote: from, remoteTarget: contacts[0].URI}}
	e.st = s.addServerTx(c, m)
	e.st.onCancel = func() {
		e.cancelled = true
		s.replyTag(c, m, 487, tag, nil)
		s.removeServerTx(e.st)
		s.endCall(cl, OutcomeCancelled)
	}
	e.st.onClose = func() {
		e.cancelled = true
		s.removeServerTx(e.st)
	}
	s.callState(cl, stateTrying)
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		e.answer(m)
	}()
}

// answer creates the media and sends the 200 with our SDP answer.
func (e *echoCall) answer(invite *sipmsg.Message) {
	s := e.s
	n, err := s.newEchoMedia()
	var sdp string
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), mediaSetupTimeout)
		sdp, err = n.CreateAnswer(ctx, string(invite.Body), "")
		cancel()
		if err != nil {
			_ = n.Close()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.cancelled || s.closed {
		if err == nil {
			s.closeMedia(n)
		}
		s.removeServerTx(e.st)
		s.endCall(e.call, OutcomeCancelled)
		return
	}
	s.removeServerTx(e.st)
	if err != nil {
		s.log.Warn("sipserver: echo media failed", "err", err)
		s.replyTag(e.conn, invite, 488, e.key.localTag, nil)
		s.endCall(e.call, OutcomeFailed)
		return
	}
	e.media = n
	s.dialogs[e.key] = e
	s.replyTag(e.conn, invite, 200, e.key.localTag, []byte(sdp))
	s.callState(e.call, stateConfirmed)
	e.timer = s.clk.AfterFunc(s.cfg.EchoMaxDuration, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		e.hangUp()
	})
}

// closeMedia closes echo media in the background: closing pion can take
// a while, and s.mu is held.
func (s *Server) closeMedia(n echoMedia) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = n.Close()
	}()
}

// inDialog handles the caller's requests: ACK, BYE, re-INVITE (hold,
// ICE restart), and the requests that need only a 200. s.mu is held.
func (e *echoCall) inDialog(c *conn, m *sipmsg.Message) {
	s := e.s
	switch m.Method {
	case sipmsg.ACK:
	case sipmsg.BYE:
		s.reply(c, m, 200)
		e.end()
	case sipmsg.INVITE:
		if !isSDP(m) {
			s.replyTag(c, m, 488, e.key.localTag, nil)
			return
		}
		e.updateTarget(m)
		e.conn = c
		n := e.media
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), mediaSetupTimeout)
			sdp, err := n.CreateAnswer(ctx, string(m.Body), "")
			cancel()
			s.mu.Lock()
			defer s.mu.Unlock()
			if e.ended {
				s.reply(c, m, 481)
				return
			}
			if err != nil {
				s.replyTag(c, m, 488, e.key.localTag, nil)
				return
			}
			s.replyTag(c, m, 200, e.key.localTag, []byte(sdp))
		}()
	case sipmsg.INFO, sipmsg.UPDATE, sipmsg.OPTIONS:
		s.reply(c, m, 200)
	default:
		s.reply(c, m, 405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: "INVITE, ACK, BYE, INFO, UPDATE, OPTIONS"})
	}
}

// hangUp ends the echo call from our side with a BYE. s.mu is held.
func (e *echoCall) hangUp() {
	if e.ended {
		return
	}
	if bye, branch, err := e.request(sipmsg.BYE, 0); err == nil {
		e.s.startClientTx(e.conn, bye, branch, nil)
	}
	e.end()
}

// end releases the media and forgets the dialog. s.mu is held.
func (e *echoCall) end() {
	if e.ended {
		return
	}
	e.ended = true
	if e.timer != nil {
		e.timer.Stop()
	}
	if e.s.dialogs[e.key] == localDialog(e) {
		delete(e.s.dialogs, e.key)
	}
	if e.media != nil {
		e.s.closeMedia(e.media)
	}
	e.s.endCall(e.call, OutcomeAnswered)
}

// connClosed ends the call when the caller's connection (or the server)
// closes. s.mu is held.
func (e *echoCall) connClosed(c *conn) {
	if c == nil {
		e.hangUp()
		return
	}
	if c == e.conn {
		// A client that reconnects restarts ICE with a re-INVITE over
		// its new connection; one that does not is hung up for.
		e.s.clk.AfterFunc(e.s.reconnectGrace, func() {
			e.s.mu.Lock()
			defer e.s.mu.Unlock()
			if e.conn == c {
				e.end()
			}
		})
	}
}

// testBusy answers the busy test number.
func (s *Server) testBusy(c *conn, m *sipmsg.Message, caller Extension) {
	from, _ := m.From()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply(c, m, 486)
	s.endCall(s.newCall(m.CallID(), from.URI.User, s.cfg.BusyNumber, &caller, nil), OutcomeBusy)
}

// testNoAnswer rings and never answers: the caller's CANCEL or no-answer
// timeout ends it, or a 408 after a minute.
func (s *Server) testNoAnswer(c *conn, m *sipmsg.Message, caller Extension) {
	from, _ := m.From()
	tag := sipmsg.NewTag()
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := s.newCall(m.CallID(), from.URI.User, s.cfg.NoAnswerNumber, &caller, nil)
	if cl == nil {
		s.reply(c, m, 482)
		return
	}
	cl.conns[c] = true
	st := s.addServerTx(c, m)
	st.onCancel = func() {
		s.replyTag(c, m, 487, tag, nil)
		s.removeServerTx(st)
		s.endCall(cl, OutcomeCancelled)
	}
	st.onClose = func() {
		s.removeServerTx(st)
		s.endCall(cl, OutcomeCancelled)
	}
	st.timer = s.clk.AfterFunc(noAnswerTestFor, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.serverTxs[st.key] != st {
			return
		}
		s.replyTag(c, m, 408, tag, nil)
		s.removeServerTx(st)
		s.endCall(cl, OutcomeNoAnswer)
	})
	s.replyTag(c, m, 180, tag, nil)
	s.callState(cl, stateEarly)
}

package sipua

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

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

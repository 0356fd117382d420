package sipua

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Pacing of initial SUBSCRIBEs, so that a switchboard watching hundreds
// of extensions does not flood the server after a (re)connect.
const (
	paceBurst    = 25
	paceInterval = 100 * time.Millisecond
	// retryDelay is how long to wait before subscribing again after a
	// failure the server gave no Retry-After for.
	retryDelay = 30 * time.Second
)

// subscriptions are the UA's presence subscriptions (Event: dialog, RFC
// 4235), one per watched user.
type subscriptions struct {
	ua     *UA
	byUser map[string]*subscription
	// byCallID finds a subscription whose NOTIFY arrives before the 2xx
	// of its SUBSCRIBE (RFC 6665 allows it).
	byCallID map[string]*subscription
	queue    []*subscription
	// pacer ends the current pacing window; windowSent counts the
	// SUBSCRIBEs sent in it.
	pacer      clock.Timer
	windowSent int
}

func newSubscriptions(ua *UA) *subscriptions {
	return &subscriptions{ua: ua, byUser: map[string]*subscription{}, byCallID: map[string]*subscription{}}
}

type subscription struct {
	ua      *UA
	user    string
	target  sipmsg.URI
	callID  string
	fromTag string
	cseq    uint32
	dlg     *dialog
	tracker dialoginfo.Tracker
	state   dialoginfo.ExtensionState
	timer   clock.Timer
	queued  bool
	pending bool // initial SUBSCRIBE in flight
	gone    bool // unsubscribed: nothing more may be sent or reported
	onGone  func()
}

// SubscribeToUser watches the presence of user (an extension or SIP user
// of the UA's domain, or a sip: URI): SUBSCRIBE with Event: dialog,
// refreshed before expiry and renewed after the server ends it. Changes
// of the reduced state arrive as UserStateChangedEvent.
func (ua *UA) SubscribeToUser(ctx context.Context, user string) error {
	uri, err := sipmsg.ParseTarget(user, ua.aor.HostPort())
	if err != nil {
		return err
	}
	key := strings.TrimSpace(user)
	return ua.run(ctx, func() { ua.subs.add(key, uri) })
}

// UnsubscribeUser stops watching user (SUBSCRIBE with Expires: 0).
func (ua *UA) UnsubscribeUser(ctx context.Context, user string) error {
	key := strings.TrimSpace(user)
	return ua.run(ctx, func() { ua.subs.remove(key, nil) })
}

// ClearSubscriptions ends every presence subscription.
func (ua *UA) ClearSubscriptions(ctx context.Context) error {
	return ua.run(ctx, func() { ua.subs.terminateAll(nil) })
}

// Subscriptions returns the watched users.
func (ua *UA) Subscriptions(ctx context.Context) ([]string, error) {
	var out []string
	err := ua.run(ctx, func() {
		for u := range ua.subs.byUser {
			out = append(out, u)
		}
	})
	return out, err
}

func (s *subscriptions) add(user string, uri sipmsg.URI) {
	if _, ok := s.byUser[user]; ok {
		return
	}
	sub := &subscription{ua: s.ua, user: user, target: uri}
	s.byUser[user] = sub
	s.enqueue(sub)
}

func (s *subscriptions) enqueue(sub *subscription) {
	if sub.queued || sub.gone {
		return
	}
	sub.queued = true
	s.queue = append(s.queue, sub)
	s.drain()
}

// drain sends queued SUBSCRIBEs, at most paceBurst per paceInterval.
func (s *subscriptions) drain() {
	if !s.ua.connected.Load() {
		return // Connected re-queues everything
	}
	for len(s.queue) > 0 && s.windowSent < paceBurst {
		sub := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		sub.queued = false
		if sub.gone {
			continue
		}
		sub.subscribe()
		s.windowSent++
	}
	if s.windowSent > 0 && s.pacer == nil {
		s.pacer = s.ua.after(paceInterval, s.newWindow)
	}
}

func (s *subscriptions) newWindow() {
	s.pacer = nil
	s.windowSent = 0
	s.drain()
}

func (s *subscriptions) remove(user string, done func()) bool {
	sub := s.byUser[user]
	if sub == nil {
		return false
	}
	delete(s.byUser, user)
	return sub.unsubscribe(done)
}

// terminateAll unsubscribes everything; it returns how many done calls
// will follow.
func (s *subscriptions) terminateAll(done func()) int {
	n := 0
	for user := range s.byUser {
		if s.remove(user, done) {
			n++
		}
	}
	return n
}

func (s *subscriptions) resubscribeAll() {
	for _, sub := range s.byUser {
		sub.reset()
		s.enqueue(sub)
	}
}

func (s *subscriptions) onDisconnected() {
	// The dialogs lived on the old connection's flow; Connected starts
	// fresh subscriptions.
	for _, sub := range s.byUser {
		sub.reset()
	}
	s.queue = nil
	if s.pacer != nil {
		s.pacer.Stop()
		s.pacer = nil
	}
	s.windowSent = 0
}

func (s *subscriptions) stop() {
	for _, sub := range s.byUser {
		sub.gone = true
		sub.stopTimer()
	}
	if s.pacer != nil {
		s.pacer.Stop()
		s.pacer = nil
	}
	s.queue = nil
}

// forNotify finds the subscription a NOTIFY outside a known dialog
// belongs to (it came before the SUBSCRIBE's 2xx).
func (s *subscriptions) forNotify(m *sipmsg.Message) *subscription {
	sub := s.byCallID[m.CallID()]
	if sub == nil || sub.fromTag != m.ToTag() || sub.gone {
		return nil
	}
	return sub
}

func (sub *subscription) stopTimer() {
	if sub.timer != nil {
		sub.timer.Stop()
		sub.timer = nil
	}
}

// reset forgets the dialog so that the next subscribe starts anew.
func (sub *subscription) reset() {
	sub.stopTimer()
	if sub.dlg != nil {
		delete(sub.ua.dialogs, sub.dlg.id)
		sub.dlg = nil
	}
	delete(sub.ua.subs.byCallID, sub.callID)
	sub.pending = false
	sub.tracker.Reset()
}

func (sub *subscription) expires() int { return sub.ua.cfg.SubscribeExpires }

// build makes a SUBSCRIBE: in the dialog when there is one, else an
// initial one with the subscription's Call-ID and tag.
func (sub *subscription) build(expires int) (*sipmsg.Message, error) {
	ua := sub.ua
	var m *sipmsg.Message
	var err error
	if sub.dlg != nil {
		m, err = sub.dlg.request(sipmsg.SUBSCRIBE)
	} else {
		sub.cseq++
		from := sipmsg.Address{DisplayName: ua.cfg.DisplayName, URI: ua.aor,
			Params: sipmsg.Params{{Name: "tag", Value: sub.fromTag}}}
		c := ua.contact
		m, err = sipmsg.BuildRequest(sipmsg.RequestSpec{Method: sipmsg.SUBSCRIBE, URI: sub.target, Via: ua.via(),
			From: from, To: sipmsg.Address{URI: sub.target}, CallID: sub.callID, CSeq: sub.cseq, Contact: &c})
		if err == nil {
			_ = m.Add(sipmsg.HdrUserAgent, ua.cfg.UserAgent)
		}
	}
	if err != nil {
		return nil, err
	}
	_ = m.Set(sipmsg.HdrEvent, "dialog")
	_ = m.Set(sipmsg.HdrAccept, "application/dialog-info+xml")
	_ = m.Set(sipmsg.HdrExpires, strconv.Itoa(expires))
	return m, nil
}

// subscribe starts a new subscription (a new dialog).
func (sub *subscription) subscribe() {
	sub.reset()
	sub.callID, sub.fromTag, sub.cseq = sipmsg.NewCallID(), sipmsg.NewTag(), 0
	sub.ua.subs.byCallID[sub.callID] = sub
	sub.pending = true
	sub.send(sub.expires())
}

// send sends a SUBSCRIBE (initial or refresh) and handles its outcome.
func (sub *subscription) send(expires int) {
	callID := sub.callID
	var sent *sipmsg.Message
	a := &authedRequest{ua: sub.ua,
		build: func() (*sipmsg.Message, error) {
			m, err := sub.build(expires)
			sent = m
			return m, err
		},
		onFinal: func(resp *sipmsg.Message) {
			if callID != sub.callID {
				return
			}
			if sub.gone {
				sub.pending = false
				sub.finishPendingUnsubscribe(sent, resp)
				return
			}
			sub.pending = false
			sub.onResponse(sent, resp)
		},
		onFail: func(err error) {
			if callID != sub.callID {
				return
			}
			if sub.gone {
				sub.pending = false
				sub.finishPendingUnsubscribe(sent, nil)
				return
			}
			sub.pending = false
			if err == ErrTransportLost || err == ErrNotConnected {
				return // Connected subscribes again
			}
			sub.retryLater(retryDelay)
		},
	}
	a.send()
}

func (sub *subscription) onResponse(req, resp *sipmsg.Message) {
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		if sub.dlg == nil {
			d, err := newDialogAsUAC(sub.ua, req, resp)
			if err != nil {
				sub.ua.log.Debug("sipua: SUBSCRIBE 2xx makes no dialog", "user", sub.user, "err", err)
				sub.retryLater(retryDelay)
				return
			}
			sub.adopt(d)
		}
		granted := sub.expires()
		if e, err := resp.Expires(); err == nil {
			granted = int(e)
		}
		if granted == 0 {
			return // a NOTIFY with Subscription-State: terminated follows
		}
		sub.scheduleRefresh(granted)
	case code == 481 || code == 408:
		sub.ua.subs.enqueue(sub) // the dialog is gone: start anew
	default:
		delay := retryDelay
		if ra, err := resp.RetryAfter(); err == nil {
			if n, err := strconv.Atoi(ra.Value); err == nil && n > 0 {
				delay = time.Duration(n) * time.Second
			}
		}
		sub.ua.log.Debug("sipua: SUBSCRIBE failed", "user", sub.user, "status", code)
		sub.retryLater(delay)
	}
}

func (sub *subscription) adopt(d *dialog) {
	sub.dlg = d
	sub.ua.dialogs[d.id] = sub
}

// scheduleRefresh refreshes at a random point between 75 % and 90 % of the
// granted lifetime, which spreads the refreshes of many subscriptions.
func (sub *subscription) scheduleRefresh(granted int) {
	sub.stopTimer()
	e := time.Duration(granted) * time.Second
	d := e*3/4 + time.Duration(rand.Int64N(int64(e*3/20)+1))
	if granted < 32 {
		d = e / 2
	}
	sub.timer = sub.ua.after(d, func() {
		sub.timer = nil
		if sub.gone || sub.dlg == nil {
			return
		}
		sub.send(sub.expires())
	})
}

func (sub *subscription) retryLater(d time.Duration) {
	sub.reset()
	sub.timer = sub.ua.after(d, func() {
		sub.timer = nil
		if !sub.gone {
			sub.ua.subs.enqueue(sub)
		}
	})
}

// receiveRequest handles a NOTIFY (the only request a subscription's
// dialog gets): always answered, state reported when it changes.
func (sub *subscription) receiveRequest(m *sipmsg.Message, tx *serverTx) {
	if tx == nil {
		return
	}
	if m.Method != sipmsg.NOTIFY {
		tx.reply(405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: "NOTIFY"})
		return
	}
	if ev, err := m.Event(); err != nil || !strings.EqualFold(ev.Value, "dialog") {
		tx.reply(489)
		return
	}
	if sub.gone {
		tx.reply(200)
		if ss, err := m.SubscriptionState(); err == nil && strings.EqualFold(ss.Value, "terminated") {
			sub.reset()
		}
		return
	}
	if sub.dlg == nil {
		d, err := newDialogAsUAC(sub.ua, sub.initialRequest(), m)
		if err != nil {
			tx.reply(400)
			return
		}
		sub.adopt(d)
	} else if !sub.dlg.acceptRequest(m) {
		tx.reply(500)
		return
	}
	tx.reply(200)
	if len(m.Body) > 0 {
		sub.applyBody(m)
	}
	ss, err := m.SubscriptionState()
	if err != nil {
		return
	}
	switch strings.ToLower(ss.Value) {
	case "active", "pending":
		if e, ok := ss.Param("expires"); ok && sub.timer == nil {
			if n, err := strconv.Atoi(e); err == nil && n > 0 {
				sub.scheduleRefresh(n)
			}
		}
	case "terminated":
		sub.terminatedByServer(ss)
	}
}

// initialRequest rebuilds what the dialog needs of our SUBSCRIBE: its
// From (tag), Call-ID and CSeq.
func (sub *subscription) initialRequest() *sipmsg.Message {
	m := &sipmsg.Message{Method: sipmsg.SUBSCRIBE, RequestURI: sub.target}
	from := sipmsg.Address{DisplayName: sub.ua.cfg.DisplayName, URI: sub.ua.aor,
		Params: sipmsg.Params{{Name: "tag", Value: sub.fromTag}}}
	_ = m.Add(sipmsg.HdrFrom, from.String())
	_ = m.Add(sipmsg.HdrCallID, sub.callID)
	_ = m.Add(sipmsg.HdrCSeq, sipmsg.CSeq{Seq: sub.cseq, Method: sipmsg.SUBSCRIBE}.String())
	return m
}

func (sub *subscription) applyBody(m *sipmsg.Message) {
	if sub.gone {
		return
	}
	ct, err := m.ContentType()
	if err != nil || !ct.Is("application", "dialog-info+xml") {
		return
	}
	info, err := dialoginfo.Parse(m.Body)
	if err != nil {
		sub.ua.log.Debug("sipua: bad dialog-info", "user", sub.user, "err", err)
		return
	}
	res := sub.tracker.Apply(info)
	if res.Applied {
		if st := sub.tracker.ExtensionState(); st != sub.state {
			sub.state = st
			sub.ua.emit(UserStateChangedEvent{User: sub.user, State: st})
		}
	}
	if res.Stale && sub.timer == nil {
		// Missed a partial update: a fresh subscription brings a full
		// document.
		sub.ua.subs.enqueue(sub)
	}
}

func (sub *subscription) terminatedByServer(ss sipmsg.ValueParams) {
	reason, _ := ss.Param("reason")
	delay := time.Duration(0)
	if ra, ok := ss.Param("retry-after"); ok {
		if n, err := strconv.Atoi(ra); err == nil && n > 0 {
			delay = time.Duration(n) * time.Second
		}
	}
	if sub.gone {
		sub.reset()
		return
	}
	switch strings.ToLower(reason) {
	case "rejected", "noresource":
		sub.ua.log.Debug("sipua: subscription refused", "user", sub.user, "reason", reason)
		sub.reset()
	case "giveup":
		if delay == 0 {
			delay = retryDelay
		}
		sub.retryLater(delay)
	default: // deactivated, timeout, probation or none: subscribe again
		if delay == 0 {
			sub.reset()
			sub.ua.subs.enqueue(sub)
			return
		}
		sub.retryLater(delay)
	}
}

// unsubscribe ends the subscription; it reports whether done will be
// called (a SUBSCRIBE with Expires: 0 was sent).
func (sub *subscription) unsubscribe(done func()) bool {
	sub.gone = true
	sub.stopTimer()
	if sub.dlg == nil && sub.pending && sub.ua.connected.Load() {
		// The SUBSCRIBE is still in flight: end the subscription once its
		// 2xx has made the dialog (see send).
		sub.onGone = done
		return true
	}
	if sub.dlg == nil || !sub.ua.connected.Load() {
		sub.reset()
		return false
	}
	finish := func() {
		// Keep the dialog a little longer: the notifier's final NOTIFY
		// (terminated) still gets its 200.
		sub.stopTimer()
		sub.timer = sub.ua.after(TimerF, sub.reset)
		if done != nil {
			done()
		}
	}
	a := &authedRequest{ua: sub.ua,
		build:   func() (*sipmsg.Message, error) { return sub.build(0) },
		onFinal: func(*sipmsg.Message) { finish() },
		onFail:  func(error) { sub.reset(); callDone(done) },
	}
	a.send()
	return true
}

func callDone(done func()) {
	if done != nil {
		done()
	}
}

// finishPendingUnsubscribe ends a subscription that was unsubscribed
// while its initial SUBSCRIBE was in flight: a 2xx made a dialog at the
// notifier, which gets its SUBSCRIBE with Expires: 0 now.
func (sub *subscription) finishPendingUnsubscribe(req, resp *sipmsg.Message) {
	done := sub.onGone
	sub.onGone = nil
	if resp != nil && resp.StatusCode < 300 && sub.dlg == nil {
		if d, err := newDialogAsUAC(sub.ua, req, resp); err == nil {
			sub.adopt(d)
		}
	}
	if sub.dlg == nil || !sub.unsubscribe(done) {
		sub.reset()
		callDone(done)
	}
}

// String is for logs.
func (sub *subscription) String() string { return fmt.Sprintf("subscription(%s)", sub.user) }

//go:build !js

package sipserver

import (
	"context"
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Subscription lifetimes, in seconds.
const (
	defaultSubscribeExpires = 600
	maxSubscribeExpires     = 3600
)

// subscription is a dialog-event subscription (RFC 4235, RFC 6665) to an
// extension: the server is the notifier.
type subscription struct {
	s            *Server
	conn         *conn
	user         string // the watched extension's SIP username
	entity       string
	key          dialogKey
	local        sipmsg.Address // our side, with our tag
	remote       sipmsg.Address // the subscriber, with its tag
	remoteTarget sipmsg.URI
	localSeq     uint32
	eventID      string
	version      int
	expires      time.Time
	timer        clock.Timer
	ended        bool
}

// handleSubscribe accepts a new subscription to an extension's dialogs.
func (s *Server) handleSubscribe(c *conn, m *sipmsg.Message) {
	ctx, cancel := context.WithTimeout(c.ctx, lookupTimeout)
	defer cancel()
	watcher, ok := s.authorize(ctx, c, m)
	if !ok {
		return
	}
	ev, err := m.Event()
	if err != nil || !strings.EqualFold(ev.Value, "dialog") {
		s.reply(c, m, 489, sipmsg.Header{Name: sipmsg.HdrAllowEvents, Value: "dialog"})
		return
	}
	if m.Has(sipmsg.HdrAccept) && !acceptsDialogInfo(m) {
		s.reply(c, m, 406, sipmsg.Header{Name: sipmsg.HdrAccept, Value: dialoginfo.ContentType})
		return
	}
	expires, ok := subscribeExpires(m)
	if !ok {
		s.reply(c, m, 400)
		return
	}
	contacts, err := m.Contacts()
	if err != nil || len(contacts) == 0 || contacts[0].Wildcard {
		s.reply(c, m, 400)
		return
	}
	target, found, err := s.lookup(ctx, m.RequestURI.User)
	if err != nil {
		s.reply(c, m, 500)
		return
	}
	if !found || !sameCustomer(watcher, target) {
		s.reply(c, m, 404)
		return
	}
	from, _ := m.From()
	to, _ := m.To()
	tag := sipmsg.NewTag()
	to.Params.Set("tag", tag)
	id, _ := ev.Params.Get("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := &subscription{s: s, conn: c, user: target.SIPUsername,
		entity: "sip:" + target.SIPUsername + "@" + s.host,
		key:    dialogKey{m.CallID(), tag}, local: to, remote: from, remoteTarget: contacts[0].URI,
		eventID: id}
	s.dialogs[sub.key] = sub
	if s.subsByUser[sub.user] == nil {
		s.subsByUser[sub.user] = map[*subscription]struct{}{}
	}
	s.subsByUser[sub.user][sub] = struct{}{}
	sub.accept(m, expires)
}

// accept answers a SUBSCRIBE (initial or refresh) with 200 and sends the
// current state; Expires 0 ends the subscription with that NOTIFY.
func (sub *subscription) accept(m *sipmsg.Message, expires int) {
	s := sub.s
	resp, err := sipmsg.NewResponse(m, 200, "")
	if err != nil {
		return
	}
	_ = resp.SetToTag(sub.key.localTag)
	_ = resp.Add(sipmsg.HdrContact, s.contact().String())
	_ = resp.Add(sipmsg.HdrExpires, strconv.Itoa(expires))
	_ = resp.Add(sipmsg.HdrServer, userAgentName)
	_ = sub.conn.send(resp)
	if sub.timer != nil {
		sub.timer.Stop()
		sub.timer = nil
	}
	if expires == 0 {
		sub.terminate("timeout")
		return
	}
	sub.expires = s.clk.Now().Add(time.Duration(expires) * time.Second)
	sub.timer = s.clk.AfterFunc(time.Duration(expires)*time.Second, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		sub.terminate("timeout")
	})
	sub.notify(nil)
}

// inDialog handles a refresh or an un-SUBSCRIBE. s.mu is held.
func (sub *subscription) inDialog(c *conn, m *sipmsg.Message) {
	switch m.Method {
	case sipmsg.ACK:
		return
	case sipmsg.SUBSCRIBE:
	default:
		sub.s.reply(c, m, 405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: "SUBSCRIBE"})
		return
	}
	if m.FromTag() != sub.remote.Tag() {
		sub.s.reply(c, m, 481)
		return
	}
	expires, ok := subscribeExpires(m)
	if !ok {
		sub.s.reply(c, m, 400)
		return
	}
	if cs, err := m.Contacts(); err == nil && len(cs) > 0 && !cs[0].Wildcard {
		sub.remoteTarget = cs[0].URI
	}
	sub.conn = c // a refresh may come over a new connection
	sub.accept(m, expires)
}

// connClosed ends the subscription when its subscriber's connection (or
// the server) closes: there is nobody left to notify. s.mu is held.
func (sub *subscription) connClosed(c *conn) {
	if c == nil || c == sub.conn {
		sub.remove()
	}
}

// terminate sends the final NOTIFY and forgets the subscription.
func (sub *subscription) terminate(reason string) {
	if sub.ended {
		return
	}
	sub.send("terminated;reason="+reason, nil)
	sub.remove()
}

// remove forgets the subscription. s.mu is held.
func (sub *subscription) remove() {
	if sub.ended {
		return
	}
	sub.ended = true
	if sub.timer != nil {
		sub.timer.Stop()
	}
	s := sub.s
	if s.dialogs[sub.key] == localDialog(sub) {
		delete(s.dialogs, sub.key)
	}
	delete(s.subsByUser[sub.user], sub)
	if len(s.subsByUser[sub.user]) == 0 {
		delete(s.subsByUser, sub.user)
	}
}

// notify sends the extension's dialogs; changed is a call that just ended
// and is listed once more as terminated. s.mu is held.
func (sub *subscription) notify(changed *call) {
	if sub.ended {
		return
	}
	left := max(0, int(sub.expires.Sub(sub.s.clk.Now()).Seconds()))
	sub.send("active;expires="+strconv.Itoa(left), changed)
}

func (sub *subscription) send(state string, changed *call) {
	s := sub.s
	sub.localSeq++
	via, branch := s.via("")
	contact := s.contact()
	req, err := sipmsg.BuildRequest(sipmsg.RequestSpec{Method: sipmsg.NOTIFY, URI: sub.remoteTarget, Via: via,
		From: sub.local, To: sub.remote, CallID: sub.key.callID, CSeq: sub.localSeq, Contact: &contact,
		ContentType: dialoginfo.ContentType, Body: s.dialogInfo(sub.user, sub.entity, sub.version, changed)})
	if err != nil {
		s.log.Debug("sipserver: cannot build NOTIFY", "err", err)
		return
	}
	sub.version++
	event := "dialog"
	if sub.eventID != "" {
		event += ";id=" + sub.eventID
	}
	_ = req.Set(sipmsg.HdrEvent, event)
	_ = req.Set(sipmsg.HdrSubscriptionState, state)
	_ = req.Add(sipmsg.HdrUserAgent, userAgentName)
	s.startClientTx(sub.conn, req, branch, func(resp *sipmsg.Message) {
		if resp.StatusCode >= 300 {
			// 481 and friends: the subscriber has forgotten the
			// subscription (RFC 6665 §4.2.2).
			sub.remove()
		}
	})
}

// dialogInfo writes the RFC 4235 document of user's calls in progress,
// plus changed (a call that just ended) when set.
func (s *Server) dialogInfo(user, entity string, version int, changed *call) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<dialog-info xmlns="` + dialoginfo.Namespace + `" version="` + strconv.Itoa(version) +
		`" state="full" entity="`)
	xmlEscape(&b, entity)
	b.WriteString("\">\n")
	calls := s.callsOf(user)
	if changed != nil && changed.ended {
		calls = append(calls, changed)
	}
	for _, cl := range calls {
		direction, other := "initiator", cl.info.To
		if cl.toUser == user {
			direction, other = "recipient", cl.info.From
		}
		b.WriteString(`  <dialog id="` + cl.id + `" call-id="`)
		xmlEscape(&b, cl.info.CallID)
		b.WriteString(`" direction="` + direction + `">` + "\n    <state>")
		state := cl.state
		if state == "" {
			state = stateTrying
		}
		b.WriteString(state)
		b.WriteString("</state>\n    <remote><identity>")
		xmlEscape(&b, "sip:"+other+"@"+s.host)
		b.WriteString("</identity></remote>\n  </dialog>\n")
	}
	b.WriteString("</dialog-info>\n")
	return []byte(b.String())
}

func xmlEscape(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// subscribeExpires reads the Expires of a SUBSCRIBE, shortened to our
// maximum.
func subscribeExpires(m *sipmsg.Message) (int, bool) {
	if !m.Has(sipmsg.HdrExpires) {
		return defaultSubscribeExpires, true
	}
	e, err := m.Expires()
	if err != nil {
		return 0, false
	}
	return int(min(e, maxSubscribeExpires)), true
}

// acceptsDialogInfo reports whether the Accept header allows dialog-info.
func acceptsDialogInfo(m *sipmsg.Message) bool {
	for _, v := range m.Values(sipmsg.HdrAccept) {
		t, err := sipmsg.ParseMediaType(v)
		if err == nil && (t.Is("application", "dialog-info+xml") || t.Is("*", "*") || t.Is("application", "*")) {
			return true
		}
	}
	return false
}

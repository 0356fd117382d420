package sipua

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

const notifierTag = "srv77"

// accept answers a SUBSCRIBE 200 with a To tag and a Contact.
func (h *harness) acceptSubscribe(req *sipmsg.Message, expires int) {
	h.reply(req, 200, func(m *sipmsg.Message) {
		_ = m.SetToTag(notifierTag)
		_ = m.Add(sipmsg.HdrContact, "<sip:presence@192.0.2.1:8080;transport=ws>")
		_ = m.Add(sipmsg.HdrExpires, strconv.Itoa(expires))
	})
}

// notify sends a NOTIFY in the subscription of req.
func (h *harness) notify(req *sipmsg.Message, cseq int, state, body string) {
	from, _ := req.From()
	to, _ := req.To()
	m := fmt.Sprintf("NOTIFY sip:x@h.invalid;transport=ws SIP/2.0\r\n"+
		"Via: SIP/2.0/WSS 192.0.2.1:8080;branch=z9hG4bKn%d%s\r\n"+
		"From: <%s>;tag=%s\r\nTo: <%s>;tag=%s\r\nCall-ID: %s\r\nCSeq: %d NOTIFY\r\n"+
		"Contact: <sip:presence@192.0.2.1:8080;transport=ws>\r\nEvent: dialog\r\n"+
		"Subscription-State: %s\r\nMax-Forwards: 70\r\n",
		cseq, req.CallID()[:8], to.URI.String(), notifierTag, from.URI.String(), from.Tag(), req.CallID(), cseq, state)
	if body != "" {
		m += "Content-Type: application/dialog-info+xml\r\n"
	}
	m += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	h.deliverRaw(m)
}

func dialogInfo(version int, state string, dialogState string) string {
	d := ""
	if dialogState != "" {
		d = `<dialog id="d1" direction="recipient"><state>` + dialogState + `</state></dialog>`
	}
	return `<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="` +
		strconv.Itoa(version) + `" state="` + state + `" entity="sip:201@pbx.test">` + d + `</dialog-info>`
}

func TestSubscribe_DialogEventStatesAndRefresh(t *testing.T) {
	h := newHarness(t)
	h.connect()
	require.NoError(t, h.ua.SubscribeToUser(context.Background(), "201"))
	sub := h.expect(sipmsg.SUBSCRIBE)
	assert.Equal(t, "sip:201@pbx.test", sub.RequestURI.String())
	assert.Equal(t, "dialog", sub.Get(sipmsg.HdrEvent))
	assert.Equal(t, "application/dialog-info+xml", sub.Get(sipmsg.HdrAccept))
	assert.Equal(t, "600", sub.Get(sipmsg.HdrExpires))
	assert.True(t, sub.Has(sipmsg.HdrContact))

	h.reply(sub, 407, challenge("pbx.test", "p1", false))
	sub2 := h.expect(sipmsg.SUBSCRIBE)
	verifyAuth(t, sub2, sipmsg.HdrProxyAuthorization)
	h.acceptSubscribe(sub2, 600)

	h.notify(sub2, 1, "active;expires=600", dialogInfo(0, "full", ""))
	h.expectResponse(200)
	ev := h.expectEvent("userStateChanged").(UserStateChangedEvent)
	assert.Equal(t, UserStateChangedEvent{User: "201", State: dialoginfo.Available}, ev)

	h.notify(sub2, 2, "active;expires=590", dialogInfo(1, "full", "early"))
	h.expectResponse(200)
	assert.Equal(t, dialoginfo.Ringing, h.expectEvent("userStateChanged").(UserStateChangedEvent).State)

	// A stale version is answered and ignored; the same state is not
	// reported twice.
	h.notify(sub2, 3, "active;expires=580", dialogInfo(1, "full", "confirmed"))
	h.expectResponse(200)
	h.notify(sub2, 4, "active;expires=570", dialogInfo(2, "full", "early"))
	h.expectResponse(200)
	h.noEvent("userStateChanged")

	h.notify(sub2, 5, "active;expires=560", dialogInfo(3, "full", "confirmed"))
	h.expectResponse(200)
	assert.Equal(t, dialoginfo.Busy, h.expectEvent("userStateChanged").(UserStateChangedEvent).State)

	// Refreshed in the dialog before expiry (between 75% and 90%). Time
	// moves in one-second steps so that the refresh's own transaction
	// timer cannot fall due in the same step.
	h.advance(449 * time.Second)
	h.nothingSent()
	refresh := h.advanceUntilSent(91*time.Second, time.Second)
	require.Equal(t, sipmsg.SUBSCRIBE, refresh.Method)
	assert.Equal(t, sub2.CallID(), refresh.CallID())
	assert.Equal(t, notifierTag, refresh.ToTag())
	assert.Equal(t, "sip:presence@192.0.2.1:8080;transport=ws", refresh.RequestURI.String())
	c1, _ := sub2.CSeq()
	c2, _ := refresh.CSeq()
	assert.Greater(t, c2.Seq, c1.Seq)

	// 481: the server lost the subscription; a fresh one starts.
	h.reply(refresh, 481)
	fresh := h.expect(sipmsg.SUBSCRIBE)
	assert.NotEqual(t, sub2.CallID(), fresh.CallID())
	assert.Empty(t, fresh.ToTag())
}

func TestSubscribe_NotifyBeforeTheAnswerAndTermination(t *testing.T) {
	h := newHarness(t)
	h.connect()
	require.NoError(t, h.ua.SubscribeToUser(context.Background(), "202"))
	sub := h.expect(sipmsg.SUBSCRIBE)
	// The NOTIFY overtakes the 200 (RFC 6665 allows it).
	h.notify(sub, 1, "active;expires=600", dialogInfo(0, "full", "confirmed"))
	h.expectResponse(200)
	assert.Equal(t, dialoginfo.Busy, h.expectEvent("userStateChanged").(UserStateChangedEvent).State)
	h.acceptSubscribe(sub, 600)
	h.nothingSent()

	// Terminated with a retry-after: a new subscription after that time.
	h.notify(sub, 2, "terminated;reason=timeout;retry-after=20", "")
	h.expectResponse(200)
	h.advance(19 * time.Second)
	h.nothingSent()
	h.advance(time.Second)
	again := h.expect(sipmsg.SUBSCRIBE)
	assert.NotEqual(t, sub.CallID(), again.CallID())

	// Rejected: no new attempt.
	h.acceptSubscribe(again, 600)
	h.notify(again, 1, "terminated;reason=rejected", "")
	h.expectResponse(200)
	h.advance(time.Hour)
	h.nothingSent()
}

func TestUnsubscribe_SendsExpiresZeroAndAnswersTheLastNotify(t *testing.T) {
	h := newHarness(t)
	h.connect()
	require.NoError(t, h.ua.SubscribeToUser(context.Background(), "203"))
	sub := h.expect(sipmsg.SUBSCRIBE)
	h.acceptSubscribe(sub, 600)
	h.notify(sub, 1, "active;expires=600", dialogInfo(0, "full", ""))
	h.expectResponse(200)

	require.NoError(t, h.ua.UnsubscribeUser(context.Background(), "203"))
	un := h.expect(sipmsg.SUBSCRIBE)
	assert.Equal(t, "0", un.Get(sipmsg.HdrExpires))
	assert.Equal(t, sub.CallID(), un.CallID())
	h.reply(un, 200)
	h.notify(sub, 2, "terminated;reason=timeout", dialogInfo(1, "full", ""))
	h.expectResponse(200)
	h.advance(time.Hour)
	h.nothingSent()
	users, err := h.ua.Subscriptions(context.Background())
	require.NoError(t, err)
	assert.Empty(t, users)
	assert.Equal(t, 0, h.clk.Waiters())
}

func TestSubscribe_HundredsArePaced(t *testing.T) {
	h := newHarness(t)
	h.connect()
	for i := range 2*paceBurst + 5 {
		require.NoError(t, h.ua.SubscribeToUser(context.Background(), strconv.Itoa(300+i)))
	}
	h.sync()
	count := func() int {
		n := 0
		for {
			select {
			case m := <-h.tr.sent:
				require.Equal(t, sipmsg.SUBSCRIBE, m.Method)
				n++
			default:
				return n
			}
		}
	}
	assert.Equal(t, paceBurst, count())
	h.advance(paceInterval)
	assert.Equal(t, paceBurst, count())
	h.advance(paceInterval)
	assert.Equal(t, 5, count())
}

func TestClearSubscriptions_EndsAllAndStopResubscribing(t *testing.T) {
	h := newHarness(t)
	h.connect()
	for _, u := range []string{"201", "202"} {
		require.NoError(t, h.ua.SubscribeToUser(context.Background(), u))
		s := h.expect(sipmsg.SUBSCRIBE)
		h.acceptSubscribe(s, 600)
	}
	require.NoError(t, h.ua.ClearSubscriptions(context.Background()))
	for range 2 {
		un := h.expect(sipmsg.SUBSCRIBE)
		assert.Equal(t, "0", un.Get(sipmsg.HdrExpires))
		h.reply(un, 200)
	}
	h.tr.disconnect()
	h.connect()
	h.nothingSent()
}

func TestSubscribe_AgainAfterReconnect(t *testing.T) {
	h := newHarness(t)
	h.connect()
	require.NoError(t, h.ua.SubscribeToUser(context.Background(), "201"))
	s := h.expect(sipmsg.SUBSCRIBE)
	h.acceptSubscribe(s, 600)
	h.tr.disconnect()
	h.connect()
	again := h.expect(sipmsg.SUBSCRIBE)
	assert.NotEqual(t, s.CallID(), again.CallID())
}

func TestUnsubscribe_WhileTheSubscribeIsInFlight(t *testing.T) {
	h := newHarness(t)
	h.connect()
	require.NoError(t, h.ua.SubscribeToUser(context.Background(), "204"))
	sub := h.expect(sipmsg.SUBSCRIBE)
	require.NoError(t, h.ua.UnsubscribeUser(context.Background(), "204"))
	h.nothingSent()
	// The 2xx made a subscription at the notifier: it is ended at once.
	h.acceptSubscribe(sub, 600)
	un := h.expect(sipmsg.SUBSCRIBE)
	assert.Equal(t, "0", un.Get(sipmsg.HdrExpires))
	assert.Equal(t, sub.CallID(), un.CallID())
	assert.Equal(t, notifierTag, un.ToTag())
	h.reply(un, 200)
	h.nothingSent()
}

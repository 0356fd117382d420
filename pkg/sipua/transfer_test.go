package sipua

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// referNotify builds the transferee's NOTIFY in the outgoing call's
// dialog (from the callee "callee1" to our From tag).
func referNotify(inv *sipmsg.Message, cseq int, frag, state string) string {
	body := frag + "\r\n"
	return "NOTIFY sip:x@h.invalid;transport=ws SIP/2.0\r\n" +
		"Via: SIP/2.0/WSS proxy.pbx.test;branch=z9hG4bKrn" + strings.ReplaceAll(frag[8:11], " ", "") + "\r\n" +
		"From: <sip:201@pbx.test>;tag=callee1\r\n" +
		"To: <sip:200@pbx.test>;tag=" + inv.FromTag() + "\r\n" +
		"Call-ID: " + inv.CallID() + "\r\n" +
		"CSeq: " + strconv.Itoa(cseq) + " NOTIFY\r\n" +
		"Contact: <sip:201@192.0.2.20:5060;transport=ws>\r\n" +
		"Event: refer\r\nSubscription-State: " + state + "\r\n" +
		"Content-Type: message/sipfrag;version=2.0\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func TestRefer_BlindTransferReportsProgress(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	s, inv := establishOutgoing(t, h)
	done := make(chan error, 1)
	go func() { done <- s.Refer(context.Background(), "301", ReferOptions{}) }()
	refer := h.expect(sipmsg.REFER)
	assert.Equal(t, "<sip:301@pbx.test>", refer.Get(sipmsg.HdrReferTo))
	assert.Equal(t, "<sip:200@pbx.test>", refer.Get(sipmsg.HdrReferredBy))
	assert.Equal(t, "callee1", refer.ToTag())
	h.reply(refer, 202)
	require.NoError(t, <-done)

	h.deliverRaw(referNotify(inv, 1, "SIP/2.0 100 Trying", "active;expires=60"))
	h.expectResponse(200)
	assert.Equal(t, 100, h.sessionEvent("referTrying").StatusCode)
	h.deliverRaw(referNotify(inv, 2, "SIP/2.0 200 OK", "terminated;reason=noresource"))
	h.expectResponse(200)
	assert.Equal(t, 200, h.sessionEvent("referAccepted").StatusCode)
}

func TestRefer_TransfereeCallsTheTargetAndNotifies(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	h.deliverRaw(incomingInvite(true))
	tag := h.expectResponse(180).ToTag()
	s := h.expectEvent("newRTCSession").(NewSessionEvent).Session
	require.NoError(t, s.Answer(context.Background(), CallOptions{}))
	h.expectResponse(200)
	h.deliverRaw(inDialog("ACK", tag, 10, "z9hG4bKack1", ""))
	h.sessionEvent("confirmed")

	refer := inDialog("REFER", tag, 11, "z9hG4bKref1", "")
	refer = strings.Replace(refer, "Max-Forwards: 69\r\n", "Max-Forwards: 69\r\nRefer-To: <sip:301@pbx.test>\r\nReferred-By: <sip:201@pbx.test>\r\n", 1)
	h.deliverRaw(refer)
	ev := h.sessionEvent("refer")
	require.NotNil(t, ev.Refer)
	assert.Equal(t, "sip:301@pbx.test", ev.Refer.Target.String())
	assert.Nil(t, ev.Refer.Replaces)

	accepted := make(chan *Session, 1)
	go func() {
		c, err := ev.Refer.Accept(context.Background(), CallOptions{})
		require.NoError(t, err)
		accepted <- c
	}()
	h.expectResponse(202)
	n1 := h.expect(sipmsg.NOTIFY)
	assert.Equal(t, "refer;id=11", n1.Get(sipmsg.HdrEvent))
	assert.Equal(t, "SIP/2.0 100 Trying\r\n", string(n1.Body))
	assert.Equal(t, "caller1", n1.ToTag())
	h.reply(n1, 200)
	inv := h.expect(sipmsg.INVITE)
	assert.Equal(t, "sip:301@pbx.test", inv.RequestURI.String())
	assert.Equal(t, "<sip:201@pbx.test>", inv.Get(sipmsg.HdrReferredBy))
	<-accepted
	h.answerCall(inv)
	h.expect(sipmsg.ACK)
	n2 := h.expect(sipmsg.NOTIFY)
	assert.Equal(t, "SIP/2.0 200 OK\r\n", string(n2.Body))
	assert.True(t, strings.HasPrefix(n2.Get(sipmsg.HdrSubscriptionState), "terminated"))
}

func TestRefer_RefusedWithoutAListener(t *testing.T) {
	h, _ := mediaHarness(t)
	h.ua.cfg.Wants = func(e string) bool { return e != "refer" }
	h.connect()
	_, inv := establishOutgoing(t, h)
	refer := "REFER sip:x@h.invalid;transport=ws SIP/2.0\r\n" +
		"Via: SIP/2.0/WSS proxy.pbx.test;branch=z9hG4bKrefx\r\n" +
		"From: <sip:201@pbx.test>;tag=callee1\r\nTo: <sip:200@pbx.test>;tag=" + inv.FromTag() + "\r\n" +
		"Call-ID: " + inv.CallID() + "\r\nCSeq: 5 REFER\r\nContact: <sip:201@192.0.2.20>\r\n" +
		"Refer-To: <sip:301@pbx.test>\r\nContent-Length: 0\r\n\r\n"
	h.deliverRaw(refer)
	h.expectResponse(603)
}

func TestAttendedTransfer_ReplacesEndsTheOldCall(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	// Two calls of ours: the second is the consultation call with the
	// transfer target.
	first, _ := establishOutgoing(t, h)
	second, inv2 := establishOutgoing(t, h)
	done := make(chan error, 1)
	go func() { done <- first.Refer(context.Background(), "", ReferOptions{Replaces: second}) }()
	refer := h.expect(sipmsg.REFER)
	to, err := refer.ReferTo()
	require.NoError(t, err)
	rv, ok := to.URI.Headers.Get("Replaces")
	require.True(t, ok, refer.Get(sipmsg.HdrReferTo))
	rep, err := sipmsg.ParseReplaces(rv)
	require.NoError(t, err)
	assert.Equal(t, sipmsg.Replaces{CallID: inv2.CallID(), ToTag: "callee1", FromTag: inv2.FromTag()}, rep)
	h.reply(refer, 202)
	require.NoError(t, <-done)

	// Now the transfer target's side: an INVITE with Replaces for a call
	// we have takes it over once answered.
	replacing := strings.Replace(incomingInvite(true), "Max-Forwards: 69\r\n",
		"Max-Forwards: 69\r\nReplaces: "+inv2.CallID()+";to-tag="+inv2.FromTag()+";from-tag=callee1\r\n", 1)
	h.deliverRaw(replacing)
	h.expectResponse(180)
	ns := h.expectEvent("newRTCSession").(NewSessionEvent)
	assert.Same(t, second, ns.Replaces)
	assert.Same(t, ns.Session, h.sessionEvent("replaces").Replacement)
	require.NoError(t, ns.Session.Answer(context.Background(), CallOptions{}))
	ok200 := h.expectResponse(200)
	h.deliverRaw(inDialog("ACK", ok200.ToTag(), 10, "z9hG4bKack9", ""))
	bye := h.expect(sipmsg.BYE)
	assert.Equal(t, inv2.CallID(), bye.CallID())
	h.sync() // the BYE leaves before the loop marks the call ended
	assert.True(t, second.IsEnded())

	unknown := strings.Replace(strings.ReplaceAll(incomingInvite(true), "incoming-call-1", "incoming-call-9"), "Max-Forwards: 69\r\n",
		"Max-Forwards: 69\r\nReplaces: nosuchcall;to-tag=a;from-tag=b\r\n", 1)
	unknown = strings.ReplaceAll(unknown, "z9hG4bKinv1", "z9hG4bKinv9")
	h.deliverRaw(unknown)
	h.expectResponse(481)
}

package sipua

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

func inbound(method, extra, body string) string {
	return method + " sip:x8f@h.invalid;transport=ws SIP/2.0\r\n" +
		"Via: SIP/2.0/WSS proxy.pbx.test;branch=z9hG4bK" + method + "1\r\n" +
		"From: <sip:201@pbx.test>;tag=far1\r\n" +
		"To: <sip:200@pbx.test>" + extra + "\r\n" +
		"Call-ID: in-" + method + "\r\n" +
		"CSeq: 1 " + method + "\r\n" +
		"Max-Forwards: 69\r\n" +
		"Content-Type: text/plain\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func TestIncoming_OptionsAndUnknownRequests(t *testing.T) {
	h := newHarness(t)
	h.connect()
	h.deliverRaw(inbound("OPTIONS", "", ""))
	resp := h.expectResponse(200)
	assert.True(t, resp.HasToken(sipmsg.HdrAllow, "MESSAGE"))
	assert.NotEmpty(t, resp.ToTag())

	h.deliverRaw(inbound("PUBLISH", "", ""))
	resp = h.expectResponse(405)
	assert.True(t, resp.HasToken(sipmsg.HdrAllow, "INVITE"))

	h.deliverRaw(inbound("BYE", ";tag=nodialog", ""))
	h.expectResponse(481)
	h.deliverRaw(inbound("NOTIFY", ";tag=nosub", ""))
	h.expectResponse(481)
	h.deliverRaw(inbound("NOTIFY", "", ""))
	h.expectResponse(481)

	// A broken request that can still be answered gets 400.
	h.deliverRaw("OPTIONS sip:x@h SIP/2.0\r\nVia: SIP/2.0/WSS p;branch=z9hG4bKb\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n")
	h.expectResponse(400)
	// Garbage is dropped.
	h.deliverRaw("garbage")
	h.nothingSent()
}

func TestMessage_ReceivedWhenSomeoneListens(t *testing.T) {
	h := newHarness(t)
	h.connect()
	h.deliverRaw(inbound("MESSAGE", "", "hello there"))
	h.expectResponse(200)
	ev := h.expectEvent("newMessage").(NewMessageEvent)
	assert.Equal(t, "remote", ev.Originator)
	assert.Equal(t, "hello there", string(ev.Body))
	assert.Equal(t, "text/plain", ev.ContentType)
	assert.Equal(t, "201", ev.From.URI.User)
}

func TestMessage_RefusedWithoutAListener(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Wants = func(string) bool { return false } })
	h.connect()
	h.deliverRaw(inbound("MESSAGE", "", "hello"))
	h.expectResponse(405)
	h.noEvent("newMessage")
}

func TestMessage_SendAnswersProxyChallenge(t *testing.T) {
	h := newHarness(t)
	h.connect()
	result := make(chan error, 1)
	go func() { result <- h.ua.SendMessage(context.Background(), "201", []byte("hi"), "") }()
	m1 := h.expect(sipmsg.MESSAGE)
	assert.Equal(t, "sip:201@pbx.test", m1.RequestURI.String())
	assert.Equal(t, "hi", string(m1.Body))
	assert.Equal(t, "text/plain", m1.Get(sipmsg.HdrContentType))
	h.reply(m1, 407, challenge("pbx.test", "p1", false))
	m2 := h.expect(sipmsg.MESSAGE)
	verifyAuth(t, m2, sipmsg.HdrProxyAuthorization)
	assert.Equal(t, m1.CallID(), m2.CallID())
	assert.Equal(t, m1.FromTag(), m2.FromTag())
	h.reply(m2, 200)
	require.NoError(t, <-result)
	assert.Equal(t, "local", h.expectEvent("newMessage").(NewMessageEvent).Originator)

	go func() { result <- h.ua.SendMessage(context.Background(), "404", []byte("hi"), "") }()
	h.reply(h.expect(sipmsg.MESSAGE), 404)
	err := <-result
	var fe *FailedError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, CauseNotFound, fe.Cause)

	assert.ErrorIs(t, h.ua.SendMessage(context.Background(), "100\r\nX-Evil: 1", nil, ""), sipmsg.ErrUnsafeValue)
}

func TestMessage_ConnectionLossFailsPendingRequest(t *testing.T) {
	h := newHarness(t)
	h.connect()
	result := make(chan error, 1)
	go func() { result <- h.ua.SendMessage(context.Background(), "201", []byte("hi"), "") }()
	h.expect(sipmsg.MESSAGE)
	h.tr.disconnect()
	select {
	case err := <-result:
		var fe *FailedError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, CauseConnectionError, fe.Cause)
		assert.ErrorIs(t, err, ErrTransportLost)
	case <-time.After(5 * time.Second):
		t.Fatal("the MESSAGE did not fail")
	}
}

func TestCancel_MatchesOnlyAPendingInvite(t *testing.T) {
	h := newHarness(t)
	h.connect()
	// No INVITE transaction: 481.
	h.deliverRaw(inbound("CANCEL", "", ""))
	h.expectResponse(481)

	// A pending INVITE transaction (as the session layer keeps one while
	// ringing) is cancelled: 200 to the CANCEL, 487 to the INVITE.
	invite, err := sipmsg.Parse([]byte(inbound("INVITE", "", "")))
	require.NoError(t, err)
	require.NoError(t, h.ua.run(context.Background(), func() {
		tx := h.ua.newServerTx(invite)
		tx.reply(180)
	}))
	h.expectResponse(180)
	cancel := strings.Replace(inbound("CANCEL", "", ""), "branch=z9hG4bKCANCEL1", "branch=z9hG4bKINVITE1", 1)
	cancel = strings.Replace(cancel, "Call-ID: in-CANCEL", "Call-ID: in-INVITE", 1)
	h.deliverRaw(cancel)
	h.expectResponse(200)
	resp := h.expectResponse(487)
	cseq, _ := resp.CSeq()
	assert.Equal(t, sipmsg.INVITE, cseq.Method)
	// The ACK of the 487 ends the transaction.
	ack := strings.Replace(strings.Replace(inbound("ACK", ";tag="+resp.ToTag(), ""), "branch=z9hG4bKACK1", "branch=z9hG4bKINVITE1", 1), "Call-ID: in-ACK", "Call-ID: in-INVITE", 1)
	h.deliverRaw(ack)
	h.nothingSent()
	require.NoError(t, h.ua.run(context.Background(), func() {
		assert.Empty(t, h.ua.serverTxs, "the INVITE transaction is over")
	}))
}

package sipua

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// fakeMedia records what the session layer asks of the media.
type fakeMedia struct {
	mu       sync.Mutex
	offers   []media.OfferOptions
	answers  []string // remote answers applied
	muted    bool
	dtmf     string
	closed   bool
	rollback int
	onDTMF   func(rune, time.Duration)
}

func sdp(dir media.Direction) string {
	if dir == "" {
		dir = media.SendRecv
	}
	return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=" + string(dir) + "\r\n"
}

func (f *fakeMedia) CreateOffer(ctx context.Context, o media.OfferOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offers = append(f.offers, o)
	return sdp(o.Direction), nil
}
func (f *fakeMedia) CreateAnswer(ctx context.Context, offer string, dir media.Direction) (string, error) {
	return sdp(dir), nil
}
func (f *fakeMedia) SetRemoteAnswer(a string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, a)
	return nil
}
func (f *fakeMedia) Rollback() error { f.mu.Lock(); f.rollback++; f.mu.Unlock(); return nil }
func (f *fakeMedia) SetMuted(m bool) { f.mu.Lock(); f.muted = m; f.mu.Unlock() }
func (f *fakeMedia) SendDTMF(t string, d, g time.Duration) error {
	f.mu.Lock()
	f.dtmf += t
	f.mu.Unlock()
	return nil
}
func (f *fakeMedia) OnDTMF(fn func(rune, time.Duration)) { f.onDTMF = fn }
func (f *fakeMedia) OnState(func(media.ConnectionState)) {}
func (f *fakeMedia) Stats(context.Context) (media.Stats, error) {
	return media.Stats{}, nil
}
func (f *fakeMedia) Close() error { f.mu.Lock(); f.closed = true; f.mu.Unlock(); return nil }

func mediaHarness(t *testing.T) (*harness, *[]*fakeMedia) {
	var made []*fakeMedia
	var mu sync.Mutex
	h := newHarness(t, func(c *Config) {
		c.Media = func(media.Options) (media.Session, error) {
			m := &fakeMedia{}
			mu.Lock()
			made = append(made, m)
			mu.Unlock()
			return m, nil
		}
	})
	return h, &made
}

// answerCall answers an INVITE 200 with SDP, a To tag, a Contact and a
// Record-Route, as a callee behind a proxy does.
func (h *harness) answerCall(inv *sipmsg.Message) *sipmsg.Message {
	return h.reply(inv, 200, func(m *sipmsg.Message) {
		_ = m.SetToTag("callee1")
		_ = m.Add(sipmsg.HdrContact, "<sip:201@192.0.2.20:5060;transport=ws>")
		_ = m.Add(sipmsg.HdrRecordRoute, "<sip:proxy.pbx.test;transport=ws;lr>")
		_ = m.Add(sipmsg.HdrContentType, "application/sdp")
		m.Body = []byte(sdp(""))
	})
}

func (h *harness) sessionEvent(typ string) SessionEvent {
	h.t.Helper()
	return h.expectEvent(typ).(SessionEvent)
}

func establishOutgoing(t *testing.T, h *harness) (*Session, *sipmsg.Message) {
	s, err := h.ua.Call(context.Background(), "201", CallOptions{})
	require.NoError(t, err)
	inv := h.expect(sipmsg.INVITE)
	h.reply(inv, 180, func(m *sipmsg.Message) { _ = m.SetToTag("callee1") })
	h.sessionEvent("progress")
	h.answerCall(inv)
	h.expect(sipmsg.ACK)
	h.sessionEvent("confirmed")
	return s, inv
}

func TestCall_OutgoingAnsweredThenHungUp(t *testing.T) {
	h, made := mediaHarness(t)
	h.connect()
	s, err := h.ua.Call(context.Background(), "201", CallOptions{})
	require.NoError(t, err)
	assert.Equal(t, "local", h.expectEvent("newRTCSession").(NewSessionEvent).Originator)
	inv := h.expect(sipmsg.INVITE)
	assert.Equal(t, "sip:201@pbx.test", inv.RequestURI.String())
	assert.Equal(t, "application/sdp", inv.Get(sipmsg.HdrContentType))
	assert.Contains(t, string(inv.Body), "m=audio")
	cs, _ := inv.Contacts()
	assert.True(t, cs[0].URI.Params.Has("ob"))

	h.reply(inv, 407, challenge("pbx.test", "p1", false))
	h.expect(sipmsg.ACK) // the 407 is acknowledged in its transaction
	inv2 := h.expect(sipmsg.INVITE)
	verifyAuth(t, inv2, sipmsg.HdrProxyAuthorization)
	assert.Equal(t, inv.CallID(), inv2.CallID())

	h.reply(inv2, 100)
	h.reply(inv2, 180, func(m *sipmsg.Message) { _ = m.SetToTag("callee1") })
	h.sessionEvent("progress")
	assert.Equal(t, Status1xxReceived, s.Status())
	h.answerCall(inv2)
	ack := h.expect(sipmsg.ACK)
	assert.Equal(t, "sip:201@192.0.2.20:5060;transport=ws", ack.RequestURI.String())
	assert.Equal(t, "<sip:proxy.pbx.test;transport=ws;lr>", ack.Get(sipmsg.HdrRoute))
	c1, _ := inv2.CSeq()
	c2, _ := ack.CSeq()
	assert.Equal(t, c1.Seq, c2.Seq)
	h.sessionEvent("accepted")
	h.sessionEvent("confirmed")
	assert.True(t, s.IsEstablished())
	require.Len(t, *made, 1)
	assert.Len(t, (*made)[0].answers, 1)

	require.NoError(t, s.Terminate(context.Background(), 0))
	bye := h.expect(sipmsg.BYE)
	assert.Equal(t, "callee1", bye.ToTag())
	h.reply(bye, 200)
	ev := h.sessionEvent("ended")
	assert.Equal(t, CauseBye, ev.Cause)
	assert.True(t, s.IsEnded())
	assert.True(t, (*made)[0].closed)
}

func TestCall_FailuresCarryJsSIPCauses(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	for code, cause := range map[int]string{486: CauseBusy, 404: CauseNotFound, 603: CauseRejected, 480: CauseUnavailable, 488: CauseIncompatibleSDP} {
		_, err := h.ua.Call(context.Background(), "201", CallOptions{})
		require.NoError(t, err)
		inv := h.expect(sipmsg.INVITE)
		h.reply(inv, code)
		ack := h.expect(sipmsg.ACK)
		v1, _ := inv.TopVia()
		v2, _ := ack.TopVia()
		assert.Equal(t, v1.Branch(), v2.Branch(), "the ACK of a failure is in the INVITE transaction")
		ev := h.sessionEvent("failed")
		assert.Equal(t, cause, ev.Cause, "status %d", code)
	}
}

func TestCall_CancelBeforeAnswer(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	s, err := h.ua.Call(context.Background(), "201", CallOptions{})
	require.NoError(t, err)
	inv := h.expect(sipmsg.INVITE)
	// Terminate before any provisional: the CANCEL waits for one.
	require.NoError(t, s.Terminate(context.Background(), 0))
	h.nothingSent()
	h.reply(inv, 180, func(m *sipmsg.Message) { _ = m.SetToTag("callee1") })
	cancel := h.expect(sipmsg.CANCEL)
	vi, _ := inv.TopVia()
	vc, _ := cancel.TopVia()
	assert.Equal(t, vi.Branch(), vc.Branch())
	h.reply(cancel, 200)
	h.reply(inv, 487)
	h.expect(sipmsg.ACK)
	ev := h.sessionEvent("failed")
	assert.Equal(t, CauseCanceled, ev.Cause)
	assert.Equal(t, StatusCanceled, s.Status())
}

func TestCall_NoAnswerTimeoutCancels(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	_, err := h.ua.Call(context.Background(), "201", CallOptions{NoAnswerTimeout: 20 * time.Second})
	require.NoError(t, err)
	inv := h.expect(sipmsg.INVITE)
	h.reply(inv, 180, func(m *sipmsg.Message) { _ = m.SetToTag("callee1") })
	h.advance(20 * time.Second)
	h.reply(h.expect(sipmsg.CANCEL), 200)
	h.reply(inv, 487)
	assert.Equal(t, CauseNoAnswer, h.sessionEvent("failed").Cause)
}

func TestCall_RefusedBeforeSendingBadTargetsOrWithoutMedia(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	_, err := h.ua.Call(context.Background(), "100\r\nX-Evil: 1", CallOptions{})
	require.ErrorIs(t, err, sipmsg.ErrUnsafeValue)
	_, err = h.ua.Call(context.Background(), "201", CallOptions{ExtraHeaders: []sipmsg.Header{{Name: "X-A", Value: "1\r\nX-B: 2"}}})
	require.ErrorIs(t, err, sipmsg.ErrUnsafeValue)
	h.nothingSent()

	plain := newHarness(t)
	plain.connect()
	_, err = plain.ua.Call(context.Background(), "201", CallOptions{})
	require.ErrorIs(t, err, ErrNoMediaFactory)

	// A call's own factory serves a UA without one; OnSession sees the
	// session before the UA's events do.
	own := &fakeMedia{}
	var early *Session
	s, err := plain.ua.Call(context.Background(), "201", CallOptions{
		MediaFactory: func(media.Options) (media.Session, error) { return own, nil },
		OnSession:    func(s *Session) { early = s }})
	require.NoError(t, err)
	assert.Same(t, s, early)
	plain.expect(sipmsg.INVITE)
	own.mu.Lock()
	assert.NotEmpty(t, own.offers, "the call's factory made the offer")
	own.mu.Unlock()
}

func incomingInvite(withSDP bool) string {
	body := ""
	if withSDP {
		body = sdp("")
	}
	return "INVITE sip:x8f@h.invalid;transport=ws SIP/2.0\r\n" +
		"Via: SIP/2.0/WSS proxy.pbx.test;branch=z9hG4bKinv1\r\n" +
		"Record-Route: <sip:proxy.pbx.test;transport=ws;lr>\r\n" +
		"From: \"Bob\" <sip:201@pbx.test>;tag=caller1\r\n" +
		"To: <sip:200@pbx.test>\r\n" +
		"Call-ID: incoming-call-1\r\n" +
		"CSeq: 10 INVITE\r\n" +
		"Contact: <sip:201@192.0.2.20;transport=ws>\r\n" +
		"Max-Forwards: 69\r\n" +
		"Content-Type: application/sdp\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// inDialog builds a request from the caller inside the incoming call.
func inDialog(method string, toTag string, cseq int, branch, body string) string {
	ct := ""
	if body != "" {
		ct = "Content-Type: application/sdp\r\n"
		if method == "INFO" {
			ct = "Content-Type: application/dtmf-relay\r\n"
		}
	}
	return method + " sip:x8f@h.invalid;transport=ws SIP/2.0\r\n" +
		"Via: SIP/2.0/WSS proxy.pbx.test;branch=" + branch + "\r\n" +
		"From: \"Bob\" <sip:201@pbx.test>;tag=caller1\r\n" +
		"To: <sip:200@pbx.test>;tag=" + toTag + "\r\n" +
		"Call-ID: incoming-call-1\r\n" +
		"CSeq: " + strconv.Itoa(cseq) + " " + method + "\r\n" +
		"Contact: <sip:201@192.0.2.20;transport=ws>\r\n" +
		"Max-Forwards: 69\r\n" + ct +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func TestCall_IncomingAnsweredConfirmedAndEndedByBye(t *testing.T) {
	h, made := mediaHarness(t)
	h.connect()
	h.deliverRaw(incomingInvite(true))
	ringing := h.expectResponse(180)
	tag := ringing.ToTag()
	require.NotEmpty(t, tag)
	ev := h.expectEvent("newRTCSession").(NewSessionEvent)
	assert.Equal(t, "remote", ev.Originator)
	s := ev.Session
	assert.Equal(t, "incoming", s.Direction())
	assert.Equal(t, "Bob", s.RemoteIdentity().DisplayName)

	require.NoError(t, s.Answer(context.Background(), CallOptions{}))
	ok := h.expectResponse(200)
	assert.Equal(t, tag, ok.ToTag(), "one To tag for every response")
	assert.Contains(t, string(ok.Body), "m=audio")
	assert.True(t, ok.Has(sipmsg.HdrContact))
	assert.Equal(t, []string{"<sip:proxy.pbx.test;transport=ws;lr>"}, ok.Values(sipmsg.HdrRecordRoute))
	h.sessionEvent("accepted")

	// Without an ACK the 200 is sent again.
	h.advance(T1)
	h.expectResponse(200)
	h.deliverRaw(inDialog("ACK", tag, 10, "z9hG4bKack1", ""))
	h.sessionEvent("confirmed")
	assert.True(t, s.IsEstablished())
	h.advance(10 * time.Second)
	h.nothingSent()

	// DTMF by INFO.
	h.deliverRaw(inDialog("INFO", tag, 11, "z9hG4bKinfo1", "Signal=5\r\nDuration=160\r\n"))
	h.expectResponse(200)
	dt := h.sessionEvent("newDTMF")
	assert.Equal(t, '5', dt.Tone)
	assert.Equal(t, 160*time.Millisecond, dt.Duration)

	// Remote hold and unhold by re-INVITE.
	h.deliverRaw(inDialog("INVITE", tag, 12, "z9hG4bKre1", sdp(media.SendOnly)))
	re := h.expectResponse(200)
	assert.Contains(t, string(re.Body), "a=recvonly")
	assert.Equal(t, "remote", h.sessionEvent("hold").Originator)
	_, remote := s.IsOnHold()
	assert.True(t, remote)
	h.deliverRaw(inDialog("ACK", tag, 12, "z9hG4bKreack1", ""))
	h.deliverRaw(inDialog("INVITE", tag, 13, "z9hG4bKre2", sdp(media.SendRecv)))
	h.expectResponse(200)
	h.sessionEvent("unhold")

	h.deliverRaw(inDialog("BYE", tag, 14, "z9hG4bKbye1", ""))
	h.expectResponse(200)
	ended := h.sessionEvent("ended")
	assert.Equal(t, "remote", ended.Originator)
	assert.Equal(t, CauseBye, ended.Cause)
	assert.True(t, (*made)[0].closed)
}

func TestCall_IncomingRejectedAndCancelled(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	h.deliverRaw(incomingInvite(true))
	h.expectResponse(180)
	s := h.expectEvent("newRTCSession").(NewSessionEvent).Session
	require.NoError(t, s.Terminate(context.Background(), 0))
	h.expectResponse(486)
	assert.Equal(t, CauseRejected, h.sessionEvent("failed").Cause)

	second := strings.ReplaceAll(incomingInvite(true), "z9hG4bKinv1", "z9hG4bKinv2")
	second = strings.ReplaceAll(second, "incoming-call-1", "incoming-call-2")
	h.deliverRaw(second)
	h.expectResponse(180)
	h.expectEvent("newRTCSession")
	cancel := strings.Replace(strings.Replace(strings.Replace(second, "INVITE sip", "CANCEL sip", 1), "10 INVITE", "10 CANCEL", 1), sdp(""), "", 1)
	cancel = strings.Replace(cancel, "Content-Length: "+strconv.Itoa(len(sdp(""))), "Content-Length: 0", 1)
	h.deliverRaw(cancel)
	h.expectResponse(200)
	h.expectResponse(487)
	ev := h.sessionEvent("failed")
	assert.Equal(t, CauseCanceled, ev.Cause)
	assert.Equal(t, "remote", ev.Originator)
}

func TestCall_IncomingNotAnsweredInTime(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	h.deliverRaw(incomingInvite(true))
	h.expectResponse(180)
	h.expectEvent("newRTCSession")
	h.advance(DefaultNoAnswerTimeout)
	h.expectResponse(480)
	assert.Equal(t, CauseNoAnswer, h.sessionEvent("failed").Cause)
}

func TestCall_IncomingRefusedWithoutAListener(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Media = func(media.Options) (media.Session, error) { return &fakeMedia{}, nil }
		c.Wants = func(string) bool { return false }
	})
	h.connect()
	h.deliverRaw(incomingInvite(true))
	h.expectResponse(405)
}

func TestHold_ReInviteSendOnlyAndGlareRetry(t *testing.T) {
	h, made := mediaHarness(t)
	h.connect()
	s, _ := establishOutgoing(t, h)
	done := make(chan error, 1)
	go func() { done <- s.Hold(context.Background()) }()
	re := h.expect(sipmsg.INVITE)
	assert.Contains(t, string(re.Body), "a=sendonly")
	assert.Equal(t, "callee1", re.ToTag())
	// Glare: 491, then a retry after 2.1-4 s (we own the Call-ID).
	h.reply(re, 491)
	h.expect(sipmsg.ACK)
	h.advance(2 * time.Second)
	h.nothingSent()
	h.advance(2 * time.Second)
	re2 := h.expect(sipmsg.INVITE)
	h.reply(re2, 200, func(m *sipmsg.Message) {
		_ = m.Add(sipmsg.HdrContentType, "application/sdp")
		m.Body = []byte(sdp(media.RecvOnly))
	})
	h.expect(sipmsg.ACK)
	require.NoError(t, <-done)
	local, _ := s.IsOnHold()
	assert.True(t, local)
	assert.Equal(t, "local", h.sessionEvent("hold").Originator)
	assert.Equal(t, 1, (*made)[0].rollback, "the glared offer was rolled back")

	// A failed unhold keeps the call on hold.
	go func() { done <- s.Unhold(context.Background()) }()
	un := h.expect(sipmsg.INVITE)
	assert.Contains(t, string(un.Body), "a=sendrecv")
	h.reply(un, 500)
	h.expect(sipmsg.ACK)
	require.Error(t, <-done)
	local, _ = s.IsOnHold()
	assert.True(t, local, "state rolled back")
}

func TestMuteAndDTMF(t *testing.T) {
	h, made := mediaHarness(t)
	h.connect()
	s, _ := establishOutgoing(t, h)
	s.Mute()
	assert.True(t, s.IsMuted())
	h.sessionEvent("muted")
	assert.True(t, (*made)[0].muted)
	h.nothingSent()
	s.Unmute()
	h.sessionEvent("unmuted")

	require.NoError(t, s.SendDTMF(context.Background(), "12#", DTMFOptions{}))
	assert.Equal(t, "12#", (*made)[0].dtmf)
	require.Error(t, s.SendDTMF(context.Background(), "1x", DTMFOptions{}))

	done := make(chan error, 1)
	go func() {
		done <- s.SendDTMF(context.Background(), "7", DTMFOptions{Transport: DTMFInfo, Duration: 120 * time.Millisecond})
	}()
	info := h.expect(sipmsg.INFO)
	assert.Equal(t, "application/dtmf-relay", info.Get(sipmsg.HdrContentType))
	assert.Equal(t, "Signal=7\r\nDuration=120\r\n", string(info.Body))
	h.reply(info, 200)
	require.NoError(t, <-done)
}

func TestStop_EndsCalls(t *testing.T) {
	h, _ := mediaHarness(t)
	h.connect()
	_, _ = establishOutgoing(t, h)
	stopped := make(chan error, 1)
	go func() { stopped <- h.ua.Stop(context.Background()) }()
	bye := h.expect(sipmsg.BYE)
	h.reply(bye, 200)
	require.NoError(t, <-stopped)
	assert.Equal(t, CauseTerminated, h.sessionEvent("ended").Cause)
}

func TestCall_IncomingWithoutSDPGetsOfferIn200AndAnswerInACK(t *testing.T) {
	h, made := mediaHarness(t)
	h.connect()
	h.deliverRaw(incomingInvite(false))
	tag := h.expectResponse(180).ToTag()
	s := h.expectEvent("newRTCSession").(NewSessionEvent).Session
	require.NoError(t, s.Answer(context.Background(), CallOptions{}))
	ok := h.expectResponse(200)
	assert.Contains(t, string(ok.Body), "m=audio", "our offer")
	require.Len(t, (*made), 1)
	assert.Len(t, (*made)[0].offers, 1)
	ack := inDialog("ACK", tag, 10, "z9hG4bKack2", sdp(""))
	h.deliverRaw(ack)
	h.sessionEvent("confirmed")
	assert.Len(t, (*made)[0].answers, 1, "the ACK's SDP is the answer")
}

func TestCall_RecoveryReinviteRetriedUntilThePeerIsBack(t *testing.T) {
	h, made := mediaHarness(t)
	h.connect()
	s, _ := establishOutgoing(t, h)

	// The connection drops and comes back: an ICE-restart re-INVITE. The
	// peer has not re-registered yet (404); the UA tries again later.
	h.tr.disconnect()
	h.expectEvent("disconnected")
	h.connect()
	re := h.expect(sipmsg.INVITE)
	h.reply(re, 404)
	h.expect(sipmsg.ACK) // of the 404, in its transaction
	again := h.advanceUntilSent(3*time.Second, 100*time.Millisecond)
	require.Equal(t, sipmsg.INVITE, again.Method)
	h.answerCall(again)
	h.expect(sipmsg.ACK)
	assert.True(t, s.IsEstablished())
	(*made)[0].mu.Lock()
	restarts := 0
	for _, o := range (*made)[0].offers {
		if o.ICERestart {
			restarts++
		}
	}
	(*made)[0].mu.Unlock()
	assert.Equal(t, 2, restarts, "both re-INVITEs restart ICE")
	h.advance(10 * time.Second)
	h.nothingSent()
}

//go:build !js

package sipserver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// callAndAnswer calls target from caller; callee answers.
func callAndAnswer(t *testing.T, caller, callee *agent, target string) (out, in *sipua.Session) {
	t.Helper()
	out, err := caller.UA.Call(context.Background(), target, sipua.CallOptions{})
	require.NoError(t, err)
	ns := callee.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent)
	in = ns.Session
	require.NoError(t, in.Answer(context.Background(), sipua.CallOptions{}))
	caller.Await(t, "confirmed", 10*time.Second)
	callee.Await(t, "confirmed", 10*time.Second)
	return out, in
}

func TestCall_ByShortNumberMediaHoldAndBye(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 880)

	out, in := callAndAnswer(t, a, b, bob.ShortNumber)
	ringing := awaitEvent(t, e.events.ringing, "CallRinging")
	assert.Equal(t, bob.SIPUsername, ringing.ToExt.SIPUsername)
	assert.Equal(t, alice.SIPUsername, ringing.FromExt.SIPUsername)
	assert.Equal(t, bob.ShortNumber, ringing.To)
	assert.Equal(t, "Alice", in.RemoteIdentity().DisplayName)

	awaitMedia(t, out, "alice hears bob")
	awaitMedia(t, in, "bob hears alice")

	// Hold and unhold: re-INVITEs routed by our Record-Route.
	require.NoError(t, out.Hold(context.Background()))
	assert.Equal(t, "remote", b.Await(t, "hold", 5*time.Second).(sipua.SessionEvent).Originator)
	require.NoError(t, out.Unhold(context.Background()))
	b.Await(t, "unhold", 5*time.Second)
	before, err := out.Stats(context.Background())
	require.NoError(t, err)
	eventually(t, func() bool {
		now, err := out.Stats(context.Background())
		return err == nil && now.PacketsReceived > before.PacketsReceived+25
	}, "audio after unhold")

	// The callee hangs up.
	time.Sleep(1100 * time.Millisecond) // a measurable duration
	require.NoError(t, in.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseBye, a.AwaitEnd(t, 5*time.Second).Cause)
	ended := awaitEvent(t, e.events.ended, "CallEnded")
	assert.Equal(t, OutcomeAnswered, ended.Outcome)
	assert.Equal(t, out.LocalIdentity().URI.User, alice.SIPUsername)
	assert.False(t, ended.Answered.IsZero())
	assert.GreaterOrEqual(t, ended.Ended.Sub(ended.Answered), time.Second)
}

func TestCall_BySIPUsernameCallerHangsUp(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 880)
	out, in := callAndAnswer(t, a, b, bob.SIPUsername)
	awaitMedia(t, in, "bob hears alice")
	require.NoError(t, out.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseBye, b.AwaitEnd(t, 5*time.Second).Cause)
	assert.Equal(t, OutcomeAnswered, awaitEvent(t, e.events.ended, "CallEnded").Outcome)
}

func TestCall_ForksToEveryRegistration(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	b1 := e.phone(t, bob, 880)
	b2 := e.phone(t, bob, 660)
	require.Len(t, e.srv.Registrations(bob.SIPUsername), 2)

	out, err := a.UA.Call(context.Background(), bob.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	in1 := b1.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent).Session
	b2.Await(t, "newRTCSession", 10*time.Second)
	require.NoError(t, in1.Answer(context.Background(), sipua.CallOptions{}))
	a.Await(t, "confirmed", 10*time.Second)
	// The other device stops ringing: it got a CANCEL.
	assert.Equal(t, sipua.CauseCanceled, b2.AwaitEnd(t, 10*time.Second).Cause)
	awaitMedia(t, out, "alice hears the device that answered")
	require.NoError(t, out.Terminate(context.Background(), 0))
	b1.AwaitEnd(t, 5*time.Second)
}

func TestCall_Failures(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 880)

	// Busy: the callee refuses.
	_, err := a.UA.Call(context.Background(), bob.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	in := b.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent).Session
	require.NoError(t, in.Terminate(context.Background(), 486))
	assert.Equal(t, sipua.CauseBusy, a.AwaitEnd(t, 10*time.Second).Cause)
	assert.Equal(t, OutcomeBusy, awaitEvent(t, e.events.ended, "CallEnded").Outcome)

	// Do not disturb.
	e.dir.setDND(bob.SIPUsername, true)
	_, err = a.UA.Call(context.Background(), bob.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	ev := a.AwaitEnd(t, 10*time.Second)
	assert.Equal(t, sipua.CauseBusy, ev.Cause)
	assert.Equal(t, 486, ev.Message.StatusCode)
	e.dir.setDND(bob.SIPUsername, false)

	// Not registered.
	_, err = a.UA.Call(context.Background(), carol.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	ev = a.AwaitEnd(t, 10*time.Second)
	assert.Equal(t, 480, ev.Message.StatusCode)
	assert.Equal(t, sipua.CauseUnavailable, ev.Cause)

	// No such extension.
	_, err = a.UA.Call(context.Background(), "2999", sipua.CallOptions{})
	require.NoError(t, err)
	ev = a.AwaitEnd(t, 10*time.Second)
	assert.Equal(t, 404, ev.Message.StatusCode)

	// Another customer's extension is out of reach.
	_, err = a.UA.Call(context.Background(), dave.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	ev = a.AwaitEnd(t, 10*time.Second)
	assert.Equal(t, 404, ev.Message.StatusCode)

	// The busy test number.
	_, err = a.UA.Call(context.Background(), DefaultBusyNumber, sipua.CallOptions{})
	require.NoError(t, err)
	ev = a.AwaitEnd(t, 10*time.Second)
	assert.Equal(t, 486, ev.Message.StatusCode)

	// The no-answer test number rings until the caller cancels.
	out, err := a.UA.Call(context.Background(), DefaultNoAnswerNumber, sipua.CallOptions{})
	require.NoError(t, err)
	a.Await(t, "progress", 10*time.Second)
	require.NoError(t, out.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseCanceled, a.AwaitEnd(t, 10*time.Second).Cause)

	// A caller who cancels while the callee rings.
	out, err = a.UA.Call(context.Background(), bob.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	b.Await(t, "newRTCSession", 10*time.Second)
	a.Await(t, "progress", 10*time.Second)
	require.NoError(t, out.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseCanceled, a.AwaitEnd(t, 10*time.Second).Cause)
	assert.Equal(t, sipua.CauseCanceled, b.AwaitEnd(t, 10*time.Second).Cause)
}

func TestCall_EchoTest(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	out, err := a.UA.Call(context.Background(), DefaultEchoNumber, sipua.CallOptions{})
	require.NoError(t, err)
	a.Await(t, "confirmed", 10*time.Second)
	st := awaitMedia(t, out, "alice hears herself")
	assert.Greater(t, st.PacketsReceived, uint64(0))
	require.NoError(t, out.Terminate(context.Background(), 0))
	a.AwaitEnd(t, 5*time.Second)
	ended := awaitEvent(t, e.events.ended, "CallEnded")
	assert.Equal(t, OutcomeAnswered, ended.Outcome)
	assert.Nil(t, ended.ToExt)
	assert.Equal(t, DefaultEchoNumber, ended.To)
}

func TestCall_EchoEndsAfterMaxDuration(t *testing.T) {
	e := startServer(t, func(c *Config) { c.EchoMaxDuration = 1500 * time.Millisecond })
	a := e.phone(t, alice, 440)
	_, err := a.UA.Call(context.Background(), DefaultEchoNumber, sipua.CallOptions{})
	require.NoError(t, err)
	a.Await(t, "confirmed", 10*time.Second)
	ev := a.AwaitEnd(t, 10*time.Second)
	assert.Equal(t, "remote", ev.Originator)
	assert.Equal(t, sipua.CauseBye, ev.Cause)
}

func TestBLF_RingingBusyAvailable(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 880)
	c := e.phone(t, carol, 0)
	require.NoError(t, c.UA.SubscribeToUser(context.Background(), bob.ShortNumber))
	awaitState(t, c, dialoginfo.Available)

	out, err := a.UA.Call(context.Background(), bob.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	in := b.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent).Session
	awaitState(t, c, dialoginfo.Ringing)
	require.NoError(t, in.Answer(context.Background(), sipua.CallOptions{}))
	awaitState(t, c, dialoginfo.Busy)
	a.Await(t, "confirmed", 10*time.Second)
	require.NoError(t, out.Terminate(context.Background(), 0))
	awaitState(t, c, dialoginfo.Available)

	require.NoError(t, c.UA.UnsubscribeUser(context.Background(), bob.ShortNumber))
	eventually(t, func() bool {
		e.srv.mu.Lock()
		defer e.srv.mu.Unlock()
		return len(e.srv.subsByUser) == 0
	}, "subscription removed")
}

func awaitState(t *testing.T, a *agent, want dialoginfo.ExtensionState) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-a.Events:
			if s, ok := ev.(sipua.UserStateChangedEvent); ok && s.State == want {
				return
			}
		case <-deadline:
			t.Fatalf("no %s state within 10 s", want)
		}
	}
}

func TestMessage_Delivered(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 0)
	b := e.phone(t, bob, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, a.UA.SendMessage(ctx, bob.ShortNumber, []byte("hello bob"), "text/plain"))
	ev := b.Await(t, "newMessage", 5*time.Second).(sipua.NewMessageEvent)
	assert.Equal(t, "hello bob", string(ev.Body))
	assert.Equal(t, alice.SIPUsername, ev.From.URI.User)

	err := a.UA.SendMessage(ctx, carol.ShortNumber, []byte("nobody home"), "text/plain")
	var fe *sipua.FailedError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 480, fe.Code)
}

// TestCall_InDialogRequestsBothWays sends INFO both ways and a blind
// transfer (REFER, its NOTIFYs, the new call) through the proxy.
func TestCall_InDialogRequestsBothWays(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 660)
	c := e.phone(t, carol, 880)
	out, in := callAndAnswer(t, a, b, bob.ShortNumber)

	require.NoError(t, out.SendDTMF(context.Background(), "5", sipua.DTMFOptions{Transport: sipua.DTMFInfo}))
	assert.Equal(t, '5', b.Await(t, "newDTMF", 5*time.Second).(sipua.SessionEvent).Tone)
	require.NoError(t, in.SendDTMF(context.Background(), "9", sipua.DTMFOptions{Transport: sipua.DTMFInfo}))
	assert.Equal(t, '9', a.Await(t, "newDTMF", 5*time.Second).(sipua.SessionEvent).Tone)

	// Bob transfers Alice to Carol.
	referred := make(chan error, 1)
	go func() { referred <- in.Refer(context.Background(), carol.ShortNumber, sipua.ReferOptions{}) }()
	ref := a.Await(t, "refer", 10*time.Second).(sipua.SessionEvent)
	toCarol, err := ref.Refer.Accept(context.Background(), sipua.CallOptions{})
	require.NoError(t, err)
	require.NoError(t, <-referred)
	ns := c.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent)
	assert.Equal(t, alice.SIPUsername, ns.Session.RemoteIdentity().URI.User)
	require.NoError(t, ns.Session.Answer(context.Background(), sipua.CallOptions{}))
	assert.Equal(t, 200, b.Await(t, "referAccepted", 10*time.Second).(sipua.SessionEvent).StatusCode)
	require.NoError(t, in.Terminate(context.Background(), 0))
	awaitMedia(t, toCarol, "alice hears carol")
	require.NoError(t, toCarol.Terminate(context.Background(), 0))
	c.AwaitEnd(t, 5*time.Second)
}

// TestCall_VanishedCallerIsHungUp: a caller whose WebSocket closes during
// a call and does not come back is hung up for after the grace period.
func TestCall_VanishedCallerIsHungUp(t *testing.T) {
	e := startServer(t)
	e.srv.mu.Lock()
	e.srv.reconnectGrace = 300 * time.Millisecond
	e.srv.mu.Unlock()
	b := e.phone(t, bob, 880)
	r := e.dialRaw(t)

	n, err := media.NewNative(media.Options{}, media.AudioOptions{LoopbackOnly: true})
	require.NoError(t, err)
	defer n.Close()
	offer, err := n.CreateOffer(context.Background(), media.OfferOptions{})
	require.NoError(t, err)
	inv := r.sendAuthed(t, "INVITE", "sip:2002@"+DefaultRealm, alice, "", offer)
	in := b.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent).Session
	require.NoError(t, in.Answer(context.Background(), sipua.CallOptions{}))
	var ok *sipmsg.Message
	for ok == nil {
		m := r.next(t)
		if m.StatusCode == 200 {
			ok = m
		}
	}
	contacts, err := ok.Contacts()
	require.NoError(t, err)
	ack := "ACK " + contacts[0].URI.String() + " SIP/2.0\r\n" +
		"Via: SIP/2.0/WS raw.invalid;branch=" + sipmsg.NewBranch() + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"Route: " + ok.Get("Record-Route") + "\r\n" +
		"From: " + inv.Get("From") + "\r\n" +
		"To: " + ok.Get("To") + "\r\n" +
		"Call-ID: " + inv.CallID() + "\r\n" +
		"CSeq: 2 ACK\r\nContent-Length: 0\r\n\r\n"
	r.send(t, ack)
	b.Await(t, "confirmed", 10*time.Second)

	require.NoError(t, r.c.CloseNow())
	ev := b.AwaitEnd(t, 10*time.Second)
	assert.Equal(t, sipua.CauseBye, ev.Cause)
	assert.Equal(t, "remote", ev.Originator)
	assert.Equal(t, OutcomeAnswered, awaitEvent(t, e.events.ended, "CallEnded").Outcome)
}

// TestCall_SurvivesAReconnect: the callee's WebSocket drops; its UA
// reconnects, registers again and restarts ICE through the new flow, and
// the call goes on past the grace period.
func TestCall_SurvivesAReconnect(t *testing.T) {
	e := startServer(t)
	e.srv.mu.Lock()
	e.srv.reconnectGrace = 1500 * time.Millisecond
	e.srv.mu.Unlock()
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 880)
	out, in := callAndAnswer(t, a, b, bob.ShortNumber)
	awaitMedia(t, out, "before the drop")

	e.srv.mu.Lock()
	old := e.srv.bindings[bob.SIPUsername][0].conn
	e.srv.mu.Unlock()
	old.cancel()
	b.Await(t, "registered", 10*time.Second)
	time.Sleep(2 * time.Second) // past the grace period
	assert.True(t, out.IsEstablished())
	assert.True(t, in.IsEstablished())
	before, err := out.Stats(context.Background())
	require.NoError(t, err)
	eventually(t, func() bool {
		now, err := out.Stats(context.Background())
		return err == nil && now.PacketsReceived > before.PacketsReceived+25
	}, "audio after the reconnect")
	require.NoError(t, out.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseBye, b.AwaitEnd(t, 5*time.Second).Cause)
}

func TestMessage_ForkedToEveryDevice(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 0)
	b1 := e.phone(t, bob, 0)
	b2 := e.phone(t, bob, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, a.UA.SendMessage(ctx, bob.SIPUsername, []byte("to all of bob"), "text/plain"))
	for _, b := range []*agent{b1, b2} {
		assert.Equal(t, "to all of bob", string(b.Await(t, "newMessage", 5*time.Second).(sipua.NewMessageEvent).Body))
	}
}

// noCallEnded fails when a CallEnded event is waiting.
func noCallEnded(t *testing.T, e *env, when string) {
	t.Helper()
	select {
	case ci := <-e.events.ended:
		t.Fatalf("%s: the call ended (%s)", when, ci.Outcome)
	default:
	}
}

// TestCall_RingingDeviceGoneOthersStillRing: one of the called
// extension's devices disconnects while ringing; the call goes on on the
// others, and its history is that of the answered call.
func TestCall_RingingDeviceGoneOthersStillRing(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	r := e.dialRaw(t)
	r.registerRaw(t, bob)
	b := e.phone(t, bob, 880)

	out, err := a.UA.Call(context.Background(), bob.ShortNumber, sipua.CallOptions{})
	require.NoError(t, err)
	for m := r.nextNot100(t); m.Method != sipmsg.INVITE; m = r.nextNot100(t) {
	}
	in := b.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent).Session
	require.NoError(t, r.c.CloseNow())
	eventually(t, func() bool { return len(e.srv.Registrations(bob.SIPUsername)) == 1 }, "the raw binding to go")
	time.Sleep(100 * time.Millisecond)
	noCallEnded(t, e, "a ringing device left")

	require.NoError(t, in.Answer(context.Background(), sipua.CallOptions{}))
	a.Await(t, "confirmed", 10*time.Second)
	require.NoError(t, out.Terminate(context.Background(), 0))
	b.AwaitEnd(t, 5*time.Second)
	ended := awaitEvent(t, e.events.ended, "CallEnded")
	assert.Equal(t, OutcomeAnswered, ended.Outcome)
	assert.False(t, ended.Answered.IsZero())
}

// TestCall_EchoSurvivesAReconnect: the echo caller's WebSocket drops and
// its UA comes back within the grace period; the call goes on.
func TestCall_EchoSurvivesAReconnect(t *testing.T) {
	e := startServer(t)
	e.srv.mu.Lock()
	e.srv.reconnectGrace = 1500 * time.Millisecond
	e.srv.mu.Unlock()
	a := e.phone(t, alice, 440)
	out, err := a.UA.Call(context.Background(), DefaultEchoNumber, sipua.CallOptions{})
	require.NoError(t, err)
	a.Await(t, "confirmed", 10*time.Second)
	awaitMedia(t, out, "before the drop")

	e.srv.mu.Lock()
	old := e.srv.bindings[alice.SIPUsername][0].conn
	e.srv.mu.Unlock()
	old.cancel()
	a.Await(t, "registered", 10*time.Second)
	time.Sleep(2 * time.Second) // past the grace period
	assert.True(t, out.IsEstablished())
	noCallEnded(t, e, "after the reconnect")

	require.NoError(t, out.Terminate(context.Background(), 0))
	a.AwaitEnd(t, 5*time.Second)
	assert.Equal(t, OutcomeAnswered, awaitEvent(t, e.events.ended, "CallEnded").Outcome)
}

// TestClose_EndsAnsweredCalls: closing the server during an answered
// call still writes the call to the history.
func TestClose_EndsAnsweredCalls(t *testing.T) {
	e := startServerNoCleanup(t)
	defer e.hs.Close()
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 880)
	callAndAnswer(t, a, b, bob.ShortNumber)

	require.NoError(t, e.srv.Close())
	select {
	case ended := <-e.events.ended:
		assert.Equal(t, OutcomeAnswered, ended.Outcome)
		assert.False(t, ended.Answered.IsZero())
		assert.False(t, ended.Ended.IsZero())
	default:
		t.Fatal("the call did not end with the server")
	}
}

// blockingMedia is echo media whose answer and closing wait for the test.
type blockingMedia struct {
	answer  chan struct{} // closed to let CreateAnswer return
	closing chan struct{} // receives when Close starts
	release chan struct{} // closed to let Close return
}

func (m *blockingMedia) CreateAnswer(context.Context, string, media.Direction) (string, error) {
	<-m.answer
	return "v=0\r\n", nil
}

func (m *blockingMedia) Close() error {
	m.closing <- struct{}{}
	<-m.release
	return nil
}

// TestEcho_MediaClosedOutsideTheLock: the echo caller leaves while its
// media is being set up; closing that media (which takes pion a while)
// does not hold up the rest of the server.
func TestEcho_MediaClosedOutsideTheLock(t *testing.T) {
	m := &blockingMedia{answer: make(chan struct{}), closing: make(chan struct{}, 1), release: make(chan struct{})}
	e := startServer(t, func(c *Config) { c.newMedia = func() (echoMedia, error) { return m, nil } })
	r := e.dialRaw(t)
	r.sendAuthed(t, "INVITE", "sip:"+DefaultEchoNumber+"@"+DefaultRealm, alice, "", "v=0\r\n")
	count := func(f func() int) func() int {
		return func() int { e.srv.mu.Lock(); defer e.srv.mu.Unlock(); return f() }
	}
	calls := count(func() int { return len(e.srv.calls) })
	conns := count(func() int { return len(e.srv.conns) })
	eventually(t, func() bool { return calls() == 1 }, "the echo call")
	require.NoError(t, r.c.CloseNow())
	eventually(t, func() bool { return conns() == 0 }, "the connection to go")
	close(m.answer)
	select {
	case <-m.closing:
	case <-time.After(5 * time.Second):
		t.Fatal("the media was not closed")
	}
	free := false
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if e.srv.mu.TryLock() {
			e.srv.mu.Unlock()
			free = true
			break
		}
	}
	close(m.release)
	assert.True(t, free, "the server's lock is held while the media closes")
	assert.Equal(t, OutcomeCancelled, awaitEvent(t, e.events.ended, "CallEnded").Outcome)
}

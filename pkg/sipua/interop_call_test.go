//go:build !(js && wasm)

package sipua_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/kamailio"
	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"

	"github.com/wasmphone/wasmphone/internal/uatest"
)

// startPhone starts a registered agent with real native media: pion,
// a generated tone of the given frequency, loopback ICE only.
func startPhone(t testing.TB, srv *kamailio.Server, user string, tone float64) *agent {
	t.Helper()
	a := startUA(t, srv, user, func(c *sipua.Config) {
		c.Password = users[user]
		c.Register = true
		c.Media = media.Factory(media.AudioOptions{LoopbackOnly: true, ToneFrequency: tone})
	})
	a.Await(t, "registered", 10*time.Second)
	return a
}

// awaitMedia waits until audio flows in on the call.
func awaitMedia(t *testing.T, s *sipua.Session, what string) media.Stats {
	t.Helper()
	return uatest.AwaitMedia(t, s, what, 50)
}

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

func TestInteropCall_AudioBothWaysDTMFHoldAndBye(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startPhone(t, srv, "alice", 440)
	bob := startPhone(t, srv, "bob", 880)
	out, in := callAndAnswer(t, alice, bob, "bob")

	awaitMedia(t, out, "alice hears bob")
	awaitMedia(t, in, "bob hears alice")

	// DTMF as RFC 4733 events.
	require.NoError(t, out.SendDTMF(context.Background(), "12#", sipua.DTMFOptions{Duration: 100 * time.Millisecond, InterToneGap: 70 * time.Millisecond}))
	var got []rune
	for len(got) < 3 {
		ev := bob.Await(t, "newDTMF", 5*time.Second).(sipua.SessionEvent)
		got = append(got, ev.Tone)
	}
	assert.Equal(t, []rune("12#"), got)
	// DTMF by SIP INFO.
	require.NoError(t, in.SendDTMF(context.Background(), "9", sipua.DTMFOptions{Transport: sipua.DTMFInfo}))
	assert.Equal(t, '9', alice.Await(t, "newDTMF", 5*time.Second).(sipua.SessionEvent).Tone)

	// Hold: bob stops sending to alice; unhold brings the audio back.
	require.NoError(t, out.Hold(context.Background()))
	assert.Equal(t, "remote", bob.Await(t, "hold", 5*time.Second).(sipua.SessionEvent).Originator)
	time.Sleep(300 * time.Millisecond)
	before, err := out.Stats(context.Background())
	require.NoError(t, err)
	time.Sleep(500 * time.Millisecond)
	after, err := out.Stats(context.Background())
	require.NoError(t, err)
	assert.LessOrEqual(t, after.PacketsReceived-before.PacketsReceived, uint64(3), "no audio to a holding party")
	require.NoError(t, out.Unhold(context.Background()))
	bob.Await(t, "unhold", 5*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		now, err := out.Stats(context.Background())
		require.NoError(t, err)
		if now.PacketsReceived > after.PacketsReceived+25 {
			break
		}
		require.True(t, time.Now().Before(deadline), "audio did not come back after unhold")
		time.Sleep(50 * time.Millisecond)
	}

	require.NoError(t, in.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseBye, alice.Await(t, "ended", 5*time.Second).(sipua.SessionEvent).Cause)
	bob.Await(t, "ended", 5*time.Second)
}

func TestInteropCall_BusyCancelAndBLF(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startPhone(t, srv, "alice", 440)
	bob := startPhone(t, srv, "bob", 880)
	carol := startAgent(t, srv, "carol", "carol-pw", true)
	carol.Await(t, "registered", 10*time.Second)
	require.NoError(t, carol.UA.SubscribeToUser(context.Background(), "bob"))
	assert.Equal(t, dialoginfo.Available, carol.Await(t, "userStateChanged", 10*time.Second).(sipua.UserStateChangedEvent).State)

	// Busy.
	_, err := alice.UA.Call(context.Background(), "bob", sipua.CallOptions{})
	require.NoError(t, err)
	in := bob.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent).Session
	assert.Equal(t, dialoginfo.Ringing, carol.Await(t, "userStateChanged", 10*time.Second).(sipua.UserStateChangedEvent).State)
	require.NoError(t, in.Terminate(context.Background(), 486))
	assert.Equal(t, sipua.CauseBusy, alice.Await(t, "failed", 10*time.Second).(sipua.SessionEvent).Cause)
	assert.Equal(t, dialoginfo.Available, carol.Await(t, "userStateChanged", 10*time.Second).(sipua.UserStateChangedEvent).State)

	// Cancelled while ringing.
	out, err := alice.UA.Call(context.Background(), "bob", sipua.CallOptions{})
	require.NoError(t, err)
	bob.Await(t, "newRTCSession", 10*time.Second)
	alice.Await(t, "progress", 10*time.Second)
	require.NoError(t, out.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseCanceled, alice.Await(t, "failed", 10*time.Second).(sipua.SessionEvent).Cause)
	assert.Equal(t, sipua.CauseCanceled, bob.Await(t, "failed", 10*time.Second).(sipua.SessionEvent).Cause)

	// Answered: BUSY, then AVAILABLE after the hang-up.
	drain(carol)
	o2, _ := callAndAnswer(t, alice, bob, "bob")
	awaitState(t, carol, dialoginfo.Busy)
	require.NoError(t, o2.Terminate(context.Background(), 0))
	bob.Await(t, "ended", 5*time.Second)
	awaitState(t, carol, dialoginfo.Available)
}

func drain(a *agent) {
	for {
		select {
		case <-a.Events:
		default:
			return
		}
	}
}

func awaitState(t *testing.T, a *agent, want dialoginfo.ExtensionState) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-a.Events:
			if ev, ok := e.(sipua.UserStateChangedEvent); ok && ev.State == want {
				return
			}
		case <-deadline:
			t.Fatalf("no %s state within 10 s", want)
		}
	}
}

func TestInteropCall_SurvivesServerRestart(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startPhone(t, srv, "alice", 440)
	bob := startPhone(t, srv, "bob", 880)
	out, in := callAndAnswer(t, alice, bob, "bob")
	awaitMedia(t, out, "before the restart")
	srv.Restart()
	alice.Await(t, "registered", 10*time.Second)
	bob.Await(t, "registered", 10*time.Second)
	// The ICE restart re-INVITE went through; the call is up and audio
	// flows.
	time.Sleep(time.Second)
	assert.True(t, out.IsEstablished())
	assert.True(t, in.IsEstablished())
	before, err := in.Stats(context.Background())
	require.NoError(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for {
		now, err := in.Stats(context.Background())
		require.NoError(t, err)
		if now.PacketsReceived > before.PacketsReceived+50 {
			break
		}
		require.True(t, time.Now().Before(deadline), "no audio after the restart")
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, out.Terminate(context.Background(), 0))
	bob.Await(t, "ended", 10*time.Second)
}

// BenchmarkInteropCall_Setup measures INVITE sent -> confirmed through
// Kamailio with real native media on both ends.
func BenchmarkInteropCall_Setup(b *testing.B) {
	srv := kamailio.Start(b, kamailio.Options{Users: users})
	alice := startPhone(b, srv, "alice", 440)
	bob := startPhone(b, srv, "bob", 880)
	go func() {
		for e := range bob.Events {
			if ns, ok := e.(sipua.NewSessionEvent); ok {
				go func() { _ = ns.Session.Answer(context.Background(), sipua.CallOptions{}) }()
			}
		}
	}()
	var setups []time.Duration
	for b.Loop() {
		start := time.Now()
		out, err := alice.UA.Call(context.Background(), "bob", sipua.CallOptions{})
		require.NoError(b, err)
		alice.Await(b, "confirmed", 10*time.Second)
		setups = append(setups, time.Since(start))
		b.StopTimer()
		require.NoError(b, out.Terminate(context.Background(), 0))
		alice.Await(b, "ended", 10*time.Second)
		b.StartTimer()
	}
	slices.Sort(setups)
	b.ReportMetric(float64(setups[len(setups)/2].Microseconds())/1000, "median-ms")
}

func TestInteropCall_GlareAndNoAnswer(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startPhone(t, srv, "alice", 440)
	bob := startPhone(t, srv, "bob", 880)
	out, in := callAndAnswer(t, alice, bob, "bob")

	// Both hold at once: the re-INVITEs cross, 491s, and both retry.
	errs := make(chan error, 2)
	go func() { errs <- out.Hold(context.Background()) }()
	go func() { errs <- in.Hold(context.Background()) }()
	for range 2 {
		select {
		case err := <-errs:
			require.NoError(t, err)
		case <-time.After(20 * time.Second):
			t.Fatal("crossed re-INVITEs did not resolve")
		}
	}
	l1, r1 := out.IsOnHold()
	l2, r2 := in.IsOnHold()
	assert.True(t, l1 && l2, "both sides hold")
	assert.True(t, r1 || r2, "at least the later re-INVITE saw the other's hold")
	require.NoError(t, out.Terminate(context.Background(), 0))
	bob.Await(t, "ended", 10*time.Second)

	// Nobody answers.
	_, err := alice.UA.Call(context.Background(), "bob", sipua.CallOptions{NoAnswerTimeout: time.Second})
	require.NoError(t, err)
	bob.Await(t, "newRTCSession", 10*time.Second)
	assert.Equal(t, sipua.CauseNoAnswer, alice.Await(t, "failed", 10*time.Second).(sipua.SessionEvent).Cause)
	assert.Equal(t, sipua.CauseCanceled, bob.Await(t, "failed", 10*time.Second).(sipua.SessionEvent).Cause)
}

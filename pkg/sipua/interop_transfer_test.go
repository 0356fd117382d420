//go:build !(js && wasm)

package sipua_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/kamailio"
	"github.com/wasmphone/wasmphone/pkg/sipua"
)

func TestInteropTransfer_Blind(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startPhone(t, srv, "alice", 440)
	bob := startPhone(t, srv, "bob", 660)
	carol := startPhone(t, srv, "carol", 880)
	_, bobCall := callAndAnswer(t, alice, bob, "bob")

	// Bob transfers Alice to Carol.
	referred := make(chan error, 1)
	go func() { referred <- bobCall.Refer(context.Background(), "carol", sipua.ReferOptions{}) }()
	ref := alice.Await(t, "refer", 10*time.Second).(sipua.SessionEvent)
	toCarol, err := ref.Refer.Accept(context.Background(), sipua.CallOptions{})
	require.NoError(t, err)
	require.NoError(t, <-referred)
	ns := carol.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent)
	assert.Equal(t, "alice", ns.Session.RemoteIdentity().URI.User)
	require.NoError(t, ns.Session.Answer(context.Background(), sipua.CallOptions{}))
	assert.Equal(t, 200, bob.Await(t, "referAccepted", 10*time.Second).(sipua.SessionEvent).StatusCode)
	require.NoError(t, bobCall.Terminate(context.Background(), 0))
	bob.Await(t, "ended", 10*time.Second)

	awaitMedia(t, toCarol, "alice hears carol")
	awaitMedia(t, ns.Session, "carol hears alice")
	require.NoError(t, toCarol.Terminate(context.Background(), 0))
	carol.Await(t, "ended", 10*time.Second)
}

func TestInteropTransfer_AttendedWithReplaces(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startPhone(t, srv, "alice", 440)
	bob := startPhone(t, srv, "bob", 660)
	carol := startPhone(t, srv, "carol", 880)
	_, bobToAlice := callAndAnswer(t, alice, bob, "bob")
	bobToCarol, carolFromBob := callAndAnswer(t, bob, carol, "carol")

	referred := make(chan error, 1)
	go func() {
		referred <- bobToAlice.Refer(context.Background(), "", sipua.ReferOptions{Replaces: bobToCarol})
	}()
	ref := alice.Await(t, "refer", 10*time.Second).(sipua.SessionEvent)
	require.NotNil(t, ref.Refer.Replaces)
	aliceToCarol, err := ref.Refer.Accept(context.Background(), sipua.CallOptions{})
	require.NoError(t, err)
	require.NoError(t, <-referred)

	ns := carol.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent)
	assert.Same(t, carolFromBob, ns.Replaces, "the new call replaces the consultation call")
	require.NoError(t, ns.Session.Answer(context.Background(), sipua.CallOptions{}))
	// Carol's call with Bob is over; Alice and Carol talk.
	bob.Await(t, "referAccepted", 10*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for !bobToCarol.IsEnded() {
		require.True(t, time.Now().Before(deadline), "the replaced call did not end")
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, bobToAlice.Terminate(context.Background(), 0))
	awaitMedia(t, aliceToCarol, "alice hears carol")
	awaitMedia(t, ns.Session, "carol hears alice")
}

// BenchmarkInteropCall_IdleMemory reports the heap one established call
// (SIP state and native pion media) holds on the calling side.
func BenchmarkInteropCall_IdleMemory(b *testing.B) {
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
	const calls = 10
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var sessions []*sipua.Session
		for range calls {
			s, err := alice.UA.Call(context.Background(), "bob", sipua.CallOptions{})
			require.NoError(b, err)
			alice.Await(b, "confirmed", 10*time.Second)
			sessions = append(sessions, s)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		// Both ends live in this process: half the growth is one side.
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/calls/2, "heapB/call")
		for _, s := range sessions {
			_ = s.Terminate(context.Background(), 0)
			alice.Await(b, "ended", 10*time.Second)
		}
		b.StartTimer()
	}
}

//go:build !(js && wasm)

package sipua_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/kamailio"
	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"

	"github.com/wasmphone/wasmphone/internal/uatest"
)

// agent is a UA under test with its events on a channel.
type agent = uatest.Agent

func startAgent(t testing.TB, srv *kamailio.Server, user, password string, register bool) *agent {
	t.Helper()
	return startUA(t, srv, user, func(c *sipua.Config) { c.Password = password; c.Register = register })
}

// startUA starts a UA of user on srv; mutate adjusts its configuration.
func startUA(t testing.TB, srv *kamailio.Server, user string, mutate func(*sipua.Config)) *agent {
	t.Helper()
	cfg := sipua.Config{
		Servers: []transport.Server{{URL: srv.WSURL}},
		URI:     "sip:" + user + "@" + srv.Domain,
		// Quick reconnects keep the restart tests short.
		TransportConfig: transport.Config{MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second},
	}
	mutate(&cfg)
	return uatest.Start(t, cfg)
}

var users = map[string]string{"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"}

func TestInterop_RegisterWithDigestAndStopUnregisters(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startAgent(t, srv, "alice", "alice-pw", true)
	ev := alice.Await(t, "registered", 10*time.Second).(sipua.RegisteredEvent)
	assert.Greater(t, ev.Expires, 0)
	assert.True(t, alice.UA.IsRegistered())
	n, err := srv.Registrations("alice")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, alice.UA.Stop(ctx))
	n, err = srv.Registrations("alice")
	require.NoError(t, err)
	assert.Equal(t, 0, n, "the location table is empty after stop")
}

func TestInterop_WrongPasswordFailsCleanly(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startAgent(t, srv, "alice", "wrong", true)
	ev := alice.Await(t, "registrationFailed", 10*time.Second).(sipua.RegistrationFailedEvent)
	assert.Equal(t, sipua.CauseAuthenticationError, ev.Cause)
	select {
	case e := <-alice.Events:
		if e.Name() == "registered" || e.Name() == "registrationFailed" {
			t.Fatalf("unexpected %s after a wrong password", e.Name())
		}
	case <-time.After(500 * time.Millisecond):
	}
	n, err := srv.Registrations("alice")
	require.NoError(t, err)
	assert.Equal(t, 0, n)
}

func TestInterop_MessageBetweenTwoAgents(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startAgent(t, srv, "alice", "alice-pw", true)
	bob := startAgent(t, srv, "bob", "bob-pw", true)
	alice.Await(t, "registered", 10*time.Second)
	bob.Await(t, "registered", 10*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, alice.UA.SendMessage(ctx, "bob", []byte("hello bob"), "text/plain"))
	ev := bob.Await(t, "newMessage", 5*time.Second).(sipua.NewMessageEvent)
	assert.Equal(t, "remote", ev.Originator)
	assert.Equal(t, "hello bob", string(ev.Body))
	assert.Equal(t, "alice", ev.From.URI.User)

	err := alice.UA.SendMessage(ctx, "carol", []byte("nobody home"), "")
	var fe *sipua.FailedError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 404, fe.Code)
	assert.Equal(t, sipua.CauseNotFound, fe.Cause)
}

func TestInterop_PresenceSubscriptionGetsNotifies(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startAgent(t, srv, "alice", "alice-pw", true)
	alice.Await(t, "registered", 10*time.Second)
	require.NoError(t, alice.UA.SubscribeToUser(context.Background(), "bob"))
	ev := alice.Await(t, "userStateChanged", 10*time.Second).(sipua.UserStateChangedEvent)
	assert.Equal(t, "bob", ev.User)
	assert.Equal(t, dialoginfo.Available, ev.State)
	require.NoError(t, alice.UA.UnsubscribeUser(context.Background(), "bob"))
}

func TestInterop_ReconnectsAndRegistersAfterServerRestart(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: users})
	alice := startAgent(t, srv, "alice", "alice-pw", true)
	alice.Await(t, "registered", 10*time.Second)
	srv.Restart()
	alice.Await(t, "disconnected", 10*time.Second)
	// MaxBackoff is 1 s: reconnected and registered well within 5 s.
	alice.Await(t, "registered", 5*time.Second)
	n, err := srv.Registrations("alice")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// BenchmarkInterop_500Subscriptions measures watching 500 extensions
// through Kamailio: time until every subscription has reported its first
// state, and the heap the UA holds for them.
func BenchmarkInterop_500Subscriptions(b *testing.B) {
	srv := kamailio.Start(b, kamailio.Options{Users: users})
	for b.Loop() {
		b.StopTimer()
		alice := startAgent(b, srv, "alice", "alice-pw", false)
		alice.Await(b, "connected", 10*time.Second)
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for i := range 500 {
			require.NoError(b, alice.UA.SubscribeToUser(context.Background(), "ext"+strconv.Itoa(1000+i)))
		}
		seen := map[string]bool{}
		for len(seen) < 500 {
			ev := alice.Await(b, "userStateChanged", 60*time.Second).(sipua.UserStateChangedEvent)
			seen[ev.User] = true
		}
		b.StopTimer()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/500, "heapB/subscription")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		require.NoError(b, alice.UA.Stop(ctx))
		cancel()
		b.StartTimer()
	}
}

//go:build !js

package sipserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua"
)

// answerOriginated waits for the offerless INVITE Originate sends to a
// and answers it.
func answerOriginated(t *testing.T, a *agent, shown string) *sipua.Session {
	t.Helper()
	ns := a.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent)
	assert.Empty(t, ns.Request.Body, "the first leg's INVITE has no SDP")
	assert.Equal(t, shown, ns.Session.RemoteIdentity().DisplayName)
	require.NoError(t, ns.Session.Answer(context.Background(), sipua.CallOptions{}))
	return ns.Session
}

func TestOriginate_ConnectsToAnExtension(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	b := e.phone(t, bob, 880)
	type result struct {
		id  string
		err error
	}
	done := make(chan result, 1)
	go func() {
		id, err := e.srv.Originate(context.Background(), alice, bob.ShortNumber)
		done <- result{id, err}
	}()
	sa := answerOriginated(t, a, bob.ShortNumber)
	r := <-done
	require.NoError(t, r.err)
	assert.NotEmpty(t, r.id)

	nb := b.Await(t, "newRTCSession", 10*time.Second).(sipua.NewSessionEvent)
	assert.Equal(t, alice.SIPUsername, nb.Session.RemoteIdentity().URI.User)
	require.NoError(t, nb.Session.Answer(context.Background(), sipua.CallOptions{}))
	a.Await(t, "confirmed", 10*time.Second)
	awaitMedia(t, sa, "alice hears bob")
	awaitMedia(t, nb.Session, "bob hears alice")

	// A hold from bob is relayed to alice.
	require.NoError(t, nb.Session.Hold(context.Background()))
	a.Await(t, "hold", 5*time.Second)

	require.NoError(t, sa.Terminate(context.Background(), 0))
	assert.Equal(t, sipua.CauseBye, b.AwaitEnd(t, 5*time.Second).Cause)
	ended := awaitEvent(t, e.events.ended, "CallEnded")
	assert.Equal(t, r.id, ended.CallID)
	assert.Equal(t, OutcomeAnswered, ended.Outcome)
}

func TestOriginate_ConnectsToTheEchoTest(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	done := make(chan error, 1)
	go func() {
		_, err := e.srv.Originate(context.Background(), alice, DefaultEchoNumber)
		done <- err
	}()
	sa := answerOriginated(t, a, DefaultEchoNumber)
	require.NoError(t, <-done)
	a.Await(t, "confirmed", 10*time.Second)
	awaitMedia(t, sa, "alice hears herself")
	require.NoError(t, sa.Terminate(context.Background(), 0))
	assert.Equal(t, OutcomeAnswered, awaitEvent(t, e.events.ended, "CallEnded").Outcome)
}

func TestOriginate_Failures(t *testing.T) {
	e := startServer(t, func(c *Config) { c.OriginateTimeout = 500 * time.Millisecond })
	_, err := e.srv.Originate(context.Background(), alice, bob.ShortNumber)
	assert.True(t, errors.Is(err, ErrNotRegistered), "%v", err)

	a := e.phone(t, alice, 440)
	_, err = e.srv.Originate(context.Background(), alice, "2999")
	assert.True(t, errors.Is(err, ErrUnknownTarget), "%v", err)

	// Nobody answers: the ringing stops.
	_, err = e.srv.Originate(context.Background(), alice, bob.ShortNumber)
	assert.True(t, errors.Is(err, ErrNoAnswer), "%v", err)
	a.Await(t, "newRTCSession", 5*time.Second)
	assert.Equal(t, sipua.CauseCanceled, a.AwaitEnd(t, 5*time.Second).Cause)

	// The called extension has no registration: the first leg is hung up.
	done := make(chan error, 1)
	go func() {
		_, err := e.srv.Originate(context.Background(), alice, carol.ShortNumber)
		done <- err
	}()
	answerOriginated(t, a, carol.ShortNumber)
	require.NoError(t, <-done)
	a.AwaitEnd(t, 10*time.Second)
}

// TestOriginate_SecondLegFailureIsRecordedWithItsOutcome: when the called
// extension cannot be reached, the history gets the failure's outcome, not
// "answered".
func TestOriginate_SecondLegFailureIsRecordedWithItsOutcome(t *testing.T) {
	e := startServer(t)
	a := e.phone(t, alice, 440)
	e.dir.setDND(carol.SIPUsername, true)
	e.phone(t, carol, 880)
	for _, tc := range []struct {
		to   Extension
		want string
	}{
		{bob, OutcomeNoAnswer}, // not registered: 480
		{carol, OutcomeBusy},   // do not disturb: 486
	} {
		done := make(chan error, 1)
		go func() {
			_, err := e.srv.Originate(context.Background(), alice, tc.to.ShortNumber)
			done <- err
		}()
		answerOriginated(t, a, tc.to.ShortNumber)
		require.NoError(t, <-done)
		a.AwaitEnd(t, 10*time.Second)
		ended := awaitEvent(t, e.events.ended, "CallEnded")
		assert.Equal(t, tc.want, ended.Outcome, "call to %s", tc.to.Name)
		assert.True(t, ended.Answered.IsZero(), "call to %s", tc.to.Name)
	}
}

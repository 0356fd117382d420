// Package uatest runs SIP user agents in tests: an Agent is a started UA
// whose events arrive on a channel, with waits for an event, for the end
// of a call and for audio, each bounded in time.
package uatest

import (
	"context"
	"testing"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
)

// Agent is a UA under test with its events on a channel.
type Agent struct {
	UA     *sipua.UA
	Events chan sipua.Event
}

// Start creates a UA from cfg, its OnEvent feeding Events, starts it and
// stops it when the test ends.
func Start(t testing.TB, cfg sipua.Config) *Agent {
	t.Helper()
	a := &Agent{Events: make(chan sipua.Event, 4096)}
	cfg.OnEvent = func(e sipua.Event) { a.Events <- e }
	ua, err := sipua.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.UA = ua
	if err := ua.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	return a
}

// Stop stops the UA, waiting at most 5 s.
func (a *Agent) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.UA.Stop(ctx)
}

// Await returns the next event called name, skipping others; none within
// the time fails the test.
func (a *Agent) Await(t testing.TB, name string, within time.Duration) sipua.Event {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case e := <-a.Events:
			if e.Name() == name {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event within %v", name, within)
			return nil
		}
	}
}

// AwaitEnd returns the next "ended" or "failed" session event.
func (a *Agent) AwaitEnd(t testing.TB, within time.Duration) sipua.SessionEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case e := <-a.Events:
			if se, ok := e.(sipua.SessionEvent); ok && (se.Type == "ended" || se.Type == "failed") {
				return se
			}
		case <-deadline:
			t.Fatalf("no ended/failed event within %v", within)
			return sipua.SessionEvent{}
		}
	}
}

// AwaitMedia polls a call's stats until audio flows in: more than
// minPackets packets whose level is above silence, within 10 s.
func AwaitMedia(t testing.TB, s *sipua.Session, what string, minPackets uint64) media.Stats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var st media.Stats
	for time.Now().Before(deadline) {
		var err error
		st, err = s.Stats(context.Background())
		if err != nil {
			t.Fatalf("%s: stats: %v", what, err)
		}
		if st.PacketsReceived > minPackets && st.AudioLevel > 0.05 {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: no audio within 10 s: %+v", what, st)
	return st
}

// Package clock abstracts the passage of time so that code with timers
// (the event stream's back-off and idle timeout, the SIP user agent's
// transaction and refresh timers) can be tested without sleeping.
//
// Production code takes a Clock and uses Real() by default; tests pass a
// *Fake and move time forward explicitly with Advance.
package clock

import "time"

// Clock is the source of time and timers.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that sends the time on its channel once d
	// has elapsed, like time.NewTimer.
	NewTimer(d time.Duration) Timer
	// AfterFunc returns a timer that calls f once d has elapsed, like
	// time.AfterFunc. Its C method may return nil.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a single-shot timer created by a Clock.
//
// Stop and Reset follow the semantics of time.Timer since Go 1.23: after
// Stop or Reset returns, no stale value from before the call is received
// from C.
type Timer interface {
	// C returns the channel on which the expiry time is delivered. It is
	// nil for timers created by AfterFunc.
	C() <-chan time.Time
	// Stop prevents the timer from firing. It reports whether the timer
	// was active (armed and not yet fired).
	Stop() bool
	// Reset re-arms the timer to fire after d. It reports whether the
	// timer was active before the call.
	Reset(d time.Duration) bool
}

// Real returns the Clock backed by package time.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return realTimer{time.AfterFunc(d, f)}
}

// realTimer adapts *time.Timer, whose C is a field, to the Timer interface.
type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

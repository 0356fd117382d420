package clock

import (
	"context"
	"sync"
	"time"
)

// Fake is a Clock whose time only moves when a test calls Advance. It is
// safe for concurrent use: the code under test arms and stops timers from
// its own goroutines while the test advances time and waits for timers.
//
// Firing rules, chosen so that tests are deterministic:
//   - Advance fires every timer that becomes due, in order of deadline
//     (timers with equal deadlines in the order they were armed), and
//     Now reports each timer's deadline while it fires.
//   - A NewTimer timer delivers on a channel with a buffer of one; the send
//     never blocks, so a value nobody reads is dropped when the timer fires
//     again, and Stop and Reset discard a value not yet received (the
//     time.Timer semantics since Go 1.23).
//   - An AfterFunc callback runs synchronously on the goroutine calling
//     Advance, without the Fake's lock held, so when Advance returns every
//     due callback has returned. A callback may use the Fake (arm, stop,
//     Now); a timer it arms that falls due within the same Advance fires in
//     that Advance.
//   - A timer armed with a duration <= 0 is due at once: a channel timer
//     sends immediately, an AfterFunc callback starts in a new goroutine
//     (running it on the caller's goroutine could deadlock on locks the
//     caller holds; time.AfterFunc runs it in its own goroutine too).
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	armed   []*fakeTimer
	seq     uint64
	fired   int
	changed chan struct{} // closed and replaced whenever armed changes
}

// NewFake returns a Fake clock whose time starts at start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, changed: make(chan struct{})}
}

// Now returns the fake current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a channel timer that fires when the fake time has
// advanced by d.
func (f *Fake) NewTimer(d time.Duration) Timer {
	t := &fakeTimer{f: f, c: make(chan time.Time, 1)}
	t.Reset(d)
	return t
}

// AfterFunc returns a timer that calls fn when the fake time has advanced
// by d. See Fake for the goroutine fn runs on.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	t := &fakeTimer{f: f, fn: fn}
	t.Reset(d)
	return t
}

// Advance moves the fake time forward by d, firing the timers that fall
// due on the way (see Fake for the order and the goroutines). A negative
// d is treated as zero: fake time never goes backwards. Advance(0) fires
// timers that are already due.
func (f *Fake) Advance(d time.Duration) {
	if d < 0 {
		d = 0
	}
	f.mu.Lock()
	target := f.now.Add(d)
	for {
		t := f.nextDueLocked(target)
		if t == nil {
			break
		}
		f.disarmLocked(t)
		f.fired++
		if t.when.After(f.now) {
			f.now = t.when
		}
		if t.c != nil {
			sendNonBlocking(t.c, f.now)
			continue
		}
		fn := t.fn
		f.mu.Unlock()
		fn()
		f.mu.Lock()
	}
	if target.After(f.now) {
		f.now = target
	}
	f.mu.Unlock()
}

// Waiters returns the number of armed timers: created or reset and neither
// fired nor stopped.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.armed)
}

// Fired returns how many times timers have fired. Since Advance fires
// timers synchronously, a test can assert right after Advance that a timer
// did not fire, which no sleep could prove.
func (f *Fake) Fired() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// BlockUntil blocks until exactly n timers are armed. Tests call it to wait
// until the code under test has armed its timers before calling Advance,
// instead of sleeping. It waits forever if that never happens; prefer
// BlockUntilContext with a deadline.
func (f *Fake) BlockUntil(n int) {
	_ = f.BlockUntilContext(context.Background(), n)
}

// BlockUntilContext is BlockUntil with a way out: it returns ctx's error
// if ctx is done before exactly n timers are armed.
func (f *Fake) BlockUntilContext(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		if len(f.armed) == n {
			f.mu.Unlock()
			return nil
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// nextDueLocked returns the armed timer with the earliest deadline not
// after target, ties broken by arming order, or nil.
func (f *Fake) nextDueLocked(target time.Time) *fakeTimer {
	var best *fakeTimer
	for _, t := range f.armed {
		if t.when.After(target) {
			continue
		}
		if best == nil || t.when.Before(best.when) || (t.when.Equal(best.when) && t.seq < best.seq) {
			best = t
		}
	}
	return best
}

func (f *Fake) armLocked(t *fakeTimer) {
	f.seq++
	t.seq = f.seq
	t.active = true
	f.armed = append(f.armed, t)
	f.notifyLocked()
}

// disarmLocked removes t from the armed set and reports whether it was
// there.
func (f *Fake) disarmLocked(t *fakeTimer) bool {
	if !t.active {
		return false
	}
	t.active = false
	for i, a := range f.armed {
		if a == t {
			f.armed = append(f.armed[:i], f.armed[i+1:]...)
			break
		}
	}
	f.notifyLocked()
	return true
}

func (f *Fake) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// fakeTimer is a Timer of a Fake. Its fields are guarded by f.mu.
type fakeTimer struct {
	f      *Fake
	c      chan time.Time // nil for AfterFunc timers
	fn     func()
	when   time.Time
	seq    uint64
	active bool
}

func (t *fakeTimer) C() <-chan time.Time {
	if t.c == nil {
		return nil // like time.AfterFunc's timer
	}
	return t.c
}

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	was := t.f.disarmLocked(t)
	t.drainLocked()
	return was
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	f := t.f
	f.mu.Lock()
	was := f.disarmLocked(t)
	t.drainLocked()
	t.when = f.now.Add(d)
	if d > 0 {
		f.armLocked(t)
		f.mu.Unlock()
		return was
	}
	f.fired++
	if t.c != nil {
		// Sent under the lock so that a Stop or Reset that follows
		// this call discards it.
		sendNonBlocking(t.c, f.now)
	} else {
		go t.fn()
	}
	f.mu.Unlock()
	return was
}

// drainLocked discards an expiry not yet received, so that no stale value
// is seen after Stop or Reset.
func (t *fakeTimer) drainLocked() {
	if t.c == nil {
		return
	}
	select {
	case <-t.c:
	default:
	}
}

func sendNonBlocking(c chan time.Time, v time.Time) {
	select {
	case c <- v:
	default:
	}
}

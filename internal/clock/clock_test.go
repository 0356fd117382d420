package clock

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// received returns the value waiting on c, if any, without blocking.
func received(c <-chan time.Time) (time.Time, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		return time.Time{}, false
	}
}

func TestRealTimer(t *testing.T) {
	c := Real()
	start := c.Now()
	tm := c.NewTimer(time.Millisecond)
	select {
	case v := <-tm.C():
		assert.False(t, v.Before(start))
	case <-time.After(10 * time.Second):
		t.Fatal("real timer did not fire")
	}
	assert.False(t, tm.Stop(), "fired timer is not active")

	tm = c.NewTimer(time.Hour)
	assert.True(t, tm.Stop())
	assert.False(t, tm.Reset(time.Millisecond))
	select {
	case <-tm.C():
	case <-time.After(10 * time.Second):
		t.Fatal("reset real timer did not fire")
	}

	done := make(chan struct{})
	af := c.AfterFunc(time.Millisecond, func() { close(done) })
	assert.Nil(t, af.C())
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("real AfterFunc did not run")
	}
}

func TestFakeNowAndAdvance(t *testing.T) {
	f := NewFake(epoch)
	assert.Equal(t, epoch, f.Now())
	f.Advance(time.Minute)
	assert.Equal(t, epoch.Add(time.Minute), f.Now())
	f.Advance(-time.Hour)
	assert.Equal(t, epoch.Add(time.Minute), f.Now(), "time never goes back")
}

func TestFakeTimerFiresWhenDue(t *testing.T) {
	f := NewFake(epoch)
	tm := f.NewTimer(10 * time.Second)
	assert.Equal(t, 1, f.Waiters())

	f.Advance(10*time.Second - 1)
	_, ok := received(tm.C())
	assert.False(t, ok, "not due yet")
	assert.Equal(t, 1, f.Waiters())
	assert.Equal(t, 0, f.Fired())

	f.Advance(1)
	assert.Equal(t, 1, f.Fired())
	v, ok := received(tm.C())
	require.True(t, ok)
	assert.Equal(t, epoch.Add(10*time.Second), v)
	assert.Equal(t, 0, f.Waiters())
	assert.False(t, tm.Stop(), "fired timer is not active")
}

func TestFakeTimerOrderAndNowDuringFire(t *testing.T) {
	f := NewFake(epoch)
	var order []string
	var seen []time.Time
	record := func(name string) func() {
		return func() {
			order = append(order, name)
			seen = append(seen, f.Now())
		}
	}
	f.AfterFunc(3*time.Second, record("c"))
	f.AfterFunc(1*time.Second, record("a"))
	f.AfterFunc(2*time.Second, record("b1"))
	f.AfterFunc(2*time.Second, record("b2")) // same deadline: arming order
	f.AfterFunc(5*time.Second, record("late"))

	f.Advance(4 * time.Second)
	assert.Equal(t, []string{"a", "b1", "b2", "c"}, order)
	assert.Equal(t, []time.Time{
		epoch.Add(time.Second), epoch.Add(2 * time.Second),
		epoch.Add(2 * time.Second), epoch.Add(3 * time.Second),
	}, seen)
	assert.Equal(t, epoch.Add(4*time.Second), f.Now())
	assert.Equal(t, 1, f.Waiters())
}

func TestFakeAfterFuncRearmsWithinAdvance(t *testing.T) {
	f := NewFake(epoch)
	var n int
	var tm Timer
	tm = f.AfterFunc(time.Second, func() {
		n++
		tm.Reset(time.Second) // periodic
	})
	f.Advance(3500 * time.Millisecond)
	assert.Equal(t, 3, n, "fired at 1s, 2s and 3s")
	assert.Equal(t, 1, f.Waiters())
	assert.True(t, tm.Stop())
	f.Advance(time.Hour)
	assert.Equal(t, 3, n)
}

func TestFakeChannelIsNonBlocking(t *testing.T) {
	f := NewFake(epoch)
	a := f.NewTimer(time.Second)
	b := f.NewTimer(2 * time.Second)
	// Nobody reads a: Advance must not block on it.
	f.Advance(time.Hour)
	_, okA := received(a.C())
	_, okB := received(b.C())
	assert.True(t, okA)
	assert.True(t, okB)
}

func TestFakeStopAndResetDiscardStaleValue(t *testing.T) {
	f := NewFake(epoch)
	tm := f.NewTimer(time.Second)
	f.Advance(time.Second) // fired, value buffered
	assert.False(t, tm.Reset(time.Second), "was not active")
	_, ok := received(tm.C())
	assert.False(t, ok, "Reset discards the stale expiry")

	f.Advance(time.Second)
	assert.False(t, tm.Stop())
	_, ok = received(tm.C())
	assert.False(t, ok, "Stop discards the stale expiry")

	assert.False(t, tm.Reset(time.Minute))
	assert.True(t, tm.Reset(time.Second), "was active")
	assert.Equal(t, 1, f.Waiters())
	f.Advance(time.Second)
	v, ok := received(tm.C())
	require.True(t, ok)
	assert.Equal(t, epoch.Add(3*time.Second), v)
}

func TestFakeZeroDuration(t *testing.T) {
	f := NewFake(epoch)
	tm := f.NewTimer(0)
	v, ok := received(tm.C())
	require.True(t, ok, "due at once")
	assert.Equal(t, epoch, v)
	assert.Equal(t, 0, f.Waiters())
	assert.Equal(t, 1, f.Fired())

	done := make(chan struct{})
	f.AfterFunc(-time.Second, func() { close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("AfterFunc(<=0) did not run")
	}
}

func TestFakeBlockUntil(t *testing.T) {
	f := NewFake(epoch)
	armed := make(chan Timer, 2)
	go func() {
		armed <- f.NewTimer(time.Second)
		armed <- f.NewTimer(2 * time.Second)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, f.BlockUntilContext(ctx, 2))
	f.BlockUntil(2)
	a, b := <-armed, <-armed
	a.Stop()
	require.NoError(t, f.BlockUntilContext(ctx, 1))
	b.Stop()
	require.NoError(t, f.BlockUntilContext(ctx, 0))

	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	assert.ErrorIs(t, f.BlockUntilContext(short, 5), context.DeadlineExceeded)
}

// TestFakeConcurrentUse exercises the Fake from several goroutines for the
// race detector.
func TestFakeConcurrentUse(t *testing.T) {
	f := NewFake(epoch)
	var fired atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				tm := f.AfterFunc(time.Duration(j%5+1)*time.Millisecond, func() { fired.Add(1) })
				if j%3 == 0 {
					tm.Stop()
				}
				ct := f.NewTimer(time.Millisecond)
				ct.Reset(2 * time.Millisecond)
				_ = f.Now()
				_ = f.Waiters()
			}
		}()
	}
	stop := make(chan struct{})
	advancerDone := make(chan struct{})
	go func() {
		defer close(advancerDone)
		for {
			select {
			case <-stop:
				return
			default:
				f.Advance(time.Millisecond)
				// js/wasm has no preemption: let the others run.
				runtime.Gosched()
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-advancerDone
	f.Advance(time.Hour)
	assert.Equal(t, 0, f.Waiters())
	assert.Positive(t, fired.Load())
}

//go:build js && wasm

package jsbridge

import (
	"errors"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPromiseResolves(t *testing.T) {
	p := Promise(func() (any, error) { return map[string]any{"ok": true, "n": 3}, nil })
	assert.True(t, p.InstanceOf(js.Global().Get("Promise")))
	s := await(t, p)
	require.False(t, s.rejected)
	assert.Equal(t, map[string]any{"ok": true, "n": 3.0}, FromJS(s.value))
}

func TestPromiseDoesNotBlockCaller(t *testing.T) {
	release := make(chan struct{})
	p := Promise(func() (any, error) {
		<-release
		return "late", nil
	})
	// Promise returned although fn is still blocked.
	close(release)
	s := await(t, p)
	assert.Equal(t, "late", s.value.String())
}

func TestPromiseRejects(t *testing.T) {
	s := await(t, Promise(func() (any, error) { return nil, &httpError{500} }))
	require.True(t, s.rejected)
	assert.True(t, s.value.InstanceOf(js.Global().Get("Error")))
	assert.Equal(t, "HTTP 500", s.value.Get("message").String())
	assert.Equal(t, 500, s.value.Get("statusCode").Int())
}

func TestPromisePanicRejects(t *testing.T) {
	s := await(t, Promise(func() (any, error) { panic("kaboom") }))
	require.True(t, s.rejected)
	assert.True(t, s.value.InstanceOf(js.Global().Get("Error")))
	assert.Equal(t, "internal error: kaboom", s.value.Get("message").String())
}

// callbackRecorder returns a JS function recording each call's arguments
// into the returned array.
func callbackRecorder() (fn, calls js.Value) {
	calls = js.Global().Get("Array").New()
	fn = jsFn("calls", "return function() { calls.push(Array.from(arguments)); };").Invoke(calls)
	return fn, calls
}

func waitCalls(t *testing.T, calls js.Value, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for calls.Length() < n {
		if time.Now().After(deadline) {
			t.Fatalf("callback called %d times, want %d", calls.Length(), n)
		}
		sleep(time.Millisecond)
	}
	sleep(20 * time.Millisecond) // and not more often
	assert.Equal(t, n, calls.Length())
}

func TestPromiseOrCallbackValue(t *testing.T) {
	cb, calls := callbackRecorder()
	ret := PromiseOrCallback([]js.Value{js.ValueOf("id"), cb}, func() (any, error) { return "v", nil })
	assert.True(t, ret.IsUndefined())
	assert.Equal(t, 0, calls.Length(), "callback ran before the call returned")
	waitCalls(t, calls, 1)
	args := calls.Index(0)
	require.Equal(t, 2, args.Length())
	assert.True(t, args.Index(0).IsNull())
	assert.Equal(t, "v", args.Index(1).String())
}

func TestPromiseOrCallbackError(t *testing.T) {
	cb, calls := callbackRecorder()
	ret := PromiseOrCallback([]js.Value{cb}, func() (any, error) { return nil, errors.New("nope") })
	assert.True(t, ret.IsUndefined())
	assert.Equal(t, 0, calls.Length())
	waitCalls(t, calls, 1)
	args := calls.Index(0)
	require.Equal(t, 1, args.Length())
	assert.True(t, args.Index(0).InstanceOf(js.Global().Get("Error")))
	assert.Equal(t, "nope", args.Index(0).Get("message").String())
}

func TestPromiseOrCallbackPanic(t *testing.T) {
	cb, calls := callbackRecorder()
	PromiseOrCallback([]js.Value{cb}, func() (any, error) { panic("bad") })
	waitCalls(t, calls, 1)
	assert.Equal(t, "internal error: bad", calls.Index(0).Index(0).Get("message").String())
}

func TestPromiseOrCallbackWithoutCallback(t *testing.T) {
	for _, args := range [][]js.Value{nil, {js.ValueOf(1)}, {js.ValueOf(map[string]any{})}} {
		p := PromiseOrCallback(args, func() (any, error) { return 1, nil })
		require.True(t, p.InstanceOf(js.Global().Get("Promise")))
		assert.Equal(t, 1, await(t, p).value.Int())
	}
}

func TestNoLeakedFuncs(t *testing.T) {
	start := liveFuncs()
	const n = 10_000
	ps := js.Global().Get("Array").New()
	for i := range n {
		ps.Call("push", Promise(func() (any, error) { return i, nil }))
	}
	s := await(t, js.Global().Get("Promise").Call("all", ps))
	require.False(t, s.rejected)
	assert.Equal(t, n, s.value.Length())
	assert.Equal(t, n-1, s.value.Index(n-1).Int())

	cb, calls := callbackRecorder()
	for range n {
		PromiseOrCallback([]js.Value{cb}, func() (any, error) { return nil, nil })
	}
	waitCalls(t, calls, n)
	assert.Equal(t, start, liveFuncs())
}

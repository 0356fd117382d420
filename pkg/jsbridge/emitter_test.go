//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmitter(t *testing.T) {
	start := liveFuncs()
	e := NewEmitter(js.Undefined())
	obj := e.Value()
	assert.Equal(t, 0, js.Global().Get("Object").Call("keys", obj).Length())
	for _, m := range []string{"on", "once", "off", "emit", "addListener", "removeListener", "removeAllListeners"} {
		assert.Equal(t, js.TypeFunction, obj.Get(m).Type(), m)
	}

	onFn, onCalls := callbackRecorder()
	onceFn, onceCalls := callbackRecorder()
	assert.False(t, e.HasListeners("newMessage"))
	assert.True(t, obj.Call("on", "newMessage", onFn).Equal(obj), "on chains")
	obj.Call("once", "newMessage", onceFn)
	assert.True(t, e.HasListeners("newMessage"))
	assert.Equal(t, 0, js.Global().Get("Object").Call("keys", obj).Length())

	assert.True(t, e.Emit("newMessage", map[string]any{"a": 1}, "x"))
	assert.True(t, obj.Call("emit", "newMessage", 2).Bool())
	assert.False(t, obj.Call("emit", "other").Bool())

	require.Equal(t, 2, onCalls.Length())
	assert.Equal(t, 1, onCalls.Index(0).Index(0).Get("a").Int())
	assert.Equal(t, "x", onCalls.Index(0).Index(1).String())
	assert.Equal(t, 2, onCalls.Index(1).Index(0).Int())
	require.Equal(t, 1, onceCalls.Length(), "once listener ran once")

	obj.Call("off", "newMessage", onFn)
	assert.False(t, e.HasListeners("newMessage"))
	assert.False(t, e.Emit("newMessage"))
	assert.Equal(t, 2, onCalls.Length())

	// off removes a pending once listener too.
	obj.Call("once", "x", onceFn)
	obj.Call("off", "x", onceFn)
	assert.False(t, e.HasListeners("x"))

	// off(name) and removeAllListeners(name?) remove every listener.
	obj.Call("on", "a", onFn)
	obj.Call("on", "a", onceFn)
	obj.Call("on", "b", onFn)
	obj.Call("off", "a")
	assert.False(t, e.HasListeners("a"))
	assert.True(t, e.HasListeners("b"))
	assert.True(t, obj.Call("removeAllListeners").Equal(obj))
	assert.False(t, e.HasListeners("b"))
	obj.Call("on", "c", onFn)
	obj.Call("on", "d", onFn)
	obj.Call("removeAllListeners", "c")
	assert.False(t, e.HasListeners("c"))
	assert.True(t, e.HasListeners("d"))
	obj.Call("off", "d", onFn)

	// this is the emitter object.
	self := jsEval(`[]`)
	obj.Call("on", "who", jsFn("out", "return function() { out.push(this); };").Invoke(self))
	e.Emit("who")
	assert.True(t, self.Index(0).Equal(obj))

	// A throwing listener does not stop the next ones.
	console := js.Global().Get("console")
	origErr := console.Get("error")
	console.Set("error", jsFn("", ""))
	defer console.Set("error", origErr)
	after, afterCalls := callbackRecorder()
	obj.Call("on", "boom", jsFn("", "throw new Error('listener')"))
	obj.Call("on", "boom", after)
	assert.True(t, e.Emit("boom"))
	assert.Equal(t, 1, afterCalls.Length())

	e.Release()
	assert.Equal(t, start, liveFuncs())
	assert.False(t, e.HasListeners("boom"))
}

func TestEmitterTarget(t *testing.T) {
	target := js.Global().Get("Object").New()
	target.Set("data", 1)
	e := NewEmitter(target)
	defer e.Release()
	assert.True(t, ToJS(e).Equal(target))
	assert.Equal(t, "data", js.Global().Get("Object").Call("keys", target).Call("join").String())
}

func TestEmitterConcurrent(t *testing.T) {
	e := NewEmitter(js.Null())
	defer e.Release()
	fn, calls := callbackRecorder()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			e.On("ev", fn)
			e.Emit("ev", 1)
			e.HasListeners("ev")
			e.Off("ev", fn)
		})
	}
	wg.Wait()
	assert.False(t, e.HasListeners("ev"))
	assert.GreaterOrEqual(t, calls.Length(), 50)
}

func TestEmitterDetach(t *testing.T) {
	e := NewEmitter(js.Undefined())
	obj := e.Value()
	fn, calls := callbackRecorder()
	obj.Call("on", "ended", fn)
	e.Detach()
	assert.True(t, e.Value().IsUndefined(), "Go lets go of the object")
	assert.False(t, e.Emit("ended"))
	assert.Equal(t, 0, calls.Length())
	assert.True(t, obj.Call("on", "ended", fn).Equal(obj), "methods still chain on this")
	assert.False(t, e.HasListeners("ended"), "listeners added after Detach never run")
	e.Release()
}

//go:build js && wasm

package jsbridge

import (
	"fmt"
	"syscall/js"
)

// Promise returns a JavaScript Promise and runs fn in a new goroutine,
// so the JavaScript caller is never blocked. The Promise resolves with
// ToJS of fn's result or, when fn returns an error, rejects with
// ErrorToJS of it. A panic in fn becomes a rejection with the message
// "internal error: <panic value>".
func Promise(fn func() (any, error)) js.Value {
	var resolve, reject js.Value
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject = args[0], args[1]
		return nil
	})
	live.Add(1)
	// The executor runs synchronously inside the constructor.
	p := jsPromise.New(executor)
	executor.Release()
	live.Add(-1)

	go func() {
		v, err := call(fn)
		if err != nil {
			reject.Invoke(ErrorToJS(err))
			return
		}
		resolve.Invoke(ToJS(v))
	}()
	return p
}

// call runs fn and turns a panic into an error.
func call(fn func() (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("internal error: %v", r)
		}
	}()
	return fn()
}

// PromiseOrCallback implements the original client's calling convention
// for a method called with args. When the last argument is a function it
// is a Node-style callback: it is called exactly once, asynchronously
// (never before PromiseOrCallback returns), as callback(null, value) on
// success or callback(err) on failure, and the result is undefined.
// Otherwise the result is the Promise of Promise(fn).
//
// The callback is chained to the Promise in JavaScript (no js.Func is
// created for it), so an exception it throws stays in JavaScript and is
// reported by the host as an unhandled rejection.
func PromiseOrCallback(args []js.Value, fn func() (any, error)) js.Value {
	p := Promise(fn)
	cb, ok := Callback(args)
	if !ok {
		return p
	}
	onValue := cb.Call("bind", js.Null(), js.Null()) // v => cb(null, v)
	onError := cb.Call("bind", js.Null())            // e => cb(e)
	p.Call("then", onValue, onError)
	return js.Undefined()
}

// Callback returns the last argument when it is a function.
func Callback(args []js.Value) (js.Value, bool) {
	if len(args) == 0 || args[len(args)-1].Type() != js.TypeFunction {
		return js.Undefined(), false
	}
	return args[len(args)-1], true
}

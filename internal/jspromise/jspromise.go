//go:build js && wasm

// Package jspromise waits for JavaScript promises from Go, for the
// packages that call browser APIs under js/wasm (media, the JS bridge).
package jspromise

import (
	"context"
	"syscall/js"
)

// Await waits for a JavaScript promise without blocking the event loop
// (the caller is a goroutine, never a js.FuncOf callback). A rejection
// becomes a js.Error. When ctx ends first, the callbacks are released
// once the promise settles.
func Await(ctx context.Context, promise js.Value) (js.Value, error) {
	if promise.Type() != js.TypeObject || promise.Get("then").Type() != js.TypeFunction {
		return promise, nil // not a promise: already the value
	}
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	arg := func(args []js.Value) js.Value {
		if len(args) == 0 {
			return js.Undefined()
		}
		return args[0]
	}
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: arg(args)}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: js.Undefined(), err: js.Error{Value: arg(args)}}
		return nil
	})
	release := func() {
		then.Release()
		catch.Release()
	}
	promise.Call("then", then, catch)
	select {
	case r := <-ch:
		release()
		return r.v, r.err
	case <-ctx.Done():
		go func() {
			<-ch
			release()
		}()
		return js.Undefined(), ctx.Err()
	}
}

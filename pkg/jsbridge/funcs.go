//go:build js && wasm

package jsbridge

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall/js"
)

// live counts the js.Func values this package created or holds in a Funcs
// registry and has not released yet; the tests read it via liveFuncs.
var live atomic.Int64

func liveFuncs() int64 { return live.Load() }

// Func is js.FuncOf with panic safety: a Go panic inside fn would
// otherwise terminate the whole WebAssembly program. The panic is
// reported (reportError when the host has it, else console.error) and the
// call returns undefined. The caller owns the result and must release it,
// usually by adding it to a Funcs registry.
func Func(fn func(this js.Value, args []js.Value) any) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) (ret any) {
		defer func() {
			if r := recover(); r != nil {
				report("jsbridge: panic in callback", r)
				ret = js.Undefined()
			}
		}()
		return fn(this, args)
	})
}

// report shows an error that has no JavaScript caller to go to.
func report(what string, r any) {
	var v js.Value
	switch x := r.(type) {
	case js.Error:
		v = x.Value
	default:
		v = NewError(fmt.Sprintf("%s: %v", what, r), nil)
	}
	g := js.Global()
	if f := g.Get("reportError"); f.Type() == js.TypeFunction {
		g.Call("reportError", v)
		return
	}
	if c := g.Get("console"); c.Type() == js.TypeObject {
		c.Call("error", what, v)
	}
}

// Funcs owns js.Func values on behalf of a long-lived Go object (a UA, a
// session, an Emitter) that exposes them to JavaScript, and releases them
// all at once when that object is done. The zero value is ready to use
// and it is safe for concurrent use. After Release the registry is empty
// and may be used again.
type Funcs struct {
	mu    sync.Mutex
	funcs []js.Func
}

// Add hands f to the registry, which will release it, and returns f.
func (r *Funcs) Add(f js.Func) js.Func {
	r.mu.Lock()
	r.funcs = append(r.funcs, f)
	r.mu.Unlock()
	live.Add(1)
	return f
}

// Func creates a function with the package-level Func and adds it.
func (r *Funcs) Func(fn func(this js.Value, args []js.Value) any) js.Func {
	return r.Add(Func(fn))
}

// Len reports how many functions the registry holds.
func (r *Funcs) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.funcs)
}

// Release releases every function the registry holds. JavaScript code
// still referring to one of them gets an exception when calling it.
func (r *Funcs) Release() {
	r.mu.Lock()
	fs := r.funcs
	r.funcs = nil
	r.mu.Unlock()
	for _, f := range fs {
		f.Release()
	}
	live.Add(-int64(len(fs)))
}

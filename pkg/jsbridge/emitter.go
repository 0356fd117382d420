//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"
)

// Emitter is a small JsSIP-style event emitter. Its JavaScript object
// has the non-enumerable methods on(name, fn), once(name, fn),
// off(name, fn?) and emit(name, ...args), plus the Node.js aliases
// addListener, removeListener and removeAllListeners(name?); on, once,
// off and removeAllListeners return the object for chaining (off without
// fn removes every listener of name) and emit returns whether a listener
// was called. Go code
// emits with Emit and asks HasListeners. The listener table is guarded by
// a mutex, so Emit may be called from any goroutine.
//
// Listeners run in registration order with this set to the object, on a
// snapshot of the table taken when the event is emitted. An exception
// thrown by a listener is reported (reportError or console.error) and
// does not stop the other listeners.
//
// The Emitter owns the functions behind the methods; Release frees them
// when the object is no longer used.
type Emitter struct {
	obj   js.Value
	funcs Funcs

	mu        sync.Mutex
	listeners map[string][]listener
	detached  bool
}

type listener struct {
	fn   js.Value
	once bool
}

// NewEmitter installs the emitter methods on target and returns the
// Emitter; when target is undefined or null, a new plain object is used.
func NewEmitter(target js.Value) *Emitter {
	if target.IsUndefined() || target.IsNull() {
		target = jsObject.New()
	}
	e := &Emitter{obj: target, listeners: map[string][]listener{}}
	add := e.funcs.Func(func(this js.Value, args []js.Value) any {
		e.addJS(args, false)
		return this
	})
	once := e.funcs.Func(func(this js.Value, args []js.Value) any {
		e.addJS(args, true)
		return this
	})
	off := e.funcs.Func(func(this js.Value, args []js.Value) any {
		switch {
		case len(args) >= 2 && args[1].Type() == js.TypeFunction:
			e.Off(args[0].String(), args[1])
		case len(args) >= 1 && args[0].Type() == js.TypeString:
			e.OffAll(args[0].String())
		}
		return this
	})
	offAll := e.funcs.Func(func(this js.Value, args []js.Value) any {
		if len(args) >= 1 && args[0].Type() == js.TypeString {
			e.OffAll(args[0].String())
		} else {
			e.OffAll("")
		}
		return this
	})
	emit := e.funcs.Func(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 {
			return false
		}
		rest := make([]any, len(args)-1)
		for i, a := range args[1:] {
			rest[i] = a
		}
		return e.Emit(args[0].String(), rest...)
	})
	DefineMethod(target, "on", add)
	DefineMethod(target, "addListener", add)
	DefineMethod(target, "once", once)
	DefineMethod(target, "off", off)
	DefineMethod(target, "removeListener", off)
	DefineMethod(target, "removeAllListeners", offAll)
	DefineMethod(target, "emit", emit)
	return e
}

func (e *Emitter) addJS(args []js.Value, once bool) {
	if len(args) < 2 || args[1].Type() != js.TypeFunction {
		return
	}
	e.add(args[0].String(), args[1], once)
}

// Value returns the JavaScript object carrying the methods.
func (e *Emitter) Value() js.Value {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.obj
}

// JSValue implements JSValuer, so ToJS(e) is the object.
func (e *Emitter) JSValue() js.Value { return e.Value() }

// On registers fn for the event name, like obj.on(name, fn).
func (e *Emitter) On(name string, fn js.Value) { e.add(name, fn, false) }

// Once registers fn for one call of the event name.
func (e *Emitter) Once(name string, fn js.Value) { e.add(name, fn, true) }

func (e *Emitter) add(name string, fn js.Value, once bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.detached {
		return
	}
	e.listeners[name] = append(e.listeners[name], listener{fn: fn, once: once})
}

// Off removes the most recently added registration of fn for name
// (whether made with on or once), as Node's removeListener does.
func (e *Emitter) Off(name string, fn js.Value) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ls := e.listeners[name]
	for i := len(ls) - 1; i >= 0; i-- {
		if ls[i].fn.Equal(fn) {
			ls = append(ls[:i:i], ls[i+1:]...)
			break
		}
	}
	if len(ls) == 0 {
		delete(e.listeners, name)
	} else {
		e.listeners[name] = ls
	}
}

// OffAll removes every listener of name, or of every event when name is
// empty.
func (e *Emitter) OffAll(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if name == "" {
		e.listeners = map[string][]listener{}
		return
	}
	delete(e.listeners, name)
}

// HasListeners reports whether at least one listener is registered for
// name.
func (e *Emitter) HasListeners(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.listeners[name]) > 0
}

// Emit calls the listeners of name with args converted by ToJS and
// reports whether there was any. It is safe from any goroutine.
func (e *Emitter) Emit(name string, args ...any) bool {
	e.mu.Lock()
	ls := e.listeners[name]
	snapshot := append([]listener(nil), ls...)
	kept := ls[:0:0]
	for _, l := range ls {
		if !l.once {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		delete(e.listeners, name)
	} else if len(kept) != len(ls) {
		e.listeners[name] = kept
	}

	obj := e.obj
	e.mu.Unlock()

	if len(snapshot) == 0 {
		return false
	}
	jsArgs := make([]any, 1, len(args)+1)
	jsArgs[0] = obj
	for _, a := range args {
		jsArgs = append(jsArgs, ToJS(a))
	}
	for _, l := range snapshot {
		invokeListener(l.fn, jsArgs)
	}
	return true
}

func invokeListener(fn js.Value, args []any) {
	defer func() {
		if r := recover(); r != nil {
			report("jsbridge: event listener failed", r)
		}
	}()
	fn.Call("call", args...)
}

// Detach forgets the listeners and the JavaScript object, keeping the
// methods: once nothing in Go refers to the object, JavaScript can
// collect it (and a FinalizationRegistry can call Release). Emit does
// nothing afterwards; on and once still accept listeners, which never
// run.
func (e *Emitter) Detach() {
	e.mu.Lock()
	e.obj = js.Undefined()
	e.listeners = map[string][]listener{}
	e.detached = true
	e.mu.Unlock()
}

// Release frees the functions behind the object's methods and forgets
// every listener. A method of the object called afterwards does nothing
// but log "call to released function" (Go's runtime does that).
func (e *Emitter) Release() {
	e.funcs.Release()
	e.mu.Lock()
	e.listeners = map[string][]listener{}
	e.mu.Unlock()
}

//go:build js && wasm

package jsbridge

import "syscall/js"

// DefineMethod defines obj[name] = fn as a non-enumerable, writable and
// configurable property, so console.log and Object.keys of obj show only
// its data. The caller keeps ownership of fn.
func DefineMethod(obj js.Value, name string, fn js.Func) {
	d := jsObject.New()
	d.Set("value", fn)
	d.Set("enumerable", false)
	d.Set("writable", true)
	d.Set("configurable", true)
	jsObject.Call("defineProperty", obj, name, d)
}

// DefineGetter defines a non-enumerable, configurable accessor obj[name]
// whose getter returns ToJS(get()), like the getters JsSIP puts on its
// prototypes (session.direction). It returns the getter function, which
// the caller owns and must release (usually through a Funcs registry).
func DefineGetter(obj js.Value, name string, get func() any) js.Func {
	f := Func(func(js.Value, []js.Value) any { return ToJS(get()) })
	d := jsObject.New()
	d.Set("get", f)
	d.Set("enumerable", false)
	d.Set("configurable", true)
	jsObject.Call("defineProperty", obj, name, d)
	return f
}

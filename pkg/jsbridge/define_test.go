//go:build js && wasm

package jsbridge

import (
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDefineMethodAndGetter(t *testing.T) {
	var funcs Funcs
	start := liveFuncs()
	obj := js.Global().Get("Object").New()
	obj.Set("id", 7)
	DefineMethod(obj, "double", funcs.Func(func(_ js.Value, args []js.Value) any {
		return args[0].Int() * 2
	}))
	dir := "incoming"
	funcs.Add(DefineGetter(obj, "direction", func() any { return dir }))
	assert.Equal(t, 2, funcs.Len())
	assert.Equal(t, int64(2), liveFuncs()-start)

	assert.Equal(t, 10, obj.Call("double", 5).Int())
	assert.Equal(t, "incoming", obj.Get("direction").String())
	dir = "outgoing"
	assert.Equal(t, "outgoing", obj.Get("direction").String())
	assert.Equal(t, "id", js.Global().Get("Object").Call("keys", obj).Call("join").String())
	assert.Equal(t, `{"id":7}`, js.Global().Get("JSON").Call("stringify", obj).String())

	funcs.Release()
	assert.Equal(t, 0, funcs.Len())
	assert.Equal(t, start, liveFuncs())
}

func TestFuncRecoversPanic(t *testing.T) {
	console := js.Global().Get("console")
	origErr := console.Get("error")
	reported := js.Global().Get("Array").New()
	console.Set("error", jsFn("r", "return function() { r.push(Array.from(arguments)); };").Invoke(reported))
	defer console.Set("error", origErr)

	f := Func(func(js.Value, []js.Value) any { panic("oops") })
	defer f.Release()
	assert.True(t, f.Invoke().IsUndefined())
	assert.Equal(t, 1, reported.Length())
}

//go:build js && wasm

package jsbridge

import (
	"syscall/js"
	"testing"
	"time"
)

// jsFn compiles a JavaScript function from parameter names and a body.
func jsFn(params ...string) js.Value {
	args := make([]any, len(params))
	for i, p := range params {
		args[i] = p
	}
	return js.Global().Get("Function").New(args...)
}

// jsEval evaluates a JavaScript expression.
func jsEval(expr string) js.Value {
	return jsFn("return (" + expr + ");").Invoke()
}

type settled struct {
	value    js.Value
	rejected bool
}

// await waits for p to settle, failing the test after a timeout.
func await(t *testing.T, p js.Value) settled {
	t.Helper()
	ch := make(chan settled, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{value: args[0]}
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{value: args[0], rejected: true}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	select {
	case s := <-ch:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("promise did not settle")
		return settled{}
	}
}

// sleep lets the JavaScript event loop run.
func sleep(d time.Duration) { time.Sleep(d) }

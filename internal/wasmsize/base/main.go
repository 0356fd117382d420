//go:build js && wasm

// Command base is the floor of every module: the Go runtime with fmt,
// encoding/json and syscall/js.
package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"
)

func main() {
	b, _ := json.Marshal(map[string]any{"a": 1})
	var v any
	_ = json.Unmarshal(b, &v)
	js.Global().Set("wasmsize", fmt.Sprint(v))
	select {}
}

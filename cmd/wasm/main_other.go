//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "wasmphone: cmd/wasm is the WebAssembly module; build it with `make build` (GOOS=js GOARCH=wasm)")
	os.Exit(2)
}

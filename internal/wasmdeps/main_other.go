//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "wasmdeps is built for js/wasm only (GOOS=js GOARCH=wasm)")
	os.Exit(2)
}

// Package wasmsize holds programs that link growing parts of the library
// into js/wasm binaries, so that `make size` can report what each part
// adds to the module: base (the Go runtime with fmt, encoding/json and
// syscall/js), rest (plus pkg/pbx), then internal/wasmdeps (the whole
// library without the JavaScript bridge) and cmd/wasm (the module).
package wasmsize

// Command wasm is the main of the wasmphone WebAssembly module
// (GOOS=js GOARCH=wasm). It builds the JavaScript API object, hands it to the
// JavaScript loader through a ready callback, and then keeps running so that
// the functions of the API can be called. main.go describes the handshake.
//
// Build it with `make build`, which writes web/wasmphone.wasm. Built for any
// other platform the command only prints that it must be built for js/wasm.
package main

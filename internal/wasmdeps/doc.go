// Command wasmdeps exists for a dependency check of the js/wasm build
// (see main.go, built only for js/wasm).
package main

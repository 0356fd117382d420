//go:build js && wasm

// The ready handshake between a JavaScript loader and this module.
//
// A loader may run several modules in one JavaScript realm, so each module is
// told the name of its own callback:
//
//  1. The loader picks a global name that no other module uses, stores a
//     function under it, and passes the name in the module's environment:
//
//     const go = new Go();
//     const name = "__wasmphoneReady_" + crypto.randomUUID().replaceAll("-", "");
//     globalThis[name] = (api) => resolveReady(api);
//     go.env = { WASMPHONE_READY: name };
//     const exited = go.run(instance); // settles only when the module exits
//
//     Without WASMPHONE_READY the module uses the name "__wasmphoneInit".
//
//  2. main builds the api object, deletes globalThis[name] (the callback is
//     called exactly once, and the global namespace is left clean), and calls
//     the callback with the api object as its only argument. The call may
//     happen before go.run returns, so the callback must be in place first.
//
//  3. main then blocks forever, so the functions registered on the api object
//     keep working until the page or process goes away.
//
// If globalThis[name] is not a function, or the callback throws, the module
// prints the reason to its standard error and exits with status 2 or 1. So a
// loader learns readiness robustly by racing the callback against the
// promise that go.run returns: the callback means ready, an exit before it
// means failure (go.exit receives the status).
//
// The api object has the properties version, the library's version
// (internal/version), and Sipcentric, the constructor of the REST client
// (package pkg/jsbridge); they are in place before the callback is called.

package main

import (
	"fmt"
	"os"
	"syscall/js"

	"github.com/wasmphone/wasmphone/internal/version"
	"github.com/wasmphone/wasmphone/pkg/jsbridge"
)

// readyEnv names the environment variable (go.env on the JavaScript side)
// that carries the global name of the ready callback.
const readyEnv = "WASMPHONE_READY"

// defaultReady is the global name of the ready callback when the loader does
// not set readyEnv.
const defaultReady = "__wasmphoneInit"

func main() {
	api := js.Global().Get("Object").New()
	api.Set("version", version.Version)
	api.Set("Sipcentric", jsbridge.SipcentricConstructor())

	if code, err := signalReady(api); err != nil {
		fmt.Fprintf(os.Stderr, "wasmphone: %v\n", err)
		os.Exit(code)
	}
	select {}
}

// signalReady hands api to the loader's ready callback. On failure it returns
// the exit status the module should end with and the reason.
func signalReady(api js.Value) (code int, err error) {
	name := os.Getenv(readyEnv)
	if name == "" {
		name = defaultReady
	}
	cb := js.Global().Get(name)
	if cb.Type() != js.TypeFunction {
		return 2, fmt.Errorf("globalThis.%s is %s, not a function: the loader must set the ready callback before go.run (%s in go.env names it)", name, cb.Type(), readyEnv)
	}
	js.Global().Delete(name)

	defer func() {
		if r := recover(); r != nil {
			code, err = 1, fmt.Errorf("ready callback globalThis.%s threw: %v", name, r)
		}
	}()
	cb.Invoke(api)
	return 0, nil
}

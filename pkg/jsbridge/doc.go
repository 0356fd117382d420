// Package jsbridge holds the foundations of the JavaScript API that the
// WebAssembly build exposes: value conversion between Go and JavaScript,
// JavaScript Error objects carrying extra properties, Promise and
// Node-style callback plumbing, ownership of js.Func values, a small
// JsSIP-style event emitter and helpers for non-enumerable methods and
// getters. It knows nothing about SIP or REST.
//
// Everything except this file is built only for GOOS=js GOARCH=wasm.
//
// # Conversions
//
// [ToJS] maps Go values to JavaScript:
//
//   - nil, nil pointers, nil maps and nil slices -> null
//   - bool, string -> boolean, string
//   - every integer and float type -> number (integers beyond ±2^53 lose
//     precision exactly as JSON.parse would)
//   - json.Number -> number when the decimal text is exactly representable
//     as a float64 integer (|n| <= 2^53) or is a non-integer literal;
//     otherwise (a larger integer, such as a 64-bit identifier) -> string,
//     so no digit is ever lost silently
//   - []byte -> Uint8Array (a copy); []any, []string and other slices or
//     arrays -> Array
//   - map[string]any and other maps with string keys -> plain Object,
//     keys set in sorted order for determinism
//   - time.Time -> Date (millisecond precision)
//   - error -> Error via [ErrorToJS] (a typed nil pointer -> null)
//   - js.Value, js.Func and [JSValuer] -> passed through unchanged
//   - pointers -> the value they point to
//   - anything else (structs, channels, functions, ...) -> the string
//     fmt.Sprint produces; ToJS never panics. Nesting deeper than
//     [MaxDepth] (for instance a Go map containing itself) is cut with the
//     string "[jsbridge: too deep]".
//
// [FromJS] and [FromJSChecked] map JavaScript back to the same shapes:
// undefined and null -> nil, boolean -> bool, number -> float64 (always,
// like encoding/json), string -> string, BigInt -> its decimal string,
// Uint8Array, ArrayBuffer and other ArrayBuffer views -> []byte (a copy of
// the bytes), Date -> time.Time (invalid dates -> nil), Array -> []any,
// Error -> map[string]any with "name", "message" and its own enumerable
// properties, other objects -> map[string]any of their own enumerable
// string-keyed properties (Object.keys), functions and symbols -> the
// js.Value itself. Conversion is bounded: more than [MaxDepth] levels,
// more than [MaxValues] values in total, or an object that contains itself
// (a cycle on the current path) make FromJSChecked return an error
// ([ErrTooDeep], [ErrTooLarge], [ErrCycle]); FromJS returns nil instead.
// An object shared by two branches without a cycle is converted twice.
//
// # Ownership of js.Func
//
// Every js.Func must be released once JavaScript can no longer call it.
// The rule in this module: whoever creates a js.Func owns it and either
// releases it itself (one-shot functions such as the Promise executor,
// which this package releases right after the Promise constructor ran) or
// adds it to the [Funcs] registry of the long-lived Go object that exposes
// it (a UA, a session, an [Emitter]) and calls Funcs.Release when that
// object is finished. A released function called from JavaScript does
// nothing but log an error ("call to released function").
//
// # Asynchronous calls
//
// [Promise] runs a Go function in a new goroutine and settles a JavaScript
// Promise with its result; [PromiseOrCallback] follows the original
// client's convention: a trailing function argument is a Node-style
// callback (err, value) called exactly once, asynchronously, and the call
// returns undefined; otherwise a Promise is returned. Panics become
// rejections with the message "internal error: ...".
package jsbridge

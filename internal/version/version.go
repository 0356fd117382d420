// Package version holds the version of the wasmphone library.
package version

// Version is the version of the wasmphone library, in semantic versioning
// form. The SIP user agent sends it in its User-Agent header and the
// WebAssembly module reports it to JavaScript as api.version.
//
// The build (make test) reads this line from the source file, so keep it a
// single constant with a string literal.
const Version = "0.1.0-dev"

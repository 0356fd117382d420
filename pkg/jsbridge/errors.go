//go:build js && wasm

package jsbridge

import (
	"errors"
	"syscall/js"
)

// JSPropser is implemented by Go errors that carry extra properties for
// their JavaScript Error, for instance statusCode, responseBody and
// response of a failed REST call. ErrorToJS finds it anywhere in the
// error's chain (errors.As).
type JSPropser interface {
	error
	JSProps() map[string]any
}

// NewError returns a new JavaScript Error with the given message and, as
// own enumerable properties, props converted with ToJS (in sorted key
// order). A "message" or "stack" entry in props overrides the Error's own.
func NewError(message string, props map[string]any) js.Value {
	e := jsError.New(message)
	for _, k := range sortedKeys(props) {
		e.Set(k, ToJS(props[k]))
	}
	return e
}

// ErrorToJS converts a Go error to a JavaScript Error whose message is
// err.Error(). Properties come from the first JSPropser in the chain, if
// any. An error that is a js.Error (a JavaScript exception caught by
// syscall/js) or a JSValuer in the chain is returned as its JavaScript
// value. A nil error becomes null.
func ErrorToJS(err error) js.Value {
	if err == nil {
		return js.Null()
	}
	var jerr js.Error
	if errors.As(err, &jerr) {
		return jerr.Value
	}
	var jv JSValuer
	if errors.As(err, &jv) {
		return jv.JSValue()
	}
	var p JSPropser
	if errors.As(err, &p) {
		return NewError(err.Error(), p.JSProps())
	}
	return NewError(err.Error(), nil)
}

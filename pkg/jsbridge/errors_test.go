//go:build js && wasm

package jsbridge

import (
	"errors"
	"fmt"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
)

type httpError struct{ status int }

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

func (e *httpError) JSProps() map[string]any {
	return map[string]any{"statusCode": e.status, "responseBody": map[string]any{"errors": []any{"x"}}}
}

func TestNewError(t *testing.T) {
	e := NewError("Errors in response body", map[string]any{
		"statusCode":   400,
		"responseBody": map[string]any{"a": "b"},
		"response":     map[string]any{"status": 400, "url": "https://x/"},
	})
	assert.True(t, e.InstanceOf(js.Global().Get("Error")))
	assert.Equal(t, "Errors in response body", e.Get("message").String())
	assert.Equal(t, 400, e.Get("statusCode").Int())
	assert.Equal(t, "b", e.Get("responseBody").Get("a").String())
	assert.Equal(t, "https://x/", e.Get("response").Get("url").String())
	assert.Equal(t, "response,responseBody,statusCode",
		js.Global().Get("Object").Call("keys", e).Call("join", ",").String())
	assert.Contains(t, e.Get("stack").String(), "Errors in response body")
}

func TestErrorToJS(t *testing.T) {
	assert.True(t, ErrorToJS(nil).IsNull())

	e := ErrorToJS(fmt.Errorf("wrapped: %w", &httpError{404}))
	assert.True(t, e.InstanceOf(js.Global().Get("Error")))
	assert.Equal(t, "wrapped: HTTP 404", e.Get("message").String())
	assert.Equal(t, 404, e.Get("statusCode").Int())
	assert.Equal(t, "x", e.Get("responseBody").Get("errors").Index(0).String())

	plain := ErrorToJS(errors.New("plain"))
	assert.Equal(t, "plain", plain.Get("message").String())
	assert.True(t, plain.Get("statusCode").IsUndefined())

	orig := jsEval(`new RangeError("from js")`)
	assert.True(t, ErrorToJS(js.Error{Value: orig}).Equal(orig))

	var nilErr *httpError
	assert.True(t, ToJS(nilErr).IsNull())
}

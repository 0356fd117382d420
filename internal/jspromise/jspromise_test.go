//go:build js && wasm

package jspromise

import (
	"context"
	"errors"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAwait(t *testing.T) {
	ctx := context.Background()
	promise := js.Global().Get("Promise")

	v, err := Await(ctx, promise.Call("resolve", 42))
	require.NoError(t, err)
	assert.Equal(t, 42, v.Int())

	_, err = Await(ctx, promise.Call("reject", js.Global().Get("Error").New("refused")))
	var jsErr js.Error
	require.True(t, errors.As(err, &jsErr))
	assert.Contains(t, err.Error(), "refused")

	v, err = Await(ctx, js.ValueOf("plain"))
	require.NoError(t, err)
	assert.Equal(t, "plain", v.String())

	// A promise that never settles: the context ends the wait.
	never := promise.New(js.FuncOf(func(js.Value, []js.Value) any { return nil }))
	ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = Await(ctx, never)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

//go:build js && wasm

// Command rest is base plus the REST client and the event stream.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall/js"

	"github.com/wasmphone/wasmphone/pkg/pbx"
)

func main() {
	b, _ := json.Marshal(map[string]any{"a": 1})
	var v any
	_ = json.Unmarshal(b, &v)
	c, err := pbx.New(pbx.Options{Username: "u", Password: "p"})
	if err == nil {
		r, err := c.Customers().Get(context.Background(), "me")
		stop := c.Stream().Subscribe(nil, func(pbx.Event) {})
		stop()
		_, _ = c.DiscoverSIP(context.Background(), pbx.Phone{})
		v = fmt.Sprint(v, r, err)
	}
	js.Global().Set("wasmsize", fmt.Sprint(v))
	select {}
}

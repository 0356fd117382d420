//go:build js && wasm

// Command wasmdeps links the library's packages into one js/wasm binary so
// that `make test` can check what they pull in: net/http's client must stay
// out of the WebAssembly module (it adds about 5 MB). cmd/wasm grows into
// the real module; this check holds before and after that.
package main

import (
	"context"
	"fmt"

	"github.com/wasmphone/wasmphone/pkg/pbx"
	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"
)

func main() {
	c, err := pbx.New(pbx.Options{Username: "u", Password: "p"})
	if err != nil {
		panic(err)
	}
	_, err = c.Customers().Get(context.Background(), "me")
	stop := c.Stream().Subscribe(nil, func(pbx.Event) {})
	stop()
	m, _ := sipmsg.Parse([]byte("OPTIONS sip:a@b SIP/2.0\r\n\r\n"))
	_, _ = digest.ParseChallenge(`Digest realm="x", nonce="y"`)
	st, _ := dialoginfo.StateOf(nil)
	ua, err := sipua.New(sipua.Config{URI: "sip:a@b", Servers: []transport.Server{{URL: "wss://b"}},
		Media: media.Factory(media.AudioOptions{})})
	if err == nil {
		_ = ua.Start()
		_ = ua.SubscribeToUser(context.Background(), "c")
		_ = ua.SendMessage(context.Background(), "c", nil, "")
		if s, err := ua.Call(context.Background(), "c", sipua.CallOptions{}); err == nil {
			_ = s.Hold(context.Background())
			_ = s.SendDTMF(context.Background(), "1", sipua.DTMFOptions{})
		}
		_ = ua.Stop(context.Background())
	}
	fmt.Println(err, m, st)
}

//go:build !js && !(opus && cgo)

package media

import "errors"

// Without the build tag opus (or without cgo) there is no Opus codec:
// native media speaks G.711 and only relays Opus (AudioOptions.NoSource).
// opus_cgo.go has the real thing.

const opusSupported = false

var errNoOpus = errors.New("media: built without Opus (build tag opus)")

type opusEncoder struct{}

func newOpusEncoder() (*opusEncoder, error)             { return nil, errNoOpus }
func (*opusEncoder) encode(pcm []int16) ([]byte, error) { return nil, errNoOpus }
func (*opusEncoder) close()                             {}

type opusDecoder struct{}

func newOpusDecoder() (*opusDecoder, error)                 { return nil, errNoOpus }
func (*opusDecoder) decode(payload []byte) ([]int16, error) { return nil, errNoOpus }
func (*opusDecoder) close()                                 {}

//go:build js && wasm

package jsbridge

// The <audio> binding and the microphone: the library plays the remote
// audio itself, so users need not know about srcObject and autoplay.

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/wasmphone/wasmphone/internal/jspromise"
	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
)

// audioElements are getUA's audio: {local, remote}. Either may be
// undefined.
type audioElements struct {
	local, remote js.Value
}

// element reads an element option: an element, or a CSS selector string
// looked up in the document. An invalid selector is an error.
func element(o js.Value, names ...string) (el js.Value, err error) {
	for _, n := range names {
		v := o.Get(n)
		switch v.Type() {
		case js.TypeObject:
			return v, nil
		case js.TypeString:
			return querySelector(v.String())
		}
	}
	return js.Undefined(), nil
}

// querySelector finds the first element matching sel, undefined when
// there is none or no document.
func querySelector(sel string) (el js.Value, err error) {
	doc := js.Global().Get("document")
	if doc.Type() != js.TypeObject {
		return js.Undefined(), nil
	}
	defer func() {
		if r := recover(); r != nil {
			el, err = js.Undefined(), fmt.Errorf("wasmphone: audio element %q: %v", sel, r)
		}
	}()
	if found := doc.Call("querySelector", sel); found.Type() == js.TypeObject {
		return found, nil
	}
	return js.Undefined(), nil
}

// bindLocal shows our own stream in the local element, muted so the user
// does not hear themselves.
func (a audioElements) bindLocal(stream js.Value) {
	if a.local.Type() != js.TypeObject || stream.Type() != js.TypeObject {
		return
	}
	a.local.Set("muted", true)
	a.local.Set("srcObject", stream)
}

// bindRemote plays the peer's stream in the remote element. A refused
// play() (the page has had no user gesture yet) is returned.
func (a audioElements) bindRemote(stream js.Value) error {
	if a.remote.Type() != js.TypeObject || stream.Type() != js.TypeObject {
		return nil
	}
	a.remote.Set("srcObject", stream)
	a.remote.Set("autoplay", true)
	p := a.remote.Call("play")
	if p.Type() != js.TypeObject {
		return nil
	}
	// play() settles once playback starts, which may be long after the
	// call started; bounded so the goroutine does not outlive the call.
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if _, err := jspromise.Await(ctx, p); err != nil {
		return fmt.Errorf("wasmphone: the remote audio does not play: %w", err)
	}
	return nil
}

// unbind detaches the call's streams from the elements, if they still
// show them.
func (a audioElements) unbind(local, remote js.Value) {
	for _, b := range []struct{ el, s js.Value }{{a.local, local}, {a.remote, remote}} {
		if b.el.Type() == js.TypeObject && b.s.Type() == js.TypeObject && b.el.Get("srcObject").Equal(b.s) {
			b.el.Set("srcObject", js.Null())
		}
	}
}

// mediaAccessError is a refused microphone, with JsSIP's cause.
type mediaAccessError struct{ err error }

func (e mediaAccessError) Error() string { return e.err.Error() }
func (e mediaAccessError) Unwrap() error { return e.err }

// JSProps implements JSPropser.
func (e mediaAccessError) JSProps() map[string]any {
	return map[string]any{"cause": sipua.CauseUserDeniedMedia}
}

// micTimeout bounds the wait for the user to answer the browser's
// microphone prompt.
const micTimeout = 2 * time.Minute

// localStream returns the stream to send: the one given in the options,
// or a new one from getUserMedia (owned: its tracks are ours to stop).
// A refusal carries JsSIP's cause; an unanswered prompt is a timeout.
func localStream(given, constraints js.Value) (stream js.Value, owned bool, err error) {
	if given.Type() == js.TypeObject {
		return given, false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), micTimeout)
	defer cancel()
	s, err := media.GetUserMedia(ctx, constraints)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return js.Undefined(), false, fmt.Errorf("wasmphone: no answer to the microphone prompt within %v", micTimeout)
	case err != nil:
		return js.Undefined(), false, mediaAccessError{err}
	}
	return s, true, nil
}

// stopTracks stops every track of a stream we opened.
func stopTracks(stream js.Value) {
	if stream.Type() != js.TypeObject || stream.Get("getTracks").Type() != js.TypeFunction {
		return
	}
	tracks := stream.Call("getTracks")
	for i := range tracks.Length() {
		tracks.Index(i).Call("stop")
	}
}

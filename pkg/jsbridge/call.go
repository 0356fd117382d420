//go:build js && wasm

package jsbridge

// The RTCSession object of the JavaScript API, JsSIP-shaped, over a
// *sipua.Session, with the <audio> binding done by the library.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// callObj is the Go side of a session object.
type callObj struct {
	p   *phone
	s   *sipua.Session
	em  *Emitter
	obj js.Value

	mu        sync.Mutex
	local     js.Value // our microphone stream
	owned     bool     // we asked for it: stop its tracks at the end
	remote    js.Value // the peer's audio
	watching  bool
	ended     bool
	boundOnce sync.Once
}

func newCallObj(p *phone, s *sipua.Session) *callObj {
	c := &callObj{p: p, s: s, local: js.Undefined(), remote: js.Undefined()}
	c.obj = jsObject.Call("create", callProto())
	c.em = NewEmitter(c.obj)
	defineValue(c.obj, "data", jsObject.New())
	attach(c.obj, c)
	return c
}

// releaseJS frees the emitter's functions once JavaScript has collected
// the session object (see setupREST's FinalizationRegistry).
func (c *callObj) releaseJS() { c.em.Release() }

func (c *callObj) setLocal(stream js.Value, owned bool) {
	c.mu.Lock()
	c.local, c.owned = stream, owned
	ended := c.ended
	c.mu.Unlock()
	if ended {
		c.unbind()
		return
	}
	c.p.audio.bindLocal(stream)
}

// watchRemote binds the peer's audio to the remote <audio> element when
// the media has it.
func (c *callObj) watchRemote() {
	b, ok := c.s.Media().(*media.Browser)
	if !ok {
		return
	}
	c.mu.Lock()
	if c.watching {
		c.mu.Unlock()
		return
	}
	c.watching = true
	c.mu.Unlock()
	b.OnRemoteStream(func(stream js.Value) {
		c.mu.Lock()
		c.remote = stream
		ended := c.ended
		c.mu.Unlock()
		if ended {
			return
		}
		if err := c.p.audio.bindRemote(stream); err != nil {
			c.em.Emit("autoplayfailed", map[string]any{"error": err})
		}
	})
}

// onEvent emits a session event in JsSIP's shape.
func (c *callObj) onEvent(e sipua.SessionEvent) {
	data := map[string]any{"originator": e.Originator}
	if e.Message != nil {
		if e.Message.IsRequest() {
			data["request"] = messageJS(e.Message)
		} else {
			data["response"] = messageJS(e.Message)
		}
	}
	switch e.Type {
	case "peerconnection":
		c.watchRemote()
		data["peerconnection"] = c.connection()
	case "ended", "failed":
		data["cause"] = e.Cause
		data["message"] = data["response"]
		if data["message"] == nil {
			data["message"] = data["request"]
		}
	case "newDTMF":
		data["dtmf"] = map[string]any{"tone": string(e.Tone), "duration": e.Duration.Milliseconds()}
	case "newInfo":
		if e.Message != nil {
			ct, _ := e.Message.ContentType()
			data["info"] = map[string]any{"contentType": ct.String(), "body": string(e.Message.Body)}
		}
	case "refer":
		if e.Refer != nil {
			// JsSIP's shape: the event itself has accept() and reject().
			ev, release := referJS(c, e.Refer)
			for k, v := range data {
				ev.Set(k, ToJS(v))
			}
			if !c.em.Emit(e.Type, ev) {
				go release() // nobody on this call handles transfers
				return
			}
			time.AfterFunc(2*opTimeout, release) // unanswered: refuse, free
			return
		}
	case "replaces":
		data["session"] = nil
		if e.Replacement != nil {
			data["session"] = c.p.objectOf(e.Replacement)
		}
	default:
		if e.StatusCode != 0 {
			data["status_code"] = e.StatusCode
		}
	}
	if e.Type == "confirmed" || e.Type == "accepted" {
		c.watchRemote()
	}
	c.em.Emit(e.Type, data)
	if e.Type == "ended" || e.Type == "failed" {
		c.finish()
	}
}

// finish unbinds the audio, stops the microphone we opened and forgets
// the session once it is over. A while later (long after a pending
// dial() or answer() has resolved) Go lets go of the JavaScript object,
// so that it can be collected once the page drops it too.
func (c *callObj) finish() {
	c.mu.Lock()
	c.ended = true
	c.mu.Unlock()
	c.unbind()
	c.p.forget(c.s)
	time.AfterFunc(detachDelay, c.detach)
}

// detachDelay is how long an ended session's object stays referenced
// from Go.
const detachDelay = 2 * opTimeout

// object returns the session's JavaScript object (undefined once
// detached).
func (c *callObj) object() js.Value {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.obj
}

func (c *callObj) detach() {
	c.mu.Lock()
	c.obj, c.local, c.remote = js.Undefined(), js.Undefined(), js.Undefined()
	c.mu.Unlock()
	c.em.Detach()
}

func (c *callObj) unbind() {
	c.boundOnce.Do(func() {
		c.mu.Lock()
		local, owned, remote := c.local, c.owned, c.remote
		c.mu.Unlock()
		c.p.audio.unbind(local, remote)
		if owned {
			stopTracks(local)
		}
		c.rebindOther()
	})
}

// rebindOther gives the remote element, when this call's end left it
// empty, to another call still up (call waiting).
func (c *callObj) rebindOther() {
	el := c.p.audio.remote
	if el.Type() != js.TypeObject || !el.Get("srcObject").IsNull() {
		return
	}
	for _, other := range c.p.liveCalls() {
		if other == c || other.s.IsEnded() {
			continue
		}
		other.mu.Lock()
		stream := other.remote
		other.mu.Unlock()
		if stream.Type() == js.TypeObject {
			go func() { // play() may take a while to settle
				if err := c.p.audio.bindRemote(stream); err != nil {
					other.em.Emit("autoplayfailed", map[string]any{"error": err})
				}
			}()
			return
		}
	}
}

func (c *callObj) connection() js.Value {
	if b, ok := c.s.Media().(*media.Browser); ok {
		return b.PeerConnection()
	}
	return js.Null()
}

func (p *phone) objectOf(s *sipua.Session) js.Value {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.sessions[s]; c != nil {
		return c.object()
	}
	return js.Null()
}

// referJS is the data of a "refer" event: target, accept(options) that
// calls the target (with the microphone, like dial; options as call's)
// and resolves to the new session, and reject(options) that refuses.
// Either may be called once; the functions are freed then, or when the
// transfer is left unanswered for long. release refuses an unanswered
// transfer (603) and frees the functions.
func referJS(c *callObj, r *sipua.ReferRequest) (obj js.Value, release func()) {
	o := jsObject.New()
	o.Set("target", r.Target.String())
	var funcs Funcs
	var once sync.Once
	answered := func() bool {
		first := false
		once.Do(func() {
			first = true
			go funcs.Release() // not from inside one of them
		})
		return first
	}
	refuse := func(code int) error {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		return r.Reject(ctx, code)
	}
	twice := func() js.Value {
		return Promise(func() (any, error) { return nil, errors.New("wasmphone: this transfer was already answered") })
	}
	DefineMethod(o, "accept", funcs.Func(func(_ js.Value, args []js.Value) any {
		if !answered() {
			return twice()
		}
		opts := js.Undefined()
		if len(args) > 0 {
			opts = args[0]
		}
		spec, err := c.p.readCall(opts)
		return Promise(func() (any, error) {
			if err != nil {
				_ = refuse(603)
				return nil, err
			}
			obj, err := c.p.place(spec, func(ctx context.Context, co sipua.CallOptions) (*sipua.Session, error) {
				return r.Accept(ctx, co)
			})
			if err != nil {
				_ = refuse(603) // a no-op once Accept has answered 202
				return nil, err
			}
			return obj, nil
		})
	}))
	DefineMethod(o, "reject", funcs.Func(func(_ js.Value, args []js.Value) any {
		if !answered() {
			return twice()
		}
		code := 603
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			if v := args[0].Get("status_code"); v.Type() == js.TypeNumber {
				code = v.Int()
			}
		}
		return Promise(func() (any, error) { return js.Undefined(), refuse(code) })
	}))
	return o, func() {
		if answered() {
			_ = refuse(603)
		}
	}
}

// ---- the session prototype ----------------------------------------------

var callProtoOnce struct {
	sync.Once
	v js.Value
}

func callProto() js.Value {
	callProtoOnce.Do(func() {
		setupREST()
		proto := jsObject.New()
		method(proto, "answer", callAnswer)
		method(proto, "terminate", func(this js.Value, args []js.Value) any {
			code := 0
			if len(args) > 0 && args[0].Type() == js.TypeObject {
				if v := args[0].Get("status_code"); v.Type() == js.TypeNumber {
					code = v.Int()
				}
			}
			return callOp(this, "terminate", func(ctx context.Context, c *callObj) (any, error) {
				return nil, c.s.Terminate(ctx, code)
			})
		})
		method(proto, "hold", func(this js.Value, _ []js.Value) any {
			return callOp(this, "hold", func(ctx context.Context, c *callObj) (any, error) { return nil, c.s.Hold(ctx) })
		})
		method(proto, "unhold", func(this js.Value, _ []js.Value) any {
			return callOp(this, "unhold", func(ctx context.Context, c *callObj) (any, error) { return nil, c.s.Unhold(ctx) })
		})
		method(proto, "renegotiate", func(this js.Value, args []js.Value) any {
			restart := len(args) > 0 && args[0].Type() == js.TypeObject && args[0].Get("iceRestart").Truthy()
			return callOp(this, "renegotiate", func(ctx context.Context, c *callObj) (any, error) {
				return nil, c.s.Renegotiate(ctx, restart)
			})
		})
		method(proto, "isOnHold", func(this js.Value, _ []js.Value) any {
			_, c, err := receiver[*callObj](this, "isOnHold")
			if err != nil {
				return map[string]any{"local": false, "remote": false}
			}
			l, r := c.s.IsOnHold()
			return ToJS(map[string]any{"local": l, "remote": r})
		})
		method(proto, "mute", func(this js.Value, _ []js.Value) any {
			if _, c, err := receiver[*callObj](this, "mute"); err == nil {
				c.s.Mute()
			}
			return js.Undefined()
		})
		method(proto, "unmute", func(this js.Value, _ []js.Value) any {
			if _, c, err := receiver[*callObj](this, "unmute"); err == nil {
				c.s.Unmute()
			}
			return js.Undefined()
		})
		method(proto, "isMuted", func(this js.Value, _ []js.Value) any {
			_, c, err := receiver[*callObj](this, "isMuted")
			return ToJS(map[string]any{"audio": err == nil && c.s.IsMuted(), "video": false})
		})
		method(proto, "sendDTMF", func(this js.Value, args []js.Value) any {
			tones := argString(args, 0)
			var o sipua.DTMFOptions
			if len(args) > 1 && args[1].Type() == js.TypeObject {
				opts := args[1]
				if v := opts.Get("duration"); v.Type() == js.TypeNumber {
					o.Duration = time.Duration(v.Float() * float64(time.Millisecond))
				}
				if v := opts.Get("interToneGap"); v.Type() == js.TypeNumber {
					o.InterToneGap = time.Duration(v.Float() * float64(time.Millisecond))
				}
				o.Transport = optString(opts, "transportType")
			}
			return callOp(this, "sendDTMF", func(ctx context.Context, c *callObj) (any, error) {
				return nil, c.s.SendDTMF(ctx, tones, o)
			})
		})
		method(proto, "sendInfo", func(this js.Value, args []js.Value) any {
			ct, body := argString(args, 0), argString(args, 1)
			return callOp(this, "sendInfo", func(ctx context.Context, c *callObj) (any, error) {
				return nil, c.s.SendInfo(ctx, ct, []byte(body))
			})
		})
		method(proto, "refer", func(this js.Value, args []js.Value) any {
			target := argString(args, 0)
			var replaces *sipua.Session
			if len(args) > 1 && args[1].Type() == js.TypeObject {
				if r := args[1].Get("replaces"); r.Type() == js.TypeObject {
					_, rc, err := receiver[*callObj](r, "refer")
					if err != nil {
						return Promise(func() (any, error) {
							return nil, errors.New("wasmphone: refer: replaces must be a session of this library")
						})
					}
					replaces = rc.s
				}
			}
			return callOp(this, "refer", func(ctx context.Context, c *callObj) (any, error) {
				return nil, c.s.Refer(ctx, target, sipua.ReferOptions{Replaces: replaces})
			})
		})
		method(proto, "getStats", callStats)
		method(proto, "quality", callStats)
		for _, f := range []struct {
			name string
			fn   func(*sipua.Session) bool
		}{
			{"isEstablished", (*sipua.Session).IsEstablished},
			{"isInProgress", (*sipua.Session).IsInProgress},
			{"isEnded", (*sipua.Session).IsEnded},
		} {
			method(proto, f.name, func(this js.Value, _ []js.Value) any {
				_, c, err := receiver[*callObj](this, f.name)
				return err == nil && f.fn(c.s)
			})
		}
		getters := map[string]func(c *callObj) any{
			"connection":      func(c *callObj) any { return c.connection() },
			"direction":       func(c *callObj) any { return c.s.Direction() },
			"local_identity":  func(c *callObj) any { return identityJS(c.s.LocalIdentity()) },
			"remote_identity": func(c *callObj) any { return identityJS(c.s.RemoteIdentity()) },
			"start_time":      func(c *callObj) any { return timeOrNull(c.s.StartTime()) },
			"end_time":        func(c *callObj) any { return timeOrNull(c.s.EndTime()) },
			"status":          func(c *callObj) any { return int(c.s.Status()) },
			"localStream": func(c *callObj) any {
				c.mu.Lock()
				defer c.mu.Unlock()
				return c.local
			},
			"remoteStream": func(c *callObj) any {
				c.mu.Lock()
				defer c.mu.Unlock()
				return c.remote
			},
		}
		for name, get := range getters {
			getter(proto, name, func(this js.Value) any {
				_, c, err := receiver[*callObj](this, name)
				if err != nil {
					return nil
				}
				return ToJS(get(c))
			})
		}
		callProtoOnce.v = proto
	})
	return callProtoOnce.v
}

// callOp is op for session methods.
func callOp(this js.Value, what string, fn func(ctx context.Context, c *callObj) (any, error)) js.Value {
	return op(this, what, fn)
}

// callAnswer is session.answer(options): the microphone, then our SDP
// answer. A refused microphone emits getusermediafailed and refuses the
// call with 480, as JsSIP does.
func callAnswer(this js.Value, args []js.Value) any {
	_, c, err := receiver[*callObj](this, "answer")
	if err != nil {
		return Promise(func() (any, error) { return nil, err })
	}
	opts := js.Undefined()
	if len(args) > 0 && args[0].Type() == js.TypeObject {
		opts = args[0]
	}
	co, err := c.p.callOptions(opts)
	constraints := js.ValueOf(map[string]any{"audio": true, "video": false})
	given := js.Undefined()
	if opts.Type() == js.TypeObject {
		if v := opts.Get("mediaConstraints"); v.Type() == js.TypeObject {
			constraints = v
		}
		if v := opts.Get("mediaStream"); v.Type() == js.TypeObject {
			given = v
		}
	}
	return Promise(func() (any, error) {
		if err != nil {
			return nil, err
		}
		if !hasWebRTC() {
			return nil, ErrNeedsBrowser
		}
		stream, owned, err := localStream(given, constraints)
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		if err != nil {
			c.em.Emit("getusermediafailed", err)
			_ = c.s.Terminate(ctx, 480)
			return nil, err
		}
		co.MediaFactory = media.Factory(media.AudioOptions{Stream: stream})
		if err := c.s.Answer(ctx, co); err != nil {
			if owned {
				stopTracks(stream)
			}
			return nil, err
		}
		c.setLocal(stream, owned)
		c.watchRemote()
		return js.Undefined(), nil
	})
}

// callStats is session.getStats(): the call-quality numbers.
func callStats(this js.Value, _ []js.Value) any {
	return callOp(this, "getStats", func(ctx context.Context, c *callObj) (any, error) {
		st, err := c.s.Stats(ctx)
		if err != nil {
			return nil, err
		}
		return map[string]any{
			"packetsSent":     st.PacketsSent,
			"packetsReceived": st.PacketsReceived,
			"packetsLost":     st.PacketsLost,
			"jitter":          st.Jitter.Seconds(),
			"roundTripTime":   st.RoundTripTime.Seconds(),
			"audioLevel":      st.AudioLevel,
			"bytesSent":       st.BytesSent,
			"bytesReceived":   st.BytesRecv,
		}, nil
	})
}

func timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// ---- SIP values ---------------------------------------------------------

// identityJS is a JsSIP NameAddrHeader-like object: display_name and
// uri (scheme, user, host, port), each with toString().
func identityJS(a sipmsg.Address) js.Value {
	protos := sipProtos()
	uri := jsObject.Call("create", protos.uri)
	uri.Set("scheme", a.URI.Scheme)
	uri.Set("user", a.URI.User)
	uri.Set("host", a.URI.Host)
	if a.URI.Port != 0 {
		uri.Set("port", a.URI.Port)
	} else {
		uri.Set("port", js.Undefined())
	}
	defineValue(uri, "value", a.URI.String())
	o := jsObject.Call("create", protos.nameAddr)
	if a.DisplayName != "" {
		o.Set("display_name", a.DisplayName)
	} else {
		o.Set("display_name", js.Undefined())
	}
	o.Set("uri", uri)
	defineValue(o, "value", a.String())
	return o
}

// sipProtos are the prototypes of SIP values in JavaScript: toString()
// of URIs and name-addrs, getHeader() and hasHeader() of messages.
type sipProtoSet struct {
	sync.Once
	uri, nameAddr, message js.Value
}

var sipProtoOnce sipProtoSet

func sipProtos() *sipProtoSet {
	sipProtoOnce.Do(func() {
		setupREST()
		toString := func(this js.Value, _ []js.Value) any { return this.Get("value") }
		sipProtoOnce.uri = jsObject.New()
		method(sipProtoOnce.uri, "toString", toString)
		sipProtoOnce.nameAddr = jsObject.New()
		method(sipProtoOnce.nameAddr, "toString", toString)
		sipProtoOnce.message = jsObject.New()
		header := func(this js.Value, args []js.Value) js.Value {
			h := this.Get("headers")
			if len(args) == 0 || args[0].Type() != js.TypeString || h.Type() != js.TypeObject {
				return js.Undefined()
			}
			return h.Get(strings.ToLower(args[0].String()))
		}
		method(sipProtoOnce.message, "getHeader", func(this js.Value, args []js.Value) any {
			if v := header(this, args); v.Type() == js.TypeObject && v.Length() > 0 {
				return v.Index(0)
			}
			return js.Undefined()
		})
		method(sipProtoOnce.message, "hasHeader", func(this js.Value, args []js.Value) any {
			return header(this, args).Type() == js.TypeObject
		})
	})
	return &sipProtoOnce
}

// messageJS is a view of a SIP message in JsSIP's shape: method and
// ruri or status_code and reason_phrase, from, to, call_id, body, the
// headers (lower-case name -> values; credentials left out) and
// getHeader(name) / hasHeader(name).
func messageJS(m *sipmsg.Message) any {
	if m == nil {
		return nil
	}
	headers := map[string]any{}
	for _, h := range m.Headers() {
		name := strings.ToLower(h.Name)
		if name == "authorization" || name == "proxy-authorization" {
			continue // credentials never leave the library
		}
		list, _ := headers[name].([]any)
		headers[name] = append(list, h.Value)
	}
	o := jsObject.Call("create", sipProtos().message)
	o.Set("headers", ToJS(headers))
	o.Set("body", string(m.Body))
	o.Set("call_id", m.CallID())
	if m.IsRequest() {
		o.Set("method", m.Method)
		o.Set("ruri", identityJS(sipmsg.Address{URI: m.RequestURI}).Get("uri"))
	} else {
		o.Set("status_code", m.StatusCode)
		o.Set("reason_phrase", m.Reason)
	}
	if from, err := m.From(); err == nil {
		o.Set("from", identityJS(from))
	}
	if to, err := m.To(); err == nil {
		o.Set("to", identityJS(to))
	}
	return o
}

func sipHeader(name, value string) sipmsg.Header {
	return sipmsg.Header{Name: name, Value: value}
}

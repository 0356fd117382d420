//go:build js && wasm

package jsbridge

// The phone half of the JavaScript API: sipcentric.getUA(config) and the
// UA object, JsSIP-shaped, over pkg/sipua.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/google/uuid"

	"github.com/wasmphone/wasmphone/pkg/pbx"
	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"
)

// Defaults of getUA, as the original client had them.
const (
	defaultDomain   = "sip.sipcentric.com"
	defaultWSServer = "wss://sipws.sipcentric.com"
	instanceIDKey   = "sc-instance-id"

	// opTimeout bounds the UA operations a Promise waits for.
	opTimeout = 30 * time.Second

	// uaDetachDelay is how long a stopped UA's object stays referenced
	// from Go: its last events are delivered well within it.
	uaDetachDelay = 2 * time.Second
)

// ErrNeedsBrowser rejects calls in a runtime without WebRTC (Node.js).
var ErrNeedsBrowser = errors.New("wasmphone: calls need a browser (WebRTC): this JavaScript runtime has no RTCPeerConnection")

// phone is the Go side of a UA object.
type phone struct {
	ua    *sipua.UA
	em    *Emitter
	obj   js.Value
	audio audioElements
	call  callDefaults

	mu         sync.Mutex
	started    bool
	sessions   map[*sipua.Session]*callObj
	detachOnce sync.Once
}

// detach drops Go's references to the UA's JavaScript object.
func (p *phone) detach() {
	p.mu.Lock()
	p.obj = js.Undefined()
	p.mu.Unlock()
	p.em.Detach()
}

// releaseJS frees the emitter's functions once JavaScript has collected
// the UA object (see setupREST's FinalizationRegistry).
func (p *phone) releaseJS() { p.em.Release() }

// callDefaults are the call options getUA's config sets for every call.
type callDefaults struct {
	media media.Options
}

// uaConfig is getUA's config, read from JavaScript.
type uaConfig struct {
	register        bool
	instanceID      string
	customerID      string
	extensionID     string
	username        string
	password        string
	domain          string
	domainGiven     bool // else the SIP identity's domain is used
	wsServer        string
	registerExpires int
	userAgent       string
	displayName     string
	debug           bool
	audio           audioElements
	media           media.Options
}

// readUAConfig reads getUA's config over the Sipcentric object's
// defaults.
func readUAConfig(o js.Value, s *sipcentric) (uaConfig, error) {
	c := uaConfig{domain: defaultDomain, wsServer: defaultWSServer, registerExpires: 300, debug: s.debug}
	if s.domain != "" {
		c.domain, c.domainGiven = s.domain, true
	}
	if s.wsServer != "" {
		c.wsServer = s.wsServer
	}
	if o.Type() != js.TypeObject {
		if o.IsUndefined() || o.IsNull() {
			return c, nil
		}
		return c, errors.New("wasmphone: getUA: config must be an object")
	}
	c.register = o.Get("register").Truthy()
	c.instanceID = optString(o, "instanceId")
	c.customerID = optString(o, "customerId")
	c.extensionID = optString(o, "extensionId", "endpointId")
	c.username = optString(o, "username")
	c.password = optString(o, "password")
	if d := optString(o, "domain"); d != "" {
		c.domain, c.domainGiven = d, true
	}
	if w := optString(o, "wsServer"); w != "" {
		c.wsServer = w
	}
	if v := o.Get("registerExpires"); v.Type() == js.TypeNumber {
		f := v.Float()
		if f < 1 || f > math.MaxInt32 || math.IsNaN(f) {
			return c, fmt.Errorf("wasmphone: getUA: registerExpires must be a positive number of seconds, not %v", f)
		}
		c.registerExpires = int(f)
	}
	c.userAgent = optString(o, "userAgent")
	c.displayName = optString(o, "displayName")
	if v := o.Get("debug"); v.Type() == js.TypeBoolean {
		c.debug = v.Bool()
	}
	if a := o.Get("audio"); a.Type() == js.TypeObject {
		local, err := element(a, "local", "localAudio")
		if err != nil {
			return c, err
		}
		remote, err := element(a, "remote", "remoteAudio")
		if err != nil {
			return c, err
		}
		c.audio = audioElements{local: local, remote: remote}
	}
	m, err := readMediaOptions(o)
	if err != nil {
		return c, err
	}
	c.media = m
	return c, nil
}

// readMediaOptions reads pcConfig.iceServers (JsSIP), or iceServers, and
// iceGatheringTimeout (ms).
func readMediaOptions(o js.Value) (media.Options, error) {
	var m media.Options
	servers := o.Get("iceServers")
	if pc := o.Get("pcConfig"); pc.Type() == js.TypeObject {
		servers = pc.Get("iceServers")
	}
	if servers.Type() == js.TypeObject {
		if !js.Global().Get("Array").Call("isArray", servers).Bool() {
			return m, errors.New("wasmphone: iceServers must be an array")
		}
		for i := range servers.Length() {
			s := servers.Index(i)
			if s.Type() != js.TypeObject {
				return m, fmt.Errorf("wasmphone: iceServers[%d] must be an object", i)
			}
			var srv media.ICEServer
			switch u := s.Get("urls"); u.Type() {
			case js.TypeString:
				srv.URLs = []string{u.String()}
			case js.TypeObject:
				for j := range u.Length() {
					srv.URLs = append(srv.URLs, u.Index(j).String())
				}
			default:
				return m, fmt.Errorf("wasmphone: iceServers[%d].urls is missing", i)
			}
			srv.Username = optString(s, "username")
			srv.Credential = optString(s, "credential")
			m.ICEServers = append(m.ICEServers, srv)
		}
	}
	if t := o.Get("iceGatheringTimeout"); t.Type() == js.TypeNumber && t.Float() > 0 && !math.IsInf(t.Float(), 0) {
		m.ICEGatherTimeout = time.Duration(t.Float() * float64(time.Millisecond))
	}
	return m, nil
}

// getUA is sipcentric.getUA(config): it finds SIP credentials through
// the REST API when the config has none, and resolves to a UA object
// that starts by itself once the caller's then() has run, unless the
// caller started or stopped it first.
func getUA(this js.Value, args []js.Value) any {
	_, s, err := receiver[*sipcentric](this, "getUA")
	if err != nil {
		return Promise(func() (any, error) { return nil, err })
	}
	cfgArg := js.Undefined()
	if len(args) > 0 {
		cfgArg = args[0]
	}
	cfg, err := readUAConfig(cfgArg, s)
	if err != nil {
		return Promise(func() (any, error) { return nil, err })
	}
	if cfg.instanceID == "" {
		cfg.instanceID = s.instanceID()
	}
	return Promise(func() (any, error) {
		if cfg.username == "" || cfg.password == "" {
			if s.client == nil {
				return nil, s.err
			}
			ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
			defer cancel()
			found, err := s.client.DiscoverSIP(ctx, pbx.Phone{CustomerID: cfg.customerID, ExtensionID: cfg.extensionID})
			if err != nil {
				return nil, jsErr(err)
			}
			cfg.username, cfg.password = found.Username, found.Password
			if found.Domain != "" && !cfg.domainGiven {
				cfg.domain = found.Domain
			}
		}
		p, err := newPhone(cfg)
		if err != nil {
			return nil, err
		}
		// Start on the next task: the caller's then() runs first and can
		// add listeners; an explicit start() or stop() wins.
		var fn js.Func
		fn = js.FuncOf(func(js.Value, []js.Value) any {
			fn.Release()
			go p.autoStart()
			return nil
		})
		js.Global().Call("setTimeout", fn, 0)
		return p.em.Value(), nil
	})
}

// instanceID returns the RFC 5626 instance id of this page or process:
// kept in localStorage['sc-instance-id'] when there is one, so a browser
// registers as the same device across reloads, else for the life of the
// Sipcentric object.
func (s *sipcentric) instanceID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.instance != "" {
		return s.instance
	}
	store := js.Undefined()
	func() {
		defer func() { _ = recover() }() // localStorage throws when storage is blocked
		if ls := js.Global().Get("localStorage"); ls.Type() == js.TypeObject {
			store = ls
		}
	}()
	if store.Type() == js.TypeObject {
		func() {
			defer func() { _ = recover() }()
			if v := store.Call("getItem", instanceIDKey); v.Type() == js.TypeString {
				if _, err := uuid.Parse(v.String()); err == nil {
					s.instance = v.String()
				}
			}
			if s.instance == "" {
				s.instance = uuid.NewString()
				store.Call("setItem", instanceIDKey, s.instance)
			}
		}()
	}
	if s.instance == "" {
		s.instance = uuid.NewString()
	}
	return s.instance
}

// hasWebRTC reports whether calls are possible in this runtime.
func hasWebRTC() bool {
	return js.Global().Get("RTCPeerConnection").Type() == js.TypeFunction
}

func newPhone(cfg uaConfig) (*phone, error) {
	p := &phone{audio: cfg.audio, call: callDefaults{media: cfg.media}, sessions: map[*sipua.Session]*callObj{}}
	p.obj = jsObject.Call("create", phoneProto())
	p.em = NewEmitter(p.obj)
	attach(p.obj, p)

	sc := sipua.Config{
		Servers:         []transport.Server{{URL: cfg.wsServer}},
		URI:             "sip:" + cfg.username + "@" + cfg.domain,
		AuthUser:        cfg.username,
		Password:        cfg.password,
		DisplayName:     cfg.displayName,
		InstanceID:      cfg.instanceID,
		Register:        cfg.register,
		RegisterExpires: cfg.registerExpires,
		UserAgent:       cfg.userAgent,
		OnEvent:         p.onEvent,
		Wants:           p.wants,
		Trace:           cfg.debug,
	}
	if cfg.debug {
		sc.Logger = slog.New(slog.NewTextHandler(consoleWriter{}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if hasWebRTC() {
		sc.Media = media.Factory(media.AudioOptions{})
	}
	ua, err := sipua.New(sc)
	if err != nil {
		p.em.Release()
		return nil, fmt.Errorf("wasmphone: getUA: %w", err)
	}
	p.ua = ua
	return p, nil
}

// wants tells the UA whether the page handles an event: UA events by the
// UA's listeners, a transfer request ("refer") by a listener on any live
// session, as JsSIP asks.
func (p *phone) wants(event string) bool {
	if event != "refer" {
		return p.em.HasListeners(event)
	}
	for _, c := range p.liveCalls() {
		if c.em.HasListeners(event) {
			return true
		}
	}
	return false
}

// consoleWriter writes debug logs to console.debug, one call per line.
type consoleWriter struct{}

func (consoleWriter) Write(b []byte) (int, error) {
	js.Global().Get("console").Call("debug", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

var _ io.Writer = consoleWriter{}

func (p *phone) autoStart() {
	p.mu.Lock()
	started := p.started
	p.started = true
	p.mu.Unlock()
	if !started {
		if err := p.ua.Start(); err != nil && !errors.Is(err, sipua.ErrStopped) {
			js.Global().Get("console").Call("error", "wasmphone: UA start: "+err.Error())
		}
	}
}

// ---- the UA prototype ---------------------------------------------------

var phoneProtoOnce struct {
	sync.Once
	v js.Value
}

func phoneProto() js.Value {
	phoneProtoOnce.Do(func() {
		setupREST()
		proto := jsObject.New()
		method(proto, "start", func(this js.Value, _ []js.Value) any {
			_, p, err := receiver[*phone](this, "start")
			if err != nil {
				js.Global().Get("console").Call("error", err.Error())
				return js.Undefined()
			}
			p.mu.Lock()
			p.started = true
			p.mu.Unlock()
			if err := p.ua.Start(); err != nil && !errors.Is(err, sipua.ErrStopped) {
				js.Global().Get("console").Call("error", "wasmphone: UA start: "+err.Error())
			}
			return js.Undefined()
		})
		method(proto, "stop", func(this js.Value, _ []js.Value) any {
			return phoneOp(this, "stop", func(ctx context.Context, p *phone) (any, error) {
				p.mu.Lock()
				p.started = true // a stopped UA never auto-starts
				p.mu.Unlock()
				err := p.ua.Stop(ctx)
				if errors.Is(err, sipua.ErrStopped) {
					err = nil
				}
				// A stopped UA cannot start again: a while later (its last
				// events delivered), Go lets go of the object, so that the
				// page can drop it and its listeners.
				p.detachOnce.Do(func() { time.AfterFunc(uaDetachDelay, p.detach) })
				return nil, err
			})
		})
		method(proto, "register", func(this js.Value, _ []js.Value) any {
			return phoneOp(this, "register", func(ctx context.Context, p *phone) (any, error) {
				return nil, p.ua.Register(ctx)
			})
		})
		method(proto, "unregister", func(this js.Value, _ []js.Value) any {
			return phoneOp(this, "unregister", func(ctx context.Context, p *phone) (any, error) {
				return nil, p.ua.Unregister(ctx)
			})
		})
		method(proto, "isConnected", func(this js.Value, _ []js.Value) any {
			_, p, err := receiver[*phone](this, "isConnected")
			return err == nil && p.ua.IsConnected()
		})
		method(proto, "isRegistered", func(this js.Value, _ []js.Value) any {
			_, p, err := receiver[*phone](this, "isRegistered")
			return err == nil && p.ua.IsRegistered()
		})
		method(proto, "call", phoneCall)
		method(proto, "dial", phoneCall)
		method(proto, "sendMessage", func(this js.Value, args []js.Value) any {
			target, body, contentType := argString(args, 0), argString(args, 1), "text/plain"
			if len(args) > 2 && args[2].Type() == js.TypeObject {
				if ct := optString(args[2], "contentType"); ct != "" {
					contentType = ct
				}
			}
			return phoneOp(this, "sendMessage", func(ctx context.Context, p *phone) (any, error) {
				return nil, p.ua.SendMessage(ctx, target, []byte(body), contentType)
			})
		})
		method(proto, "subscribeToUser", func(this js.Value, args []js.Value) any {
			user := argString(args, 0)
			return phoneOp(this, "subscribeToUser", func(ctx context.Context, p *phone) (any, error) {
				return nil, p.ua.SubscribeToUser(ctx, user)
			})
		})
		method(proto, "unsubscribeUser", func(this js.Value, args []js.Value) any {
			user := argString(args, 0)
			return phoneOp(this, "unsubscribeUser", func(ctx context.Context, p *phone) (any, error) {
				return nil, p.ua.UnsubscribeUser(ctx, user)
			})
		})
		method(proto, "clearSubscriptions", func(this js.Value, _ []js.Value) any {
			return phoneOp(this, "clearSubscriptions", func(ctx context.Context, p *phone) (any, error) {
				return nil, p.ua.ClearSubscriptions(ctx)
			})
		})
		method(proto, "terminateSessions", func(this js.Value, _ []js.Value) any {
			return phoneOp(this, "terminateSessions", func(ctx context.Context, p *phone) (any, error) {
				var errs []error
				for _, c := range p.liveCalls() {
					if err := c.s.Terminate(ctx, 0); err != nil {
						errs = append(errs, err)
					}
				}
				return nil, errors.Join(errs...)
			})
		})
		getter(proto, "instanceId", func(this js.Value) any {
			_, p, err := receiver[*phone](this, "instanceId")
			if err != nil {
				return nil
			}
			return p.ua.InstanceID()
		})
		getter(proto, "uri", func(this js.Value) any {
			_, p, err := receiver[*phone](this, "uri")
			if err != nil {
				return nil
			}
			return p.ua.AOR().String()
		})
		phoneProtoOnce.v = proto
	})
	return phoneProtoOnce.v
}

// op runs an operation of the Go object behind this in a goroutine,
// behind a Promise, bounded by opTimeout.
func op[T any](this js.Value, what string, fn func(ctx context.Context, v T) (any, error)) js.Value {
	_, v, err := receiver[T](this, what)
	if err != nil {
		return Promise(func() (any, error) { return nil, err })
	}
	return Promise(func() (any, error) {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		r, err := fn(ctx, v)
		if r == nil {
			return js.Undefined(), err // Promise<void> resolves with undefined
		}
		return r, err
	})
}

// phoneOp is op for UA methods.
func phoneOp(this js.Value, what string, fn func(ctx context.Context, p *phone) (any, error)) js.Value {
	return op(this, what, fn)
}

func argString(args []js.Value, i int) string {
	if i >= len(args) {
		return ""
	}
	switch v := args[i]; v.Type() {
	case js.TypeString:
		return v.String()
	case js.TypeNumber:
		return fmt.Sprint(v.Float())
	}
	return ""
}

func (p *phone) liveCalls() []*callObj {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*callObj, 0, len(p.sessions))
	for _, c := range p.sessions {
		out = append(out, c)
	}
	return out
}

// ---- events -------------------------------------------------------------

// onEvent receives the UA's events in order, on the UA's event goroutine.
func (p *phone) onEvent(ev sipua.Event) {
	switch e := ev.(type) {
	case sipua.ConnectingEvent:
		p.em.Emit("connecting", map[string]any{"socket": map[string]any{"url": e.URL}, "attempts": e.Attempt})
	case sipua.ConnectedEvent:
		p.em.Emit("connected", map[string]any{"socket": map[string]any{"url": e.URL}})
	case sipua.DisconnectedEvent:
		p.em.Emit("disconnected", map[string]any{"error": e.Err != nil, "code": e.Code, "reason": e.Reason})
	case sipua.RegisteredEvent:
		p.em.Emit("registered", map[string]any{"response": messageJS(e.Response), "expires": e.Expires})
	case sipua.UnregisteredEvent:
		p.em.Emit("unregistered", map[string]any{"response": messageJS(e.Response), "cause": nullIfEmpty(e.Cause)})
	case sipua.RegistrationFailedEvent:
		p.em.Emit("registrationFailed", map[string]any{"response": messageJS(e.Response), "cause": e.Cause})
	case sipua.RegistrationExpiringEvent:
		p.em.Emit("registrationExpiring", map[string]any{})
	case sipua.NewMessageEvent:
		remote, local := e.From, e.To
		if e.Originator == "local" {
			remote, local = e.To, e.From
		}
		p.em.Emit("newMessage", map[string]any{
			"originator": e.Originator,
			"message": map[string]any{
				"remote_identity": identityJS(remote),
				"local_identity":  identityJS(local),
				"content_type":    e.ContentType,
				"body":            string(e.Body),
			},
			"request": messageJS(e.Request),
		})
	case sipua.UserStateChangedEvent:
		p.em.Emit("userStateChanged", e.User, e.State.String())
	case sipua.NewSessionEvent:
		c := p.adopt(e.Session)
		data := map[string]any{"originator": e.Originator, "session": c.object(), "request": messageJS(e.Request)}
		// Emit says whether a listener ran, once-listeners included.
		if !p.em.Emit("newRTCSession", data) && e.Originator == "remote" {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
				defer cancel()
				_ = e.Session.Terminate(ctx, 480)
			}()
		}
	case sipua.SessionEvent:
		p.mu.Lock()
		c := p.sessions[e.Session]
		p.mu.Unlock()
		if c != nil {
			c.onEvent(e)
		}
	}
}

// adopt returns the JavaScript object of a session, making it on first
// use.
func (p *phone) adopt(s *sipua.Session) *callObj {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.sessions[s]; c != nil {
		return c
	}
	c := newCallObj(p, s)
	p.sessions[s] = c
	return c
}

// listen adds an eventHandlers object's functions as listeners.
func (c *callObj) listen(handlers js.Value) {
	if handlers.Type() != js.TypeObject {
		return
	}
	keys := jsObject.Call("keys", handlers)
	for i := range keys.Length() {
		name := keys.Index(i).String()
		if fn := handlers.Get(name); fn.Type() == js.TypeFunction {
			c.em.On(name, fn)
		}
	}
}

func (p *phone) forget(s *sipua.Session) {
	p.mu.Lock()
	delete(p.sessions, s)
	p.mu.Unlock()
}

// ---- calls --------------------------------------------------------------

// phoneCall is ua.call(target, options) and ua.dial(target, options):
// a Promise of the session, audio only as the original's dial. The
// microphone is asked for first; a refusal rejects with cause "User
// Denied Media Access".
func phoneCall(this js.Value, args []js.Value) any {
	_, p, err := receiver[*phone](this, "call")
	if err != nil {
		return Promise(func() (any, error) { return nil, err })
	}
	target := argString(args, 0)
	opts := js.Undefined()
	if len(args) > 1 && args[1].Type() == js.TypeObject {
		opts = args[1]
	}
	spec, err := p.readCall(opts)
	if err != nil {
		return Promise(func() (any, error) { return nil, err })
	}
	return Promise(func() (any, error) {
		return p.place(spec, func(ctx context.Context, co sipua.CallOptions) (*sipua.Session, error) {
			return p.ua.Call(ctx, target, co)
		})
	})
}

// callSpec is what call(), dial() and a transfer's accept() take from
// their options.
type callSpec struct {
	co          sipua.CallOptions
	constraints js.Value // getUserMedia's
	given       js.Value // options.mediaStream, or undefined
	handlers    js.Value // options.eventHandlers, or undefined
}

func (p *phone) readCall(opts js.Value) (callSpec, error) {
	co, err := p.callOptions(opts)
	if err != nil {
		return callSpec{}, err
	}
	// Audio only unless the options say otherwise: dial's defaults in
	// the original, and the only media this phone handles.
	spec := callSpec{co: co, constraints: js.ValueOf(map[string]any{"audio": true, "video": false}),
		given: js.Undefined(), handlers: js.Undefined()}
	if opts.Type() == js.TypeObject {
		if v := opts.Get("mediaConstraints"); v.Type() == js.TypeObject {
			spec.constraints = v
		}
		if v := opts.Get("mediaStream"); v.Type() == js.TypeObject {
			spec.given = v
		}
		if v := opts.Get("eventHandlers"); v.Type() == js.TypeObject {
			spec.handlers = v
		}
	}
	return spec, nil
}

// place asks for the microphone, then places a call with do (a call, or
// the one a transfer asks for); the session's object gets the
// eventHandlers before any of its events.
func (p *phone) place(spec callSpec, do func(ctx context.Context, co sipua.CallOptions) (*sipua.Session, error)) (any, error) {
	if !hasWebRTC() {
		return nil, ErrNeedsBrowser
	}
	stream, owned, err := localStream(spec.given, spec.constraints)
	if err != nil {
		return nil, err
	}
	var made *callObj
	spec.co.MediaFactory = media.Factory(media.AudioOptions{Stream: stream})
	spec.co.OnSession = func(s *sipua.Session) {
		made = p.adopt(s)
		made.listen(spec.handlers)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	s, err := do(ctx, spec.co)
	if err != nil {
		if owned {
			stopTracks(stream)
		}
		return nil, err
	}
	if made == nil { // OnSession runs before Call returns; this is a guard
		made = p.adopt(s)
	}
	made.setLocal(stream, owned)
	made.watchRemote()
	return made.object(), nil
}

// callOptions reads the call options shared by call() and answer():
// pcConfig / iceServers, extraHeaders, sessionTimersExpires and
// noAnswerTimeout (ms), over the UA's defaults.
func (p *phone) callOptions(o js.Value) (sipua.CallOptions, error) {
	co := sipua.CallOptions{Media: p.call.media}
	if o.Type() != js.TypeObject {
		return co, nil
	}
	m, err := readMediaOptions(o)
	if err != nil {
		return co, err
	}
	if len(m.ICEServers) > 0 {
		co.Media.ICEServers = m.ICEServers
	}
	if m.ICEGatherTimeout > 0 {
		co.Media.ICEGatherTimeout = m.ICEGatherTimeout
	}
	if h := o.Get("extraHeaders"); h.Type() == js.TypeObject {
		for i := range h.Length() {
			line := h.Index(i)
			if line.Type() != js.TypeString {
				return co, fmt.Errorf("wasmphone: extraHeaders[%d] must be a string", i)
			}
			name, value, ok := strings.Cut(line.String(), ":")
			if !ok {
				return co, fmt.Errorf("wasmphone: extraHeaders[%d] is not \"Name: value\"", i)
			}
			co.ExtraHeaders = append(co.ExtraHeaders, sipHeader(strings.TrimSpace(name), strings.TrimSpace(value)))
		}
	}
	if v := o.Get("sessionTimersExpires"); v.Type() == js.TypeNumber {
		co.SessionTimersExpires = int(v.Float())
	}
	if v := o.Get("noAnswerTimeout"); v.Type() == js.TypeNumber && v.Float() > 0 {
		co.NoAnswerTimeout = time.Duration(v.Float() * float64(time.Millisecond))
	}
	return co, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

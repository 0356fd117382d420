//go:build js && wasm

package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall/js"
)

// jsConn is a WebSocket of the JavaScript runtime (the browser's, or the
// one the package's loader installs in Node.js), driven through its
// events. Messages are queued as they arrive: a JavaScript WebSocket has
// no flow control to push back with.
type jsConn struct {
	ws     js.Value
	funcs  map[string]js.Func
	opened chan struct{} // closed by the open event
	closed chan struct{} // closed by the close event
	notify chan struct{} // a message was queued (capacity 1)

	mu      sync.Mutex
	queue   [][]byte
	limit   int64
	err     error // why the connection ended, set before closed is closed
	release sync.Once
}

// ErrNoWebSocket reports a JavaScript runtime without a WebSocket class.
var ErrNoWebSocket = errors.New("transport: no WebSocket in this JavaScript runtime")

// dial opens a WebSocket with the sip subprotocol. The runtime sets the
// handshake's headers and answers WebSocket pings itself.
//
// A dial abandoned through ctx closes the socket with 1000 (browsers
// accept no other code below 3000), which also fails an attempt still
// connecting.
func dial(ctx context.Context, url string, _ *Config, _ func()) (wsConn, error) {
	cls := js.Global().Get("WebSocket")
	if cls.Type() != js.TypeFunction {
		return nil, ErrNoWebSocket
	}
	ws, err := jsNew(cls, url, []any{"sip"})
	if err != nil {
		return nil, err
	}
	ws.Set("binaryType", "arraybuffer")
	c := &jsConn{
		ws:     ws,
		funcs:  make(map[string]js.Func, 4),
		opened: make(chan struct{}),
		closed: make(chan struct{}),
		notify: make(chan struct{}, 1),
		limit:  32 << 10,
	}
	c.listen("open", func(js.Value) { close(c.opened) })
	c.listen("message", c.onMessage)
	c.listen("error", func(js.Value) {}) // the close event follows and says why
	c.listen("close", c.onClose)

	select {
	case <-c.opened:
		return c, nil
	case <-c.closed:
		c.mu.Lock()
		err := c.err
		c.mu.Unlock()
		c.unlisten()
		return nil, fmt.Errorf("the connection failed: %w", err)
	case <-ctx.Done():
		c.CloseNow()
		return nil, context.Cause(ctx)
	}
}

// jsNew is new cls(args...), with a thrown exception (a malformed URL)
// returned as an error.
func jsNew(cls js.Value, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return cls.New(args...), nil
}

// listen adds an event listener; its function is released by unlisten.
func (c *jsConn) listen(event string, f func(ev js.Value)) {
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := js.Undefined()
		if len(args) > 0 {
			ev = args[0]
		}
		f(ev)
		return nil
	})
	c.funcs[event] = fn
	c.ws.Call("addEventListener", event, fn)
}

// unlisten removes the listeners, after which none of them can run, and
// releases their functions.
func (c *jsConn) unlisten() {
	c.release.Do(func() {
		for event, fn := range c.funcs {
			c.ws.Call("removeEventListener", event, fn)
			fn.Release()
		}
	})
}

func (c *jsConn) onMessage(ev js.Value) {
	data := ev.Get("data")
	var p []byte
	if data.Type() == js.TypeString {
		p = []byte(data.String())
	} else {
		u8 := js.Global().Get("Uint8Array").New(data)
		p = make([]byte, u8.Get("length").Int())
		js.CopyBytesToGo(p, u8)
	}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	if int64(len(p)) > c.limit {
		c.err = fmt.Errorf("%w: %d bytes, the limit is %d", errTooBig, len(p), c.limit)
		c.mu.Unlock()
		c.closeSocket(CodeNormal, "message too big")
		return
	}
	c.queue = append(c.queue, p)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *jsConn) onClose(ev js.Value) {
	c.mu.Lock()
	if c.err == nil {
		code, reason := CodeAbnormal, ""
		if v := ev.Get("code"); v.Type() == js.TypeNumber {
			code = v.Int()
		}
		if v := ev.Get("reason"); v.Type() == js.TypeString {
			reason = v.String()
		}
		c.err = &closedError{Code: code, Reason: reason}
	}
	c.mu.Unlock()
	close(c.closed)
	go c.unlisten() // not from inside one of the listeners
}

func (c *jsConn) Subprotocol() string { return c.ws.Get("protocol").String() }

func (c *jsConn) SetReadLimit(n int64) {
	c.mu.Lock()
	c.limit = n
	c.mu.Unlock()
}

// Read returns the next queued message; after the close event, the
// messages that arrived before it, then the reason it closed.
func (c *jsConn) Read(ctx context.Context) ([]byte, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			p := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return p, nil
		}
		if err := c.err; err != nil && (errors.Is(err, errTooBig) || isClosed(c.closed)) {
			c.mu.Unlock()
			return nil, err
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-c.closed:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Write sends p. The runtime buffers it; ctx is not needed.
func (c *jsConn) Write(_ context.Context, binary bool, p []byte) (err error) {
	if c.ws.Get("readyState").Int() != 1 { // OPEN
		return fmt.Errorf("websocket: %w", net.ErrClosed)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("websocket: send: %v", r)
		}
	}()
	if binary {
		u8 := js.Global().Get("Uint8Array").New(len(p))
		js.CopyBytesToJS(u8, p)
		c.ws.Call("send", u8)
	} else {
		c.ws.Call("send", string(p))
	}
	return nil
}

// Close starts the close handshake. Browsers send no code below 3000
// but 1000, so other codes become 1000 (the reason still says why).
func (c *jsConn) Close(code int, reason string) {
	if code != CodeNormal && (code < 3000 || code > 4999) {
		code = CodeNormal
	}
	c.closeSocket(code, reason)
}

func (c *jsConn) CloseNow() { c.closeSocket(CodeNormal, "") }

func (c *jsConn) closeSocket(code int, reason string) {
	defer func() { _ = recover() }()      // a runtime that refuses the reason's length
	if c.ws.Get("readyState").Int() < 2 { // CONNECTING or OPEN
		c.ws.Call("close", code, reason)
	}
}

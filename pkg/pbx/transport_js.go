//go:build js && wasm

package pbx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"
)

// errNoFetch is returned by Do when the JavaScript runtime has no fetch.
var errNoFetch = errors.New("pbx: this JavaScript runtime has no fetch (Node.js 18+ or a browser is needed)")

// errBodyClosed is returned by a Read after Close.
var errBodyClosed = errors.New("pbx: read on closed response body")

// fetchTransport is the js/wasm Transport: it calls the global fetch, so it
// works in browsers and in Node.js 18+ and keeps net/http's client out of
// the WebAssembly module.
type fetchTransport struct{}

// NewTransport returns the platform's Transport. Under js/wasm it uses the
// Fetch API of the browser or of Node.js (18+): the browser's rules apply
// (CORS, forbidden request headers); no cookies or browser-held
// credentials are sent (credentials: "omit"). Redirects are followed; fetch drops the Authorization header
// when a redirect leads to another origin. Cancelling the context passed to
// Do aborts the fetch through an AbortController, including a body that is
// still being read.
//
// Natively NewTransport returns a Transport backed by net/http.
func NewTransport() Transport { return fetchTransport{} }

// skippedRequestHeaders are set by fetch itself; net/http ignores them in
// Request.Header too, so both platforms send the same thing.
var skippedRequestHeaders = map[string]bool{
	"Host":              true,
	"Content-Length":    true,
	"Transfer-Encoding": true,
	"Trailer":           true,
}

// Do sends req with fetch. It returns once the response's status and
// headers have arrived; the body is read incrementally from Response.Body.
func (fetchTransport) Do(ctx context.Context, req *Request) (resp *Response, err error) {
	method := req.Method
	if method == "" {
		method = "GET"
	}
	op := "fetch " + method + " " + req.URL
	if err := ctx.Err(); err != nil {
		return nil, abortedError(op, err)
	}
	global := js.Global()
	fetch := global.Get("fetch")
	if fetch.Type() != js.TypeFunction {
		return nil, errNoFetch
	}

	stop := func() bool { return false }
	defer func() {
		// A JavaScript exception thrown synchronously (syscall/js panics
		// with a js.Error) becomes an error.
		if r := recover(); r != nil {
			jerr, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			stop()
			resp, err = nil, &fetchError{op: op, text: jsErrorText(jerr.Value), err: jerr}
		}
	}()

	init := global.Get("Object").New()
	init.Set("method", method)
	// The client sends its own Authorization; with the browser's
	// credentials a 401 carrying WWW-Authenticate: Basic would open the
	// browser's login dialog (and hang a headless one) instead of
	// reaching the caller.
	init.Set("credentials", "omit")
	headers := global.Get("Object").New()
	for k, vs := range req.Header {
		if skippedRequestHeaders[k] || len(vs) == 0 {
			continue
		}
		headers.Set(k, strings.Join(vs, ", "))
	}
	init.Set("headers", headers)
	// fetch refuses any body, even an empty one, on GET and HEAD.
	if req.Body != nil && !(len(req.Body) == 0 && (method == "GET" || method == "HEAD")) {
		body := global.Get("Uint8Array").New(len(req.Body))
		js.CopyBytesToJS(body, req.Body)
		init.Set("body", body)
	}
	timedOut := func() bool { return false }
	if ac := global.Get("AbortController"); ac.Type() == js.TypeFunction {
		ctrl := ac.New()
		init.Set("signal", ctrl.Get("signal"))
		if req.Timeout > 0 {
			if sig, fired, ok := timeoutSignal(ctrl.Get("signal"), req.Timeout); ok {
				init.Set("signal", sig)
				timedOut = fired
			}
		}
		// AfterFunc runs abort in its own goroutine when ctx is done,
		// until stop is called (once the body is finished or closed).
		stop = context.AfterFunc(ctx, func() { ctrl.Call("abort") })
	}
	// Without AbortController, ctx still ends Do and Read (the selects
	// below); only the network request goes on in the background.

	settled := awaitPromise(global.Call("fetch", req.URL, init))
	var res promiseOutcome
	select {
	case res = <-settled:
	case <-ctx.Done():
		// abort() has been called; the handlers release themselves when
		// the promise rejects.
		return nil, abortedError(op, ctx.Err())
	}
	if !res.ok {
		stop()
		if err := ctx.Err(); err != nil {
			return nil, abortedError(op, err)
		}
		if timedOut() {
			return nil, deadlineError(op)
		}
		return nil, &fetchError{op: op, text: jsErrorText(res.v), err: js.Error{Value: res.v}}
	}

	r := res.v
	status := r.Get("status").Int()
	statusText := r.Get("statusText").String()
	resp = &Response{
		StatusCode: status,
		Status:     strconv.Itoa(status),
		Header:     responseHeader(r.Get("headers")),
		URL:        req.URL,
	}
	if statusText != "" {
		resp.Status += " " + statusText
	}
	if u := r.Get("url"); u.Type() == js.TypeString && u.String() != "" {
		resp.URL = u.String()
	}
	b := &fetchBody{ctx: ctx, op: "read body of " + method + " " + req.URL, stop: stop, timedOut: timedOut}
	if body := r.Get("body"); body.Type() == js.TypeObject {
		b.reader = body.Call("getReader")
	} else {
		// No body at all (204, 304, HEAD).
		b.err = io.EOF
		stop()
	}
	resp.Body = b
	return resp, nil
}

// responseHeader converts a JavaScript Headers object.
func responseHeader(h js.Value) Header {
	out := Header{}
	if h.Type() != js.TypeObject {
		return out
	}
	each := js.FuncOf(func(this js.Value, args []js.Value) any {
		// forEach calls back with (value, name); it runs synchronously
		// within the forEach call below.
		if len(args) >= 2 {
			out.Add(args[1].String(), args[0].String())
		}
		return nil
	})
	defer each.Release()
	h.Call("forEach", each)
	return out
}

// promiseOutcome is the outcome of a JavaScript promise.
type promiseOutcome struct {
	v  js.Value // the value, or the reason of a rejection
	ok bool     // fulfilled
}

// awaitPromise subscribes to p and returns a channel that receives p's outcome
// once. The JavaScript event loop keeps running meanwhile: the handlers only
// send on a buffered channel, never block, and release themselves (both of
// them) when p settles, so the caller may stop waiting at any time without
// leaking or calling a released function.
func awaitPromise(p js.Value) <-chan promiseOutcome {
	ch := make(chan promiseOutcome, 1)
	var onFulfilled, onRejected js.Func
	settle := func(v js.Value, ok bool) {
		onFulfilled.Release()
		onRejected.Release()
		ch <- promiseOutcome{v: v, ok: ok}
	}
	onFulfilled = js.FuncOf(func(this js.Value, args []js.Value) any {
		settle(jsFirstArg(args), true)
		return nil
	})
	onRejected = js.FuncOf(func(this js.Value, args []js.Value) any {
		settle(jsFirstArg(args), false)
		return nil
	})
	p.Call("then", onFulfilled, onRejected)
	return ch
}

func jsFirstArg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// fetchBody reads a fetch response's body through its ReadableStream reader.
type fetchBody struct {
	ctx    context.Context
	op     string
	reader js.Value    // ReadableStreamDefaultReader; undefined without a body
	stop   func() bool // stops watching ctx
	// timedOut reports whether the request's Timeout aborted it.
	timedOut func() bool

	readMu sync.Mutex // held by Read: one pending reader.read() at a time
	buf    []byte     // what is left of the last chunk
	err    error      // sticky: io.EOF or the error that ended the body

	closeOnce sync.Once
	closed    atomic.Bool
}

// Read returns the bytes of the body as they arrive. It waits for
// reader.read() without blocking the JavaScript event loop.
func (b *fetchBody) Read(p []byte) (int, error) {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	if b.closed.Load() {
		return 0, errBodyClosed
	}
	if b.err != nil {
		return 0, b.err
	}
	if err := b.ctx.Err(); err != nil {
		return 0, b.fail(abortedError(b.op, err))
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	for {
		var res promiseOutcome
		select {
		case res = <-awaitPromise(b.reader.Call("read")):
		case <-b.ctx.Done():
			// abort() errors the stream, which settles the pending read.
			return 0, b.fail(abortedError(b.op, b.ctx.Err()))
		}
		if b.closed.Load() {
			return 0, errBodyClosed
		}
		if !res.ok {
			if err := b.ctx.Err(); err != nil {
				return 0, b.fail(abortedError(b.op, err))
			}
			if b.timedOut != nil && b.timedOut() {
				return 0, b.fail(deadlineError(b.op))
			}
			return 0, b.fail(&fetchError{op: b.op, text: jsErrorText(res.v), err: js.Error{Value: res.v}})
		}
		if res.v.Get("done").Truthy() {
			return 0, b.fail(io.EOF)
		}
		chunk := res.v.Get("value")
		if !chunk.InstanceOf(js.Global().Get("Uint8Array")) {
			return 0, b.fail(fmt.Errorf("pbx: %s: body chunk is not a Uint8Array", b.op))
		}
		size := chunk.Length()
		if size == 0 {
			continue
		}
		if size <= len(p) {
			return js.CopyBytesToGo(p, chunk), nil
		}
		if cap(b.buf) < size {
			b.buf = make([]byte, size)
		}
		b.buf = b.buf[:size]
		js.CopyBytesToGo(b.buf, chunk)
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
}

// fail records the error that ends the body and stops watching ctx.
func (b *fetchBody) fail(err error) error {
	b.err = err
	b.buf = nil
	b.stop()
	return err
}

// Close cancels the body's stream, which ends the fetch and settles a Read
// that is waiting (it then returns an error). Close does not block.
func (b *fetchBody) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		b.stop()
		if b.reader.Type() == js.TypeObject {
			// cancel() returns a promise, rejected when the stream has
			// already failed; awaitPromise handles the outcome so that it is
			// never an unhandled rejection, and releases its handlers.
			awaitPromise(b.reader.Call("cancel"))
		}
	})
	return nil
}

// fetchError is a rejected fetch or body read: a network error, or a
// request that fetch refused (bad URL, invalid header). Aborts because the
// context is done are reported by abortedError instead.
type fetchError struct {
	op   string
	text string
	err  js.Error
}

func (e *fetchError) Error() string {
	return "pbx: " + e.op + ": failed: " + e.text
}

// Unwrap gives access to the JavaScript error.
func (e *fetchError) Unwrap() error { return e.err }

// abortedError reports a request or body read ended by its context.
func abortedError(op string, err error) error {
	return fmt.Errorf("pbx: %s: aborted: %w", op, err)
}

// jsErrorText describes a JavaScript error value: name, message, and the
// cause Node.js puts behind its generic "fetch failed".
func jsErrorText(v js.Value) string {
	if v.Type() != js.TypeObject {
		if v.Type() == js.TypeString {
			return v.String()
		}
		return v.Type().String()
	}
	text := errorPart(v)
	for i, c := 0, v.Get("cause"); i < 3 && c.Type() == js.TypeObject; i, c = i+1, c.Get("cause") {
		if part := errorPart(c); part != "" {
			text += " (cause: " + part + ")"
		}
	}
	if text == "" {
		text = v.Call("toString").String()
	}
	return text
}

// errorPart is "Name: message [code]" of one JavaScript error object.
func errorPart(v js.Value) string {
	var parts []string
	if n := v.Get("name"); n.Type() == js.TypeString && n.String() != "" {
		parts = append(parts, n.String()+":")
	}
	if m := v.Get("message"); m.Type() == js.TypeString && m.String() != "" {
		parts = append(parts, m.String())
	}
	if c := v.Get("code"); c.Type() == js.TypeString && c.String() != "" {
		parts = append(parts, "["+c.String()+"]")
	}
	return strings.TrimSuffix(strings.Join(parts, " "), ":")
}

// deadlineInTransport: under js/wasm the client hands its per-request
// timeout to fetch (Request.Timeout) instead of arming a Go timer.
const deadlineInTransport = true

// timeoutSignal returns an AbortSignal that fires after d, combined with
// signal, and a report of whether the timeout fired; ok is false where
// AbortSignal.timeout or AbortSignal.any are missing.
func timeoutSignal(signal js.Value, d time.Duration) (combined js.Value, timedOut func() bool, ok bool) {
	as := js.Global().Get("AbortSignal")
	if as.Type() != js.TypeFunction || as.Get("timeout").Type() != js.TypeFunction || as.Get("any").Type() != js.TypeFunction {
		return js.Value{}, nil, false
	}
	t := as.Call("timeout", max(1, d.Milliseconds()))
	combined = as.Call("any", js.ValueOf([]any{signal, t}))
	return combined, func() bool { return t.Get("aborted").Truthy() }, true
}

// deadlineError reports a request that ran out of its Request.Timeout.
func deadlineError(op string) error {
	return fmt.Errorf("pbx: %s: timed out: %w", op, context.DeadlineExceeded)
}

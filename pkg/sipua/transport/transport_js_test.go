//go:build js && wasm

package transport

// Tests of the js/wasm path (the JavaScript WebSocket API, called
// directly) against a scripted stand-in for WebSocket installed on globalThis:
// Node.js 20 has no WebSocket of its own, and these tests need a server
// that misbehaves on command. The stand-in follows the browser rules that
// matter here: events are dispatched asynchronously, and close() throws
// for codes other than 1000 and 3000-4999.

import (
	"context"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/clock"
)

const fakeWebSocketJS = `
class FakeWebSocket {
	constructor(url, protocols) {
		this.url = url;
		this.protocols = protocols;
		this.protocol = '';
		this.readyState = 0;
		this.binaryType = 'blob';
		this.listeners = {};
		this.sent = [];
		this.closedWith = null;
		FakeWebSocket.sockets.push(this);
		const mode = FakeWebSocket.modes[url] || 'open';
		if (mode === 'hang') return;
		setTimeout(() => this._settle(mode), 0);
	}
	_settle(mode) {
		if (this.readyState !== 0) return;
		if (mode === 'refuse') {
			this.readyState = 3;
			this._fire('error', {message: 'connection refused'});
			this._fire('close', {code: 1006, reason: '', wasClean: false});
			return;
		}
		this.protocol = mode === 'noproto' ? '' : 'sip';
		this.readyState = 1;
		this._fire('open', {});
	}
	addEventListener(type, f) { (this.listeners[type] = this.listeners[type] || []).push(f); }
	removeEventListener(type, f) { this.listeners[type] = (this.listeners[type] || []).filter(g => g !== f); }
	_fire(type, e) { for (const f of [...(this.listeners[type] || [])]) f(e); }
	send(data) {
		if (this.readyState !== 1) throw new Error('InvalidStateError');
		this.sent.push(typeof data === 'string' ? data : '<binary ' + data.length + '>');
	}
	close(code, reason) {
		if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
			const e = new Error('InvalidAccessError: close code ' + code);
			e.name = 'InvalidAccessError';
			throw e;
		}
		if (this.readyState >= 2) return;
		this.closedWith = code === undefined ? 1005 : code;
		this.readyState = 2;
		setTimeout(() => {
			this.readyState = 3;
			this._fire('close', {code: this.closedWith, reason: reason || '', wasClean: true});
		}, 0);
	}
	// Test controls: the server sends data, or closes.
	_receive(data) { this._fire('message', {data}); }
	_serverClose(code, reason) {
		if (this.readyState >= 2) return;
		this.readyState = 3;
		this._fire('close', {code, reason, wasClean: true});
	}
}
FakeWebSocket.sockets = [];
FakeWebSocket.modes = {};
return FakeWebSocket;
`

// fakeWS installs the stand-in as globalThis.WebSocket for one test.
func fakeWS(t *testing.T) js.Value {
	t.Helper()
	g := js.Global()
	old := g.Get("WebSocket")
	cls := g.Get("Function").New(fakeWebSocketJS).Invoke()
	g.Set("WebSocket", cls)
	t.Cleanup(func() { g.Set("WebSocket", old) })
	return cls
}

// socket waits for the i-th WebSocket created (from 0).
func socket(t *testing.T, cls js.Value, i int) js.Value {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for cls.Get("sockets").Length() <= i {
		require.True(t, time.Now().Before(deadline), "no WebSocket %d", i)
		time.Sleep(time.Millisecond) // lets the JavaScript event loop run
	}
	return cls.Get("sockets").Index(i)
}

// sent returns what ws has sent so far.
func sent(ws js.Value) []string {
	var out []string
	s := ws.Get("sent")
	for i := 0; i < s.Length(); i++ {
		out = append(out, s.Index(i).String())
	}
	return out
}

// eventually waits for cond, letting the event loop run in between.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "timed out waiting for %s", what)
		time.Sleep(time.Millisecond)
	}
}

func jsTransport(t *testing.T, cfg Config) (*Transport, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	cfg.Clock = fc
	cfg.Rand = func(n int64) int64 { return n - 1 }
	tr, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(tr.Stop)
	tr.Start()
	return tr, fc
}

func jsNext(t *testing.T, tr *Transport, kind EventKind) Event {
	t.Helper()
	select {
	case ev, ok := <-tr.Events():
		require.True(t, ok, "Events closed")
		require.Equal(t, kind, ev.Kind, "event %+v", ev)
		return ev
	case <-time.After(10 * time.Second):
		t.Fatalf("no %v event", kind)
		return Event{}
	}
}

func jsBlockUntil(t *testing.T, fc *clock.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, fc.BlockUntilContext(ctx, n))
}

func TestJSConnectSendReceiveStop(t *testing.T) {
	cls := fakeWS(t)
	const url = "wss://sip.example.com/ws"
	tr, _ := jsTransport(t, Config{Servers: []Server{{URL: url}}})
	assert.Equal(t, 1, jsNext(t, tr, Connecting).Attempt)
	jsNext(t, tr, Connected)
	ws := socket(t, cls, 0)
	assert.Equal(t, "sip", ws.Get("protocols").Index(0).String(), "offers the sip subprotocol")
	assert.Equal(t, "WSS", tr.Via())

	ctx := context.Background()
	require.NoError(t, tr.Send(ctx, []byte("REGISTER sip:example.com SIP/2.0\r\n\r\n")))
	require.NoError(t, tr.Send(ctx, []byte("MESSAGE sip:b@example.com SIP/2.0\r\n\r\n")))
	assert.Equal(t, []string{"REGISTER sip:example.com SIP/2.0\r\n\r\n", "MESSAGE sip:b@example.com SIP/2.0\r\n\r\n"}, sent(ws))

	ws.Call("_receive", "\r\n\r\n") // a ping: answered, not delivered
	ws.Call("_receive", "\r\n")     // a pong: not delivered
	ws.Call("_receive", "SIP/2.0 200 OK\r\n\r\n")
	ev := jsNext(t, tr, Message)
	assert.Equal(t, "SIP/2.0 200 OK\r\n\r\n", string(ev.Data))
	eventually(t, "the pong", func() bool { return len(sent(ws)) == 3 })
	assert.Equal(t, "\r\n", sent(ws)[2])

	tr.Stop()
	assert.Equal(t, 1000, ws.Get("closedWith").Int())
	ev = jsNext(t, tr, Disconnected)
	assert.NoError(t, ev.Err)
	_, ok := <-tr.Events()
	assert.False(t, ok, "Events closed")
	assert.ErrorIs(t, tr.Send(ctx, []byte("x")), ErrNotConnected)
}

func TestJSNoSubprotocolIsClosed(t *testing.T) {
	cls := fakeWS(t)
	const url = "ws://127.0.0.1:5066/"
	cls.Get("modes").Set(url, "noproto")
	tr, _ := jsTransport(t, Config{Servers: []Server{{URL: url}}})
	jsNext(t, tr, Connecting)
	ev := jsNext(t, tr, Disconnected)
	assert.ErrorIs(t, ev.Err, ErrNoSubprotocol)
	ws := socket(t, cls, 0)
	eventually(t, "the close", func() bool { return ws.Get("readyState").Int() == 3 })
	assert.Equal(t, 1000, ws.Get("closedWith").Int(), "1002 cannot be sent by a browser")
}

func TestJSRefusedThenFailover(t *testing.T) {
	cls := fakeWS(t)
	const a, b = "wss://a.example/ws", "wss://b.example/ws"
	cls.Get("modes").Set(a, "refuse")
	tr, fc := jsTransport(t, Config{Servers: []Server{{URL: b}, {URL: a, Weight: 1}}})
	assert.Equal(t, a, jsNext(t, tr, Connecting).URL)
	ev := jsNext(t, tr, Disconnected)
	assert.Error(t, ev.Err)
	assert.Equal(t, b, jsNext(t, tr, Connecting).URL)
	jsNext(t, tr, Connected)

	// The server closes: its status and reason are reported.
	socket(t, cls, 1).Call("_serverClose", 4001, "bye")
	ev = jsNext(t, tr, Disconnected)
	assert.Error(t, ev.Err)
	assert.Equal(t, 4001, ev.Code)
	assert.Equal(t, "bye", ev.Reason)
	jsBlockUntil(t, fc, 1)
	fc.Advance(4 * time.Second)
	assert.Equal(t, a, jsNext(t, tr, Connecting).URL, "back to the preferred server")
}

func TestJSKeepAliveTimeoutClosesSocket(t *testing.T) {
	cls := fakeWS(t)
	const url = "ws://127.0.0.1:5066/"
	tr, fc := jsTransport(t, Config{Servers: []Server{{URL: url}}})
	jsNext(t, tr, Connecting)
	jsNext(t, tr, Connected)
	ws := socket(t, cls, 0)
	jsBlockUntil(t, fc, 1)
	fc.Advance(30 * time.Second)
	eventually(t, "the ping", func() bool { return len(sent(ws)) == 1 })
	assert.Equal(t, "\r\n\r\n", sent(ws)[0])
	jsBlockUntil(t, fc, 2)
	fc.Advance(10 * time.Second)
	ev := jsNext(t, tr, Disconnected)
	assert.ErrorIs(t, ev.Err, ErrKeepAliveTimeout)
	assert.Equal(t, 1000, ws.Get("closedWith").Int(), "the dead socket is closed")
}

func TestJSDialTimeoutClosesLateSocket(t *testing.T) {
	cls := fakeWS(t)
	const url = "ws://127.0.0.1:5066/"
	cls.Get("modes").Set(url, "hang")
	tr, fc := jsTransport(t, Config{Servers: []Server{{URL: url}}, DialTimeout: 5 * time.Second})
	jsNext(t, tr, Connecting)
	ws := socket(t, cls, 0)
	jsBlockUntil(t, fc, 1)
	fc.Advance(5 * time.Second)
	ev := jsNext(t, tr, Disconnected)
	assert.ErrorIs(t, ev.Err, ErrDialTimeout)

	// The browser opens the abandoned socket later: it is closed.
	ws.Call("_settle", "open")
	eventually(t, "the late socket's close", func() bool { return ws.Get("readyState").Int() == 3 })
	assert.Equal(t, 1000, ws.Get("closedWith").Int())
}

func TestJSMessageTooBig(t *testing.T) {
	cls := fakeWS(t)
	const url = "ws://127.0.0.1:5066/"
	tr, _ := jsTransport(t, Config{Servers: []Server{{URL: url}}, MaxMessageSize: 100})
	jsNext(t, tr, Connecting)
	jsNext(t, tr, Connected)
	ws := socket(t, cls, 0)
	big := make([]byte, 200)
	for i := range big {
		big[i] = 'x'
	}
	ws.Call("_receive", string(big))
	ev := jsNext(t, tr, Disconnected)
	assert.ErrorIs(t, ev.Err, ErrMessageTooBig)
	assert.Equal(t, CodeMessageTooBig, ev.Code)
	eventually(t, "the close", func() bool { return ws.Get("readyState").Int() == 3 })
}

func TestJSReconnect(t *testing.T) {
	cls := fakeWS(t)
	const url = "ws://127.0.0.1:5066/"
	tr, _ := jsTransport(t, Config{Servers: []Server{{URL: url}}})
	jsNext(t, tr, Connecting)
	jsNext(t, tr, Connected)
	ws := socket(t, cls, 0)
	tr.Reconnect()
	ev := jsNext(t, tr, Disconnected)
	assert.NoError(t, ev.Err)
	assert.Equal(t, 1, jsNext(t, tr, Connecting).Attempt)
	jsNext(t, tr, Connected)
	assert.Equal(t, 3, ws.Get("readyState").Int(), "the old socket is closed")
	assert.Equal(t, 2, cls.Get("sockets").Length())
}

func TestJSBinaryMessage(t *testing.T) {
	cls := fakeWS(t)
	const url = "ws://127.0.0.1:5066/"
	tr, _ := jsTransport(t, Config{Servers: []Server{{URL: url}}})
	jsNext(t, tr, Connecting)
	jsNext(t, tr, Connected)
	ws := socket(t, cls, 0)
	assert.Equal(t, "arraybuffer", ws.Get("binaryType").String())
	u8 := js.Global().Get("Uint8Array").New(3)
	js.CopyBytesToJS(u8, []byte{'S', 0xff, 'P'})
	ws.Call("_receive", u8.Get("buffer"))
	assert.Equal(t, []byte{'S', 0xff, 'P'}, jsNext(t, tr, Message).Data)

	require.NoError(t, tr.Send(context.Background(), []byte{0xff, 0xfe}))
	assert.Equal(t, []string{"<binary 2>"}, sent(ws))
}

func TestJSNoWebSocketClass(t *testing.T) {
	g := js.Global()
	old := g.Get("WebSocket")
	g.Set("WebSocket", js.Undefined())
	t.Cleanup(func() { g.Set("WebSocket", old) })
	tr, _ := jsTransport(t, Config{Servers: []Server{{URL: "ws://127.0.0.1:5066/"}}})
	jsNext(t, tr, Connecting)
	ev := jsNext(t, tr, Disconnected)
	assert.ErrorIs(t, ev.Err, ErrNoWebSocket)
}

//go:build !js

package sipserver

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

const options = "OPTIONS sip:" + DefaultRealm + " SIP/2.0\r\n" +
	"Via: SIP/2.0/WS raw.invalid;branch=z9hG4bKopt1\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: <sip:x@raw.invalid>;tag=1\r\n" +
	"To: <sip:" + DefaultRealm + ">\r\n" +
	"Call-ID: opt-1\r\n" +
	"CSeq: 1 OPTIONS\r\n" +
	"Content-Length: 0\r\n\r\n"

func TestBadInput_GarbageIsDroppedMalformedGets400(t *testing.T) {
	e := startServer(t)
	r := e.dialRaw(t)

	// Not SIP at all: dropped, the connection lives on.
	r.send(t, "hello, is it me you're looking for?")
	r.send(t, "\x00\x01\x02\xff")
	r.send(t, "INVITE sip:2002@"+DefaultRealm+" SIP/2.0\r\nVia: broken\r\n\r\n")
	assert.Equal(t, 400, r.next(t).StatusCode, "a request with a broken Via")

	// A request without Via, and one whose CSeq method does not match.
	r.send(t, strings.Replace(options, "Via: SIP/2.0/WS raw.invalid;branch=z9hG4bKopt1\r\n", "", 1))
	resp := r.next(t)
	assert.Equal(t, 400, resp.StatusCode)
	r.send(t, strings.Replace(options, "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1))
	resp = r.next(t)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, resp.Get("Warning"), "399")

	// Keep-alive ping, pong.
	r.send(t, "\r\n\r\n")
	b, err := r.read(t, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "\r\n", b)

	// The server still answers.
	r.send(t, options)
	resp = r.next(t)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "opt-1", resp.CallID())
}

func TestBadInput_OversizedMessageClosesWith1009(t *testing.T) {
	e := startServer(t, func(c *Config) { c.MaxMessageSize = 4096 })
	r := e.dialRaw(t)
	r.send(t, options+strings.Repeat("x", 5000))
	_, err := r.read(t, 5*time.Second)
	require.Error(t, err)
	assert.Equal(t, websocket.StatusMessageTooBig, websocket.CloseStatus(err))
}

func TestBadInput_SubprotocolRequired(t *testing.T) {
	e := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL, nil)
	require.NoError(t, err)
	defer c.CloseNow()
	_, _, err = c.Read(ctx)
	assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err))
}

// TestOrigin_PatternsRestrictBrowserPages: with OriginPatterns, a page of
// another origin cannot open a SIP WebSocket; the listed origins, the
// server's own and clients without an Origin can.
func TestOrigin_PatternsRestrictBrowserPages(t *testing.T) {
	e := startServer(t, func(c *Config) { c.OriginPatterns = []string{"127.0.0.1:*", "localhost:*"} })
	host := strings.TrimPrefix(e.hs.URL, "http://")
	for origin, ok := range map[string]bool{
		"":                       true,
		"http://" + host:         true,
		"http://localhost:5173":  true,
		"https://evil.example":   false,
		"http://evil.example:80": false,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		opts := &websocket.DialOptions{Subprotocols: []string{"sip"}, HTTPHeader: http.Header{}}
		if origin != "" {
			opts.HTTPHeader.Set("Origin", origin)
		}
		c, resp, err := websocket.Dial(ctx, e.wsURL, opts)
		cancel()
		if ok {
			if assert.NoError(t, err, origin) {
				_ = c.CloseNow()
			}
			continue
		}
		if assert.Error(t, err, origin) && assert.NotNil(t, resp, origin) {
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, origin)
		}
	}
}

func TestBadInput_UnauthenticatedAndLoopingRequests(t *testing.T) {
	e := startServer(t)
	b := e.dialRaw(t)
	b.registerRaw(t, bob)
	r := e.dialRaw(t)

	invite := "INVITE sip:2002@" + DefaultRealm + " SIP/2.0\r\n" +
		"Via: SIP/2.0/WS raw.invalid;branch=z9hG4bKinv1\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:002001@" + DefaultRealm + ">;tag=1\r\n" +
		"To: <sip:2002@" + DefaultRealm + ">\r\n" +
		"Call-ID: inv-1\r\n" +
		"CSeq: 1 INVITE\r\n" +
		"Contact: <sip:raw@raw.invalid;transport=ws>\r\n" +
		"Content-Length: 0\r\n\r\n"
	r.send(t, invite)
	resp := r.nextNot100(t)
	assert.Equal(t, 407, resp.StatusCode)
	assert.Contains(t, resp.Get("Proxy-Authenticate"), `realm="`+DefaultRealm+`"`)

	// Wrong password.
	wrong := alice
	wrong.SIPPassword = "nope"
	resp = r.requestAs(t, "MESSAGE", "sip:2002@"+DefaultRealm, alice, wrong, "")
	assert.Equal(t, 407, resp.StatusCode, "challenged again")

	// Max-Forwards exhausted.
	resp = r.request(t, "MESSAGE", "sip:2002@"+DefaultRealm, alice, "Max-Forwards: 0\r\n")
	assert.Equal(t, 483, resp.StatusCode)

	// Max-Forwards is decremented on the way.
	r.sendAuthed(t, "MESSAGE", "sip:2002@"+DefaultRealm, alice, "Max-Forwards: 5\r\n", "")
	got := b.next(t)
	require.Equal(t, "MESSAGE", got.Method)
	mf, err := got.MaxForwards()
	require.NoError(t, err)
	assert.Equal(t, 4, mf)
	assert.Empty(t, got.Get("Proxy-Authorization"), "credentials are not passed on")
	b.answer(t, got, 200)
	assert.Equal(t, 200, r.nextNot100(t).StatusCode)
}

// TestTimeouts_PendingTransactionsEnd drives every timer with a fake
// clock: an INVITE branch nobody answers, the no-answer test number, a
// subscription that expires.
func TestTimeouts_PendingTransactionsEnd(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := startServer(t, func(c *Config) { c.Clock = fake })
	b := e.dialRaw(t)
	b.registerRaw(t, bob)
	r := e.dialRaw(t)

	// A branch that never answers: 408 after Timer F.
	r.sendAuthed(t, "INVITE", "sip:2002@"+DefaultRealm, alice, "", "")
	got := b.next(t)
	require.Equal(t, "INVITE", got.Method)
	fake.Advance(timerF + time.Second)
	resp := r.nextNot100(t)
	assert.Equal(t, 408, resp.StatusCode)
	assert.Equal(t, OutcomeNoAnswer, awaitEvent(t, e.events.ended, "CallEnded").Outcome)

	// The no-answer number rings, then gives up after a minute.
	r.sendAuthed(t, "INVITE", "sip:"+DefaultNoAnswerNumber+"@"+DefaultRealm, alice, "", "")
	assert.Equal(t, 180, r.nextNot100(t).StatusCode)
	fake.Advance(noAnswerTestFor + time.Second)
	assert.Equal(t, 408, r.nextNot100(t).StatusCode)

	e.srv.mu.Lock()
	assert.Empty(t, e.srv.serverTxs)
	assert.Empty(t, e.srv.calls)
	e.srv.mu.Unlock()

	// A subscription: 200, NOTIFY, refresh, expiry with a final NOTIFY.
	sub := r.sendAuthed(t, "SUBSCRIBE", "sip:2002@"+DefaultRealm, alice, "Event: dialog\r\nAccept: application/dialog-info+xml\r\nExpires: 120\r\n", "")
	ok := r.nextNot100(t)
	require.Equal(t, 200, ok.StatusCode)
	assert.Equal(t, "120", ok.Get("Expires"))
	n := r.next(t)
	require.Equal(t, "NOTIFY", n.Method)
	assert.Equal(t, "active;expires=120", n.Get("Subscription-State"))
	st, err := dialoginfo.StateOf(n.Body)
	require.NoError(t, err)
	assert.Equal(t, dialoginfo.Available, st)
	info, err := dialoginfo.Parse(n.Body)
	require.NoError(t, err)
	assert.Equal(t, 0, int(info.Version))
	r.answer(t, n, 200)

	// Refresh in the dialog.
	refresh := sub.Clone()
	_ = refresh.Set("To", ok.Get("To"))
	_ = refresh.Set("CSeq", "3 SUBSCRIBE")
	_ = refresh.Set("Via", "SIP/2.0/WS raw.invalid;branch="+sipmsg.NewBranch())
	raw, err := refresh.Bytes()
	require.NoError(t, err)
	r.send(t, string(raw))
	assert.Equal(t, 200, r.next(t).StatusCode)
	n = r.next(t)
	require.Equal(t, "NOTIFY", n.Method)
	info, err = dialoginfo.Parse(n.Body)
	require.NoError(t, err)
	assert.Equal(t, 1, int(info.Version))
	r.answer(t, n, 200)
	// The NOTIFYs have their answers before the clock jumps.
	eventually(t, func() bool {
		e.srv.mu.Lock()
		defer e.srv.mu.Unlock()
		return len(e.srv.clientTxs) == 0
	}, "NOTIFY transactions to complete")

	fake.Advance(121 * time.Second)
	n = r.next(t)
	require.Equal(t, "NOTIFY", n.Method)
	assert.Equal(t, "terminated;reason=timeout", n.Get("Subscription-State"))
	r.answer(t, n, 200)

	e.srv.mu.Lock()
	assert.Empty(t, e.srv.subsByUser)
	assert.Empty(t, e.srv.dialogs)
	e.srv.mu.Unlock()
}

func TestSubscribe_UnsubscribeGetsFinalNotify(t *testing.T) {
	e := startServer(t)
	r := e.dialRaw(t)
	sub := r.sendAuthed(t, "SUBSCRIBE", "sip:002003@"+DefaultRealm, alice, "Event: dialog\r\nExpires: 60\r\n", "")
	ok := r.nextNot100(t)
	require.Equal(t, 200, ok.StatusCode)
	r.answer(t, r.next(t), 200)

	unsub := sub.Clone()
	_ = unsub.Set("To", ok.Get("To"))
	_ = unsub.Set("CSeq", "3 SUBSCRIBE")
	_ = unsub.Set("Expires", "0")
	_ = unsub.Set("Via", "SIP/2.0/WS raw.invalid;branch="+sipmsg.NewBranch())
	raw, err := unsub.Bytes()
	require.NoError(t, err)
	r.send(t, string(raw))
	assert.Equal(t, 200, r.next(t).StatusCode)
	n := r.next(t)
	require.Equal(t, "NOTIFY", n.Method)
	assert.True(t, strings.HasPrefix(n.Get("Subscription-State"), "terminated"))

	// Other event packages are refused.
	resp := r.request(t, "SUBSCRIBE", "sip:002003@"+DefaultRealm, alice, "Event: presence\r\n")
	assert.Equal(t, 489, resp.StatusCode)
	resp = r.request(t, "SUBSCRIBE", "sip:009999@"+DefaultRealm, alice, "Event: dialog\r\nContact: <sip:raw@raw.invalid;transport=ws>\r\n")
	assert.Equal(t, 404, resp.StatusCode)
}

func TestDialogInfo_StateOfOurDocuments(t *testing.T) {
	e := startServer(t)
	s := e.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	doc := func() []byte { return s.dialogInfo(bob.SIPUsername, "sip:002002@"+DefaultRealm, 3, nil) }
	st, err := dialoginfo.StateOf(doc())
	require.NoError(t, err)
	assert.Equal(t, dialoginfo.Available, st)

	cl := s.newCall("c1", alice.SIPUsername, bob.ShortNumber, &alice, &bob)
	cl.state = stateEarly
	st, err = dialoginfo.StateOf(doc())
	require.NoError(t, err)
	assert.Equal(t, dialoginfo.Ringing, st)
	// The caller is busy while it rings elsewhere.
	st, err = dialoginfo.StateOf(s.dialogInfo(alice.SIPUsername, "sip:002001@"+DefaultRealm, 0, nil))
	require.NoError(t, err)
	assert.Equal(t, dialoginfo.Busy, st)

	cl.state = stateConfirmed
	st, err = dialoginfo.StateOf(doc())
	require.NoError(t, err)
	assert.Equal(t, dialoginfo.Busy, st)

	cl.state, cl.ended = stateTerminated, true
	delete(s.calls, "c1")
	body := s.dialogInfo(bob.SIPUsername, "sip:002002@"+DefaultRealm, 4, cl)
	assert.Contains(t, string(body), "<state>terminated</state>")
	st, err = dialoginfo.StateOf(body)
	require.NoError(t, err)
	assert.Equal(t, dialoginfo.Available, st)
}

// TestNoGoroutineLeak opens connections, registers, calls and closes,
// then checks every goroutine of the server is gone.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		e := startServerNoCleanup(t)
		for range 5 {
			r := e.dialRaw(t)
			r.registerRaw(t, alice)
			r.send(t, "garbage")
			r.sendAuthed(t, "INVITE", "sip:"+DefaultNoAnswerNumber+"@"+DefaultRealm, alice, "", "")
			assert.Equal(t, 180, r.nextNot100(t).StatusCode)
			_ = r.c.CloseNow()
		}
		eventually(t, func() bool { return len(e.srv.Registrations(alice.SIPUsername)) == 0 }, "connections gone")
		e.srv.mu.Lock()
		assert.Empty(t, e.srv.serverTxs)
		e.srv.mu.Unlock()
		require.NoError(t, e.srv.Close())
		e.hs.Close()
	}()
	eventually(t, func() bool { return runtime.NumGoroutine() <= before }, "goroutines to end")
}

// TestBadInput_TortureMessages sends every message of the RFC 4475 torture
// tests (valid and invalid) on one connection: the server never crashes
// and still answers afterwards.
func TestBadInput_TortureMessages(t *testing.T) {
	files, err := filepath.Glob("../../../pkg/sipua/sipmsg/testdata/rfc4475/*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	e := startServer(t)
	r := e.dialRaw(t)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		r.send(t, string(b))
	}
	r.send(t, strings.Replace(options, "opt-1", "after-torture", 1))
	for {
		m := r.next(t)
		if m.CallID() == "after-torture" {
			assert.Equal(t, 200, m.StatusCode)
			break
		}
	}
}

// TestTimeouts_SilentConnectionIsClosed: a WebSocket that sends nothing
// after it opened is closed; one that sends a keep-alive stays.
func TestTimeouts_SilentConnectionIsClosed(t *testing.T) {
	e := startServer(t)
	e.srv.mu.Lock()
	e.srv.silentConnLimit = 300 * time.Millisecond
	e.srv.mu.Unlock()
	silent := e.dialRaw(t)
	talking := e.dialRaw(t)
	talking.send(t, "\r\n\r\n")
	pong, err := talking.read(t, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "\r\n", pong)

	_, err = silent.read(t, 5*time.Second)
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the silent connection is still open")
	_, err = talking.read(t, time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the connection that spoke was closed")
}

//go:build !js

package sipserver

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"

	"github.com/wasmphone/wasmphone/internal/uatest"
)

// fakeDirectory holds the test extensions.
type fakeDirectory struct {
	mu   sync.Mutex
	exts []Extension
}

func (d *fakeDirectory) Lookup(_ context.Context, name string) (Extension, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.exts {
		if e.ShortNumber == name || e.SIPUsername == name {
			return e, true, nil
		}
	}
	return Extension{}, false, nil
}

func (d *fakeDirectory) setDND(user string, on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.exts {
		if d.exts[i].SIPUsername == user {
			d.exts[i].DND = on
		}
	}
}

var (
	alice = Extension{ID: "e1", CustomerID: "c1", ShortNumber: "2001", Name: "Alice", SIPUsername: "002001", SIPPassword: "alice-pw"}
	bob   = Extension{ID: "e2", CustomerID: "c1", ShortNumber: "2002", Name: "Bob", SIPUsername: "002002", SIPPassword: "bob-pw"}
	carol = Extension{ID: "e3", CustomerID: "c1", ShortNumber: "2003", Name: "Carol", SIPUsername: "002003", SIPPassword: "carol-pw"}
	// dave belongs to another customer.
	dave = Extension{ID: "e4", CustomerID: "c2", ShortNumber: "2004", Name: "Dave", SIPUsername: "102004", SIPPassword: "dave-pw"}
)

// recorder collects the Events callbacks.
type recorder struct {
	ringing chan CallInfo
	ended   chan CallInfo
}

func (r *recorder) CallRinging(c CallInfo) { r.ringing <- c }
func (r *recorder) CallEnded(c CallInfo)   { r.ended <- c }

// env is a running server with its directory and events.
type env struct {
	srv    *Server
	dir    *fakeDirectory
	events *recorder
	wsURL  string
	hs     *httptest.Server
}

func startServer(t *testing.T, mutate ...func(*Config)) *env {
	t.Helper()
	e := startServerNoCleanup(t, mutate...)
	t.Cleanup(func() {
		require.NoError(t, e.srv.Close())
		e.hs.Close()
	})
	return e
}

// startServerNoCleanup starts a server the test closes itself.
func startServerNoCleanup(t *testing.T, mutate ...func(*Config)) *env {
	t.Helper()
	e := &env{dir: &fakeDirectory{exts: []Extension{alice, bob, carol, dave}},
		events: &recorder{ringing: make(chan CallInfo, 100), ended: make(chan CallInfo, 100)}}
	cfg := Config{Directory: e.dir, Events: e.events, EchoLoopbackOnly: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	e.srv = srv
	e.hs = httptest.NewServer(srv)
	e.wsURL = "ws" + strings.TrimPrefix(e.hs.URL, "http")
	return e
}

// agent is a UA under test with its events on a channel.
type agent = uatest.Agent

// startUA starts a UA of ext; with tone > 0 it has native media sending
// a tone of that frequency.
func (e *env) startUA(t *testing.T, ext Extension, password string, tone float64) *agent {
	t.Helper()
	cfg := sipua.Config{
		Servers:         []transport.Server{{URL: e.wsURL}},
		URI:             "sip:" + ext.SIPUsername + "@" + DefaultRealm,
		Password:        password,
		DisplayName:     ext.Name,
		Register:        true,
		TransportConfig: transport.Config{MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second},
	}
	if tone > 0 {
		cfg.Media = media.Factory(media.AudioOptions{LoopbackOnly: true, ToneFrequency: tone})
	}
	return uatest.Start(t, cfg)
}

// phone starts a registered UA with media.
func (e *env) phone(t *testing.T, ext Extension, tone float64) *agent {
	t.Helper()
	a := e.startUA(t, ext, ext.SIPPassword, tone)
	a.Await(t, "registered", 10*time.Second)
	return a
}

// awaitMedia waits until audio flows in on the call.
func awaitMedia(t *testing.T, s *sipua.Session, what string) media.Stats {
	t.Helper()
	return uatest.AwaitMedia(t, s, what, 25)
}

func awaitEvent(t *testing.T, ch chan CallInfo, what string) CallInfo {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s event", what)
		return CallInfo{}
	}
}

// eventually waits for cond.
func eventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawConn is a bare SIP-over-WebSocket client for malformed input.
type rawConn struct {
	c *websocket.Conn
}

func (e *env) dialRaw(t *testing.T) *rawConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL, &websocket.DialOptions{Subprotocols: []string{"sip"}})
	require.NoError(t, err)
	require.Equal(t, "sip", c.Subprotocol())
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = c.CloseNow() })
	return &rawConn{c: c}
}

func (r *rawConn) send(t *testing.T, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, r.c.Write(ctx, websocket.MessageText, []byte(msg)))
}

// read returns the next message, or "" when none comes within d.
func (r *rawConn) read(t *testing.T, d time.Duration) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_, b, err := r.c.Read(ctx)
	return string(b), err
}

// request sends a request from ext outside any dialog on the raw
// connection, answers one challenge with ext's credentials and returns
// the final response.
func (r *rawConn) request(t *testing.T, method, uri string, ext Extension, extra string) *sipmsg.Message {
	t.Helper()
	return r.requestAs(t, method, uri, ext, ext, extra)
}

// requestAs is request with the credentials of auth.
func (r *rawConn) requestAs(t *testing.T, method, uri string, ext, auth Extension, extra string) *sipmsg.Message {
	t.Helper()
	callID := sipmsg.NewCallID()
	var authz string
	var dc digest.Client
	for attempt := range 2 {
		msg := method + " " + uri + " SIP/2.0\r\n" +
			"Via: SIP/2.0/WS raw.invalid;branch=" + sipmsg.NewBranch() + "\r\n" +
			maxForwards(extra) +
			"From: <sip:" + ext.SIPUsername + "@" + DefaultRealm + ">;tag=" + sipmsg.NewTag() + "\r\n" +
			"To: <sip:" + ext.SIPUsername + "@" + DefaultRealm + ">\r\n" +
			"Call-ID: " + callID + "\r\n" +
			"CSeq: " + strconv.Itoa(attempt+1) + " " + method + "\r\n" +
			authz + extra + "Content-Length: 0\r\n\r\n"
		r.send(t, msg)
		resp := r.response(t)
		if resp.StatusCode != 401 && resp.StatusCode != 407 || attempt == 1 {
			return resp
		}
		name, hdr := "WWW-Authenticate", "Authorization"
		if resp.StatusCode == 407 {
			name, hdr = "Proxy-Authenticate", "Proxy-Authorization"
		}
		ch, err := digest.ParseChallenge(resp.Get(name))
		require.NoError(t, err)
		cred, err := dc.Authorize(ch, method, uri, nil, auth.SIPUsername, auth.SIPPassword)
		require.NoError(t, err)
		authz = hdr + ": " + cred.String() + "\r\n"
	}
	panic("unreachable")
}

// response reads messages until a final response arrives.
func (r *rawConn) response(t *testing.T) *sipmsg.Message {
	t.Helper()
	for {
		b, err := r.read(t, 10*time.Second)
		require.NoError(t, err)
		m, err := sipmsg.Parse([]byte(b))
		require.NoError(t, err)
		if m.IsResponse() && m.StatusCode >= 200 {
			return m
		}
	}
}

func maxForwards(extra string) string {
	if strings.Contains(extra, "Max-Forwards:") {
		return ""
	}
	return "Max-Forwards: 70\r\n"
}

// sendAuthed sends a request from ext outside any dialog, answers its
// challenge and returns the authorized request as sent, without waiting
// for the final response.
func (r *rawConn) sendAuthed(t *testing.T, method, uri string, ext Extension, extra, body string) *sipmsg.Message {
	t.Helper()
	callID := sipmsg.NewCallID()
	fromTag := sipmsg.NewTag()
	build := func(seq int, authz string) string {
		ct := ""
		if body != "" {
			ct = "Content-Type: application/sdp\r\n"
		}
		return method + " " + uri + " SIP/2.0\r\n" +
			"Via: SIP/2.0/WS raw.invalid;branch=" + sipmsg.NewBranch() + "\r\n" +
			maxForwards(extra) +
			"From: <sip:" + ext.SIPUsername + "@" + DefaultRealm + ">;tag=" + fromTag + "\r\n" +
			"To: <" + uri + ">\r\n" +
			"Call-ID: " + callID + "\r\n" +
			"CSeq: " + strconv.Itoa(seq) + " " + method + "\r\n" +
			"Contact: <sip:raw@raw.invalid;transport=ws>\r\n" +
			authz + extra + ct + "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	r.send(t, build(1, ""))
	resp := r.response(t)
	require.Equal(t, 407, resp.StatusCode)
	ch, err := digest.ParseChallenge(resp.Get("Proxy-Authenticate"))
	require.NoError(t, err)
	var dc digest.Client
	cred, err := dc.Authorize(ch, method, uri, nil, ext.SIPUsername, ext.SIPPassword)
	require.NoError(t, err)
	msg := build(2, "Proxy-Authorization: "+cred.String()+"\r\n")
	r.send(t, msg)
	m, err := sipmsg.Parse([]byte(msg))
	require.NoError(t, err)
	return m
}

// next reads the next SIP message.
func (r *rawConn) next(t *testing.T) *sipmsg.Message {
	t.Helper()
	b, err := r.read(t, 10*time.Second)
	require.NoError(t, err)
	m, err := sipmsg.Parse([]byte(b))
	require.NoError(t, err, b)
	return m
}

// nextNot100 reads the next SIP message that is not a 100 Trying.
func (r *rawConn) nextNot100(t *testing.T) *sipmsg.Message {
	t.Helper()
	for {
		m := r.next(t)
		if m.StatusCode != 100 {
			return m
		}
	}
}

// answer responds to a request received on the raw connection.
func (r *rawConn) answer(t *testing.T, req *sipmsg.Message, code int) {
	t.Helper()
	resp, err := sipmsg.NewResponse(req, code, "")
	require.NoError(t, err)
	b, err := resp.Bytes()
	require.NoError(t, err)
	r.send(t, string(b))
}

// registerRaw registers the raw connection as ext.
func (r *rawConn) registerRaw(t *testing.T, ext Extension) {
	t.Helper()
	resp := r.request(t, "REGISTER", "sip:"+DefaultRealm, ext, "Contact: <sip:raw@raw.invalid;transport=ws>\r\n")
	require.Equal(t, 200, resp.StatusCode)
}

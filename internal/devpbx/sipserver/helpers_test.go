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
}

func startServer(t *testing.T, mutate ...func(*Config)) *env {
	t.Helper()
	e := &env{dir: &fakeDirectory{exts: []Extension{alice, bob, carol}},
		events: &recorder{ringing: make(chan CallInfo, 100), ended: make(chan CallInfo, 100)}}
	cfg := Config{Directory: e.dir, Events: e.events, EchoLoopbackOnly: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	e.srv = srv
	hs := httptest.NewServer(srv)
	e.wsURL = "ws" + strings.TrimPrefix(hs.URL, "http")
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		hs.Close()
	})
	return e
}

// agent is a UA under test with its events on a channel.
type agent struct {
	ua     *sipua.UA
	events chan sipua.Event
}

// startUA starts a UA of ext; with tone > 0 it has native media sending
// a tone of that frequency.
func (e *env) startUA(t *testing.T, ext Extension, password string, tone float64) *agent {
	t.Helper()
	a := &agent{events: make(chan sipua.Event, 4096)}
	cfg := sipua.Config{
		Servers:         []transport.Server{{URL: e.wsURL}},
		URI:             "sip:" + ext.SIPUsername + "@" + DefaultRealm,
		Password:        password,
		DisplayName:     ext.Name,
		Register:        true,
		TransportConfig: transport.Config{MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second},
		OnEvent:         func(ev sipua.Event) { a.events <- ev },
	}
	if tone > 0 {
		cfg.Media = media.Factory(media.AudioOptions{LoopbackOnly: true, ToneFrequency: tone})
	}
	ua, err := sipua.New(cfg)
	require.NoError(t, err)
	a.ua = ua
	require.NoError(t, ua.Start())
	t.Cleanup(func() { a.stop() })
	return a
}

func (a *agent) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.ua.Stop(ctx)
}

// phone starts a registered UA with media.
func (e *env) phone(t *testing.T, ext Extension, tone float64) *agent {
	t.Helper()
	a := e.startUA(t, ext, ext.SIPPassword, tone)
	a.await(t, "registered", 10*time.Second)
	return a
}

func (a *agent) await(t testing.TB, name string, within time.Duration) sipua.Event {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-a.events:
			if ev.Name() == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s event within %v", name, within)
			return nil
		}
	}
}

// awaitEnd waits for the session's "ended" or "failed" event and returns it.
func (a *agent) awaitEnd(t testing.TB, within time.Duration) sipua.SessionEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-a.events:
			if se, ok := ev.(sipua.SessionEvent); ok && (se.Type == "ended" || se.Type == "failed") {
				return se
			}
		case <-deadline:
			t.Fatalf("no ended/failed event within %v", within)
			return sipua.SessionEvent{}
		}
	}
}

// awaitMedia polls a call's stats until audio flows in: packets arrive
// and their level is above silence.
func awaitMedia(t *testing.T, s *sipua.Session, what string) media.Stats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var st media.Stats
	for time.Now().Before(deadline) {
		var err error
		st, err = s.Stats(context.Background())
		require.NoError(t, err)
		if st.PacketsReceived > 25 && st.AudioLevel > 0.05 {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: no audio within 10 s: %+v", what, st)
	return st
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
			"Max-Forwards: 70\r\n" +
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

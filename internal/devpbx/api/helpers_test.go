//go:build !js

package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/devpbx/sipserver"
	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/internal/restapi"
	"github.com/wasmphone/wasmphone/pkg/pbx"
)

// apiError is one entry of an errors body.
type apiError = restapi.ErrorEntry

// maxSMS is the longest SMS body the API sends.
const maxSMS = restapi.MaxSMS

const waitTimeout = 5 * time.Second

// fakeSIP stands in for the SIP server: canned registrations and a record
// of originated calls.
type fakeSIP struct {
	mu         sync.Mutex
	regs       map[string][]sipserver.Registration
	originated []originated
	fail       error
	// ended, when set, runs with the Call-ID once Originate has it, as
	// the SIP server's CallEnded for a second leg that fails at once.
	ended func(callID string)
}

type originated struct {
	From sipserver.Extension
	To   string
}

func (f *fakeSIP) Registrations(user string) []sipserver.Registration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.regs[user]
}

func (f *fakeSIP) Originate(_ context.Context, from sipserver.Extension, to string) (string, error) {
	f.mu.Lock()
	if f.fail != nil {
		f.mu.Unlock()
		return "", f.fail
	}
	f.originated = append(f.originated, originated{from, to})
	ended := f.ended
	f.mu.Unlock()
	callID := "orig-" + to + "@devpbx"
	if ended != nil {
		ended(callID)
	}
	return callID, nil
}

func (f *fakeSIP) calls() []originated {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]originated(nil), f.originated...)
}

// env is an API on an httptest server at 127.0.0.1.
type env struct {
	api   *API
	srv   *httptest.Server
	sip   *fakeSIP
	store *store.Store
	base  string // http://127.0.0.1:port/api/v1
}

type envOptions struct {
	dir       string // file database in dir; "" for memory
	heartbeat time.Duration
	rateLimit int
	noSIP     bool
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Dir: o.dir, Memory: o.dir == ""})
	require.NoError(t, err)
	a, err := New(Config{Store: st, Realm: "test.devpbx", HeartbeatInterval: o.heartbeat, RateLimit: o.rateLimit})
	require.NoError(t, err)
	sip := &fakeSIP{regs: map[string][]sipserver.Registration{"002002": {{
		Contact: "<sip:abc@df7jal23ls0d.invalid;transport=ws>", UserAgent: "wasmphone/test",
		InstanceID: "<urn:uuid:00000000-0000-4000-8000-000000000001>", RemoteAddr: "127.0.0.1:50000",
		Expires: time.Now().Add(5 * time.Minute)}}}}
	if !o.noSIP {
		a.SetSIP(sip)
	}
	srv := httptest.NewServer(a)
	e := &env{api: a, srv: srv, sip: sip, store: st, base: srv.URL + Prefix}
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	e.api.Close()
	e.srv.Close()
	e.store.Close()
}

// client returns a pbx.Client logged in as the seeded user.
func (e *env) client(t *testing.T, user string) *pbx.Client {
	t.Helper()
	pass := ""
	for _, u := range store.DemoUsers() {
		if u.Username == user {
			pass = u.Password
		}
	}
	c, err := pbx.New(pbx.Options{BaseURL: e.base, Username: user, Password: pass,
		Stream: pbx.StreamOptions{MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { c.Stream().Close() })
	return c
}

// do sends a raw request as alice (or without credentials when user is
// "") and returns the response and its body.
func (e *env) do(t *testing.T, method, path, body string, user ...string) (*http.Response, string) {
	t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = e.base + path
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	name := "alice"
	if len(user) > 0 {
		name = user[0]
	}
	if name != "" {
		for _, d := range store.DemoUsers() {
			if d.Username == name {
				req.SetBasicAuth(d.Username, d.Password)
			}
		}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// waitStreams waits until n event streams are open.
func (e *env) waitStreams(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for e.api.StreamCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d event streams open, want %d", e.api.StreamCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// receive waits for the next event on ch.
func receive(t *testing.T, ch <-chan pbx.Event) pbx.Event {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(waitTimeout):
		t.Fatal("no event")
	}
	return pbx.Event{}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

func statusOf(err error) int {
	var pe *pbx.Error
	if errors.As(err, &pe) {
		return pe.StatusCode
	}
	return 0
}

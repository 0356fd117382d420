//go:build js && wasm

package pbx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/pbx"
)

// fakeURL is the API base of a pbxfake process started for these tests:
// Go cannot listen under js/wasm, so Node spawns the native fake.
var fakeURL string

func TestMain(m *testing.M) {
	u, stop, err := startFake()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the fake API:", err)
		os.Exit(1)
	}
	fakeURL = u
	code := m.Run()
	stop()
	os.Exit(code)
}

// startFake builds internal/pbxfake/cmd/pbxfake natively with the go
// command on PATH and runs it through Node's child_process.
func startFake() (string, func(), error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", nil, err
	}
	root := filepath.Join(wd, "..", "..")
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("pbxfake-wasmtest-%d", os.Getpid()))
	cp := js.Global().Call("require", "child_process")
	env := js.Global().Get("Object").Call("assign", js.Global().Get("Object").New(), js.Global().Get("process").Get("env"))
	env.Delete("GOOS")
	env.Delete("GOARCH")
	opts := js.Global().Get("Object").New()
	opts.Set("cwd", root)
	opts.Set("env", env)
	opts.Set("encoding", "utf8")
	res := cp.Call("spawnSync", "go", js.ValueOf([]any{"build", "-o", bin, "./internal/pbxfake/cmd/pbxfake"}), opts)
	if st := res.Get("status"); st.IsNull() || st.Int() != 0 {
		return "", nil, fmt.Errorf("go build pbxfake: %v %s", res.Get("error"), res.Get("stderr").String())
	}
	spawnOpts := js.Global().Get("Object").New()
	spawnOpts.Set("stdio", js.ValueOf([]any{"pipe", "pipe", "ignore"}))
	child := cp.Call("spawn", bin, js.ValueOf([]any{}), spawnOpts)
	urls := make(chan string, 1)
	var out strings.Builder
	onData := js.FuncOf(func(this js.Value, args []js.Value) any {
		out.WriteString(args[0].Call("toString").String())
		if line, _, ok := strings.Cut(out.String(), "\n"); ok && strings.HasPrefix(line, "PBXFAKE_URL=") {
			select {
			case urls <- strings.TrimPrefix(line, "PBXFAKE_URL="):
			default:
			}
		}
		return nil
	})
	child.Get("stdout").Call("on", "data", onData)
	stop := func() {
		child.Get("stdin").Call("end")
		child.Call("kill")
		onData.Release()
		_ = os.Remove(bin)
	}
	select {
	case u := <-urls:
		return strings.TrimSpace(u), stop, nil
	case <-time.After(60 * time.Second):
		stop()
		return "", nil, fmt.Errorf("pbxfake printed no URL within 60s (stdout %q)", out.String())
	}
}

func newWasmClient(t *testing.T) *pbx.Client {
	t.Helper()
	control(t, "POST", "reset", nil)
	c, err := pbx.New(pbx.Options{BaseURL: fakeURL, Username: "alice", Password: "alice-secret", Timeout: 10 * time.Second})
	require.NoError(t, err)
	return c
}

// control calls one of the fake's /_fake/ hooks through the fetch
// transport.
func control(t *testing.T, method, op string, body any) {
	t.Helper()
	var data []byte
	if body != nil {
		var err error
		data, err = json.Marshal(body)
		require.NoError(t, err)
	}
	u := strings.TrimSuffix(fakeURL, "/api/v1") + "/_fake/" + op
	resp, err := pbx.NewTransport().Do(context.Background(), &pbx.Request{Method: method, URL: u, Header: pbx.Header{}, Body: data})
	require.NoError(t, err)
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	require.Equal(t, 200, resp.StatusCode, "%s %s: %s", method, op, got)
}

func TestWasm_RESTCallsThroughFetch(t *testing.T) {
	c := newWasmClient(t)
	ctx := context.Background()
	cust, err := c.Customers().Get(ctx, "me")
	require.NoError(t, err)
	assert.Equal(t, pbx.KindCustomer, cust.Kind())
	assert.Equal(t, 1200, c.RateLimit().Limit)

	n := 0
	for p, err := range cust.Phones().All(ctx, url.Values{"pageSize": {"1"}}) {
		require.NoError(t, err)
		assert.Equal(t, pbx.KindPhone, p.Kind())
		n++
	}
	assert.Equal(t, 3, n, "three phones over three pages")

	entry := cust.Phonebook().Create(map[string]any{"name": "Front desk", "phoneNumber": "0121 496 0000", "extra": "kept"})
	require.NoError(t, entry.Save(ctx))
	require.NotEmpty(t, entry.ID())
	entry.Set("name", "Reception")
	require.NoError(t, entry.Save(ctx))
	again, err := cust.Phonebook().Get(ctx, entry.ID())
	require.NoError(t, err)
	assert.Equal(t, "Reception", again.String("name"))
	assert.Equal(t, "kept", again.String("extra"))
	require.NoError(t, again.Delete(ctx))
	_, err = cust.Phonebook().Get(ctx, entry.ID())
	require.ErrorIs(t, err, pbx.ErrNotFound)

	bad := cust.Phonebook().Create(map[string]any{"phoneNumber": "1"})
	err = bad.Save(ctx)
	var pe *pbx.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, pbx.MsgValidationErrors, pe.Message)
	assert.Equal(t, 400, pe.StatusCode)
}

func TestWasm_ErrorsSettle(t *testing.T) {
	c := newWasmClient(t)
	ctx := context.Background()
	control(t, "POST", "fault?path=/customers/me", map[string]any{"status": 500, "times": 1})
	_, err := c.Customers().Get(ctx, "me")
	var pe *pbx.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 500, pe.StatusCode)

	control(t, "POST", "fault?path=/customers/me", map[string]any{"closeConnection": true, "times": 1})
	_, err = c.Customers().Get(ctx, "me")
	require.ErrorAs(t, err, &pe)
	assert.Zero(t, pe.StatusCode)

	slow, err := pbx.New(pbx.Options{BaseURL: fakeURL, Username: "alice", Password: "alice-secret", Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	control(t, "POST", "fault?path=/customers/me", map[string]any{"delayMs": 60000, "times": 1})
	_, err = slow.Customers().Get(ctx, "me")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	wrong, err := pbx.New(pbx.Options{BaseURL: fakeURL, Username: "alice", Password: "nope"})
	require.NoError(t, err)
	_, err = wrong.Customers().Get(ctx, "me")
	require.ErrorIs(t, err, pbx.ErrUnauthorized)
}

func TestWasm_StreamDeliversEventsThroughFetch(t *testing.T) {
	c := newWasmClient(t)
	s := c.Stream()
	t.Cleanup(func() { _ = s.Close() })
	connected := make(chan struct{}, 1)
	remove := s.OnState(func(st pbx.StreamState) {
		if st.State == pbx.StreamConnected {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	})
	defer remove()
	events := make(chan pbx.Event, 4)
	unsubscribe := s.Subscribe([]string{"incomingcall"}, func(ev pbx.Event) { events <- ev })
	defer unsubscribe()
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not connect")
	}
	ev := map[string]any{"event": "incomingcall", "location": "/customers/1001/endpoints/2001",
		"values": map[string]any{"callerIdNumber": "07700900123", "callerIdName": "Test", "endpoint": "/customers/1001/endpoints/2001"}}
	// The server learns of the connection a moment after the client does;
	// publish until one stream has received it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		control(t, "POST", "publish?customer=1001", ev)
		select {
		case got := <-events:
			assert.Equal(t, "incomingcall", got.Event)
			assert.Equal(t, "07700900123", got.Values["callerIdNumber"])
			return
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no event arrived")
		}
	}
}

//go:build js && wasm

package pbx

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run under Node.js:
//
//	GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" -run Transport ./pkg/pbx/
//
// Go cannot listen under js/wasm, so the HTTP server is testdata/fetchserver.js,
// running in the same Node.js process.

// fetchFixture is one running testdata/fetchserver.js server.
type fetchFixture struct {
	srv  js.Value
	base string // http://127.0.0.1:port
	port int
}

// mustAwait waits for a JavaScript promise and fails the test on rejection.
func mustAwait(t *testing.T, p js.Value) js.Value {
	t.Helper()
	select {
	case res := <-awaitPromise(p):
		require.True(t, res.ok, "promise rejected: %s", jsErrorText(res.v))
		return res.v
	case <-time.After(10 * time.Second):
		t.Fatal("promise did not settle within 10s")
		return js.Undefined()
	}
}

func startFetchFixture(t *testing.T) *fetchFixture {
	t.Helper()
	require.Equal(t, js.TypeFunction, js.Global().Get("require").Type(),
		"globalThis.require is missing: run the tests with go_js_wasm_exec under Node.js")
	wd, err := os.Getwd()
	require.NoError(t, err)
	mod := js.Global().Call("require", filepath.Join(wd, "testdata", "fetchserver.js"))
	srv := mustAwait(t, mod.Call("start"))
	port := srv.Get("port").Int()
	// Close every connection and the server, so that no handle keeps
	// Node.js alive after the tests.
	t.Cleanup(func() { mustAwait(t, srv.Call("close")) })
	return &fetchFixture{srv: srv, base: "http://127.0.0.1:" + strconv.Itoa(port), port: port}
}

// written is how many chunks the stream id has written.
func (f *fetchFixture) written(id string) int { return f.srv.Call("written", id).Int() }

// waitClosed waits until the server has seen the response id go away.
func (f *fetchFixture) waitClosed(t *testing.T, id string) {
	t.Helper()
	mustAwait(t, f.srv.Call("closed", id))
}

type fetchEcho struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Length  int               `json:"length"`
}

func (e fetchEcho) body(t *testing.T) []byte {
	b, err := base64.StdEncoding.DecodeString(e.Body)
	require.NoError(t, err)
	return b
}

func readFetchEcho(t *testing.T, resp *Response) fetchEcho {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var e fetchEcho
	require.NoError(t, json.Unmarshal(b, &e), "body: %q", b)
	return e
}

// withinTimeout runs f in a goroutine and fails the test if it does not return
// within d.
func withinTimeout[T any](t *testing.T, d time.Duration, f func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(d):
		t.Fatalf("no result within %v", d)
		var zero T
		return zero, nil
	}
}

func TestTransportJSRequestArrivesExactly(t *testing.T) {
	f := startFetchFixture(t)
	body := make([]byte, 256)
	for i := range body {
		body[i] = byte(i)
	}
	h := Header{}
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Authorization", "Basic dTpw")
	h.Add("X-Multi", "one")
	h.Add("X-Multi", "two")
	h.Set("Content-Length", "1") // set by fetch itself, as net/http does
	resp, err := NewTransport().Do(context.Background(), &Request{
		Method: "PUT",
		URL:    f.base + "/echo?x=1&y=%20z",
		Header: h,
		Body:   body,
	})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "200 OK", resp.Status)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, f.base+"/echo?x=1&y=%20z", resp.URL)

	e := readFetchEcho(t, resp)
	assert.Equal(t, "PUT", e.Method)
	assert.Equal(t, "/echo?x=1&y=%20z", e.URL)
	assert.Equal(t, "application/octet-stream", e.Headers["content-type"])
	assert.Equal(t, "Basic dTpw", e.Headers["authorization"])
	assert.Equal(t, "one, two", e.Headers["x-multi"])
	assert.Equal(t, "256", e.Headers["content-length"])
	assert.Equal(t, body, e.body(t))
}

func TestTransportJSGetWithoutBody(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/echo"})
	require.NoError(t, err)
	e := readFetchEcho(t, resp)
	assert.Equal(t, "GET", e.Method)
	assert.Zero(t, e.Length)
	assert.NotContains(t, e.Headers, "content-length")
	assert.NotContains(t, e.Headers, "transfer-encoding")

	// An empty, non-nil body on GET is no body too (fetch refuses one).
	resp, err = NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/echo", Body: []byte{}})
	require.NoError(t, err)
	e = readFetchEcho(t, resp)
	assert.Zero(t, e.Length)
	assert.NotContains(t, e.Headers, "content-length")
}

func TestTransportJSEmptyBodyIsSent(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "POST", URL: f.base + "/echo", Body: []byte{}})
	require.NoError(t, err)
	e := readFetchEcho(t, resp)
	assert.Equal(t, "POST", e.Method)
	assert.Zero(t, e.Length)
	assert.Equal(t, "0", e.Headers["content-length"])
}

func TestTransportJSStatusAndHeaders(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/status/404"})
	require.NoError(t, err, "an HTTP error status is not a transport error")
	defer resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "404 Not Found", resp.Status)
	assert.Equal(t, "application/json", resp.Header.Get("content-type"))
	// fetch joins repeated fields.
	assert.Equal(t, "a, b", resp.Header.Get("X-Multi"))
	for k := range resp.Header {
		assert.Equal(t, canonicalHeaderKey(k), k, "header keys are canonical")
	}
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"error","code":404,"message":"Not Found"}`, string(b))
}

// canonicalHeaderKey is textproto's canonical form, through Header.
func canonicalHeaderKey(k string) string {
	h := Header{}
	h.Set(k, "")
	for c := range h {
		return c
	}
	return ""
}

func TestTransportJSNoBody(t *testing.T) {
	f := startFetchFixture(t)
	for _, path := range []string{"/empty", "/status/204"} {
		resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + path})
		require.NoError(t, err, path)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err, path)
		assert.Empty(t, b, path)
		require.NoError(t, resp.Body.Close())
	}
}

func TestTransportJSSmallReadsKeepLeftovers(t *testing.T) {
	f := startFetchFixture(t)
	body := []byte(strings.Repeat("0123456789abcdef", 1000))
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "POST", URL: f.base + "/echo", Body: body})
	require.NoError(t, err)
	defer resp.Body.Close()
	var got []byte
	p := make([]byte, 7)
	for {
		n, err := resp.Body.Read(p)
		assert.LessOrEqual(t, n, len(p))
		got = append(got, p[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}
	var e fetchEcho
	require.NoError(t, json.Unmarshal(got, &e))
	assert.Equal(t, body, e.body(t))
}

func TestTransportJSStreamedBodyIsIncremental(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/stream?gate=g1&n=3"})
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "application/x-ndjson", resp.Header.Get("Content-Type"))

	br := bufio.NewReader(resp.Body)
	for i := 1; i <= 3; i++ {
		if i > 1 {
			// The server writes line i only now.
			f.srv.Call("release", "g1")
		}
		// A transport that buffered the whole body would never get here:
		// the server waits for the release before writing more.
		line, err := withinTimeout(t, 5*time.Second, func() (string, error) { return br.ReadString('\n') })
		require.NoError(t, err, "line %d", i)
		var ev struct {
			N    int  `json:"n"`
			Last bool `json:"last"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &ev))
		assert.Equal(t, i, ev.N)
		assert.Equal(t, i == 3, ev.Last)
		assert.Equal(t, i, f.written("g1"), "line %d was read before the server wrote the next", i)
	}
	_, err = withinTimeout(t, 5*time.Second, func() (string, error) { return br.ReadString('\n') })
	assert.ErrorIs(t, err, io.EOF)
}

func TestTransportJSStreamedBodyWithPauses(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/stream?n=3&gap=50"})
	require.NoError(t, err)
	defer resp.Body.Close()

	br := bufio.NewReader(resp.Body)
	var lines []string
	for {
		line, err := withinTimeout(t, 5*time.Second, func() (string, error) { return br.ReadString('\n') })
		if errors.Is(err, io.EOF) {
			assert.Empty(t, line)
			break
		}
		require.NoError(t, err)
		if len(lines) == 0 {
			assert.Less(t, f.written("stream"), 3, "the first line arrives before the server writes the last")
		}
		lines = append(lines, line)
	}
	require.Len(t, lines, 3)
	assert.Contains(t, lines[2], `"last":true`)
}

func TestTransportJSCancelDuringBody(t *testing.T) {
	f := startFetchFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := NewTransport().Do(ctx, &Request{Method: "GET", URL: f.base + "/forever?id=f1"})
	require.NoError(t, err)
	defer resp.Body.Close()

	buf := make([]byte, 256)
	n, err := withinTimeout(t, 5*time.Second, func() (int, error) { return resp.Body.Read(buf) })
	require.NoError(t, err)
	assert.Contains(t, string(buf[:n]), `"n":1`)

	// A Read waiting on the endless body returns once ctx is cancelled.
	result := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(buf)
		result <- err
	}()
	// Let the Read start waiting on reader.read() (if it has not yet, it
	// sees the cancelled ctx first, which must fail the same way).
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-result:
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "aborted")
	case <-time.After(2 * time.Second):
		t.Fatal("Read did not fail promptly after cancel")
	}
	// The abort reached the network: the server saw the response go away.
	f.waitClosed(t, "f1")

	_, err = resp.Body.Read(buf)
	assert.ErrorIs(t, err, context.Canceled, "reads keep failing")
	assert.NoError(t, resp.Body.Close())
}

func TestTransportJSCloseDuringRead(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/forever?id=f2"})
	require.NoError(t, err)
	buf := make([]byte, 256)
	_, err = withinTimeout(t, 5*time.Second, func() (int, error) { return resp.Body.Read(buf) })
	require.NoError(t, err)

	result := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(buf)
		result <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the Read start waiting, as above
	require.NoError(t, resp.Body.Close())
	select {
	case err := <-result:
		assert.ErrorIs(t, err, errBodyClosed)
	case <-time.After(2 * time.Second):
		t.Fatal("Read did not return after Close")
	}
	f.waitClosed(t, "f2")
	require.NoError(t, resp.Body.Close(), "Close twice")
	_, err = resp.Body.Read(buf)
	assert.ErrorIs(t, err, errBodyClosed)
}

func TestTransportJSTimeoutWithoutAnswer(t *testing.T) {
	f := startFetchFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp, err := NewTransport().Do(ctx, &Request{Method: "GET", URL: f.base + "/slow?id=s1"})
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "aborted")
	assert.Less(t, time.Since(start), 5*time.Second)
	f.waitClosed(t, "s1")
}

func TestTransportJSAlreadyCancelled(t *testing.T) {
	f := startFetchFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewTransport().Do(ctx, &Request{Method: "GET", URL: f.base + "/slow?id=never"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, f.written("never"))
}

func TestTransportJSClosedConnection(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/close"})
	require.Error(t, err)
	assert.Nil(t, resp)
	var ferr *fetchError
	require.ErrorAs(t, err, &ferr)
	var jerr js.Error
	assert.ErrorAs(t, err, &jerr, "the JavaScript error is reachable")
	assert.Contains(t, err.Error(), "fetch failed", "the JavaScript message is included")
	assert.NotErrorIs(t, err, context.Canceled)
	t.Log(err)
}

func TestTransportJSTruncatedBody(t *testing.T) {
	f := startFetchFixture(t)
	resp, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: f.base + "/truncate"})
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := withinTimeout(t, 5*time.Second, func() ([]byte, error) { return io.ReadAll(resp.Body) })
	require.Error(t, err, "a body cut short is an error, not io.EOF")
	assert.NotErrorIs(t, err, io.EOF)
	var ferr *fetchError
	assert.ErrorAs(t, err, &ferr)
	assert.Equal(t, "first\n", string(b))
	t.Log(err)
}

func TestTransportJSConnectionRefused(t *testing.T) {
	f := startFetchFixture(t)
	base := f.base
	mustAwait(t, f.srv.Call("close")) // nothing listens on the port any more
	_, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: base + "/echo"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ECONNREFUSED")
	t.Log(err)
}

func TestTransportJSRedirects(t *testing.T) {
	f := startFetchFixture(t)
	other := startFetchFixture(t)
	tr := NewTransport()
	do := func(to string) *Response {
		t.Helper()
		h := Header{}
		h.Set("Authorization", "Bearer secret")
		resp, err := tr.Do(context.Background(), &Request{
			Method: "GET",
			URL:    f.base + "/redirect?to=" + to,
			Header: h,
		})
		require.NoError(t, err)
		return resp
	}

	resp := do("/echo")
	assert.Equal(t, f.base+"/echo", resp.URL, "URL is the final URL")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Bearer secret", readFetchEcho(t, resp).Headers["authorization"], "same origin keeps Authorization")

	away := "http://localhost:" + strconv.Itoa(other.port) + "/echo"
	resp = do(away)
	assert.Equal(t, away, resp.URL)
	assert.NotContains(t, readFetchEcho(t, resp).Headers, "authorization",
		"Authorization must not follow a redirect to another host")
}

func TestTransportJSNoFetch(t *testing.T) {
	g := js.Global()
	saved := g.Get("fetch")
	g.Set("fetch", js.Undefined())
	defer g.Set("fetch", saved)
	_, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: "http://127.0.0.1:1/"})
	assert.ErrorIs(t, err, errNoFetch)
	assert.EqualError(t, err, "pbx: this JavaScript runtime has no fetch (Node.js 18+ or a browser is needed)")
}

func TestTransportJSBadRequest(t *testing.T) {
	// fetch rejects a malformed URL or header: an error, not a panic.
	_, err := NewTransport().Do(context.Background(), &Request{Method: "GET", URL: "http://[::1"})
	assert.Error(t, err)
	t.Log(err)
	h := Header{"X-Bad": {"a\nb"}}
	_, err = NewTransport().Do(context.Background(), &Request{Method: "GET", URL: "http://127.0.0.1:1/", Header: h})
	assert.Error(t, err)
	t.Log(err)
}

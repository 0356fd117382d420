//go:build !js

package devpbx

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webDir makes a web directory like the project's web/.
func webDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"examples/softphone/index.html": "<!doctype html><title>Sipcentric Softphone</title>",
		"examples/softphone/app.mjs":    "export {}",
		"wasmphone.wasm":                "\x00asm\x01\x00\x00\x00",
		"wasm_exec.js":                  "// glue",
		"index.mjs":                     "export {}",
		"index.d.ts":                    "export {}",
		".env":                          "SECRET=1",
		".git/config":                   "[core]",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	srv, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(ctx))
	})
	return srv
}

// noRedirect is an HTTP client that shows redirects instead of following.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, url string, user ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if len(user) == 2 {
		req.SetBasicAuth(user[0], user[1])
	}
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestServer_ServesWebAPIAndSIP(t *testing.T) {
	srv := start(t, Config{Memory: true, WebDir: webDir(t)})
	u := srv.URL()

	resp, _ := get(t, u+"/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, HomePath, resp.Header.Get("Location"))

	for path, ctype := range map[string]string{
		"/examples/softphone/":           "text/html; charset=utf-8",
		"/examples/softphone/app.mjs":    "text/javascript; charset=utf-8",
		"/wasmphone.wasm":                "application/wasm",
		"/wasm_exec.js":                  "text/javascript; charset=utf-8",
		"/index.mjs":                     "text/javascript; charset=utf-8",
		"/examples/softphone/index.html": "",
	} {
		resp, body := get(t, u+path)
		if ctype == "" {
			// FileServer redirects index.html to its directory.
			assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode, path)
			continue
		}
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Equal(t, ctype, resp.Header.Get("Content-Type"), path)
		assert.NotEmpty(t, body, path)
	}
	resp, _ = get(t, u+"/favicon.ico")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	for _, path := range []string{"/.env", "/.git/config", "/nothing.js"} {
		resp, _ := get(t, u+path)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	req, _ := http.NewRequest("POST", u+"/index.mjs", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	resp, body := get(t, u+"/api/v1/customers/me", "alice", "alice-secret")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"company":"Demo Company Ltd"`)
	resp, _ = get(t, u+"/api/v1/customers/me")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = get(t, u+"/api/v1")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the API answers its root too")

	// The SIP endpoint is mounted (a plain GET is no WebSocket handshake).
	resp, _ = get(t, u+SIPPath)
	assert.NotEqual(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "ws://"+srv.Addr().String()+SIPPath, srv.SIPURL())

	// The SIP side finds the seeded extensions through the API's Directory.
	ext, ok, err := srv.API().Lookup(context.Background(), "002003")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "sip-2003-secret", ext.SIPPassword)
}

func TestServer_NoWebDir(t *testing.T) {
	srv := start(t, Config{Memory: true})
	resp, _ := get(t, srv.URL()+"/index.mjs")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = get(t, srv.URL()+"/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
}

func TestServer_ShutdownEndsStreams(t *testing.T) {
	srv, err := New(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()})
	require.NoError(t, err)
	req, err := http.NewRequest("GET", srv.URL()+"/api/v1/stream", nil)
	require.NoError(t, err)
	req.SetBasicAuth("alice", "alice-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	begin := time.Now()
	require.NoError(t, srv.Shutdown(ctx))
	assert.Less(t, time.Since(begin), 3*time.Second)
	_, err = io.ReadAll(resp.Body)
	assert.NoError(t, err, "the stream ends cleanly")
	require.NoError(t, <-srv.Done())
	require.NoError(t, srv.Shutdown(ctx), "Shutdown twice is harmless")
}

func TestNew_Errors(t *testing.T) {
	srv := start(t, Config{Memory: true})
	_, err := New(Config{Addr: srv.Addr().String(), Memory: true})
	assert.ErrorContains(t, err, "listen")
	_, err = New(Config{Addr: "127.0.0.1:0"})
	assert.Error(t, err, "neither a data directory nor memory")
}

// TestServer_LoopbackServesOnlyThisMachinesPages: listening on loopback,
// the PBX refuses other sites' pages (REST with CORS, the SIP WebSocket)
// and requests for other host names (DNS rebinding); tools without an
// Origin and pages of loopback origins get through.
func TestServer_LoopbackServesOnlyThisMachinesPages(t *testing.T) {
	srv := start(t, Config{Memory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	port := srv.Addr().(*net.TCPAddr).Port
	api := srv.URL() + "/api/v1/customers/me"
	for _, tc := range []struct {
		host, origin string
		want         int
	}{
		{"", "", http.StatusOK},
		{"", srv.URL(), http.StatusOK},
		{"", "http://localhost:5173", http.StatusOK},
		{"", "https://evil.example", http.StatusForbidden},
		{"rebound.evil.test:" + strconv.Itoa(port), "", http.StatusForbidden},
	} {
		req, err := http.NewRequest("GET", api, nil)
		require.NoError(t, err)
		req.SetBasicAuth("alice", "alice-secret")
		if tc.host != "" {
			req.Host = tc.host
		}
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tc.want, resp.StatusCode, "host %q origin %q", tc.host, tc.origin)
		if tc.origin != "" && tc.want == http.StatusOK {
			assert.Equal(t, tc.origin, resp.Header.Get("Access-Control-Allow-Origin"))
		} else {
			assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}

	for origin, ok := range map[string]bool{"": true, "http://127.0.0.1:5173": true, "https://evil.example": false} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		c, _, err := websocket.Dial(ctx, srv.SIPURL(), &websocket.DialOptions{Subprotocols: []string{"sip"}, HTTPHeader: h})
		cancel()
		if ok {
			if assert.NoError(t, err, origin) {
				_ = c.CloseNow()
			}
		} else {
			assert.Error(t, err, origin)
		}
	}
}

// TestServer_SlowAndIdleClientsAreDropped: a request whose body never
// comes and a keep-alive connection left idle are closed.
func TestServer_SlowAndIdleClientsAreDropped(t *testing.T) {
	srv := start(t, Config{Memory: true, readTimeout: 300 * time.Millisecond, idleTimeout: 300 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	closedWithin := func(c net.Conn, d time.Duration) bool {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(d)))
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		return !(errors.As(err, &ne) && ne.Timeout())
	}
	dial := func() net.Conn {
		c, err := net.Dial("tcp", srv.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}

	slow := dial()
	_, err := io.WriteString(slow, "POST /api/v1/customers/me/phonebook HTTP/1.1\r\nHost: 127.0.0.1\r\n"+
		"Authorization: Basic YWxpY2U6YWxpY2Utc2VjcmV0\r\nContent-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	assert.True(t, closedWithin(slow, 3*time.Second), "a body that never comes")

	idle := dial()
	_, err = io.WriteString(idle, "GET /api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.True(t, closedWithin(idle, 3*time.Second), "an idle keep-alive connection")
}

// TestServer_StreamOutlivesTheWriteTimeout: the event stream writes past
// the server's write timeout.
func TestServer_StreamOutlivesTheWriteTimeout(t *testing.T) {
	srv := start(t, Config{Memory: true, HeartbeatInterval: 100 * time.Millisecond, writeTimeout: 300 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	req, err := http.NewRequest("GET", srv.URL()+"/api/v1/stream", nil)
	require.NoError(t, err)
	req.SetBasicAuth("alice", "alice-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	sc := bufio.NewScanner(resp.Body)
	begin := time.Now()
	beats := 0
	for time.Since(begin) < 1200*time.Millisecond && sc.Scan() {
		beats++
	}
	require.NoError(t, sc.Err())
	assert.GreaterOrEqual(t, beats, 8, "heartbeats in 1.2 s")
}

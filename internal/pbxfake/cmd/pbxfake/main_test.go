package main

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/cmdtest"
)

// readURL reads the PBXFAKE_URL line, which must be the first.
func readURL(t *testing.T, stdout io.Reader) string {
	t.Helper()
	lines, err := cmdtest.ReadUntil(stdout, "PBXFAKE_URL", 10*time.Second)
	require.NoError(t, err)
	require.Len(t, lines, 1, "first line %q", lines[0])
	u := lines[0].Value
	require.True(t, strings.HasPrefix(u, "http://127.0.0.1:") && strings.HasSuffix(u, "/api/v1"), u)
	return u
}

func checkServes(t *testing.T, base string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/customers/me/", nil)
	require.NoError(t, err)
	req.SetBasicAuth("alice", "alice-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get(strings.TrimSuffix(base, "/api/v1") + "/_fake/streams")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestRunStopsWhenStdinCloses(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	var stderr cmdtest.Buffer
	done := make(chan int, 1)
	go func() { done <- run(nil, stdinR, stdoutW, &stderr) }()
	checkServes(t, readURL(t, stdoutR))
	assert.Contains(t, stderr.String(), "login alice / alice-secret")
	require.NoError(t, stdinW.Close())
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after stdin closed")
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	var stderr cmdtest.Buffer
	assert.Equal(t, 2, run([]string{"-addr", "0.0.0.0:0"}, strings.NewReader(""), io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "only loopback")
	assert.NoError(t, checkLoopback("localhost:0"))
	assert.NoError(t, checkLoopback("[::1]:0"))
}

func TestCommand(t *testing.T) {
	bin := cmdtest.Build(t, ".")

	start := func(t *testing.T) (*cmdtest.Process, string) {
		p := cmdtest.Start(t, exec.Command(bin))
		return p, readURL(t, p.Stdout)
	}
	wait := func(t *testing.T, p *cmdtest.Process) {
		assert.NoError(t, p.Wait(t, 5*time.Second))
	}

	t.Run("stdin", func(t *testing.T) {
		p, base := start(t)
		checkServes(t, base)
		// The logins come before the URL, but the copy from the pipe may lag.
		assert.Eventually(t, func() bool { return strings.Contains(p.Stderr.String(), "login nobody") },
			5*time.Second, 10*time.Millisecond)
		for _, u := range []string{"alice", "bob", "carol", "reseller", "nobody"} {
			assert.Contains(t, p.Stderr.String(), "login "+u+" / "+u+"-secret")
		}
		require.NoError(t, p.Stdin.Close())
		wait(t, p)
	})
	t.Run("sigterm", func(t *testing.T) {
		p, base := start(t)
		checkServes(t, base)
		require.NoError(t, p.Cmd.Process.Signal(syscall.SIGTERM))
		wait(t, p)
	})
}

package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// readURL reads the PBXFAKE_URL line.
func readURL(t *testing.T, stdout io.Reader) string {
	t.Helper()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		u, ok := strings.CutPrefix(strings.TrimSpace(s), "PBXFAKE_URL=")
		require.True(t, ok, "first line %q", s)
		require.True(t, strings.HasPrefix(u, "http://127.0.0.1:") && strings.HasSuffix(u, "/api/v1"), u)
		return u
	case <-time.After(10 * time.Second):
		t.Fatal("no URL line")
		return ""
	}
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
	var stderr syncBuffer
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
	var stderr syncBuffer
	assert.Equal(t, 2, run([]string{"-addr", "0.0.0.0:0"}, strings.NewReader(""), io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "only loopback")
	assert.NoError(t, checkLoopback("localhost:0"))
	assert.NoError(t, checkLoopback("[::1]:0"))
}

func TestCommand(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool:", err)
	}
	bin := filepath.Join(t.TempDir(), "pbxfake")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	start := func(t *testing.T) (*exec.Cmd, io.WriteCloser, string, *syncBuffer) {
		cmd := exec.Command(bin)
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		return cmd, stdin, readURL(t, stdout), stderr
	}
	wait := func(t *testing.T, cmd *exec.Cmd) {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("pbxfake did not exit")
		}
	}

	t.Run("stdin", func(t *testing.T) {
		cmd, stdin, base, stderr := start(t)
		checkServes(t, base)
		// The logins come before the URL, but the copy from the pipe may lag.
		assert.Eventually(t, func() bool { return strings.Contains(stderr.String(), "login nobody") },
			5*time.Second, 10*time.Millisecond)
		for _, u := range []string{"alice", "bob", "carol", "reseller", "nobody"} {
			assert.Contains(t, stderr.String(), "login "+u+" / "+u+"-secret")
		}
		require.NoError(t, stdin.Close())
		wait(t, cmd)
	})
	t.Run("sigterm", func(t *testing.T) {
		cmd, _, base, _ := start(t)
		checkServes(t, base)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		wait(t, cmd)
	})
}

//go:build !(js && wasm)

package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
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

// announced is what the command prints once Kamailio is ready.
type announced struct {
	ws, domain, sip, ctl string
	users                []string // NAME:PASSWORD, in printed order
}

// readLines reads the KAMAILIO_* lines up to KAMAILIO_WS. Installing
// Kamailio may come first, hence the long wait.
func readLines(t *testing.T, stdout io.Reader, stderr *syncBuffer) announced {
	t.Helper()
	got := make(chan announced, 1)
	bad := make(chan string, 1)
	go func() {
		var a announced
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				bad <- "stdout ended before KAMAILIO_WS: " + err.Error()
				return
			}
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			if !ok {
				bad <- "unexpected line " + line
				return
			}
			switch k {
			case "KAMAILIO_DOMAIN":
				a.domain = v
			case "KAMAILIO_SIP":
				a.sip = v
			case "KAMAILIO_CTL":
				a.ctl = v
			case "KAMAILIO_USER":
				a.users = append(a.users, v)
			case "KAMAILIO_WS":
				a.ws = v
				got <- a
				return
			default:
				bad <- "unexpected line " + line
				return
			}
		}
	}()
	select {
	case a := <-got:
		require.True(t, strings.HasPrefix(a.ws, "ws://127.0.0.1:"), a.ws)
		require.True(t, strings.HasPrefix(a.sip, "127.0.0.1:"), a.sip)
		require.NotEmpty(t, a.domain)
		require.True(t, filepath.IsAbs(a.ctl), a.ctl)
		return a
	case msg := <-bad:
		t.Fatalf("%s\nstderr:\n%s", msg, stderr.String())
	case <-time.After(10 * time.Minute):
		t.Fatalf("no KAMAILIO_WS line\nstderr:\n%s", stderr.String())
	}
	return announced{}
}

func accepts(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func TestRunUsersAndStdin(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	args := []string{"-user", "alice:pw-a", "-users", "2", "-domain", "example.test", "-log"}
	go func() { done <- run(args, stdinR, stdoutW, stderr) }()
	t.Cleanup(func() { _ = stdinW.Close() })

	a := readLines(t, stdoutR, stderr)
	assert.Equal(t, "example.test", a.domain)
	assert.Equal(t, []string{"1001:1001-secret", "1002:1002-secret", "alice:pw-a"}, a.users)
	ws := strings.TrimPrefix(a.ws, "ws://")
	assert.True(t, accepts(ws), "WebSocket port")
	assert.True(t, accepts(a.sip), "SIP port")

	require.NoError(t, stdinW.Close())
	select {
	case code := <-done:
		assert.Equal(t, 0, code, "stderr:\n%s", stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after stdin closed")
	}
	assert.False(t, accepts(ws), "Kamailio still listens after the command returned")
	assert.NoFileExists(t, a.ctl, "runtime files removed")
	assert.Contains(t, stderr.String(), "kamailio log:")
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-user", "alice"},
		{"-user", ":pw"},
		{"-users", "-1"},
		{"extra"},
	} {
		var stderr syncBuffer
		assert.Equal(t, 2, run(args, strings.NewReader(""), io.Discard, &stderr), "%q", args)
	}
	// A password db_text cannot store fails before anything starts.
	var stderr syncBuffer
	assert.Equal(t, 1, run([]string{"-user", `bob:a\b`}, strings.NewReader(""), io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "cannot be stored")
}

func TestCommand(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go tool:", err)
	}
	bin := filepath.Join(t.TempDir(), "kamailio")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	start := func(t *testing.T) (*exec.Cmd, io.WriteCloser, announced) {
		cmd := exec.Command(bin)
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		return cmd, stdin, readLines(t, stdout, stderr)
	}
	wait := func(t *testing.T, cmd *exec.Cmd) {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Fatal("the command did not exit")
		}
	}

	t.Run("stdin", func(t *testing.T) {
		cmd, stdin, a := start(t)
		assert.Equal(t, "test.local", a.domain)
		assert.Equal(t, []string{"alice:alice-secret", "bob:bob-secret", "carol:carol-secret"}, a.users)
		ws := strings.TrimPrefix(a.ws, "ws://")
		assert.True(t, accepts(ws))
		require.NoError(t, stdin.Close())
		wait(t, cmd)
		assert.False(t, accepts(ws), "Kamailio still listens after the command exited")
	})
	t.Run("sigterm", func(t *testing.T) {
		cmd, _, a := start(t)
		ws := strings.TrimPrefix(a.ws, "ws://")
		assert.True(t, accepts(ws))
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		wait(t, cmd)
		assert.False(t, accepts(ws), "Kamailio still listens after the command exited")
	})
}

//go:build !(js && wasm)

package main

import (
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/cmdtest"
)

// announced is what the command prints once Kamailio is ready.
type announced struct {
	ws, domain, sip, ctl string
	users                []string // NAME:PASSWORD, in printed order
}

// readLines reads the KAMAILIO_* lines up to KAMAILIO_WS. Installing
// Kamailio may come first, hence the long wait.
func readLines(t *testing.T, stdout io.Reader, stderr *cmdtest.Buffer) announced {
	t.Helper()
	lines, err := cmdtest.ReadUntil(stdout, "KAMAILIO_WS", 10*time.Minute)
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
	}
	var a announced
	for _, l := range lines {
		switch l.Key {
		case "KAMAILIO_DOMAIN":
			a.domain = l.Value
		case "KAMAILIO_SIP":
			a.sip = l.Value
		case "KAMAILIO_CTL":
			a.ctl = l.Value
		case "KAMAILIO_USER":
			a.users = append(a.users, l.Value)
		case "KAMAILIO_WS":
			a.ws = l.Value
		default:
			t.Fatalf("unexpected line %s=%s\nstderr:\n%s", l.Key, l.Value, stderr.String())
		}
	}
	require.True(t, strings.HasPrefix(a.ws, "ws://127.0.0.1:"), a.ws)
	require.True(t, strings.HasPrefix(a.sip, "127.0.0.1:"), a.sip)
	require.NotEmpty(t, a.domain)
	require.True(t, filepath.IsAbs(a.ctl), a.ctl)
	return a
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
	stderr := &cmdtest.Buffer{}
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
		var stderr cmdtest.Buffer
		assert.Equal(t, 2, run(args, strings.NewReader(""), io.Discard, &stderr), "%q", args)
	}
	// A password db_text cannot store fails before anything starts.
	var stderr cmdtest.Buffer
	assert.Equal(t, 1, run([]string{"-user", `bob:a\b`}, strings.NewReader(""), io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "cannot be stored")
}

func TestCommand(t *testing.T) {
	bin := cmdtest.Build(t, ".")

	start := func(t *testing.T) (*cmdtest.Process, announced) {
		p := cmdtest.Start(t, exec.Command(bin))
		return p, readLines(t, p.Stdout, p.Stderr)
	}
	wait := func(t *testing.T, p *cmdtest.Process) {
		assert.NoError(t, p.Wait(t, 15*time.Second))
	}

	t.Run("stdin", func(t *testing.T) {
		p, a := start(t)
		assert.Equal(t, "test.local", a.domain)
		assert.Equal(t, []string{"alice:alice-secret", "bob:bob-secret", "carol:carol-secret"}, a.users)
		ws := strings.TrimPrefix(a.ws, "ws://")
		assert.True(t, accepts(ws))
		require.NoError(t, p.Stdin.Close())
		wait(t, p)
		assert.False(t, accepts(ws), "Kamailio still listens after the command exited")
	})
	t.Run("sigterm", func(t *testing.T) {
		p, a := start(t)
		ws := strings.TrimPrefix(a.ws, "ws://")
		assert.True(t, accepts(ws))
		require.NoError(t, p.Cmd.Process.Signal(syscall.SIGTERM))
		wait(t, p)
		assert.False(t, accepts(ws), "Kamailio still listens after the command exited")
	})
}

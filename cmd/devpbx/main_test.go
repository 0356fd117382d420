//go:build !js

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/cmdtest"
)

// TestMain lets the test binary act as the command when a test starts it
// again with DEVPBX_RUN_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("DEVPBX_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCommand starts the command on a free port, reads DEVPBX_URL, fetches
// the customers with the demo login and stops it with SIGTERM.
func TestCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-memory", "-addr", "127.0.0.1:0", "-web", t.TempDir(),
		"-heartbeat", "1s")
	cmd.Env = append(os.Environ(), "DEVPBX_RUN_MAIN=1")
	p := cmdtest.Start(t, cmd)
	stderr := p.Stderr

	lines, err := cmdtest.ReadUntil(p.Stdout, "DEVPBX_URL", 30*time.Second)
	var banner strings.Builder
	for _, l := range lines {
		if l.Key != "" {
			banner.WriteString(l.Key + "=")
		}
		banner.WriteString(l.Value + "\n")
	}
	require.NoError(t, err, "stdout:\n%s\nstderr:\n%s", banner.String(), stderr.String())
	base := lines[len(lines)-1].Value
	go func() { _, _ = io.Copy(io.Discard, p.Stdout) }()
	assert.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), base)
	out := banner.String()
	for _, want := range []string{"not a production PBX", "alice / alice-secret", "002001 / sip-2001-secret",
		"ws://127.0.0.1:", "/ws", "*52", "in memory"} {
		assert.Contains(t, out, want)
	}

	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/customers", nil)
	require.NoError(t, err)
	req.SetBasicAuth("alice", "alice-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list struct {
		TotalItems int `json:"totalItems"`
		Items      []struct {
			ID      string `json:"id"`
			Company string `json:"company"`
		} `json:"items"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	require.Equal(t, 1, list.TotalItems)
	assert.Equal(t, "Demo Company Ltd", list.Items[0].Company)

	// An open event stream does not hold up a clean stop.
	sreq, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/stream", nil)
	require.NoError(t, err)
	sreq.SetBasicAuth("bob", "bob-secret")
	sresp, err := http.DefaultClient.Do(sreq)
	require.NoError(t, err)
	defer sresp.Body.Close()

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.Wait(t, 10*time.Second), "stderr:\n%s", stderr.String())
	assert.Contains(t, stderr.String(), "stopped")
}

func TestCommand_BadFlags(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-heartbeat", "0s"}, {"-addr", "not an address"}} {
		err := run(context.Background(), append([]string{"-memory"}, args...), io.Discard, io.Discard)
		assert.Error(t, err, args)
	}
}

func TestDefaultDataDir(t *testing.T) {
	assert.NotEmpty(t, defaultDataDir())
}

func TestLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:0": true, "localhost:8080": true,
		"0.0.0.0:8080": false, "192.0.2.1:80": false, ":8080": false, "bad": false,
	} {
		if got := loopbackAddr(addr); got != want {
			t.Errorf("loopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

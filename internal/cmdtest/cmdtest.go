// Package cmdtest runs this module's commands from their tests: it builds
// them, starts them with their standard streams on pipes, reads the
// KEY=VALUE lines they announce themselves with, and waits for them to
// exit, each step bounded in time.
package cmdtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer safe for one writer and one reader goroutine,
// for a command's stderr.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Build builds the command in dir (a package directory, "." for the test's
// own) into a temporary directory and returns the binary's path.
func Build(t testing.TB, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go tool:", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(abs))
	if out, err := exec.Command(goTool, "build", "-o", bin, dir).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// Process is a started command.
type Process struct {
	Cmd    *exec.Cmd
	Stdin  io.WriteCloser
	Stdout io.Reader
	Stderr *Buffer
}

// Start starts cmd with its standard streams on pipes (stderr collected in
// Stderr); the test's cleanup kills it if it still runs.
func Start(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{Cmd: cmd, Stdin: stdin, Stdout: stdout, Stderr: &Buffer{}}
	cmd.Stderr = p.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return p
}

// Wait waits for the command to exit, at most timeout, and returns what
// Cmd.Wait returned; a command that does not exit in time fails the test.
func (p *Process) Wait(t testing.TB, timeout time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %v; stderr:\n%s", filepath.Base(p.Cmd.Path), timeout, p.Stderr.String())
		return nil
	}
}

// Line is one KEY=VALUE line a command printed.
type Line struct{ Key, Value string }

// ReadUntil reads lines from r until a KEY=VALUE line with key, at most
// timeout, and returns every line read, that one included. Lines that are
// not KEY=VALUE have an empty Key and the whole line as Value. Output
// after that line may have been buffered and is not returned.
func ReadUntil(r io.Reader, key string, timeout time.Duration) ([]Line, error) {
	type result struct {
		lines []Line
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var lines []Line
		br := bufio.NewReader(r)
		for {
			s, err := br.ReadString('\n')
			if s != "" {
				s = strings.TrimRight(s, "\r\n")
				k, v, ok := strings.Cut(s, "=")
				if !ok || k == "" || strings.ContainsAny(k, " \t") {
					k, v = "", s
				}
				lines = append(lines, Line{k, v})
				if k == key {
					done <- result{lines, nil}
					return
				}
			}
			if err != nil {
				done <- result{lines, fmt.Errorf("output ended before %s: %w", key, err)}
				return
			}
		}
	}()
	select {
	case res := <-done:
		return res.lines, res.err
	case <-time.After(timeout):
		return nil, errors.New("no " + key + " line within " + timeout.String())
	}
}

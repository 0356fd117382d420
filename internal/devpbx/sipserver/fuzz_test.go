//go:build !js

package sipserver

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// offlineConn is a connection whose output is only queued (and drained),
// for feeding messages straight to the server's handler.
func offlineConn(t testing.TB, s *Server) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{id: "offline", remote: "test", out: make(chan []byte, outQueue), ctx: ctx, cancel: cancel}
	s.mu.Lock()
	s.conns[c.id] = c
	s.mu.Unlock()
	t.Cleanup(func() {
		cancel()
		s.connClosed(c)
	})
	return c
}

func drain(c *conn) {
	for {
		select {
		case <-c.out:
		default:
			return
		}
	}
}

func fuzzServer(t testing.TB) *Server {
	s, err := New(Config{Directory: &fakeDirectory{exts: []Extension{alice, bob, carol}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func seeds(t testing.TB) [][]byte {
	// The RFC 4475 messages and any other .sip file; not the fuzz corpora.
	files, err := filepath.Glob("../../../pkg/sipua/sipmsg/testdata/rfc4475/*")
	require.NoError(t, err)
	more, _ := filepath.Glob("../../../pkg/sipua/sipmsg/testdata/*.sip")
	var out [][]byte
	for _, f := range append(files, more...) {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out = append(out, b)
	}
	out = append(out, []byte(options))
	return out
}

// TestHandleMessage_RandomMutations feeds thousands of mutated messages
// to the handler: it must never panic.
func TestHandleMessage_RandomMutations(t *testing.T) {
	s := fuzzServer(t)
	c := offlineConn(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, seed := range seeds(t) {
		for range 200 {
			b := append([]byte(nil), seed...)
			for range 1 + rng.IntN(8) {
				switch i := rng.IntN(len(b) + 1); rng.IntN(3) {
				case 0:
					if i < len(b) {
						b[i] = byte(rng.IntN(256))
					}
				case 1:
					const specials = "\r\n:;<>@\" ,="
					b = append(b[:i], append([]byte{specials[rng.IntN(len(specials))]}, b[i:]...)...)
				case 2:
					if i < len(b) {
						b = append(b[:i], b[i+1:]...)
					}
				}
			}
			s.handleMessage(c, b)
			drain(c)
		}
	}
}

func FuzzHandleMessage(f *testing.F) {
	for _, seed := range seeds(f) {
		f.Add(seed)
	}
	s := fuzzServer(f)
	c := offlineConn(f, s)
	f.Fuzz(func(t *testing.T, b []byte) {
		s.handleMessage(c, b)
		drain(c)
	})
}

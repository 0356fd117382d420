//go:build !(js && wasm)

package pbx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStreamOverHTTP runs the stream over a real HTTP server and the
// native Transport: flushed chunks that split objects, a preamble, a
// heartbeat, a server that ends the response (reconnect), then a 401
// (stop). httptest needs a network listener, so this test is native only.
func TestStreamOverHTTP(t *testing.T) {
	e1, e2, e3, e4 := evCall("1"), evSMS("2"), evDelivered("3"), evCall("4")
	var requests atomic.Int32
	proceed := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		if r.URL.Path != "/api/v1/stream" || r.Header.Get("Authorization") != "Basic "+streamSecret {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		switch n {
		case 1:
			w.Header().Set("Content-Type", "application/json")
			f := w.(http.Flusher)
			for _, chunk := range []string{
				"0b7d8a70-5bd4-4dc7-a8e6-4fbfe6a1c0ad|60000|X|",
				e1[:20], e1[20:] + "\n" + e2[:len(e2)-3],
				e2[len(e2)-3:] + "\n" + `{"event":"heartbeat"}` + "\n",
			} {
				_, _ = w.Write([]byte(chunk))
				f.Flush()
				select {
				case <-proceed: // the client has read this far
				case <-r.Context().Done():
					return
				case <-time.After(waitTimeout):
					return
				}
			}
			// Returning ends the response: the client must reconnect.
		case 2:
			_, _ = w.Write([]byte(e3 + "\n" + e4 + "\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done() // hold the stream open until the client goes
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":["Invalid credentials"]}`))
		}
	}))
	defer srv.Close()

	header := func() Header {
		h := Header{}
		h.Set("Authorization", "Basic "+streamSecret)
		return h
	}
	s := newStream(NewTransport(), srv.URL+"/api/v1/stream", header,
		StreamOptions{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, IdleTimeout: waitTimeout})
	defer s.Close()
	states := make(chan StreamState, 100)
	s.OnState(func(st StreamState) { states <- st })
	got := newSink()
	s.Subscribe(nil, got.handler)

	// Connection 1: the server waits for a sign of progress after each
	// chunk, so that the chunks really arrive separately.
	var first []string
	for i := 0; i < 4; i++ {
		if i == 2 || i == 3 {
			select {
			case e := <-got:
				first = append(first, string(e.Raw))
			case <-time.After(waitTimeout):
				t.Fatal("event not delivered")
			}
		}
		proceed <- struct{}{}
	}
	assert.Equal(t, []string{e1, e2}, first)

	// Connection 2 after the reconnection.
	for _, want := range []string{e3, e4} {
		select {
		case e := <-got:
			assert.Equal(t, want, string(e.Raw))
		case <-time.After(waitTimeout):
			t.Fatal("event not delivered after reconnecting")
		}
	}

	// Connection 2 is cut by the test's server closing the connections;
	// connection 3 gets 401 and stops the stream.
	srv.CloseClientConnections()
	var stopped StreamState
	deadline := time.After(waitTimeout)
	for stopped.Err == nil {
		select {
		case st := <-states:
			if st.State == StreamStopped {
				stopped = st
			}
		case <-deadline:
			t.Fatal("stream did not stop on 401")
		}
	}
	assert.True(t, errors.Is(stopped.Err, ErrUnauthorized), "%v", stopped.Err)
	var pe *Error
	require.ErrorAs(t, stopped.Err, &pe)
	assert.Equal(t, MsgErrors, pe.Message)
	assert.Equal(t, int32(3), requests.Load())
	assert.Empty(t, got.drain())
	require.NoError(t, s.Close())
	assert.ErrorIs(t, s.State().Err, ErrClosed)
}

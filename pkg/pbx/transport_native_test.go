//go:build !(js && wasm)

package pbx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverSawRequest is what a test server saw of one request.
type serverSawRequest struct {
	Method        string
	RequestURI    string
	Header        http.Header
	Body          []byte
	ContentLength int64
	Chunked       bool
}

func recordServerRequest(r *http.Request) serverSawRequest {
	b, _ := io.ReadAll(r.Body)
	chunked := false
	for _, te := range r.TransferEncoding {
		if te == "chunked" {
			chunked = true
		}
	}
	return serverSawRequest{
		Method:        r.Method,
		RequestURI:    r.RequestURI,
		Header:        r.Header.Clone(),
		Body:          b,
		ContentLength: r.ContentLength,
		Chunked:       chunked,
	}
}

// readWithTimeout runs one Read in a goroutine and fails the test if it does not
// return within d.
func readWithTimeout(t *testing.T, r io.Reader, p []byte, d time.Duration) (int, error) {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := r.Read(p)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return res.n, res.err
	case <-time.After(d):
		t.Fatalf("Read did not return within %v", d)
		return 0, nil
	}
}

// atLeastReader reads until it has min bytes.
type atLeastReader struct {
	r   io.Reader
	min int
}

func (a atLeastReader) Read(p []byte) (int, error) { return io.ReadAtLeast(a.r, p, a.min) }

func TestTransportNativeIsOwnClient(t *testing.T) {
	a := NewTransport().(*httpTransport)
	b := NewTransport().(*httpTransport)
	assert.NotSame(t, http.DefaultClient, a.client)
	assert.NotSame(t, a.client, b.client, "each transport owns its client")
	assert.Zero(t, a.client.Timeout, "the context governs, not a client timeout")
	assert.NotSame(t, http.DefaultTransport, a.client.Transport, "own connection pool")
}

func TestTransportNativeRequestArrivesExactly(t *testing.T) {
	seen := make(chan serverSawRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- recordServerRequest(r)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	body := []byte("{\"name\":\"x\",\"bin\":\"\x00\xff\"}")
	h := Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Authorization", "Basic dTpw")
	h.Add("X-Multi", "one")
	h.Add("X-Multi", "two")
	resp, err := NewTransport().Do(context.Background(), &Request{
		Method: http.MethodPut,
		URL:    srv.URL + "/customers/me/phonebook/12?x=1&y=%20z",
		Header: h,
		Body:   body,
	})
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)

	got := <-seen
	assert.Equal(t, http.MethodPut, got.Method)
	assert.Equal(t, "/customers/me/phonebook/12?x=1&y=%20z", got.RequestURI)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "Basic dTpw", got.Header.Get("Authorization"))
	assert.Equal(t, []string{"one", "two"}, got.Header.Values("X-Multi"))
	assert.Equal(t, body, got.Body)
	assert.Equal(t, int64(len(body)), got.ContentLength)
	assert.False(t, got.Chunked)
}

func TestTransportNativeGetWithoutBody(t *testing.T) {
	seen := make(chan serverSawRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- recordServerRequest(r)
	}))
	defer srv.Close()

	resp, err := NewTransport().Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL + "/a"})
	require.NoError(t, err)
	resp.Body.Close()

	got := <-seen
	assert.Equal(t, http.MethodGet, got.Method)
	assert.Empty(t, got.Body)
	assert.Zero(t, got.ContentLength)
	assert.False(t, got.Chunked)
	assert.Empty(t, got.Header.Values("Content-Length"))
}

func TestTransportNativeEmptyBodyIsSent(t *testing.T) {
	seen := make(chan serverSawRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- recordServerRequest(r)
	}))
	defer srv.Close()

	resp, err := NewTransport().Do(context.Background(), &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte{}})
	require.NoError(t, err)
	resp.Body.Close()

	got := <-seen
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Empty(t, got.Body)
	assert.False(t, got.Chunked)
	assert.Equal(t, []string{"0"}, got.Header.Values("Content-Length"))
}

func TestTransportNativeStatusAndHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Rate", "a")
		w.Header().Add("X-Rate", "b")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"type":"error","message":"no such thing"}`)
	}))
	defer srv.Close()

	resp, err := NewTransport().Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL + "/missing"})
	require.NoError(t, err, "an HTTP error status is not a transport error")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "404 Not Found", resp.Status)
	assert.Equal(t, "application/json", resp.Header.Get("content-type"))
	assert.Equal(t, []string{"a", "b"}, resp.Header.Values("X-Rate"))
	assert.Equal(t, srv.URL+"/missing", resp.URL)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"error","message":"no such thing"}`, string(b))
}

func TestTransportNativeStreamedBodyIsIncremental(t *testing.T) {
	next := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i, chunk := range []string{`{"n":1}` + "\n", `{"n":2}` + "\n", `{"n":3}` + "\n"} {
			if i > 0 {
				// The next chunk is written only once the client has
				// read the previous one.
				select {
				case <-next:
				case <-r.Context().Done():
					return
				}
			}
			io.WriteString(w, chunk)
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()

	resp, err := NewTransport().Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL + "/stream"})
	require.NoError(t, err)
	defer resp.Body.Close()

	buf := make([]byte, 64)
	for i, want := range []string{`{"n":1}` + "\n", `{"n":2}` + "\n", `{"n":3}` + "\n"} {
		if i > 0 {
			next <- struct{}{}
		}
		// A transport that buffered the whole body would block here,
		// since the server waits for the client before writing more.
		n, err := readWithTimeout(t, atLeastReader{resp.Body, len(want)}, buf, 5*time.Second)
		require.NoError(t, err, "chunk %d", i+1)
		assert.Equal(t, want, string(buf[:n]))
	}
	n, err := resp.Body.Read(buf)
	assert.Zero(t, n)
	assert.ErrorIs(t, err, io.EOF)
}

func TestTransportNativeCancelDuringBody(t *testing.T) {
	gone := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // never ends on its own
		close(gone)
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := NewTransport().Do(ctx, &Request{Method: http.MethodGet, URL: srv.URL + "/forever"})
	require.NoError(t, err)
	defer resp.Body.Close()

	buf := make([]byte, 64)
	n, err := readWithTimeout(t, resp.Body, buf, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "first\n", string(buf[:n]))

	// A Read blocked on the endless body must return once ctx is cancelled.
	result := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(buf)
		result <- err
	}()
	cancel()
	select {
	case err := <-result:
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(2 * time.Second):
		t.Fatal("Read did not fail promptly after cancel")
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("server did not see the connection go away")
	}
}

func TestTransportNativeTimeoutWithoutAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp, err := NewTransport().Do(ctx, &Request{Method: http.MethodGet, URL: srv.URL + "/slow"})
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestTransportNativeAlreadyCancelled(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewTransport().Do(ctx, &Request{Method: http.MethodGet, URL: srv.URL})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, hits.Load())
}

func TestTransportNativeClosedConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close()
	}))
	defer srv.Close()

	resp, err := NewTransport().Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL + "/close"})
	require.Error(t, err)
	assert.Nil(t, resp)
	var uerr *url.Error
	assert.ErrorAs(t, err, &uerr, "net/http's error is returned as it is")
}

func TestTransportNativeBadURL(t *testing.T) {
	_, err := NewTransport().Do(context.Background(), &Request{Method: http.MethodGet, URL: "http://[::1"})
	assert.Error(t, err)
	_, err = NewTransport().Do(context.Background(), &Request{Method: "BAD METHOD", URL: "http://127.0.0.1/"})
	assert.Error(t, err)
}

func TestTransportNativeRedirects(t *testing.T) {
	auth := make(chan string, 1)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth <- r.Header.Get("Authorization")
		io.WriteString(w, "landed")
	}))
	defer other.Close()
	// The same server under another host name: "localhost" instead of
	// "127.0.0.1".
	otherURL, err := url.Parse(other.URL)
	require.NoError(t, err)
	otherHost := "http://localhost:" + otherURL.Port()

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/final":
			auth <- r.Header.Get("Authorization")
			io.WriteString(w, "landed")
		case "/away":
			http.Redirect(w, r, otherHost+"/final", http.StatusFound)
		}
	}))
	defer srv.Close()

	tr := NewTransport()
	do := func(path string) *Response {
		t.Helper()
		h := Header{}
		h.Set("Authorization", "Bearer secret")
		resp, err := tr.Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL + path, Header: h})
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, "landed", string(b))
		return resp
	}

	resp := do("/same")
	assert.Equal(t, "Bearer secret", <-auth, "same host keeps Authorization")
	assert.Equal(t, srv.URL+"/final", resp.URL, "URL is the final URL")
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp = do("/away")
	assert.Empty(t, <-auth, "Authorization must not follow a redirect to another host")
	assert.Equal(t, otherHost+"/final", resp.URL)
}

func TestTransportNativeWithClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.ToUpper(r.Header.Get("X-Via")))
	}))
	defer srv.Close()

	var used atomic.Int32
	c := &http.Client{Transport: nativeRoundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		r = r.Clone(r.Context())
		r.Header.Set("X-Via", "custom")
		return http.DefaultTransport.RoundTrip(r)
	})}
	resp, err := NewTransportWithClient(c).Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL})
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "CUSTOM", string(b))
	assert.Equal(t, int32(1), used.Load())

	assert.IsType(t, &httpTransport{}, NewTransportWithClient(nil))
}

type nativeRoundTripFunc func(*http.Request) (*http.Response, error)

func (f nativeRoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportNativeTransportErrorAsIs(t *testing.T) {
	wantErr := errors.New("boom")
	c := &http.Client{Transport: nativeRoundTripFunc(func(*http.Request) (*http.Response, error) { return nil, wantErr })}
	_, err := NewTransportWithClient(c).Do(context.Background(), &Request{Method: http.MethodGet, URL: "http://127.0.0.1:1/"})
	assert.ErrorIs(t, err, wantErr)
}

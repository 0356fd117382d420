package pbxfake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const waitLong = 5 * time.Second

// streamReader reads an open stream through net/http.
type streamReader struct {
	t      *testing.T
	data   chan []byte
	err    chan error
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func openStream(t *testing.T, h *harness, user string) *streamReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"/stream", nil)
	require.NoError(t, err)
	req.SetBasicAuth(user, user+"-secret")
	resp, err := h.srv.Client().Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s := &streamReader{t: t, data: make(chan []byte, 100), err: make(chan error, 1), cancel: cancel}
	go func() {
		defer resp.Body.Close()
		for {
			b := make([]byte, 4096)
			n, err := resp.Body.Read(b)
			if n > 0 {
				s.data <- b[:n]
			}
			if err != nil {
				s.err <- err
				return
			}
		}
	}()
	t.Cleanup(cancel)
	return s
}

// expect reads until sub has arrived and returns what came before it.
func (s *streamReader) expect(sub string) string {
	s.t.Helper()
	deadline := time.After(waitLong)
	for {
		if before, after, ok := strings.Cut(s.buf.String(), sub); ok {
			s.buf.Reset()
			s.buf.WriteString(after)
			return before
		}
		select {
		case b := <-s.data:
			s.buf.Write(b)
		case err := <-s.err:
			s.t.Fatalf("stream ended waiting for %q: %v (have %q)", sub, err, s.buf.String())
		case <-deadline:
			s.t.Fatalf("timed out waiting for %q (have %q)", sub, s.buf.String())
		}
	}
}

// quiet checks that nothing arrives for d.
func (s *streamReader) quiet(d time.Duration) {
	s.t.Helper()
	select {
	case b := <-s.data:
		s.t.Fatalf("unexpected data %q", b)
	case err := <-s.err:
		s.t.Fatalf("stream ended: %v", err)
	case <-time.After(d):
	}
}

// ended waits for the stream to end with an error.
func (s *streamReader) ended() error {
	s.t.Helper()
	for {
		select {
		case <-s.data:
		case err := <-s.err:
			return err
		case <-time.After(waitLong):
			s.t.Fatal("stream did not end")
		}
	}
}

func waitStreams(t *testing.T, h *harness, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.True(t, h.fake.WaitStreams(ctx, n), "want %d streams, have %d", n, h.fake.StreamConnections())
}

func TestStreamDeliversPublishedEvents(t *testing.T) {
	h := newHarness(t)
	alice := openStream(t, h, "alice")
	bob := openStream(t, h, "bob")
	carol := openStream(t, h, "carol")
	waitStreams(t, h, 3)

	ev := Event{Event: "incomingcall", Location: h.base + "/customers/1001/calls/1",
		Values: map[string]any{"callerIdNumber": "07700900555", "callerIdName": "J Bloggs",
			"endpoint": "/customers/1001/endpoints/2001"}}
	assert.Equal(t, 2, h.fake.Publish("1001", ev))
	want := string(marshal(ev))
	for _, s := range []*streamReader{alice, bob} {
		assert.Empty(t, s.expect(want))
	}
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(want), &got))
	assert.Equal(t, "incomingcall", got["event"])

	assert.Equal(t, 1, h.fake.Publish("1002", map[string]any{"event": "smsdelivered"}))
	assert.Empty(t, carol.expect(`{"event":"smsdelivered"}`))
	alice.quiet(50 * time.Millisecond)

	// Raw events pass as they are.
	h.fake.Publish("1001", `{"event":`)
	assert.Empty(t, alice.expect(`{"event":`))

	// The REST side publishes too: an SMS to carol's number, a call to bob.
	r := h.req(http.MethodPost, "/customers/1001/sms/", "alice", `{"to":"447700900201","body":"Two loaves please"}`)
	require.Equal(t, http.StatusCreated, r.status)
	carol.expect(`"event":"smsreceived"`)
	carol.expect(`"excerpt":"Two loaves please"`)
	alice.expect(`"event":"smsdelivered"`)
	alice.expect(`"location":"` + r.obj(t)["uri"].(string) + `"`)
	r = h.req(http.MethodPost, "/customers/1001/calls/", "alice", `{"type":"call","endpoint":"2001","to":"202"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	bob.expect(`"event":"incomingcall"`)
	bob.expect(`"endpoint":"/customers/1001/endpoints/2002"`)
	carol.quiet(50 * time.Millisecond)

	alice.cancel()
	waitStreams(t, h, 2)
	assert.Equal(t, 2, h.fake.StreamConnections())
}

func TestStreamHeartbeatsSilenceAndDrop(t *testing.T) {
	h := newHarness(t)
	h.fake.SetStreamOptions(StreamOptions{HeartbeatInterval: 20 * time.Millisecond})
	s := openStream(t, h, "alice")
	assert.Empty(t, s.expect(Heartbeat))
	assert.Empty(t, s.expect(Heartbeat))

	h.fake.SilenceStreams(true)
	time.Sleep(50 * time.Millisecond) // let a heartbeat on its way arrive
	s.buf.Reset()
	for len(s.data) > 0 {
		<-s.data
	}
	assert.Equal(t, 0, h.fake.Publish("1001", Event{Event: "smsdelivered"}))
	s.quiet(100 * time.Millisecond)
	assert.Equal(t, 1, h.fake.StreamConnections())
	h.fake.SilenceStreams(false)
	assert.Empty(t, s.expect(Heartbeat))

	assert.Equal(t, 1, h.fake.DropStreams())
	assert.Error(t, s.ended())
	assert.Equal(t, 0, h.fake.StreamConnections())
	s2 := openStream(t, h, "alice")
	waitStreams(t, h, 1)
	h.fake.Publish("1001", Event{Event: "smsdelivered"})
	s2.expect(`{"event":"smsdelivered"}`)
}

func TestStreamUnauthorized(t *testing.T) {
	h := newHarness(t)
	r := h.req(http.MethodGet, "/stream", "", "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "UNAUTHORIZED", errorCode(t, r))
	assert.Equal(t, 0, h.fake.StreamConnections())
}

// rawStream opens the stream over a bare TCP connection so that a test sees
// the chunks the fake writes.
type rawStream struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func openRawStream(t *testing.T, h *harness) *rawStream {
	t.Helper()
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(waitLong)))
	auth := base64.StdEncoding.EncodeToString([]byte("alice:alice-secret"))
	_, err = fmt.Fprintf(conn, "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\n\r\n", auth)
	require.NoError(t, err)
	rs := &rawStream{t: t, conn: conn, r: bufio.NewReader(conn)}
	status, err := rs.r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 200 OK\r\n", status)
	for {
		line, err := rs.r.ReadString('\n')
		require.NoError(t, err)
		if line == "\r\n" {
			break
		}
		if strings.HasPrefix(strings.ToLower(line), "transfer-encoding:") {
			require.Contains(t, line, "chunked")
		}
	}
	return rs
}

// chunk returns the next chunk of the body.
func (rs *rawStream) chunk() string {
	rs.t.Helper()
	line, err := rs.r.ReadString('\n')
	require.NoError(rs.t, err)
	n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 64)
	require.NoError(rs.t, err, "chunk size %q", line)
	b := make([]byte, n+2)
	_, err = io.ReadFull(rs.r, b)
	require.NoError(rs.t, err)
	return string(b[:n])
}

func TestStreamFraming(t *testing.T) {
	h := newHarness(t)
	ev1 := Event{Event: "smsreceived", Values: map[string]any{"to": "447700900101", "from": "447700900555", "excerpt": "hi"}}
	ev2 := Event{Event: "smsdelivered"}
	one, two := string(marshal(ev1)), string(marshal(ev2))

	h.fake.SetStreamOptions(StreamOptions{Preamble: "0d2c8f0e-6c4b|60000|X|", SplitEvery: 7})
	rs := openRawStream(t, h)
	assert.Equal(t, "0d2c8f0e-6c4b|60000|X|", rs.chunk())
	waitStreams(t, h, 1)
	h.fake.Publish("1001", ev1)
	var pieces []string
	for strings.Join(pieces, "") != one {
		c := rs.chunk()
		require.LessOrEqual(t, len(c), 7)
		pieces = append(pieces, c)
		require.Less(t, len(strings.Join(pieces, "")), len(one)+1)
	}
	assert.Len(t, pieces, (len(one)+6)/7)

	h.fake.SetStreamOptions(StreamOptions{Batch: true, Newlines: true})
	h.fake.Publish("1001", ev1, ev2)
	assert.Equal(t, one+"\n"+two+"\n", rs.chunk())

	h.fake.SetStreamOptions(StreamOptions{})
	h.fake.Publish("1001", ev1, ev2)
	assert.Equal(t, one, rs.chunk())
	assert.Equal(t, two, rs.chunk())

	h.fake.SetStreamOptions(StreamOptions{Batch: true, SplitEvery: 40})
	h.fake.Publish("1001", ev1, ev2)
	both := one + two
	var got string
	for got != both {
		c := rs.chunk()
		require.LessOrEqual(t, len(c), 40)
		got += c
		require.LessOrEqual(t, len(got), len(both))
	}

	h.fake.SetStreamOptions(StreamOptions{HeartbeatInterval: time.Millisecond, SplitEvery: 100})
	assert.Equal(t, Heartbeat, rs.chunk())
	assert.Equal(t, Heartbeat, rs.chunk())
}

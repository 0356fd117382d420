package pbxfake

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

// DefaultHeartbeatInterval is the stream's heartbeat period unless
// StreamOptions says otherwise.
const DefaultHeartbeatInterval = restapi.DefaultHeartbeatInterval

// Heartbeat is the object the stream writes every heartbeat interval. Its
// shape is the fake's choice; the real one is undocumented.
const Heartbeat = restapi.Heartbeat

// Event is the envelope of a stream event. Publish accepts it, or any other
// value that encodes as JSON.
type Event = restapi.Event

// StreamOptions shape how the stream writes its objects. They apply to open
// streams at once (the preamble only to new streams).
type StreamOptions struct {
	// Preamble is written first on every new stream, e.g. an
	// Atmosphere-style "uuid|60000|X|" handshake.
	Preamble string
	// SplitEvery > 0 writes each object (or batch) in pieces of that many
	// bytes, flushing after each piece.
	SplitEvery int
	// Batch writes all objects queued at once in one write.
	Batch bool
	// Newlines puts a newline after each object.
	Newlines bool
	// HeartbeatInterval is the heartbeat period: 0 means
	// DefaultHeartbeatInterval, negative means no heartbeats.
	HeartbeatInterval time.Duration
}

// stream is one open event stream.
type stream struct {
	customer string
	pending  [][]byte      // queued objects, guarded by Server.mu
	wake     chan struct{} // capacity 1: something is pending
	drop     chan struct{} // closed by DropStreams
}

// nudge wakes the stream's writer.
func (st *stream) nudge() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// SetStreamOptions replaces the stream options.
func (s *Server) SetStreamOptions(o StreamOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streamOpts = o
	for st := range s.streams {
		st.nudge() // so that a new heartbeat interval applies now
	}
}

// SilenceStreams(true) stops heartbeats and events on every stream while
// keeping the connections open (events published meanwhile are lost);
// SilenceStreams(false) resumes them.
func (s *Server) SilenceStreams(silent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silenced = silent
}

// StreamConnections returns the number of open streams.
func (s *Server) StreamConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.streams)
}

// WaitStreams waits until exactly n streams are open, reporting false when
// ctx ends first.
func (s *Server) WaitStreams(ctx context.Context, n int) bool {
	for {
		s.mu.Lock()
		count, changed := len(s.streams), s.streamsChanged
		s.mu.Unlock()
		if count == n {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// DropStreams aborts every open stream's connection, as a network failure
// would, and returns how many there were. Clients must reconnect.
func (s *Server) DropStreams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.streams)
	for st := range s.streams {
		close(st.drop)
		delete(s.streams, st)
	}
	if n > 0 {
		s.changedLocked()
	}
	return n
}

// Publish queues events for every open stream of the customer and returns
// the number of streams reached. An event that is a string, []byte or
// json.RawMessage is written as is (so a test can send broken JSON); other
// values are encoded as JSON. Several events given together are queued
// together (so StreamOptions.Batch writes them in one piece).
func (s *Server) Publish(customerID string, events ...any) int {
	raw := make([][]byte, len(events))
	for i, ev := range events {
		switch ev := ev.(type) {
		case string:
			raw[i] = []byte(ev)
		case []byte:
			raw[i] = append([]byte(nil), ev...)
		case json.RawMessage:
			raw[i] = append([]byte(nil), ev...)
		default:
			raw[i] = marshal(ev)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publishLocked(customerID, raw...)
}

func (s *Server) publishLocked(customerID string, raw ...[]byte) int {
	if s.silenced {
		return 0
	}
	n := 0
	for st := range s.streams {
		if st.customer != customerID {
			continue
		}
		st.pending = append(st.pending, raw...)
		st.nudge()
		n++
	}
	return n
}

// changedLocked wakes WaitStreams callers.
func (s *Server) changedLocked() {
	close(s.streamsChanged)
	s.streamsChanged = make(chan struct{})
}

// serveStream holds the response open and writes the customer's events and
// heartbeats until the client goes away or DropStreams.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, user *Login) {
	st := &stream{customer: user.CustomerID, wake: make(chan struct{}, 1), drop: make(chan struct{})}
	s.mu.Lock()
	s.streams[st] = struct{}{}
	s.changedLocked()
	opts := s.streamOpts
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if _, ok := s.streams[st]; ok {
			delete(s.streams, st)
			s.changedLocked()
		}
		s.mu.Unlock()
	}()

	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.WriteHeader(http.StatusOK)
	if opts.Preamble != "" {
		_, _ = w.Write([]byte(opts.Preamble))
	}
	if rc.Flush() != nil {
		return
	}

	interval := func(o StreamOptions) time.Duration {
		switch {
		case o.HeartbeatInterval == 0:
			return DefaultHeartbeatInterval
		case o.HeartbeatInterval < 0:
			return 24 * time.Hour
		}
		return o.HeartbeatInterval
	}
	period := interval(opts)
	hb := time.NewTimer(period)
	defer hb.Stop()
	for {
		var objs [][]byte
		select {
		case <-r.Context().Done():
			return
		case <-st.drop:
			panic(http.ErrAbortHandler) // abort the connection
		case <-st.wake:
			s.mu.Lock()
			objs, st.pending, opts = st.pending, nil, s.streamOpts
			s.mu.Unlock()
			if p := interval(opts); p != period {
				period = p
				hb.Reset(period)
			}
		case <-hb.C:
			s.mu.Lock()
			opts = s.streamOpts
			if !s.silenced && opts.HeartbeatInterval >= 0 {
				objs = [][]byte{[]byte(Heartbeat)}
			}
			s.mu.Unlock()
			period = interval(opts)
			hb.Reset(period)
		}
		if len(objs) > 0 && writeObjects(w, rc, objs, opts) != nil {
			return
		}
	}
}

// writeObjects writes objects the way opts say, flushing after each write.
func writeObjects(w http.ResponseWriter, rc *http.ResponseController, objs [][]byte, opts StreamOptions) error {
	var writes [][]byte
	for _, o := range objs {
		if opts.Newlines {
			o = append(o[:len(o):len(o)], '\n')
		}
		if opts.Batch && len(writes) > 0 {
			writes[0] = append(writes[0], o...)
		} else {
			writes = append(writes, append([]byte(nil), o...))
		}
	}
	for _, b := range writes {
		for len(b) > 0 {
			n := len(b)
			if opts.SplitEvery > 0 {
				n = min(n, opts.SplitEvery)
			}
			if _, err := w.Write(b[:n]); err != nil {
				return err
			}
			if err := rc.Flush(); err != nil {
				return err
			}
			b = b[n:]
		}
	}
	return nil
}

//go:build !js

package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

// Heartbeat is the object the stream writes every heartbeat interval.
const Heartbeat = restapi.Heartbeat

// streamBuffer is how many events a slow stream may have pending before
// newer ones are dropped.
const streamBuffer = 64

// streamWriteTimeout bounds each write of the event stream. It replaces
// the HTTP server's write timeout, which bounds a whole response and would
// cut the stream.
const streamWriteTimeout = 30 * time.Second

// event is one stream event for a customer. Path (the location) is below
// /api/v1 and is made absolute with each stream's own base URL.
type event struct {
	Name   string
	Path   string
	Values map[string]any
}

// hub fans events out to the open streams.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	done   chan struct{}
	closed bool
}

type subscriber struct {
	customer string
	ch       chan event
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}, done: make(chan struct{})} }

func (h *hub) subscribe(customer string) *subscriber {
	s := &subscriber{customer: customer, ch: make(chan event, streamBuffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	return s
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// count returns the number of open streams.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// publish queues ev for every stream of the customer and returns how many
// it reached; a stream whose buffer is full misses it.
func (h *hub) publish(customer string, ev event) (reached, dropped int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.customer != customer {
			continue
		}
		select {
		case s.ch <- ev:
			reached++
		default:
			dropped++
		}
	}
	return reached, dropped
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// publish sends an event to the customer's streams.
func (a *API) publish(customerID string, ev event) int {
	n, dropped := a.hub.publish(customerID, ev)
	if dropped > 0 {
		a.log.Warn("devpbx api: slow event streams missed an event", "event", ev.Name, "streams", dropped)
	}
	return n
}

// StreamCount returns the number of open event streams.
func (a *API) StreamCount() int { return a.hub.count() }

// serveStream holds the response open and writes the customer's events
// and heartbeats until the client goes away or the API closes.
func (a *API) serveStream(w http.ResponseWriter, r *http.Request, c *request) {
	sub := a.hub.subscribe(c.user.CustomerID)
	defer a.hub.unsubscribe(sub)

	rc := http.NewResponseController(w)
	// Servers without write deadlines (ErrNotSupported) need none.
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) }
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Accel-Buffering", "no")
	extend()
	w.WriteHeader(http.StatusOK)
	if rc.Flush() != nil {
		return
	}
	hb := a.clk.NewTimer(a.heartbeat)
	defer hb.Stop()
	for {
		var obj []byte
		select {
		case <-r.Context().Done():
			return
		case <-a.hub.done:
			return
		case ev := <-sub.ch:
			b, err := restapi.Marshal(restapi.Event{Event: ev.Name, Location: c.base + ev.Path, Values: ev.Values})
			if err != nil {
				a.log.Error("devpbx api: cannot encode an event", "event", ev.Name, "err", err)
				continue
			}
			obj = b
		case <-hb.C():
			hb.Reset(a.heartbeat)
			obj = []byte(Heartbeat)
		}
		extend()
		if _, err := w.Write(append(obj, '\n')); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

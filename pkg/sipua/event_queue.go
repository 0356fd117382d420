package sipua

import (
	"log/slog"
	"sync"
)

// eventQueue hands events to the application's handler on a goroutine of
// its own, in order, so the loop never waits for application code and the
// handler may call back into the UA.
type eventQueue struct {
	mu      sync.Mutex
	q       []Event
	closed  bool
	handler func(Event)
	signal  chan struct{}
	log     *slog.Logger
}

func (e *eventQueue) init(h func(Event), log *slog.Logger) {
	if h == nil {
		return
	}
	e.handler, e.log = h, log
	e.signal = make(chan struct{}, 1)
	go e.run()
}

func (e *eventQueue) push(ev Event) {
	if e.handler == nil {
		return
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.q = append(e.q, ev)
	e.mu.Unlock()
	select {
	case e.signal <- struct{}{}:
	default:
	}
}

// close delivers what is queued, then ends the goroutine. It does not
// wait: the handler itself may be the caller.
func (e *eventQueue) close() {
	if e.handler == nil {
		return
	}
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	select {
	case e.signal <- struct{}{}:
	default:
	}
}

func (e *eventQueue) run() {
	for range e.signal {
		for {
			e.mu.Lock()
			if len(e.q) == 0 {
				closed := e.closed
				e.mu.Unlock()
				if closed {
					return
				}
				break
			}
			ev := e.q[0]
			e.q[0] = nil
			e.q = e.q[1:]
			e.mu.Unlock()
			e.call(ev)
		}
	}
}

func (e *eventQueue) call(ev Event) {
	defer func() {
		if r := recover(); r != nil {
			// A panicking handler must not take the UA down.
			e.log.Error("sipua: event handler panicked", "event", ev.Name(), "panic", r)
		}
	}()
	e.handler(ev)
}

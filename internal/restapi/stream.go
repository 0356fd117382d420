package restapi

import "time"

// DefaultHeartbeatInterval is the event stream's heartbeat period.
const DefaultHeartbeatInterval = 60 * time.Second

// Heartbeat is the object the event stream writes every heartbeat
// interval. Its shape is this project's choice: the real one is not
// documented.
const Heartbeat = `{"event":"heartbeat"}`

// Event is the envelope of an event on the stream (GET /api/v1/stream):
// the event's name, the absolute URI of the resource it concerns and its
// values.
type Event struct {
	Event    string         `json:"event"`
	Location string         `json:"location,omitempty"`
	Values   map[string]any `json:"values,omitempty"`
}

package pbxfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

// ControlHandler returns a handler for the fake's test hooks over HTTP,
// without authentication, for tests that run in another process. Mount it
// at /_fake/ next to the Server (the pbxfake command does):
//
//	POST   /_fake/publish?customer=1001   body: one event (JSON)  -> {"streams":n}
//	POST   /_fake/drop                    DropStreams             -> {"dropped":n}
//	GET    /_fake/streams                 -> {"connections":n}
//	GET    /_fake/requests                -> [{"method","path","rawQuery","header","body"}]
//	POST   /_fake/reset                   Reset
//	POST   /_fake/fault?path=/customers/1001/phonebook
//	       body: {"status","body","contentType","delayMs","closeConnection","times"}
//	DELETE /_fake/fault                   ClearFaults
//	POST   /_fake/ratelimit?n=5           SetRateLimit
//	POST   /_fake/silence?on=true         SilenceStreams
//	POST   /_fake/streamoptions           body: {"preamble","splitEvery","batch","newlines","heartbeatMs"}
//
// Answers are JSON; errors are 400 or 404 with an errors body.
func (s *Server) ControlHandler() http.Handler {
	type op struct {
		method string
		fn     func(r *http.Request) *restapi.Reply
	}
	ok := func(v any) *restapi.Reply { return jsonReply(http.StatusOK, v) }
	bad := restapi.BadRequest
	decode := func(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }
	ops := map[string]op{
		"publish": {http.MethodPost, func(r *http.Request) *restapi.Reply {
			var ev json.RawMessage
			if err := decode(r, &ev); err != nil {
				return bad("body must be one JSON event: %v", err)
			}
			return ok(map[string]int{"streams": s.Publish(r.URL.Query().Get("customer"), ev)})
		}},
		"drop": {http.MethodPost, func(*http.Request) *restapi.Reply {
			return ok(map[string]int{"dropped": s.DropStreams()})
		}},
		"streams": {http.MethodGet, func(*http.Request) *restapi.Reply {
			return ok(map[string]int{"connections": s.StreamConnections()})
		}},
		"requests": {http.MethodGet, func(*http.Request) *restapi.Reply {
			type view struct {
				Method   string      `json:"method"`
				Path     string      `json:"path"`
				RawQuery string      `json:"rawQuery"`
				Header   http.Header `json:"header"`
				Body     string      `json:"body"`
			}
			out := []view{}
			for _, q := range s.Requests() {
				out = append(out, view{q.Method, q.Path, q.RawQuery, q.Header, string(q.Body)})
			}
			return ok(out)
		}},
		"reset": {http.MethodPost, func(*http.Request) *restapi.Reply { s.Reset(); return ok(map[string]any{}) }},
		"fault": {http.MethodPost, func(r *http.Request) *restapi.Reply {
			var f struct {
				Status          int    `json:"status"`
				Body            string `json:"body"`
				ContentType     string `json:"contentType"`
				DelayMs         int    `json:"delayMs"`
				CloseConnection bool   `json:"closeConnection"`
				Times           int    `json:"times"`
			}
			if err := decode(r, &f); err != nil {
				return bad("body must be a fault: %v", err)
			}
			s.SetFault(r.URL.Query().Get("path"), Fault{Status: f.Status, Body: f.Body, ContentType: f.ContentType,
				Delay: time.Duration(f.DelayMs) * time.Millisecond, CloseConnection: f.CloseConnection, Times: f.Times})
			return ok(map[string]any{})
		}},
		"ratelimit": {http.MethodPost, func(r *http.Request) *restapi.Reply {
			n, err := strconv.Atoi(r.URL.Query().Get("n"))
			if err != nil {
				return bad("n must be an integer")
			}
			s.SetRateLimit(n)
			return ok(map[string]any{})
		}},
		"silence": {http.MethodPost, func(r *http.Request) *restapi.Reply {
			on, err := strconv.ParseBool(r.URL.Query().Get("on"))
			if err != nil {
				return bad("on must be true or false")
			}
			s.SilenceStreams(on)
			return ok(map[string]any{})
		}},
		"streamoptions": {http.MethodPost, func(r *http.Request) *restapi.Reply {
			var o struct {
				Preamble    string `json:"preamble"`
				SplitEvery  int    `json:"splitEvery"`
				Batch       bool   `json:"batch"`
				Newlines    bool   `json:"newlines"`
				HeartbeatMs int    `json:"heartbeatMs"`
			}
			if err := decode(r, &o); err != nil {
				return bad("body must be stream options: %v", err)
			}
			s.SetStreamOptions(StreamOptions{Preamble: o.Preamble, SplitEvery: o.SplitEvery, Batch: o.Batch,
				Newlines: o.Newlines, HeartbeatInterval: time.Duration(o.HeartbeatMs) * time.Millisecond})
			return ok(map[string]any{})
		}},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.Trim(strings.TrimPrefix(r.URL.Path, "/_fake"), "/")
		o, found := ops[name]
		switch {
		case !found:
			restapi.NotFound(r.URL.Path).Write(w)
		case name == "fault" && r.Method == http.MethodDelete:
			s.ClearFaults()
			ok(map[string]any{}).Write(w)
		case name == "fault" && r.Method != http.MethodPost:
			restapi.MethodNotAllowed(r.Method, []string{http.MethodPost, http.MethodDelete}).Write(w)
		case r.Method != o.method:
			restapi.MethodNotAllowed(r.Method, []string{o.method}).Write(w)
		default:
			o.fn(r).Write(w)
		}
	})
}

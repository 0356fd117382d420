package pbxfake

import (
	"net/http"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

// Fault makes requests to a path misbehave. The zero value of each field
// means "not this kind of fault":
//
//   - Delay waits before answering (the wait ends early when the request's
//     context is cancelled, and then nothing is written). A Fault with only
//     Delay set delays the normal answer.
//   - CloseConnection drops the connection without any response.
//   - Status and Body replace the answer: Status (200 when 0) with Body as
//     is, ContentType defaulting to application/json when Body is not empty.
//     So Fault{Status: 500} is a 500 with no body, Fault{Status: 200} an
//     empty 200 and Fault{Body: "{"} invalid JSON.
//   - Times is how many requests the fault hits before it goes away; 0 means
//     every request until ClearFaults.
//
// Fault responses carry no rate limit headers and are not authenticated.
type Fault struct {
	Status          int
	Body            string
	ContentType     string
	Delay           time.Duration
	CloseConnection bool
	Times           int
}

// SetFault installs f for requests whose path starts with pathPrefix, given
// either in full ("/api/v1/customers/1001/phonebook") or below /api/v1
// ("/customers/1001/phonebook"). Where prefixes overlap the longest wins; a
// fault for the same prefix replaces the old one.
func (s *Server) SetFault(pathPrefix string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[pathPrefix] = &f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*Fault{}
}

// takeFault returns the fault for path, counting one use of it.
func (s *Server) takeFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rel := strings.TrimPrefix(path, APIPrefix)
	best := ""
	var found *Fault
	for prefix, f := range s.faults {
		if (strings.HasPrefix(path, prefix) || strings.HasPrefix(rel, prefix)) && (found == nil || len(prefix) > len(best)) {
			best, found = prefix, f
		}
	}
	if found == nil {
		return Fault{}, false
	}
	if found.Times > 0 {
		found.Times--
		if found.Times == 0 {
			delete(s.faults, best)
		}
	}
	return *found, true
}

// applyFault carries out the fault for r, if any, and reports whether it
// answered the request.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request) bool {
	f, ok := s.takeFault(r.URL.Path)
	if !ok {
		return false
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
	}
	if f.CloseConnection {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort instead
	}
	if f.Status == 0 && f.Body == "" {
		return false
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	ctype := f.ContentType
	if ctype == "" && f.Body != "" {
		ctype = "application/json"
	}
	rep := &restapi.Reply{Status: status, ContentType: ctype, Body: []byte(f.Body)}
	rep.Write(w)
	return true
}

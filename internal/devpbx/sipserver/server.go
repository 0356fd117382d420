package sipserver

import (
	"context"
	"errors"
	"net/http"
)

// Server is the SIP-over-WebSocket side of the development PBX: registrar,
// proxy between extensions, dialog-event notifier and test numbers.
type Server struct {
	cfg Config
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Directory == nil {
		return nil, errors.New("sipserver: Config.Directory is required")
	}
	return &Server{cfg: cfg}, nil
}

// ServeHTTP accepts a SIP-over-WebSocket connection (RFC 7118); the client
// must offer the subprotocol "sip". The caller mounts it, usually at /ws.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented yet", http.StatusNotImplemented)
}

// Registrations returns the current registrations of the SIP user.
func (s *Server) Registrations(sipUsername string) []Registration { return nil }

// Originate rings every registration of from and, once one answers,
// connects it to to (an extension or a test number) by third-party call
// control (RFC 3725). It returns the Call-ID of the call to from.
func (s *Server) Originate(ctx context.Context, from Extension, to string) (callID string, err error) {
	return "", errors.New("sipserver: originate not implemented yet")
}

// Close closes every connection and ends the echo calls.
func (s *Server) Close() error { return nil }

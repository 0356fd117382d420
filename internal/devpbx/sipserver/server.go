//go:build !js

package sipserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Defaults of Config.
const (
	DefaultRealm           = "devpbx.local"
	DefaultEchoNumber      = "*52"
	DefaultBusyNumber      = "*486"
	DefaultNoAnswerNumber  = "*408"
	DefaultEchoMaxDuration = 10 * time.Minute
	DefaultMaxMessageSize  = 64 << 10
)

// Protocol timers. The transport is reliable, so only the timeouts of RFC
// 3261 §17 matter: 64*T1 for a transaction, Timer C for a ringing branch.
const (
	timerF          = 32 * time.Second
	timerC          = 3 * time.Minute
	noAnswerTestFor = 60 * time.Second
	lookupTimeout   = 5 * time.Second
	nonceLifetime   = 5 * time.Minute
	maxNonces       = 10000
	userAgentName   = "wasmphone-devpbx"
	// reconnectGrace covers a UA's reconnection back-off (at most 30 s).
	reconnectGrace = 35 * time.Second
	// silentConnLimit is how long a new connection may stay silent: a
	// UA registers or sends its first request at once.
	silentConnLimit = time.Minute
	// defaultOriginateTimeout stays below the 32 s a UA waits for the
	// ACK of its 200 OK.
	defaultOriginateTimeout = 30 * time.Second
)

// Server is the SIP-over-WebSocket side of the development PBX: registrar,
// proxy between extensions, dialog-event notifier and test numbers.
//
// One mutex guards the protocol state. Nothing blocking happens under it:
// messages are queued to each connection's writer, directory look-ups and
// media set-up run before or after it is taken.
type Server struct {
	cfg  Config
	log  *slog.Logger
	clk  clock.Clock
	host string // our host in Via, Contact and Record-Route: the realm

	events chan func() // Events callbacks, run in order on one goroutine

	mu         sync.Mutex
	closed     bool
	conns      map[string]*conn
	bindings   map[string][]*binding // by SIP username
	nonces     map[string]time.Time  // issued nonces and when
	clientTxs  map[string]*clientTx  // our transactions, by branch
	serverTxs  map[string]*serverTx  // INVITE/MESSAGE in progress, by the client's branch
	calls      map[string]*call      // by Call-ID
	dialogs    map[dialogKey]localDialog
	subsByUser map[string]map[*subscription]struct{}
	uacForks   map[*uacFork]struct{} // Originate's INVITEs in progress

	// reconnectGrace is how long an answered call waits for a party
	// whose connection closed to come back.
	reconnectGrace time.Duration
	// silentConnLimit is how long a connection may send nothing after it
	// opened before it is closed.
	silentConnLimit time.Duration

	wg sync.WaitGroup
	// done is closed by Close.
	done chan struct{}
}

// dialogKey identifies a dialog the server itself takes part in (echo,
// test numbers, subscriptions, originated calls): Call-ID and our tag,
// which is the To tag of every request the peer sends in it.
type dialogKey struct{ callID, localTag string }

// localDialog is a dialog the server is an endpoint of.
type localDialog interface {
	// inDialog handles a request of the dialog; s.mu is held.
	inDialog(c *conn, m *sipmsg.Message)
	// connClosed tells the dialog its peer's connection is gone; s.mu is
	// held.
	connClosed(c *conn)
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Directory == nil {
		return nil, errors.New("sipserver: Config.Directory is required")
	}
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if strings.ContainsAny(cfg.Realm, " \t\r\n\"<>;,@") {
		return nil, fmt.Errorf("sipserver: realm %q is not a host name", cfg.Realm)
	}
	if cfg.EchoNumber == "" {
		cfg.EchoNumber = DefaultEchoNumber
	}
	if cfg.BusyNumber == "" {
		cfg.BusyNumber = DefaultBusyNumber
	}
	if cfg.NoAnswerNumber == "" {
		cfg.NoAnswerNumber = DefaultNoAnswerNumber
	}
	if cfg.EchoMaxDuration <= 0 {
		cfg.EchoMaxDuration = DefaultEchoMaxDuration
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, clk: cfg.Clock, host: strings.ToLower(cfg.Realm),
		events:     make(chan func(), 1024),
		conns:      map[string]*conn{},
		bindings:   map[string][]*binding{},
		nonces:     map[string]time.Time{},
		clientTxs:  map[string]*clientTx{},
		serverTxs:  map[string]*serverTx{},
		calls:      map[string]*call{},
		dialogs:    map[dialogKey]localDialog{},
		subsByUser: map[string]map[*subscription]struct{}{},
		uacForks:   map[*uacFork]struct{}{},
		done:       make(chan struct{}),

		reconnectGrace:  reconnectGrace,
		silentConnLimit: silentConnLimit,
	}
	s.wg.Add(1)
	go s.eventLoop()
	return s, nil
}

// eventLoop delivers Events callbacks outside the server's lock, in order.
func (s *Server) eventLoop() {
	defer s.wg.Done()
	for {
		select {
		case f := <-s.events:
			f()
		case <-s.done:
			// Deliver what is queued, then stop.
			for {
				select {
				case f := <-s.events:
					f()
				default:
					return
				}
			}
		}
	}
}

// emit queues an Events callback; it never blocks.
func (s *Server) emit(f func()) {
	if s.cfg.Events == nil {
		return
	}
	select {
	case s.events <- f:
	default:
		s.log.Warn("sipserver: event queue full, dropping a call event")
	}
}

// ServeHTTP accepts a SIP-over-WebSocket connection (RFC 7118); the client
// must offer the subprotocol "sip", else the connection is closed with
// 1008. The caller mounts it, usually at /ws. It returns when the
// connection ends.
//
// Pages of other origins (a dev server on another port) connect too,
// unless Config.OriginPatterns restricts them; every request that matters
// is digest-authenticated.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"},
		OriginPatterns: s.cfg.OriginPatterns, InsecureSkipVerify: s.cfg.OriginPatterns == nil})
	if err != nil {
		s.log.Debug("sipserver: websocket handshake failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	if ws.Subprotocol() != "sip" {
		_ = ws.Close(websocket.StatusPolicyViolation, `subprotocol "sip" required`)
		return
	}
	ws.SetReadLimit(s.cfg.MaxMessageSize)
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{id: sipmsg.RandomToken(16), ws: ws, remote: r.RemoteAddr, out: make(chan []byte, outQueue), ctx: ctx, cancel: cancel}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		_ = ws.Close(websocket.StatusGoingAway, "server closed")
		return
	}
	s.conns[c.id] = c
	s.wg.Add(1)
	// A connection that says nothing (not even a keep-alive) is not a
	// UA's: it is closed rather than kept forever.
	var heard atomic.Bool
	silent := s.clk.AfterFunc(s.silentConnLimit, func() {
		if !heard.Load() {
			s.log.Debug("sipserver: closing a silent connection", "remote", c.remote)
			cancel()
		}
	})
	s.mu.Unlock()
	defer s.wg.Done()
	defer silent.Stop()

	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop()
	}()
	s.log.Debug("sipserver: connection opened", "remote", c.remote, "flow", c.id)
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				s.log.Debug("sipserver: connection read failed", "remote", c.remote, "err", err)
			}
			break
		}
		heard.Store(true)
		s.handleMessage(c, data)
	}
	cancel()
	<-writerDone
	s.connClosed(c)
	_ = ws.Close(websocket.StatusNormalClosure, "")
	s.log.Debug("sipserver: connection closed", "remote", c.remote, "flow", c.id)
}

// handleMessage handles one WebSocket message: a keep-alive, a request or
// a response. Anything else is dropped.
func (s *Server) handleMessage(c *conn, data []byte) {
	if len(strings.Trim(string(data), "\r\n")) == 0 {
		if string(data) == "\r\n\r\n" {
			_ = c.sendRaw([]byte("\r\n")) // RFC 5626 §4.4.1 pong
		}
		return
	}
	m, err := sipmsg.Limits{MaxMessageSize: int(s.cfg.MaxMessageSize)}.Parse(data)
	if err != nil {
		s.log.Debug("sipserver: dropping unparsable message", "remote", c.remote, "err", err)
		return
	}
	if m.IsResponse() {
		s.handleResponse(c, m)
		return
	}
	s.handleRequest(c, m)
}

// reply sends a response to req on c, with extra headers.
func (s *Server) reply(c *conn, req *sipmsg.Message, code int, hdrs ...sipmsg.Header) *sipmsg.Message {
	resp, err := sipmsg.NewResponse(req, code, "")
	if err != nil {
		s.log.Debug("sipserver: cannot build a response", "code", code, "err", err)
		return nil
	}
	for _, h := range hdrs {
		_ = resp.Add(h.Name, h.Value)
	}
	_ = resp.Add(sipmsg.HdrServer, userAgentName)
	if err := c.send(resp); err != nil {
		s.log.Debug("sipserver: response not sent", "code", code, "err", err)
	}
	return resp
}

// replyReason answers a malformed request with a Warning that says why.
func (s *Server) replyReason(c *conn, req *sipmsg.Message, code int, why error) {
	text := strings.NewReplacer("\"", "'", "\r", " ", "\n", " ").Replace(why.Error())
	if len(text) > 200 {
		text = text[:200]
	}
	s.reply(c, req, code, sipmsg.Header{Name: sipmsg.HdrWarning, Value: `399 ` + s.host + ` "` + text + `"`})
}

// handleRequest validates a request and dispatches it.
func (s *Server) handleRequest(c *conn, m *sipmsg.Message) {
	if err := m.Validate(); err != nil {
		// Answered even without a Via: over a WebSocket the response still
		// reaches the client, and a developer sees what was wrong.
		if m.Method != sipmsg.ACK {
			code := 400
			if errors.Is(err, sipmsg.ErrVersion) {
				code = 505
			}
			s.replyReason(c, m, code, err)
		}
		s.log.Debug("sipserver: invalid request", "remote", c.remote, "err", err)
		return
	}
	if _, err := m.MaxForwards(); err != nil && m.Has(sipmsg.HdrMaxForwards) {
		s.replyUnlessACK(c, m, 400)
		return
	}
	routes, err := m.Routes()
	if err != nil {
		s.replyUnlessACK(c, m, 400)
		return
	}
	if len(routes) > 0 && s.isOurs(&routes[0].URI) {
		m.Del(sipmsg.HdrRoute)
		for _, r := range routes[1:] {
			_ = m.Add(sipmsg.HdrRoute, r.String())
		}
		if routes[0].URI.Params.Has(paramFlowA) {
			s.relayInDialog(c, m, &routes[0].URI)
			return
		}
	}
	if m.ToTag() != "" {
		s.handleLocalInDialog(c, m)
		return
	}
	switch m.Method {
	case sipmsg.REGISTER:
		s.handleRegister(c, m)
	case sipmsg.OPTIONS:
		s.reply(c, m, 200, sipmsg.Header{Name: sipmsg.HdrAllow, Value: allowed},
			sipmsg.Header{Name: sipmsg.HdrAccept, Value: "application/sdp, application/dialog-info+xml, text/plain"})
	case sipmsg.INVITE, sipmsg.MESSAGE:
		s.handleCallOrMessage(c, m)
	case sipmsg.SUBSCRIBE:
		s.handleSubscribe(c, m)
	case sipmsg.CANCEL:
		s.handleCancel(c, m)
	case sipmsg.ACK:
		// The ACK of a failure response we sent: nothing to do.
	case sipmsg.BYE, sipmsg.INFO, sipmsg.UPDATE, sipmsg.REFER, sipmsg.NOTIFY, sipmsg.PRACK:
		s.reply(c, m, 481)
	default:
		s.reply(c, m, 405, sipmsg.Header{Name: sipmsg.HdrAllow, Value: allowed})
	}
}

// allowed lists the methods the server handles.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, MESSAGE, SUBSCRIBE, NOTIFY, INFO, UPDATE, REFER"

func (s *Server) replyUnlessACK(c *conn, m *sipmsg.Message, code int) {
	if m.Method != sipmsg.ACK {
		s.reply(c, m, code)
	}
}

// handleLocalInDialog handles an in-dialog request that carries no Route
// of ours: it belongs to a dialog the server is an endpoint of.
func (s *Server) handleLocalInDialog(c *conn, m *sipmsg.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dialogs[dialogKey{m.CallID(), m.ToTag()}]
	if d == nil {
		if m.Method != sipmsg.ACK {
			s.reply(c, m, 481)
		}
		return
	}
	d.inDialog(c, m)
}

// isOurs reports whether u addresses this server (a Route or Record-Route
// it wrote).
func (s *Server) isOurs(u *sipmsg.URI) bool {
	return u.IsSIP() && strings.EqualFold(u.Host, s.host) && u.User == ""
}

// contact is the server's Contact in dialogs it is an endpoint of.
func (s *Server) contact() sipmsg.Address {
	return sipmsg.Address{URI: sipmsg.URI{Scheme: "sip", User: "pbx", Host: s.host, Params: sipmsg.Params{{Name: "transport", Value: "ws"}}}}
}

// via returns a Via of ours with a fresh branch; back names the connection
// a response to it is relayed to ("" for requests of our own).
func (s *Server) via(back string) (sipmsg.Via, string) {
	branch := sipmsg.NewBranch()
	v := sipmsg.Via{Transport: "WS", Host: s.host, Params: sipmsg.Params{{Name: "branch", Value: branch}}}
	if back != "" {
		v.Params = append(v.Params, sipmsg.Param{Name: paramBack, Value: back})
	}
	return v, branch
}

// Close closes every connection and ends the calls in progress (the call
// history gets them). The server accepts no new connection afterwards.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.cancel()
	}
	// Each connection's handler cleans up after itself (connClosed);
	// wait for them, then for what is left (dialogs without a connection).
	s.waitConns()
	s.mu.Lock()
	for k, d := range s.dialogs {
		d.connClosed(nil)
		delete(s.dialogs, k)
	}
	// Relayed calls wait for a party to reconnect, which will not happen
	// now: they end here so that the history gets them.
	for _, cl := range s.calls {
		s.endCall(cl, OutcomeFailed)
	}
	for f := range s.uacForks {
		f.timer.Stop()
	}
	clear(s.uacForks)
	for _, tx := range s.clientTxs {
		tx.stop()
	}
	clear(s.clientTxs)
	for _, st := range s.serverTxs {
		st.stopTimer()
	}
	clear(s.serverTxs)
	s.mu.Unlock()
	close(s.done)
	s.wg.Wait()
	return nil
}

// waitConns waits until every connection handler has cleaned up, or for
// a handler stuck in a directory look-up to give up.
func (s *Server) waitConns() {
	deadline := time.Now().Add(2 * lookupTimeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// connClosed forgets everything that lived on c: bindings, subscriptions,
// the server's dialogs with it, transactions towards it.
func (s *Server) connClosed(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c.id)
	for user, bs := range s.bindings {
		kept := bs[:0]
		for _, b := range bs {
			if b.conn != c {
				kept = append(kept, b)
			}
		}
		if len(kept) == 0 {
			delete(s.bindings, user)
		} else {
			s.bindings[user] = kept
		}
	}
	for _, d := range s.dialogs {
		d.connClosed(c)
	}
	for _, tx := range s.clientTxs {
		if tx.conn == c {
			tx.fail(480)
		}
	}
	for _, st := range s.serverTxs {
		if st.conn == c {
			st.connClosed()
		}
	}
	for _, cl := range s.calls {
		if !cl.conns[c] {
			continue
		}
		if cl.legs == nil {
			// Not answered through the proxy: what ends it is its own
			// business. A ringing branch on c has just failed (the fork
			// ends the call once every branch has), a caller on c
			// cancelled its transaction, and an echo call waits for its
			// caller to reconnect (echoCall.connClosed).
			delete(cl.conns, c)
			continue
		}
		// An answered call survives a client that reconnects (its UA
		// restarts ICE with a re-INVITE over the new connection); a
		// client that does not come back is hung up for, so that the
		// other party does not wait forever.
		s.afterGrace(cl, c)
	}
}

//go:build !(js && wasm)

package kamailio_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wasmphone/wasmphone/internal/kamailio"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

const wait = 5 * time.Second

// TestKamailio drives one Kamailio with a raw SIP-over-WebSocket client:
// registration with digest auth, MESSAGE between two users, a dialog-event
// subscription fed by a call through the proxy, unregistration and a
// restart.
func TestKamailio(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{
		Users: map[string]string{"alice": "alice-pw", "bob": "bob-pw"},
	})
	if !strings.HasPrefix(srv.WSURL, "ws://127.0.0.1:") || srv.Domain != kamailio.DefaultDomain {
		t.Fatalf("WSURL %q, Domain %q", srv.WSURL, srv.Domain)
	}

	alice := dial(t, srv, "alice", "alice-pw")
	bob := dial(t, srv, "bob", "bob-pw")

	step(t, "OptionsToServer")
	{
		req := alice.newRequest(sipmsg.OPTIONS, sipmsg.URI{Scheme: "sip", Host: srv.Domain}, alice.aor())
		if res := alice.transact(req); res.StatusCode != 200 {
			t.Fatalf("OPTIONS: %s", res.Summary())
		}
	}

	step(t, "Register")
	{
		// As browser UAs do (RFC 5626/5627 parameters, RFC 7118 ;ob).
		alice.outbound("<urn:uuid:" + "6b7c2a4e-9c1d-4f1e-8a55-1f2e3d4c5b6a" + ">")
		res := alice.register(600)
		if res.StatusCode != 200 {
			t.Fatalf("REGISTER: %s", res.Summary())
		}
		if alice.challenges != 1 {
			t.Errorf("REGISTER was challenged %d times, want once (401)", alice.challenges)
		}
		cs, err := res.Contacts()
		if err != nil || len(cs) != 1 || cs[0].URI.User != alice.contact.URI.User {
			t.Fatalf("200 Contact %v (%v), want our contact", res.Values(sipmsg.HdrContact), err)
		}
		if inst, _ := cs[0].Params.Get("+sip.instance"); inst != alice.instance {
			t.Errorf("200 Contact +sip.instance %q, want ours %q", inst, alice.instance)
		}
		t.Logf("200 (REGISTER) Contact: %s", cs[0])
		assertRegistrations(t, srv, "alice", 1)
	}

	step(t, "KeepAlive")
	{
		// RFC 5626 double-CRLF ping over the WebSocket: Kamailio answers
		// with a CRLF message.
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		mustNil(t, alice.conn.Write(ctx, websocket.MessageText, []byte("\r\n\r\n")))
		cancel()
		select {
		case pong := <-alice.pongs:
			t.Logf("pong %q", pong)
		case <-time.After(wait):
			t.Fatal("no answer to a double-CRLF keep-alive")
		}
	}

	step(t, "WrongPassword")
	{
		mallory := dial(t, srv, "alice", "not-the-password")
		res := mallory.register(600)
		if res.StatusCode != 401 && res.StatusCode != 403 {
			t.Fatalf("REGISTER with a wrong password: %s, want 401 or 403", res.Summary())
		}
		if mallory.challenges != 2 {
			t.Errorf("challenged %d times, want 2 (the answer was refused)", mallory.challenges)
		}
		assertRegistrations(t, srv, "alice", 1)
	}

	step(t, "Message")
	{
		if res := bob.register(600); res.StatusCode != 200 {
			t.Fatalf("REGISTER bob: %s", res.Summary())
		}
		assertRegistrations(t, srv, "bob", 1)

		req := alice.newRequest(sipmsg.MESSAGE, bob.aorURI(), bob.aor())
		req.Body = []byte("hello bob")
		mustSet(t, req, sipmsg.HdrContentType, "text/plain")
		done := alice.transactAsync(req)

		in := bob.next(isRequest(sipmsg.MESSAGE))
		if string(in.Body) != "hello bob" {
			t.Errorf("bob got body %q", in.Body)
		}
		bob.respond(in, 200, nil)
		res := <-done
		if res.StatusCode != 200 {
			t.Fatalf("MESSAGE: %s", res.Summary())
		}
		if alice.challenges != 1 {
			t.Errorf("MESSAGE was challenged %d times, want once (407)", alice.challenges)
		}
	}

	step(t, "MessageToUnregistered")
	{
		req := alice.newRequest(sipmsg.MESSAGE, sipmsg.URI{Scheme: "sip", User: "nobody", Host: srv.Domain}, "sip:nobody@"+srv.Domain)
		req.Body = []byte("anyone?")
		mustSet(t, req, sipmsg.HdrContentType, "text/plain")
		if res := alice.transact(req); res.StatusCode != 404 {
			t.Fatalf("MESSAGE to nobody: %s, want 404", res.Summary())
		}
	}

	step(t, "DialogSubscription")
	{
		sub := alice.newRequest(sipmsg.SUBSCRIBE, bob.aorURI(), bob.aor())
		mustSet(t, sub, sipmsg.HdrEvent, "dialog")
		mustSet(t, sub, sipmsg.HdrAccept, "application/dialog-info+xml")
		mustSet(t, sub, sipmsg.HdrExpires, "120")
		res := alice.transact(sub)
		if res.StatusCode/100 != 2 {
			t.Fatalf("SUBSCRIBE: %s", res.Summary())
		}
		t.Logf("SUBSCRIBE answered %s, Contact %s, Expires %s", res.Summary(), res.Get(sipmsg.HdrContact), res.Get(sipmsg.HdrExpires))
		first := alice.notify(res.CallID(), "")
		t.Logf("initial NOTIFY: %s\nSubscription-State: %s\n%s", first.RequestURI.String(), first.Get(sipmsg.HdrSubscriptionState), first.Body)

		// A call from alice to bob through the proxy: the dialog module
		// and pua_dialoginfo turn its states into NOTIFYs for bob.
		inv := alice.newRequest(sipmsg.INVITE, bob.aorURI(), bob.aor())
		inv.Body = []byte(fakeSDP)
		mustSet(t, inv, sipmsg.HdrContentType, "application/sdp")
		done := alice.transactAsync(inv)

		in := bob.next(isRequest(sipmsg.INVITE))
		if len(in.Values(sipmsg.HdrRecordRoute)) == 0 {
			t.Errorf("INVITE reached bob without Record-Route")
		}
		bobTag := sipmsg.NewTag()
		bob.respond(in, 180, func(r *sipmsg.Message) { mustNil(t, r.SetToTag(bobTag)) })
		alice.notify(res.CallID(), "early")

		bob.respond(in, 200, func(r *sipmsg.Message) {
			mustNil(t, r.SetToTag(bobTag))
			r.Body = []byte(fakeSDP)
			mustSet(t, r, sipmsg.HdrContentType, "application/sdp")
		})
		ok := <-done
		if ok.StatusCode != 200 {
			t.Fatalf("INVITE: %s", ok.Summary())
		}
		t.Logf("200 (INVITE) Record-Route %v, Contact %s", ok.Values(sipmsg.HdrRecordRoute), ok.Get(sipmsg.HdrContact))
		ack := alice.inDialog(ok, sipmsg.ACK, inv)
		alice.send(ack)
		bob.next(isRequest(sipmsg.ACK))
		confirmed := alice.notify(res.CallID(), "confirmed")
		t.Logf("NOTIFY while the call is up:\n%s", confirmed.Body)

		bye := alice.inDialog(ok, sipmsg.BYE, inv)
		done = alice.transactAsync(bye)
		bob.respond(bob.next(isRequest(sipmsg.BYE)), 200, nil)
		if res := <-done; res.StatusCode != 200 {
			t.Fatalf("BYE: %s", res.Summary())
		}
		alice.notify(res.CallID(), "terminated")

		// Un-SUBSCRIBE within the subscription's dialog.
		unsub := alice.inDialog(res, sipmsg.SUBSCRIBE, sub)
		mustSet(t, unsub, sipmsg.HdrEvent, "dialog")
		mustSet(t, unsub, sipmsg.HdrExpires, "0")
		if r := alice.transact(unsub); r.StatusCode/100 != 2 {
			t.Fatalf("un-SUBSCRIBE: %s", r.Summary())
		}
		for {
			n := alice.next(func(m *sipmsg.Message) bool { return m.Method == sipmsg.NOTIFY && m.CallID() == res.CallID() })
			alice.respond(n, 200, nil)
			if st, err := n.SubscriptionState(); err == nil && st.Value == "terminated" {
				t.Logf("last NOTIFY: Subscription-State: %s", n.Get(sipmsg.HdrSubscriptionState))
				break
			}
		}
	}

	step(t, "Unregister")
	{
		res := alice.register(0)
		if res.StatusCode != 200 {
			t.Fatalf("REGISTER Expires: 0: %s", res.Summary())
		}
		assertRegistrations(t, srv, "alice", 0)
		assertRegistrations(t, srv, "bob", 1)
	}

	step(t, "ConnectionLoss")
	{
		// A contact registered over a WebSocket connection goes away with
		// the connection (usrloc handle_lost_tcp).
		alice2 := dial(t, srv, "alice", "alice-pw")
		if res := alice2.register(600); res.StatusCode != 200 {
			t.Fatalf("REGISTER: %s", res.Summary())
		}
		assertRegistrations(t, srv, "alice", 1)
		mustNil(t, alice2.conn.Close(websocket.StatusNormalClosure, ""))
		deadline := time.Now().Add(wait)
		for n := 1; n != 0; time.Sleep(20 * time.Millisecond) {
			var err error
			if n, err = srv.Registrations("alice"); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("alice still has %d registrations after her connection closed", n)
			}
		}
	}

	step(t, "Restart")
	{
		srv.Restart()
		select {
		case <-bob.closed:
		case <-time.After(wait):
			t.Fatal("bob's WebSocket connection is still open after the restart")
		}
		assertRegistrations(t, srv, "bob", 0)
		again := dial(t, srv, "bob", "bob-pw")
		if res := again.register(600); res.StatusCode != 200 {
			t.Fatalf("REGISTER after restart: %s", res.Summary())
		}
		assertRegistrations(t, srv, "bob", 1)
	}
}

func step(t *testing.T, name string) {
	t.Helper()
	t.Logf("---- %s", name)
}

const fakeSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

func assertRegistrations(t *testing.T, srv *kamailio.Server, user string, want int) {
	t.Helper()
	n, err := srv.Registrations(user)
	if err != nil {
		t.Fatalf("Registrations(%q): %v", user, err)
	}
	if n != want {
		out, _ := srv.RPC("ul.dump")
		t.Fatalf("Registrations(%q) = %d, want %d\nul.dump:\n%s", user, n, want, out)
	}
}

// ---- a raw SIP-over-WebSocket client, just enough for these tests ----

type client struct {
	t        *testing.T
	srv      *kamailio.Server
	user     string
	password string
	conn     *websocket.Conn
	in       chan *sipmsg.Message
	pongs    chan string
	closed   chan struct{}
	pending  []*sipmsg.Message
	contact  sipmsg.Address
	host     string // the .invalid host of Via and Contact
	auth     digest.Client

	mu      sync.Mutex
	waiters map[txKey]chan *sipmsg.Message // responses of running transactions

	instance   string // +sip.instance, when registering as an outbound UA
	regCallID  string
	regCSeq    uint32
	challenges int // 401/407 answered by the last transaction
}

type txKey struct {
	callID string
	cseq   sipmsg.CSeq
}

func keyOf(m *sipmsg.Message) txKey {
	cs, _ := m.CSeq()
	return txKey{m.CallID(), cs}
}

func dial(t *testing.T, srv *kamailio.Server, user, password string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, srv.WSURL, &websocket.DialOptions{Subprotocols: []string{"sip"}})
	if err != nil {
		t.Fatalf("dial %s: %v", srv.WSURL, err)
	}
	if conn.Subprotocol() != "sip" {
		t.Fatalf("subprotocol %q, want sip", conn.Subprotocol())
	}
	conn.SetReadLimit(1 << 20)
	host := sipmsg.RandomToken(10) + ".invalid"
	c := &client{
		t: t, srv: srv, user: user, password: password, conn: conn,
		in:     make(chan *sipmsg.Message, 64),
		pongs:  make(chan string, 4),
		closed: make(chan struct{}),
		host:   host,
		contact: sipmsg.Address{URI: sipmsg.URI{
			Scheme: "sip", User: sipmsg.RandomToken(8), Host: host,
			Params: sipmsg.Params{{Name: "transport", Value: "ws"}},
		}},
		regCallID: sipmsg.NewCallID(),
		waiters:   map[txKey]chan *sipmsg.Message{},
	}
	go c.readLoop()
	t.Cleanup(func() { conn.Close(websocket.StatusNormalClosure, "") })
	return c
}

func (c *client) readLoop() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			return
		}
		if strings.Trim(string(data), "\r\n") == "" {
			c.pongs <- string(data)
			continue
		}
		m, err := sipmsg.Parse(data)
		if err != nil {
			c.t.Errorf("%s: unparsable message from Kamailio: %v\n%s", c.user, err, data)
			continue
		}
		if m.IsResponse() {
			c.mu.Lock()
			ch := c.waiters[keyOf(m)]
			c.mu.Unlock()
			if ch != nil {
				ch <- m
				continue
			}
		}
		c.in <- m
	}
}

func (c *client) aor() string { return "sip:" + c.user + "@" + c.srv.Domain }
func (c *client) aorURI() sipmsg.URI {
	return sipmsg.URI{Scheme: "sip", User: c.user, Host: c.srv.Domain}
}
func (c *client) from() sipmsg.Address        { return sipmsg.Address{URI: c.aorURI()} }
func (c *client) contactPtr() *sipmsg.Address { a := c.contact.Clone(); return &a }

// outbound makes the client register like a browser UA: ;ob in the Contact
// URI, +sip.instance and reg-id, Supported: path, gruu, outbound.
func (c *client) outbound(instance string) {
	c.instance = instance
	c.contact.URI.Params.Set("ob", "")
	c.contact.Params = sipmsg.Params{{Name: "+sip.instance", Value: instance, Quoted: true}, {Name: "reg-id", Value: "1"}}
}

func (c *client) send(m *sipmsg.Message) {
	c.t.Helper()
	b, err := m.Bytes()
	if err != nil {
		c.t.Fatalf("serializing %s: %v", m.Summary(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("%s: sending %s: %v", c.user, m.Summary(), err)
	}
}

// next returns the first message, read earlier or now, that match accepts.
func (c *client) next(match func(*sipmsg.Message) bool) *sipmsg.Message {
	c.t.Helper()
	for i, m := range c.pending {
		if match(m) {
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			return m
		}
	}
	timeout := time.After(wait)
	for {
		select {
		case m := <-c.in:
			if match(m) {
				return m
			}
			c.pending = append(c.pending, m)
		case <-c.closed:
			c.t.Fatalf("%s: connection closed while waiting", c.user)
		case <-timeout:
			var got []string
			for _, m := range c.pending {
				got = append(got, m.Summary())
			}
			c.t.Fatalf("%s: nothing matching within %v (unmatched: %v)", c.user, wait, got)
		}
	}
}

func isRequest(method string) func(*sipmsg.Message) bool {
	return func(m *sipmsg.Message) bool { return m.Method == method }
}

func (c *client) newRequest(method string, ruri sipmsg.URI, to string) *sipmsg.Message {
	c.t.Helper()
	toAddr, err := sipmsg.ParseAddress(to)
	mustNil(c.t, err)
	spec := sipmsg.RequestSpec{
		Method: method,
		URI:    ruri,
		Via:    c.via(),
		From:   c.from(),
		To:     toAddr,
	}
	if method != sipmsg.MESSAGE && method != sipmsg.OPTIONS {
		spec.Contact = c.contactPtr()
	}
	m, err := sipmsg.BuildRequest(spec)
	mustNil(c.t, err)
	return m
}

func (c *client) via() sipmsg.Via {
	return sipmsg.Via{Transport: "WS", Host: c.host, Params: sipmsg.Params{
		{Name: "branch", Value: sipmsg.NewBranch()}, {Name: "rport"},
	}}
}

// register sends REGISTER with the given expiry (0 unregisters) and returns
// the final response, answering a challenge.
func (c *client) register(expires int) *sipmsg.Message {
	c.t.Helper()
	c.regCSeq++
	m, err := sipmsg.BuildRequest(sipmsg.RequestSpec{
		Method:  sipmsg.REGISTER,
		URI:     sipmsg.URI{Scheme: "sip", Host: c.srv.Domain},
		Via:     c.via(),
		From:    c.from(),
		To:      c.from(),
		CallID:  c.regCallID,
		CSeq:    c.regCSeq,
		Contact: c.contactPtr(),
	})
	mustNil(c.t, err)
	mustSet(c.t, m, sipmsg.HdrExpires, fmt.Sprint(expires))
	if c.instance != "" {
		mustSet(c.t, m, sipmsg.HdrSupported, "path, gruu, outbound")
	}
	res := c.transact(m)
	cs, _ := res.CSeq()
	c.regCSeq = cs.Seq
	return res
}

// transact sends req and returns its final response. A 401 or 407 is
// answered (up to twice) with new credentials, a new branch and the next
// CSeq; a 401/407 for an INVITE is acknowledged first.
func (c *client) transact(req *sipmsg.Message) *sipmsg.Message {
	c.t.Helper()
	return <-c.transactAsync(req)
}

// transactAsync is transact in the background, for requests whose answer
// needs another client to act first. Failures are reported with Errorf.
func (c *client) transactAsync(req *sipmsg.Message) <-chan *sipmsg.Message {
	c.t.Helper()
	c.challenges = 0
	responses := c.expect(req)
	c.send(req)
	done := make(chan *sipmsg.Message, 1)
	go func() {
		defer func() { c.forget(req) }()
		var prev *digest.Challenge
		for {
			res := c.final(req, responses)
			if res == nil {
				done <- &sipmsg.Message{Reason: "no response"}
				return
			}
			hdr := ""
			switch res.StatusCode {
			case 401:
				hdr = sipmsg.HdrWWWAuthenticate
			case 407:
				hdr = sipmsg.HdrProxyAuthenticate
			}
			if hdr == "" {
				done <- res
				return
			}
			c.challenges++
			if req.Method == sipmsg.INVITE {
				c.ackFailure(req, res)
			}
			chs, err := res.Challenges(hdr)
			ch, ok := digest.Pick(chs)
			if err != nil || !ok || (prev != nil && !digest.ShouldRetry(*prev, ch)) || c.challenges > 2 {
				done <- res
				return
			}
			prev = &ch
			cred, err := c.auth.Authorize(ch, req.Method, req.RequestURI.String(), req.Body, c.user, c.password)
			if err != nil {
				c.t.Errorf("Authorize: %v", err)
				done <- res
				return
			}
			next := req.Clone()
			cs, _ := req.CSeq()
			_ = next.Set(sipmsg.HdrCSeq, sipmsg.CSeq{Seq: cs.Seq + 1, Method: cs.Method}.String())
			v := c.via()
			_ = next.Set(sipmsg.HdrVia, v.String())
			authHdr := sipmsg.HdrAuthorization
			if res.StatusCode == 407 {
				authHdr = sipmsg.HdrProxyAuthorization
			}
			_ = next.Set(authHdr, cred.String())
			c.forget(req)
			*req = *next
			responses = c.expect(req)
			if err := c.write(req); err != nil {
				c.t.Errorf("%s: resending %s: %v", c.user, req.Summary(), err)
				done <- res
				return
			}
		}
	}()
	return done
}

// expect routes the responses to req to the returned channel.
func (c *client) expect(req *sipmsg.Message) chan *sipmsg.Message {
	ch := make(chan *sipmsg.Message, 16)
	c.mu.Lock()
	c.waiters[keyOf(req)] = ch
	c.mu.Unlock()
	return ch
}

func (c *client) forget(req *sipmsg.Message) {
	c.mu.Lock()
	delete(c.waiters, keyOf(req))
	c.mu.Unlock()
}

func (c *client) write(m *sipmsg.Message) error {
	b, err := m.Bytes()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, b)
}

// final waits for the final response among responses.
func (c *client) final(req *sipmsg.Message, responses <-chan *sipmsg.Message) *sipmsg.Message {
	timeout := time.After(wait)
	for {
		select {
		case m := <-responses:
			if m.StatusCode >= 200 {
				return m
			}
		case <-c.closed:
			c.t.Errorf("%s: connection closed waiting for the answer to %s", c.user, req.Summary())
			return nil
		case <-timeout:
			c.t.Errorf("%s: no final response to %s within %v", c.user, req.Summary(), wait)
			return nil
		}
	}
}

// ackFailure acknowledges a non-2xx final response to an INVITE (RFC 3261
// 17.1.1.3): same branch and Request-URI, the response's To.
func (c *client) ackFailure(inv, res *sipmsg.Message) {
	ack := inv.Clone()
	ack.Method = sipmsg.ACK
	ack.Body = nil
	ack.Del(sipmsg.HdrContentType)
	ack.Del(sipmsg.HdrProxyAuthorization)
	cs, _ := inv.CSeq()
	_ = ack.Set(sipmsg.HdrCSeq, sipmsg.CSeq{Seq: cs.Seq, Method: sipmsg.ACK}.String())
	_ = ack.Set(sipmsg.HdrTo, res.Get(sipmsg.HdrTo))
	if err := c.write(ack); err != nil {
		c.t.Errorf("ACK: %v", err)
	}
}

// inDialog builds a request within the dialog that the 2xx ok to our
// request req established (an INVITE or a SUBSCRIBE): ACK reuses the
// CSeq number, other methods take the next one.
func (c *client) inDialog(ok *sipmsg.Message, method string, req *sipmsg.Message) *sipmsg.Message {
	c.t.Helper()
	target, err := ok.Contacts()
	if err != nil || len(target) == 0 {
		c.t.Fatalf("2xx without Contact: %v", err)
	}
	rrs, err := ok.RecordRoutes()
	if err != nil && len(ok.Values(sipmsg.HdrRecordRoute)) > 0 {
		c.t.Fatalf("Record-Route: %v", err)
	}
	routes := make([]sipmsg.Address, 0, len(rrs))
	for i := len(rrs) - 1; i >= 0; i-- {
		routes = append(routes, sipmsg.Address{URI: rrs[i].URI})
	}
	from, _ := req.From()
	to, _ := ok.To()
	cs, _ := req.CSeq()
	seq := cs.Seq
	if method != sipmsg.ACK {
		seq++
	}
	spec := sipmsg.RequestSpec{
		Method: method, URI: target[0].URI, Via: c.via(),
		From: from, To: to, CallID: req.CallID(), CSeq: seq,
		Routes: routes,
	}
	if method == sipmsg.SUBSCRIBE {
		spec.Contact = c.contactPtr()
	}
	m, err := sipmsg.BuildRequest(spec)
	mustNil(c.t, err)
	return m
}

// respond answers req with code, after edit (may be nil) changes it; 2xx
// and 1xx answers to INVITE carry our Contact.
func (c *client) respond(req *sipmsg.Message, code int, edit func(*sipmsg.Message)) {
	c.t.Helper()
	res, err := sipmsg.NewResponse(req, code, "")
	mustNil(c.t, err)
	if req.Method == sipmsg.INVITE && code < 300 {
		mustSet(c.t, res, sipmsg.HdrContact, c.contact.String())
	}
	if edit != nil {
		edit(res)
	}
	c.send(res)
}

// notify waits for a NOTIFY of the subscription callID whose dialog-info
// body holds <state>state</state> (any body when state is ""), answering
// every NOTIFY of it with 200.
func (c *client) notify(callID, state string) *sipmsg.Message {
	c.t.Helper()
	deadline := time.Now().Add(wait)
	var seen []string
	for time.Now().Before(deadline) {
		n := c.next(func(m *sipmsg.Message) bool { return m.Method == sipmsg.NOTIFY && m.CallID() == callID })
		c.respond(n, 200, nil)
		ct, err := n.ContentType()
		if len(n.Body) > 0 && (err != nil || !ct.Is("application", "dialog-info+xml")) {
			c.t.Fatalf("NOTIFY Content-Type %q, want application/dialog-info+xml", n.Get(sipmsg.HdrContentType))
		}
		if ev, err := n.Event(); err != nil || ev.Value != "dialog" {
			c.t.Fatalf("NOTIFY Event %q", n.Get(sipmsg.HdrEvent))
		}
		body := strings.ToLower(string(n.Body))
		seen = append(seen, string(n.Body))
		if state == "" && len(n.Body) > 0 || state != "" && strings.Contains(body, "<state>"+state+"</state>") {
			return n
		}
	}
	c.t.Fatalf("%s: no NOTIFY with state %q; got:\n%s", c.user, state, strings.Join(seen, "\n----\n"))
	return nil
}

func mustSet(t *testing.T, m *sipmsg.Message, name, value string) {
	t.Helper()
	if err := m.Set(name, value); err != nil {
		t.Fatalf("Set(%s): %v", name, err)
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

//go:build !js

package sipserver

import (
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// peerDialog is the RFC 3261 §12 state of a dialog the server is an
// endpoint of (echo test, originated call legs): enough to send BYE, ACK
// and re-INVITEs to the client over its connection. The client reached us
// directly, so there is no route set.
type peerDialog struct {
	s            *Server
	conn         *conn
	key          dialogKey
	local        sipmsg.Address // our side, with our tag
	remote       sipmsg.Address // the client, with its tag
	remoteTarget sipmsg.URI
	localSeq     uint32
}

// request builds a request of the dialog with the next CSeq (or seq for an
// ACK) and a fresh Via of ours; it returns the request and its branch.
func (d *peerDialog) request(method string, seq uint32) (*sipmsg.Message, string, error) {
	if method != sipmsg.ACK {
		d.localSeq++
		seq = d.localSeq
	}
	via, branch := d.s.via("")
	spec := sipmsg.RequestSpec{Method: method, URI: d.remoteTarget, Via: via, From: d.local, To: d.remote,
		CallID: d.key.callID, CSeq: seq}
	if method != sipmsg.ACK {
		c := d.s.contact()
		spec.Contact = &c
	}
	m, err := sipmsg.BuildRequest(spec)
	if err != nil {
		return nil, "", err
	}
	_ = m.Add(sipmsg.HdrUserAgent, userAgentName)
	return m, branch, nil
}

// updateTarget takes a new remote target from a target-refresh request or
// response.
func (d *peerDialog) updateTarget(m *sipmsg.Message) {
	if cs, err := m.Contacts(); err == nil && len(cs) > 0 && !cs[0].Wildcard {
		d.remoteTarget = cs[0].URI
	}
}

// replyTag answers req with our dialog tag in To, extra headers and an
// optional SDP body. s.mu need not be held.
func (s *Server) replyTag(c *conn, req *sipmsg.Message, code int, tag string, sdp []byte, hdrs ...sipmsg.Header) {
	resp, err := sipmsg.NewResponse(req, code, "")
	if err != nil {
		return
	}
	if tag != "" {
		_ = resp.SetToTag(tag)
	}
	if code > 100 && code < 300 {
		_ = resp.Add(sipmsg.HdrContact, s.contact().String())
	}
	for _, h := range hdrs {
		_ = resp.Add(h.Name, h.Value)
	}
	_ = resp.Add(sipmsg.HdrServer, userAgentName)
	if len(sdp) > 0 {
		_ = resp.Add(sipmsg.HdrContentType, "application/sdp")
		resp.Body = sdp
	}
	_ = c.send(resp)
}

// isSDP reports whether m carries an SDP body.
func isSDP(m *sipmsg.Message) bool {
	if len(m.Body) == 0 {
		return false
	}
	t, err := m.ContentType()
	return err == nil && t.Is("application", "sdp")
}

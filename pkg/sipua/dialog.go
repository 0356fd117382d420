package sipua

import (
	"fmt"
	"slices"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// dialogID identifies a dialog from our side (RFC 3261 §12).
type dialogID struct{ callID, localTag, remoteTag string }

// dialogUsage is what owns a dialog: a subscription now, a call later.
type dialogUsage interface {
	// receiveRequest handles an in-dialog request; tx is nil for an ACK.
	receiveRequest(m *sipmsg.Message, tx *serverTx)
}

// dialog is the state of RFC 3261 §12: route set, remote target and
// sequence numbers, and how to build requests inside it.
type dialog struct {
	ua           *UA
	id           dialogID
	local        sipmsg.Address // our From, with our tag
	remote       sipmsg.Address // the peer's To, with its tag
	remoteTarget sipmsg.URI
	routeSet     []sipmsg.Address
	localSeq     uint32
	remoteSeq    uint32
}

// newDialogAsUAC makes the dialog of a request we sent from a request or
// response of the peer that carries its tag: a 2xx (or 1xx) response, or
// the NOTIFY of a subscription (RFC 6665 §4.1.2.4). The route set is the
// Record-Route of a response reversed, of a request as it is.
func newDialogAsUAC(ua *UA, req, peer *sipmsg.Message) (*dialog, error) {
	from, err := req.From()
	if err != nil {
		return nil, err
	}
	var remote sipmsg.Address
	if peer.IsResponse() {
		remote, err = peer.To()
	} else {
		remote, err = peer.From()
	}
	if err != nil {
		return nil, err
	}
	if remote.Tag() == "" {
		return nil, fmt.Errorf("sipua: %s without a tag cannot make a dialog", peer.Summary())
	}
	contacts, err := peer.Contacts()
	if err != nil || len(contacts) == 0 || contacts[0].Wildcard {
		return nil, fmt.Errorf("sipua: %s has no usable Contact", peer.Summary())
	}
	rr, err := peer.RecordRoutes()
	if err != nil {
		return nil, err
	}
	if peer.IsResponse() {
		slices.Reverse(rr)
	}
	cseq, err := req.CSeq()
	if err != nil {
		return nil, err
	}
	d := &dialog{ua: ua, local: from, remote: remote, remoteTarget: contacts[0].URI, routeSet: rr, localSeq: cseq.Seq,
		id: dialogID{callID: req.CallID(), localTag: from.Tag(), remoteTag: remote.Tag()}}
	if peer.IsRequest() {
		if pc, err := peer.CSeq(); err == nil {
			d.remoteSeq = pc.Seq
		}
	}
	return d, nil
}

// newDialogAsUAS makes the dialog of a request we answer with a 2xx
// (RFC 3261 §12.1.1): the route set is its Record-Route as it is, local is
// our To with the tag we chose.
func newDialogAsUAS(ua *UA, req *sipmsg.Message, local sipmsg.Address) (*dialog, error) {
	remote, err := req.From()
	if err != nil {
		return nil, err
	}
	contacts, err := req.Contacts()
	if err != nil || len(contacts) == 0 || contacts[0].Wildcard {
		return nil, fmt.Errorf("sipua: %s has no usable Contact", req.Summary())
	}
	rr, err := req.RecordRoutes()
	if err != nil {
		return nil, err
	}
	cseq, err := req.CSeq()
	if err != nil {
		return nil, err
	}
	return &dialog{ua: ua, local: local, remote: remote, remoteTarget: contacts[0].URI, routeSet: rr,
		remoteSeq: cseq.Seq, id: dialogID{callID: req.CallID(), localTag: local.Tag(), remoteTag: remote.Tag()}}, nil
}

// request builds an in-dialog request with the next local CSeq,
// following loose or strict routing (RFC 3261 §12.2.1.1).
func (d *dialog) request(method string) (*sipmsg.Message, error) {
	d.localSeq++
	return d.build(method, d.localSeq)
}

// ack builds the ACK of the 2xx to the INVITE with CSeq number seq: an
// in-dialog request that takes the INVITE's number (RFC 3261 §13.2.2.4).
func (d *dialog) ack(seq uint32) (*sipmsg.Message, error) {
	return d.build(sipmsg.ACK, seq)
}

func (d *dialog) build(method string, seq uint32) (*sipmsg.Message, error) {
	spec := sipmsg.RequestSpec{
		Method: method, URI: d.remoteTarget, Via: d.ua.via(),
		From: d.local, To: d.remote, CallID: d.id.callID, CSeq: seq,
		Routes: d.routeSet,
	}
	if len(d.routeSet) > 0 && !d.routeSet[0].URI.Params.Has("lr") {
		first := d.routeSet[0].URI.Clone()
		first.Params = nil
		spec.URI = first
		spec.Routes = append(slices.Clone(d.routeSet[1:]), sipmsg.Address{URI: d.remoteTarget})
	}
	if method != sipmsg.ACK && method != sipmsg.CANCEL {
		c := d.ua.dialogContact()
		spec.Contact = &c
	}
	m, err := sipmsg.BuildRequest(spec)
	if err != nil {
		return nil, err
	}
	_ = m.Add(sipmsg.HdrUserAgent, d.ua.cfg.UserAgent)
	return m, nil
}

// updateFromRequest refreshes the remote target from a target-refresh
// request (NOTIFY, re-INVITE, UPDATE) and checks its CSeq ordering.
func (d *dialog) acceptRequest(m *sipmsg.Message) bool {
	cseq, err := m.CSeq()
	if err != nil {
		return false
	}
	if d.remoteSeq != 0 && cseq.Seq < d.remoteSeq {
		return false
	}
	d.remoteSeq = cseq.Seq
	if cs, err := m.Contacts(); err == nil && len(cs) > 0 && !cs[0].Wildcard {
		d.remoteTarget = cs[0].URI
	}
	return true
}

// dialogContact is the Contact of our dialogs: the public GRUU the
// registrar gave us (RFC 5627), which reaches this instance through the
// registrar whatever connection it uses, so calls survive a reconnect;
// before there is one, our own Contact with ;ob (RFC 5626).
func (ua *UA) dialogContact() sipmsg.Address {
	if ua.gruu.Scheme != "" {
		return sipmsg.Address{URI: ua.gruu.Clone()}
	}
	c := ua.contact.Clone()
	c.URI.Params = append(c.URI.Params, sipmsg.Param{Name: "ob"})
	return c
}

// via returns a Via for a new request: our random host, rport, a branch
// generated by BuildRequest.
func (ua *UA) via() sipmsg.Via {
	return sipmsg.Via{Transport: ua.tr.Via(), Host: ua.viaHost, Params: sipmsg.Params{{Name: "rport"}}}
}

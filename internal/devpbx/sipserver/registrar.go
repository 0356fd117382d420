//go:build !js

package sipserver

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Binding lifetimes, in seconds.
const (
	defaultExpires = 3600
	maxExpires     = 3600
	minExpires     = 60
)

// binding is one registered contact of an extension, reachable over the
// connection it registered on.
type binding struct {
	ext       Extension
	contact   sipmsg.Address
	instance  string
	regID     string
	conn      *conn
	userAgent string
	expires   time.Time
}

// sameBinding reports whether b is the binding a Contact of a new REGISTER
// replaces: same instance and reg-id (RFC 5626 §6), or the same URI.
func (b *binding) sameBinding(instance, regID string, u *sipmsg.URI) bool {
	if instance != "" && b.instance == instance && b.regID == regID {
		return true
	}
	return b.contact.URI.User == u.User && strings.EqualFold(b.contact.URI.Host, u.Host) && b.contact.URI.Port == u.Port
}

// handleRegister is the registrar (RFC 3261 §10.3): the To user must be an
// extension, the credentials its own.
func (s *Server) handleRegister(c *conn, m *sipmsg.Message) {
	to, err := m.To()
	if err != nil || !to.URI.IsSIP() {
		s.reply(c, m, 400)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, lookupTimeout)
	defer cancel()
	target, found, err := s.lookup(ctx, to.URI.User)
	if err != nil {
		s.reply(c, m, 500)
		return
	}
	if !found {
		s.reply(c, m, 404)
		return
	}
	ext, ok := s.authorize(ctx, c, m)
	if !ok {
		return
	}
	if ext.SIPUsername != target.SIPUsername {
		s.reply(c, m, 403)
		return
	}
	contacts, err := m.Contacts()
	if err != nil {
		s.reply(c, m, 400)
		return
	}
	headerExpires := -1
	if m.Has(sipmsg.HdrExpires) {
		e, err := m.Expires()
		if err != nil {
			s.reply(c, m, 400)
			return
		}
		headerExpires = int(min(e, maxExpires))
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	user := ext.SIPUsername
	// A copy: a request refused half-way leaves the bindings as they were.
	bs := slices.Clone(s.activeBindings(user))
	if len(contacts) == 1 && contacts[0].Wildcard {
		if headerExpires != 0 {
			s.reply(c, m, 400)
			return
		}
		delete(s.bindings, user)
		s.reply(c, m, 200)
		s.log.Info("sipserver: unregistered all", "user", user)
		return
	}
	for _, ct := range contacts {
		if ct.Wildcard || !ct.URI.IsSIP() {
			s.reply(c, m, 400)
			return
		}
		expires := headerExpires
		if e, ok := ct.Expires(); ok {
			expires = min(e, maxExpires)
		} else if ct.Params.Has("expires") {
			s.reply(c, m, 400)
			return
		}
		if expires < 0 {
			expires = defaultExpires
		}
		if expires > 0 && expires < minExpires {
			s.reply(c, m, 423, sipmsg.Header{Name: sipmsg.HdrMinExpires, Value: strconv.Itoa(minExpires)})
			return
		}
		instance, _ := ct.Params.Get("+sip.instance")
		regID, _ := ct.Params.Get("reg-id")
		kept := bs[:0]
		for _, b := range bs {
			if !b.sameBinding(instance, regID, &ct.URI) {
				kept = append(kept, b)
			}
		}
		bs = kept
		if expires == 0 {
			s.log.Info("sipserver: unregistered", "user", user, "contact", ct.URI.String())
			continue
		}
		addr := ct.Clone()
		addr.Params.Del("expires")
		bs = append(bs, &binding{ext: ext, contact: addr, instance: instance, regID: regID, conn: c,
			userAgent: m.UserAgent(), expires: now.Add(time.Duration(expires) * time.Second)})
		s.log.Info("sipserver: registered", "user", user, "contact", ct.URI.String(), "expires", expires, "remote", c.remote)
	}
	if len(bs) == 0 {
		delete(s.bindings, user)
	} else {
		s.bindings[user] = bs
	}
	hdrs := make([]sipmsg.Header, 0, len(bs)+1)
	for _, b := range bs {
		a := b.contact.Clone()
		a.Params.Set("expires", strconv.Itoa(int(b.expires.Sub(now).Round(time.Second)/time.Second)))
		hdrs = append(hdrs, sipmsg.Header{Name: sipmsg.HdrContact, Value: a.String()})
	}
	hdrs = append(hdrs, sipmsg.Header{Name: sipmsg.HdrDate, Value: now.UTC().Format(time.RFC1123)})
	s.reply(c, m, 200, hdrs...)
}

// activeBindings returns the unexpired bindings of user and forgets the
// expired ones; s.mu is held.
func (s *Server) activeBindings(user string) []*binding {
	bs := s.bindings[user]
	now := s.clk.Now()
	kept := bs[:0]
	for _, b := range bs {
		if b.expires.After(now) {
			kept = append(kept, b)
		}
	}
	if len(kept) == 0 {
		delete(s.bindings, user)
		return nil
	}
	s.bindings[user] = kept
	return kept
}

// Registrations returns the current registrations of the SIP user (its
// SIP username), one per registered contact.
func (s *Server) Registrations(sipUsername string) []Registration {
	s.mu.Lock()
	defer s.mu.Unlock()
	bs := s.activeBindings(sipUsername)
	out := make([]Registration, 0, len(bs))
	for _, b := range bs {
		out = append(out, Registration{Contact: b.contact.URI.String(), UserAgent: b.userAgent,
			InstanceID: b.instance, RemoteAddr: b.conn.remote, Expires: b.expires})
	}
	return out
}

// connForTarget finds the connection of the binding whose Contact is u:
// how a request reaches a client whose flow token is stale (it
// reconnected and registered again). s.mu is held.
func (s *Server) connForTarget(u *sipmsg.URI) *conn {
	now := s.clk.Now()
	for _, bs := range s.bindings {
		for _, b := range bs {
			if b.expires.After(now) && b.contact.URI.User == u.User && strings.EqualFold(b.contact.URI.Host, u.Host) {
				return b.conn
			}
		}
	}
	return nil
}

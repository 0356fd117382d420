package sipua

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// registrator keeps the UA's binding at the registrar (RFC 3261 §10, RFC
// 5626): REGISTER with the instance id and reg-id, digest answered,
// refreshed before expiry, 423 honoured, removed on stop.
type registrator struct {
	ua     *UA
	callID string
	cseq   uint32
	// wanted: the application asked to be registered.
	wanted     bool
	registered bool
	expires    int // asked for; raised by a 423
	inflight   bool
	again      bool // register once more when the one in flight ends
	refresh    clock.Timer
	// challenge is the last one answered, used to authorize the next
	// REGISTER at once (the registrar then needs no new round trip).
	challenge *digest.Challenge
	proxy     bool
	// onUnregistered is called when an unregister finishes (Stop waits).
	onUnregistered func()
}

func newRegistrator(ua *UA) *registrator {
	return &registrator{ua: ua, callID: sipmsg.NewCallID(), expires: ua.cfg.RegisterExpires, wanted: ua.cfg.Register}
}

// Register registers (or refreshes the binding) and keeps it registered.
func (ua *UA) Register(ctx context.Context) error {
	return ua.run(ctx, func() {
		ua.reg.wanted = true
		ua.reg.register()
	})
}

// Unregister removes the binding and stops refreshing it.
func (ua *UA) Unregister(ctx context.Context) error {
	return ua.run(ctx, func() { ua.reg.unregister(nil) })
}

func (r *registrator) contact(expires int) sipmsg.Address {
	c := r.ua.contact.Clone()
	c.Params = sipmsg.Params{{Name: "+sip.ice"}, {Name: "reg-id", Value: "1"},
		{Name: "+sip.instance", Value: "<urn:uuid:" + r.ua.inst + ">", Quoted: true},
		{Name: "expires", Value: strconv.Itoa(expires)}}
	return c
}

func (r *registrator) request(expires int) (*sipmsg.Message, error) {
	ua := r.ua
	r.cseq++
	registrar := sipmsg.URI{Scheme: ua.aor.Scheme, Host: ua.aor.Host, Port: ua.aor.Port}
	me := sipmsg.Address{DisplayName: ua.cfg.DisplayName, URI: ua.aor}
	contact := r.contact(expires)
	m, err := sipmsg.BuildRequest(sipmsg.RequestSpec{
		Method: sipmsg.REGISTER, URI: registrar, Via: ua.via(),
		From: me, To: sipmsg.Address{DisplayName: ua.cfg.DisplayName, URI: ua.aor},
		CallID: r.callID, CSeq: r.cseq, Contact: &contact,
	})
	if err != nil {
		return nil, err
	}
	_ = m.Add(sipmsg.HdrExpires, strconv.Itoa(expires))
	_ = m.Add(sipmsg.HdrAllow, allowed)
	_ = m.Add(sipmsg.HdrSupported, "path, gruu, outbound")
	_ = m.Add(sipmsg.HdrUserAgent, ua.cfg.UserAgent)
	return m, nil
}

// register sends a REGISTER unless one is in flight (then once more
// after it).
func (r *registrator) register() {
	if r.inflight {
		r.again = true
		return
	}
	if !r.ua.connected.Load() {
		return // Connected registers again
	}
	r.stopRefresh()
	r.inflight = true
	tries423 := 0
	var a *authedRequest
	a = &authedRequest{ua: r.ua, prev: r.challenge, proxy: r.proxy, preauth: r.challenge != nil,
		build: func() (*sipmsg.Message, error) { return r.request(r.expires) },
		onFinal: func(resp *sipmsg.Message) {
			if resp.StatusCode < 300 {
				r.challenge, r.proxy = a.prev, a.proxy
			} else if resp.StatusCode == 401 || resp.StatusCode == 407 {
				r.challenge = nil
			}
			if resp.StatusCode == 423 && tries423 < 2 {
				if min, err := resp.MinExpires(); err == nil && int(min) > r.expires {
					tries423++
					r.expires = int(min)
					a.send()
					return
				}
			}
			r.inflight = false
			r.onResponse(resp)
			r.next()
		},
		onFail: func(err error) {
			r.inflight = false
			r.failed(nil, causeForError(err))
			r.next()
		},
	}
	a.send()
}

func (r *registrator) next() {
	if r.again {
		r.again = false
		if r.wanted {
			r.register()
		}
	}
}

func causeForError(err error) string {
	switch {
	case err == ErrTimeout:
		return CauseRequestTimeout
	default:
		return CauseConnectionError
	}
}

func (r *registrator) onResponse(resp *sipmsg.Message) {
	if resp.StatusCode >= 300 {
		r.failed(resp, CauseForStatus(resp.StatusCode))
		return
	}
	expires := r.grantedExpires(resp)
	if expires <= 0 {
		// The registrar dropped our contact: we are not registered.
		r.setUnregistered(resp, CauseExpires)
		return
	}
	r.registered = true
	r.ua.registered.Store(true)
	r.ua.emit(RegisteredEvent{Response: resp, Expires: expires})
	if r.wanted {
		r.refresh = r.ua.after(refreshDelay(expires), func() {
			if r.wanted && r.registered {
				r.ua.emit(RegistrationExpiringEvent{})
				r.register()
			}
		})
	}
}

// grantedExpires finds our binding's lifetime in a 2xx: the expires
// parameter of our Contact, else the Expires header, else what we asked.
func (r *registrator) grantedExpires(resp *sipmsg.Message) int {
	contacts, _ := resp.Contacts()
	for _, c := range contacts {
		if c.URI.User != r.ua.contact.URI.User || !strings.EqualFold(c.URI.Host, r.ua.contact.URI.Host) {
			continue
		}
		if g, ok := c.Params.Get("pub-gruu"); ok {
			if u, err := sipmsg.ParseURI(g); err == nil && u.IsSIP() && u.Params.Has("gr") {
				r.ua.gruu = u
			}
		}
		if e, ok := c.Expires(); ok {
			return e
		}
		if e, err := resp.Expires(); err == nil {
			return int(e)
		}
		return r.expires
	}
	if len(contacts) > 0 {
		return 0 // the registrar lists bindings, none of them ours
	}
	if e, err := resp.Expires(); err == nil {
		return int(e)
	}
	return r.expires
}

// refreshDelay is when to refresh a binding of the given lifetime, as
// JsSIP does: at a random point between half the lifetime and 32 s before
// it ends, or 5 s before the end for short lifetimes.
func refreshDelay(expires int) time.Duration {
	e := time.Duration(expires) * time.Second
	if expires > 64 {
		half := e / 2
		return half + time.Duration(rand.Int64N(int64(half-32*time.Second)))
	}
	if expires > 5 {
		return e - 5*time.Second
	}
	return e
}

func (r *registrator) failed(resp *sipmsg.Message, cause string) {
	wasRegistered := r.registered
	r.registered = false
	r.ua.registered.Store(false)
	r.stopRefresh()
	r.ua.emit(RegistrationFailedEvent{Response: resp, Cause: cause})
	if wasRegistered {
		r.ua.emit(UnregisteredEvent{Response: resp, Cause: cause})
	}
}

func (r *registrator) setUnregistered(resp *sipmsg.Message, cause string) {
	r.stopRefresh()
	if r.registered || cause == "" {
		r.ua.emit(UnregisteredEvent{Response: resp, Cause: cause})
	}
	r.registered = false
	r.ua.registered.Store(false)
}

// unregister sends REGISTER with Expires: 0 for our contact; done (may be
// nil) is called when it is over.
func (r *registrator) unregister(done func()) {
	r.wanted = false
	r.again = false
	r.stopRefresh()
	if !r.ua.connected.Load() {
		r.setUnregistered(nil, CauseConnectionError)
		if done != nil {
			done()
		}
		return
	}
	a := &authedRequest{ua: r.ua, prev: r.challenge, proxy: r.proxy, preauth: r.challenge != nil,
		build: func() (*sipmsg.Message, error) { return r.request(0) },
		onFinal: func(resp *sipmsg.Message) {
			cause := ""
			if resp.StatusCode >= 300 {
				cause = CauseForStatus(resp.StatusCode)
			}
			r.registered = true // so that setUnregistered reports it
			r.setUnregistered(resp, cause)
			if done != nil {
				done()
			}
		},
		onFail: func(err error) {
			r.setUnregistered(nil, causeForError(err))
			if done != nil {
				done()
			}
		},
	}
	a.send()
}

// unregisterOnStop unregisters when registered; it reports whether done
// will be called.
func (r *registrator) unregisterOnStop(done func()) bool {
	if !r.registered && !r.inflight {
		return false
	}
	r.unregister(done)
	return true
}

func (r *registrator) onDisconnected() {
	r.inflight = false
	r.stopRefresh()
	if r.registered {
		r.registered = false
		r.ua.registered.Store(false)
		r.ua.emit(UnregisteredEvent{Cause: CauseConnectionError})
	}
}

func (r *registrator) stopRefresh() {
	if r.refresh != nil {
		r.refresh.Stop()
		r.refresh = nil
	}
}

func (r *registrator) stop() {
	r.wanted = false
	r.stopRefresh()
}

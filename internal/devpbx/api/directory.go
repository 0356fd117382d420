//go:build !js

package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wasmphone/wasmphone/internal/devpbx/sipserver"
	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/internal/restapi"
)

// Lookup finds a phone extension by SIP username or short number, for the
// SIP server (sipserver.Directory).
func (a *API) Lookup(ctx context.Context, name string) (sipserver.Extension, bool, error) {
	if name == "" {
		return sipserver.Extension{}, false, nil
	}
	var phone *store.Record
	ids, err := a.st.FindByField(ctx, "sipidentity", "username", name)
	if err != nil {
		return sipserver.Extension{}, false, fmt.Errorf("devpbx: look up %q: %w", name, err)
	}
	if len(ids) > 0 {
		phone, err = a.st.Get(ctx, ids[0].Parent)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return sipserver.Extension{}, false, fmt.Errorf("devpbx: look up %q: %w", name, err)
		}
	}
	if phone == nil {
		phones, err := a.st.FindByField(ctx, "phone", "shortNumber", name)
		if err != nil {
			return sipserver.Extension{}, false, fmt.Errorf("devpbx: look up %q: %w", name, err)
		}
		if len(phones) == 0 {
			return sipserver.Extension{}, false, nil
		}
		phone = phones[0]
	}
	ext, ok, err := a.extension(ctx, phone)
	if err != nil {
		return sipserver.Extension{}, false, fmt.Errorf("devpbx: look up %q: %w", name, err)
	}
	return ext, ok, nil
}

// extension builds the SIP server's view of a phone: its SIP identity and
// do-not-disturb state. ok is false for a phone without a SIP identity.
func (a *API) extension(ctx context.Context, phone *store.Record) (sipserver.Extension, bool, error) {
	sip, err := a.st.Get(ctx, phone.Path+"/sip")
	if errors.Is(err, store.ErrNotFound) {
		return sipserver.Extension{}, false, nil
	}
	if err != nil {
		return sipserver.Extension{}, false, err
	}
	dnd := false
	if st, err := a.st.Get(ctx, phone.Path+"/phonestatus"); err == nil {
		dnd, _ = st.Fields["dndActive"].(bool)
	} else if !errors.Is(err, store.ErrNotFound) {
		return sipserver.Extension{}, false, err
	}
	return sipserver.Extension{
		ID: phone.ID, CustomerID: store.LastSegment(customerOf(phone.Path)), ShortNumber: phone.Str("shortNumber"),
		Name: phone.Str("name"), SIPUsername: sip.Str("username"), SIPPassword: sip.Str("password"), DND: dnd,
	}, true, nil
}

func endpointOf(e *sipserver.Extension) string {
	return "/customers/" + e.CustomerID + "/endpoints/" + e.ID
}

// CallRinging raises incomingcall on the stream of the called extension's
// customer (sipserver.Events).
func (a *API) CallRinging(ci sipserver.CallInfo) {
	if ci.ToExt == nil {
		return
	}
	number, name := ci.From, ""
	if ci.FromExt != nil {
		number, name = ci.FromExt.ShortNumber, ci.FromExt.Name
	}
	ep := endpointOf(ci.ToExt)
	a.publish(ci.ToExt.CustomerID, event{Name: "incomingcall", Path: ep,
		Values: map[string]any{"callerIdNumber": number, "callerIdName": name, "endpoint": ep}})
}

// outcomes maps the SIP server's outcomes to the API's.
var outcomes = map[string]string{
	sipserver.OutcomeAnswered: "ANSWERED", sipserver.OutcomeBusy: "BUSY", sipserver.OutcomeNoAnswer: "NO_ANSWER",
	sipserver.OutcomeCancelled: "NO_ANSWER", sipserver.OutcomeFailed: "FAILED", sipserver.OutcomeRejected: "BUSY",
}

// CallEnded writes the call history (sipserver.Events): the record of an
// originated call is completed; other calls get an OUT record for a
// calling extension and an IN record for a called extension of another
// customer (one LOCAL record when both are of the same customer).
func (a *API) CallEnded(ci sipserver.CallInfo) {
	ctx, cancel := hookContext()
	defer cancel()
	if err := a.writeCall(ctx, ci); err != nil {
		a.log.Error("devpbx api: cannot write the call history", "callId", ci.CallID, "err", err)
	}
}

func (a *API) writeCall(ctx context.Context, ci sipserver.CallInfo) error {
	outcome, ok := outcomes[ci.Outcome]
	if !ok {
		outcome = "FAILED"
	}
	duration := 0
	if !ci.Answered.IsZero() && ci.Ended.After(ci.Answered) {
		duration = int(ci.Ended.Sub(ci.Answered).Round(time.Second) / time.Second)
	}
	started := ci.Started
	if started.IsZero() {
		started = a.clk.Now()
	}
	return a.st.Update(ctx, func(tx *store.Tx) error {
		if ci.CallID != "" {
			existing, err := tx.FindByField("call", "callId", ci.CallID)
			if err != nil {
				return err
			}
			if len(existing) > 0 {
				for _, rec := range existing {
					rec.Fields["outcome"], rec.Fields["duration"] = outcome, duration
					if err := tx.Put(rec); err != nil {
						return err
					}
				}
				return nil
			}
		}
		add := func(cust, direction, scope string) error {
			rec := newRecord("call")
			linkedID := strconv.FormatInt(started.Unix(), 10) + "." + restapi.NewToken(3)
			rec.Fields = map[string]any{"scope": scope, "direction": direction, "from": ci.From, "to": ci.To,
				"callerId": ci.From, "callStarted": started.UTC().Format(store.TimeFormat), "outcome": outcome,
				"duration": duration, "cost": 0.0, "callId": ci.CallID, "linkedId": linkedID}
			if ci.FromExt != nil {
				rec.Fields["from"], rec.Fields["callerId"] = ci.FromExt.ShortNumber, ci.FromExt.ShortNumber
				if ci.FromExt.CustomerID == cust {
					rec.Rels["srcEndpoint"] = endpointOf(ci.FromExt)
				}
			}
			if ci.ToExt != nil {
				rec.Fields["to"] = ci.ToExt.ShortNumber
				if ci.ToExt.CustomerID == cust {
					rec.Rels["dstEndpoint"] = endpointOf(ci.ToExt)
				}
			}
			cp := "/customers/" + cust
			rec.Links["recordings"] = cp + "/recordings?linkedId=" + linkedID
			rec.Created = started
			return tx.Add(cp+"/calls", "", rec)
		}
		switch {
		case ci.FromExt != nil && ci.ToExt != nil && ci.FromExt.CustomerID == ci.ToExt.CustomerID:
			return add(ci.FromExt.CustomerID, "OUT", "LOCAL")
		case ci.FromExt != nil && ci.ToExt != nil:
			if err := add(ci.FromExt.CustomerID, "OUT", "DOMAIN"); err != nil {
				return err
			}
			return add(ci.ToExt.CustomerID, "IN", "DOMAIN")
		case ci.FromExt != nil:
			return add(ci.FromExt.CustomerID, "OUT", "EXTERNAL")
		case ci.ToExt != nil:
			return add(ci.ToExt.CustomerID, "IN", "EXTERNAL")
		}
		return nil
	})
}

//go:build !js

package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/internal/restapi"
)

func validatePhonebook(obj map[string]any) []restapi.FieldError {
	var errs []restapi.FieldError
	for _, f := range []string{"name", "phoneNumber"} {
		if restapi.EmptyString(obj[f]) {
			errs = append(errs, restapi.Invalid(f, "may not be empty"))
		}
	}
	if v, ok := obj["phoneNumber"]; ok && !restapi.EmptyString(v) && !validNumber(v) {
		errs = append(errs, restapi.Invalid("phoneNumber", "must be a valid telephone number"))
	}
	for _, f := range []string{"speedDial", "priority"} {
		if v, ok := obj[f]; ok && v != nil && !restapi.IsInteger(v) {
			errs = append(errs, restapi.Invalid(f, "must be an integer"))
		}
	}
	if v, ok := obj["email"]; ok && v != nil {
		if s, ok := v.(string); !ok || (s != "" && !strings.Contains(s, "@")) {
			errs = append(errs, restapi.Invalid("email", "not a well-formed email address"))
		}
	}
	return errs
}

// validNumber accepts telephone numbers, short numbers and service codes
// such as *52: digits, spaces, a leading + and * or #.
func validNumber(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return false
	}
	n := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case r == ' ', r == '*', r == '#', r == '+' && i == 0:
		default:
			return false
		}
	}
	return n >= 2
}

func validateCall(obj map[string]any) []restapi.FieldError {
	var errs []restapi.FieldError
	if restapi.EmptyString(obj["endpoint"]) {
		errs = append(errs, restapi.Invalid("endpoint", "may not be empty"))
	}
	switch {
	case restapi.EmptyString(obj["to"]):
		errs = append(errs, restapi.Invalid("to", "may not be empty"))
	case !validNumber(obj["to"]):
		errs = append(errs, restapi.Invalid("to", "must be a valid telephone number"))
	}
	return errs
}

func validateSMS(obj map[string]any) []restapi.FieldError {
	var errs []restapi.FieldError
	switch {
	case restapi.EmptyString(obj["to"]):
		errs = append(errs, restapi.Invalid("to", "may not be empty"))
	case !validNumber(obj["to"]) || len(restapi.Digits(obj["to"].(string))) < 3:
		errs = append(errs, restapi.Invalid("to", "must be a valid telephone number"))
	}
	errs = append(errs, restapi.CheckSMSBody(obj)...)
	if f, ok := obj["from"]; ok && f != nil && !validNumber(f) {
		errs = append(errs, restapi.Invalid("from", "must be a valid telephone number"))
	}
	return errs
}

// findDID returns the phone number (did) with these digits, nil for none.
func findDID(tx *store.Tx, number string) (*store.Record, error) {
	recs, err := tx.FindByField("did", "number", restapi.Digits(number))
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// customerOf returns the customer path of a path below /customers/{id}.
func customerOf(p string) string {
	segs := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	if len(segs) < 2 || segs[0] != "customers" {
		return ""
	}
	return "/customers/" + segs[1]
}

// createSMS sends a message: it is stored as sent and delivered; when the
// number belongs to the PBX and takes SMS, an incoming message is stored
// there and smsreceived raised on that customer's stream. The sender's
// stream gets smsdelivered.
func createSMS(a *API, c *request, res *resource, listPath string, obj map[string]any) (*store.Record, *restapi.Reply) {
	cp := store.ParentPath(listPath)
	var out, in *store.Record
	var errs []restapi.FieldError
	err := a.st.Update(c.r.Context(), func(tx *store.Tx) error {
		from, _ := obj["from"].(string)
		if from != "" {
			d, err := findDID(tx, from)
			if err != nil {
				return err
			}
			if d == nil || customerOf(d.Path) != cp || d.Fields["smsEnabled"] != true {
				errs = append(errs, restapi.Invalid("from", "must be an SMS-enabled number of the customer"))
				return nil
			}
		} else {
			nums, err := tx.Members(cp + "/phonenumbers")
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			for _, d := range nums {
				if d.Fields["smsEnabled"] == true {
					from = d.Str("number")
					break
				}
			}
			if from == "" {
				errs = append(errs, restapi.Invalid("from", "the customer has no SMS-enabled number"))
				return nil
			}
		}
		body := obj["body"].(string)
		out = newRecord(res.NewType)
		mergeFields(out, obj)
		to := restapi.Digits(obj["to"].(string))
		from = restapi.Digits(from)
		out.Fields["to"], out.Fields["from"] = to, from
		restapi.MarkSent(out.Fields, body)
		if err := tx.Add(listPath, "", out); err != nil {
			return err
		}
		d, err := findDID(tx, to)
		if err != nil || d == nil || d.Fields["smsAllowIncoming"] != true {
			return err
		}
		in = newRecord("smsmessage")
		in.Fields = restapi.IncomingSMS(from, to, body)
		return tx.Add(customerOf(d.Path)+"/sms", "", in)
	})
	switch {
	case err != nil:
		return nil, a.internalError(c.r, err)
	case len(errs) > 0:
		return nil, restapi.Validation(errs)
	}
	a.publish(store.LastSegment(cp), event{Name: "smsdelivered", Path: out.Path})
	if in != nil {
		a.publish(store.LastSegment(customerOf(in.Path)), event{Name: "smsreceived", Path: in.Path,
			Values: restapi.SMSReceived(in.Str("from"), in.Str("to"), in.Str("body"))})
	}
	return out, nil
}

// endpointPath resolves an endpoint reference (absolute URI, path or id)
// to the path of an endpoint below the customer at cp, "" when it is not
// one.
func endpointPath(cp, ref string) string {
	p := strings.TrimSpace(ref)
	if u, err := url.Parse(p); err == nil && u.Path != "" {
		p = u.Path
	}
	p = strings.TrimSuffix(strings.TrimPrefix(p, Prefix), "/")
	if !strings.Contains(p, "/") {
		p = cp + "/endpoints/" + p
	}
	if store.ParentPath(p) != cp+"/endpoints" {
		return ""
	}
	return p
}

// createCall originates a call: the SIP server rings the phone and, once
// it answers, dials "to". The call is stored at once, one record per
// Call-ID; its outcome and duration are written when it ends.
func createCall(a *API, c *request, res *resource, listPath string, obj map[string]any) (*store.Record, *restapi.Reply) {
	ctx := c.r.Context()
	cp := store.ParentPath(listPath)
	ep := endpointPath(cp, obj["endpoint"].(string))
	var phone *store.Record
	if ep != "" {
		var err error
		phone, err = a.st.Get(ctx, ep)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, a.internalError(c.r, err)
		}
	}
	if phone == nil || phone.Type != "phone" {
		return nil, restapi.Validation([]restapi.FieldError{restapi.Invalid("endpoint", "is not a phone of this customer")})
	}
	ext, ok, err := a.extension(ctx, phone)
	if err != nil {
		return nil, a.internalError(c.r, err)
	}
	if !ok {
		return nil, restapi.Validation([]restapi.FieldError{restapi.Invalid("endpoint", "the phone has no SIP identity")})
	}
	sip := a.sipServer()
	if sip == nil {
		return nil, restapi.Error(http.StatusServiceUnavailable, "UNAVAILABLE", "the SIP server is not running")
	}
	to := strings.TrimSpace(obj["to"].(string))
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), originateTimeout)
	defer cancel()
	callID, err := sip.Originate(octx, ext, to)
	if err != nil {
		return nil, restapi.Error(http.StatusBadRequest, "CALL_FAILED", "cannot call %s: %v", ext.ShortNumber, err)
	}
	now := a.clk.Now().UTC()
	rec := newRecord(res.NewType)
	mergeFields(rec, obj)
	delete(rec.Fields, "endpoint")
	scope := "EXTERNAL"
	err = a.st.Update(ctx, func(tx *store.Tx) error {
		if local, err := tx.FindByField("phone", "shortNumber", to); err == nil && len(local) > 0 && customerOf(local[0].Path) == cp {
			scope = "LOCAL"
			rec.Rels["dstEndpoint"] = local[0].Path
		} else if d, err := findDID(tx, to); err == nil && d != nil {
			scope = "DOMAIN"
		}
		linkedID := strconv.FormatInt(now.Unix(), 10) + "." + restapi.NewToken(3)
		f := rec.Fields
		f["scope"], f["direction"], f["from"], f["to"], f["callerId"] = scope, "OUT", ext.ShortNumber, to, ext.ShortNumber
		f["callStarted"], f["outcome"], f["duration"], f["cost"] = now.Format(store.TimeFormat), nil, 0, 0.0
		f["callId"], f["linkedId"] = callID, linkedID
		rec.Rels["srcEndpoint"] = phone.Path
		rec.Links["recordings"] = cp + "/recordings?linkedId=" + url.QueryEscape(linkedID)
		// A second leg that fails at once ends the call before it is
		// stored here, and CallEnded has written it already: complete
		// that record rather than add a second one.
		ended, err := tx.FindByField("call", "callId", callID)
		if err != nil {
			return err
		}
		for _, old := range ended {
			if old.List != listPath {
				continue
			}
			f["outcome"], f["duration"] = old.Fields["outcome"], old.Fields["duration"]
			rec.Path, rec.List, rec.ID, rec.Parent, rec.Created = old.Path, old.List, old.ID, old.Parent, old.Created
			return tx.Put(rec)
		}
		return tx.Add(listPath, "", rec)
	})
	if err != nil {
		return nil, a.internalError(c.r, err)
	}
	return rec, nil
}

// liveRegistrations lists a phone's current SIP registrations.
func liveRegistrations(a *API, c *request, listPath string) ([]*store.Record, error) {
	sipRec, err := a.st.Get(c.r.Context(), store.ParentPath(listPath))
	if err != nil {
		return nil, err
	}
	sip := a.sipServer()
	if sip == nil {
		return nil, nil
	}
	var out []*store.Record
	for i, reg := range sip.Registrations(sipRec.Str("username")) {
		rec := newRecord("sipregistration")
		id := strconv.Itoa(i + 1)
		rec.Path, rec.ID, rec.Parent, rec.Created = listPath+"/"+id, id, sipRec.Path, a.clk.Now().UTC()
		host := reg.RemoteAddr
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		rec.Fields = map[string]any{"userAgent": reg.UserAgent, "contact": reg.Contact, "received": reg.RemoteAddr,
			"socket": "ws", "lanIP": host, "wanIP": host, "instanceId": reg.InstanceID,
			"updated": a.clk.Now().UTC().Format(store.TimeFormat), "expires": reg.Expires.UTC().Format(store.TimeFormat)}
		out = append(out, rec)
	}
	return out, nil
}

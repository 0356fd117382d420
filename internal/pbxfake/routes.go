package pbxfake

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

// resource is one collection or single object of the API's tree with the
// fake's behaviour.
type resource struct {
	restapi.Resource
	// filter builds a predicate from list query parameters.
	filter func(q url.Values, fields restapi.Fields[*record]) (func(*record) bool, error)
	// prepare validates an object to create, or an updated object merged
	// with the stored one, and may fill server-side fields of a created obj.
	prepare func(s *Server, listPath string, obj map[string]any) []restapi.FieldError
	// created runs after a POST stored rec (side effects such as events).
	created func(s *Server, c *call, rec *record)
}

var getOnly = []string{http.MethodGet}

// resources is the API's tree, below /api/v1, with the fake's behaviour.
var resources = restapi.Attach(func(r restapi.Resource) *resource { return &resource{Resource: r} },
	map[string]func(*resource){
		"customers/*/calls": func(r *resource) {
			r.filter, r.prepare, r.created = restapi.CallFilter[*record], prepareCall, callCreated
		},
		"customers/*/endpoints/*/phonestatus": func(r *resource) { r.prepare = preparePhoneStatus },
		"customers/*/phonebook":               func(r *resource) { r.prepare = preparePhonebook },
		"customers/*/recordings":              func(r *resource) { r.filter = restapi.RecordingFilter[*record] },
		"customers/*/sms": func(r *resource) {
			r.filter, r.prepare, r.created = smsFilter, prepareSMS, smsCreated
		},
	})

// route answers every request but the stream. Called with s.mu held.
func (s *Server) route(c *call) *restapi.Reply {
	segs := c.segs
	switch {
	case len(segs) == 1 && segs[0] == "tokengenerator":
		if c.method != http.MethodGet {
			return restapi.MethodNotAllowed(c.method, getOnly)
		}
		id, now := restapi.NewToken(16), time.Now().UTC()
		s.tokens[id] = authToken{username: c.user.Username, expires: now.Add(tokenLifetime)}
		return jsonReply(http.StatusOK, map[string]any{"type": "authtoken", "id": id,
			"created": now.Format(timeFormat), "expires": now.Add(tokenLifetime).Format(timeFormat)})
	case len(segs) == 1 && segs[0] == "authenticate":
		if c.method != http.MethodPost {
			return restapi.MethodNotAllowed(c.method, []string{http.MethodPost})
		}
		tok := restapi.NewToken(24)
		s.bearer[tok] = c.user.Username
		return jsonReply(http.StatusOK, map[string]any{"accessToken": tok})
	case len(segs) == 0 || segs[0] != "customers":
		return restapi.NotFound(c.r.URL.Path)
	}

	// Resolve "me" and check the customer is the user's.
	segs = slices.Clone(segs)
	if len(segs) >= 2 {
		if segs[1] == "me" {
			segs[1] = c.user.CustomerID
		}
		if !c.user.sees(segs[1]) {
			return restapi.NotFound(c.r.URL.Path)
		}
		if len(segs) >= 4 && segs[2] == "linkedusers" && segs[3] == "me" {
			if segs[1] != c.user.CustomerID {
				return restapi.NotFound(c.r.URL.Path)
			}
			segs[3] = c.user.LinkedUserID
		}
	}
	audio := false
	if last := segs[len(segs)-1]; c.audio {
		segs[len(segs)-1], audio = strings.TrimSuffix(last, ".wav"), true
	}
	res, kind := restapi.Find(resources, segs)
	if res == nil || (audio && (kind != restapi.MatchItem || !res.Audio)) {
		return restapi.NotFound(c.r.URL.Path)
	}
	path := "/" + strings.Join(segs, "/")

	if kind == restapi.MatchList {
		if _, ok := s.st.lists[path]; !ok {
			return restapi.NotFound(c.r.URL.Path)
		}
		if rep := res.Allow(kind, c.method); rep != nil {
			return rep
		}
		if c.method == http.MethodPost {
			return s.create(c, res, path)
		}
		return s.listReply(c, res, path)
	}

	rec, ok := s.st.items[path]
	if !ok || !res.Selects(c.query, rec.typ()) {
		return restapi.NotFound(c.r.URL.Path)
	}
	if audio {
		if c.method != http.MethodGet {
			return restapi.MethodNotAllowed(c.method, getOnly)
		}
		n, _ := strconv.Atoi(rec.id())
		return &restapi.Reply{Status: http.StatusOK, ContentType: "audio/wav", Body: wav(n)}
	}
	if rep := res.Allow(kind, c.method); rep != nil {
		return rep
	}
	switch c.method {
	case http.MethodPut:
		return s.update(c, res, rec)
	case http.MethodDelete:
		s.st.remove(path)
		return &restapi.Reply{Status: http.StatusNoContent}
	}
	return jsonReply(http.StatusOK, rec.render(c.base, c.relIDs))
}

// create answers POST to a collection: 201 with the stored item and its
// Location.
func (s *Server) create(c *call, res *resource, listPath string) *restapi.Reply {
	obj, rep := restapi.DecodeObject(c.body)
	if rep != nil {
		return rep
	}
	if res.prepare != nil {
		if errs := res.prepare(s, listPath, obj); len(errs) > 0 {
			return restapi.Validation(errs)
		}
	}
	rec := s.st.add(listPath, s.st.newID(), res.NewType, time.Now(), nil)
	rec.merge(obj)
	if res.created != nil {
		res.created(s, c, rec)
	}
	rep = jsonReply(http.StatusCreated, rec.render(c.base, c.relIDs))
	rep.Header = http.Header{"Location": {c.base + rec.path}}
	return rep
}

// update answers PUT: the client's fields are merged into the stored ones,
// so fields the fake does not know survive.
func (s *Server) update(c *call, res *resource, rec *record) *restapi.Reply {
	obj, rep := restapi.DecodeObject(c.body)
	if rep != nil {
		return rep
	}
	if res.prepare != nil {
		merged := maps.Clone(rec.fields)
		maps.Copy(merged, obj)
		if errs := res.prepare(s, parentPath(rec.path), merged); len(errs) > 0 {
			return restapi.Validation(errs)
		}
	}
	rec.merge(obj)
	return jsonReply(http.StatusOK, rec.render(c.base, c.relIDs))
}

func preparePhonebook(_ *Server, _ string, obj map[string]any) []restapi.FieldError {
	var errs []restapi.FieldError
	for _, f := range []string{"name", "phoneNumber"} {
		if restapi.EmptyString(obj[f]) {
			errs = append(errs, restapi.Invalid(f, "may not be empty"))
		}
	}
	if v, ok := obj["speedDial"]; ok && v != nil && !restapi.IsInteger(v) {
		errs = append(errs, restapi.Invalid("speedDial", "must be an integer"))
	}
	if v, ok := obj["email"].(string); ok && v != "" && !strings.Contains(v, "@") {
		errs = append(errs, restapi.Invalid("email", "not a well-formed email address"))
	}
	return errs
}

func preparePhoneStatus(_ *Server, _ string, obj map[string]any) []restapi.FieldError {
	return restapi.CheckPhoneStatus(obj)
}

func validNumber(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	s = strings.TrimSpace(s)
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == ' ' || (r == '+' && i == 0)) {
			return false
		}
	}
	return len(restapi.Digits(s)) >= 3
}

// findDID returns the phone number (did) with these digits, in any customer.
func (s *Server) findDID(number string) *record {
	d := restapi.Digits(number)
	for _, rec := range s.st.items {
		if rec.typ() == "did" && rec.str("number") == d {
			return rec
		}
	}
	return nil
}

func prepareSMS(s *Server, listPath string, obj map[string]any) []restapi.FieldError {
	var errs []restapi.FieldError
	switch {
	case restapi.EmptyString(obj["to"]):
		errs = append(errs, restapi.Invalid("to", "may not be empty"))
	case !validNumber(obj["to"]):
		errs = append(errs, restapi.Invalid("to", "must be a valid telephone number"))
	}
	errs = append(errs, restapi.CheckSMSBody(obj)...)
	cp := parentPath(listPath)
	if f, ok := obj["from"]; ok && f != nil && !restapi.EmptyString(f) {
		if d := s.findDID(f.(string)); d == nil || !strings.HasPrefix(d.path, cp+"/") || d.fields["smsEnabled"] != true {
			errs = append(errs, restapi.Invalid("from", "must be an SMS-enabled number of the customer"))
		}
	} else {
		for _, d := range s.st.members(cp + "/phonenumbers") {
			if d.fields["smsEnabled"] == true {
				obj["from"] = d.str("number")
				break
			}
		}
		if restapi.EmptyString(obj["from"]) {
			errs = append(errs, restapi.Invalid("from", "the customer has no SMS-enabled number"))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	obj["to"], obj["from"] = restapi.Digits(obj["to"].(string)), restapi.Digits(obj["from"].(string))
	restapi.MarkSent(obj, obj["body"].(string))
	return nil
}

// smsCreated delivers a sent message: smsdelivered to the sender's stream
// and, when the number belongs to a customer of the fake, an incoming
// message and smsreceived to that customer.
func smsCreated(s *Server, c *call, rec *record) {
	from, cid := rec.str("from"), strings.Split(rec.path, "/")[2]
	s.publishLocked(cid, marshal(Event{Event: "smsdelivered", Location: c.base + rec.path}))
	to, body := rec.str("to"), rec.str("body")
	d := s.findDID(to)
	if d == nil || d.fields["smsAllowIncoming"] != true {
		return
	}
	dcp := parentPath(parentPath(d.path))
	in := s.st.add(dcp+"/sms", s.st.newID(), "smsmessage", time.Now(), restapi.IncomingSMS(from, to, body))
	s.publishLocked(lastSegment(dcp), marshal(Event{Event: "smsreceived", Location: c.base + in.path,
		Values: restapi.SMSReceived(from, to, body)}))
}

// endpointPath resolves an endpoint reference (absolute URI, path or id) to
// the path of an endpoint of the customer at cp, "" when there is none.
func (s *Server) endpointPath(cp string, ref string) string {
	p := ref
	if u, err := url.Parse(ref); err == nil && u.Path != "" {
		p = u.Path
	}
	p = strings.TrimSuffix(strings.TrimPrefix(p, APIPrefix), "/")
	if !strings.Contains(p, "/") {
		p = cp + "/endpoints/" + p
	}
	if parentPath(p) != cp+"/endpoints" {
		return ""
	}
	if _, ok := s.st.items[p]; !ok {
		return ""
	}
	return p
}

func prepareCall(s *Server, listPath string, obj map[string]any) []restapi.FieldError {
	var errs []restapi.FieldError
	cp := parentPath(listPath)
	ep := ""
	if restapi.EmptyString(obj["endpoint"]) {
		errs = append(errs, restapi.Invalid("endpoint", "may not be empty"))
	} else if ep = s.endpointPath(cp, obj["endpoint"].(string)); ep == "" {
		errs = append(errs, restapi.Invalid("endpoint", "is not an endpoint of this customer"))
	}
	if restapi.EmptyString(obj["to"]) {
		errs = append(errs, restapi.Invalid("to", "may not be empty"))
	} else if !validNumber(obj["to"]) {
		errs = append(errs, restapi.Invalid("to", "must be a valid telephone number"))
	}
	if len(errs) > 0 {
		return errs
	}
	now := time.Now().UTC()
	src := s.st.items[ep]
	to := strings.TrimSpace(obj["to"].(string))
	scope := "EXTERNAL"
	if s.localEndpoint(cp, to) != nil {
		scope = "LOCAL"
	} else if d := s.findDID(to); d != nil {
		scope = "DOMAIN"
	}
	obj["scope"], obj["direction"], obj["from"], obj["to"] = scope, "OUT", src.str("shortNumber"), to
	obj["callStarted"], obj["duration"], obj["cost"] = now.Format(timeFormat), 0, 0.0
	obj["callId"] = restapi.NewToken(8) + "@fake.pbx"
	obj["linkedId"] = strconv.FormatInt(now.Unix(), 10) + "." + restapi.NewToken(3)
	return nil
}

// localEndpoint returns the endpoint of the customer at cp with this short
// number, nil for none.
func (s *Server) localEndpoint(cp, short string) *record {
	for _, e := range s.st.members(cp + "/endpoints") {
		if e.str("shortNumber") == short {
			return e
		}
	}
	return nil
}

// callCreated rings the called party: an incomingcall event for an
// extension of the same customer or for the destination of another
// customer's number.
func callCreated(s *Server, c *call, rec *record) {
	cp := parentPath(parentPath(rec.path))
	ep := s.endpointPath(cp, rec.str("endpoint"))
	rec.rels["srcEndpoint"] = ep
	rec.links["recordings"] = cp + "/recordings?linkedId=" + url.QueryEscape(rec.str("linkedId"))
	src := s.st.items[ep]
	target := s.localEndpoint(cp, rec.str("to"))
	callerNumber := src.str("shortNumber")
	if target == nil {
		if d := s.findDID(rec.str("to")); d != nil {
			target = s.st.items[d.rel("destination")]
			if n, ok := src.fields["defaultCallerId"].(string); ok {
				callerNumber = n
			}
		}
	}
	if target == nil {
		return
	}
	tcp := parentPath(parentPath(target.path))
	s.publishLocked(lastSegment(tcp), marshal(Event{Event: "incomingcall", Location: c.base + rec.path,
		Values: map[string]any{"callerIdNumber": callerNumber, "callerIdName": src.str("name"),
			"endpoint": target.path}}))
}

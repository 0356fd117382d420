package pbxfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// resource describes one collection or single object of the tree.
type resource struct {
	pattern []string // segments below /api/v1; "*" matches an id
	single  bool     // one object rather than a collection of items
	// listMethods are allowed on the collection, itemMethods on its items
	// (or on the single object).
	listMethods, itemMethods []string
	newType                  string // type of the items POST creates
	typeFilter               bool   // ?type= selects item types
	audio                    bool   // items have {id}.wav audio
	// filter builds a predicate from list query parameters.
	filter func(q url.Values) (func(*record) bool, error)
	// prepare validates an object to create, or an updated object merged
	// with the stored one, and may fill server-side fields of a created obj.
	prepare func(s *Server, listPath string, obj map[string]any) []fieldError
	// created runs after a POST stored rec (side effects such as events).
	created func(s *Server, c *call, rec *record)
}

var (
	getOnly    = []string{http.MethodGet}
	getPost    = []string{http.MethodGet, http.MethodPost}
	getPut     = []string{http.MethodGet, http.MethodPut}
	getPutDel  = []string{http.MethodGet, http.MethodPut, http.MethodDelete}
	collection = func(p string) *resource {
		return &resource{pattern: strings.Split(p, "/"), listMethods: getOnly, itemMethods: getOnly}
	}
	single = func(p string, methods []string) *resource {
		return &resource{pattern: strings.Split(p, "/"), single: true, itemMethods: methods}
	}
)

// resources is the tree, below /api/v1. Order matters where a literal
// competes with an id: callbundles/available comes before callbundles.
var resources = []*resource{
	collection("customers"),
	collection("customers/*/callbundles/available"),
	collection("customers/*/callbundles"),
	single("customers/*/billing", getOnly),
	single("customers/*/billing/estimate", getOnly),
	collection("customers/*/billing/invoices"),
	collection("customers/*/billing/paymentmethods"),
	with(collection("customers/*/calls"), func(r *resource) {
		r.listMethods, r.newType, r.filter, r.prepare, r.created = getPost, "call", callFilter, prepareCall, callCreated
	}),
	single("customers/*/creditstatus", getOnly),
	with(collection("customers/*/endpoints"), func(r *resource) { r.typeFilter = true }),
	single("customers/*/endpoints/*/sip", getOnly),
	collection("customers/*/endpoints/*/sip/registrations"),
	collection("customers/*/endpoints/*/forwardingrules"),
	with(single("customers/*/endpoints/*/phonestatus", getPut), func(r *resource) { r.prepare = preparePhoneStatus }),
	collection("customers/*/endpoints/*/queueentries"),
	collection("customers/*/endpoints/*/queuememberships"),
	single("customers/*/endpoints/*/queuestatus", getOnly),
	collection("customers/*/linkedusers"),
	collection("customers/*/outgoingcallerids"),
	with(collection("customers/*/phonebook"), func(r *resource) {
		r.listMethods, r.itemMethods, r.newType, r.prepare = getPost, getPutDel, "phonebookentry", preparePhonebook
	}),
	collection("customers/*/phonenumbers"),
	collection("customers/*/phonenumbers/*/routingrules"),
	single("customers/*/preferences", getOnly),
	with(collection("customers/*/recordings"), func(r *resource) { r.audio, r.filter = true, recordingFilter }),
	with(collection("customers/*/sms"), func(r *resource) {
		r.listMethods, r.newType, r.filter, r.prepare, r.created = getPost, "smsmessage", smsFilter, prepareSMS, smsCreated
	}),
	with(collection("customers/*/sounds"), func(r *resource) { r.typeFilter, r.audio = true, true }),
	collection("customers/*/timeintervals"),
}

func with(r *resource, f func(*resource)) *resource { f(r); return r }

type matchKind int

const (
	matchList matchKind = iota
	matchItem
	matchSingle
)

// match finds the resource for path segments.
func match(segs []string) (*resource, matchKind) {
	same := func(pattern, segs []string) bool {
		for i, p := range pattern {
			if p != "*" && p != segs[i] {
				return false
			}
		}
		return true
	}
	for _, res := range resources {
		n := len(res.pattern)
		switch {
		case len(segs) == n && same(res.pattern, segs):
			if res.single {
				return res, matchSingle
			}
			return res, matchList
		case !res.single && len(segs) == n+1 && same(res.pattern, segs):
			return res, matchItem
		}
	}
	return nil, 0
}

// route answers every request but the stream. Called with s.mu held.
func (s *Server) route(c *call) *reply {
	segs := c.segs
	switch {
	case len(segs) == 1 && segs[0] == "tokengenerator":
		if c.method != http.MethodGet {
			return methodNotAllowed(c.method, getOnly)
		}
		id, now := randomHex(16), time.Now().UTC()
		s.tokens[id] = authToken{username: c.user.Username, expires: now.Add(tokenLifetime)}
		return jsonReply(http.StatusOK, map[string]any{"type": "authtoken", "id": id,
			"created": now.Format(timeFormat), "expires": now.Add(tokenLifetime).Format(timeFormat)})
	case len(segs) == 1 && segs[0] == "authenticate":
		if c.method != http.MethodPost {
			return methodNotAllowed(c.method, []string{http.MethodPost})
		}
		tok := randomHex(24)
		s.bearer[tok] = c.user.Username
		return jsonReply(http.StatusOK, map[string]any{"accessToken": tok})
	case len(segs) == 0 || segs[0] != "customers":
		return notFound(c.r.URL.Path)
	}

	// Resolve "me" and check the customer is the user's.
	segs = slices.Clone(segs)
	if len(segs) >= 2 {
		if segs[1] == "me" {
			segs[1] = c.user.CustomerID
		}
		if !c.user.sees(segs[1]) {
			return notFound(c.r.URL.Path)
		}
		if len(segs) >= 4 && segs[2] == "linkedusers" && segs[3] == "me" {
			if segs[1] != c.user.CustomerID {
				return notFound(c.r.URL.Path)
			}
			segs[3] = c.user.LinkedUserID
		}
	}
	audio := false
	if last := segs[len(segs)-1]; c.audio {
		segs[len(segs)-1], audio = strings.TrimSuffix(last, ".wav"), true
	}
	res, kind := match(segs)
	if res == nil || (audio && (kind != matchItem || !res.audio)) {
		return notFound(c.r.URL.Path)
	}
	path := "/" + strings.Join(segs, "/")

	if kind == matchList {
		if _, ok := s.st.lists[path]; !ok {
			return notFound(c.r.URL.Path)
		}
		switch {
		case !slices.Contains(res.listMethods, c.method):
			return methodNotAllowed(c.method, res.listMethods)
		case c.method == http.MethodPost:
			return s.create(c, res, path)
		}
		return s.listReply(c, res, path)
	}

	rec, ok := s.st.items[path]
	if !ok || (res.typeFilter && c.query.Has("type") && c.query.Get("type") != rec.typ()) {
		return notFound(c.r.URL.Path)
	}
	if audio {
		if c.method != http.MethodGet {
			return methodNotAllowed(c.method, getOnly)
		}
		n, _ := strconv.Atoi(rec.id())
		return &reply{status: http.StatusOK, ctype: "audio/wav", body: wav(n)}
	}
	if !slices.Contains(res.itemMethods, c.method) {
		return methodNotAllowed(c.method, res.itemMethods)
	}
	switch c.method {
	case http.MethodPut:
		return s.update(c, res, rec)
	case http.MethodDelete:
		s.st.remove(path)
		return &reply{status: http.StatusNoContent}
	}
	return jsonReply(http.StatusOK, rec.render(c.base, c.relIDs))
}

// decodeObject parses a request body that must be one JSON object.
func decodeObject(body []byte) (map[string]any, *reply) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	err := dec.Decode(&obj)
	if err == nil && dec.Decode(new(any)) != io.EOF {
		err = errors.New("trailing data after the JSON object")
	}
	if err == nil && obj == nil {
		err = errors.New("the body must be a JSON object")
	}
	if err != nil {
		return nil, errReply(http.StatusBadRequest, "BAD_REQUEST", "invalid JSON in request body: %v", err)
	}
	return obj, nil
}

// create answers POST to a collection: 201 with the stored item and its
// Location.
func (s *Server) create(c *call, res *resource, listPath string) *reply {
	obj, rep := decodeObject(c.body)
	if rep != nil {
		return rep
	}
	if res.prepare != nil {
		if errs := res.prepare(s, listPath, obj); len(errs) > 0 {
			return validationReply(errs)
		}
	}
	rec := s.st.add(listPath, s.st.newID(), res.newType, time.Now(), nil)
	rec.merge(obj)
	if res.created != nil {
		res.created(s, c, rec)
	}
	rep = jsonReply(http.StatusCreated, rec.render(c.base, c.relIDs))
	rep.header = http.Header{"Location": {c.base + rec.path}}
	return rep
}

// update answers PUT: the client's fields are merged into the stored ones,
// so fields the fake does not know survive.
func (s *Server) update(c *call, res *resource, rec *record) *reply {
	obj, rep := decodeObject(c.body)
	if rep != nil {
		return rep
	}
	if res.prepare != nil {
		merged := maps.Clone(rec.fields)
		maps.Copy(merged, obj)
		if errs := res.prepare(s, parentPath(rec.path), merged); len(errs) > 0 {
			return validationReply(errs)
		}
	}
	rec.merge(obj)
	return jsonReply(http.StatusOK, rec.render(c.base, c.relIDs))
}

func emptyString(v any) bool {
	s, ok := v.(string)
	return !ok || strings.TrimSpace(s) == ""
}

func isInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		_, ok = v.(int)
		return ok
	}
	_, err := n.Int64()
	return err == nil
}

func preparePhonebook(_ *Server, _ string, obj map[string]any) []fieldError {
	var errs []fieldError
	for _, f := range []string{"name", "phoneNumber"} {
		if emptyString(obj[f]) {
			errs = append(errs, fieldError{f, "may not be empty"})
		}
	}
	if v, ok := obj["speedDial"]; ok && v != nil && !isInteger(v) {
		errs = append(errs, fieldError{"speedDial", "must be an integer"})
	}
	if v, ok := obj["email"].(string); ok && v != "" && !strings.Contains(v, "@") {
		errs = append(errs, fieldError{"email", "not a well-formed email address"})
	}
	return errs
}

func preparePhoneStatus(_ *Server, _ string, obj map[string]any) []fieldError {
	if _, ok := obj["dndActive"].(bool); !ok {
		return []fieldError{{"dndActive", "must be true or false"}}
	}
	return nil
}

// digits normalises a UK telephone number to international digits.
func digits(n string) string {
	var b strings.Builder
	for _, r := range n {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "0") && !strings.HasPrefix(d, "00") {
		d = "44" + d[1:]
	}
	return strings.TrimPrefix(d, "00")
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
	return len(digits(s)) >= 3
}

// findDID returns the phone number (did) with these digits, in any customer.
func (s *Server) findDID(number string) *record {
	d := digits(number)
	for _, rec := range s.st.items {
		if rec.typ() == "did" && rec.str("number") == d {
			return rec
		}
	}
	return nil
}

const maxSMS = 612

func prepareSMS(s *Server, listPath string, obj map[string]any) []fieldError {
	var errs []fieldError
	switch {
	case emptyString(obj["to"]):
		errs = append(errs, fieldError{"to", "may not be empty"})
	case !validNumber(obj["to"]):
		errs = append(errs, fieldError{"to", "must be a valid telephone number"})
	}
	body, _ := obj["body"].(string)
	switch {
	case emptyString(obj["body"]):
		errs = append(errs, fieldError{"body", "may not be empty"})
	case len([]rune(body)) > maxSMS:
		errs = append(errs, fieldError{"body", "size must be between 1 and " + strconv.Itoa(maxSMS)})
	}
	cp := parentPath(listPath)
	if f, ok := obj["from"]; ok && f != nil && !emptyString(f) {
		if d := s.findDID(f.(string)); d == nil || !strings.HasPrefix(d.path, cp+"/") || d.fields["smsEnabled"] != true {
			errs = append(errs, fieldError{"from", "must be an SMS-enabled number of the customer"})
		}
	} else {
		for _, d := range s.st.members(cp + "/phonenumbers") {
			if d.fields["smsEnabled"] == true {
				obj["from"] = d.str("number")
				break
			}
		}
		if emptyString(obj["from"]) {
			errs = append(errs, fieldError{"from", "the customer has no SMS-enabled number"})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	parts := (len([]rune(body)) + 152) / 153
	if len([]rune(body)) <= 160 {
		parts = 1
	}
	obj["to"], obj["from"] = digits(obj["to"].(string)), digits(obj["from"].(string))
	obj["direction"], obj["sendStatus"], obj["deliveryStatus"] = "OUT", "SENT", "DELIVERED"
	obj["creditsUsed"], obj["cost"] = parts, 0.04*float64(parts)
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
	in := s.st.add(dcp+"/sms", s.st.newID(), "smsmessage", time.Now(), map[string]any{
		"direction": "IN", "from": from, "to": to, "body": body, "sendStatus": nil,
		"deliveryStatus": nil, "cost": 0.0, "creditsUsed": 0})
	excerpt := []rune(body)
	if len(excerpt) > 40 {
		excerpt = append(excerpt[:40], '…')
	}
	s.publishLocked(lastSegment(dcp), marshal(Event{Event: "smsreceived", Location: c.base + in.path,
		Values: map[string]any{"to": to, "from": from, "excerpt": string(excerpt)}}))
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

func prepareCall(s *Server, listPath string, obj map[string]any) []fieldError {
	var errs []fieldError
	cp := parentPath(listPath)
	ep := ""
	if emptyString(obj["endpoint"]) {
		errs = append(errs, fieldError{"endpoint", "may not be empty"})
	} else if ep = s.endpointPath(cp, obj["endpoint"].(string)); ep == "" {
		errs = append(errs, fieldError{"endpoint", "is not an endpoint of this customer"})
	}
	if emptyString(obj["to"]) {
		errs = append(errs, fieldError{"to", "may not be empty"})
	} else if !validNumber(obj["to"]) {
		errs = append(errs, fieldError{"to", "must be a valid telephone number"})
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
	obj["callId"] = randomHex(8) + "@fake.pbx"
	obj["linkedId"] = strconv.FormatInt(now.Unix(), 10) + "." + randomHex(3)
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

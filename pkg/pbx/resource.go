package pbx

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Resource is one representation: the complete JSON object the server
// sent (unknown fields included, so a read-modify-save keeps them) and its
// place in the tree, so that Save, Delete and the child accessors need no
// URLs from the caller.
//
// A Resource is not safe for concurrent mutation.
type Resource struct {
	client *Client
	// kind is ours and never taken from a later server answer: a phone
	// number stays a "phonenumber" when the server calls it "did".
	kind string
	// coll is the list the item belongs to (nil for single objects).
	coll *Collection
	// single is the path of a single object (creditstatus, sip, ...).
	single string
	// typeFilter is sent as ?type= with every verb on this item.
	typeFilter string
	fields     map[string]any
}

// Kind returns the representation's kind ("customer", "phone",
// "phonenumber", ...).
func (r *Resource) Kind() string { return r.kind }

// Fields returns a copy of the JSON object.
func (r *Resource) Fields() map[string]any { return maps.Clone(r.fields) }

// Get returns a field's value as decoded from JSON (numbers are
// json.Number).
func (r *Resource) Get(field string) (any, bool) {
	v, ok := r.fields[field]
	return v, ok
}

// Set sets a field; it is sent by the next Save.
func (r *Resource) Set(field string, value any) {
	if r.fields == nil {
		r.fields = map[string]any{}
	}
	r.fields[field] = value
}

// Unset removes a field locally (a Save then omits it).
func (r *Resource) Unset(field string) { delete(r.fields, field) }

// String returns a field as a string: strings as they are, numbers and
// booleans in their JSON form, "" otherwise.
func (r *Resource) String(field string) string {
	switch v := r.fields[field].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Int returns a numeric field (or a string holding a number).
func (r *Resource) Int(field string) (int64, bool) {
	switch v := r.fields[field].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case float64:
		return int64(v), v == float64(int64(v))
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// Bool returns a boolean field.
func (r *Resource) Bool(field string) (bool, bool) {
	v, ok := r.fields[field].(bool)
	return v, ok
}

// ID returns the id, "" for a representation not yet saved.
func (r *Resource) ID() string { return r.String("id") }

// Type returns the type the server gave the item (see Kind for ours).
func (r *Resource) Type() string { return r.String("type") }

// URI returns the item's absolute URI as the server reported it.
func (r *Resource) URI() string { return r.String("uri") }

// MarshalJSON encodes the fields.
func (r *Resource) MarshalJSON() ([]byte, error) { return json.Marshal(r.fields) }

// Path returns the item's path relative to the API base URL, "" when it
// has no id yet.
func (r *Resource) Path() string {
	if r.single != "" {
		return r.single
	}
	id := r.ID()
	if id == "" || r.coll == nil {
		return ""
	}
	return r.coll.path + url.PathEscape(id) + "/"
}

func (r *Resource) query() url.Values {
	if r.typeFilter == "" {
		return nil
	}
	return url.Values{"type": {r.typeFilter}}
}

// merge overlays the server's answer on the local fields, so server
// fields (id, uri, created) arrive and local ones the server did not echo
// stay.
func (r *Resource) merge(obj map[string]any) {
	if r.fields == nil {
		r.fields = map[string]any{}
	}
	maps.Copy(r.fields, obj)
}

// Save sends the representation: POST to its list when it has no id (the
// server answers 201 with the item or a Location), PUT to the item
// otherwise (200). The server's answer is merged into the fields.
func (r *Resource) Save(ctx context.Context) error {
	if p := r.Path(); p != "" {
		obj, _, err := r.client.object(ctx, "PUT", p, r.query(), r.fields)
		if err != nil {
			return err
		}
		r.merge(obj)
		return nil
	}
	if r.coll == nil {
		return &Error{Op: "save " + r.kind, Message: "the representation has no place in the tree"}
	}
	obj, resp, err := r.client.object(ctx, "POST", r.coll.path, r.coll.query(nil), r.fields)
	if err != nil {
		return err
	}
	r.merge(obj)
	if r.ID() == "" {
		// 201 with only a Location header: the id is its last segment.
		if loc := resp.Header.Get("Location"); loc != "" {
			u, err := url.Parse(loc)
			if err == nil {
				if id := path.Base(strings.TrimRight(u.Path, "/")); id != "" && id != "." && id != "/" {
					r.fields["id"] = id
					if _, ok := r.fields["uri"]; !ok {
						r.fields["uri"] = resp.Header.Get("Location")
					}
				}
			}
		}
	}
	if r.ID() == "" {
		return &Error{Op: "POST " + r.coll.path, StatusCode: resp.StatusCode,
			Message: "the server created the item but sent neither its body nor its Location"}
	}
	return nil
}

// Delete deletes the item (DELETE, 204).
func (r *Resource) Delete(ctx context.Context) error {
	p := r.Path()
	if p == "" || r.single != "" {
		return &Error{Op: "DELETE " + r.kind, Message: "only a saved list item can be deleted"}
	}
	_, _, err := r.client.call(ctx, "DELETE", p, r.query(), nil)
	return err
}

// Reload fetches the item again and replaces the fields.
func (r *Resource) Reload(ctx context.Context) error {
	p := r.Path()
	if p == "" {
		return &Error{Op: "GET " + r.kind, Message: "the representation has not been saved"}
	}
	obj, resp, err := r.client.object(ctx, "GET", p, r.query(), nil)
	if err != nil {
		return err
	}
	if obj == nil {
		return emptyBody("GET "+redactURL(resp.URL), resp)
	}
	r.fields = obj
	return nil
}

func emptyBody(op string, resp *Response) *Error {
	e := httpError(op, resp, nil)
	e.Message = "empty response body"
	return e
}

// Child returns the named accessor of this representation ("phonebook"
// of a customer, "sip" of a phone). A name its kind does not have gives
// an accessor whose every call fails with an error saying so.
func (r *Resource) Child(name string) *Collection {
	spec, ok := childOf(r.kind, name)
	p := r.Path()
	switch {
	case !ok:
		return &Collection{client: r.client, spec: childSpec{Name: name},
			err: fmt.Errorf("pbx: a %s has no %q", r.kind, name)}
	case p == "":
		return &Collection{client: r.client, spec: spec,
			err: fmt.Errorf("pbx: %s of a %s that has not been saved", name, r.kind)}
	}
	return &Collection{client: r.client, spec: spec, path: p + spec.Segment, parent: r}
}

// Children returns the accessor names this representation offers.
func (r *Resource) Children() []string { return Children(r.kind) }

// Accessors of a customer.

// Phonebook returns a customer's phone book (phonebook/).
func (r *Resource) Phonebook() *Collection { return r.Child("phonebook") }

// Endpoints returns a customer's endpoints of every type.
func (r *Resource) Endpoints() *Collection { return r.Child("endpoints") }

// Phones returns a customer's phone extensions (endpoints/?type=phone).
func (r *Resource) Phones() *Collection { return r.Child("phones") }

// Queues returns a customer's call queues.
func (r *Resource) Queues() *Collection { return r.Child("queues") }

// LinkedUsers returns a customer's portal users; Get("me") is the caller.
func (r *Resource) LinkedUsers() *Collection { return r.Child("linkedusers") }

// PhoneNumbers returns a customer's phone numbers.
func (r *Resource) PhoneNumbers() *Collection { return r.Child("phonenumbers") }

// Calls returns a customer's call history; Create+Save originates a call.
func (r *Resource) Calls() *Collection { return r.Child("calls") }

// SMSMessages returns a customer's SMS messages (sms/).
func (r *Resource) SMSMessages() *Collection { return r.Child("smsmessages") }

// Recordings returns a customer's call recordings.
func (r *Resource) Recordings() *Collection { return r.Child("recordings") }

// CreditStatus returns a customer's credit status (a single object).
func (r *Resource) CreditStatus() *Collection { return r.Child("creditstatus") }

// SIP returns a phone's SIP identity (a single object).
func (r *Resource) SIP() *Collection { return r.Child("sip") }

// PhoneStatus returns a phone's status (do not disturb; a single object).
func (r *Resource) PhoneStatus() *Collection { return r.Child("phonestatus") }

// SetDND switches a phone's do-not-disturb (PUT phonestatus).
func (r *Resource) SetDND(ctx context.Context, on bool) (*Resource, error) {
	st := r.PhoneStatus().Create(map[string]any{"type": KindPhoneStatus, "dndActive": on})
	if err := st.Save(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// Originate asks the PBX to ring endpoint (an endpoint representation or
// its URI) and connect it to the number to (POST calls/).
func (r *Resource) Originate(ctx context.Context, endpoint any, to string) (*Resource, error) {
	var uri string
	switch e := endpoint.(type) {
	case *Resource:
		uri = e.URI()
	case string:
		uri = e
	}
	if uri == "" || to == "" {
		return nil, &Error{Op: "POST calls/", Message: "an endpoint and a number to call are needed"}
	}
	call := r.Calls().Create(map[string]any{"type": KindCall, "endpoint": uri, "to": to})
	if err := call.Save(ctx); err != nil {
		return nil, err
	}
	return call, nil
}

// SIPCredentials are what a SIP user agent needs from a sipidentity.
type SIPCredentials struct {
	Username string
	Password string
	Domain   string
}

// SIPCredentials returns the credentials of a sipidentity representation.
func (r *Resource) SIPCredentials() (SIPCredentials, error) {
	c := SIPCredentials{Username: r.String("username"), Password: r.String("password"), Domain: r.String("domain")}
	if c.Username == "" || c.Password == "" {
		return SIPCredentials{}, fmt.Errorf("pbx: %s has no SIP username and password", r.kind)
	}
	return c, nil
}

// DefaultExtension returns a linked user's default extension (endpoint id)
// whether the server sent an id (X-Relationship-Key: id) or a URI.
func (r *Resource) DefaultExtension() string {
	v := r.String("defaultExtension")
	if strings.Contains(v, "/") {
		v = path.Base(strings.TrimRight(v, "/"))
	}
	return v
}

// AudioURL returns a URL that fetches a recording's (or sound's) audio
// without Basic credentials: {item}.wav?tokenid=<single-use token>.
func (r *Resource) AudioURL(ctx context.Context) (string, error) {
	p := r.Path()
	if p == "" || r.single != "" {
		return "", &Error{Op: "audio URL", Message: "only a saved recording or sound has audio"}
	}
	tok, err := r.client.NewToken(ctx)
	if err != nil {
		return "", err
	}
	if tok.ID() == "" {
		return "", &Error{Op: "GET tokengenerator", Message: "the token has no id"}
	}
	return r.client.resolve(strings.TrimSuffix(p, "/")+".wav", url.Values{"tokenid": {tok.ID()}})
}

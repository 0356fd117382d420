package pbxfake

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkItem checks the fields every item has, then fetches it by its uri.
func checkItem(t *testing.T, h *harness, item map[string]any, typ string) {
	t.Helper()
	assert.Equal(t, typ, item["type"])
	assert.NotEmpty(t, item["id"])
	uri, _ := item["uri"].(string)
	require.True(t, strings.HasPrefix(uri, h.base+"/"), "uri %q not absolute", uri)
	if p, ok := item["parent"].(string); ok {
		assert.True(t, strings.HasPrefix(p, h.base+"/"), "parent %q", p)
	}
	for name, l := range asMap(item["links"]) {
		assert.True(t, strings.HasPrefix(l.(string), h.base+"/"), "link %s: %q", name, l)
	}
	_, err := time.Parse(time.RFC3339, item["created"].(string))
	assert.NoError(t, err)
	for _, suffix := range []string{"", "/"} {
		r := h.get(uri + suffix)
		require.Equal(t, http.StatusOK, r.status, "GET %s%s: %s", uri, suffix, r.body)
		assert.Equal(t, item, r.obj(t))
	}
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func TestTreeAnswersEveryDocumentedPath(t *testing.T) {
	h := newHarness(t)
	lists := []struct{ path, typ string }{
		{"/customers/", "customer"},
		{"/customers/1001/callbundles/available/", "availablebundle"},
		{"/customers/1001/callbundles/", "customerbundle"},
		{"/customers/1001/billing/invoices/", "invoice"},
		{"/customers/1001/billing/paymentmethods/?type=ignored", ""}, // worldpay and stripe
		{"/customers/1001/calls/", "call"},
		{"/customers/1001/endpoints/?type=phone", "phone"},
		{"/customers/1001/endpoints/?type=virtual", "virtual"},
		{"/customers/1001/endpoints/?type=group", "group"},
		{"/customers/1001/endpoints/?type=queue", "queue"},
		{"/customers/1001/endpoints/?type=ivr", "ivr"},
		{"/customers/1001/endpoints/?type=mailbox", "mailbox"},
		{"/customers/1001/endpoints/?type=trunk", "trunk"},
		{"/customers/1001/endpoints/2002/sip/registrations/", "sipregistration"},
		{"/customers/1001/endpoints/2001/forwardingrules/", "forwardingrule"},
		{"/customers/1001/endpoints/2006/queueentries/", "queueentry"},
		{"/customers/1001/endpoints/2006/queuememberships/", "queuemembership"},
		{"/customers/1001/linkedusers/", "linkeduser"},
		{"/customers/1001/outgoingcallerids/", "outgoingcallerid"},
		{"/customers/1001/phonebook/", "phonebookentry"},
		{"/customers/1001/phonenumbers/", "did"},
		{"/customers/1001/phonenumbers/4101/routingrules/", "routingrule"},
		{"/customers/1001/recordings/", "recording"},
		{"/customers/1001/sms/", "smsmessage"},
		{"/customers/1001/sounds/?type=prompt", "prompt"},
		{"/customers/1001/sounds/?type=music", "music"},
		{"/customers/1001/timeintervals/", "timeinterval"},
		{"/customers/me/phonebook", "phonebookentry"},
	}
	for _, l := range lists {
		t.Run("list"+l.path, func(t *testing.T) {
			for _, path := range []string{l.path, strings.Replace(l.path, "/?", "?", 1)} {
				r := h.get(path)
				require.Equal(t, http.StatusOK, r.status, "%s: %s", path, r.body)
				assert.Equal(t, "application/json", r.header.Get("Content-Type"))
				body := r.obj(t)
				for _, k := range []string{"totalItems", "pageSize", "page", "items"} {
					assert.Contains(t, body, k)
				}
				items := r.items(t)
				require.NotEmpty(t, items, path)
				for _, it := range items {
					typ := l.typ
					if typ == "" {
						typ = it["type"].(string)
						assert.Contains(t, []string{"worldpay", "stripe"}, typ)
					}
					checkItem(t, h, it, typ)
				}
			}
		})
	}
	singles := []struct{ path, typ string }{
		{"/customers/1001/", "customer"},
		{"/customers/1001", "customer"},
		{"/customers/me/", "customer"},
		{"/customers/1001/billing/", "billingaccount"},
		{"/customers/1001/billing/estimate/", "estimate"},
		{"/customers/1001/creditstatus/", "creditstatus"},
		{"/customers/1001/preferences/", "customerpreferences"},
		{"/customers/1001/endpoints/2001/sip/", "sipidentity"},
		{"/customers/1001/endpoints/2001/phonestatus", "phonestatus"},
		{"/customers/1001/endpoints/2001/phonestatus/", "phonestatus"},
		{"/customers/1001/endpoints/2006/queuestatus/", "queuestatus"},
		{"/customers/1001/linkedusers/me/", "linkeduser"},
		{"/customers/me/linkedusers/me", "linkeduser"},
		{"/customers/1002/endpoints/3001/sip", "sipidentity"},
	}
	for _, s := range singles {
		t.Run("single"+s.path, func(t *testing.T) {
			user := "alice"
			if strings.Contains(s.path, "/1002/") {
				user = "carol"
			}
			r := h.req(http.MethodGet, s.path, user, "")
			require.Equal(t, http.StatusOK, r.status, "%s: %s", s.path, r.body)
			if user == "alice" {
				checkItem(t, h, r.obj(t), s.typ)
			} else {
				assert.Equal(t, s.typ, r.obj(t)["type"])
			}
		})
	}
	// Every endpoint answers by id, with a matching ?type= and not with another.
	for _, e := range h.get("/customers/1001/endpoints/?pageSize=200").items(t) {
		id, typ := e["id"].(string), e["type"].(string)
		assert.Equal(t, http.StatusOK, h.get("/customers/1001/endpoints/"+id+"/?type="+typ).status)
		other := "phone"
		if typ == "phone" {
			other = "queue"
		}
		r := h.get("/customers/1001/endpoints/" + id + "/?type=" + other)
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Equal(t, "NOT_FOUND", errorCode(t, r))
	}
}

func TestSeed(t *testing.T) {
	h := newHarness(t)
	me := h.get("/customers/1001/linkedusers/me/").obj(t)
	assert.Equal(t, "5101", me["id"])
	assert.Equal(t, "2001", me["defaultExtension"])
	assert.Equal(t, "CUSTOMER", me["accessLevel"])
	// Without X-Relationship-Key: id, relations are URIs.
	r := h.req(http.MethodGet, "/customers/1001/linkedusers/me/", "alice", "", "X-Relationship-Key", "")
	assert.Equal(t, h.base+"/customers/1001/endpoints/2001", r.obj(t)["defaultExtension"])

	for i, id := range []string{"2001", "2002", "2003"} {
		sip := h.get("/customers/1001/endpoints/" + id + "/sip/").obj(t)
		assert.Equal(t, "00"+id, sip["username"])
		assert.Len(t, sip["username"], 6)
		assert.Equal(t, "sip-secret-"+id, sip["password"])
		assert.Equal(t, SIPDomain, sip["domain"])
		regs := h.get("/customers/1001/endpoints/" + id + "/sip/registrations/")
		assert.Len(t, regs.items(t), i)
	}
	assert.Equal(t, 23.0, h.get("/customers/1001/phonebook/").obj(t)["totalItems"])
	assert.Len(t, h.get("/customers/1001/sounds/").items(t), 4)
	logins := Logins()
	require.Len(t, logins, 5)
	assert.Equal(t, Login{Username: "alice", Password: "alice-secret", AccessLevel: "CUSTOMER",
		CustomerID: "1001", Customers: []string{"1001"}, LinkedUserID: "5101", DefaultExtension: "2001"}, logins[0])
	bob := h.req(http.MethodGet, "/customers/me/linkedusers/me", "bob", "").obj(t)
	assert.Equal(t, "EXTENSION", bob["accessLevel"])
	assert.Equal(t, "2002", bob["defaultExtension"])
	carols := h.req(http.MethodGet, "/customers/1002/endpoints/?type=queue", "carol", "").items(t)
	require.Len(t, carols, 1)
	assert.Equal(t, "3006", carols[0]["id"])

	// The seed is deterministic, and Reset restores it.
	assert.Equal(t, seed(), seed())
	before := h.get("/customers/1001/phonebook/?pageSize=200").body
	require.Equal(t, http.StatusNoContent, h.req(http.MethodDelete, "/customers/1001/phonebook/6101", "alice", "").status)
	h.fake.Reset()
	assert.Equal(t, string(before), string(h.get("/customers/1001/phonebook/?pageSize=200").body))
}

func TestVisibilityAndNotFound(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct{ user, path string }{
		{"carol", "/customers/1001/"},
		{"carol", "/customers/1001/phonebook/"},
		{"alice", "/customers/1002/endpoints/3001/sip/"},
		{"alice", "/customers/9999/"},
		{"alice", "/customers/1001/phonebook/424242"},
		{"alice", "/customers/1001/endpoints/2004/sip/"}, // a virtual has no sip
		{"alice", "/customers/1001/endpoints/2004/sip/registrations/"},
		{"alice", "/customers/1001/endpoints/2001/queueentries/"},
		{"alice", "/customers/1001/nothing/"},
		{"alice", "/customers/1001/phonebook/6101.wav"},
		{"alice", "/nothing"},
		{"alice", ""},
		{"reseller", "/customers/1001/linkedusers/me/"},
		{"nobody", "/customers/me/"},
	} {
		r := h.req(http.MethodGet, c.path, c.user, "")
		assert.Equal(t, http.StatusNotFound, r.status, "%s %s", c.user, c.path)
		assert.Equal(t, "NOT_FOUND", errorCode(t, r), "%s %s", c.user, c.path)
	}
	r := h.req(http.MethodGet, "/customers/", "nobody", "")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.items(t))
	r = h.get(h.srv.URL + "/elsewhere")
	assert.Equal(t, http.StatusNotFound, r.status)
}

func TestMethodNotAllowed(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct{ method, path, allow string }{
		{"POST", "/customers/", "GET"},
		{"PUT", "/customers/1001/", "GET"},
		{"DELETE", "/customers/1001", "GET"},
		{"POST", "/customers/1001/endpoints/", "GET"},
		{"PUT", "/customers/1001/endpoints/2001/", "GET"},
		{"DELETE", "/customers/1001/endpoints/2001/?type=phone", "GET"},
		{"PUT", "/customers/1001/creditstatus", "GET"},
		{"POST", "/customers/1001/endpoints/2001/phonestatus", "GET, PUT"},
		{"DELETE", "/customers/1001/endpoints/2001/phonestatus", "GET, PUT"},
		{"PUT", "/customers/1001/endpoints/2001/sip/", "GET"},
		{"DELETE", "/customers/1001/sms/9101", "GET"},
		{"PUT", "/customers/1001/calls/7101/", "GET"},
		{"POST", "/customers/1001/phonebook/6101/", "GET, PUT, DELETE"},
		{"PUT", "/customers/1001/phonebook/", "GET, POST"},
		{"DELETE", "/customers/1001/phonebook/", "GET, POST"},
		{"POST", "/customers/1001/sounds/", "GET"},
		{"DELETE", "/customers/1001/recordings/8101", "GET"},
		{"POST", "/customers/1001/recordings/8101.wav", "GET"},
		{"POST", "/customers/1001/phonenumbers/", "GET"},
		{"PUT", "/customers/1001/preferences/", "GET"},
		{"GET", "/authenticate/", "POST"},
		{"POST", "/tokengenerator", "GET"},
		{"POST", "/stream", "GET"},
		{"PATCH", "/customers/1001/phonebook/6101", "GET, PUT, DELETE"},
	} {
		r := h.req(c.method, c.path, "alice", "{}")
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, "%s %s: %s", c.method, c.path, r.body)
		assert.Equal(t, c.allow, r.header.Get("Allow"), "%s %s", c.method, c.path)
		assert.Equal(t, "METHOD_NOT_ALLOWED", errorCode(t, r))
	}
	// Method overloading reaches the same verdicts.
	r := h.req(http.MethodPost, "/customers/1001/?_method=DELETE", "alice", "")
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
}

func TestPhonebookCRUD(t *testing.T) {
	h := newHarness(t)
	r := h.req(http.MethodPost, "/customers/1001/phonebook/", "alice",
		`{"type":"phonebookentry","name":"Zoe Quinn","phoneNumber":"07700 900777","speedDial":9,"nickname":"Z","id":"x"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	created := r.obj(t)
	loc := r.header.Get("Location")
	assert.Equal(t, created["uri"], loc)
	assert.True(t, strings.HasPrefix(loc, h.base+"/customers/1001/phonebook/"), loc)
	assert.NotEqual(t, "x", created["id"])
	assert.Equal(t, "Z", created["nickname"], "unknown fields are kept")
	assert.Equal(t, 9.0, created["speedDial"])
	assert.Equal(t, created, h.get(loc).obj(t))
	assert.Equal(t, 24.0, h.get("/customers/1001/phonebook/").obj(t)["totalItems"])

	// Read-modify-save keeps every field; PUT answers 200 with the merge.
	entry := h.get(loc).obj(t)
	entry["name"] = "Zoe Q."
	entry["extra"] = map[string]any{"nested": []any{1.0, "two"}}
	r = h.req(http.MethodPut, loc+"/", "alice", string(marshal(entry)))
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	updated := r.obj(t)
	assert.Equal(t, "Zoe Q.", updated["name"])
	assert.Equal(t, "Z", updated["nickname"])
	assert.Equal(t, entry["extra"], updated["extra"])
	assert.Equal(t, created["created"], updated["created"])
	assert.Equal(t, updated, h.get(loc).obj(t))

	// A partial PUT merges; a PUT emptying a required field fails.
	r = h.req(http.MethodPut, loc, "alice", `{"email":"zoe@example.org"}`)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "Zoe Q.", r.obj(t)["name"])
	r = h.req(http.MethodPut, loc, "alice", `{"name":""}`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"validationErrors":[{"field":"name","message":"may not be empty"}]}`, string(r.body))

	// Method overloading.
	r = h.req(http.MethodPost, loc+"?_method=PUT", "alice", `{"priority":2}`)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, 2.0, r.obj(t)["priority"])
	r = h.req(http.MethodPost, loc+"/?_method=delete", "alice", "")
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Empty(t, r.body)
	assert.Equal(t, http.StatusNotFound, h.get(loc).status)
	r = h.req(http.MethodDelete, "/customers/1001/phonebook/6101/", "alice", "")
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Empty(t, r.body)
	assert.Equal(t, http.StatusNotFound, h.req(http.MethodDelete, "/customers/1001/phonebook/6101", "alice", "").status)
	assert.Equal(t, 22.0, h.get("/customers/1001/phonebook/").obj(t)["totalItems"])
}

func TestValidationAndBadJSON(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct{ path, body, want string }{
		{"/customers/1001/phonebook/", `{}`,
			`[{"field":"name","message":"may not be empty"},{"field":"phoneNumber","message":"may not be empty"}]`},
		{"/customers/1001/phonebook/", `{"name":"  ","phoneNumber":"1","speedDial":"x"}`,
			`[{"field":"name","message":"may not be empty"},{"field":"speedDial","message":"must be an integer"}]`},
		{"/customers/1001/sms/", `{"to":"","body":""}`,
			`[{"field":"to","message":"may not be empty"},{"field":"body","message":"may not be empty"}]`},
		{"/customers/1001/sms/", `{"to":"call me","body":"hi"}`,
			`[{"field":"to","message":"must be a valid telephone number"}]`},
		{"/customers/1001/sms/", `{"to":"07700900123","body":"hi","from":"441214960101"}`,
			`[{"field":"from","message":"must be an SMS-enabled number of the customer"}]`},
		{"/customers/1001/calls/", `{"type":"call","to":"07700900123"}`,
			`[{"field":"endpoint","message":"may not be empty"}]`},
		{"/customers/1001/calls/", `{"type":"call","endpoint":"3001","to":"07700900123"}`,
			`[{"field":"endpoint","message":"is not an endpoint of this customer"}]`},
	} {
		r := h.req(http.MethodPost, c.path, "alice", c.body)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s %s", c.path, c.body)
		assert.JSONEq(t, `{"validationErrors":`+c.want+`}`, string(r.body), "%s %s", c.path, c.body)
	}
	r := h.req(http.MethodPut, "/customers/1001/endpoints/2001/phonestatus", "alice", `{"dndActive":"yes"}`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, string(r.body), "validationErrors")
	for _, body := range []string{"", "{", `{"name":"a"} {}`, `[1]`, `"x"`, `null`} {
		r := h.req(http.MethodPost, "/customers/1001/phonebook/", "alice", body)
		assert.Equal(t, http.StatusBadRequest, r.status, "%q", body)
		assert.Equal(t, "BAD_REQUEST", errorCode(t, r), "%q", body)
	}
	assert.Equal(t, 23.0, h.get("/customers/1001/phonebook/").obj(t)["totalItems"])
}

func TestPhoneStatus(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/customers/1001/endpoints/2001/phonestatus", "/customers/1001/endpoints/2001/phonestatus/"} {
		st := h.get(path).obj(t)
		assert.Equal(t, "phonestatus", st["type"])
		st["dndActive"] = !st["dndActive"].(bool)
		r := h.req(http.MethodPut, path, "alice", string(marshal(st)))
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, st["dndActive"], r.obj(t)["dndActive"])
		assert.Equal(t, st["dndActive"], h.get(path).obj(t)["dndActive"])
	}
	r := h.req(http.MethodPut, "/customers/1001/endpoints/2001/phonestatus", "alice", `{"type":"phonestatus","dndActive":true}`)
	assert.Equal(t, true, r.obj(t)["dndActive"])
	assert.Equal(t, http.StatusNotFound, h.get("/customers/1001/endpoints/2004/phonestatus").status)
}

func TestOriginateCallAndSendSMS(t *testing.T) {
	h := newHarness(t)
	r := h.req(http.MethodPost, "/customers/1001/calls/", "alice",
		`{"type":"call","endpoint":"`+h.base+`/customers/1001/endpoints/2001","to":"07902000000"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	c := r.obj(t)
	assert.Equal(t, "call", c["type"])
	assert.Equal(t, "07902000000", c["to"])
	assert.Equal(t, "201", c["from"])
	assert.Equal(t, "OUT", c["direction"])
	assert.Equal(t, "EXTERNAL", c["scope"])
	assert.Equal(t, "2001", c["srcEndpoint"])
	assert.Equal(t, c["uri"], r.header.Get("Location"))
	assert.Equal(t, http.StatusOK, h.get(r.header.Get("Location")).status)

	r = h.req(http.MethodPost, "/customers/me/sms/", "alice", `{"to":"+44 7700 900555","body":"Hello there"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	m := r.obj(t)
	assert.Equal(t, "smsmessage", m["type"])
	assert.Equal(t, "447700900555", m["to"])
	assert.Equal(t, "447700900101", m["from"])
	assert.Equal(t, "OUT", m["direction"])
	assert.Equal(t, "SENT", m["sendStatus"])
	assert.Equal(t, 1.0, m["creditsUsed"])

	// A message to another customer's number arrives there.
	r = h.req(http.MethodPost, "/customers/1001/sms/", "alice", `{"to":"07700900201","body":"Bread?"}`)
	require.Equal(t, http.StatusCreated, r.status)
	in := h.req(http.MethodGet, "/customers/1002/sms/?direction=IN", "carol", "").items(t)
	require.Len(t, in, 2)
	assert.Equal(t, "Bread?", in[1]["body"])
	assert.Equal(t, "447700900101", in[1]["from"])
}

//go:build !js

package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/pbx"
)

// TestContract_WholeTree walks every accessor of the client's resource
// tree against the PBX: every list lists, every single object gets.
func TestContract_WholeTree(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	c := e.client(t, "alice")

	page, err := c.Customers().List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "1001", page.Items[0].ID())
	customer, err := c.Customers().Get(ctx, "me")
	require.NoError(t, err)
	assert.Equal(t, "Demo Company Ltd", customer.String("company"))
	assert.Equal(t, e.base+"/customers/1001", customer.URI())

	wantNonEmpty := []string{"availablebundles", "callbundles", "endpoints", "phones", "virtuals", "groups",
		"queues", "ivrs", "mailboxes", "linkedusers", "sounds", "prompts", "music", "outgoingcallerids",
		"phonebook", "phonenumbers", "timeintervals"}
	for _, name := range customer.Children() {
		coll := customer.Child(name)
		if coll.Single() {
			r, err := coll.Get(ctx, "")
			require.NoError(t, err, name)
			assert.NotEmpty(t, r.Type(), name)
			continue
		}
		p, err := coll.List(ctx, nil)
		require.NoError(t, err, name)
		if slices.Contains(wantNonEmpty, name) {
			assert.NotEmpty(t, p.Items, name)
		}
		for _, it := range p.Items {
			assert.NotEmpty(t, it.ID(), name)
			assert.True(t, strings.HasPrefix(it.URI(), e.base+"/customers/1001/"), "%s: %s", name, it.URI())
			got, err := coll.Get(ctx, it.ID())
			require.NoError(t, err, "%s %s", name, it.ID())
			assert.Equal(t, it.Type(), got.Type())
		}
	}

	// The typed lists hold only their type.
	for name, typ := range map[string]string{"phones": "phone", "virtuals": "virtual", "groups": "group",
		"queues": "queue", "ivrs": "ivr", "mailboxes": "mailbox", "prompts": "prompt", "music": "music"} {
		p, err := customer.Child(name).List(ctx, nil)
		require.NoError(t, err)
		for _, it := range p.Items {
			assert.Equal(t, typ, it.Type(), name)
		}
	}
	// A phone asked for as a queue is not there.
	_, err = customer.Queues().Get(ctx, "2001")
	assert.ErrorIs(t, err, pbx.ErrNotFound)

	// A phone's children; the registrations are the SIP server's.
	phone, err := customer.Phones().Get(ctx, "2002")
	require.NoError(t, err)
	sip, err := phone.SIP().Get(ctx, "")
	require.NoError(t, err)
	creds, err := sip.SIPCredentials()
	require.NoError(t, err)
	assert.Equal(t, pbx.SIPCredentials{Username: "002002", Password: "sip-2002-secret", Domain: "test.devpbx"}, creds)
	regs, err := sip.Child("registrations").List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, regs.Items, 1)
	assert.Equal(t, "wasmphone/test", regs.Items[0].String("userAgent"))
	assert.Equal(t, "sipregistration", regs.Items[0].Type())
	assert.Equal(t, "127.0.0.1", regs.Items[0].String("lanIP"))
	_, err = phone.Child("forwardingrules").List(ctx, nil)
	require.NoError(t, err)
	st, err := phone.PhoneStatus().Get(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, false, st.Fields()["dndActive"])

	queue, err := customer.Queues().Get(ctx, "2006")
	require.NoError(t, err)
	for _, name := range queue.Children() {
		coll := queue.Child(name)
		if coll.Single() {
			_, err = coll.Get(ctx, "")
		} else {
			_, err = coll.List(ctx, nil)
		}
		require.NoError(t, err, name)
	}
	numbers, err := customer.PhoneNumbers().List(ctx, nil)
	require.NoError(t, err)
	require.NotEmpty(t, numbers.Items)
	assert.Equal(t, pbx.KindPhoneNumber, numbers.Items[0].Kind())
	_, err = numbers.Items[0].Child("routingrules").List(ctx, nil)
	require.NoError(t, err)
	billing, err := customer.Child("billing").Get(ctx, "")
	require.NoError(t, err)
	for _, name := range billing.Children() {
		coll := billing.Child(name)
		if coll.Single() {
			_, err = coll.Get(ctx, "")
		} else {
			_, err = coll.List(ctx, nil)
		}
		require.NoError(t, err, name)
	}

	// linkedusers/me and its default extension, as getUA discovers it.
	me, err := customer.LinkedUsers().Get(ctx, "me")
	require.NoError(t, err)
	assert.Equal(t, "alice", me.String("username"))
	assert.Equal(t, "2001", me.DefaultExtension())
	bob := e.client(t, "bob")
	bobMe, err := bob.Customers().Get(ctx, "me")
	require.NoError(t, err)
	lu, err := bobMe.LinkedUsers().Get(ctx, "me")
	require.NoError(t, err)
	assert.Equal(t, "2002", lu.DefaultExtension())

	// Sound audio.
	resp, body := e.do(t, "GET", "/customers/1001/sounds/6001.wav", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "audio/wav", resp.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(body, "RIFF"))
}

func TestContract_RelationsAsIDsOrURIs(t *testing.T) {
	e := newEnv(t, envOptions{})
	_, body := e.do(t, "GET", "/customers/1001/linkedusers/5001", "")
	var lu map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &lu))
	assert.Equal(t, e.base+"/customers/1001/endpoints/2001", lu["defaultExtension"])

	req, _ := http.NewRequest("GET", e.base+"/customers/1001/endpoints/2005/", nil)
	req.SetBasicAuth("alice", "alice-secret")
	req.Header.Set("X-Relationship-Key", "id")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var g map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&g))
	assert.Equal(t, []any{"2001", "2002"}, g["members"])
}

func TestContract_PhonebookCRUD(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)

	entry := customer.Phonebook().Create(map[string]any{"name": "Test Person", "phoneNumber": "01134960555",
		"email": "test@example.com", "speedDial": 7})
	require.NoError(t, entry.Save(ctx))
	id := entry.ID()
	require.NotEmpty(t, id)
	assert.Equal(t, "phonebookentry", entry.Type())
	assert.Equal(t, e.base+"/customers/1001/phonebook/"+id, entry.URI())
	assert.NotEmpty(t, entry.String("created"))

	got, err := customer.Phonebook().Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Test Person", got.String("name"))
	n, _ := got.Int("speedDial")
	assert.Equal(t, int64(7), n)

	// Read-modify-save: everything the server sent goes back and is kept.
	got.Set("name", "Renamed Person")
	require.NoError(t, got.Save(ctx))
	again, err := customer.Phonebook().Get(ctx, id+"/")
	require.NoError(t, err)
	assert.Equal(t, "Renamed Person", again.String("name"))
	assert.Equal(t, "test@example.com", again.String("email"))
	assert.Equal(t, got.String("created"), again.String("created"))

	page, err := customer.Phonebook().List(ctx, url.Values{"pageSize": {"200"}})
	require.NoError(t, err)
	assert.Equal(t, 6, page.TotalItems)

	require.NoError(t, again.Delete(ctx))
	_, err = customer.Phonebook().Get(ctx, id)
	assert.ErrorIs(t, err, pbx.ErrNotFound)
	err = again.Delete(ctx)
	assert.ErrorIs(t, err, pbx.ErrNotFound)

	// Method overloading.
	resp, _ := e.do(t, "POST", "/customers/1001/phonebook/"+page.Items[0].ID()+"?_method=DELETE", "")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func TestContract_Errors(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)

	wrong, err := pbx.New(pbx.Options{BaseURL: e.base, Username: "alice", Password: "wrong"})
	require.NoError(t, err)
	_, err = wrong.Customers().List(ctx, nil)
	assert.ErrorIs(t, err, pbx.ErrUnauthorized)
	resp, body := e.do(t, "GET", "/customers/", "", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, `Basic realm="devpbx"`, resp.Header.Get("WWW-Authenticate"))
	resp, _ = e.do(t, "GET", "http://alice:wrong@"+strings.TrimPrefix(e.base, "http://")+"/customers/", "", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("WWW-Authenticate"), "no browser dialog over a page that sent wrong credentials")
	assert.JSONEq(t, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, body)

	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	_, err = customer.Phonebook().Get(ctx, "999999")
	assert.ErrorIs(t, err, pbx.ErrNotFound)
	var pe *pbx.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, pbx.MsgErrors, pe.Message)

	// Another customer's data is not there.
	resp, _ = e.do(t, "GET", "/customers/1002/", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	// 405 with Allow, through the client and raw.
	phone, err := customer.Phones().Get(ctx, "2001")
	require.NoError(t, err)
	err = phone.Delete(ctx)
	assert.Equal(t, http.StatusMethodNotAllowed, statusOf(err))
	resp, body = e.do(t, "DELETE", "/customers/1001/", "")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET", resp.Header.Get("Allow"))
	assert.JSONEq(t, `{"errors":[{"code":"METHOD_NOT_ALLOWED","message":"DELETE is not allowed here"}]}`, body)
	resp, _ = e.do(t, "POST", "/customers/1001/endpoints/", `{"type":"phone"}`)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET", resp.Header.Get("Allow"))

	// Validation: the documented body, through the client and raw.
	bad := customer.Phonebook().Create(map[string]any{"name": "", "speedDial": "x", "email": "nope"})
	err = bad.Save(ctx)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusBadRequest, pe.StatusCode)
	assert.Equal(t, pbx.MsgValidationErrors, pe.Message)
	resp, body = e.do(t, "POST", "/customers/1001/phonebook/", `{"name":"","speedDial":"x","email":"nope"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"validationErrors":[
		{"field":"name","message":"may not be empty"},
		{"field":"phoneNumber","message":"may not be empty"},
		{"field":"speedDial","message":"must be an integer"},
		{"field":"email","message":"not a well-formed email address"}]}`, body)

	// Unknown fields.
	resp, body = e.do(t, "POST", "/customers/1001/phonebook/", `{"name":"A","phoneNumber":"0113","colour":"red"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"validationErrors":[{"field":"colour","message":"unknown field"}]}`, body)
	resp, body = e.do(t, "POST", "/customers/1001/phonebook/", `{"type":"phone","name":"A","phoneNumber":"0113"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"validationErrors":[{"field":"type","message":"must be phonebookentry"}]}`, body)
	resp, _ = e.do(t, "PUT", "/customers/1001/endpoints/2001/phonestatus", `{"dndActive":true,"volume":11}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// Invalid JSON.
	for _, b := range []string{`{"name":`, `[1,2]`, `null`, `{"a":1}{"b":2}`, `"text"`, ``} {
		resp, body = e.do(t, "POST", "/customers/1001/phonebook/", b)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, b)
		var eb struct {
			Errors []apiError `json:"errors"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &eb), b)
		require.Len(t, eb.Errors, 1, b)
		assert.Equal(t, "BAD_REQUEST", eb.Errors[0].Code, b)
		assert.Contains(t, eb.Errors[0].Message, "invalid JSON", b)
	}

	// Bad paging.
	for _, q := range []string{"pageSize=0", "pageSize=201", "page=0", "page=x"} {
		resp, _ = e.do(t, "GET", "/customers/1001/phonebook/?"+q, "")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, q)
	}
}

func TestContract_Pagination(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)

	p1, err := customer.Phonebook().List(ctx, url.Values{"pageSize": {"2"}})
	require.NoError(t, err)
	assert.Equal(t, 5, p1.TotalItems)
	assert.Equal(t, 1, p1.Page)
	assert.Equal(t, 2, p1.PageSize)
	assert.Len(t, p1.Items, 2)
	assert.False(t, p1.HasPrev())
	require.True(t, p1.HasNext())
	assert.True(t, strings.HasPrefix(p1.NextURL, e.base+"/customers/1001/phonebook"), p1.NextURL)

	p2, err := p1.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, p2.Page)
	assert.True(t, p2.HasPrev())
	p3, err := p2.Next(ctx)
	require.NoError(t, err)
	assert.Len(t, p3.Items, 1)
	assert.False(t, p3.HasNext())
	back, err := p3.Prev(ctx)
	require.NoError(t, err)
	assert.Equal(t, p2.Items[0].ID(), back.Items[0].ID())

	var ids []string
	for it, err := range customer.Phonebook().All(ctx, url.Values{"pageSize": {"2"}}) {
		require.NoError(t, err)
		ids = append(ids, it.ID())
	}
	assert.Len(t, ids, 5)

	// The URLs follow the Host the request was sent to, and keep filters.
	req, _ := http.NewRequest("GET", e.base+"/customers/1001/endpoints/?type=phone&pageSize=1", nil)
	req.Host = "pbx.example.test:8080"
	req.SetBasicAuth("alice", "alice-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	next, _ := body["nextPage"].(string)
	u, err := url.Parse(next)
	require.NoError(t, err)
	assert.Equal(t, "http://pbx.example.test:8080", u.Scheme+"://"+u.Host)
	assert.Equal(t, "phone", u.Query().Get("type"))
	assert.Equal(t, "2", u.Query().Get("page"))
	assert.EqualValues(t, 3, body["totalItems"])
}

func TestContract_RateLimit(t *testing.T) {
	e := newEnv(t, envOptions{rateLimit: 3})
	ctx := ctxT(t)
	c := e.client(t, "alice")
	_, err := c.Customers().List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, pbx.RateLimit{Limit: 3, Remaining: 2, Reset: 3600}, c.RateLimit())

	// The handler writes the headers spelled as the API does.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", Prefix+"/customers/", nil)
	req.SetBasicAuth("alice", "alice-secret")
	e.api.ServeHTTP(rec, req)
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		assert.Len(t, rec.Header()[h], 1, "header %s", h)
	}
	assert.Equal(t, []string{"1"}, rec.Header()["X-RateLimit-Remaining"])
	_, err = c.Customers().List(ctx, nil)
	require.NoError(t, err)
	_, err = c.Customers().List(ctx, nil)
	assert.ErrorIs(t, err, pbx.ErrRateLimited)
	// Another user has its own allowance.
	_, err = e.client(t, "bob").Customers().List(ctx, nil)
	require.NoError(t, err)
}

func TestContract_DND(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	phone, err := customer.Phones().Get(ctx, "2003")
	require.NoError(t, err)

	ext, ok, err := e.api.Lookup(ctx, "2003")
	require.NoError(t, err)
	require.True(t, ok)
	assert.False(t, ext.DND)

	st, err := phone.SetDND(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, true, st.Fields()["dndActive"])
	ext, ok, err = e.api.Lookup(ctx, "002003")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, ext.DND, "the SIP side sees DND through the Directory")

	resp, body := e.do(t, "PUT", "/customers/1001/endpoints/2003/phonestatus", `{"dndActive":"yes"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"validationErrors":[{"field":"dndActive","message":"must be true or false"}]}`, body)
}

func TestContract_OriginateAndHistory(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	phone, err := customer.Phones().Get(ctx, "2001")
	require.NoError(t, err)

	call, err := customer.Originate(ctx, phone, "*52")
	require.NoError(t, err)
	assert.Equal(t, "call", call.Type())
	assert.Equal(t, "orig-*52@devpbx", call.String("callId"))
	assert.Equal(t, "OUT", call.String("direction"))
	require.Len(t, e.sip.calls(), 1)
	assert.Equal(t, "2001", e.sip.calls()[0].From.ShortNumber)
	assert.Equal(t, "002001", e.sip.calls()[0].From.SIPUsername)
	assert.Equal(t, "*52", e.sip.calls()[0].To)

	// The call ends: its record gets the outcome and duration.
	started := call.String("callStarted")
	_ = started
	ci := callInfo("orig-*52@devpbx", "2001", "*52", 42)
	ci.FromExt = mustLookup(t, e, "2001")
	e.api.CallEnded(ci)
	got, err := customer.Calls().Get(ctx, call.ID())
	require.NoError(t, err)
	assert.Equal(t, "ANSWERED", got.String("outcome"))
	d, _ := got.Int("duration")
	assert.Equal(t, int64(42), d)

	// Errors: a non-phone endpoint, a bad number, a failing SIP side.
	_, err = customer.Originate(ctx, e.base+"/customers/1001/endpoints/2005", "2002")
	assert.Equal(t, http.StatusBadRequest, statusOf(err))
	_, err = customer.Originate(ctx, phone, "call me")
	assert.Equal(t, http.StatusBadRequest, statusOf(err))
	e.sip.mu.Lock()
	e.sip.fail = errors.New("2001 is not registered")
	e.sip.mu.Unlock()
	_, err = customer.Originate(ctx, phone, "2002")
	var pe *pbx.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusBadRequest, pe.StatusCode)
	assert.Contains(t, fmt.Sprint(pe.Body), "not registered")
}

// TestContract_OriginatedCallEndedAtOnceIsStoredOnce: the SIP server may
// report an originated call's end (its second leg failed) before the
// POST stores the call; the history still holds one record, with the
// outcome.
func TestContract_OriginatedCallEndedAtOnceIsStoredOnce(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	phone, err := customer.Phones().Get(ctx, "2001")
	require.NoError(t, err)
	e.sip.mu.Lock()
	e.sip.ended = func(callID string) {
		ci := callInfo(callID, "2001", "2002", 0)
		ci.FromExt, ci.ToExt = mustLookup(t, e, "2001"), mustLookup(t, e, "2002")
		e.api.CallEnded(ci)
	}
	e.sip.mu.Unlock()

	call, err := customer.Originate(ctx, phone, "2002")
	require.NoError(t, err)
	assert.Equal(t, "orig-2002@devpbx", call.String("callId"))
	assert.Equal(t, "NO_ANSWER", call.String("outcome"))
	page, err := customer.Calls().List(ctx, nil)
	require.NoError(t, err)
	n := 0
	for _, c := range page.Items {
		if c.String("callId") == "orig-2002@devpbx" {
			n++
			assert.Equal(t, call.ID(), c.ID())
			assert.Equal(t, "NO_ANSWER", c.String("outcome"))
			assert.Equal(t, "LOCAL", c.String("scope"))
			assert.Equal(t, "OUT", c.String("direction"))
		}
	}
	assert.Equal(t, 1, n, "records of the call")
}

func TestContract_OriginateWithoutSIP(t *testing.T) {
	e := newEnv(t, envOptions{noSIP: true})
	resp, _ := e.do(t, "POST", "/customers/1001/calls/", `{"type":"call","endpoint":"2001","to":"2002"}`)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	resp, body := e.do(t, "GET", "/customers/1001/endpoints/2002/sip/registrations/", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"totalItems":0`)
}

func TestContract_SMS(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	msg := customer.SMSMessages().Create(map[string]any{"type": "smsmessage", "to": "0113 496 0002", "body": "Hello Bob"})
	require.NoError(t, msg.Save(ctx))
	assert.Equal(t, "OUT", msg.String("direction"))
	assert.Equal(t, "441134960001", msg.String("from"), "the first SMS-enabled number sends")
	assert.Equal(t, "441134960002", msg.String("to"))
	assert.Equal(t, "SENT", msg.String("sendStatus"))

	in, err := customer.SMSMessages().List(ctx, url.Values{"direction": {"in"}})
	require.NoError(t, err)
	require.Len(t, in.Items, 1)
	assert.Equal(t, "Hello Bob", in.Items[0].String("body"))

	resp, body := e.do(t, "POST", "/customers/1001/sms/", `{"to":"07700900999","body":"x","from":"447700900003"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"validationErrors":[{"field":"from","message":"must be an SMS-enabled number of the customer"}]}`, body)
	resp, _ = e.do(t, "POST", "/customers/1001/sms/", `{"to":"07700900999","body":"`+strings.Repeat("x", maxSMS+1)+`"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = e.do(t, "POST", "/customers/1001/sms/", `{"to":"07700900999","body":"long `+strings.Repeat("y", 300)+`"}`)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), e.base+"/customers/1001/sms/"))
	all, err := customer.SMSMessages().List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, all.TotalItems)
	last := all.Items[2]
	parts, _ := last.Int("creditsUsed")
	assert.Equal(t, int64(2), parts, strconv.Itoa(len(last.String("body"))))
}

func TestContract_BearerAndAudioTokens(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	c := e.client(t, "alice")
	tok, err := c.Authenticate(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	customer, err := c.Customers().Get(ctx, "me")
	require.NoError(t, err, "the bearer token is accepted")
	assert.Equal(t, "1001", customer.ID())

	bad, err := pbx.New(pbx.Options{BaseURL: e.base, Token: "not-a-token"})
	require.NoError(t, err)
	_, err = bad.Customers().Get(ctx, "me")
	assert.ErrorIs(t, err, pbx.ErrUnauthorized)

	sound, err := customer.Child("sounds").Get(ctx, "6001")
	require.NoError(t, err)
	audio, err := sound.AudioURL(ctx)
	require.NoError(t, err)
	resp, body := e.do(t, "GET", audio, "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.HasPrefix(body, "RIFF"))
	resp, _ = e.do(t, "GET", audio, "", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "an audio token is single use")

	// A token id opens audio only.
	resp, body = e.do(t, "GET", "/tokengenerator", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tk map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &tk))
	resp, _ = e.do(t, "GET", "/customers/1001/?tokenid="+tk["id"].(string), "", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = e.do(t, "POST", "/tokengenerator", "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, _ = e.do(t, "GET", "/authenticate", "")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

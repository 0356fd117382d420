//go:build !(js && wasm)

package pbx_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/pbxfake"
	"github.com/wasmphone/wasmphone/pkg/pbx"
)

type env struct {
	fake   *pbxfake.Server
	srv    *httptest.Server
	client *pbx.Client
	logs   *bytes.Buffer
}

func newEnv(t *testing.T, mutate ...func(*pbx.Options)) *env {
	t.Helper()
	fake := pbxfake.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	logs := &bytes.Buffer{}
	opts := pbx.Options{
		BaseURL:  srv.URL + "/api/v1",
		Username: "alice", Password: "alice-secret",
		Timeout: 5 * time.Second,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&opts)
	}
	c, err := pbx.New(opts)
	require.NoError(t, err)
	return &env{fake: fake, srv: srv, client: c, logs: logs}
}

func (e *env) lastRequest(t *testing.T) pbxfake.RecordedRequest {
	t.Helper()
	reqs := e.fake.Requests()
	require.NotEmpty(t, reqs)
	return reqs[len(reqs)-1]
}

func (e *env) customer(t *testing.T) *pbx.Resource {
	t.Helper()
	c, err := e.client.Customers().Get(context.Background(), "me")
	require.NoError(t, err)
	return c
}

func TestNew_RefusesBadOptions(t *testing.T) {
	for _, o := range []pbx.Options{
		{BaseURL: "ftp://x/api"}, {BaseURL: "/relative"}, {BaseURL: "http://"},
		{Username: "a\r\nX-Evil: 1"}, {Password: "p\n"}, {PartnerID: "1\r\n"},
	} {
		_, err := pbx.New(o)
		assert.Error(t, err, "%+v", o)
	}
	c, err := pbx.New(pbx.Options{})
	require.NoError(t, err)
	assert.Equal(t, pbx.DefaultBaseURL, c.BaseURL())
}

func TestRequests_CarryTheOriginalHeadersAndNoBodyOnGET(t *testing.T) {
	e := newEnv(t, func(o *pbx.Options) { o.PartnerID = "77"; o.UserAgent = "test-agent/1" })
	_, err := e.client.Customers().Get(context.Background(), "me")
	require.NoError(t, err)
	r := e.lastRequest(t)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/api/v1/customers/me/", r.Path)
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Equal(t, "id", r.Header.Get("X-Relationship-Key"))
	assert.Equal(t, "77", r.Header.Get("X-Partner-Id"))
	assert.Equal(t, "test-agent/1", r.Header.Get("User-Agent"))
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("alice:alice-secret")), r.Header.Get("Authorization"))
	assert.Empty(t, r.Header.Get("Content-Type"), "no Content-Type without a body")
	assert.Empty(t, r.Body, "GET carries no body")
}

// Every accessor of the tree requests the documented path, with ?type= for
// endpoint and sound subtypes, and gets items of the right kind.
func TestTree_EveryAccessorUsesTheDocumentedPath(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cust := e.customer(t)
	cid := cust.ID()
	require.NotEmpty(t, cid)
	base := "/api/v1/customers/" + cid + "/"

	type row struct {
		name, path, typeQuery, kind string
		single                      bool
	}
	customerRows := []row{
		{"availablebundles", "callbundles/available/", "", "availablebundle", false},
		{"billing", "billing/", "", "billingaccount", true},
		{"calls", "calls/", "", "call", false},
		{"callbundles", "callbundles/", "", "customerbundle", false},
		{"creditstatus", "creditstatus/", "", "creditstatus", true},
		{"endpoints", "endpoints/", "", "", false},
		{"phones", "endpoints/", "phone", "phone", false},
		{"virtuals", "endpoints/", "virtual", "virtual", false},
		{"groups", "endpoints/", "group", "group", false},
		{"queues", "endpoints/", "queue", "queue", false},
		{"ivrs", "endpoints/", "ivr", "ivr", false},
		{"mailboxes", "endpoints/", "mailbox", "mailbox", false},
		{"linkedusers", "linkedusers/", "", "linkeduser", false},
		{"sounds", "sounds/", "", "", false},
		{"prompts", "sounds/", "prompt", "prompt", false},
		{"music", "sounds/", "music", "music", false},
		{"outgoingcallerids", "outgoingcallerids/", "", "outgoingcallerid", false},
		{"phonebook", "phonebook/", "", "phonebookentry", false},
		{"phonenumbers", "phonenumbers/", "", "phonenumber", false},
		{"preferences", "preferences/", "", "customerpreferences", true},
		{"recordings", "recordings/", "", "recording", false},
		{"smsmessages", "sms/", "", "smsmessage", false},
		{"timeintervals", "timeintervals/", "", "timeinterval", false},
	}
	require.Equal(t, len(customerRows), len(cust.Children()), "the table covers every customer accessor")
	check := func(t *testing.T, parent *pbx.Resource, prefix string, r row) *pbx.Resource {
		acc := parent.Child(r.name)
		assert.Equal(t, r.single, acc.Single())
		var item *pbx.Resource
		if r.single {
			res, err := acc.Get(ctx, "")
			require.NoError(t, err)
			item = res
		} else {
			page, err := acc.List(ctx, nil)
			require.NoError(t, err)
			require.NotEmpty(t, page.Items, "the fake seeds every list")
			item = page.Items[0]
		}
		req := e.lastRequest(t)
		assert.Equal(t, "GET", req.Method)
		assert.Equal(t, prefix+r.path, req.Path)
		q, _ := url.ParseQuery(req.RawQuery)
		assert.Equal(t, r.typeQuery, q.Get("type"))
		if r.kind != "" {
			assert.Equal(t, r.kind, item.Kind())
		}
		if !r.single {
			// The item can be fetched by id through the same accessor.
			got, err := acc.Get(ctx, item.ID())
			require.NoError(t, err)
			assert.Equal(t, item.ID(), got.ID())
			req := e.lastRequest(t)
			assert.Equal(t, prefix+r.path+item.ID()+"/", req.Path)
			q, _ := url.ParseQuery(req.RawQuery)
			assert.Equal(t, r.typeQuery, q.Get("type"))
		}
		return item
	}
	items := map[string]*pbx.Resource{}
	for _, r := range customerRows {
		t.Run(r.name, func(t *testing.T) { items[r.name] = check(t, cust, base, r) })
	}

	phone := items["phones"]
	require.NotNil(t, phone)
	phoneBase := base + "endpoints/" + phone.ID() + "/"
	for _, r := range []row{
		{"sip", "sip/", "", "sipidentity", true},
		{"forwardingrules", "forwardingrules/", "", "forwardingrule", false},
		{"phonestatus", "phonestatus", "", "phonestatus", true},
	} {
		t.Run("phone."+r.name, func(t *testing.T) { items["phone."+r.name] = check(t, phone, phoneBase, r) })
	}
	// Registrations: take a phone that has some (not every phone is
	// registered).
	t.Run("sip.registrations", func(t *testing.T) {
		for p, err := range cust.Phones().All(ctx, nil) {
			require.NoError(t, err)
			sip, err := p.SIP().Get(ctx, "")
			require.NoError(t, err)
			page, err := sip.Child("registrations").List(ctx, nil)
			require.NoError(t, err)
			if len(page.Items) > 0 {
				check(t, sip, base+"endpoints/"+p.ID()+"/sip/", row{"registrations", "registrations/", "", "sipregistration", false})
				return
			}
		}
		t.Fatal("no phone has registrations")
	})
	queue := items["queues"]
	require.NotNil(t, queue)
	queueBase := base + "endpoints/" + queue.ID() + "/"
	for _, r := range []row{
		{"entries", "queueentries/", "", "queueentry", false},
		{"memberships", "queuememberships/", "", "queuemembership", false},
		{"status", "queuestatus/", "", "queuestatus", true},
	} {
		t.Run("queue."+r.name, func(t *testing.T) { check(t, queue, queueBase, r) })
	}
	num := items["phonenumbers"]
	require.NotNil(t, num)
	t.Run("phonenumber.routingrules", func(t *testing.T) {
		check(t, num, base+"phonenumbers/"+num.ID()+"/", row{"routingrules", "routingrules/", "", "routingrule", false})
	})
	billing := items["billing"]
	require.NotNil(t, billing)
	for _, r := range []row{
		{"invoices", "invoices/", "", "invoice", false},
		{"estimate", "estimate/", "", "estimate", true},
		{"paymentmethods", "paymentmethods/", "", "paymentmethod", false},
	} {
		t.Run("billing."+r.name, func(t *testing.T) { check(t, billing, base+"billing/", r) })
	}
}

func TestChild_UnknownAccessorFailsClearly(t *testing.T) {
	e := newEnv(t)
	cust := e.customer(t)
	_, err := cust.Child("nonsense").List(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `has no "nonsense"`)
	_, err = cust.SIP().Get(context.Background(), "")
	require.Error(t, err, "a customer has no sip")
}

func TestPhonebook_CreateSaveUpdateDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	book := e.customer(t).Phonebook()

	entry := book.Create(map[string]any{"name": "Reception", "phoneNumber": "01234 567890", "x-custom": "kept"})
	assert.Empty(t, entry.ID())
	require.NoError(t, entry.Save(ctx))
	r := e.lastRequest(t)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, book.Path(), strings.TrimPrefix(r.Path, "/api/v1/"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Contains(t, string(r.Body), `"name":"Reception"`)
	require.NotEmpty(t, entry.ID(), "the server's id is merged in")
	assert.Equal(t, "phonebookentry", entry.Kind())

	entry.Set("name", "Front desk")
	require.NoError(t, entry.Save(ctx))
	r = e.lastRequest(t)
	assert.Equal(t, "PUT", r.Method)
	assert.Equal(t, "/api/v1/"+book.Path()+entry.ID()+"/", r.Path)

	again, err := book.Get(ctx, entry.ID())
	require.NoError(t, err)
	assert.Equal(t, "Front desk", again.String("name"))
	assert.Equal(t, "kept", again.String("x-custom"), "unknown fields survive a read-modify-save")

	require.NoError(t, again.Delete(ctx))
	r = e.lastRequest(t)
	assert.Equal(t, "DELETE", r.Method)
	assert.Empty(t, r.Body)
	_, err = book.Get(ctx, entry.ID())
	require.ErrorIs(t, err, pbx.ErrNotFound)
}

func TestPhonebook_ValidationErrorsSettleWithTheOriginalMessage(t *testing.T) {
	e := newEnv(t)
	entry := e.customer(t).Phonebook().Create(map[string]any{"phoneNumber": "123"})
	err := entry.Save(context.Background())
	var pe *pbx.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, pbx.MsgValidationErrors, pe.Message)
	assert.Equal(t, 400, pe.StatusCode)
	body, ok := pe.Body.(map[string]any)
	require.True(t, ok, "the JSON body is parsed: %T", pe.Body)
	assert.NotNil(t, body["validationErrors"])
	require.NotNil(t, pe.Response)
	assert.Equal(t, 400, pe.Response.StatusCode)
	assert.Contains(t, pe.Response.URL, "/phonebook/")
	assert.Empty(t, entry.ID())
}

func TestPhoneNumber_StaysAPhoneNumberWhateverTheServerCallsIt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	page, err := e.customer(t).PhoneNumbers().List(ctx, nil)
	require.NoError(t, err)
	num := page.Items[0]
	assert.Equal(t, "did", num.Type())
	assert.Equal(t, pbx.KindPhoneNumber, num.Kind())
	before := num.Path()
	// The API documents phone numbers as read-only: the error surfaces,
	// nothing pretends, and the item keeps its place in the tree.
	err = num.Save(ctx)
	require.Error(t, err)
	var pe *pbx.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 405, pe.StatusCode)
	assert.Equal(t, before, num.Path())
	assert.Equal(t, pbx.KindPhoneNumber, num.Kind())
	assert.Equal(t, []string{"routingrules"}, num.Children())
}

func TestLists_PagesFollowTheServerLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	book := e.customer(t).Phonebook()
	first, err := book.List(ctx, url.Values{"pageSize": {"5"}})
	require.NoError(t, err)
	assert.Equal(t, 1, first.Page)
	assert.Equal(t, 5, first.PageSize)
	assert.Len(t, first.Items, 5)
	assert.False(t, first.HasPrev())
	require.True(t, first.HasNext())
	second, err := first.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, second.Page)
	assert.NotEqual(t, first.Items[0].ID(), second.Items[0].ID())
	back, err := second.Prev(ctx)
	require.NoError(t, err)
	assert.Equal(t, first.Items[0].ID(), back.Items[0].ID())
	_, err = first.Prev(ctx)
	require.Error(t, err)

	seen := map[string]bool{}
	for item, err := range book.All(ctx, url.Values{"pageSize": {"5"}}) {
		require.NoError(t, err)
		assert.False(t, seen[item.ID()], "no item twice")
		seen[item.ID()] = true
	}
	assert.Len(t, seen, first.TotalItems)
	assert.Greater(t, first.TotalItems, 5)
}

func TestLists_QueryParametersAreEncoded(t *testing.T) {
	e := newEnv(t)
	_, err := e.customer(t).Calls().List(context.Background(), url.Values{"from": {"+44 20&x=1"}, "direction": {"in"}})
	require.NoError(t, err)
	q, err := url.ParseQuery(e.lastRequest(t).RawQuery)
	require.NoError(t, err)
	assert.Equal(t, "+44 20&x=1", q.Get("from"))
	assert.Equal(t, "in", q.Get("direction"))
	assert.False(t, q.Has("x"))
}

func TestErrors_EveryFailureSettles(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		fault   pbxfake.Fault
		timeout time.Duration
		check   func(t *testing.T, e *pbx.Error)
	}{
		{"500 without a body", pbxfake.Fault{Status: 500}, 0, func(t *testing.T, e *pbx.Error) {
			assert.Equal(t, 500, e.StatusCode)
			assert.Contains(t, e.Message, "HTTP 500")
			assert.Nil(t, e.Body)
		}},
		{"403 with a text body", pbxfake.Fault{Status: 403, Body: "go away", ContentType: "text/plain"}, 0, func(t *testing.T, e *pbx.Error) {
			assert.Equal(t, 403, e.StatusCode)
			assert.Equal(t, "go away", e.Body)
		}},
		{"errors body", pbxfake.Fault{Status: 409, Body: `{"errors":[{"message":"conflict"}]}`, ContentType: "application/json"}, 0, func(t *testing.T, e *pbx.Error) {
			assert.Equal(t, pbx.MsgErrors, e.Message)
		}},
		{"empty 200", pbxfake.Fault{Status: 200}, 0, func(t *testing.T, e *pbx.Error) {
			assert.Equal(t, 200, e.StatusCode)
			assert.Contains(t, e.Message, "empty")
		}},
		{"invalid JSON", pbxfake.Fault{Status: 200, Body: `{"id": `, ContentType: "application/json"}, 0, func(t *testing.T, e *pbx.Error) {
			assert.Equal(t, pbx.MsgParseJSON, e.Message)
			assert.Equal(t, `{"id": `, e.Body)
		}},
		{"closed connection", pbxfake.Fault{CloseConnection: true}, 0, func(t *testing.T, e *pbx.Error) {
			assert.Zero(t, e.StatusCode)
			assert.Error(t, e.Err)
		}},
		{"server never answers", pbxfake.Fault{Delay: time.Hour}, 200 * time.Millisecond, func(t *testing.T, e *pbx.Error) {
			assert.ErrorIs(t, e, context.DeadlineExceeded)
			assert.Contains(t, e.Message, "timed out")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *pbx.Options) {
				if tc.timeout > 0 {
					o.Timeout = tc.timeout
				}
			})
			e.fake.SetFault("/api/v1/customers/me", tc.fault)
			done := make(chan error, 1)
			go func() { _, err := e.client.Customers().Get(ctx, "me"); done <- err }()
			select {
			case err := <-done:
				var pe *pbx.Error
				require.ErrorAs(t, err, &pe)
				assert.Contains(t, pe.Op, "/customers/me/")
				tc.check(t, pe)
			case <-time.After(10 * time.Second):
				t.Fatal("the call did not settle")
			}
		})
	}
}

func TestErrors_CancelledContext(t *testing.T) {
	e := newEnv(t)
	e.fake.SetFault("/api/v1/customers/me", pbxfake.Fault{Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := e.client.Customers().Get(ctx, "me")
	require.ErrorIs(t, err, context.Canceled)
	var pe *pbx.Error
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Message, "cancelled")
}

func TestErrors_WrongPasswordIsUnauthorized(t *testing.T) {
	e := newEnv(t, func(o *pbx.Options) { o.Password = "wrong" })
	_, err := e.client.Customers().Get(context.Background(), "me")
	require.ErrorIs(t, err, pbx.ErrUnauthorized)
}

func TestRateLimit_FromTheLastResponse(t *testing.T) {
	e := newEnv(t)
	assert.Equal(t, pbx.RateLimit{}, e.client.RateLimit())
	_, err := e.client.Customers().Get(context.Background(), "me")
	require.NoError(t, err)
	first := e.client.RateLimit()
	assert.Equal(t, 1200, first.Limit)
	assert.Greater(t, first.Remaining, 0)
	_, err = e.client.Customers().Get(context.Background(), "me")
	require.NoError(t, err)
	assert.Equal(t, first.Remaining-1, e.client.RateLimit().Remaining)

	e.fake.SetRateLimit(0)
	_, err = e.client.Customers().Get(context.Background(), "me")
	require.ErrorIs(t, err, pbx.ErrRateLimited)
}

func TestAuthenticate_SwitchesToABearerToken(t *testing.T) {
	e := newEnv(t)
	tok, err := e.client.Authenticate(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	r := e.lastRequest(t)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/api/v1/authenticate/", r.Path)
	assert.Equal(t, "false", r.Header.Get("X-WWW-Authenticate"))
	_, err = e.client.Customers().Get(context.Background(), "me")
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+tok, e.lastRequest(t).Header.Get("Authorization"))

	bad := newEnv(t, func(o *pbx.Options) { o.Password = "wrong" })
	_, err = bad.client.Authenticate(context.Background())
	require.ErrorIs(t, err, pbx.ErrUnauthorized)
}

func TestSIPCredentials_DiscoveredThroughTheTree(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cust := e.customer(t)
	me, err := cust.LinkedUsers().Get(ctx, "me")
	require.NoError(t, err)
	ext := me.DefaultExtension()
	require.NotEmpty(t, ext)
	phone, err := cust.Phones().Get(ctx, ext)
	require.NoError(t, err)
	assert.Equal(t, pbx.KindPhone, phone.Kind())
	sip, err := phone.SIP().Get(ctx, "")
	require.NoError(t, err)
	creds, err := sip.SIPCredentials()
	require.NoError(t, err)
	assert.Len(t, creds.Username, 6)
	assert.NotEmpty(t, creds.Password)
	assert.NotEmpty(t, creds.Domain)
}

func TestPhoneStatus_DND(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	page, err := e.customer(t).Phones().List(ctx, nil)
	require.NoError(t, err)
	phone := page.Items[0]
	st, err := phone.SetDND(ctx, true)
	require.NoError(t, err)
	r := e.lastRequest(t)
	assert.Equal(t, "PUT", r.Method)
	assert.True(t, strings.HasSuffix(r.Path, "/endpoints/"+phone.ID()+"/phonestatus"))
	assert.JSONEq(t, `{"type":"phonestatus","dndActive":true}`, string(r.Body))
	on, _ := st.Bool("dndActive")
	assert.True(t, on)
	got, err := phone.PhoneStatus().Get(ctx, "")
	require.NoError(t, err)
	on, _ = got.Bool("dndActive")
	assert.True(t, on)
}

func TestOriginate_PostsACall(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cust := e.customer(t)
	page, err := cust.Phones().List(ctx, nil)
	require.NoError(t, err)
	call, err := cust.Originate(ctx, page.Items[0], "07902000000")
	require.NoError(t, err)
	r := e.lastRequest(t)
	assert.Equal(t, "POST", r.Method)
	assert.True(t, strings.HasSuffix(r.Path, "/calls/"))
	assert.JSONEq(t, `{"type":"call","endpoint":"`+page.Items[0].URI()+`","to":"07902000000"}`, string(r.Body))
	assert.NotEmpty(t, call.ID())
	_, err = cust.Originate(ctx, "", "1")
	require.Error(t, err)
}

func TestRecording_AudioURLWorksWithoutCredentials(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	page, err := e.customer(t).Recordings().List(ctx, nil)
	require.NoError(t, err)
	u, err := page.Items[0].AudioURL(ctx)
	require.NoError(t, err)
	assert.Contains(t, u, page.Items[0].ID()+".wav?tokenid=")
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "audio/wav", resp.Header.Get("Content-Type"))
	assert.NotContains(t, e.logs.String(), "tokenid=")
}

func TestLogs_NeverCarryCredentials(t *testing.T) {
	e := newEnv(t)
	_, _ = e.client.Customers().Get(context.Background(), "me")
	_, _ = e.client.Authenticate(context.Background())
	_, _ = e.client.Customers().Get(context.Background(), "me")
	logs := e.logs.String()
	require.Contains(t, logs, "/customers/me/", "requests are logged")
	assert.NotContains(t, logs, "alice-secret")
	assert.NotContains(t, logs, base64.StdEncoding.EncodeToString([]byte("alice:alice-secret")))
	assert.NotContains(t, logs, "Bearer")
}

func TestFollowingLinks_NeverSendsCredentialsElsewhere(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	list := func(next string) string {
		return `{"totalItems":2,"pageSize":1,"page":1,"items":[{"type":"customer","id":"1"}],"nextPage":"` + next + `"}`
	}
	// A link to another host outside the API path is refused.
	e.fake.SetFault("/api/v1/customers/", pbxfake.Fault{Status: 200, ContentType: "application/json",
		Body: list("http://evil.example/steal"), Times: 1})
	page, err := e.client.Customers().List(ctx, nil)
	require.NoError(t, err)
	n := len(e.fake.Requests())
	_, err = page.Next(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to follow")
	assert.Len(t, e.fake.Requests(), n, "nothing was sent")

	// A link from the real API's host (as behind a proxy) is rebased onto
	// the configured base URL.
	e.fake.SetFault("/api/v1/customers/", pbxfake.Fault{Status: 200, ContentType: "application/json",
		Body: list("https://pbx.sipcentric.com/api/v1/customers/?page=2&pageSize=1"), Times: 1})
	page, err = e.client.Customers().List(ctx, nil)
	require.NoError(t, err)
	_, err = page.Next(ctx)
	require.NoError(t, err)
	r := e.lastRequest(t)
	assert.Equal(t, "/api/v1/customers/", r.Path)
	assert.Equal(t, "page=2&pageSize=1", r.RawQuery)
}

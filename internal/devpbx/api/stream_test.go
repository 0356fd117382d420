//go:build !js

package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/devpbx/sipserver"
	"github.com/wasmphone/wasmphone/pkg/pbx"
)

func callInfo(callID, from, to string, answeredFor int) sipserver.CallInfo {
	start := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	ci := sipserver.CallInfo{CallID: callID, From: from, To: to, Started: start,
		Ended: start.Add(time.Duration(answeredFor+3) * time.Second), Outcome: sipserver.OutcomeNoAnswer}
	if answeredFor > 0 {
		ci.Answered, ci.Outcome = start.Add(3*time.Second), sipserver.OutcomeAnswered
	}
	return ci
}

func mustLookup(t *testing.T, e *env, name string) *sipserver.Extension {
	t.Helper()
	ext, ok, err := e.api.Lookup(context.Background(), name)
	require.NoError(t, err)
	require.True(t, ok, name)
	return &ext
}

// subscribe opens alice's stream for the events and waits until the
// server has it.
func subscribe(t *testing.T, e *env, events ...string) <-chan pbx.Event {
	t.Helper()
	ch := make(chan pbx.Event, 16)
	c := e.client(t, "alice")
	unsub := c.Stream().Subscribe(events, func(ev pbx.Event) { ch <- ev })
	t.Cleanup(unsub)
	e.waitStreams(t, 1)
	return ch
}

func TestStream_SMSReceivedAndDelivered(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	ch := subscribe(t, e, "smsreceived", "smsdelivered")

	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	msg := customer.SMSMessages().Create(map[string]any{"to": "441134960002", "body": "Are you there, Bob? This message is long enough to be cut short."})
	require.NoError(t, msg.Save(ctx))

	got := map[string]pbx.Event{}
	for range 2 {
		ev := receive(t, ch)
		got[ev.Event] = ev
	}
	rx := got["smsreceived"]
	assert.Equal(t, "441134960002", rx.Values["to"])
	assert.Equal(t, "441134960001", rx.Values["from"])
	assert.Equal(t, "Are you there, Bob? This message is long…", rx.Values["excerpt"])
	loc, _ := rx.Location.(string)
	in, err := pbx.New(pbx.Options{BaseURL: e.base, Username: "alice", Password: "alice-secret"})
	require.NoError(t, err)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	assert.Equal(t, e.srv.URL, u.Scheme+"://"+u.Host, "locations are absolute")
	_ = in
	assert.Equal(t, msg.URI(), got["smsdelivered"].Location)

	// An SMS to a number outside the PBX raises only smsdelivered.
	out := customer.SMSMessages().Create(map[string]any{"to": "07700900999", "body": "hi"})
	require.NoError(t, out.Save(ctx))
	ev := receive(t, ch)
	assert.Equal(t, "smsdelivered", ev.Event)
	select {
	case ev := <-ch:
		t.Fatalf("unexpected event %s", ev.Event)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestStream_IncomingCall(t *testing.T) {
	e := newEnv(t, envOptions{})
	ch := subscribe(t, e, "incomingcall")

	ci := callInfo("abc@devpbx", "002001", "2002", 0)
	ci.FromExt, ci.ToExt = mustLookup(t, e, "002001"), mustLookup(t, e, "2002")
	e.api.CallRinging(ci)
	ev := receive(t, ch)
	assert.Equal(t, "incomingcall", ev.Event)
	assert.Equal(t, map[string]any{"callerIdNumber": "2001", "callerIdName": "Alice Smith",
		"endpoint": "/customers/1001/endpoints/2002"}, ev.Values)

	// A call to a test number rings no extension.
	e.api.CallRinging(callInfo("def@devpbx", "2001", "*52", 0))
	// A caller that is not an extension shows its number.
	ci = callInfo("ghi@devpbx", "07700900123", "2003", 0)
	ci.ToExt = mustLookup(t, e, "2003")
	e.api.CallRinging(ci)
	ev = receive(t, ch)
	assert.Equal(t, "07700900123", ev.Values["callerIdNumber"])
	assert.Equal(t, "/customers/1001/endpoints/2003", ev.Values["endpoint"])
}

func TestStream_Heartbeat(t *testing.T) {
	e := newEnv(t, envOptions{heartbeat: 30 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", e.base+"/stream", nil)
	require.NoError(t, err)
	req.SetBasicAuth("bob", "bob-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	sc := bufio.NewScanner(resp.Body)
	for range 3 {
		require.True(t, sc.Scan(), "a heartbeat line")
		assert.Equal(t, Heartbeat, sc.Text())
	}

	// The client counts heartbeats as life and never delivers them.
	ch := make(chan pbx.Event, 4)
	c := e.client(t, "alice")
	c.Stream().Subscribe(nil, func(ev pbx.Event) { ch <- ev })
	e.waitStreams(t, 2)
	time.Sleep(100 * time.Millisecond)
	assert.Empty(t, ch)
	assert.Equal(t, pbx.StreamConnected, c.Stream().State().State)

	// Closing the API ends the streams.
	e.api.Close()
	for sc.Scan() {
	}
	e.waitStreams(t, 0)
}

func TestStream_Errors(t *testing.T) {
	e := newEnv(t, envOptions{})
	resp, _ := e.do(t, "GET", "/stream", "", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = e.do(t, "POST", "/stream", "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestEvents_CallHistory(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := ctxT(t)
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)

	local := callInfo("local@devpbx", "002001", "2002", 65)
	local.FromExt, local.ToExt = mustLookup(t, e, "2001"), mustLookup(t, e, "2002")
	e.api.CallEnded(local)
	echo := callInfo("echo@devpbx", "002003", "*52", 10)
	echo.FromExt = mustLookup(t, e, "2003")
	e.api.CallEnded(echo)
	inbound := callInfo("in@devpbx", "07700900123", "2002", 0)
	inbound.ToExt = mustLookup(t, e, "2002")
	inbound.Outcome = sipserver.OutcomeBusy
	e.api.CallEnded(inbound)

	calls, err := customer.Calls().List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, calls.Items, 3)
	c0 := calls.Items[0].Fields()
	assert.Equal(t, "LOCAL", c0["scope"])
	assert.Equal(t, "OUT", c0["direction"])
	assert.Equal(t, "2001", c0["from"])
	assert.Equal(t, "2002", c0["to"])
	assert.Equal(t, "ANSWERED", c0["outcome"])
	assert.EqualValues(t, json.Number("65"), c0["duration"])
	assert.Equal(t, "2026-01-02T10:00:00Z", c0["callStarted"])
	assert.Equal(t, "2001", c0["srcEndpoint"], "the client asks for relations as ids")
	assert.Equal(t, "EXTERNAL", calls.Items[1].String("scope"))
	assert.Equal(t, "*52", calls.Items[1].String("to"))
	assert.Equal(t, "IN", calls.Items[2].String("direction"))
	assert.Equal(t, "BUSY", calls.Items[2].String("outcome"))

	for q, n := range map[string]int{"direction=in": 1, "direction=out": 2, "includeLocal=false": 2,
		"endpointId=2002": 2, "to=*52": 1, "startedAfter=2026-01-01": 3, "startedBefore=2026-01-01": 0} {
		v, err := url.ParseQuery(q)
		require.NoError(t, err)
		p, err := customer.Calls().List(ctx, v)
		require.NoError(t, err, q)
		assert.Equal(t, n, p.TotalItems, q)
	}
	resp, _ := e.do(t, "GET", "/customers/1001/calls/?direction=sideways", "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestDirectory_Lookup(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	for _, name := range []string{"2002", "002002"} {
		ext, ok, err := e.api.Lookup(ctx, name)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, sipserver.Extension{ID: "2002", CustomerID: "1001", ShortNumber: "2002", Name: "Bob Jones",
			SIPUsername: "002002", SIPPassword: "sip-2002-secret"}, ext)
	}
	for _, name := range []string{"", "2005", "9999", "' OR 1=1 --", "*52"} {
		_, ok, err := e.api.Lookup(ctx, name)
		require.NoError(t, err)
		assert.False(t, ok, name)
	}
}

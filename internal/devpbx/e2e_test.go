//go:build !js

package devpbx

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/pkg/pbx"
	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/media"
	"github.com/wasmphone/wasmphone/pkg/sipua/transport"

	"github.com/wasmphone/wasmphone/internal/uatest"
)

const e2eWait = 10 * time.Second

// phone is a registered UA of a seeded extension.
type phone = uatest.Agent

func startPhone(t *testing.T, srv *Server, ext store.DemoExtension) *phone {
	t.Helper()
	p := uatest.Start(t, sipua.Config{
		Servers:         []transport.Server{{URL: srv.SIPURL()}},
		URI:             "sip:" + ext.SIPUsername + "@" + store.DemoDomain,
		Password:        ext.SIPPassword,
		DisplayName:     ext.Name,
		Register:        true,
		UserAgent:       "e2e-" + ext.ID,
		Media:           media.Factory(media.AudioOptions{LoopbackOnly: true, ToneFrequency: 440}),
		TransportConfig: transport.Config{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second},
	})
	p.Await(t, "registered", e2eWait)
	return p
}

// TestEndToEnd_RegisterCallHistory runs the whole PBX: two phones register
// over SIP and show up as registrations in the REST API, a call between
// them raises incomingcall on the callee's event stream and lands in the
// call history, and DND set over REST makes the SIP side refuse calls.
func TestEndToEnd_RegisterCallHistory(t *testing.T) {
	srv := start(t, Config{Memory: true, EchoLoopbackOnly: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exts := store.DemoExtensions()
	alice := startPhone(t, srv, exts[0])
	bob := startPhone(t, srv, exts[1])

	client, err := pbx.New(pbx.Options{BaseURL: srv.URL() + "/api/v1", Username: "bob", Password: "bob-secret"})
	require.NoError(t, err)
	defer client.Stream().Close()
	customer, err := client.Customers().Get(ctx, "me")
	require.NoError(t, err)
	bobPhone, err := customer.Phones().Get(ctx, "2002")
	require.NoError(t, err)
	sip, err := bobPhone.SIP().Get(ctx, "")
	require.NoError(t, err)
	regs, err := sip.Child("registrations").List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, regs.Items, 1)
	assert.Equal(t, "e2e-2002", regs.Items[0].String("userAgent"))

	incoming := make(chan pbx.Event, 4)
	client.Stream().Subscribe([]string{"incomingcall"}, func(ev pbx.Event) { incoming <- ev })
	deadline := time.Now().Add(e2eWait)
	for srv.API().StreamCount() == 0 {
		require.True(t, time.Now().Before(deadline), "the stream did not connect")
		time.Sleep(10 * time.Millisecond)
	}

	out, err := alice.UA.Call(ctx, "2002", sipua.CallOptions{})
	require.NoError(t, err)
	in := bob.Await(t, "newRTCSession", e2eWait).(sipua.NewSessionEvent).Session
	select {
	case ev := <-incoming:
		assert.Equal(t, "2001", ev.Values["callerIdNumber"])
		assert.Equal(t, "Alice Smith", ev.Values["callerIdName"])
		assert.Equal(t, "/customers/1001/endpoints/2002", ev.Values["endpoint"])
	case <-time.After(e2eWait):
		t.Fatal("no incomingcall event")
	}
	require.NoError(t, in.Answer(ctx, sipua.CallOptions{}))
	alice.Await(t, "confirmed", e2eWait)
	time.Sleep(1100 * time.Millisecond)
	require.NoError(t, out.Terminate(ctx, 0))
	bob.Await(t, "ended", e2eWait)

	var calls *pbx.Page
	deadline = time.Now().Add(e2eWait)
	for {
		calls, err = customer.Calls().List(ctx, url.Values{"endpointId": {"2002"}})
		require.NoError(t, err)
		if calls.TotalItems > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.Equal(t, 1, calls.TotalItems)
	call := calls.Items[0]
	assert.Equal(t, "LOCAL", call.String("scope"))
	assert.Equal(t, "ANSWERED", call.String("outcome"))
	assert.Equal(t, "2001", call.String("from"))
	assert.Equal(t, "2002", call.String("to"))
	d, _ := call.Int("duration")
	assert.GreaterOrEqual(t, d, int64(1))

	// Do not disturb, set over REST, is what the SIP side obeys.
	_, err = bobPhone.SetDND(ctx, true)
	require.NoError(t, err)
	_, err = alice.UA.Call(ctx, "2002", sipua.CallOptions{})
	require.NoError(t, err)
	alice.Await(t, "failed", e2eWait)
}

// TestEndToEnd_OriginateToEcho originates a call over REST: the SIP server
// rings the phone, connects it to the echo test once it answers, and the
// call's record gets its outcome when the phone hangs up.
func TestEndToEnd_OriginateToEcho(t *testing.T) {
	srv := start(t, Config{Memory: true, EchoLoopbackOnly: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice := startPhone(t, srv, store.DemoExtensions()[0])

	client, err := pbx.New(pbx.Options{BaseURL: srv.URL() + "/api/v1", Username: "alice", Password: "alice-secret"})
	require.NoError(t, err)
	customer, err := client.Customers().Get(ctx, "me")
	require.NoError(t, err)
	type result struct {
		call *pbx.Resource
		err  error
	}
	done := make(chan result, 1)
	go func() {
		call, err := customer.Originate(ctx, srv.URL()+"/api/v1/customers/1001/endpoints/2001", EchoNumber)
		done <- result{call, err}
	}()
	ns := alice.Await(t, "newRTCSession", e2eWait).(sipua.NewSessionEvent)
	require.NoError(t, ns.Session.Answer(ctx, sipua.CallOptions{}))
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, "OUT", r.call.String("direction"))
	assert.Equal(t, EchoNumber, r.call.String("to"))
	assert.NotEmpty(t, r.call.String("callId"))
	alice.Await(t, "confirmed", e2eWait)
	require.NoError(t, ns.Session.Terminate(ctx, 0))

	deadline := time.Now().Add(e2eWait)
	for {
		got, err := customer.Calls().Get(ctx, r.call.ID())
		require.NoError(t, err)
		if got.String("outcome") != "" {
			assert.Equal(t, "ANSWERED", got.String("outcome"))
			break
		}
		require.True(t, time.Now().Before(deadline), "the call record never got its outcome")
		time.Sleep(20 * time.Millisecond)
	}
	page, err := customer.Calls().List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, page.TotalItems, "the originated call has one record")
}

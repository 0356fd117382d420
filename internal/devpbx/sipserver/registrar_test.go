//go:build !js

package sipserver

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/internal/clock"
	"github.com/wasmphone/wasmphone/pkg/sipua"
	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

func TestRegister_DigestRegistrationsAndUnregister(t *testing.T) {
	e := startServer(t)
	a := e.startUA(t, alice, alice.SIPPassword, 0)
	ev := a.Await(t, "registered", 10*time.Second).(sipua.RegisteredEvent)
	assert.Equal(t, 300, ev.Expires)
	regs := e.srv.Registrations(alice.SIPUsername)
	require.Len(t, regs, 1)
	assert.Contains(t, regs[0].Contact, ".invalid")
	assert.Contains(t, regs[0].InstanceID, a.UA.InstanceID())
	assert.NotEmpty(t, regs[0].UserAgent)
	assert.Contains(t, regs[0].RemoteAddr, "127.0.0.1")
	assert.WithinDuration(t, time.Now().Add(300*time.Second), regs[0].Expires, 5*time.Second)

	// A second instance of the same extension is a second registration.
	a2 := e.startUA(t, alice, alice.SIPPassword, 0)
	a2.Await(t, "registered", 10*time.Second)
	assert.Len(t, e.srv.Registrations(alice.SIPUsername), 2)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, a.UA.Unregister(ctx))
	a.Await(t, "unregistered", 5*time.Second)
	regs = e.srv.Registrations(alice.SIPUsername)
	require.Len(t, regs, 1)
	assert.Contains(t, regs[0].InstanceID, a2.UA.InstanceID())

	// Stopping a UA unregisters it.
	a2.Stop()
	assert.Empty(t, e.srv.Registrations(alice.SIPUsername))
}

func TestRegister_WrongPasswordIsRefused(t *testing.T) {
	e := startServer(t)
	a := e.startUA(t, alice, "wrong", 0)
	ev := a.Await(t, "registrationFailed", 10*time.Second).(sipua.RegistrationFailedEvent)
	// The PBX challenges a wrong password again; the UA gives up after
	// its second answer instead of looping.
	assert.Equal(t, sipua.CauseAuthenticationError, ev.Cause)
	require.NotNil(t, ev.Response)
	assert.Equal(t, 401, ev.Response.StatusCode)
	assert.Empty(t, e.srv.Registrations(alice.SIPUsername))
}

func TestRegister_UnknownUserIsNotFound(t *testing.T) {
	e := startServer(t)
	a := e.startUA(t, Extension{SIPUsername: "009999"}, "x", 0)
	ev := a.Await(t, "registrationFailed", 10*time.Second).(sipua.RegistrationFailedEvent)
	require.NotNil(t, ev.Response)
	assert.Equal(t, 404, ev.Response.StatusCode)
}

func TestRegister_DroppedWhenTheWebSocketCloses(t *testing.T) {
	e := startServer(t)
	r := e.dialRaw(t)
	resp := r.request(t, "REGISTER", "sip:"+DefaultRealm, alice, "Contact: <sip:raw@raw.invalid;transport=ws>;expires=120\r\n")
	assert.Equal(t, 200, resp.StatusCode)
	regs := e.srv.Registrations(alice.SIPUsername)
	require.Len(t, regs, 1)
	assert.WithinDuration(t, time.Now().Add(120*time.Second), regs[0].Expires, 5*time.Second)
	require.NoError(t, r.c.CloseNow())
	eventually(t, func() bool { return len(e.srv.Registrations(alice.SIPUsername)) == 0 }, "registration dropped")
}

func TestRegister_ExpiresWildcardAndIntervalTooBrief(t *testing.T) {
	e := startServer(t)
	r := e.dialRaw(t)
	resp := r.request(t, "REGISTER", "sip:"+DefaultRealm, alice, "Contact: <sip:one@raw.invalid;transport=ws>\r\nExpires: 200\r\n")
	require.Equal(t, 200, resp.StatusCode)
	resp = r.request(t, "REGISTER", "sip:"+DefaultRealm, alice, "Contact: <sip:two@raw.invalid;transport=ws>;expires=100\r\n")
	require.Equal(t, 200, resp.StatusCode)
	contacts, err := resp.Contacts()
	require.NoError(t, err)
	assert.Len(t, contacts, 2, "the 200 lists every binding")
	require.Len(t, e.srv.Registrations(alice.SIPUsername), 2)

	resp = r.request(t, "REGISTER", "sip:"+DefaultRealm, alice, "Contact: <sip:three@raw.invalid;transport=ws>;expires=5\r\n")
	assert.Equal(t, 423, resp.StatusCode)
	assert.Equal(t, "60", resp.Get("Min-Expires"))

	resp = r.request(t, "REGISTER", "sip:"+DefaultRealm, alice, "Contact: <sip:one@raw.invalid;transport=ws>;expires=0\r\n")
	require.Equal(t, 200, resp.StatusCode)
	regs := e.srv.Registrations(alice.SIPUsername)
	require.Len(t, regs, 1)
	assert.Contains(t, regs[0].Contact, "two@")

	resp = r.request(t, "REGISTER", "sip:"+DefaultRealm, alice, "Contact: *\r\nExpires: 0\r\n")
	require.Equal(t, 200, resp.StatusCode)
	assert.Empty(t, e.srv.Registrations(alice.SIPUsername))

	// Someone else's credentials cannot register alice.
	resp = r.requestAs(t, "REGISTER", "sip:"+DefaultRealm, alice, bob, "Contact: <sip:x@raw.invalid;transport=ws>\r\n")
	assert.Equal(t, 403, resp.StatusCode)
	// A wrong password is challenged again.
	wrong := alice
	wrong.SIPPassword = "nope"
	resp = r.requestAs(t, "REGISTER", "sip:"+DefaultRealm, alice, wrong, "Contact: <sip:x@raw.invalid;transport=ws>\r\n")
	assert.Equal(t, 401, resp.StatusCode)
	assert.Contains(t, resp.Get("WWW-Authenticate"), `realm="`+DefaultRealm+`"`)
	assert.Empty(t, e.srv.Registrations(alice.SIPUsername))
}

func TestRegister_ExpiredNonceIsChallengedAsStale(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := startServer(t, func(c *Config) { c.Clock = fake })
	r := e.dialRaw(t)
	register := func(seq int, authz string) *sipmsg.Message {
		r.send(t, "REGISTER sip:"+DefaultRealm+" SIP/2.0\r\n"+
			"Via: SIP/2.0/WS raw.invalid;branch="+sipmsg.NewBranch()+"\r\n"+
			"Max-Forwards: 70\r\n"+
			"From: <sip:002001@"+DefaultRealm+">;tag=abc\r\n"+
			"To: <sip:002001@"+DefaultRealm+">\r\n"+
			"Call-ID: stale-1\r\n"+
			"CSeq: "+strconv.Itoa(seq)+" REGISTER\r\n"+
			"Contact: <sip:raw@raw.invalid;transport=ws>;expires=3600\r\n"+
			authz+"Content-Length: 0\r\n\r\n")
		return r.response(t)
	}
	resp := register(1, "")
	require.Equal(t, 401, resp.StatusCode)
	ch, err := digest.ParseChallenge(resp.Get("WWW-Authenticate"))
	require.NoError(t, err)
	assert.False(t, ch.Stale)
	var dc digest.Client
	cred, err := dc.Authorize(ch, "REGISTER", "sip:"+DefaultRealm, nil, alice.SIPUsername, alice.SIPPassword)
	require.NoError(t, err)
	require.Equal(t, 200, register(2, "Authorization: "+cred.String()+"\r\n").StatusCode)

	fake.Advance(nonceLifetime + time.Minute)
	cred, err = dc.Authorize(ch, "REGISTER", "sip:"+DefaultRealm, nil, alice.SIPUsername, alice.SIPPassword)
	require.NoError(t, err)
	resp = register(3, "Authorization: "+cred.String()+"\r\n")
	require.Equal(t, 401, resp.StatusCode)
	ch2, err := digest.ParseChallenge(resp.Get("WWW-Authenticate"))
	require.NoError(t, err)
	assert.True(t, ch2.Stale, "right password, old nonce: stale")
	assert.True(t, digest.ShouldRetry(ch, ch2))
}

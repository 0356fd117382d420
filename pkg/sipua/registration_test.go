package sipua

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

func okWithContact(req *sipmsg.Message, expires string) func(*sipmsg.Message) {
	return func(m *sipmsg.Message) {
		c := req.Get(sipmsg.HdrContact)
		c = c[:strings.Index(c, ";expires=")] + ";expires=" + expires
		_ = m.Add(sipmsg.HdrContact, c)
	}
}

func TestRegister_AnswersTheChallengeAndRefreshesBeforeExpiry(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true; c.InstanceID = "8f2f6a4e-2b0c-4d7e-9a51-3c6f0d1e2a4b" })
	h.connect()

	first := h.expect(sipmsg.REGISTER)
	assert.Equal(t, "sip:pbx.test", first.RequestURI.String())
	contacts, err := first.Contacts()
	require.NoError(t, err)
	require.Len(t, contacts, 1)
	c := contacts[0]
	assert.True(t, strings.HasSuffix(c.URI.Host, ".invalid"))
	tr, _ := c.URI.Params.Get("transport")
	assert.Equal(t, "ws", tr)
	inst, _ := c.Params.Get("+sip.instance")
	assert.Equal(t, "<urn:uuid:8f2f6a4e-2b0c-4d7e-9a51-3c6f0d1e2a4b>", inst)
	regID, _ := c.Params.Get("reg-id")
	assert.Equal(t, "1", regID)
	exp, _ := c.Expires()
	assert.Equal(t, 300, exp)
	assert.True(t, first.HasToken(sipmsg.HdrSupported, "outbound"))
	assert.True(t, first.HasToken(sipmsg.HdrSupported, "path"))
	assert.True(t, first.HasToken(sipmsg.HdrSupported, "gruu"))
	assert.Equal(t, "300", first.Get(sipmsg.HdrExpires))
	via, err := first.TopVia()
	require.NoError(t, err)
	assert.Equal(t, "WSS", via.Transport)
	assert.True(t, strings.HasSuffix(via.Host, ".invalid"))
	assert.False(t, first.Has(sipmsg.HdrAuthorization))

	h.reply(first, 401, challenge("pbx.test", "n1", false))
	second := h.expect(sipmsg.REGISTER)
	assert.Equal(t, first.CallID(), second.CallID(), "one Call-ID per registration")
	c1, _ := first.CSeq()
	c2, _ := second.CSeq()
	assert.Equal(t, c1.Seq+1, c2.Seq)
	v1, _ := first.TopVia()
	v2, _ := second.TopVia()
	assert.NotEqual(t, v1.Branch(), v2.Branch(), "a new transaction")
	creds := verifyAuth(t, second, sipmsg.HdrAuthorization)
	assert.Equal(t, "200", creds.Username)
	assert.Equal(t, "sip:pbx.test", creds.URI)

	h.reply(second, 200, okWithContact(second, "300"))
	ev := h.expectEvent("registered").(RegisteredEvent)
	assert.Equal(t, 300, ev.Expires)
	assert.True(t, h.ua.IsRegistered())

	// No refresh before half the lifetime; one by 32 s before the end.
	h.advance(149 * time.Second)
	h.nothingSent()
	h.advance(300*time.Second - 32*time.Second - 149*time.Second)
	h.expectEvent("registrationExpiring")
	refresh := h.expect(sipmsg.REGISTER)
	assert.Equal(t, first.CallID(), refresh.CallID())
	// The nonce is reused with the next nonce count.
	creds = verifyAuth(t, refresh, sipmsg.HdrAuthorization)
	assert.Equal(t, "00000002", creds.NC)
}

func TestRegister_WrongPasswordFailsWithoutLooping(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true })
	h.connect()
	r1 := h.expect(sipmsg.REGISTER)
	h.reply(r1, 401, challenge("pbx.test", "n1", false))
	r2 := h.expect(sipmsg.REGISTER)
	h.reply(r2, 401, challenge("pbx.test", "n2", false))
	ev := h.expectEvent("registrationFailed").(RegistrationFailedEvent)
	assert.Equal(t, CauseAuthenticationError, ev.Cause)
	assert.Equal(t, 401, ev.Response.StatusCode)
	h.nothingSent()
	assert.False(t, h.ua.IsRegistered())
}

func TestRegister_StaleNonceIsAnsweredAgain(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true })
	h.connect()
	r1 := h.expect(sipmsg.REGISTER)
	h.reply(r1, 401, challenge("pbx.test", "n1", false))
	r2 := h.expect(sipmsg.REGISTER)
	h.reply(r2, 401, challenge("pbx.test", "n2", true))
	r3 := h.expect(sipmsg.REGISTER)
	creds := verifyAuth(t, r3, sipmsg.HdrAuthorization)
	assert.Equal(t, "n2", creds.Nonce)
	h.reply(r3, 200, okWithContact(r3, "300"))
	h.expectEvent("registered")
}

func TestRegister_IntervalTooBriefRetriesWithMinExpires(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true; c.RegisterExpires = 60 })
	h.connect()
	r1 := h.expect(sipmsg.REGISTER)
	h.reply(r1, 423, func(m *sipmsg.Message) { _ = m.Add(sipmsg.HdrMinExpires, "120") })
	r2 := h.expect(sipmsg.REGISTER)
	assert.Equal(t, "120", r2.Get(sipmsg.HdrExpires))
	h.reply(r2, 200, okWithContact(r2, "120"))
	assert.Equal(t, 120, h.expectEvent("registered").(RegisteredEvent).Expires)
}

func TestRegister_TimeoutReportsRequestTimeout(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true })
	h.connect()
	h.expect(sipmsg.REGISTER)
	h.advance(TimerF - time.Millisecond)
	h.noEvent("registrationFailed")
	h.advance(time.Millisecond)
	ev := h.expectEvent("registrationFailed").(RegistrationFailedEvent)
	assert.Equal(t, CauseRequestTimeout, ev.Cause)
}

func TestRegister_AgainAfterReconnect(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true })
	h.connect()
	r := h.expect(sipmsg.REGISTER)
	h.reply(r, 200, okWithContact(r, "300"))
	h.expectEvent("registered")

	h.tr.disconnect()
	ev := h.expectEvent("unregistered").(UnregisteredEvent)
	assert.Equal(t, CauseConnectionError, ev.Cause)
	h.expectEvent("disconnected")
	assert.False(t, h.ua.IsRegistered())

	h.connect()
	again := h.expect(sipmsg.REGISTER)
	h.reply(again, 200, okWithContact(again, "300"))
	h.expectEvent("registered")
}

func TestRegister_FailureWhileRegisteredReportsBoth(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true })
	h.connect()
	r := h.expect(sipmsg.REGISTER)
	h.reply(r, 200, okWithContact(r, "100"))
	h.expectEvent("registered")
	h.advance(100 * time.Second)
	refresh := h.expect(sipmsg.REGISTER)
	h.reply(refresh, 403)
	assert.Equal(t, CauseRejected, h.expectEvent("registrationFailed").(RegistrationFailedEvent).Cause)
	assert.False(t, h.ua.IsRegistered())
}

func TestStop_UnregistersAndStopsEveryTimer(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true })
	h.connect()
	r := h.expect(sipmsg.REGISTER)
	h.reply(r, 200, okWithContact(r, "300"))
	h.expectEvent("registered")

	stopped := make(chan error, 1)
	go func() { stopped <- h.ua.Stop(context.Background()) }()
	un := h.expect(sipmsg.REGISTER)
	assert.Equal(t, "0", un.Get(sipmsg.HdrExpires))
	cs, _ := un.Contacts()
	e, _ := cs[0].Expires()
	assert.Equal(t, 0, e)
	h.reply(un, 200)
	select {
	case err := <-stopped:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return")
	}
	h.expectEvent("unregistered")
	assert.Equal(t, 0, h.clk.Waiters(), "no timer left armed")
	assert.ErrorIs(t, h.ua.Register(context.Background()), ErrStopped)
}

func TestUnregister_StopsRefreshing(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Register = true })
	h.connect()
	r := h.expect(sipmsg.REGISTER)
	h.reply(r, 200, okWithContact(r, "300"))
	h.expectEvent("registered")
	require.NoError(t, h.ua.Unregister(context.Background()))
	un := h.expect(sipmsg.REGISTER)
	assert.Equal(t, "0", un.Get(sipmsg.HdrExpires))
	h.reply(un, 200)
	h.expectEvent("unregistered")
	h.advance(time.Hour)
	h.nothingSent()
	// A reconnect does not register again either.
	h.tr.disconnect()
	h.connect()
	h.nothingSent()
}

func TestNew_RefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{URI: "alice"}, {URI: "tel:+123"}, {URI: "sip:pbx.test"},
		{URI: "sip:a@b", Password: "x\r\ny"}, {URI: "sip:a@b", DisplayName: "a\nb"},
		{URI: "sip:a@b", InstanceID: "not-a-uuid"},
	} {
		cfg.Transport = newMemTransport()
		_, err := New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

func TestRegister_WithHA1InsteadOfPassword(t *testing.T) {
	ha1, err := digest.HA1(digest.MD5, "200", "pbx.test", testPassword)
	require.NoError(t, err)
	h := newHarness(t, func(c *Config) { c.Register = true; c.Password = ""; c.HA1 = ha1 })
	h.connect()
	r1 := h.expect(sipmsg.REGISTER)
	h.reply(r1, 401, challenge("pbx.test", "n1", false))
	verifyAuth(t, h.expect(sipmsg.REGISTER), sipmsg.HdrAuthorization)
}

func TestTrace_LogsMessagesWithoutCredentials(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	h := newHarness(t, func(c *Config) {
		c.Register = true
		c.Trace = true
		c.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	h.connect()
	r1 := h.expect(sipmsg.REGISTER)
	h.reply(r1, 401, challenge("pbx.test", "n1", false))
	r2 := h.expect(sipmsg.REGISTER)
	h.reply(r2, 200, okWithContact(r2, "300"))
	h.expectEvent("registered")
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	assert.Contains(t, out, "REGISTER sip:pbx.test")
	assert.Contains(t, out, "Authorization: [redacted]")
	assert.NotContains(t, out, "response=")
	assert.NotContains(t, out, testPassword)
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

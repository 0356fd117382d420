//go:build js && wasm

package jsbridge

import (
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadUAConfigDefaults(t *testing.T) {
	c, err := readUAConfig(js.Undefined(), &sipcentric{})
	require.NoError(t, err)
	assert.Equal(t, "sip.sipcentric.com", c.domain)
	assert.Equal(t, "wss://sipws.sipcentric.com", c.wsServer)
	assert.Equal(t, 300, c.registerExpires)
	assert.False(t, c.register)
	assert.False(t, c.domainGiven)

	// The Sipcentric object's options are the defaults; the config wins.
	s := &sipcentric{wsServer: "ws://127.0.0.1:8080/ws", domain: "devpbx.local", debug: true}
	c, err = readUAConfig(jsEval(`{register: true, customerId: 1001, extensionId: '2001', registerExpires: 120, debug: false}`), s)
	require.NoError(t, err)
	assert.Equal(t, "ws://127.0.0.1:8080/ws", c.wsServer)
	assert.Equal(t, "devpbx.local", c.domain)
	assert.True(t, c.domainGiven)
	assert.True(t, c.register)
	assert.Equal(t, "1001", c.customerID)
	assert.Equal(t, "2001", c.extensionID)
	assert.Equal(t, 120, c.registerExpires)
	assert.False(t, c.debug)
}

func TestReadUAConfigMedia(t *testing.T) {
	c, err := readUAConfig(jsEval(`{
		pcConfig: {iceServers: [{urls: 'stun:127.0.0.1:3478'}, {urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c'}]},
		iceGatheringTimeout: 750,
	}`), &sipcentric{})
	require.NoError(t, err)
	require.Len(t, c.media.ICEServers, 2)
	assert.Equal(t, []string{"stun:127.0.0.1:3478"}, c.media.ICEServers[0].URLs)
	assert.Equal(t, "u", c.media.ICEServers[1].Username)
	assert.Equal(t, "c", c.media.ICEServers[1].Credential)
	assert.Equal(t, 750*time.Millisecond, c.media.ICEGatherTimeout)
}

func TestReadUAConfigRefusesBadInput(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`"register"`, "config must be an object"},
		{`{registerExpires: -1}`, "registerExpires"},
		{`{registerExpires: NaN}`, "registerExpires"},
		{`{iceServers: {urls: 'stun:x'}}`, "iceServers must be an array"},
		{`{iceServers: ['stun:x']}`, "iceServers[0] must be an object"},
		{`{iceServers: [{}]}`, "iceServers[0].urls is missing"},
	} {
		_, err := readUAConfig(jsEval(tc.config), &sipcentric{})
		if assert.Error(t, err, tc.config) {
			assert.Contains(t, err.Error(), tc.want, tc.config)
		}
	}
}

func TestGetUARejectsWithoutSettingUp(t *testing.T) {
	sc := SipcentricConstructor().New(jsEval(`{username: 'u', password: 'p', baseUrl: 'http://127.0.0.1:9/api/v1'}`))
	start := liveFuncs() // after the module-wide prototypes exist
	got := await(t, sc.Call("getUA", jsEval(`{registerExpires: 0}`)))
	require.True(t, got.rejected)
	assert.Contains(t, got.value.Get("message").String(), "registerExpires")

	// Bad options do not throw, they reject; so does a foreign this.
	got = await(t, sc.Get("getUA").Call("call", jsEval(`{}`)))
	require.True(t, got.rejected)
	assert.Contains(t, got.value.Get("message").String(), "not one")
	assert.Equal(t, start, liveFuncs(), "no js.Func left behind")
}

func TestCallOptionsExtraHeaders(t *testing.T) {
	p := &phone{}
	co, err := p.callOptions(jsEval(`{extraHeaders: ['X-A: 1', 'X-B:2'], sessionTimersExpires: 120, noAnswerTimeout: 5000}`))
	require.NoError(t, err)
	require.Len(t, co.ExtraHeaders, 2)
	assert.Equal(t, "X-A", co.ExtraHeaders[0].Name)
	assert.Equal(t, "1", co.ExtraHeaders[0].Value)
	assert.Equal(t, "2", co.ExtraHeaders[1].Value)
	assert.Equal(t, 120, co.SessionTimersExpires)
	assert.Equal(t, 5*time.Second, co.NoAnswerTimeout)

	for _, bad := range []string{`{extraHeaders: [42]}`, `{extraHeaders: ['no colon']}`} {
		_, err := p.callOptions(jsEval(bad))
		assert.Error(t, err, bad)
	}
}

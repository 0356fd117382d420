package restapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvent_Envelope(t *testing.T) {
	b, err := Marshal(Event{Event: "smsreceived", Location: "http://pbx.test/api/v1/customers/1001/sms/1",
		Values: map[string]any{"from": "447700900101", "excerpt": "<hi>"}})
	require.NoError(t, err)
	assert.Equal(t, `{"event":"smsreceived","location":"http://pbx.test/api/v1/customers/1001/sms/1",`+
		`"values":{"excerpt":"<hi>","from":"447700900101"}}`, string(b))

	b, err = Marshal(Event{Event: "heartbeat"})
	require.NoError(t, err)
	assert.Equal(t, Heartbeat, string(b))
}

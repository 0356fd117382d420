package restapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckSMSBody(t *testing.T) {
	assert.Empty(t, CheckSMSBody(map[string]any{"body": "hi"}))
	assert.Empty(t, CheckSMSBody(map[string]any{"body": strings.Repeat("é", MaxSMS)}))
	assert.Equal(t, []FieldError{{"body", "may not be empty"}}, CheckSMSBody(map[string]any{"body": " "}))
	assert.Equal(t, []FieldError{{"body", "may not be empty"}}, CheckSMSBody(map[string]any{}))
	assert.Equal(t, []FieldError{{"body", "size must be between 1 and 612"}},
		CheckSMSBody(map[string]any{"body": strings.Repeat("x", MaxSMS+1)}))
}

func TestMarkSent_PartsAndCost(t *testing.T) {
	for n, parts := range map[int]int{1: 1, 160: 1, 161: 2, 306: 2, 307: 3, 612: 4} {
		f := map[string]any{"body": "kept"}
		MarkSent(f, strings.Repeat("x", n))
		assert.Equal(t, map[string]any{"body": "kept", "direction": "OUT", "sendStatus": "SENT",
			"deliveryStatus": "DELIVERED", "creditsUsed": parts, "cost": 0.04 * float64(parts)}, f, "%d characters", n)
	}
}

func TestIncomingSMS(t *testing.T) {
	assert.Equal(t, map[string]any{"direction": "IN", "from": "447700900101", "to": "447700900201", "body": "hi",
		"sendStatus": nil, "deliveryStatus": nil, "cost": 0.0, "creditsUsed": 0},
		IncomingSMS("447700900101", "447700900201", "hi"))
}

func TestSMSReceived_Excerpt(t *testing.T) {
	assert.Equal(t, map[string]any{"from": "1", "to": "2", "excerpt": "short"}, SMSReceived("1", "2", "short"))
	long := strings.Repeat("ü", 40)
	assert.Equal(t, long, SMSReceived("1", "2", long)["excerpt"])
	assert.Equal(t, long+"…", SMSReceived("1", "2", long+"more")["excerpt"])
}

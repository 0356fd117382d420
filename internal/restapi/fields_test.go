package restapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckPhoneStatus(t *testing.T) {
	assert.Empty(t, CheckPhoneStatus(map[string]any{"dndActive": true}))
	assert.Empty(t, CheckPhoneStatus(map[string]any{"dndActive": false, "other": 1}))
	for _, obj := range []map[string]any{{}, {"dndActive": "true"}, {"dndActive": nil}} {
		assert.Equal(t, []FieldError{{"dndActive", "must be true or false"}}, CheckPhoneStatus(obj), "%v", obj)
	}
}

func TestEmptyString(t *testing.T) {
	for v, want := range map[any]bool{nil: true, "": true, "  ": true, 3: true, "a": false} {
		assert.Equal(t, want, EmptyString(v), "%#v", v)
	}
}

func TestIsInteger(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{json.Number("3"), true},
		{json.Number("3.5"), false},
		{3, true},
		{int64(3), true},
		{3.0, true},
		{3.5, false},
		{"3", false},
		{nil, false},
	} {
		assert.Equal(t, tc.want, IsInteger(tc.v), "%#v", tc.v)
	}
}

func TestDigits_InternationalUKNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"07700 900101":    "447700900101",
		"+44 7700 900101": "447700900101",
		"0044 7700900101": "447700900101",
		"201":             "201",
		"1-800-555":       "1800555",
	} {
		assert.Equal(t, want, Digits(in), in)
	}
}

package restapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeObject(t *testing.T) {
	obj, rep := DecodeObject([]byte(`{"name":"A","speedDial":12345678901234567890}`))
	require.Nil(t, rep)
	assert.Equal(t, "A", obj["name"])
	assert.Equal(t, json.Number("12345678901234567890"), obj["speedDial"])

	for _, body := range []string{``, `{`, `[]`, `null`, `"x"`, `{} {}`, `{}x`} {
		_, rep := DecodeObject([]byte(body))
		require.NotNil(t, rep, body)
		assert.Equal(t, http.StatusBadRequest, rep.Status, body)
		assert.Contains(t, string(rep.Body), `"code":"BAD_REQUEST"`, body)
		assert.Contains(t, string(rep.Body), "invalid JSON in request body", body)
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

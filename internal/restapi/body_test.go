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

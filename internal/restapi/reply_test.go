package restapi

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReply_WriteSetsHeadersLengthAndBody(t *testing.T) {
	rec := httptest.NewRecorder()
	rep := &Reply{Status: http.StatusCreated, ContentType: ContentTypeJSON, Body: []byte(`{}`),
		Header: http.Header{"Location": {"http://pbx.test/api/v1/x/1"}}}
	rep.Write(rec)
	assert.Equal(t, http.StatusCreated, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, "2", rec.Header().Get("Content-Length"))
	assert.Equal(t, "http://pbx.test/api/v1/x/1", rec.Header().Get("Location"))
	assert.Equal(t, `{}`, rec.Body.String())
}

func TestReply_WriteWithoutBodyHasNoLength(t *testing.T) {
	rec := httptest.NewRecorder()
	(&Reply{Status: http.StatusNoContent}).Write(rec)
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Empty(t, rec.Header().Get("Content-Length"))
	assert.Empty(t, rec.Header().Get("Content-Type"))
}

func TestMarshal_KeepsHTMLAndDropsNewline(t *testing.T) {
	b, err := Marshal(map[string]string{"a": "<b>&"})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"<b>&"}`, string(b))
}

func TestJSON_UnencodableIsInternalError(t *testing.T) {
	rep := JSON(http.StatusOK, math.NaN())
	assert.Equal(t, http.StatusInternalServerError, rep.Status)
	assert.JSONEq(t, `{"errors":[{"code":"INTERNAL","message":"cannot encode the response"}]}`, string(rep.Body))
}

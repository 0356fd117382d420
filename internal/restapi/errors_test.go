package restapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrors_BodiesAndStatuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rep    *Reply
		status int
		body   string
	}{
		{"Error", Error(http.StatusBadRequest, "CALL_FAILED", "cannot call %s", "201"), 400,
			`{"errors":[{"code":"CALL_FAILED","message":"cannot call 201"}]}`},
		{"BadRequest", BadRequest("bad %d", 1), 400, `{"errors":[{"code":"BAD_REQUEST","message":"bad 1"}]}`},
		{"NotFound", NotFound("/api/v1/x"), 404, `{"errors":[{"code":"NOT_FOUND","message":"no resource at /api/v1/x"}]}`},
		{"MethodNotAllowed", MethodNotAllowed("PATCH", []string{"GET", "POST"}), 405,
			`{"errors":[{"code":"METHOD_NOT_ALLOWED","message":"PATCH is not allowed here"}]}`},
		{"Unauthorized", Unauthorized("pbx", true), 401,
			`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`},
		{"Validation", Validation([]FieldError{Invalid("name", "may not be empty")}), 400,
			`{"validationErrors":[{"field":"name","message":"may not be empty"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.status, tc.rep.Status)
			assert.Equal(t, ContentTypeJSON, tc.rep.ContentType)
			assert.Equal(t, tc.body, string(tc.rep.Body)) // byte for byte: the order of code and message
		})
	}
}

func TestMethodNotAllowed_ListsAllowedMethods(t *testing.T) {
	assert.Equal(t, "GET, PUT, DELETE", MethodNotAllowed("POST", []string{"GET", "PUT", "DELETE"}).Header.Get("Allow"))
}

func TestUnauthorized_ChallengeKeepsTheAPISpelling(t *testing.T) {
	rec := httptest.NewRecorder()
	Unauthorized("devpbx", true).Write(rec)
	assert.Equal(t, []string{`Basic realm="devpbx"`}, rec.Header()["WWW-Authenticate"])

	assert.Empty(t, Unauthorized("devpbx", false).Header)
}

func TestWantsChallenge_UnlessTheClientSaysFalse(t *testing.T) {
	for v, want := range map[string]bool{"": true, "true": true, "false": false, "FALSE": false} {
		r := httptest.NewRequest("GET", "/api/v1/customers", nil)
		if v != "" {
			r.Header.Set("X-WWW-Authenticate", v)
		}
		assert.Equal(t, want, WantsChallenge(r), "X-WWW-Authenticate: %q", v)
	}
}

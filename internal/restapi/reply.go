package restapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentTypeJSON is the content type of every JSON body the API writes.
const ContentTypeJSON = "application/json"

// Reply is a response computed before it is written, so that a server can
// compute it under a lock and write it after.
type Reply struct {
	Status      int
	ContentType string // none when empty
	Body        []byte // with a Content-Length when not nil
	Header      http.Header
}

// Write writes the reply: its headers, then the status and body.
func (rep *Reply) Write(w http.ResponseWriter) {
	for k, v := range rep.Header {
		w.Header()[k] = v
	}
	if rep.ContentType != "" {
		w.Header().Set("Content-Type", rep.ContentType)
	}
	if rep.Body != nil {
		w.Header().Set("Content-Length", strconv.Itoa(len(rep.Body)))
	}
	w.WriteHeader(rep.Status)
	_, _ = w.Write(rep.Body)
}

// Marshal encodes v as JSON without HTML escaping and without a trailing
// newline.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// internalBody answers a reply whose body cannot be encoded.
const internalBody = `{"errors":[{"code":"` + CodeInternal + `","message":"cannot encode the response"}]}`

// JSON is a reply with v as its JSON body, or a 500 INTERNAL error when v
// cannot be encoded.
func JSON(status int, v any) *Reply {
	b, err := Marshal(v)
	if err != nil {
		return &Reply{Status: http.StatusInternalServerError, ContentType: ContentTypeJSON, Body: []byte(internalBody)}
	}
	return &Reply{Status: status, ContentType: ContentTypeJSON, Body: b}
}

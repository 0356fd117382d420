package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// MaxBody is the size of the largest request body the API reads.
const MaxBody = 1 << 20

// DecodeObject parses a request body that must be one JSON object, with
// numbers as json.Number; otherwise it answers 400 BAD_REQUEST.
func DecodeObject(body []byte) (map[string]any, *Reply) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	err := dec.Decode(&obj)
	if err == nil && dec.Decode(new(any)) != io.EOF {
		err = errors.New("trailing data after the JSON object")
	}
	if err == nil && obj == nil {
		err = errors.New("the body must be a JSON object")
	}
	if err != nil {
		return nil, BadRequest("invalid JSON in request body: %v", err)
	}
	return obj, nil
}

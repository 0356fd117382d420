package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
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

// EmptyString reports whether a field is missing, not a string, or blank.
func EmptyString(v any) bool {
	s, ok := v.(string)
	return !ok || strings.TrimSpace(s) == ""
}

// IsInteger reports whether a field is a whole number: a json.Number of
// an int64, an int or int64, or a float64 without a fraction.
func IsInteger(v any) bool {
	switch n := v.(type) {
	case json.Number:
		_, err := n.Int64()
		return err == nil
	case int, int64:
		return true
	case float64:
		return n == float64(int64(n))
	}
	return false
}

// Digits normalises a UK telephone number to international digits, as the
// API stores numbers: "07700 900101" and "+44 7700 900101" are both
// "447700900101".
func Digits(n string) string {
	var b strings.Builder
	for _, r := range n {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "0") && !strings.HasPrefix(d, "00") {
		d = "44" + d[1:]
	}
	return strings.TrimPrefix(d, "00")
}

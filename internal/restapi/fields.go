package restapi

import (
	"encoding/json"
	"strings"
)

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

// CheckPhoneStatus checks a phonestatus object: dndActive must be true or
// false.
func CheckPhoneStatus(obj map[string]any) []FieldError {
	if _, ok := obj["dndActive"].(bool); !ok {
		return []FieldError{Invalid("dndActive", "must be true or false")}
	}
	return nil
}

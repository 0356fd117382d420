package restapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchPath(t *testing.T) {
	split := func(p string) []string { return strings.Split(p, "/") }
	for _, tc := range []struct {
		pattern string
		single  bool
		path    string
		want    Match
	}{
		{"customers/*/phonebook", false, "customers/1001/phonebook", MatchList},
		{"customers/*/phonebook", false, "customers/1001/phonebook/6101", MatchItem},
		{"customers/*/phonebook", false, "customers/1001/phonebook/6101/x", NoMatch},
		{"customers/*/phonebook", false, "customers/1001", NoMatch},
		{"customers/*/phonebook", false, "customers/1001/sms", NoMatch},
		{"customers/*/billing", true, "customers/1001/billing", MatchSingle},
		{"customers/*/billing", true, "customers/1001/billing/1", NoMatch},
		{"customers", false, "customers", MatchList},
		{"customers", false, "customers/1001", MatchItem},
	} {
		assert.Equal(t, tc.want, MatchPath(split(tc.pattern), tc.single, split(tc.path)), "%s ~ %s", tc.pattern, tc.path)
	}
}

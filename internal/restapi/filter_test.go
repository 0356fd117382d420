package restapi

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type item map[string]string

func itemFilter(q string) *Filter[item] {
	v, _ := url.ParseQuery(q)
	field := func(it item, name string) string { return it[name] }
	when := func(it item, name string) (time.Time, bool) {
		t, err := time.Parse(time.RFC3339, it[name])
		return t, err == nil
	}
	return NewFilter(v, field, when)
}

var items = []item{
	{"id": "1", "direction": "IN", "created": "2024-03-06T10:00:00Z"},
	{"id": "2", "direction": "OUT", "created": "2024-03-07T10:00:00Z"},
	{"id": "3", "direction": "out", "created": "not a time"},
}

func kept(t *testing.T, f *Filter[item]) []string {
	t.Helper()
	keep, err := f.Done()
	require.NoError(t, err)
	var ids []string
	for _, it := range items {
		if keep(it) {
			ids = append(ids, it["id"])
		}
	}
	return ids
}

func TestFilter_Conditions(t *testing.T) {
	for q, want := range map[string][]string{
		"":                                     {"1", "2", "3"},
		"direction=out":                        {"2", "3"},
		"createdAfter=2024-03-07":              {"2"},
		"createdBefore=2024-03-07T00:00:00":    {"1"},
		"createdAfter=2024-03-06T12:00:00Z":    {"2"},
		"direction=in&createdAfter=2024-03-07": nil,
	} {
		f := itemFilter(q)
		f.Direction("direction", "direction")
		f.Time("createdAfter", "created", true)
		f.Time("createdBefore", "created", false)
		assert.Equal(t, want, kept(t, f), q)
	}
}

func TestFilter_KeepAndBool(t *testing.T) {
	f := itemFilter("odd=true")
	if odd, given := f.Bool("odd"); given && odd {
		f.Keep(func(it item) bool { return it["id"] != "2" })
	}
	assert.Equal(t, []string{"1", "3"}, kept(t, f))
}

func TestFilter_FirstMalformedParameterIsTheError(t *testing.T) {
	f := itemFilter("createdAfter=yesterday&direction=sideways&flag=maybe")
	f.Time("createdAfter", "created", true)
	f.Direction("direction", "direction")
	f.Bool("flag")
	_, err := f.Done()
	assert.EqualError(t, err, `createdAfter: not an ISO 8601 date: "yesterday"`)

	f = itemFilter("direction=sideways")
	f.Direction("direction", "direction")
	_, err = f.Done()
	assert.EqualError(t, err, `direction must be in or out, got "sideways"`)

	f = itemFilter("flag=maybe")
	f.Bool("flag")
	_, err = f.Done()
	assert.EqualError(t, err, `flag must be true or false, got "maybe"`)
}

func TestParseTime(t *testing.T) {
	for _, v := range []string{"2024-03-07T09:00:00Z", "2024-03-07T10:00:00+01:00", "2024-03-07T09:00:00"} {
		got, err := ParseTime(v)
		require.NoError(t, err, v)
		assert.True(t, got.Equal(time.Date(2024, 3, 7, 9, 0, 0, 0, time.UTC)), v)
	}
	_, err := ParseTime("2024-03-07")
	assert.NoError(t, err)
	_, err = ParseTime("07/03/2024")
	assert.Error(t, err)
}

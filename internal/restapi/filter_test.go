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
	return NewFilter(v, itemFields)
}

var itemFields = Fields[item]{
	Str: func(it item, name string) string { return it[name] },
	Time: func(it item, name string) (time.Time, bool) {
		t, err := time.Parse(time.RFC3339, it[name])
		return t, err == nil
	},
	RefID: func(it item, name string) string { return it[name] },
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

func TestCallFilter(t *testing.T) {
	calls := []item{
		{"id": "1", "created": "2024-03-06T10:00:00Z", "callStarted": "2024-03-06T10:00:00Z", "from": "201",
			"to": "447700900555", "direction": "OUT", "scope": "EXTERNAL", "srcEndpoint": "2001"},
		{"id": "2", "created": "2024-03-07T10:00:00Z", "callStarted": "2024-03-07T10:00:00Z", "from": "202",
			"to": "201", "direction": "OUT", "scope": "LOCAL", "srcEndpoint": "2002", "dstEndpoint": "2001"},
		{"id": "3", "created": "2024-03-08T10:00:00Z", "callStarted": "2024-03-08T09:00:00Z", "from": "447700900555",
			"to": "201", "direction": "IN", "scope": "EXTERNAL", "dstEndpoint": "2001"},
	}
	for q, want := range map[string][]string{
		"":                                   {"1", "2", "3"},
		"createdAfter=2024-03-07":            {"2", "3"},
		"createdBefore=2024-03-07":           {"1"},
		"startedAfter=2024-03-08T09:30:00Z":  nil,
		"startedBefore=2024-03-08T09:30:00Z": {"1", "2", "3"},
		"from=447700900555":                  {"3"},
		"to=201":                             {"2", "3"},
		"direction=in":                       {"3"},
		"includeLocal=false":                 {"1", "3"},
		"includeLocal=true":                  {"1", "2", "3"},
		"endpointId=2001":                    {"1", "2", "3"},
		"endpointId=2002":                    {"2"},
		"direction=out&includeLocal=false":   {"1"},
	} {
		v, _ := url.ParseQuery(q)
		keep, err := CallFilter(v, itemFields)
		require.NoError(t, err, q)
		var ids []string
		for _, c := range calls {
			if keep(c) {
				ids = append(ids, c["id"])
			}
		}
		assert.Equal(t, want, ids, q)
	}
	for _, q := range []string{"startedAfter=yesterday", "direction=sideways", "includeLocal=maybe"} {
		v, _ := url.ParseQuery(q)
		_, err := CallFilter(v, itemFields)
		assert.Error(t, err, q)
	}
}

func TestRecordingFilter(t *testing.T) {
	v := url.Values{"linkedId": {"L1"}}
	keep, err := RecordingFilter(v, itemFields)
	require.NoError(t, err)
	assert.True(t, keep(item{"linkedId": "l1"}))
	assert.False(t, keep(item{"linkedId": "L2"}))
}

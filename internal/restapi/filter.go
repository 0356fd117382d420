package restapi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Fields reads the fields of a list's items, of type R, for filters.
type Fields[R any] struct {
	// Str returns a field as a string, "" when it is not one.
	Str func(item R, name string) string
	// Time returns a time field, false when the item has none.
	Time func(item R, name string) (time.Time, bool)
	// RefID returns the id of the resource a relation field points at,
	// "" when none.
	RefID func(item R, name string) string
}

// Filter builds the predicate of a list's filter parameters (?from=,
// ?createdAfter=, ...) over items of type R. Its methods add conditions
// from the query; the first malformed parameter is the error of Done.
type Filter[R any] struct {
	q      url.Values
	fields Fields[R]
	err    error
	keep   []func(R) bool
}

// NewFilter starts a filter for the query q.
func NewFilter[R any](q url.Values, fields Fields[R]) *Filter[R] {
	return &Filter[R]{q: q, fields: fields}
}

// CallFilter is the filter of a list of calls: createdAfter,
// createdBefore, startedAfter and startedBefore (ISO 8601 dates), from,
// to, direction (in or out), includeLocal (false leaves out calls of
// LOCAL scope) and endpointId (calls from or to that endpoint).
func CallFilter[R any](q url.Values, fields Fields[R]) (func(R) bool, error) {
	f := NewFilter(q, fields)
	f.Time("createdAfter", "created", true)
	f.Time("createdBefore", "created", false)
	f.Time("startedAfter", "callStarted", true)
	f.Time("startedBefore", "callStarted", false)
	f.Equal("from", "from")
	f.Equal("to", "to")
	f.Direction("direction", "direction")
	if include, given := f.Bool("includeLocal"); given && !include {
		f.Keep(func(it R) bool { return fields.Str(it, "scope") != "LOCAL" })
	}
	if id := q.Get("endpointId"); id != "" {
		f.Keep(func(it R) bool { return fields.RefID(it, "srcEndpoint") == id || fields.RefID(it, "dstEndpoint") == id })
	}
	return f.Done()
}

// RecordingFilter is the filter of a list of recordings: linkedId and
// callId.
func RecordingFilter[R any](q url.Values, fields Fields[R]) (func(R) bool, error) {
	f := NewFilter(q, fields)
	f.Equal("linkedId", "linkedId")
	f.Equal("callId", "callId")
	return f.Done()
}

// Keep adds a condition.
func (f *Filter[R]) Keep(cond func(R) bool) { f.keep = append(f.keep, cond) }

// Fail records a malformed parameter, unless one was recorded before.
func (f *Filter[R]) Fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf(format, args...)
	}
}

// Equal keeps items whose field equals the parameter, case-insensitively,
// when the parameter is given.
func (f *Filter[R]) Equal(param, field string) {
	if v := f.q.Get(param); v != "" {
		f.Keep(func(it R) bool { return strings.EqualFold(f.fields.Str(it, field), v) })
	}
}

// Direction checks that the parameter, when given, is in or out (in any
// case), and keeps items whose field equals it.
func (f *Filter[R]) Direction(param, field string) {
	if d := f.q.Get(param); d != "" && !strings.EqualFold(d, "in") && !strings.EqualFold(d, "out") {
		f.Fail("%s must be in or out, got %q", param, d)
	}
	f.Equal(param, field)
}

// Bool reads a true/false parameter, reporting whether it was given.
func (f *Filter[R]) Bool(param string) (value, given bool) {
	v := f.q.Get(param)
	if v == "" {
		return false, false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		f.Fail("%s must be true or false, got %q", param, v)
	}
	return b, true
}

// Time keeps items whose time field is after (or, with after false,
// before) the parameter, an ISO 8601 date, when it is given.
func (f *Filter[R]) Time(param, field string, after bool) {
	v := f.q.Get(param)
	if v == "" {
		return
	}
	t, err := ParseTime(v)
	if err != nil {
		f.Fail("%s: %v", param, err)
		return
	}
	f.Keep(func(it R) bool {
		rt, ok := f.fields.Time(it, field)
		return ok && (after && rt.After(t) || !after && rt.Before(t))
	})
}

// Done returns the predicate that keeps the items meeting every condition,
// or the error of the first malformed parameter.
func (f *Filter[R]) Done() (func(R) bool, error) {
	if f.err != nil {
		return nil, f.err
	}
	keep := f.keep
	return func(it R) bool {
		for _, cond := range keep {
			if !cond(it) {
				return false
			}
		}
		return true
	}, nil
}

// ParseTime reads an ISO 8601 date as list filters take it: with a time
// and zone, with a time, or a date alone.
func ParseTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date: %q", v)
}

//go:build !js

package api

import (
	"net/url"
	"time"

	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/internal/restapi"
)

// listReply answers GET of a collection: one page of its (filtered) items.
func (a *API) listReply(c *request, res *resource, listPath string, all []*store.Record) *restapi.Reply {
	page, err := restapi.ParsePage(c.query)
	if err != nil {
		return restapi.BadRequest("%v", err)
	}
	keep := func(*store.Record) bool { return true }
	if res.filter != nil {
		if keep, err = res.filter(c.query); err != nil {
			return restapi.BadRequest("%v", err)
		}
	}
	var items []*store.Record
	for _, rec := range all {
		switch {
		case res.TypeFilter && c.query.Has("type") && c.query.Get("type") != rec.Type:
		case !keep(rec):
		default:
			items = append(items, rec)
		}
	}
	render := func(rec *store.Record) any { return a.render(c, rec) }
	// Links name the list with a trailing slash, as the API's do; past
	// the end, prevPage points at the last page.
	last := page.Last(len(items))
	link := func(n int) string {
		return restapi.PageURL(c.base+listPath+"/", c.query, min(n, last), page.Size)
	}
	return restapi.ListReply(page, items, render, link)
}

// newFilter starts a filter of records for the query q; the time field
// "created" is the record's creation time.
func newFilter(q url.Values) *restapi.Filter[*store.Record] {
	field := func(r *store.Record, name string) string { return r.Str(name) }
	when := func(r *store.Record, name string) (time.Time, bool) {
		if name == "created" {
			return r.Created, true
		}
		t, err := time.Parse(store.TimeFormat, r.Str(name))
		return t, err == nil
	}
	return restapi.NewFilter(q, field, when)
}

func callFilter(q url.Values) (func(*store.Record) bool, error) {
	f := newFilter(q)
	f.Time("createdAfter", "created", true)
	f.Time("createdBefore", "created", false)
	f.Time("startedAfter", "callStarted", true)
	f.Time("startedBefore", "callStarted", false)
	f.Equal("from", "from")
	f.Equal("to", "to")
	f.Direction("direction", "direction")
	if include, given := f.Bool("includeLocal"); given && !include {
		f.Keep(func(r *store.Record) bool { return r.Str("scope") != "LOCAL" })
	}
	if id := q.Get("endpointId"); id != "" {
		f.Keep(func(r *store.Record) bool {
			return store.LastSegment(r.Rel("srcEndpoint")) == id || store.LastSegment(r.Rel("dstEndpoint")) == id
		})
	}
	return f.Done()
}

func recordingFilter(q url.Values) (func(*store.Record) bool, error) {
	f := newFilter(q)
	f.Equal("linkedId", "linkedId")
	f.Equal("callId", "callId")
	return f.Done()
}

func smsFilter(q url.Values) (func(*store.Record) bool, error) {
	f := newFilter(q)
	f.Direction("direction", "direction")
	f.Time("createdAfter", "created", true)
	f.Time("createdBefore", "created", false)
	return f.Done()
}

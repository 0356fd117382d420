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
		if keep, err = res.filter(c.query, recordFields); err != nil {
			return restapi.BadRequest("%v", err)
		}
	}
	var items []*store.Record
	for _, rec := range all {
		switch {
		case !res.Selects(c.query, rec.Type):
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

// recordFields reads records for list filters; the time field "created"
// is the record's creation time.
var recordFields = restapi.Fields[*store.Record]{
	Str: (*store.Record).Str,
	Time: func(r *store.Record, name string) (time.Time, bool) {
		if name == "created" {
			return r.Created, true
		}
		t, err := time.Parse(store.TimeFormat, r.Str(name))
		return t, err == nil
	},
	RefID: func(r *store.Record, name string) string { return store.LastSegment(r.Rel(name)) },
}

// smsFilter is the filter of a list of messages: direction (in or out),
// createdAfter and createdBefore.
func smsFilter(q url.Values, fields restapi.Fields[*store.Record]) (func(*store.Record) bool, error) {
	f := restapi.NewFilter(q, fields)
	f.Direction("direction", "direction")
	f.Time("createdAfter", "created", true)
	f.Time("createdBefore", "created", false)
	return f.Done()
}

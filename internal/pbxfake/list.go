package pbxfake

import (
	"net/url"
	"time"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

// listReply answers GET of a collection: one page of its (filtered) items.
func (s *Server) listReply(c *call, res *resource, listPath string) *restapi.Reply {
	page, err := restapi.ParsePage(c.query)
	if err != nil {
		return restapi.BadRequest("%v", err)
	}
	keep := func(*record) bool { return true }
	if res.filter != nil {
		if keep, err = res.filter(c.query); err != nil {
			return restapi.BadRequest("%v", err)
		}
	}
	var items []*record
	for _, rec := range s.st.members(listPath) {
		switch {
		case listPath == "/customers" && !c.user.sees(rec.id()):
		case res.TypeFilter && c.query.Has("type") && c.query.Get("type") != rec.typ():
		case !keep(rec):
		default:
			items = append(items, rec)
		}
	}
	render := func(rec *record) any { return rec.render(c.base, c.relIDs) }
	link := func(n int) string {
		return restapi.PageURL(c.base+listPath, c.query, n, page.Size, "tokenid")
	}
	return restapi.ListReply(page, items, render, link)
}

// newFilter starts a filter of records for the query q.
func newFilter(q url.Values) *restapi.Filter[*record] {
	field := func(r *record, name string) string { return r.str(name) }
	when := func(r *record, name string) (time.Time, bool) {
		t, err := time.Parse(timeFormat, r.str(name))
		return t, err == nil
	}
	return restapi.NewFilter(q, field, when)
}

func callFilter(q url.Values) (func(*record) bool, error) {
	f := newFilter(q)
	f.Time("createdAfter", "created", true)
	f.Time("createdBefore", "created", false)
	f.Time("startedAfter", "callStarted", true)
	f.Time("startedBefore", "callStarted", false)
	f.Equal("from", "from")
	f.Equal("to", "to")
	f.Direction("direction", "direction")
	if include, given := f.Bool("includeLocal"); given && !include {
		f.Keep(func(r *record) bool { return r.str("scope") != "LOCAL" })
	}
	if id := q.Get("endpointId"); id != "" {
		f.Keep(func(r *record) bool {
			return lastSegment(r.rel("srcEndpoint")) == id || lastSegment(r.rel("dstEndpoint")) == id
		})
	}
	return f.Done()
}

func recordingFilter(q url.Values) (func(*record) bool, error) {
	f := newFilter(q)
	f.Equal("linkedId", "linkedId")
	f.Equal("callId", "callId")
	return f.Done()
}

func smsFilter(q url.Values) (func(*record) bool, error) {
	f := newFilter(q)
	f.Equal("direction", "direction")
	f.Time("createdAfter", "created", true)
	f.Time("createdBefore", "created", false)
	return f.Done()
}

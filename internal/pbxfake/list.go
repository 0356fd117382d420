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
		if keep, err = res.filter(c.query, recordFields); err != nil {
			return restapi.BadRequest("%v", err)
		}
	}
	var items []*record
	for _, rec := range s.st.members(listPath) {
		switch {
		case listPath == "/customers" && !c.user.sees(rec.id()):
		case !res.Selects(c.query, rec.typ()):
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

// recordFields reads records for list filters.
var recordFields = restapi.Fields[*record]{
	Str: (*record).str,
	Time: func(r *record, name string) (time.Time, bool) {
		t, err := time.Parse(timeFormat, r.str(name))
		return t, err == nil
	},
	RefID: func(r *record, name string) string { return lastSegment(r.rel(name)) },
}

// smsFilter is the filter of a list of messages: direction (any value),
// createdAfter and createdBefore.
func smsFilter(q url.Values, fields restapi.Fields[*record]) (func(*record) bool, error) {
	f := restapi.NewFilter(q, fields)
	f.Equal("direction", "direction")
	f.Time("createdAfter", "created", true)
	f.Time("createdBefore", "created", false)
	return f.Done()
}

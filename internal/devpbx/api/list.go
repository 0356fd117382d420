//go:build !js

package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/internal/devpbx/store"
)

const (
	defaultPageSize = 20
	maxPageSize     = 200
)

// listReply answers GET of a collection: one page of its (filtered) items.
func (a *API) listReply(c *request, res *resource, listPath string, all []*store.Record) *reply {
	size, err := intParam(c.query, "pageSize", defaultPageSize, 1, maxPageSize)
	if err != nil {
		return badRequest("%v", err)
	}
	page, err := intParam(c.query, "page", 1, 1, 1<<30)
	if err != nil {
		return badRequest("%v", err)
	}
	keep := func(*store.Record) bool { return true }
	if res.filter != nil {
		if keep, err = res.filter(c.query); err != nil {
			return badRequest("%v", err)
		}
	}
	var items []*store.Record
	for _, rec := range all {
		switch {
		case res.typeFilter && c.query.Has("type") && c.query.Get("type") != rec.Type:
		case !keep(rec):
		default:
			items = append(items, rec)
		}
	}

	total := len(items)
	start, end := min((page-1)*size, total), min(page*size, total)
	rendered := make([]any, 0, end-start)
	for _, rec := range items[start:end] {
		rendered = append(rendered, a.render(c, rec))
	}
	body := map[string]any{"totalItems": total, "pageSize": size, "page": page, "items": rendered}
	if page > 1 {
		body["prevPage"] = pageURL(c, listPath, min(page-1, max((total+size-1)/size, 1)), size)
	}
	if page*size < total {
		body["nextPage"] = pageURL(c, listPath, page+1, size)
	}
	return jsonReply(http.StatusOK, body)
}

// pageURL is the absolute URL of another page of the same list, keeping
// the request's other query parameters.
func pageURL(c *request, listPath string, page, size int) string {
	q := url.Values{}
	for k, v := range c.query {
		if k != "_method" {
			q[k] = v
		}
	}
	q.Set("page", strconv.Itoa(page))
	q.Set("pageSize", strconv.Itoa(size))
	return c.base + listPath + "/?" + q.Encode()
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer from %d to %d, got %q", name, lo, hi, q.Get(name))
	}
	return n, nil
}

// predicates collects the conditions of a filter; the first error wins.
type predicates struct {
	q    url.Values
	err  error
	keep []func(*store.Record) bool
}

func (p *predicates) add(f func(*store.Record) bool) { p.keep = append(p.keep, f) }

func (p *predicates) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

// equal keeps items whose field equals the parameter (case-insensitively).
func (p *predicates) equal(param, field string) {
	if v := p.q.Get(param); v != "" {
		p.add(func(r *store.Record) bool { return strings.EqualFold(r.Str(field), v) })
	}
}

// time keeps items whose time (the field, or created when field is "")
// is after (or before) the parameter.
func (p *predicates) time(param, field string, after bool) {
	v := p.q.Get(param)
	if v == "" {
		return
	}
	t, err := parseTime(v)
	if err != nil {
		p.fail("%s: %v", param, err)
		return
	}
	p.add(func(r *store.Record) bool {
		rt := r.Created
		if field != "" {
			var err error
			if rt, err = time.Parse(store.TimeFormat, r.Str(field)); err != nil {
				return false
			}
		}
		return after && rt.After(t) || !after && rt.Before(t)
	})
}

func (p *predicates) done() (func(*store.Record) bool, error) {
	if p.err != nil {
		return nil, p.err
	}
	return func(r *store.Record) bool {
		for _, f := range p.keep {
			if !f(r) {
				return false
			}
		}
		return true
	}, nil
}

func parseTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date: %q", v)
}

func callFilter(q url.Values) (func(*store.Record) bool, error) {
	p := &predicates{q: q}
	p.time("createdAfter", "", true)
	p.time("createdBefore", "", false)
	p.time("startedAfter", "callStarted", true)
	p.time("startedBefore", "callStarted", false)
	p.equal("from", "from")
	p.equal("to", "to")
	if d := q.Get("direction"); d != "" && !strings.EqualFold(d, "in") && !strings.EqualFold(d, "out") {
		p.fail("direction must be in or out, got %q", d)
	}
	p.equal("direction", "direction")
	if v := q.Get("includeLocal"); v != "" {
		include, err := strconv.ParseBool(v)
		if err != nil {
			p.fail("includeLocal must be true or false, got %q", v)
		}
		if !include {
			p.add(func(r *store.Record) bool { return r.Str("scope") != "LOCAL" })
		}
	}
	if id := q.Get("endpointId"); id != "" {
		p.add(func(r *store.Record) bool {
			return store.LastSegment(r.Rel("srcEndpoint")) == id || store.LastSegment(r.Rel("dstEndpoint")) == id
		})
	}
	return p.done()
}

func recordingFilter(q url.Values) (func(*store.Record) bool, error) {
	p := &predicates{q: q}
	p.equal("linkedId", "linkedId")
	p.equal("callId", "callId")
	return p.done()
}

func smsFilter(q url.Values) (func(*store.Record) bool, error) {
	p := &predicates{q: q}
	if d := q.Get("direction"); d != "" && !strings.EqualFold(d, "in") && !strings.EqualFold(d, "out") {
		p.fail("direction must be in or out, got %q", d)
	}
	p.equal("direction", "direction")
	p.time("createdAfter", "", true)
	p.time("createdBefore", "", false)
	return p.done()
}

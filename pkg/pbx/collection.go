package pbx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"strings"
)

// Collection is an accessor of the resource tree: a list such as a
// customer's phone book, or a single object such as its credit status
// (Single reports which).
type Collection struct {
	client *Client
	spec   childSpec
	path   string
	parent *Resource
	// err is set on an accessor that does not exist for its parent.
	err error
}

// Name returns the accessor's name ("phonebook").
func (c *Collection) Name() string { return c.spec.Name }

// Path returns the path relative to the API base URL.
func (c *Collection) Path() string { return c.path }

// Single reports whether the accessor holds one object rather than a list.
func (c *Collection) Single() bool { return c.spec.Single }

// Parent returns the representation the accessor belongs to (nil for the
// customers of a client).
func (c *Collection) Parent() *Resource { return c.parent }

func (c *Collection) query(params url.Values) url.Values {
	if c.spec.TypeFilter == "" {
		return params
	}
	q := url.Values{}
	maps.Copy(q, params)
	q.Set("type", c.spec.TypeFilter)
	return q
}

func (c *Collection) fail(op string) error {
	return &Error{Op: op + " " + c.spec.Name, Message: c.err.Error(), Err: c.err}
}

// item wraps a JSON object of this accessor.
func (c *Collection) item(obj map[string]any) *Resource {
	r := &Resource{client: c.client, fields: obj, typeFilter: c.spec.TypeFilter}
	if c.spec.Single {
		r.single = c.path
		r.kind = c.spec.Kind
		return r
	}
	t, _ := obj["type"].(string)
	r.kind = kindOf(c.spec, t)
	r.coll = c
	return r
}

// Get fetches one item by id ("me" works where the API allows it). For a
// single object, id must be empty.
func (c *Collection) Get(ctx context.Context, id string) (*Resource, error) {
	if c.err != nil {
		return nil, c.fail("GET")
	}
	p := c.path
	switch {
	case c.spec.Single && id != "":
		return nil, &Error{Op: "GET " + c.path, Message: c.spec.Name + " is a single object: get it without an id"}
	case !c.spec.Single:
		id = strings.Trim(strings.TrimSpace(id), "/")
		if id == "" {
			return nil, &Error{Op: "GET " + c.path, Message: "an id is needed (use List for the whole list)"}
		}
		p += url.PathEscape(id) + "/"
	}
	obj, resp, err := c.client.object(ctx, "GET", p, c.query(nil), nil)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, emptyBody("GET "+redactURL(resp.URL), resp)
	}
	r := c.item(obj)
	if !c.spec.Single && r.ID() == "" {
		r.fields["id"] = id
	}
	return r, nil
}

// Create builds a representation locally (no request); Save sends it.
func (c *Collection) Create(fields map[string]any) *Resource {
	obj := maps.Clone(fields)
	if obj == nil {
		obj = map[string]any{}
	}
	r := c.item(obj)
	if c.spec.Kind != "" {
		r.kind = c.spec.Kind
	}
	if c.err != nil {
		r.coll = nil
	}
	return r
}

// Page is one page of a list.
type Page struct {
	Items      []*Resource
	TotalItems int
	PageSize   int
	Page       int
	// NextURL and PrevURL are the server's links to the neighbour pages
	// ("" where there is none).
	NextURL string
	PrevURL string

	coll *Collection
}

// List fetches the first page (or the page params ask for: page,
// pageSize, and filters such as createdAfter), with params URL-encoded.
func (c *Collection) List(ctx context.Context, params url.Values) (*Page, error) {
	if c.err != nil {
		return nil, c.fail("GET")
	}
	if c.spec.Single {
		return nil, &Error{Op: "GET " + c.path, Message: c.spec.Name + " is a single object, not a list"}
	}
	return c.fetchPage(ctx, c.path, c.query(params))
}

func (c *Collection) fetchPage(ctx context.Context, ref string, q url.Values) (*Page, error) {
	resp, data, err := c.client.call(ctx, "GET", ref, q, nil)
	if err != nil {
		return nil, err
	}
	var body struct {
		TotalItems int              `json:"totalItems"`
		PageSize   int              `json:"pageSize"`
		Page       int              `json:"page"`
		Items      []map[string]any `json:"items"`
		NextPage   string           `json:"nextPage"`
		PrevPage   string           `json:"prevPage"`
	}
	op := "GET " + redactURL(resp.URL)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // ids and amounts keep their exact digits
	if err := dec.Decode(&body); err != nil {
		e := httpError(op, resp, data)
		e.Message, e.Err = MsgParseJSON, err
		if len(data) == 0 {
			e.Message = "empty response body"
		}
		return nil, e
	}
	p := &Page{TotalItems: body.TotalItems, PageSize: body.PageSize, Page: body.Page,
		NextURL: body.NextPage, PrevURL: body.PrevPage, coll: c, Items: make([]*Resource, 0, len(body.Items))}
	for _, obj := range body.Items {
		if obj == nil {
			e := httpError(op, resp, data)
			e.Message, e.Err = MsgParseJSON, fmt.Errorf("list item is not an object")
			return nil, e
		}
		p.Items = append(p.Items, c.item(obj))
	}
	return p, nil
}

// HasNext reports whether the server linked a next page.
func (p *Page) HasNext() bool { return p.NextURL != "" }

// HasPrev reports whether the server linked a previous page.
func (p *Page) HasPrev() bool { return p.PrevURL != "" }

// Next fetches the next page by following the server's link.
func (p *Page) Next(ctx context.Context) (*Page, error) {
	if p.NextURL == "" {
		return nil, &Error{Op: "GET next page", Message: "there is no next page"}
	}
	return p.coll.fetchPage(ctx, p.NextURL, nil)
}

// Prev fetches the previous page by following the server's link.
func (p *Page) Prev(ctx context.Context) (*Page, error) {
	if p.PrevURL == "" {
		return nil, &Error{Op: "GET previous page", Message: "there is no previous page"}
	}
	return p.coll.fetchPage(ctx, p.PrevURL, nil)
}

// maxPages bounds All against a server whose next links loop.
const maxPages = 10000

// All iterates over every item of every page, following next links; it
// stops at the first error, which it yields.
func (c *Collection) All(ctx context.Context, params url.Values) iter.Seq2[*Resource, error] {
	return func(yield func(*Resource, error) bool) {
		page, err := c.List(ctx, params)
		for n := 0; ; n++ {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			if !page.HasNext() || len(page.Items) == 0 {
				return
			}
			if n >= maxPages {
				yield(nil, &Error{Op: "GET " + c.path, Message: "too many pages (do the next links loop?)"})
				return
			}
			page, err = page.Next(ctx)
		}
	}
}

package restapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Resource is one collection or single object of the API's resource tree:
// where it is and what the API lets a client do with it. A server adds its
// own behaviour by embedding it (see Attach).
type Resource struct {
	// Path is the pattern below the prefix, "customers/*/phonebook";
	// "*" matches an id.
	Path    string
	pattern []string
	// Single is one object rather than a collection of items.
	Single bool
	// ListMethods are allowed on the collection, ItemMethods on its items
	// (or on the single object).
	ListMethods, ItemMethods []string
	// NewType is the type of the items POST creates.
	NewType string
	// TypeFilter: ?type= selects item types, of lists and of items.
	TypeFilter bool
	// Audio: the items have {id}.wav audio.
	Audio bool
}

var (
	getOnly   = []string{http.MethodGet}
	getPost   = []string{http.MethodGet, http.MethodPost}
	getPut    = []string{http.MethodGet, http.MethodPut}
	getPutDel = []string{http.MethodGet, http.MethodPut, http.MethodDelete}
)

func collection(p string) Resource {
	return Resource{Path: p, ListMethods: getOnly, ItemMethods: getOnly}
}

func single(p string, methods []string) Resource {
	return Resource{Path: p, Single: true, ItemMethods: methods}
}

func with(r Resource, f func(*Resource)) Resource { f(&r); return r }

// Tree returns the API's resource tree below the prefix, in the order to
// match it: where a literal competes with an id, the literal comes first
// (callbundles/available before callbundles). Each call returns a new
// copy, which the caller may change.
func Tree() []Resource {
	tree := []Resource{
		collection("customers"),
		collection("customers/*/callbundles/available"),
		collection("customers/*/callbundles"),
		single("customers/*/billing", getOnly),
		single("customers/*/billing/estimate", getOnly),
		collection("customers/*/billing/invoices"),
		collection("customers/*/billing/paymentmethods"),
		with(collection("customers/*/calls"), func(r *Resource) { r.ListMethods, r.NewType = getPost, "call" }),
		single("customers/*/creditstatus", getOnly),
		with(collection("customers/*/endpoints"), func(r *Resource) { r.TypeFilter = true }),
		single("customers/*/endpoints/*/sip", getOnly),
		collection("customers/*/endpoints/*/sip/registrations"),
		collection("customers/*/endpoints/*/forwardingrules"),
		single("customers/*/endpoints/*/phonestatus", getPut),
		collection("customers/*/endpoints/*/queueentries"),
		collection("customers/*/endpoints/*/queuememberships"),
		single("customers/*/endpoints/*/queuestatus", getOnly),
		collection("customers/*/linkedusers"),
		collection("customers/*/outgoingcallerids"),
		with(collection("customers/*/phonebook"), func(r *Resource) {
			r.ListMethods, r.ItemMethods, r.NewType = getPost, getPutDel, "phonebookentry"
		}),
		collection("customers/*/phonenumbers"),
		collection("customers/*/phonenumbers/*/routingrules"),
		single("customers/*/preferences", getOnly),
		with(collection("customers/*/recordings"), func(r *Resource) { r.Audio = true }),
		with(collection("customers/*/sms"), func(r *Resource) { r.ListMethods, r.NewType = getPost, "smsmessage" }),
		with(collection("customers/*/sounds"), func(r *Resource) { r.TypeFilter, r.Audio = true, true }),
		collection("customers/*/timeintervals"),
	}
	for i := range tree {
		r := &tree[i]
		r.pattern = strings.Split(r.Path, "/")
		r.ListMethods, r.ItemMethods = slices.Clone(r.ListMethods), slices.Clone(r.ItemMethods)
	}
	return tree
}

// Allow answers 405 METHOD_NOT_ALLOWED unless the resource takes method
// on what m names of it (the collection, or an item or single object);
// nil when it does.
func (r *Resource) Allow(m Match, method string) *Reply {
	allowed := r.ItemMethods
	if m == MatchList {
		allowed = r.ListMethods
	}
	if slices.Contains(allowed, method) {
		return nil
	}
	return MethodNotAllowed(method, allowed)
}

// Selects reports whether the request's ?type=, where the resource takes
// it, lets an item of type typ through.
func (r *Resource) Selects(q url.Values, typ string) bool {
	return !r.TypeFilter || !q.Has("type") || q.Get("type") == typ
}

// Attach returns the tree as a server's resources: wrap makes one of each
// Resource, and the hook for its Path, if any, adds the server's
// behaviour. It panics on a hook for a path the tree does not have.
func Attach[T any](wrap func(Resource) T, hooks map[string]func(T)) []T {
	tree := Tree()
	out := make([]T, 0, len(tree))
	known := map[string]bool{}
	for _, r := range tree {
		res := wrap(r)
		if h, ok := hooks[r.Path]; ok {
			h(res)
		}
		known[r.Path] = true
		out = append(out, res)
	}
	for p := range hooks {
		if !known[p] {
			panic(fmt.Sprintf("restapi: a hook for %q, which is not in the tree", p))
		}
	}
	return out
}

// Match is what a request path names of a resource.
type Match int

const (
	// NoMatch: the path is not the resource's.
	NoMatch Match = iota
	// MatchList: the path is the resource's collection.
	MatchList
	// MatchItem: the path is one item of the collection.
	MatchItem
	// MatchSingle: the path is the resource's single object.
	MatchSingle
)

// Match reports what the path segments segs (below the prefix) name of
// the resource: its collection, one of its items or its single object.
func (r *Resource) Match(segs []string) Match {
	pattern := r.pattern
	if pattern == nil {
		pattern = strings.Split(r.Path, "/")
	}
	n := len(pattern)
	if len(segs) < n || len(segs) > n+1 {
		return NoMatch
	}
	for i, p := range pattern {
		if p != "*" && p != segs[i] {
			return NoMatch
		}
	}
	switch {
	case len(segs) == n && r.Single:
		return MatchSingle
	case len(segs) == n:
		return MatchList
	case !r.Single:
		return MatchItem
	}
	return NoMatch
}

// Find returns the first of resources that segs name, and what they name
// of it; the zero T and NoMatch when there is none.
func Find[T interface{ Match(segs []string) Match }](resources []T, segs []string) (T, Match) {
	for _, res := range resources {
		if m := res.Match(segs); m != NoMatch {
			return res, m
		}
	}
	var none T
	return none, NoMatch
}

package pbxfake

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// timeFormat is ISO 8601 in UTC, as the API writes dates.
const timeFormat = "2006-01-02T15:04:05Z"

// record is one stored resource: an item of a collection or a single object.
// Paths are below /api/v1 and have no trailing slash.
type record struct {
	path   string            // e.g. /customers/1001/phonebook/6101
	parent string            // path of the owning item, "" for none
	links  map[string]string // link name -> path (may carry a query)
	// rels holds the fields that point at other resources: field -> path
	// (string) or paths ([]string). They are written as ids or URIs
	// depending on X-Relationship-Key.
	rels   map[string]any
	fields map[string]any // type, id, created and the other plain fields
}

func (r *record) typ() string { s, _ := r.fields["type"].(string); return s }
func (r *record) id() string  { s, _ := r.fields["id"].(string); return s }

// str returns a plain string field, "" when absent.
func (r *record) str(field string) string { s, _ := r.fields[field].(string); return s }

// rel returns the path a relation field points at, "" when none.
func (r *record) rel(field string) string { s, _ := r.rels[field].(string); return s }

// render returns the JSON object of r as seen from base (scheme://host/api/v1).
func (r *record) render(base string, relIDs bool) map[string]any {
	out := make(map[string]any, len(r.fields)+len(r.rels)+3)
	maps.Copy(out, r.fields)
	out["uri"] = base + r.path
	if r.parent != "" {
		out["parent"] = base + r.parent
	}
	if len(r.links) > 0 {
		links := make(map[string]any, len(r.links))
		for name, p := range r.links {
			links[name] = base + p
		}
		out["links"] = links
	}
	ref := func(p string) string {
		if relIDs {
			return lastSegment(p)
		}
		return base + p
	}
	for field, v := range r.rels {
		switch v := v.(type) {
		case string:
			out[field] = ref(v)
		case []string:
			refs := make([]string, len(v))
			for i, p := range v {
				refs[i] = ref(p)
			}
			out[field] = refs
		}
	}
	return out
}

// serverOwned are the fields a client cannot set.
var serverOwned = []string{"type", "id", "uri", "parent", "links", "created"}

// merge copies the client's fields of obj into r, keeping server-owned ones.
// A relation field the client sends becomes a plain field.
func (r *record) merge(obj map[string]any) {
	for k, v := range obj {
		if slices.Contains(serverOwned, k) {
			continue
		}
		delete(r.rels, k)
		r.fields[k] = v
	}
}

// store is the fake's data: records by path and the ordered member paths of
// every collection. Empty collections exist as empty lists, so a missing list
// means 404.
type store struct {
	items  map[string]*record
	lists  map[string][]string
	logins []Login
	nextID int
}

func newStore() *store {
	return &store{items: map[string]*record{}, lists: map[string][]string{}, nextID: 100001}
}

// newID returns an id for a created item.
func (st *store) newID() string {
	id := strconv.Itoa(st.nextID)
	st.nextID++
	return id
}

// list makes sure the collection at path exists.
func (st *store) list(path string) {
	if _, ok := st.lists[path]; !ok {
		st.lists[path] = []string{}
	}
}

// owner returns the nearest item above path, nil for none.
func (st *store) owner(path string) *record {
	for p := parentPath(path); p != ""; p = parentPath(p) {
		if r, ok := st.items[p]; ok {
			return r
		}
	}
	return nil
}

// add creates an item with the given id in the collection at listPath.
func (st *store) add(listPath, id, typ string, created time.Time, fields map[string]any) *record {
	st.list(listPath)
	r := &record{path: listPath + "/" + id, fields: map[string]any{}, rels: map[string]any{}, links: map[string]string{}}
	maps.Copy(r.fields, fields)
	r.fields["type"], r.fields["id"], r.fields["created"] = typ, id, created.UTC().Format(timeFormat)
	if o := st.owner(r.path); o != nil {
		r.parent = o.path
	}
	st.items[r.path] = r
	st.lists[listPath] = append(st.lists[listPath], r.path)
	return r
}

// single creates a single object at path; id and created are its owner's.
func (st *store) single(path, typ string, fields map[string]any) *record {
	r := &record{path: path, fields: map[string]any{}, rels: map[string]any{}, links: map[string]string{}}
	maps.Copy(r.fields, fields)
	r.fields["type"] = typ
	if o := st.owner(path); o != nil {
		r.parent = o.path
		r.fields["id"], r.fields["created"] = o.fields["id"], o.fields["created"]
	}
	st.items[path] = r
	return r
}

// members returns the items of the collection at listPath.
func (st *store) members(listPath string) []*record {
	paths := st.lists[listPath]
	out := make([]*record, 0, len(paths))
	for _, p := range paths {
		out = append(out, st.items[p])
	}
	return out
}

// remove deletes the item at path with everything below it.
func (st *store) remove(path string) {
	lp := parentPath(path)
	st.lists[lp] = slices.DeleteFunc(st.lists[lp], func(p string) bool { return p == path })
	delete(st.items, path)
	for p := range st.items {
		if strings.HasPrefix(p, path+"/") {
			delete(st.items, p)
		}
	}
	for p := range st.lists {
		if strings.HasPrefix(p, path+"/") {
			delete(st.lists, p)
		}
	}
}

// login returns the seeded login with these credentials, nil for none.
func (st *store) login(username, password string) *Login {
	for i := range st.logins {
		if l := &st.logins[i]; l.Username == username && l.Password == password {
			return l
		}
	}
	return nil
}

// loginByName returns the seeded login named username, nil for none.
func (st *store) loginByName(username string) *Login {
	for i := range st.logins {
		if st.logins[i].Username == username {
			return &st.logins[i]
		}
	}
	return nil
}

func parentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return ""
	}
	return p[:i]
}

func lastSegment(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}

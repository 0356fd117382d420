//go:build !js

package api

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/wasmphone/wasmphone/internal/devpbx/store"
	"github.com/wasmphone/wasmphone/internal/restapi"
)

// resource is one collection or single object of the API's tree with the
// development PBX's behaviour.
type resource struct {
	restapi.Resource
	fields []string // the fields a client may send (POST, PUT)
	// filter builds a predicate from list query parameters.
	filter func(q url.Values, fields restapi.Fields[*store.Record]) (func(*store.Record) bool, error)
	// live lists the collection's items from elsewhere than the store.
	live func(a *API, c *request, listPath string) ([]*store.Record, error)
	// validate checks an object to create, or an updated object merged
	// with the stored one.
	validate func(obj map[string]any) []restapi.FieldError
	// create stores a validated object POSTed to listPath and returns
	// the stored record (default: createRecord).
	create func(a *API, c *request, res *resource, listPath string, obj map[string]any) (*store.Record, *restapi.Reply)
}

var getOnly = []string{http.MethodGet}

// serverOwned are the fields a client may send but not change.
var serverOwned = []string{"type", "id", "uri", "parent", "links", "created"}

// resources is the API's tree, below /api/v1, with the development PBX's
// behaviour.
var resources = restapi.Attach(func(r restapi.Resource) *resource { return &resource{Resource: r} },
	map[string]func(*resource){
		"customers/*/calls": func(r *resource) {
			r.filter, r.validate, r.create = restapi.CallFilter[*store.Record], validateCall, createCall
			r.fields = []string{"endpoint", "to", "from", "scope", "direction", "callerId", "callStarted", "outcome",
				"duration", "cost", "callId", "linkedId", "srcEndpoint", "dstEndpoint"}
		},
		"customers/*/endpoints/*/sip/registrations": func(r *resource) { r.live = liveRegistrations },
		"customers/*/endpoints/*/phonestatus": func(r *resource) {
			r.validate, r.fields = restapi.CheckPhoneStatus, []string{"dndActive"}
		},
		"customers/*/phonebook": func(r *resource) {
			r.validate = validatePhonebook
			r.fields = []string{"name", "phoneNumber", "email", "speedDial", "priority"}
		},
		"customers/*/recordings": func(r *resource) { r.filter = restapi.RecordingFilter[*store.Record] },
		"customers/*/sms": func(r *resource) {
			r.filter, r.validate, r.create = smsFilter, validateSMS, createSMS
			r.fields = []string{"direction", "from", "to", "body", "sendStatus", "deliveryStatus", "cost", "creditsUsed"}
		},
	})

// route answers every request but the stream.
func (a *API) route(c *request) *restapi.Reply {
	segs := slices.Clone(c.segs)
	switch {
	case len(segs) == 1 && segs[0] == "authenticate":
		if c.method != http.MethodPost {
			return restapi.MethodNotAllowed(c.method, []string{http.MethodPost})
		}
		tok, _ := a.newToken(a.bearer, c.user, bearerLifetime)
		return restapi.JSON(http.StatusOK, map[string]any{"accessToken": tok})
	case len(segs) == 1 && segs[0] == "tokengenerator":
		if c.method != http.MethodGet {
			return restapi.MethodNotAllowed(c.method, getOnly)
		}
		id, now := a.newToken(a.audio, c.user, audioTokenLifetime)
		return restapi.JSON(http.StatusOK, map[string]any{"type": "authtoken", "id": id,
			"created": now.UTC().Format(store.TimeFormat),
			"expires": now.Add(audioTokenLifetime).UTC().Format(store.TimeFormat)})
	case len(segs) == 0 || segs[0] != "customers":
		return restapi.NotFound(c.r.URL.Path)
	}
	// Resolve "me"; a user sees its own customer only.
	if len(segs) >= 2 {
		if segs[1] == "me" {
			segs[1] = c.user.CustomerID
		}
		if segs[1] != c.user.CustomerID {
			return restapi.NotFound(c.r.URL.Path)
		}
		if len(segs) >= 4 && segs[2] == "linkedusers" && segs[3] == "me" {
			segs[3] = c.user.LinkedUserID
		}
	}
	audio := false
	if last := segs[len(segs)-1]; strings.HasSuffix(last, ".wav") && len(last) > len(".wav") {
		segs[len(segs)-1], audio = strings.TrimSuffix(last, ".wav"), true
	}
	res, kind := restapi.Find(resources, segs)
	if res == nil || (audio && (kind != restapi.MatchItem || !res.Audio)) {
		return restapi.NotFound(c.r.URL.Path)
	}
	path := "/" + strings.Join(segs, "/")
	ctx := c.r.Context()

	if kind == restapi.MatchList {
		var items []*store.Record
		var err error
		if res.live != nil {
			// The owner must exist even when the items come from elsewhere.
			if _, err = a.st.Get(ctx, store.ParentPath(path)); err == nil {
				items, err = res.live(a, c, path)
			}
		} else {
			items, err = a.st.Members(ctx, path)
		}
		rep := res.Allow(kind, c.method)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return restapi.NotFound(c.r.URL.Path)
		case err != nil:
			return a.internalError(c.r, err)
		case rep != nil:
			return rep
		case c.method == http.MethodPost:
			return a.createItem(c, res, path)
		}
		if path == "/customers" {
			items = slices.DeleteFunc(items, func(r *store.Record) bool { return r.ID != c.user.CustomerID })
		}
		return a.listReply(c, res, path, items)
	}

	rec, err := a.st.Get(ctx, path)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return restapi.NotFound(c.r.URL.Path)
	case err != nil:
		return a.internalError(c.r, err)
	case !res.Selects(c.query, rec.Type):
		return restapi.NotFound(c.r.URL.Path)
	}
	if audio {
		if c.method != http.MethodGet {
			return restapi.MethodNotAllowed(c.method, getOnly)
		}
		return &restapi.Reply{Status: http.StatusOK, ContentType: "audio/wav", Body: store.SilentWAV()}
	}
	if rep := res.Allow(kind, c.method); rep != nil {
		return rep
	}
	switch c.method {
	case http.MethodPut:
		return a.updateItem(c, res, rec)
	case http.MethodDelete:
		err := a.st.Update(ctx, func(tx *store.Tx) error { return tx.Delete(path) })
		switch {
		case errors.Is(err, store.ErrNotFound):
			return restapi.NotFound(c.r.URL.Path)
		case err != nil:
			return a.internalError(c.r, err)
		}
		return &restapi.Reply{Status: http.StatusNoContent}
	}
	return restapi.JSON(http.StatusOK, a.render(c, rec))
}

// checkFields reports fields of obj that the resource does not take:
// neither server-owned, nor documented, nor already on the stored record
// (so that a read-modify-save of anything the PBX sent succeeds).
func checkFields(res *resource, obj map[string]any, stored *store.Record) []restapi.FieldError {
	var errs []restapi.FieldError
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		switch {
		case slices.Contains(serverOwned, k), slices.Contains(res.fields, k):
		case stored != nil && (hasKey(stored.Fields, k) || hasKey(stored.Rels, k)):
		default:
			errs = append(errs, restapi.Invalid(k, "unknown field"))
		}
	}
	if t, ok := obj["type"]; ok && t != nil {
		want := res.NewType
		if stored != nil {
			want = stored.Type
		}
		if s, _ := t.(string); s != want {
			errs = append(errs, restapi.Invalid("type", "must be "+want))
		}
	}
	return errs
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

// createItem answers POST to a collection: 201 with the stored item and
// its Location.
func (a *API) createItem(c *request, res *resource, listPath string) *restapi.Reply {
	obj, rep := restapi.DecodeObject(c.body)
	if rep != nil {
		return rep
	}
	errs := checkFields(res, obj, nil)
	if res.validate != nil {
		errs = append(errs, res.validate(obj)...)
	}
	if len(errs) > 0 {
		return restapi.Validation(errs)
	}
	create := res.create
	if create == nil {
		create = createRecord
	}
	rec, rep := create(a, c, res, listPath, obj)
	if rep != nil {
		return rep
	}
	rep = restapi.JSON(http.StatusCreated, a.render(c, rec))
	rep.Header = http.Header{"Location": {c.base + rec.Path}}
	return rep
}

// createRecord stores obj as a new item of the collection.
func createRecord(a *API, c *request, res *resource, listPath string, obj map[string]any) (*store.Record, *restapi.Reply) {
	rec := newRecord(res.NewType)
	mergeFields(rec, obj)
	if err := a.st.Update(c.r.Context(), func(tx *store.Tx) error { return tx.Add(listPath, "", rec) }); err != nil {
		return nil, a.internalError(c.r, err)
	}
	return rec, nil
}

func newRecord(typ string) *store.Record {
	return &store.Record{Type: typ, Fields: map[string]any{}, Rels: map[string]any{}, Links: map[string]string{}}
}

// updateItem answers PUT: the client's fields are merged into the stored
// ones, so that fields the client does not send are kept.
func (a *API) updateItem(c *request, res *resource, rec *store.Record) *restapi.Reply {
	obj, rep := restapi.DecodeObject(c.body)
	if rep != nil {
		return rep
	}
	errs := checkFields(res, obj, rec)
	if res.validate != nil {
		merged := maps.Clone(rec.Fields)
		maps.Copy(merged, obj)
		errs = append(errs, res.validate(merged)...)
	}
	if len(errs) > 0 {
		return restapi.Validation(errs)
	}
	err := a.st.Update(c.r.Context(), func(tx *store.Tx) error {
		cur, err := tx.Get(rec.Path)
		if err != nil {
			return err
		}
		mergeFields(cur, obj)
		rec = cur
		return tx.Put(cur)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return restapi.NotFound(c.r.URL.Path)
	case err != nil:
		return a.internalError(c.r, err)
	}
	return restapi.JSON(http.StatusOK, a.render(c, rec))
}

// mergeFields copies the client's fields of obj into rec, keeping the
// server-owned ones. A relation the client sends back unchanged (as an id
// or a URI) stays a relation; a changed one becomes a plain field.
func mergeFields(rec *store.Record, obj map[string]any) {
	for k, v := range obj {
		if slices.Contains(serverOwned, k) {
			continue
		}
		if p, ok := rec.Rels[k].(string); ok {
			if s, ok := v.(string); ok && (s == store.LastSegment(p) || strings.HasSuffix(s, p)) {
				continue
			}
		}
		delete(rec.Rels, k)
		rec.Fields[k] = v
	}
}

// render returns the JSON object of rec as the request sees it.
func (a *API) render(c *request, rec *store.Record) map[string]any {
	out := make(map[string]any, len(rec.Fields)+len(rec.Rels)+7)
	maps.Copy(out, rec.Fields)
	out["type"], out["id"], out["created"] = rec.Type, rec.ID, rec.Created.UTC().Format(store.TimeFormat)
	if rec.Path != "" {
		out["uri"] = c.base + rec.Path
	}
	if rec.Parent != "" {
		out["parent"] = c.base + rec.Parent
	}
	if len(rec.Links) > 0 {
		links := make(map[string]any, len(rec.Links))
		for name, p := range rec.Links {
			links[name] = c.base + p
		}
		out["links"] = links
	}
	ref := func(p string) string {
		if c.relIDs {
			return store.LastSegment(p)
		}
		return c.base + p
	}
	for field, v := range rec.Rels {
		switch v := v.(type) {
		case string:
			out[field] = ref(v)
		case []any:
			refs := make([]any, 0, len(v))
			for _, p := range v {
				if s, ok := p.(string); ok {
					refs = append(refs, ref(s))
				}
			}
			out[field] = refs
		}
	}
	if rec.Type == "sipidentity" {
		out["domain"] = a.realm
	}
	return out
}

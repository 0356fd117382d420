//go:build js && wasm

package jsbridge

// The REST half of the JavaScript API: the Sipcentric constructor, resource
// accessors, representations, list pages and the event stream.
//
// Design: every JavaScript object of this layer gets its methods from a
// prototype that is built once per module (so no js.Func is created per
// object or per call, apart from the one-shot Promise executors), and
// carries a hidden, non-enumerable handle (a Symbol-keyed number) that
// names its Go counterpart in a table. A FinalizationRegistry removes the
// table entry when JavaScript collects the object, so the Go side does not
// outlive it.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/wasmphone/wasmphone/pkg/pbx"
)

// ---- handles ------------------------------------------------------------

// handleEntry is the Go side of one JavaScript object. mu serializes the
// operations that mutate v (a save and a delete of the same
// representation, the steps of one iterator).
type handleEntry struct {
	mu sync.Mutex
	v  any
}

var (
	handleMu   sync.Mutex
	handleNext int
	handles    = map[int]*handleEntry{}
)

// rest holds the module-wide JavaScript values of this layer, built once.
var rest struct {
	once      sync.Once
	funcs     Funcs
	key       js.Value // Symbol naming the hidden handle property
	finalizer js.Value // FinalizationRegistry, or undefined
	reflect   js.Value

	sipcentric js.Value // Sipcentric.prototype
	ctor       js.Func
	accessor   js.Value
	baseRep    js.Value
	list       js.Value
	iter       js.Value
	stream     js.Value
	unsub      js.Func

	kindMu    sync.Mutex
	kindProto map[string]js.Value
}

// value returns the entry's Go value (nil for a nil entry).
func (e *handleEntry) value() any {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.v
}

// attach gives obj a hidden handle to v.
func attach(obj js.Value, v any) {
	handleMu.Lock()
	handleNext++
	id := handleNext
	handles[id] = &handleEntry{v: v}
	handleMu.Unlock()
	d := jsObject.New()
	d.Set("value", id)
	d.Set("enumerable", false)
	jsObject.Call("defineProperty", obj, rest.key, d)
	if rest.finalizer.Type() == js.TypeObject {
		rest.finalizer.Call("register", obj, id)
	}
}

// entryOf returns the handle entry of obj, or nil.
func entryOf(obj js.Value) *handleEntry {
	if t := obj.Type(); t != js.TypeObject && t != js.TypeFunction {
		return nil
	}
	h := rest.reflect.Call("get", obj, rest.key)
	if h.Type() != js.TypeNumber {
		return nil
	}
	handleMu.Lock()
	defer handleMu.Unlock()
	return handles[h.Int()]
}

// receiver returns the Go value of type T behind this, or an error that
// says the method was called on the wrong object.
func receiver[T any](this js.Value, what string) (*handleEntry, T, error) {
	var zero T
	e := entryOf(this)
	if e == nil {
		return nil, zero, fmt.Errorf("wasmphone: %s called on an object that is not one", what)
	}
	v, ok := e.v.(T)
	if !ok {
		return nil, zero, fmt.Errorf("wasmphone: %s called on an object that is not one", what)
	}
	return e, v, nil
}

// rejected returns the result of a method that failed before starting:
// a rejected Promise, or undefined after calling the callback.
func rejected(args []js.Value, err error) js.Value {
	return PromiseOrCallback(args, func() (any, error) { return nil, err })
}

// ---- errors -------------------------------------------------------------

// restError gives a *pbx.Error the properties of the original client's
// errors: statusCode, responseBody and response.
type restError struct{ e *pbx.Error }

func (e restError) Error() string { return e.e.Error() }
func (e restError) Unwrap() error { return e.e }

// JSProps implements JSPropser.
func (re restError) JSProps() map[string]any {
	e := re.e
	props := map[string]any{
		"statusCode":   e.StatusCode,
		"responseBody": e.Body,
		"response":     nil,
	}
	if e.StatusCode != 0 && e.Message != "" {
		// The bare message, as the original had it
		// ("Validation errors in response body").
		props["message"] = e.Message
	}
	if r := e.Response; r != nil {
		headers := map[string]any{}
		for k, vs := range r.Header {
			headers[strings.ToLower(k)] = strings.Join(vs, ", ")
		}
		props["response"] = map[string]any{
			"status":     r.StatusCode,
			"statusCode": r.StatusCode,
			"statusText": r.Status,
			"headers":    headers,
			"url":        r.URL,
		}
	}
	return props
}

// jsErr wraps a *pbx.Error in the chain so ErrorToJS adds its properties.
func jsErr(err error) error {
	var pe *pbx.Error
	if errors.As(err, &pe) {
		return restError{pe}
	}
	return err
}

// ---- setup --------------------------------------------------------------

func defineValue(obj js.Value, key any, v any) {
	d := jsObject.New()
	d.Set("value", v)
	d.Set("enumerable", false)
	d.Set("writable", true)
	d.Set("configurable", true)
	jsObject.Call("defineProperty", obj, key, d)
}

// method defines a non-enumerable method of a prototype.
func method(proto js.Value, key any, fn func(this js.Value, args []js.Value) any) {
	defineValue(proto, key, rest.funcs.Func(fn))
}

// getter defines a non-enumerable getter of a prototype.
func getter(proto js.Value, name string, fn func(this js.Value) any) {
	f := rest.funcs.Func(func(this js.Value, _ []js.Value) any { return fn(this) })
	d := jsObject.New()
	d.Set("get", f)
	d.Set("enumerable", false)
	d.Set("configurable", true)
	jsObject.Call("defineProperty", proto, name, d)
}

// cached returns this[name], creating it with make on first use and keeping
// it as a non-enumerable own property of this.
func cached(this js.Value, name string, make func() js.Value) js.Value {
	if this.Type() != js.TypeObject {
		return js.Undefined()
	}
	own := jsObject.Call("getOwnPropertyDescriptor", this, name)
	if own.Type() == js.TypeObject {
		return own.Get("value")
	}
	v := make()
	defineValue(this, name, v)
	return v
}

func setupREST() {
	rest.once.Do(func() {
		rest.reflect = js.Global().Get("Reflect")
		rest.key = js.Global().Get("Symbol").Invoke("wasmphone.handle")
		if fr := js.Global().Get("FinalizationRegistry"); fr.Type() == js.TypeFunction {
			cleanup := rest.funcs.Func(func(_ js.Value, args []js.Value) any {
				if len(args) > 0 && args[0].Type() == js.TypeNumber {
					handleMu.Lock()
					e := handles[args[0].Int()]
					delete(handles, args[0].Int())
					handleMu.Unlock()
					// In a goroutine: a callback must not wait for e.mu.
					go func() {
						if r, ok := e.value().(interface{ releaseJS() }); ok {
							r.releaseJS()
						}
					}()
				}
				return nil
			})
			rest.finalizer = fr.New(cleanup)
		}
		rest.kindProto = map[string]js.Value{}
		asyncIterator := js.Global().Get("Symbol").Get("asyncIterator")

		rest.ctor = rest.funcs.Func(construct)
		rest.sipcentric = rest.ctor.Get("prototype")
		getter(rest.sipcentric, "customers", func(this js.Value) any {
			return cached(this, "customers", func() js.Value {
				_, s, err := receiver[*sipcentric](this, "customers")
				if err != nil {
					return js.Undefined()
				}
				if s.client == nil {
					return newAccessor(nil, s.err)
				}
				return newAccessor(s.client.Customers(), nil)
			})
		})
		method(rest.sipcentric, "getUA", getUA)
		getter(rest.sipcentric, "rateLimit", func(this js.Value) any {
			_, s, err := receiver[*sipcentric](this, "rateLimit")
			if err != nil || s.client == nil {
				return nil
			}
			rl := s.client.RateLimit()
			return map[string]any{"limit": rl.Limit, "remaining": rl.Remaining, "reset": rl.Reset}
		})
		getter(rest.sipcentric, "stream", func(this js.Value) any {
			return cached(this, "stream", func() js.Value {
				_, s, err := receiver[*sipcentric](this, "stream")
				if err != nil {
					return js.Undefined()
				}
				obj := jsObject.Call("create", rest.stream)
				attach(obj, s)
				return obj
			})
		})

		rest.accessor = jsObject.New()
		method(rest.accessor, "get", accessorGet)
		method(rest.accessor, "create", accessorCreate)

		rest.baseRep = jsObject.New()
		method(rest.baseRep, "save", repSave)
		method(rest.baseRep, "delete", repDelete)

		rest.list = jsObject.New()
		method(rest.list, "nextPage", func(this js.Value, args []js.Value) any { return listTurn(this, args, true) })
		method(rest.list, "prevPage", func(this js.Value, args []js.Value) any { return listTurn(this, args, false) })
		method(rest.list, asyncIterator, listIterator)

		rest.iter = jsObject.New()
		method(rest.iter, "next", iterNext)
		method(rest.iter, "return", func(this js.Value, _ []js.Value) any {
			e, it, err := receiver[*pageIter](this, "return")
			return Promise(func() (any, error) {
				if err == nil {
					// Locked in the goroutine: a callback must not wait.
					e.mu.Lock()
					it.page, it.done = nil, true
					e.mu.Unlock()
				}
				return map[string]any{"done": true, "value": nil}, nil
			})
		})
		method(rest.iter, asyncIterator, func(this js.Value, _ []js.Value) any { return this })

		rest.stream = jsObject.New()
		method(rest.stream, "subscribe", streamSubscribe)
		rest.unsub = rest.funcs.Func(streamUnsubscribe)
	})
}

// SipcentricConstructor returns the JavaScript constructor
// new Sipcentric({username, password, partnerId, baseUrl, token, timeout}),
// the REST half of the original client's API. It is built once per module
// and lives as long as the module.
func SipcentricConstructor() js.Value {
	setupREST()
	return rest.ctor.Value
}

// ---- Sipcentric ---------------------------------------------------------

type sipcentric struct {
	client *pbx.Client
	err    error // why the options were refused (client is nil)

	// getUA's defaults from the constructor's options.
	wsServer, domain string
	debug            bool

	mu       sync.Mutex
	instance string // the UA instance id, once chosen (see instanceID)
}

// Stream subscriptions by id, for the unsubscribe functions.
var (
	subsMu   sync.Mutex
	subsNext int
	subs     = map[int]func(){}
)

func optString(o js.Value, names ...string) string {
	for _, n := range names {
		v := o.Get(n)
		switch v.Type() {
		case js.TypeString:
			return v.String()
		case js.TypeNumber:
			return strconv.FormatFloat(v.Float(), 'f', -1, 64)
		}
	}
	return ""
}

// construct is the Sipcentric constructor. With new, this is the fresh
// object; called as a plain function it makes one.
func construct(this js.Value, args []js.Value) any {
	obj := this
	if obj.Type() != js.TypeObject || !obj.InstanceOf(rest.ctor.Value) || entryOf(obj) != nil {
		obj = jsObject.Call("create", rest.sipcentric)
	}
	o := js.Undefined()
	if len(args) > 0 {
		o = args[0]
	}
	opts := pbx.Options{}
	if o.Type() == js.TypeObject {
		opts.Username = optString(o, "username")
		opts.Password = optString(o, "password")
		opts.PartnerID = optString(o, "partnerId")
		opts.BaseURL = optString(o, "baseUrl", "baseURL")
		opts.Token = optString(o, "token")
		if t := o.Get("timeout"); t.Type() == js.TypeNumber && t.Float() > 0 && !math.IsInf(t.Float(), 0) {
			opts.Timeout = time.Duration(t.Float() * float64(time.Millisecond))
		}
	}
	s := &sipcentric{}
	if o.Type() == js.TypeObject {
		s.wsServer, s.domain, s.debug = optString(o, "wsServer"), optString(o, "domain"), o.Get("debug").Truthy()
	}
	s.client, s.err = pbx.New(opts)
	if s.err != nil {
		// A constructor made with js.FuncOf cannot throw: report now,
		// and let every call reject with the reason.
		js.Global().Get("console").Call("error", "wasmphone: new Sipcentric: "+s.err.Error())
	}
	attach(obj, s)
	return obj
}

// ---- accessors ----------------------------------------------------------

type accessor struct {
	coll *pbx.Collection
	err  error
}

func newAccessor(c *pbx.Collection, err error) js.Value {
	obj := jsObject.Call("create", rest.accessor)
	attach(obj, &accessor{coll: c, err: err})
	return obj
}

// idString formats a JavaScript string or number argument as an id.
func idString(v js.Value) string {
	if v.Type() == js.TypeNumber {
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	}
	return v.String()
}

// queryValue formats one query parameter value.
func queryValue(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		return x.UTC().Format(time.RFC3339), true
	case js.Value:
		return "", false
	default:
		return fmt.Sprint(x), true
	}
}

// toQuery converts an object of query parameters; arrays repeat the key.
func toQuery(v js.Value) url.Values {
	m, _ := FromJS(v).(map[string]any)
	q := url.Values{}
	for k, val := range m {
		if arr, ok := val.([]any); ok {
			for _, a := range arr {
				if s, ok := queryValue(a); ok {
					q.Add(k, s)
				}
			}
			continue
		}
		if s, ok := queryValue(val); ok {
			q.Set(k, s)
		}
	}
	return q
}

// accessorGet is accessor.get(id?, params?, cb?).
func accessorGet(this js.Value, args []js.Value) any {
	_, a, err := receiver[*accessor](this, "get")
	if err == nil && a.err != nil {
		err = a.err
	}
	if err != nil {
		return rejected(args, err)
	}
	var id string
	var params url.Values
	for _, v := range args {
		switch v.Type() {
		case js.TypeString, js.TypeNumber:
			id = idString(v)
		case js.TypeObject:
			params = toQuery(v)
		}
	}
	coll := a.coll
	return PromiseOrCallback(args, func() (any, error) {
		ctx := context.Background()
		if id != "" || coll.Single() {
			r, err := coll.Get(ctx, id)
			if err != nil {
				return nil, jsErr(err)
			}
			return newRep(r), nil
		}
		p, err := coll.List(ctx, params)
		if err != nil {
			return nil, jsErr(err)
		}
		return newList(p), nil
	})
}

// accessorCreate is accessor.create(obj): a representation built locally.
func accessorCreate(this js.Value, args []js.Value) any {
	_, a, err := receiver[*accessor](this, "create")
	if err == nil && a.err != nil {
		err = a.err
	}
	if err != nil {
		return ErrorToJS(err) // cannot throw: hand back the Error
	}
	fields := map[string]any{}
	if len(args) > 0 {
		if m, ok := FromJS(args[0]).(map[string]any); ok {
			fields = m
		}
	}
	return newRep(a.coll.Create(fields))
}

// ---- representations ----------------------------------------------------

// childAliases are extra accessor names of a kind: the original README
// spells the phone book customer.phonebookEntry once.
var childAliases = map[string]map[string]string{
	pbx.KindCustomer: {"phonebookEntry": "phonebook"},
}

// repProto returns the prototype of a kind's representations: save and
// delete, plus a getter per child accessor.
func repProto(kind string) js.Value {
	rest.kindMu.Lock()
	defer rest.kindMu.Unlock()
	if p, ok := rest.kindProto[kind]; ok {
		return p
	}
	names := pbx.Children(kind)
	if len(names) == 0 && len(childAliases[kind]) == 0 {
		rest.kindProto[kind] = rest.baseRep
		return rest.baseRep
	}
	p := jsObject.Call("create", rest.baseRep)
	add := func(name, child string) {
		getter(p, name, func(this js.Value) any {
			return cached(this, name, func() js.Value {
				_, r, err := receiver[*pbx.Resource](this, name)
				if err != nil {
					return js.Undefined()
				}
				return newAccessor(r.Child(child), nil)
			})
		})
	}
	for _, n := range names {
		add(n, n)
	}
	aliases := childAliases[kind]
	keys := make([]string, 0, len(aliases))
	for k := range aliases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k, aliases[k])
	}
	rest.kindProto[kind] = p
	return p
}

func newRep(r *pbx.Resource) js.Value {
	obj := jsObject.Call("create", repProto(r.Kind()))
	attach(obj, r)
	writeFields(obj, r.Fields())
	return obj
}

// writeFields makes obj's own enumerable properties equal fields.
func writeFields(obj js.Value, fields map[string]any) {
	keys := jsObject.Call("keys", obj)
	for i, n := 0, keys.Length(); i < n; i++ {
		k := keys.Index(i).String()
		if _, ok := fields[k]; !ok {
			rest.reflect.Call("deleteProperty", obj, k)
		}
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		obj.Set(k, ToJS(fields[k]))
	}
}

// repSave is representation.save(cb?): the object's enumerable properties
// are sent, and the server's answer is merged back into the same object.
func repSave(this js.Value, args []js.Value) any {
	e, r, err := receiver[*pbx.Resource](this, "save")
	if err != nil {
		return rejected(args, err)
	}
	fields, err := FromJSChecked(this)
	if err != nil {
		return rejected(args, err)
	}
	m, _ := fields.(map[string]any)
	obj := this
	return PromiseOrCallback(args, func() (any, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		for k := range r.Fields() {
			if _, ok := m[k]; !ok {
				r.Unset(k)
			}
		}
		for k, v := range m {
			if _, isJS := v.(js.Value); isJS {
				continue // functions and symbols are not data
			}
			r.Set(k, v)
		}
		if err := r.Save(context.Background()); err != nil {
			return nil, jsErr(err)
		}
		writeFields(obj, r.Fields())
		return obj, nil
	})
}

// repDelete is representation.delete(cb?).
func repDelete(this js.Value, args []js.Value) any {
	e, r, err := receiver[*pbx.Resource](this, "delete")
	if err != nil {
		return rejected(args, err)
	}
	return PromiseOrCallback(args, func() (any, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if err := r.Delete(context.Background()); err != nil {
			return nil, jsErr(err)
		}
		return nil, nil
	})
}

// ---- lists --------------------------------------------------------------

func newList(p *pbx.Page) js.Value {
	obj := jsObject.Call("create", rest.list)
	attach(obj, p)
	items := make([]any, len(p.Items))
	for i, r := range p.Items {
		items[i] = newRep(r)
	}
	obj.Set("items", ToJS(items))
	obj.Set("totalItems", p.TotalItems)
	obj.Set("pageSize", p.PageSize)
	obj.Set("page", p.Page)
	return obj
}

// listTurn is list.nextPage(cb?) / list.prevPage(cb?); it resolves to null
// when there is no such page.
func listTurn(this js.Value, args []js.Value, next bool) any {
	_, p, err := receiver[*pbx.Page](this, "nextPage/prevPage")
	if err != nil {
		return rejected(args, err)
	}
	return PromiseOrCallback(args, func() (any, error) {
		var np *pbx.Page
		var err error
		switch {
		case next && p.HasNext():
			np, err = p.Next(context.Background())
		case !next && p.HasPrev():
			np, err = p.Prev(context.Background())
		default:
			return nil, nil
		}
		if err != nil {
			return nil, jsErr(err)
		}
		return newList(np), nil
	})
}

// pageIter walks every item from a page on, following next links.
type pageIter struct {
	page *pbx.Page
	i    int
	done bool
}

func listIterator(this js.Value, _ []js.Value) any {
	obj := jsObject.Call("create", rest.iter)
	_, p, err := receiver[*pbx.Page](this, "Symbol.asyncIterator")
	if err != nil {
		attach(obj, &pageIter{done: true})
		return obj
	}
	attach(obj, &pageIter{page: p})
	return obj
}

func iterNext(this js.Value, _ []js.Value) any {
	e, it, err := receiver[*pageIter](this, "next")
	if err != nil {
		return Promise(func() (any, error) { return nil, err })
	}
	return Promise(func() (any, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		for !it.done {
			if it.i < len(it.page.Items) {
				r := it.page.Items[it.i]
				it.i++
				return map[string]any{"done": false, "value": newRep(r)}, nil
			}
			if !it.page.HasNext() {
				break
			}
			np, err := it.page.Next(context.Background())
			if err != nil {
				it.done = true
				return nil, jsErr(err)
			}
			it.page, it.i = np, 0
		}
		it.done, it.page = true, nil
		return map[string]any{"done": true, "value": nil}, nil
	})
}

// ---- stream -------------------------------------------------------------

// streamSubscribe is stream.subscribe(eventOrEvents, callback); it returns
// the unsubscribe function.
func streamSubscribe(this js.Value, args []js.Value) any {
	_, s, err := receiver[*sipcentric](this, "subscribe")
	if err != nil || s.client == nil {
		return rest.unsub.Call("bind", js.Null(), 0)
	}
	var events []string
	var cb js.Value
	for _, a := range args {
		switch a.Type() {
		case js.TypeString:
			events = append(events, a.String())
		case js.TypeObject:
			if a.InstanceOf(js.Global().Get("Array")) {
				for i, n := 0, a.Length(); i < n; i++ {
					events = append(events, a.Index(i).String())
				}
			}
		case js.TypeFunction:
			cb = a
		}
	}
	if cb.Type() != js.TypeFunction {
		return rest.unsub.Call("bind", js.Null(), 0)
	}
	jsonParse := js.Global().Get("JSON")
	var off atomic.Bool
	unsubscribe := s.client.Stream().Subscribe(events, func(ev pbx.Event) {
		if off.Load() {
			return
		}
		var v js.Value
		if len(ev.Raw) > 0 {
			v = jsonParse.Call("parse", string(ev.Raw))
		} else {
			v = ToJS(map[string]any{"event": ev.Event, "location": ev.Location, "values": ev.Values})
		}
		cb.Invoke(v)
	})
	subsMu.Lock()
	subsNext++
	id := subsNext
	subs[id] = func() {
		off.Store(true)
		// In a goroutine: the stream's lock must not be awaited in a
		// callback.
		go unsubscribe()
	}
	subsMu.Unlock()
	return rest.unsub.Call("bind", js.Null(), id)
}

// streamUnsubscribe is the function subscribe returned, bound to the
// subscription id; calling it again does nothing.
func streamUnsubscribe(_ js.Value, args []js.Value) any {
	if len(args) < 1 || args[0].Type() != js.TypeNumber {
		return nil
	}
	subsMu.Lock()
	f := subs[args[0].Int()]
	delete(subs, args[0].Int())
	subsMu.Unlock()
	if f != nil {
		f()
	}
	return nil
}

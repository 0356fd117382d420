//go:build js && wasm

package jsbridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall/js"
	"time"
)

// Limits of the conversions.
const (
	// MaxDepth bounds the nesting of arrays and objects in both directions.
	MaxDepth = 64
	// MaxValues bounds the number of values FromJSChecked visits.
	MaxValues = 1 << 20
)

// Errors returned by FromJSChecked.
var (
	ErrCycle    = errors.New("jsbridge: object contains itself")
	ErrTooDeep  = errors.New("jsbridge: value nested too deeply")
	ErrTooLarge = errors.New("jsbridge: value too large")
)

// tooDeep replaces Go values nested deeper than MaxDepth in ToJS.
const tooDeep = "[jsbridge: too deep]"

// JSValuer is implemented by Go values that have their own JavaScript
// representation; ToJS returns JSValue() for them.
type JSValuer interface {
	JSValue() js.Value
}

// JavaScript constructors and functions used by the conversions.
var (
	jsObject      = js.Global().Get("Object")
	jsArray       = js.Global().Get("Array")
	jsString      = js.Global().Get("String")
	jsDate        = js.Global().Get("Date")
	jsError       = js.Global().Get("Error")
	jsPromise     = js.Global().Get("Promise")
	jsUint8Array  = js.Global().Get("Uint8Array")
	jsArrayBuffer = js.Global().Get("ArrayBuffer")
	jsReflect     = js.Global().Get("Reflect")
)

// get reads v[key] through Reflect.get: unlike Value.Get, a call reports
// an exception thrown by a getter or a proxy as a Go panic with a js.Error
// instead of aborting the program.
func get(v js.Value, key any) js.Value {
	return jsReflect.Call("get", v, key)
}

// maxSafeInt is 2^53, the largest magnitude below which every integer is a
// float64.
const maxSafeInt = 1 << 53

// ToJS converts a Go value to JavaScript as described in the package
// documentation. It never panics.
func ToJS(v any) js.Value {
	return toJS(v, 0)
}

func toJS(v any, depth int) js.Value {
	if depth > MaxDepth {
		return js.ValueOf(tooDeep)
	}
	switch x := v.(type) {
	case nil:
		return js.Null()
	case js.Func:
		return x.Value
	case js.Value:
		return x
	case JSValuer:
		if isNilPointer(x) {
			return js.Null()
		}
		return x.JSValue()
	case bool:
		return js.ValueOf(x)
	case string:
		return js.ValueOf(x)
	case int:
		return js.ValueOf(float64(x))
	case int8:
		return js.ValueOf(float64(x))
	case int16:
		return js.ValueOf(float64(x))
	case int32:
		return js.ValueOf(float64(x))
	case int64:
		return js.ValueOf(float64(x))
	case uint:
		return js.ValueOf(float64(x))
	case uint8:
		return js.ValueOf(float64(x))
	case uint16:
		return js.ValueOf(float64(x))
	case uint32:
		return js.ValueOf(float64(x))
	case uint64:
		return js.ValueOf(float64(x))
	case uintptr:
		return js.ValueOf(float64(x))
	case float32:
		return js.ValueOf(float64(x))
	case float64:
		return js.ValueOf(x)
	case json.Number:
		return numberToJS(x)
	case []byte:
		if x == nil {
			return js.Null()
		}
		a := jsUint8Array.New(len(x))
		js.CopyBytesToJS(a, x)
		return a
	case []any:
		if x == nil {
			return js.Null()
		}
		a := jsArray.New(len(x))
		for i, e := range x {
			a.SetIndex(i, toJS(e, depth+1))
		}
		return a
	case []string:
		if x == nil {
			return js.Null()
		}
		a := jsArray.New(len(x))
		for i, e := range x {
			a.SetIndex(i, e)
		}
		return a
	case map[string]any:
		if x == nil {
			return js.Null()
		}
		o := jsObject.New()
		for _, k := range sortedKeys(x) {
			o.Set(k, toJS(x[k], depth+1))
		}
		return o
	case time.Time:
		return jsDate.New(float64(x.UnixMilli()))
	case error:
		if isNilPointer(x) {
			return js.Null()
		}
		return ErrorToJS(x)
	}
	return reflectToJS(reflect.ValueOf(v), depth)
}

// isNilPointer reports whether v is a typed nil pointer, whose methods
// would likely panic.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// numberToJS maps a json.Number to a number when that loses nothing and
// to a string otherwise.
func numberToJS(n json.Number) js.Value {
	s := string(n)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if i >= -maxSafeInt && i <= maxSafeInt {
			return js.ValueOf(float64(i))
		}
		return js.ValueOf(s)
	}
	if !strings.ContainsAny(s, ".eE") {
		// An integer literal out of the int64 range, or not a number.
		return js.ValueOf(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return js.ValueOf(s)
	}
	return js.ValueOf(f)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// reflectToJS handles the kinds the type switch in toJS does not name.
func reflectToJS(rv reflect.Value, depth int) js.Value {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return js.Null()
		}
		return toJS(rv.Elem().Interface(), depth+1)
	case reflect.Bool:
		return js.ValueOf(rv.Bool())
	case reflect.String:
		return js.ValueOf(rv.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return js.ValueOf(float64(rv.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return js.ValueOf(float64(rv.Uint()))
	case reflect.Float32, reflect.Float64:
		return js.ValueOf(rv.Float())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return js.Null()
		}
		a := jsArray.New(rv.Len())
		for i := range rv.Len() {
			a.SetIndex(i, toJS(rv.Index(i).Interface(), depth+1))
		}
		return a
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		if rv.IsNil() {
			return js.Null()
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		o := jsObject.New()
		for _, k := range keys {
			o.Set(k.String(), toJS(rv.MapIndex(k).Interface(), depth+1))
		}
		return o
	case reflect.Invalid:
		return js.Null()
	}
	if rv.CanInterface() {
		return js.ValueOf(fmt.Sprint(rv.Interface()))
	}
	return js.ValueOf(rv.String())
}

// FromJS converts a JavaScript value to Go as described in the package
// documentation. It returns nil when FromJSChecked reports an error.
func FromJS(v js.Value) any {
	out, err := FromJSChecked(v)
	if err != nil {
		return nil
	}
	return out
}

// FromJSChecked converts a JavaScript value to Go as described in the
// package documentation, reporting cycles and values beyond the limits
// as ErrCycle, ErrTooDeep or ErrTooLarge. A JavaScript exception thrown
// while reading the value (by a getter or a proxy) is returned as a
// js.Error.
func FromJSChecked(v js.Value) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("jsbridge: %v", r)
			}
			out = nil
		}
	}()
	c := &fromJS{}
	return c.convert(v)
}

type fromJS struct {
	path  []js.Value // objects being converted, outermost first
	count int
}

// typeOf is v.Type() except that values syscall/js cannot classify
// (BigInt) report ok == false instead of panicking.
func typeOf(v js.Value) (t js.Type, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return v.Type(), true
}

func (c *fromJS) convert(v js.Value) (any, error) {
	c.count++
	if c.count > MaxValues {
		return nil, ErrTooLarge
	}
	t, ok := typeOf(v)
	if !ok {
		return jsString.Invoke(v).String(), nil
	}
	switch t {
	case js.TypeUndefined, js.TypeNull:
		return nil, nil
	case js.TypeBoolean:
		return v.Bool(), nil
	case js.TypeNumber:
		return v.Float(), nil
	case js.TypeString:
		return v.String(), nil
	case js.TypeObject:
	default: // functions and symbols
		return v, nil
	}

	if v.InstanceOf(jsDate) {
		ms := v.Call("getTime")
		if ms.IsNaN() {
			return nil, nil
		}
		return time.UnixMilli(int64(ms.Float())), nil
	}
	if v.InstanceOf(jsArrayBuffer) {
		v = jsUint8Array.New(v)
	} else if jsArrayBuffer.Call("isView", v).Bool() && !v.InstanceOf(jsUint8Array) {
		v = jsUint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
	}
	if v.InstanceOf(jsUint8Array) {
		b := make([]byte, v.Length())
		js.CopyBytesToGo(b, v)
		return b, nil
	}

	if len(c.path) >= MaxDepth {
		return nil, ErrTooDeep
	}
	for _, p := range c.path {
		if p.Equal(v) {
			return nil, ErrCycle
		}
	}
	c.path = append(c.path, v)
	defer func() { c.path = c.path[:len(c.path)-1] }()

	if jsArray.Call("isArray", v).Bool() {
		n := get(v, "length").Int()
		out := make([]any, n)
		for i := range n {
			e, err := c.convert(get(v, i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}

	out := map[string]any{}
	if v.InstanceOf(jsError) {
		out["name"] = get(v, "name").String()
		out["message"] = get(v, "message").String()
	}
	keys := jsObject.Call("keys", v)
	for i := range keys.Length() {
		k := keys.Index(i).String()
		e, err := c.convert(get(v, k))
		if err != nil {
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}

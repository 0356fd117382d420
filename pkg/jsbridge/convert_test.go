//go:build js && wasm

package jsbridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type point struct{ X, Y int }

type named string

func TestRoundTrip(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 123_456_789, time.UTC)
	var nilMap map[string]any
	var nilPtr *int
	seven := 7
	cases := []struct {
		name   string
		in     any
		jsType js.Type
		want   any
	}{
		{"nil", nil, js.TypeNull, nil},
		{"true", true, js.TypeBoolean, true},
		{"false", false, js.TypeBoolean, false},
		{"int", -3, js.TypeNumber, -3.0},
		{"int8", int8(-8), js.TypeNumber, -8.0},
		{"int16", int16(-16), js.TypeNumber, -16.0},
		{"int32", int32(-32), js.TypeNumber, -32.0},
		{"int64", int64(1 << 40), js.TypeNumber, float64(1 << 40)},
		{"uint", uint(3), js.TypeNumber, 3.0},
		{"uint8", uint8(8), js.TypeNumber, 8.0},
		{"uint16", uint16(16), js.TypeNumber, 16.0},
		{"uint32", uint32(32), js.TypeNumber, 32.0},
		{"uint64", uint64(64), js.TypeNumber, 64.0},
		{"uintptr", uintptr(5), js.TypeNumber, 5.0},
		{"float32", float32(1.5), js.TypeNumber, 1.5},
		{"float64", 2.25, js.TypeNumber, 2.25},
		{"json.Number int", json.Number("42"), js.TypeNumber, 42.0},
		{"json.Number 2^53", json.Number("9007199254740992"), js.TypeNumber, 9007199254740992.0},
		{"json.Number big", json.Number("9007199254740993"), js.TypeString, "9007199254740993"},
		{"json.Number huge", json.Number("123456789012345678901234"), js.TypeString, "123456789012345678901234"},
		{"json.Number float", json.Number("1.25e2"), js.TypeNumber, 125.0},
		{"json.Number junk", json.Number("abc"), js.TypeString, "abc"},
		{"string", "héllo", js.TypeString, "héllo"},
		{"named string", named("n"), js.TypeString, "n"},
		{"bytes", []byte{0, 1, 255}, js.TypeObject, []byte{0, 1, 255}},
		{"empty bytes", []byte{}, js.TypeObject, []byte{}},
		{"nil bytes", []byte(nil), js.TypeNull, nil},
		{"[]any", []any{1, "a", nil, true}, js.TypeObject, []any{1.0, "a", nil, true}},
		{"[]string", []string{"a", "b"}, js.TypeObject, []any{"a", "b"}},
		{"[]int", []int{1, 2}, js.TypeObject, []any{1.0, 2.0}},
		{"array", [2]string{"x", "y"}, js.TypeObject, []any{"x", "y"}},
		{"map", map[string]any{"b": 1, "a": []any{map[string]any{"c": "d"}}}, js.TypeObject,
			map[string]any{"b": 1.0, "a": []any{map[string]any{"c": "d"}}}},
		{"map[string]string", map[string]string{"k": "v"}, js.TypeObject, map[string]any{"k": "v"}},
		{"nil map", nilMap, js.TypeNull, nil},
		{"nil pointer", nilPtr, js.TypeNull, nil},
		{"pointer", &seven, js.TypeNumber, 7.0},
		{"struct", point{1, 2}, js.TypeString, "{1 2}"},
		{"NaN-free inf", math.Inf(1), js.TypeNumber, math.Inf(1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := ToJS(c.in)
			assert.Equal(t, c.jsType, v.Type())
			got, err := FromJSChecked(v)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}

	t.Run("time", func(t *testing.T) {
		v := ToJS(when)
		assert.True(t, v.InstanceOf(js.Global().Get("Date")))
		got := FromJS(v)
		assert.True(t, when.Truncate(time.Millisecond).Equal(got.(time.Time)), "%v", got)
	})
	t.Run("js passthrough", func(t *testing.T) {
		o := js.Global().Get("Object").New()
		assert.True(t, ToJS(o).Equal(o))
		f := js.FuncOf(func(js.Value, []js.Value) any { return 1 })
		defer f.Release()
		assert.True(t, ToJS(f).Equal(f.Value))
		assert.True(t, ToJS([]any{o}).Index(0).Equal(o))
	})
	t.Run("error", func(t *testing.T) {
		v := ToJS(errors.New("boom"))
		assert.True(t, v.InstanceOf(js.Global().Get("Error")))
		assert.Equal(t, map[string]any{"name": "Error", "message": "boom"}, FromJS(v))
	})
	t.Run("NaN", func(t *testing.T) {
		assert.True(t, ToJS(math.NaN()).IsNaN())
	})
	t.Run("sorted keys", func(t *testing.T) {
		v := ToJS(map[string]any{"b": 1, "c": 2, "a": 3})
		keys := js.Global().Get("Object").Call("keys", v)
		assert.Equal(t, "a,b,c", keys.Call("join", ",").String())
	})
}

func TestFromJSShapes(t *testing.T) {
	v := jsEval(`(() => {
		const proto = {inherited: 1};
		const o = Object.create(proto);
		o.n = 1.5; o.s = "x"; o.b = false; o.nul = null; o.und = undefined;
		o.arr = [1, [2], {k: "v"}];
		o.bytes = new Uint8Array([1, 2, 3]);
		o.buf = new Uint8Array([9, 8]).buffer;
		o.view = new Uint16Array([0x0102]);
		o.date = new Date(86400000);
		o.bad = new Date(NaN);
		o.big = 12345678901234567890n;
		Object.defineProperty(o, "hidden", {value: 1, enumerable: false});
		o[Symbol("sym")] = 1;
		return o;
	})()`)
	got, err := FromJSChecked(v)
	require.NoError(t, err)
	m := got.(map[string]any)
	assert.Equal(t, map[string]any{
		"n": 1.5, "s": "x", "b": false, "nul": nil, "und": nil,
		"arr":   []any{1.0, []any{2.0}, map[string]any{"k": "v"}},
		"bytes": []byte{1, 2, 3},
		"buf":   []byte{9, 8},
		"view":  []byte{2, 1}, // little-endian host
		"date":  time.UnixMilli(86400000),
		"bad":   nil,
		"big":   "12345678901234567890",
	}, m)

	fn := jsEval(`function f() {}`)
	assert.True(t, FromJS(fn).(js.Value).Equal(fn))
	assert.Nil(t, FromJS(js.Undefined()))

	e := jsEval(`Object.assign(new TypeError("bad"), {statusCode: 404})`)
	assert.Equal(t, map[string]any{"name": "TypeError", "message": "bad", "statusCode": 404.0}, FromJS(e))
}

func TestFromJSCycles(t *testing.T) {
	o := js.Global().Get("Object").New()
	o.Set("a", 1)
	o.Set("self", o)
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = FromJSChecked(o)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("FromJSChecked hangs on a self-referencing object")
	}
	assert.ErrorIs(t, err, ErrCycle)
	assert.Nil(t, FromJS(o))

	arr := jsEval(`(() => { const a = [1]; a.push({back: a}); return a; })()`)
	_, err = FromJSChecked(arr)
	assert.ErrorIs(t, err, ErrCycle)

	// Sharing without a cycle is fine.
	shared := jsEval(`(() => { const s = {x: 1}; return {a: s, b: [s, s]}; })()`)
	got, err := FromJSChecked(shared)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"a": map[string]any{"x": 1.0},
		"b": []any{map[string]any{"x": 1.0}, map[string]any{"x": 1.0}},
	}, got)

	deep := jsEval(`(() => { let v = {}; for (let i = 0; i < 200; i++) v = {v}; return v; })()`)
	_, err = FromJSChecked(deep)
	assert.ErrorIs(t, err, ErrTooDeep)

	wide := jsEval(`new Array(1 << 21).fill(0)`)
	_, err = FromJSChecked(wide)
	assert.ErrorIs(t, err, ErrTooLarge)

	throwing := jsEval(`({get x() { throw new Error("getter") }})`)
	_, err = FromJSChecked(throwing)
	var jerr js.Error
	require.ErrorAs(t, err, &jerr)
	assert.Contains(t, err.Error(), "getter")
}

func TestToJSGoCycle(t *testing.T) {
	m := map[string]any{"k": 1}
	m["self"] = m
	s := make([]any, 1)
	s[0] = s
	for _, in := range []any{m, s} {
		v := ToJS(in)
		assert.Contains(t, js.Global().Get("JSON").Call("stringify", v).String(), tooDeep)
	}
}

func TestToJSUnknown(t *testing.T) {
	ch := make(chan int)
	assert.Equal(t, fmt.Sprint(ch), ToJS(ch).String())
	assert.Equal(t, "{1 2}", ToJS(&point{1, 2}).String())
	assert.Equal(t, js.TypeString, ToJS(map[int]string{1: "a"}).Type())
}

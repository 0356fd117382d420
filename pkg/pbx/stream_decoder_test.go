package pbx

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeChunks feeds chunks to a fresh decoder and returns the objects,
// copied, and the first error.
func decodeChunks(max int, chunks ...[]byte) ([]string, error) {
	d := newStreamDecoder(max)
	var out []string
	for _, c := range chunks {
		_, err := d.Write(c)
		for {
			obj, ok := d.Next()
			if !ok {
				break
			}
			out = append(out, string(obj))
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// splitAt cuts s at the given offsets.
func splitAt(s string, cuts ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, c := range cuts {
		out = append(out, []byte(s[prev:c]))
		prev = c
	}
	return append(out, []byte(s[prev:]))
}

func bytewise(s string) [][]byte {
	out := make([][]byte, len(s))
	for i := 0; i < len(s); i++ { // bytes, not runes
		out[i] = []byte{s[i]}
	}
	return out
}

const (
	objCall   = `{"event":"incomingcall","location":"/customers/325/calls/1","values":{"callerIdNumber":"01234567890","callerIdName":"Alice","endpoint":"/customers/325/endpoints/6874"}}`
	objSMS    = `{"event":"smsreceived","values":{"to":"07000000000","from":"07111111111","excerpt":"caf\u00e9 – “quoted” \"}{\" \\ done"}}`
	objDeliv  = `{"event":"smsdelivered","location":"/customers/325/sms/9"}`
	objNested = `{"a":{"b":{"c":[{"d":"}"}]}},"e":"{{{"}`
)

func TestStreamDecoderChunkings(t *testing.T) {
	utf8Obj := `{"event":"smsreceived","values":{"excerpt":"é🙂"}}`
	escObj := `{"event":"smsreceived","values":{"excerpt":"\u00e9\\\"x"}}`
	tests := []struct {
		name   string
		chunks [][]byte
		want   []string
	}{
		{"one object", splitAt(objCall), []string{objCall}},
		{"batched in one chunk", splitAt(objCall + objSMS + objDeliv), []string{objCall, objSMS, objDeliv}},
		{"one per chunk", splitAt(objCall+objSMS, len(objCall)), []string{objCall, objSMS}},
		{"byte by byte", bytewise(objCall + objSMS + objDeliv), []string{objCall, objSMS, objDeliv}},
		{"whitespace and newlines", splitAt("\r\n  " + objCall + "\n\n\t " + objSMS + " \n"), []string{objCall, objSMS}},
		{"atmosphere preamble", splitAt("0b7d8a70-5bd4-4dc7-a8e6-4fbfe6a1c0ad|60000|X|" + objCall + strings.Repeat(" ", 2048) + objSMS), []string{objCall, objSMS}},
		{"preamble split across chunks", splitAt("0b7d8a70|600"+"00|X|"+objCall, 6, 12, 20), []string{objCall}},
		{"padding between objects", splitAt(objCall + "XXXXpadding|1|" + objDeliv), []string{objCall, objDeliv}},
		{"array of events", splitAt("[" + objCall + "," + objDeliv + "]\n"), []string{objCall, objDeliv}},
		{"stray closing brace outside", splitAt("}}" + objDeliv + "}"), []string{objDeliv}},
		{"braces and quotes in strings", splitAt(objSMS + objNested), []string{objSMS, objNested}},
		{"split inside a unicode escape", splitAt(escObj, strings.Index(escObj, `\u00`)+4), []string{escObj}},
		{"split after a backslash", splitAt(escObj, strings.Index(escObj, `\\`)+1), []string{escObj}},
		{"split after an escaped backslash", splitAt(escObj, strings.Index(escObj, `\\`)+2), []string{escObj}},
		{"split inside a utf-8 rune", splitAt(utf8Obj, strings.Index(utf8Obj, "é")+1, strings.Index(utf8Obj, "🙂")+2), []string{utf8Obj}},
		{"split at the closing brace", splitAt(objCall+objDeliv, len(objCall)-1, len(objCall)), []string{objCall, objDeliv}},
		{"empty chunks", [][]byte{nil, []byte(objDeliv[:5]), {}, []byte(objDeliv[5:]), nil}, []string{objDeliv}},
		{"nothing but junk", splitAt("hello|world|\n\n"), nil},
		{"incomplete object is held back", splitAt(objCall + objSMS[:30]), []string{objCall}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeChunks(0, tt.chunks...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestStreamDecoderEverySplit cuts a stream at every pair of positions and
// checks that the objects never change.
func TestStreamDecoderEverySplit(t *testing.T) {
	stream := "uuid|1|" + objCall + "\n" + objSMS + objNested + " " + objDeliv
	want := []string{objCall, objSMS, objNested, objDeliv}
	step := 1
	if testing.Short() {
		step = 7
	}
	for i := 0; i <= len(stream); i += step {
		for j := i; j <= len(stream); j += step {
			got, err := decodeChunks(0, splitAt(stream, i, j)...)
			require.NoError(t, err)
			if !assert.Equal(t, want, got, "cut at %d and %d", i, j) {
				return
			}
		}
	}
}

func TestStreamDecoderObjectTooLarge(t *testing.T) {
	big := `{"event":"x","values":{"pad":"` + strings.Repeat("a", 200) + `"}}`

	t.Run("in one chunk, after a good object", func(t *testing.T) {
		got, err := decodeChunks(100, []byte(objDeliv+big+objDeliv))
		assert.ErrorIs(t, err, ErrStreamObjectTooLarge)
		assert.Equal(t, []string{objDeliv}, got, "objects before the big one are kept")
	})
	t.Run("across chunks", func(t *testing.T) {
		got, err := decodeChunks(100, bytewise(big)...)
		assert.ErrorIs(t, err, ErrStreamObjectTooLarge)
		assert.Empty(t, got)
	})
	t.Run("exactly at the bound", func(t *testing.T) {
		got, err := decodeChunks(len(objCall), []byte(objCall))
		require.NoError(t, err)
		assert.Equal(t, []string{objCall}, got)
		_, err = decodeChunks(len(objCall)-1, []byte(objCall))
		assert.ErrorIs(t, err, ErrStreamObjectTooLarge)
	})
	t.Run("sticky until Reset", func(t *testing.T) {
		d := newStreamDecoder(100)
		_, err := d.Write([]byte(big))
		require.ErrorIs(t, err, ErrStreamObjectTooLarge)
		_, err = d.Write([]byte(objDeliv))
		require.ErrorIs(t, err, ErrStreamObjectTooLarge)
		d.Reset()
		_, err = d.Write([]byte(objDeliv))
		require.NoError(t, err)
		obj, ok := d.Next()
		require.True(t, ok)
		assert.Equal(t, objDeliv, string(obj))
	})
	t.Run("default bound is 1 MiB", func(t *testing.T) {
		huge := `{"p":"` + strings.Repeat("a", 1<<20) + `"}`
		_, err := decodeChunks(0, []byte(huge))
		assert.ErrorIs(t, err, ErrStreamObjectTooLarge)
	})
}

// TestStreamDecoderMemoryIsBounded checks that neither junk between objects
// nor a long run of objects makes the buffer grow beyond one read plus the
// object in progress.
func TestStreamDecoderMemoryIsBounded(t *testing.T) {
	d := newStreamDecoder(0)
	junk := bytes.Repeat([]byte("x|"), 512)
	for i := 0; i < 10000; i++ {
		_, err := d.Write(junk)
		require.NoError(t, err)
	}
	assert.Zero(t, cap(d.buf), "junk outside objects is never buffered")

	chunk := []byte(strings.Repeat(objCall+"\n", 20))
	n := 0
	for i := 0; i < 10000; i++ {
		_, err := d.Write(chunk)
		require.NoError(t, err)
		for {
			if _, ok := d.Next(); !ok {
				break
			}
			n++
		}
	}
	assert.Equal(t, 200000, n)
	assert.LessOrEqual(t, cap(d.buf), 2*len(chunk))
}

func TestStreamDecoderReset(t *testing.T) {
	d := newStreamDecoder(0)
	_, err := d.Write([]byte(objCall[:40]))
	require.NoError(t, err)
	assert.True(t, d.Pending())
	d.Reset()
	assert.False(t, d.Pending())
	// Without the reset, this would merge with the half object above.
	_, err = d.Write([]byte(objDeliv))
	require.NoError(t, err)
	obj, ok := d.Next()
	require.True(t, ok)
	assert.Equal(t, objDeliv, string(obj))
}

func TestStreamDecoderObjectReader(t *testing.T) {
	stream := "id|1|" + objCall + "\n" + objSMS + objDeliv
	readAll := func(r *streamObjectReader) ([]string, error) {
		var out []string
		for {
			obj, err := r.Next()
			if err != nil {
				return out, err
			}
			out = append(out, string(obj))
		}
	}
	tests := []struct {
		name    string
		r       io.Reader
		max     int
		want    []string
		wantErr error
	}{
		{"whole", strings.NewReader(stream), 0, []string{objCall, objSMS, objDeliv}, io.EOF},
		{"one byte reads", iotest.OneByteReader(strings.NewReader(stream)), 0, []string{objCall, objSMS, objDeliv}, io.EOF},
		{"data with EOF", iotest.DataErrReader(strings.NewReader(stream)), 0, []string{objCall, objSMS, objDeliv}, io.EOF},
		{"cut off", strings.NewReader(stream[:len(stream)-3]), 0, []string{objCall, objSMS}, io.ErrUnexpectedEOF},
		{"read error", io.MultiReader(strings.NewReader(objCall), iotest.ErrReader(errors.New("boom"))), 0, []string{objCall}, errors.New("boom")},
		{"too large", strings.NewReader(objDeliv + objCall), len(objDeliv), []string{objDeliv}, ErrStreamObjectTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(newStreamObjectReader(tt.r, tt.max))
			assert.Equal(t, tt.want, got)
			if tt.wantErr.Error() == "boom" {
				assert.EqualError(t, err, "boom")
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

// FuzzStreamDecoder checks that the chunking never changes the objects and
// that every object is a balanced {...} within the bound.
func FuzzStreamDecoder(f *testing.F) {
	f.Add([]byte("id|1|"+objCall+objSMS), 7, 100)
	f.Add([]byte(objNested+"}{\"\\"), 3, 1)
	f.Add([]byte(`{"a":"\u00e9"}`), 9, 2)
	f.Fuzz(func(t *testing.T, data []byte, cut, size int) {
		whole, errWhole := decodeChunks(256, data)
		if cut < 0 {
			cut = -cut
		}
		if size <= 0 {
			size = 1
		}
		var chunks [][]byte
		rest := data
		if cut > len(rest) {
			cut = len(rest)
		}
		chunks = append(chunks, rest[:cut])
		rest = rest[cut:]
		for len(rest) > 0 {
			n := min(size, len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		split, errSplit := decodeChunks(256, chunks...)
		if (errWhole == nil) != (errSplit == nil) {
			t.Fatalf("error depends on chunking: %v vs %v", errWhole, errSplit)
		}
		if errWhole == nil && !assert.Equal(t, whole, split) {
			return
		}
		for _, obj := range split {
			if len(obj) > 256 || obj[0] != '{' || obj[len(obj)-1] != '}' {
				t.Fatalf("bad object %q", obj)
			}
		}
	})
}

// benchStream returns a stream of n typical events in the server's style
// (one object per line, a heartbeat now and then), and the number of
// events in it.
func benchStream(n int) ([]byte, int) {
	var b bytes.Buffer
	b.WriteString("0b7d8a70-5bd4-4dc7-a8e6-4fbfe6a1c0ad|60000|X|")
	events := 0
	for i := 0; i < n; i++ {
		if i%50 == 49 {
			b.WriteString(`{"event":"heartbeat"}` + "\n")
			continue
		}
		b.WriteString(`{"event":"incomingcall","location":"/customers/325/calls/`)
		b.WriteString(strings.Repeat("7", 1+i%6))
		b.WriteString(`","values":{"callerIdNumber":"+441234567890","callerIdName":"Alice Example \u00e9","endpoint":"/customers/325/endpoints/6874"}}` + "\n")
		events++
	}
	return b.Bytes(), n
}

// feedBench runs fn over every object of the stream, read in chunks of a
// typical network size, until b.N objects are done, and reports the rate.
func feedBench(b *testing.B, fn func(obj []byte)) {
	data, _ := benchStream(1000)
	const chunk = 4096
	d := newStreamDecoder(0)
	b.SetBytes(int64(len(data) / 1000)) // bytes per object
	b.ReportAllocs()
	b.ResetTimer()
	done := 0
	for done < b.N {
		d.Reset()
		for off := 0; off < len(data) && done < b.N; off += chunk {
			end := min(off+chunk, len(data))
			if _, err := d.Write(data[off:end]); err != nil {
				b.Fatal(err)
			}
			for done < b.N {
				obj, ok := d.Next()
				if !ok {
					break
				}
				fn(obj)
				done++
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStreamDecoderSplit measures splitting the byte stream into
// objects; one op is one object.
func BenchmarkStreamDecoderSplit(b *testing.B) {
	n := 0
	feedBench(b, func(obj []byte) { n += len(obj) })
}

// BenchmarkStreamDecoderEvents measures what the stream does per object:
// split, copy and json.Unmarshal into an Event; one op is one object.
func BenchmarkStreamDecoderEvents(b *testing.B) {
	feedBench(b, func(obj []byte) {
		if _, _, err := decodeStreamEvent(obj); err != nil {
			b.Fatal(err)
		}
	})
}

package pbx

import (
	"bytes"
	"errors"
	"io"
)

// ErrStreamObjectTooLarge reports an object in the event stream larger
// than the decoder accepts. The stream treats it like a broken connection
// and reconnects, so a misbehaving server cannot make the client buffer
// without bound.
var ErrStreamObjectTooLarge = errors.New("pbx: stream object too large")

// defaultMaxObjectSize bounds one object of the event stream. Real events
// are a few hundred bytes; 1 MiB leaves room for anything plausible.
const defaultMaxObjectSize = 1 << 20

// streamDecoder splits a byte stream into top-level JSON objects, whatever
// the chunking: several objects in one chunk, one object split across many
// (even inside a string, an escape or a UTF-8 sequence), whitespace or any
// other text between objects.
//
// Only a top-level {...} is an object. Bytes outside one are skipped, which
// is how an Atmosphere-style preamble ("uuid|interval|padding|"), padding,
// newlines, commas or the brackets of an array of events are tolerated.
// Inside an object the decoder tracks strings and escapes, so braces in
// string values do not count. It does not validate JSON: json.Unmarshal
// does that on the result. (Text outside objects is not parsed, so a brace
// inside junk text would start an object; the size bound then limits the
// damage.)
//
// The objects returned by Next alias an internal buffer that is reused by
// the next Write: copy what must outlive it. This keeps decoding free of
// allocations once the buffer has grown to the size of one read.
type streamDecoder struct {
	max int

	// buf holds the objects completed by the last Write, then the object
	// in progress, which starts at partStart.
	buf       []byte
	partStart int
	spans     []objSpan // completed objects in buf
	next      int       // next span to return

	depth   int  // brace depth; 0 outside an object
	inStr   bool // inside a string of the current object
	escaped bool // the previous byte in the string was a backslash

	err error
}

type objSpan struct{ start, end int }

// newStreamDecoder returns a decoder that rejects objects longer than max
// bytes (defaultMaxObjectSize when max <= 0).
func newStreamDecoder(max int) *streamDecoder {
	if max <= 0 {
		max = defaultMaxObjectSize
	}
	return &streamDecoder{max: max}
}

// Write feeds the next chunk of the stream. Objects completed by it are
// then returned by Next. Objects returned before this call become invalid.
// After an object exceeds the size bound, Write returns
// ErrStreamObjectTooLarge, now and on every later call until Reset.
func (d *streamDecoder) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	d.compact()
	i := 0
	for i < len(p) {
		if d.depth == 0 {
			// Outside an object: skip to the next '{'.
			j := bytes.IndexByte(p[i:], '{')
			if j < 0 {
				break
			}
			i += j
			d.partStart = len(d.buf)
		}
		end, complete := d.scan(p[i:])
		if len(d.buf)-d.partStart+end > d.max {
			d.err = ErrStreamObjectTooLarge
			return i, d.err
		}
		d.buf = append(d.buf, p[i:i+end]...)
		i += end
		if complete {
			d.spans = append(d.spans, objSpan{d.partStart, len(d.buf)})
			d.partStart = len(d.buf)
		}
	}
	return len(p), nil
}

// scan advances the object state machine over p, which starts inside an
// object or at its opening brace. It returns how many bytes belong to the
// current object and whether the object ended there.
func (d *streamDecoder) scan(p []byte) (int, bool) {
	depth, inStr, escaped := d.depth, d.inStr, d.escaped
	for k, c := range p {
		if inStr {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				d.depth, d.inStr, d.escaped = 0, false, false
				return k + 1, true
			}
		}
	}
	d.depth, d.inStr, d.escaped = depth, inStr, escaped
	return len(p), false
}

// compact drops the objects already handed out, keeping the object in
// progress at the start of buf.
func (d *streamDecoder) compact() {
	if len(d.spans) == 0 && d.partStart == 0 {
		return
	}
	n := copy(d.buf, d.buf[d.partStart:])
	d.buf = d.buf[:n]
	d.partStart = 0
	d.spans = d.spans[:0]
	d.next = 0
}

// Next returns the next complete object, valid until the next Write or
// Reset, and false when there is none.
func (d *streamDecoder) Next() ([]byte, bool) {
	if d.next >= len(d.spans) {
		return nil, false
	}
	s := d.spans[d.next]
	d.next++
	return d.buf[s.start:s.end:s.end], true
}

// Pending reports whether an object has begun but not ended.
func (d *streamDecoder) Pending() bool { return d.depth > 0 }

// Reset discards everything, including a sticky error, keeping the
// buffers for reuse. The stream resets its decoder for every connection so
// that half an object from a dropped connection never merges with the
// next one's data.
func (d *streamDecoder) Reset() {
	d.buf = d.buf[:0]
	d.partStart = 0
	d.spans = d.spans[:0]
	d.next = 0
	d.depth, d.inStr, d.escaped = 0, false, false
	d.err = nil
}

// streamObjectReader reads the JSON objects of an io.Reader with a streamDecoder.
type streamObjectReader struct {
	r   io.Reader
	d   *streamDecoder
	buf []byte
	err error
}

// newStreamObjectReader returns an streamObjectReader over r with the given object
// size bound (see newStreamDecoder).
func newStreamObjectReader(r io.Reader, max int) *streamObjectReader {
	return &streamObjectReader{r: r, d: newStreamDecoder(max), buf: make([]byte, 32<<10)}
}

// Next returns the next object, valid until the following call. At the end
// of r it returns io.EOF, or io.ErrUnexpectedEOF if an object was cut off;
// it returns r's other errors and ErrStreamObjectTooLarge as they are.
func (o *streamObjectReader) Next() ([]byte, error) {
	for {
		if obj, ok := o.d.Next(); ok {
			return obj, nil
		}
		if o.err != nil {
			return nil, o.err
		}
		n, err := o.r.Read(o.buf)
		if n > 0 {
			if _, werr := o.d.Write(o.buf[:n]); werr != nil {
				o.err = werr
				continue
			}
		}
		if err != nil {
			if err == io.EOF && o.d.Pending() {
				err = io.ErrUnexpectedEOF
			}
			o.err = err
		}
	}
}

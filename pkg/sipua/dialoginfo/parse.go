package dialoginfo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Parse decodes an application/dialog-info+xml body. See the package
// documentation for what is accepted and the limits that apply. Errors
// wrap one of the package's Err values.
func Parse(body []byte) (*Info, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: %d bytes, limit is %d", ErrTooLarge, len(body), MaxBodySize)
	}
	body = bytes.TrimPrefix(body, utf8BOM)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmpty
	}
	p := parser{d: xml.NewDecoder(bytes.NewReader(body))}
	// Strict is the default; stated here because the safety argument in
	// the package documentation relies on it. Entity stays nil, so only
	// the predefined entities and character references are recognized.
	p.d.Strict = true
	p.d.CharsetReader = charsetReader
	return p.document()
}

// StateOf parses body and returns its [Info.ExtensionState]. When body
// cannot be parsed it returns Unknown and the error from [Parse].
func StateOf(body []byte) (ExtensionState, error) {
	info, err := Parse(body)
	if err != nil {
		return Unknown, err
	}
	return info.ExtensionState(), nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

// parser walks the token stream of one document. depth is the number of
// currently open elements.
type parser struct {
	d     *xml.Decoder
	depth int
}

// next returns the next token, keeping depth up to date and enforcing
// MaxDepth. It returns io.EOF only at the clean end of the input.
func (p *parser) next() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch tok.(type) {
	case xml.StartElement:
		p.depth++
		if p.depth > MaxDepth {
			return nil, fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, MaxDepth)
		}
	case xml.EndElement:
		p.depth--
	case xml.Directive:
		return nil, fmt.Errorf("%w: DOCTYPE and other declarations are not allowed", ErrMalformed)
	}
	return tok, nil
}

// inner is next for use inside an element, where the input must not end.
func (p *parser) inner() (xml.Token, error) {
	tok, err := p.next()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: unexpected end of document", ErrMalformed)
	}
	return tok, err
}

// skip consumes the rest of the element whose start was just read.
func (p *parser) skip() error {
	for level := p.depth; p.depth >= level; {
		if _, err := p.inner(); err != nil {
			return err
		}
	}
	return nil
}

// text consumes the rest of the element whose start was just read and
// returns its own character data, trimmed. Text of child elements is
// ignored.
func (p *parser) text() (string, error) {
	var s string
	var buf []byte
	level := p.depth
	for {
		tok, err := p.inner()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if p.depth != level {
				break
			}
			switch {
			case buf != nil:
				buf = append(buf, t...)
			case s == "":
				s = string(t)
			default:
				buf = append([]byte(s), t...)
			}
		case xml.EndElement:
			if p.depth < level {
				if buf != nil {
					s = string(buf)
				}
				return strings.TrimSpace(s), nil
			}
		}
	}
}

// isModel reports whether name is the element local in the dialog-info
// vocabulary, i.e. in the RFC 4235 namespace or in no namespace.
func isModel(name xml.Name, local string) bool {
	return name.Local == local && (name.Space == Namespace || name.Space == "")
}

// attr returns the local name of a, and false when a is qualified with a
// foreign namespace prefix and so belongs to an extension. The schema's
// own attributes are unqualified.
func attr(a xml.Attr) (string, bool) {
	if a.Name.Space != "" && a.Name.Space != Namespace {
		return "", false
	}
	return a.Name.Local, true
}

func (p *parser) document() (*Info, error) {
	var info *Info
	for {
		tok, err := p.next()
		if err == io.EOF {
			if info == nil {
				return nil, fmt.Errorf("%w: no root element", ErrMalformed)
			}
			return info, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if info != nil {
				return nil, fmt.Errorf("%w: more than one root element", ErrMalformed)
			}
			if !isModel(t.Name, "dialog-info") {
				return nil, fmt.Errorf("%w: found %s", ErrNotDialogInfo, describe(t.Name))
			}
			if info, err = p.root(t); err != nil {
				return nil, err
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, fmt.Errorf("%w: text outside the root element", ErrMalformed)
			}
		}
		// Comments and processing instructions are ignored.
	}
}

func describe(n xml.Name) string {
	if n.Space == "" {
		return strconv.Quote(n.Local)
	}
	return fmt.Sprintf("%q in namespace %q", n.Local, n.Space)
}

func (p *parser) root(start xml.StartElement) (*Info, error) {
	info := &Info{}
	version, state := "", ""
	haveVersion := false
	for _, a := range start.Attr {
		name, ok := attr(a)
		if !ok {
			continue
		}
		switch name {
		case "version":
			version, haveVersion = a.Value, true
		case "state":
			state = a.Value
		case "entity":
			info.Entity = strings.TrimSpace(a.Value)
		}
	}
	if !haveVersion {
		return nil, fmt.Errorf("%w: attribute absent", ErrInvalidVersion)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(version), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrInvalidVersion, version)
	}
	info.Version = v
	switch strings.ToLower(strings.TrimSpace(state)) {
	case "full":
		info.State = Full
	case "partial":
		info.State = Partial
	default:
		return nil, fmt.Errorf("%w: %q", ErrInvalidState, state)
	}

	for {
		tok, err := p.inner()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !isModel(t.Name, "dialog") {
				if err := p.skip(); err != nil {
					return nil, err
				}
				break
			}
			if len(info.Dialogs) == MaxDialogs {
				return nil, fmt.Errorf("%w: more than %d dialogs", ErrTooLarge, MaxDialogs)
			}
			d, err := p.dialog(t)
			if err != nil {
				return nil, err
			}
			info.Dialogs = append(info.Dialogs, d)
		case xml.EndElement:
			return info, nil
		}
	}
}

func (p *parser) dialog(start xml.StartElement) (Dialog, error) {
	var d Dialog
	for _, a := range start.Attr {
		name, ok := attr(a)
		if !ok {
			continue
		}
		switch name {
		case "id":
			d.ID = strings.TrimSpace(a.Value)
		case "call-id":
			d.CallID = strings.TrimSpace(a.Value)
		case "local-tag":
			d.LocalTag = strings.TrimSpace(a.Value)
		case "remote-tag":
			d.RemoteTag = strings.TrimSpace(a.Value)
		case "direction":
			switch dir := Direction(strings.ToLower(strings.TrimSpace(a.Value))); dir {
			case Initiator, Recipient:
				d.Direction = dir
			}
		}
	}
	for {
		tok, err := p.inner()
		if err != nil {
			return Dialog{}, err
		}
		var t xml.StartElement
		switch tt := tok.(type) {
		case xml.EndElement:
			return d, nil
		case xml.StartElement:
			t = tt
		default:
			continue
		}
		switch {
		case isModel(t.Name, "state"):
			for _, a := range t.Attr {
				name, ok := attr(a)
				if !ok {
					continue
				}
				switch name {
				case "event":
					d.Event = strings.ToLower(strings.TrimSpace(a.Value))
				case "code":
					if c, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && c > 0 {
						d.Code = c
					}
				}
			}
			s, err := p.text()
			if err != nil {
				return Dialog{}, err
			}
			d.State = DialogState(strings.ToLower(s))
		case isModel(t.Name, "duration"):
			s, err := p.text()
			if err != nil {
				return Dialog{}, err
			}
			if secs, err := strconv.ParseUint(s, 10, 64); err == nil && secs <= math.MaxInt64/uint64(time.Second) {
				d.Duration, d.HasDuration = time.Duration(secs)*time.Second, true
			}
		case isModel(t.Name, "local"):
			if d.Local, err = p.participant(); err != nil {
				return Dialog{}, err
			}
		case isModel(t.Name, "remote"):
			if d.Remote, err = p.participant(); err != nil {
				return Dialog{}, err
			}
		default:
			if err := p.skip(); err != nil {
				return Dialog{}, err
			}
		}
	}
}

func (p *parser) participant() (Participant, error) {
	var pt Participant
	for {
		tok, err := p.inner()
		if err != nil {
			return Participant{}, err
		}
		var t xml.StartElement
		switch tt := tok.(type) {
		case xml.EndElement:
			return pt, nil
		case xml.StartElement:
			t = tt
		default:
			continue
		}
		switch {
		case isModel(t.Name, "identity") && pt.Identity == "":
			for _, a := range t.Attr {
				if name, ok := attr(a); ok && name == "display" {
					pt.Display = strings.TrimSpace(a.Value)
				}
			}
			if pt.Identity, err = p.text(); err != nil {
				return Participant{}, err
			}
		case isModel(t.Name, "target") && pt.Target == "":
			for _, a := range t.Attr {
				if name, ok := attr(a); ok && name == "uri" {
					pt.Target = strings.TrimSpace(a.Value)
				}
			}
			if err := p.skip(); err != nil {
				return Participant{}, err
			}
		default:
			if err := p.skip(); err != nil {
				return Participant{}, err
			}
		}
	}
}

// charsetReader lets documents declare US-ASCII or ISO-8859-1; UTF-8 is
// handled by encoding/xml itself. Anything else is refused.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "iso_8859-1", "latin1", "l1":
		// The input is at most MaxBodySize bytes, so reading it whole
		// is bounded; the result is at most twice as long.
		in, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(in)+len(in)/4)
		for _, b := range in {
			out = utf8.AppendRune(out, rune(b))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

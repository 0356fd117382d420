package sipmsg

import (
	"fmt"
	"strconv"
	"strings"
)

// BranchMagic starts every RFC 3261 branch parameter.
const BranchMagic = "z9hG4bK"

// Via is one Via header value: `SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds;rport`.
type Via struct {
	// ProtocolName and ProtocolVersion are "SIP" and "2.0" in practice.
	ProtocolName    string
	ProtocolVersion string
	// Transport is upper case: "UDP", "TCP", "TLS", "WS", "WSS", ...
	Transport string
	Host      string
	// Port is 0 when the sent-by has none.
	Port   int
	Params Params
}

// ParseVia parses one Via value.
func ParseVia(s string) (Via, error) {
	var v Via
	err := v.parse(s)
	return v, err
}

func (v *Via) parse(s string) error {
	const what = "header Via"
	i := 0
	var parts [3]string
	for k := range parts {
		i = skipWS(s, i)
		start := i
		for i < len(s) && isToken(s[i]) {
			i++
		}
		if i == start {
			return parseErr(what, i, "malformed sent-protocol")
		}
		parts[k] = s[start:i]
		i = skipWS(s, i)
		if k < 2 {
			if i >= len(s) || s[i] != '/' {
				return parseErr(what, i, "expected '/' in sent-protocol")
			}
			i++
		}
	}
	v.ProtocolName, v.ProtocolVersion = parts[0], parts[1]
	v.Transport = upperASCII(parts[2])
	i = skipWS(s, i)
	start := i
	if i < len(s) && s[i] == '[' {
		end := strings.IndexByte(s[i:], ']')
		if end < 0 || !validIPv6(s[i+1:i+end]) {
			return parseErr(what, i, "invalid IPv6 reference")
		}
		i += end + 1
	} else {
		for i < len(s) && charClass[s[i]]&clHost != 0 {
			i++
		}
	}
	if i == start {
		return parseErr(what, i, "missing sent-by host")
	}
	v.Host = s[start:i]
	i = skipWS(s, i)
	if i < len(s) && s[i] == ':' {
		i = skipWS(s, i+1)
		ps := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		port, err := strconv.Atoi(s[ps:i])
		if err != nil || port < 1 || port > 65535 {
			return parseErr(what, ps, "invalid port %q", clip(s[ps:i]))
		}
		v.Port = port
	}
	rest := s[i:]
	// A trailing comment "(...)" is allowed by RFC 3261's grammar; drop it.
	if j := strings.IndexByte(rest, '('); j >= 0 && strings.HasSuffix(trimWS(rest), ")") && !strings.Contains(rest[:j], "\"") {
		rest = rest[:j]
	}
	var err error
	v.Params, err = parseHeaderParams(rest, what)
	return err
}

// Branch returns the branch parameter.
func (v *Via) Branch() string {
	b, _ := v.Params.Get("branch")
	return b
}

// Received returns the received parameter.
func (v *Via) Received() string {
	r, _ := v.Params.Get("received")
	return r
}

// RPort returns the rport parameter (RFC 3581): present reports whether it
// is there at all, port is its value (0 for a bare ";rport").
func (v *Via) RPort() (port int, present bool) {
	r, ok := v.Params.Get("rport")
	if !ok {
		return 0, false
	}
	n, _ := strconv.Atoi(r)
	return n, true
}

// SentBy returns host[:port].
func (v *Via) SentBy() string {
	if v.Port == 0 {
		return v.Host
	}
	return v.Host + ":" + strconv.Itoa(v.Port)
}

// AppendTo appends the Via value.
func (v *Via) AppendTo(b []byte) []byte {
	name, version := v.ProtocolName, v.ProtocolVersion
	if name == "" {
		name = "SIP"
	}
	if version == "" {
		version = "2.0"
	}
	b = appendEscaped(b, name, clToken)
	b = append(b, '/')
	b = appendEscaped(b, version, clToken)
	b = append(b, '/')
	b = appendEscaped(b, v.Transport, clToken)
	b = append(b, ' ')
	b = appendHost(b, v.Host)
	if v.Port > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(v.Port), 10)
	}
	return v.Params.appendHeaderParams(b)
}

// String returns the Via value.
func (v Via) String() string { return string(v.AppendTo(make([]byte, 0, 80))) }

// Vias parses every Via value, top first.
func (m *Message) Vias() ([]Via, error) {
	vals := m.Values(HdrVia)
	out := make([]Via, len(vals))
	for i, s := range vals {
		if err := out[i].parse(s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TopVia parses the first Via value.
func (m *Message) TopVia() (Via, error) {
	s := m.Get(HdrVia)
	if s == "" {
		return Via{}, fmt.Errorf("%w: %s", ErrNoHeader, HdrVia)
	}
	return ParseVia(s)
}

func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

package media

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// This file holds the SDP helpers that both implementations and the
// session layer use. They parse with github.com/pion/sdp/v3, which pion's
// WebRTC stack uses itself, so what they accept is what the stack accepts.

// Reverse returns the direction the other end of a stream has when one end
// has d: sendonly and recvonly swap, sendrecv and inactive stay. The empty
// direction counts as sendrecv.
func Reverse(d Direction) Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	default:
		return SendRecv
	}
}

// RemoteDirection returns the direction of the audio stream of sdp as its
// author declared it: the audio media section's direction attribute, else
// the session-level one, else sendrecv (RFC 4566 §6, RFC 3264 §5.1). It
// fails with ErrNoMedia when the SDP has no usable audio stream (see
// HasAudio), and with a parse error when it is not SDP.
func RemoteDirection(sdp string) (Direction, error) {
	sd, err := parseSDP(sdp)
	if err != nil {
		return "", err
	}
	m := audioSection(sd)
	if m == nil {
		return "", ErrNoMedia
	}
	return sectionDirection(sd, m), nil
}

// HasAudio reports whether sdp parses and offers a usable audio stream: an
// m=audio section with a non-zero port (port 0 rejects or disables a
// stream, RFC 3264 §5.1) and at least one format.
func HasAudio(sdp string) bool {
	sd, err := parseSDP(sdp)
	return err == nil && audioSection(sd) != nil
}

// ValidDirection reports whether d is one of the four directions or empty
// (which means sendrecv).
func ValidDirection(d Direction) bool {
	switch d {
	case "", SendRecv, SendOnly, RecvOnly, Inactive:
		return true
	}
	return false
}

// orSendRecv maps "" to SendRecv.
func orSendRecv(d Direction) Direction {
	if d == "" {
		return SendRecv
	}
	return d
}

func sends(d Direction) bool    { d = orSendRecv(d); return d == SendRecv || d == SendOnly }
func receives(d Direction) bool { d = orSendRecv(d); return d == SendRecv || d == RecvOnly }

func directionOf(send, recv bool) Direction {
	switch {
	case send && recv:
		return SendRecv
	case send:
		return SendOnly
	case recv:
		return RecvOnly
	default:
		return Inactive
	}
}

// intersect narrows a by b: it sends only when both allow sending and
// receives only when both allow receiving. An answer's direction is
// intersect(wanted, Reverse(offer)) (RFC 3264 §6.1).
func intersect(a, b Direction) Direction {
	return directionOf(sends(a) && sends(b), receives(a) && receives(b))
}

func isDirectionAttr(key string) bool {
	switch Direction(key) {
	case SendRecv, SendOnly, RecvOnly, Inactive:
		return true
	}
	return false
}

var errNotSDP = errors.New("media: not an SDP (it must begin with v=)")

func parseSDP(s string) (*sdp.SessionDescription, error) {
	if !strings.HasPrefix(s, "v=") {
		return nil, errNotSDP
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(s); err != nil {
		return nil, fmt.Errorf("media: parse SDP: %w", err)
	}
	return &sd, nil
}

func isAudio(m *sdp.MediaDescription) bool {
	return strings.EqualFold(m.MediaName.Media, "audio")
}

// audioSection returns the first usable audio section, or nil.
func audioSection(sd *sdp.SessionDescription) *sdp.MediaDescription {
	for _, m := range sd.MediaDescriptions {
		if isAudio(m) && m.MediaName.Port.Value != 0 && len(m.MediaName.Formats) > 0 {
			return m
		}
	}
	return nil
}

func attrsDirection(attrs []sdp.Attribute) Direction {
	for _, a := range attrs {
		if isDirectionAttr(a.Key) {
			return Direction(a.Key)
		}
	}
	return ""
}

func sectionDirection(sd *sdp.SessionDescription, m *sdp.MediaDescription) Direction {
	if d := attrsDirection(m.Attributes); d != "" {
		return d
	}
	if d := attrsDirection(sd.Attributes); d != "" {
		return d
	}
	return SendRecv
}

// setDirectionAttr replaces the direction attribute of attrs with d, in
// place of the first one, or appends it when there is none.
func setDirectionAttr(attrs []sdp.Attribute, d Direction) []sdp.Attribute {
	out := make([]sdp.Attribute, 0, len(attrs)+1)
	done := false
	for _, a := range attrs {
		if !isDirectionAttr(a.Key) {
			out = append(out, a)
			continue
		}
		if !done {
			out = append(out, sdp.NewPropertyAttribute(string(d)))
			done = true
		}
	}
	if !done {
		out = append(out, sdp.NewPropertyAttribute(string(d)))
	}
	return out
}

func withoutDirectionAttr(attrs []sdp.Attribute) []sdp.Attribute {
	out := attrs[:0:0]
	for _, a := range attrs {
		if !isDirectionAttr(a.Key) {
			out = append(out, a)
		}
	}
	return out
}

// rewriteDirections parses s, moves a session-level direction attribute
// down to the media sections that have none, sets the direction of every
// audio section to audio, and serializes the result.
func rewriteDirections(s string, audio Direction) (string, error) {
	sd, err := parseSDP(s)
	if err != nil {
		return "", err
	}
	session := attrsDirection(sd.Attributes)
	if session != "" {
		sd.Attributes = withoutDirectionAttr(sd.Attributes)
	}
	for _, m := range sd.MediaDescriptions {
		switch {
		case isAudio(m):
			m.Attributes = setDirectionAttr(m.Attributes, audio)
		case session != "" && attrsDirection(m.Attributes) == "":
			m.Attributes = append(m.Attributes, sdp.NewPropertyAttribute(string(session)))
		}
	}
	b, err := sd.Marshal()
	if err != nil {
		return "", fmt.Errorf("media: serialize SDP: %w", err)
	}
	return string(b), nil
}

// setAudioDirection returns s with the direction of its audio sections set
// to d (hold and its release on the wire).
func setAudioDirection(s string, d Direction) (string, error) {
	return rewriteDirections(s, orSendRecv(d))
}

// payloadKind is what an RTP payload type carries.
type payloadKind uint8

const (
	payloadUnknown payloadKind = iota
	payloadPCMU
	payloadPCMA
	payloadEvent   // telephone-event/8000 (RFC 4733)
	payloadOpus    // opus/48000/2 (RFC 7587): decoded with the tag opus, else only relayed
	payloadEvent48 // telephone-event/48000, the events that go with Opus
)

// payloadTable maps the payload types of the audio sections of one or
// more SDPs to what they carry. The static types 0 (PCMU) and 8 (PCMA)
// are always known.
type payloadTable map[uint8]payloadKind

func newPayloadTable() payloadTable {
	return payloadTable{0: payloadPCMU, 8: payloadPCMA}
}

// add records the rtpmap lines of the audio sections of s; SDPs that do
// not parse add nothing.
func (t payloadTable) add(s string) {
	sd, err := parseSDP(s)
	if err != nil {
		return
	}
	for _, m := range sd.MediaDescriptions {
		if !isAudio(m) {
			continue
		}
		for _, a := range m.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			pt, kind, ok := parseRTPMap(a.Value)
			if ok {
				t[pt] = kind
			}
		}
	}
}

// parseRTPMap reads "96 telephone-event/8000" or "111 opus/48000/2".
func parseRTPMap(v string) (uint8, payloadKind, bool) {
	num, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return 0, payloadUnknown, false
	}
	pt, err := strconv.ParseUint(num, 10, 7)
	if err != nil {
		return 0, payloadUnknown, false
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 {
		return uint8(pt), payloadUnknown, true
	}
	switch name, rate := strings.ToLower(parts[0]), parts[1]; {
	case rate == "8000" && name == "pcmu":
		return uint8(pt), payloadPCMU, true
	case rate == "8000" && name == "pcma":
		return uint8(pt), payloadPCMA, true
	case rate == "8000" && name == "telephone-event":
		return uint8(pt), payloadEvent, true
	case rate == "48000" && name == "telephone-event":
		return uint8(pt), payloadEvent48, true
	case rate == "48000" && name == "opus":
		return uint8(pt), payloadOpus, true
	}
	return uint8(pt), payloadUnknown, true
}

// offersG711 reports whether the audio section of s lists PCMU or PCMA
// among its formats.
func offersG711(s string) bool { return offersCodec(s, payloadPCMU, payloadPCMA) }

// offersCodec reports whether the audio section of s lists a format of
// one of the kinds.
func offersCodec(s string, kinds ...payloadKind) bool {
	sd, err := parseSDP(s)
	if err != nil {
		return false
	}
	m := audioSection(sd)
	if m == nil {
		return false
	}
	t := newPayloadTable()
	t.add(s)
	for _, f := range m.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		if slices.Contains(kinds, t[uint8(pt)]) {
			return true
		}
	}
	return false
}

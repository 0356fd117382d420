// Package sipmsg is the SIP message syntax layer: it parses and serializes
// SIP requests and responses (RFC 3261 §7, §20, §25), SIP, SIPS and tel
// URIs, and the header fields a user agent works with.
//
// It imports nothing that touches the network, so the transports, the
// transaction layer, the development PBX and the WebAssembly module can all
// share it cheaply.
//
// # Parsing
//
// [Parse] reads one complete message (as one WebSocket message carries
// one). Header lines are kept in order as name/value pairs: names are
// canonicalized (compact forms such as "v" or "i" become "Via" and
// "Call-ID"), unknown headers are kept verbatim, folded lines are joined.
// Typed values are parsed on demand by accessors such as [Message.Via],
// [Message.From] or [Message.CSeq], so a proxy-like consumer pays only for
// what it reads.
//
//	m, err := sipmsg.Parse(data)
//	if err != nil {
//		return fmt.Errorf("bad message from %s: %w", peer, err)
//	}
//	via, err := m.TopVia()
//
// Every parse error is a [*ParseError] that says what was wrong and where.
// Inputs larger than [Limits] allow are refused before they cost memory.
//
// # Building
//
// [NewRequest] and [NewResponse] build messages with fresh branches, tags
// and Call-IDs; [Message.Set], [Message.Add] and [Message.Del] edit headers.
// Values given by an application are checked: anything that carries CR, LF
// or NUL is refused with [ErrUnsafeValue] and never reaches the wire.
package sipmsg

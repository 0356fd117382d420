package sipua

import (
	"strings"

	"github.com/wasmphone/wasmphone/pkg/sipua/media"
)

// audioDirection returns the direction of the first audio stream of an
// SDP (RFC 3264 §6.1): its own a= direction, else the session-level one,
// else sendrecv. ok is false when the SDP has no audio stream.
func audioDirection(sdp string) (dir media.Direction, ok bool) {
	session := media.SendRecv
	inAudio, inOther := false, false
	found := media.Direction("")
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "m="):
			if inAudio {
				return pick(found, session), true
			}
			inAudio = strings.HasPrefix(line, "m=audio ")
			inOther = !inAudio
		case strings.HasPrefix(line, "a="):
			d := media.Direction(strings.TrimPrefix(line, "a="))
			switch d {
			case media.SendRecv, media.SendOnly, media.RecvOnly, media.Inactive:
				if inAudio {
					found = d
				} else if !inOther {
					session = d
				}
			}
		}
	}
	if !inAudio {
		return "", false
	}
	return pick(found, session), true
}

func pick(found, session media.Direction) media.Direction {
	if found != "" {
		return found
	}
	return session
}

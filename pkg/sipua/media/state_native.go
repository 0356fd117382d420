//go:build !js

package media

import "github.com/pion/webrtc/v4"

// mapState maps pion's peer connection state to ours.
func mapState(s webrtc.PeerConnectionState) ConnectionState {
	switch s {
	case webrtc.PeerConnectionStateConnecting:
		return StateConnecting
	case webrtc.PeerConnectionStateConnected:
		return StateConnected
	case webrtc.PeerConnectionStateDisconnected:
		return StateDisconnected
	case webrtc.PeerConnectionStateFailed:
		return StateFailed
	case webrtc.PeerConnectionStateClosed:
		return StateClosed
	default:
		return StateNew
	}
}

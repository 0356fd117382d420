package sipua

import (
	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// Event is something the UA reports; Name returns the JsSIP event name the
// JavaScript API emits it under ("registered", "newMessage", ...).
type Event interface {
	Name() string
}

// ConnectingEvent: the transport is opening a connection.
type ConnectingEvent struct {
	URL string
	// Attempt counts the attempts since the last connection.
	Attempt int
}

// ConnectedEvent: the transport is connected.
type ConnectedEvent struct{ URL string }

// DisconnectedEvent: the connection was lost or closed.
type DisconnectedEvent struct {
	Err    error
	Code   int
	Reason string
}

// RegisteredEvent: the registrar accepted the binding.
type RegisteredEvent struct {
	Response *sipmsg.Message
	// Expires is the binding's lifetime the registrar granted, in seconds.
	Expires int
}

// UnregisteredEvent: the binding is gone (unregistered, or expired).
type UnregisteredEvent struct {
	Response *sipmsg.Message
	Cause    string
}

// RegistrationFailedEvent: a REGISTER failed; Cause is a JsSIP cause.
type RegistrationFailedEvent struct {
	Response *sipmsg.Message
	Cause    string
}

// RegistrationExpiringEvent: the binding is about to be refreshed.
type RegistrationExpiringEvent struct{}

// NewMessageEvent: a MESSAGE arrived (Originator "remote") or one we sent
// was accepted (Originator "local").
type NewMessageEvent struct {
	Originator  string
	From        sipmsg.Address
	To          sipmsg.Address
	ContentType string
	Body        []byte
	Request     *sipmsg.Message
}

// UserStateChangedEvent: the reduced state of a watched extension
// changed (see SubscribeToUser).
type UserStateChangedEvent struct {
	User  string
	State dialoginfo.ExtensionState
}

// Name returns "connecting".
func (ConnectingEvent) Name() string { return "connecting" }

// Name returns "connected".
func (ConnectedEvent) Name() string { return "connected" }

// Name returns "disconnected".
func (DisconnectedEvent) Name() string { return "disconnected" }

// Name returns "registered".
func (RegisteredEvent) Name() string { return "registered" }

// Name returns "unregistered".
func (UnregisteredEvent) Name() string { return "unregistered" }

// Name returns "registrationFailed".
func (RegistrationFailedEvent) Name() string { return "registrationFailed" }

// Name returns "registrationExpiring".
func (RegistrationExpiringEvent) Name() string { return "registrationExpiring" }

// Name returns "newMessage".
func (NewMessageEvent) Name() string { return "newMessage" }

// Name returns "userStateChanged".
func (UserStateChangedEvent) Name() string { return "userStateChanged" }

// Package sipua is a SIP user agent over WebSocket (RFC 7118): it
// registers (RFC 3261 §10, RFC 5626 instance and reg-id), answers digest
// challenges, watches other extensions' presence through the dialog event
// package (RFC 4235), sends and receives MESSAGEs, and makes and takes
// calls (INVITE sessions, JsSIP's RTCSession semantics) whose WebRTC audio
// comes from package media.
//
// One goroutine owns a UA's protocol state: transport events, timer
// expiries and API calls all reach it through channels, so there are no
// locks around protocol state. Timers come from an injected clock, which
// is how the transaction, refresh and subscription timers are tested
// without sleeping.
//
// Layers, bottom up: message syntax (sipmsg), digest (digest), transport
// (transport), transactions (transaction.go, RFC 3261 §17 for reliable
// transports with RFC 6026), dialogs (dialog.go), usages (registration.go,
// subscription.go, message.go, session*.go, transfer.go) and the UA
// (ua.go).
//
//	ua, err := sipua.New(sipua.Config{
//		Servers:  []transport.Server{{URL: "wss://sip.example.com"}},
//		URI:      "sip:alice@example.com",
//		Password: password,
//		Register: true,
//		OnEvent:  func(e sipua.Event) { log.Println(e.Name()) },
//	})
//	err = ua.Start()
//	err = ua.SubscribeToUser(ctx, "201") // UserStateChangedEvent follows
//	err = ua.SendMessage(ctx, "201", []byte("hello"), "text/plain")
//	call, err := ua.Call(ctx, "201", sipua.CallOptions{}) // needs Config.Media
//	err = ua.Stop(ctx) // unregisters and unsubscribes first
package sipua

// Package pbx is a client for the Sipcentric PBX REST API (v1) and its
// event stream. It works natively (net/http) and under js/wasm (the Fetch
// API), so browsers and Node.js use it through the WebAssembly module.
//
// # Resources
//
// The API is a tree under /customers/. A [Collection] is one accessor of
// the tree (a list such as a customer's phone book, or a single object
// such as its credit status) and a [Resource] is one representation: the
// whole JSON object the server sent plus its place in the tree, so that
// saving, deleting and reaching children need no URLs:
//
//	c, _ := pbx.New(pbx.Options{Username: "alice", Password: "secret"})
//	customer, err := c.Customers().Get(ctx, "me")
//	entry, err := customer.Phonebook().Get(ctx, "359")
//	entry.Set("name", "Reception")
//	err = entry.Save(ctx) // PUT .../phonebook/359/
//
//	page, err := customer.Phones().List(ctx, url.Values{"pageSize": {"50"}})
//	for phone, err := range customer.Phones().All(ctx, nil) { ... }
//
// Every call returns: a failure is always an [*Error] with the message, the
// HTTP status, the parsed body and the response, or the network cause.
//
// # Event stream
//
// [Client.Stream] returns the account's event stream (incoming calls,
// SMS). One connection serves every subscription; it reconnects with
// back-off after drops and when it goes silent.
package pbx

//go:build !js

// Package store keeps the development PBX's data in an embedded SQLite
// database (modernc.org/sqlite, pure Go, so the PBX needs no C toolchain).
//
// The data is a tree of resources that mirrors the REST API: every record
// lives at a path below /api/v1 (for example
// /customers/1001/phonebook/100001) and belongs to the collection that is
// its parent path, or is a single object (a customer's creditstatus, a
// phone's sip identity). A record keeps its JSON fields as the API shows
// them, so fields that the PBX does not know about survive a
// read-modify-save, plus relation fields (paths that are written as ids or
// URIs depending on the request) and links.
//
// Portal users (the HTTP Basic logins) are kept apart with salted password
// hashes. A new database is seeded with a demo customer (see Seed).
//
// Migrations are numbered SQL scripts applied in order; the schema_version
// table records how far a database has come.
package store

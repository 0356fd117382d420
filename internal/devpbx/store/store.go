//go:build !js

package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the database file inside the data directory.
const FileName = "devpbx.db"

// TimeFormat is ISO 8601 in UTC, the way the API writes dates.
const TimeFormat = "2006-01-02T15:04:05Z"

// ErrNotFound reports a path that holds no record.
var ErrNotFound = errors.New("store: not found")

// Options configure Open.
type Options struct {
	// Dir is the data directory; the database is Dir/devpbx.db. It is
	// created when missing. Ignored when Memory is set.
	Dir string
	// Memory keeps the database in memory: nothing survives Close.
	Memory bool
	// Now is the time source for creation dates; default time.Now.
	Now func() time.Time
}

// Store is the PBX's database. Its methods are safe for concurrent use.
type Store struct {
	db  *sql.DB
	now func() time.Time
	// mu serializes writers, so that read-modify-write sequences (ids,
	// counters) do not interleave; SQLite has one writer anyway.
	mu sync.Mutex
	// path is the database file, "" in memory.
	path string
}

// Record is one stored resource: an item of a collection or a single
// object.
type Record struct {
	// Path is the record's place below /api/v1, without a trailing slash.
	Path string
	// List is the path of the collection holding the record, "" for a
	// single object.
	List string
	// Type is the API's item type ("phonebookentry", "phone", "did").
	Type string
	// ID is the record's id; single objects borrow their owner's.
	ID string
	// Parent is the path of the owning record, "" for none.
	Parent string
	// Created is when the record was made.
	Created time.Time
	// Fields are the plain JSON fields other than type, id, uri, created,
	// parent and links.
	Fields map[string]any
	// Rels are fields that point at other records: field name -> path
	// (string) or paths ([]any of strings).
	Rels map[string]any
	// Links are the record's links: name -> path (may carry a query).
	Links map[string]string
}

// Str returns a string field, "" when absent or not a string.
func (r *Record) Str(field string) string { s, _ := r.Fields[field].(string); return s }

// Rel returns the path a relation field points at, "" when none.
func (r *Record) Rel(field string) string { s, _ := r.Rels[field].(string); return s }

// Open opens (creating and seeding when new) the database.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	var dsn string
	if opts.Memory {
		dsn = ":memory:"
	} else {
		if opts.Dir == "" {
			return nil, errors.New("store: a data directory or the in-memory mode is needed")
		}
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
		s.path = filepath.Join(opts.Dir, FileName)
		dsn = "file:" + filepath.ToSlash(s.path) +
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dsn, err)
	}
	// One connection: an in-memory database lives in its connection, and
	// a development PBX needs no parallel readers.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s.db = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.seedIfEmpty(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Path returns the database file, "" for an in-memory database.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// migrations are applied in order; migration i brings the schema to
// version i+1. Never edit one that has shipped: append a new one.
var migrations = []string{
	`CREATE TABLE collections (path TEXT PRIMARY KEY);
	CREATE TABLE records (
		path    TEXT PRIMARY KEY,
		list    TEXT NOT NULL DEFAULT '',
		type    TEXT NOT NULL,
		id      TEXT NOT NULL,
		parent  TEXT NOT NULL DEFAULT '',
		created TEXT NOT NULL,
		fields  TEXT NOT NULL,
		rels    TEXT NOT NULL DEFAULT '{}',
		links   TEXT NOT NULL DEFAULT '{}'
	);
	CREATE INDEX records_list ON records(list);
	CREATE INDEX records_type ON records(type);
	CREATE TABLE users (
		username      TEXT PRIMARY KEY,
		salt          BLOB NOT NULL,
		hash          BLOB NOT NULL,
		customer_id   TEXT NOT NULL,
		linkeduser_id TEXT NOT NULL
	);
	CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return len(migrations) }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: create schema_version: %w", err)
	}
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return fmt.Errorf("store: init schema_version: %w", err)
		}
	case err != nil:
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("store: the database has schema version %d, newer than this program's %d", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, i+1)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migrate to version %d: %w", i+1, err)
		}
	}
	return nil
}

// tx runs f in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Update runs f with exclusive write access to the store, in one
// transaction: everything f does through the Tx commits together or not at
// all.
func (s *Store) Update(ctx context.Context, f func(*Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx(ctx, func(tx *sql.Tx) error { return f(&Tx{tx: tx, ctx: ctx, now: s.now}) })
}

// View runs f with read access to the store.
func (s *Store) View(ctx context.Context, f func(*Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return f(&Tx{tx: tx, ctx: ctx, now: s.now, readOnly: true}) })
}

// Get returns the record at path, ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, path string) (*Record, error) {
	var r *Record
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		r, err = tx.Get(path)
		return err
	})
	return r, err
}

// Members returns the items of the collection at listPath, oldest first;
// ErrNotFound when there is no such collection.
func (s *Store) Members(ctx context.Context, listPath string) ([]*Record, error) {
	var out []*Record
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Members(listPath)
		return err
	})
	return out, err
}

// FindByField returns the records of a type whose string field has a value.
func (s *Store) FindByField(ctx context.Context, typ, field, value string) ([]*Record, error) {
	var out []*Record
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.FindByField(typ, field, value)
		return err
	})
	return out, err
}

// User is a portal login.
type User struct {
	Username     string
	CustomerID   string
	LinkedUserID string
}

// Authenticate checks a portal login. ok is false for an unknown user or a
// wrong password.
func (s *Store) Authenticate(ctx context.Context, username, password string) (u User, ok bool, err error) {
	var salt, hash []byte
	err = s.db.QueryRowContext(ctx,
		`SELECT salt, hash, customer_id, linkeduser_id FROM users WHERE username = ?`, username).
		Scan(&salt, &hash, &u.CustomerID, &u.LinkedUserID)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, fmt.Errorf("store: look up user: %w", err)
	}
	if subtle.ConstantTimeCompare(passwordHash(salt, password), hash) != 1 {
		return User{}, false, nil
	}
	u.Username = username
	return u, true, nil
}

func passwordHash(salt []byte, password string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(password))
	return h.Sum(nil)
}

// Tx is a transaction's view of the store, handed to Update and View.
type Tx struct {
	tx       *sql.Tx
	ctx      context.Context
	now      func() time.Time
	readOnly bool
}

var errReadOnly = errors.New("store: write in a read-only transaction")

const recordColumns = `path, list, type, id, parent, created, fields, rels, links`

func scanRecord(sc interface{ Scan(...any) error }) (*Record, error) {
	var r Record
	var created, fields, rels, links string
	if err := sc.Scan(&r.Path, &r.List, &r.Type, &r.ID, &r.Parent, &created, &fields, &rels, &links); err != nil {
		return nil, err
	}
	t, err := time.Parse(TimeFormat, created)
	if err != nil {
		return nil, fmt.Errorf("record %s: created: %w", r.Path, err)
	}
	r.Created = t
	if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
		return nil, fmt.Errorf("record %s: fields: %w", r.Path, err)
	}
	if err := json.Unmarshal([]byte(rels), &r.Rels); err != nil {
		return nil, fmt.Errorf("record %s: rels: %w", r.Path, err)
	}
	if err := json.Unmarshal([]byte(links), &r.Links); err != nil {
		return nil, fmt.Errorf("record %s: links: %w", r.Path, err)
	}
	if r.Fields == nil {
		r.Fields = map[string]any{}
	}
	if r.Rels == nil {
		r.Rels = map[string]any{}
	}
	if r.Links == nil {
		r.Links = map[string]string{}
	}
	return &r, nil
}

// Get returns the record at path, ErrNotFound when there is none.
func (t *Tx) Get(path string) (*Record, error) {
	r, err := scanRecord(t.tx.QueryRowContext(t.ctx,
		`SELECT `+recordColumns+` FROM records WHERE path = ?`, path))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", path, err)
	}
	return r, nil
}

// HasList reports whether a collection exists at path.
func (t *Tx) HasList(path string) (bool, error) {
	var n int
	if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM collections WHERE path = ?`, path).Scan(&n); err != nil {
		return false, fmt.Errorf("store: collection %s: %w", path, err)
	}
	return n > 0, nil
}

func (t *Tx) query(q string, args ...any) ([]*Record, error) {
	rows, err := t.tx.QueryContext(t.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Members returns the items of the collection at listPath, oldest first;
// ErrNotFound when there is no such collection.
func (t *Tx) Members(listPath string) ([]*Record, error) {
	ok, err := t.HasList(listPath)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("store: collection %s: %w", listPath, ErrNotFound)
	}
	out, err := t.query(`SELECT `+recordColumns+` FROM records WHERE list = ? ORDER BY rowid`, listPath)
	if err != nil {
		return nil, fmt.Errorf("store: members of %s: %w", listPath, err)
	}
	return out, nil
}

// FindByField returns the records of a type whose string field has a value,
// oldest first.
func (t *Tx) FindByField(typ, field, value string) ([]*Record, error) {
	out, err := t.query(`SELECT `+recordColumns+` FROM records
		WHERE type = ? AND json_extract(fields, '$.' || ?) = ? ORDER BY rowid`, typ, field, value)
	if err != nil {
		return nil, fmt.Errorf("store: find %s by %s: %w", typ, field, err)
	}
	return out, nil
}

// EnsureList creates the collection at path when it does not exist.
func (t *Tx) EnsureList(path string) error {
	if t.readOnly {
		return errReadOnly
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT OR IGNORE INTO collections (path) VALUES (?)`, path); err != nil {
		return fmt.Errorf("store: create collection %s: %w", path, err)
	}
	return nil
}

// NewID returns a fresh id for a created item.
func (t *Tx) NewID() (string, error) {
	n, err := t.Next("id", 100001)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n, 10), nil
}

// Next returns the next value of a named counter, starting at first.
func (t *Tx) Next(name string, first int64) (int64, error) {
	if t.readOnly {
		return 0, errReadOnly
	}
	var n int64
	err := t.tx.QueryRowContext(t.ctx, `INSERT INTO counters (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`, name, first).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counter %s: %w", name, err)
	}
	return n, nil
}

// owner returns the nearest record above path, nil for none.
func (t *Tx) owner(path string) (*Record, error) {
	for p := ParentPath(path); p != ""; p = ParentPath(p) {
		r, err := t.Get(p)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	return nil, nil
}

// Add creates an item of the collection at listPath (creating the
// collection if needed). An empty id takes a fresh one. rec's Path, List,
// ID, Parent and, when zero, Created are filled in.
func (t *Tx) Add(listPath, id string, rec *Record) error {
	if id == "" {
		var err error
		if id, err = t.NewID(); err != nil {
			return err
		}
	}
	if err := t.EnsureList(listPath); err != nil {
		return err
	}
	rec.Path, rec.List, rec.ID = listPath+"/"+id, listPath, id
	return t.insert(rec)
}

// Single creates the single object at path; it borrows id and created from
// its owner.
func (t *Tx) Single(path string, rec *Record) error {
	rec.Path, rec.List = path, ""
	return t.insert(rec)
}

func (t *Tx) insert(rec *Record) error {
	if t.readOnly {
		return errReadOnly
	}
	o, err := t.owner(rec.Path)
	if err != nil {
		return err
	}
	if o != nil {
		rec.Parent = o.Path
		if rec.List == "" {
			rec.ID, rec.Created = o.ID, o.Created
		}
	}
	if rec.Created.IsZero() {
		rec.Created = t.now()
	}
	rec.Created = rec.Created.UTC().Truncate(time.Second)
	fields, rels, links, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO records (`+recordColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.Path, rec.List, rec.Type, rec.ID, rec.Parent, rec.Created.Format(TimeFormat), fields, rels, links)
	if err != nil {
		return fmt.Errorf("store: insert %s: %w", rec.Path, err)
	}
	return nil
}

func encodeRecord(rec *Record) (fields, rels, links string, err error) {
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("store: encode %s: %w", rec.Path, err)
		}
		if string(b) == "null" {
			return "{}", nil
		}
		return string(b), nil
	}
	if fields, err = enc(rec.Fields); err != nil {
		return
	}
	if rels, err = enc(rec.Rels); err != nil {
		return
	}
	links, err = enc(rec.Links)
	return
}

// Put writes rec's fields, relations and links over the stored record at
// rec.Path; ErrNotFound when there is none.
func (t *Tx) Put(rec *Record) error {
	if t.readOnly {
		return errReadOnly
	}
	fields, rels, links, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE records SET fields = ?, rels = ?, links = ? WHERE path = ?`,
		fields, rels, links, rec.Path)
	if err != nil {
		return fmt.Errorf("store: update %s: %w", rec.Path, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: %s: %w", rec.Path, ErrNotFound)
	}
	return nil
}

// Delete removes the record at path and everything below it; ErrNotFound
// when there is none.
func (t *Tx) Delete(path string) error {
	if t.readOnly {
		return errReadOnly
	}
	below := likeEscape(path+"/") + "%"
	res, err := t.tx.ExecContext(t.ctx, `DELETE FROM records WHERE path = ?`, path)
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", path, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: %s: %w", path, ErrNotFound)
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM records WHERE path LIKE ? ESCAPE '\'`, below); err != nil {
		return fmt.Errorf("store: delete below %s: %w", path, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM collections WHERE path LIKE ? ESCAPE '\'`, below); err != nil {
		return fmt.Errorf("store: delete collections below %s: %w", path, err)
	}
	return nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AddUser creates a portal login.
func (t *Tx) AddUser(username, password, customerID, linkedUserID string) error {
	if t.readOnly {
		return errReadOnly
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("store: salt: %w", err)
	}
	_, err := t.tx.ExecContext(t.ctx,
		`INSERT INTO users (username, salt, hash, customer_id, linkeduser_id) VALUES (?, ?, ?, ?, ?)`,
		username, salt, passwordHash(salt, password), customerID, linkedUserID)
	if err != nil {
		return fmt.Errorf("store: add user %s: %w", username, err)
	}
	return nil
}

// ParentPath returns the path above p ("/a/b" -> "/a"), "" at the top.
func ParentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return ""
	}
	return p[:i]
}

// LastSegment returns the last segment of a path, without any query.
func LastSegment(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}

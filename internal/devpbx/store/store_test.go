//go:build !js

package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openMemory(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Memory: true})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpen_SeedsTheDemoCustomer(t *testing.T) {
	ctx := context.Background()
	s := openMemory(t)
	c, err := s.Get(ctx, "/customers/"+DemoCustomerID)
	require.NoError(t, err)
	assert.Equal(t, "customer", c.Type)
	assert.Equal(t, "Demo Company Ltd", c.Str("company"))

	phones, err := s.FindByField(ctx, "sipidentity", "username", "002002")
	require.NoError(t, err)
	require.Len(t, phones, 1)
	assert.Equal(t, "/customers/1001/endpoints/2002/sip", phones[0].Path)
	assert.Equal(t, "2002", phones[0].ID, "a single object borrows its owner's id")
	assert.Equal(t, "/customers/1001/endpoints/2002", phones[0].Parent)

	book, err := s.Members(ctx, "/customers/1001/phonebook")
	require.NoError(t, err)
	assert.Len(t, book, 5)
	_, err = s.Members(ctx, "/customers/1001/nothing")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	s := openMemory(t)
	for _, u := range DemoUsers() {
		got, ok, err := s.Authenticate(ctx, u.Username, u.Password)
		require.NoError(t, err)
		require.True(t, ok, u.Username)
		assert.Equal(t, User{u.Username, DemoCustomerID, u.LinkedUserID}, got)
		_, ok, err = s.Authenticate(ctx, u.Username, u.Password+"x")
		require.NoError(t, err)
		assert.False(t, ok)
	}
	_, ok, err := s.Authenticate(ctx, "nobody", "")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestUpdate_AddPutDelete(t *testing.T) {
	ctx := context.Background()
	s := openMemory(t)
	var rec *Record
	require.NoError(t, s.Update(ctx, func(tx *Tx) error {
		rec = &Record{Type: "phonebookentry", Fields: map[string]any{"name": "X"}}
		return tx.Add("/customers/1001/phonebook", "", rec)
	}))
	assert.NotEmpty(t, rec.ID)
	rec.Fields["name"] = "Y"
	require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.Put(rec) }))
	got, err := s.Get(ctx, rec.Path)
	require.NoError(t, err)
	assert.Equal(t, "Y", got.Str("name"))
	assert.Equal(t, "/customers/1001", got.Parent)

	require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.Delete("/customers/1001/endpoints/2001") }))
	_, err = s.Get(ctx, "/customers/1001/endpoints/2001/sip")
	assert.ErrorIs(t, err, ErrNotFound, "deleting a record deletes what is below it")
	err = s.Update(ctx, func(tx *Tx) error { return tx.Delete("/customers/1001/endpoints/2001") })
	assert.ErrorIs(t, err, ErrNotFound)

	// A failed Update rolls back.
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.Delete(rec.Path); err != nil {
			return err
		}
		return errors.New("boom")
	})
	require.Error(t, err)
	_, err = s.Get(ctx, rec.Path)
	assert.NoError(t, err)
}

func TestOpen_PersistsAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Dir: dir})
	require.NoError(t, err)
	require.NoError(t, s.Update(ctx, func(tx *Tx) error {
		return tx.Add("/customers/1001/phonebook", "", &Record{Type: "phonebookentry", Fields: map[string]any{"name": "Kept"}})
	}))
	require.NoError(t, s.Close())

	s, err = Open(ctx, Options{Dir: dir})
	require.NoError(t, err)
	defer s.Close()
	book, err := s.Members(ctx, "/customers/1001/phonebook")
	require.NoError(t, err)
	assert.Len(t, book, 6, "reopening neither loses data nor seeds again")
	assert.Equal(t, "Kept", book[5].Str("name"))

	db, err := sql.Open("sqlite", s.Path())
	require.NoError(t, err)
	defer db.Close()
	var v int
	require.NoError(t, db.QueryRow(`SELECT version FROM schema_version`).Scan(&v))
	assert.Equal(t, SchemaVersion(), v)
}

func TestOpen_RefusesANewerSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Dir: dir})
	require.NoError(t, err)
	_, err = s.db.Exec(`UPDATE schema_version SET version = 999`)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(ctx, Options{Dir: dir})
	assert.ErrorContains(t, err, "newer")
}

func TestOpen_NeedsADirectory(t *testing.T) {
	_, err := Open(context.Background(), Options{})
	assert.Error(t, err)
}

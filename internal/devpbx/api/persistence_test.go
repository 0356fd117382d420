//go:build !js

package api

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestart_KeepsData edits the phonebook and sends an SMS, restarts the
// PBX on the same data directory and finds both.
func TestRestart_KeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)

	e := newEnv(t, envOptions{dir: dir})
	customer, err := e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	page, err := customer.Phonebook().List(ctx, nil)
	require.NoError(t, err)
	first := page.Items[0]
	first.Set("name", "Edited before the restart")
	require.NoError(t, first.Save(ctx))
	require.NoError(t, page.Items[1].Delete(ctx))
	added := customer.Phonebook().Create(map[string]any{"name": "Added", "phoneNumber": "01134960321"})
	require.NoError(t, added.Save(ctx))
	sms := customer.SMSMessages().Create(map[string]any{"to": "441134960002", "body": "Survives restarts"})
	require.NoError(t, sms.Save(ctx))
	e.close()

	e = newEnv(t, envOptions{dir: dir})
	customer, err = e.client(t, "alice").Customers().Get(ctx, "me")
	require.NoError(t, err)
	got, err := customer.Phonebook().Get(ctx, first.ID())
	require.NoError(t, err)
	assert.Equal(t, "Edited before the restart", got.String("name"))
	page2, err := customer.Phonebook().List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, page.TotalItems, page2.TotalItems, "one deleted, one added, nothing seeded again")
	_, err = customer.Phonebook().Get(ctx, page.Items[1].ID())
	assert.Error(t, err)
	_, err = customer.Phonebook().Get(ctx, added.ID())
	require.NoError(t, err)

	out, err := customer.SMSMessages().List(ctx, url.Values{"direction": {"out"}})
	require.NoError(t, err)
	require.Len(t, out.Items, 1)
	assert.Equal(t, "Survives restarts", out.Items[0].String("body"))
	assert.Equal(t, sms.ID(), out.Items[0].ID())
	in, err := customer.SMSMessages().List(ctx, url.Values{"direction": {"in"}})
	require.NoError(t, err)
	assert.Len(t, in.Items, 1)

	// New ids do not reuse old ones.
	another := customer.Phonebook().Create(map[string]any{"name": "Another", "phoneNumber": "01134960322"})
	require.NoError(t, another.Save(ctx))
	assert.NotEqual(t, added.ID(), another.ID())
}

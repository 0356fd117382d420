//go:build !js

package pbx_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/pbx"
)

func TestDiscoverSIP_DefaultExtension(t *testing.T) {
	e := newEnv(t)
	got, err := e.client.DiscoverSIP(context.Background(), pbx.Phone{})
	require.NoError(t, err)
	assert.Equal(t, "1001", got.CustomerID)
	assert.Equal(t, "2001", got.ExtensionID)
	assert.Equal(t, "002001", got.Username)
	assert.NotEmpty(t, got.Password)
	assert.NotEmpty(t, got.Domain)
}

func TestDiscoverSIP_NamedExtension(t *testing.T) {
	e := newEnv(t)
	got, err := e.client.DiscoverSIP(context.Background(), pbx.Phone{CustomerID: "1001", ExtensionID: "2002"})
	require.NoError(t, err)
	assert.Equal(t, "002002", got.Username)
}

func TestDiscoverSIP_SearchesEveryPageOfCustomers(t *testing.T) {
	// The reseller sees 25 customers, more than one page: 1025 is on the
	// second. It has no phone 9999, so the lookup fails at the phone,
	// after the customer was found.
	e := newEnv(t, func(o *pbx.Options) { o.Username, o.Password = "reseller", "reseller-secret" })
	_, err := e.client.DiscoverSIP(context.Background(), pbx.Phone{CustomerID: "1025", ExtensionID: "9999"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "phone 9999")
	assert.ErrorIs(t, err, pbx.ErrNotFound)

	_, err = e.client.DiscoverSIP(context.Background(), pbx.Phone{CustomerID: "4242"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "customer 4242 is not among")
}

func TestDiscoverSIP_NoCustomersAndNoDefaultExtension(t *testing.T) {
	nobody := newEnv(t, func(o *pbx.Options) { o.Username, o.Password = "nobody", "nobody-secret" })
	_, err := nobody.client.DiscoverSIP(context.Background(), pbx.Phone{})
	require.ErrorIs(t, err, pbx.ErrNoCustomers)

	reseller := newEnv(t, func(o *pbx.Options) { o.Username, o.Password = "reseller", "reseller-secret" })
	_, err = reseller.client.DiscoverSIP(context.Background(), pbx.Phone{CustomerID: "1003"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no default extension")
}

func TestDiscoverSIP_WrongPassword(t *testing.T) {
	e := newEnv(t, func(o *pbx.Options) { o.Password = "wrong" })
	_, err := e.client.DiscoverSIP(context.Background(), pbx.Phone{})
	require.ErrorIs(t, err, pbx.ErrUnauthorized)
}

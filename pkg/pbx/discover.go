package pbx

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoCustomers reports a login that reaches no customer account.
var ErrNoCustomers = errors.New("This user does not have access to any customers")

// Phone names the phone whose SIP identity DiscoverSIP looks up.
type Phone struct {
	// CustomerID is the customer account; empty means the first the user
	// can reach.
	CustomerID string
	// ExtensionID is the phone endpoint; empty means the linked user's
	// default extension.
	ExtensionID string
}

// DiscoveredSIP are SIP credentials with the account they were found in.
type DiscoveredSIP struct {
	SIPCredentials
	CustomerID  string
	ExtensionID string
	// ShortNumber is the phone's extension number, when the API gave one.
	ShortNumber string
}

// DiscoverSIP finds the SIP credentials of a phone, for a user agent
// configured with a portal login only: the customer (searching every
// page of the user's customers), the linked user's default extension
// when p names none, the phone endpoint, then its SIP identity.
func (c *Client) DiscoverSIP(ctx context.Context, p Phone) (DiscoveredSIP, error) {
	cust, err := c.findCustomer(ctx, p.CustomerID)
	if err != nil {
		return DiscoveredSIP{}, err
	}
	ext := p.ExtensionID
	if ext == "" {
		me, err := cust.LinkedUsers().Get(ctx, "me")
		if err != nil {
			return DiscoveredSIP{}, fmt.Errorf("pbx: finding the default extension: %w", err)
		}
		if ext = me.DefaultExtension(); ext == "" {
			return DiscoveredSIP{}, fmt.Errorf("pbx: the user has no default extension in customer %s; give extensionId", cust.ID())
		}
	}
	phone, err := cust.Phones().Get(ctx, ext)
	if err != nil {
		return DiscoveredSIP{}, fmt.Errorf("pbx: phone %s: %w", ext, err)
	}
	id, err := phone.SIP().Get(ctx, "")
	if err != nil {
		return DiscoveredSIP{}, fmt.Errorf("pbx: SIP identity of phone %s: %w", ext, err)
	}
	creds, err := id.SIPCredentials()
	if err != nil {
		return DiscoveredSIP{}, err
	}
	return DiscoveredSIP{SIPCredentials: creds, CustomerID: cust.ID(), ExtensionID: phone.ID(),
		ShortNumber: phone.String("shortNumber")}, nil
}

// findCustomer returns the customer with the given id among the user's
// customers (all pages), or the first when id is empty.
func (c *Client) findCustomer(ctx context.Context, id string) (*Resource, error) {
	for cust, err := range c.Customers().All(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("pbx: listing customers: %w", err)
		}
		if id == "" || cust.ID() == id {
			return cust, nil
		}
	}
	if id == "" {
		return nil, ErrNoCustomers
	}
	return nil, fmt.Errorf("pbx: customer %s is not among the user's customers", id)
}

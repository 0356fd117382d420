package restapi

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResource_Match(t *testing.T) {
	for _, tc := range []struct {
		res  Resource
		path string
		want Match
	}{
		{collection("customers/*/phonebook"), "customers/1001/phonebook", MatchList},
		{collection("customers/*/phonebook"), "customers/1001/phonebook/6101", MatchItem},
		{collection("customers/*/phonebook"), "customers/1001/phonebook/6101/x", NoMatch},
		{collection("customers/*/phonebook"), "customers/1001", NoMatch},
		{collection("customers/*/phonebook"), "customers/1001/sms", NoMatch},
		{single("customers/*/billing", getOnly), "customers/1001/billing", MatchSingle},
		{single("customers/*/billing", getOnly), "customers/1001/billing/1", NoMatch},
		{collection("customers"), "customers", MatchList},
		{collection("customers"), "customers/1001", MatchItem},
	} {
		assert.Equal(t, tc.want, tc.res.Match(strings.Split(tc.path, "/")), "%s ~ %s", tc.res.Path, tc.path)
	}
}

type server struct {
	Resource
	hooked bool
}

func TestFind_LiteralBeforeID(t *testing.T) {
	resources := Attach(func(r Resource) *server { return &server{Resource: r} }, nil)
	for path, want := range map[string]struct {
		pattern string
		match   Match
	}{
		"customers/1001/callbundles/available": {"customers/*/callbundles/available", MatchList},
		"customers/1001/callbundles/7":         {"customers/*/callbundles", MatchItem},
		"customers/1001/billing/estimate":      {"customers/*/billing/estimate", MatchSingle},
		"customers/1001/endpoints/2001/sip":    {"customers/*/endpoints/*/sip", MatchSingle},
		"customers/me":                         {"customers", MatchItem},
	} {
		res, m := Find(resources, strings.Split(path, "/"))
		require.NotNil(t, res, path)
		assert.Equal(t, want.pattern, res.Path, path)
		assert.Equal(t, want.match, m, path)
	}
	res, m := Find(resources, strings.Split("customers/1001/nothing", "/"))
	assert.Nil(t, res)
	assert.Equal(t, NoMatch, m)
}

func TestAttach_HooksByPath(t *testing.T) {
	wrap := func(r Resource) *server { return &server{Resource: r} }
	resources := Attach(wrap, map[string]func(*server){"customers/*/sms": func(s *server) { s.hooked = true }})
	for _, res := range resources {
		assert.Equal(t, res.Path == "customers/*/sms", res.hooked, res.Path)
	}
	assert.Panics(t, func() { Attach(wrap, map[string]func(*server){"customers/*/nothing": func(*server) {}}) })
}

func TestTree_IsACopy(t *testing.T) {
	a := Tree()
	a[0].Path, a[0].ListMethods[0] = "changed", "PATCH"
	b := Tree()
	assert.Equal(t, "customers", b[0].Path)
	assert.Equal(t, []string{"GET"}, b[0].ListMethods)
	assert.Equal(t, []string{"GET"}, b[1].ListMethods)
}

func TestResource_Allow(t *testing.T) {
	r := with(collection("customers/*/phonebook"), func(r *Resource) { r.ListMethods, r.ItemMethods = getPost, getPutDel })
	assert.Nil(t, r.Allow(MatchList, "POST"))
	assert.Nil(t, r.Allow(MatchItem, "DELETE"))
	rep := r.Allow(MatchList, "DELETE")
	require.NotNil(t, rep)
	assert.Equal(t, 405, rep.Status)
	assert.Equal(t, "GET, POST", rep.Header.Get("Allow"))
	rep = r.Allow(MatchItem, "POST")
	require.NotNil(t, rep)
	assert.Equal(t, "GET, PUT, DELETE", rep.Header.Get("Allow"))
	status := single("customers/*/endpoints/*/phonestatus", getPut)
	assert.Equal(t, "GET, PUT", status.Allow(MatchSingle, "POST").Header.Get("Allow"))
}

func TestResource_Selects(t *testing.T) {
	endpoints := with(collection("customers/*/endpoints"), func(r *Resource) { r.TypeFilter = true })
	assert.True(t, endpoints.Selects(url.Values{}, "phone"))
	assert.True(t, endpoints.Selects(url.Values{"type": {"phone"}}, "phone"))
	assert.False(t, endpoints.Selects(url.Values{"type": {"phone"}}, "queue"))
	assert.False(t, endpoints.Selects(url.Values{"type": {""}}, "queue"))
	calls := collection("customers/*/calls")
	assert.True(t, calls.Selects(url.Values{"type": {"phone"}}, "call"))
}

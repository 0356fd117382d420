package restapi_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/wasmphone/wasmphone/internal/restapi"
)

// A list answer: page 2 of five items, two a page, with links that keep
// the request's other parameters.
func ExampleListReply() {
	r := httptest.NewRequest("GET", "http://pbx.example.test/api/v1/customers/1001/phonebook?pageSize=2&page=2&name=a", nil)
	q := r.URL.Query()
	page, err := restapi.ParsePage(q)
	if err != nil {
		fmt.Println(restapi.BadRequest("%v", err).Status)
		return
	}
	list := restapi.BaseURL(r, restapi.Prefix) + "/customers/1001/phonebook"
	link := func(n int) string { return restapi.PageURL(list, q, n, page.Size) }
	rep := restapi.ListReply(page, []string{"a", "b", "c", "d", "e"}, func(s string) any { return s }, link)
	fmt.Println(rep.Status, string(rep.Body))
	// Output:
	// 200 {"items":["c","d"],"nextPage":"http://pbx.example.test/api/v1/customers/1001/phonebook?name=a&page=3&pageSize=2","page":2,"pageSize":2,"prevPage":"http://pbx.example.test/api/v1/customers/1001/phonebook?name=a&page=1&pageSize=2","totalItems":5}
}

// A server's resources: the API's tree with the server's behaviour
// attached by path.
func ExampleAttach() {
	type resource struct {
		restapi.Resource
		note string
	}
	resources := restapi.Attach(func(r restapi.Resource) *resource { return &resource{Resource: r} },
		map[string]func(*resource){"customers/*/phonebook": func(r *resource) { r.note = "validated" }})
	res, m := restapi.Find(resources, []string{"customers", "1001", "phonebook", "6101"})
	fmt.Println(res.Path, m == restapi.MatchItem, res.ItemMethods, res.note)
	fmt.Println(res.Allow(m, "POST").Status)
	// Output:
	// customers/*/phonebook true [GET PUT DELETE] validated
	// 405
}

package restapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Page sizes of lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
	maxPage         = 1 << 30
)

// Page is the page of a list a request asks for with ?page= (from 1) and
// ?pageSize= (1 to MaxPageSize, DefaultPageSize when absent).
type Page struct {
	Number int
	Size   int
}

// ParsePage reads the page a request asks for from its query.
func ParsePage(q url.Values) (Page, error) {
	size, err := intParam(q, "pageSize", DefaultPageSize, 1, MaxPageSize)
	if err != nil {
		return Page{}, err
	}
	n, err := intParam(q, "page", 1, 1, maxPage)
	if err != nil {
		return Page{}, err
	}
	return Page{Number: n, Size: size}, nil
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer from %d to %d, got %q", name, lo, hi, q.Get(name))
	}
	return n, nil
}

// Last is the number of the last page of a list of total items; 1 for an
// empty list.
func (p Page) Last(total int) int {
	return max((total+p.Size-1)/p.Size, 1)
}

// ListReply answers GET of a collection with the page p of items: a 200
// with totalItems, pageSize, page, the page's items rendered by render,
// and prevPage and nextPage where there are such pages. link returns the
// absolute URL of the page with another number (p.Number-1 for prevPage,
// p.Number+1 for nextPage); see PageURL. A page past the end has no items.
func ListReply[R any](p Page, items []R, render func(R) any, link func(number int) string) *Reply {
	total := len(items)
	start, end := min((p.Number-1)*p.Size, total), min(p.Number*p.Size, total)
	rendered := make([]any, 0, end-start)
	for _, it := range items[start:end] {
		rendered = append(rendered, render(it))
	}
	body := map[string]any{"totalItems": total, "pageSize": p.Size, "page": p.Number, "items": rendered}
	if p.Number > 1 {
		body["prevPage"] = link(p.Number - 1)
	}
	if p.Number*p.Size < total {
		body["nextPage"] = link(p.Number + 1)
	}
	return JSON(http.StatusOK, body)
}

// PageURL is the absolute URL of page number of a list at listURL, with
// the given size, keeping the request's other query parameters q but for
// _method and those named in drop.
func PageURL(listURL string, q url.Values, number, size int, drop ...string) string {
	out := url.Values{}
	for k, v := range q {
		if k != "_method" && !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	out.Set("page", strconv.Itoa(number))
	out.Set("pageSize", strconv.Itoa(size))
	return listURL + "?" + out.Encode()
}

//go:build !(js && wasm)

package pbx

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// httpTransport is the native Transport, backed by net/http.
type httpTransport struct {
	client *http.Client
}

// NewTransport returns the platform's Transport. Natively it is backed by an
// *http.Client of its own (with a connection pool of its own, configured
// like http.DefaultTransport: proxies from the environment, HTTP/2, dial and
// TLS handshake timeouts). There is no client-wide timeout: the context
// passed to Do governs each request, including the reading of its body, so
// an event stream can stay open as long as its context lives. Redirects are
// followed with net/http's default policy, which drops Authorization and
// Cookie headers when the redirect leads to another host.
//
// Under js/wasm NewTransport returns a Transport that uses the Fetch API.
func NewTransport() Transport {
	var rt http.RoundTripper
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		rt = t.Clone()
	}
	// If http.DefaultTransport has been replaced by something that is not
	// an *http.Transport, rt stays nil and the client uses it as it is.
	return &httpTransport{client: &http.Client{Transport: rt}}
}

// NewTransportWithClient returns a Transport that sends requests through c,
// for custom TLS settings, proxies or round trippers. c's redirect policy,
// cookie jar and timeout apply as they are; a non-zero c.Timeout also cuts
// off long-lived bodies such as the event stream. A nil c is the same as
// NewTransport(). Only available natively.
func NewTransportWithClient(c *http.Client) Transport {
	if c == nil {
		return NewTransport()
	}
	return &httpTransport{client: c}
}

// Do sends req. Errors from net/http are returned as they are (they wrap
// ctx.Err() when the context ended the request).
func (t *httpTransport) Do(ctx context.Context, req *Request) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		// A *bytes.Reader gives the request a Content-Length and lets
		// net/http replay the body on 307/308 redirects.
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	hresp, err := t.client.Do(hreq)
	if err != nil {
		return nil, err
	}
	finalURL := req.URL
	if hresp.Request != nil && hresp.Request.URL != nil {
		finalURL = hresp.Request.URL.String()
	}
	return &Response{
		StatusCode: hresp.StatusCode,
		Status:     hresp.Status,
		Header:     Header(hresp.Header),
		URL:        finalURL,
		Body:       hresp.Body,
	}, nil
}

// deadlineInTransport: natively the client bounds requests with context
// deadlines (see Request.Timeout).
const deadlineInTransport = false

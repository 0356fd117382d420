package pbx

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wasmphone/wasmphone/internal/version"
)

// DefaultBaseURL is the Sipcentric API v1.
const DefaultBaseURL = "https://pbx.sipcentric.com/api/v1"

// DefaultTimeout bounds one REST call when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// maxBody bounds a REST response body held in memory.
const maxBody = 32 << 20

// Options configure a Client.
type Options struct {
	// BaseURL of the API; default DefaultBaseURL. A local PBX or a proxy
	// works the same way ("http://127.0.0.1:8080/api/v1").
	BaseURL string
	// Username and Password are the web-portal credentials, sent with
	// HTTP Basic authentication.
	Username string
	Password string
	// Token, when set, is sent as a bearer token instead of Basic
	// credentials (see Client.Authenticate).
	Token string
	// PartnerID is sent as X-Partner-Id when set.
	PartnerID string
	// UserAgent defaults to "wasmphone/<version>". Browsers do not let a
	// page set it; there the browser's own is sent.
	UserAgent string
	// Timeout bounds each REST call (not the event stream); default
	// DefaultTimeout. A context deadline that is sooner wins.
	Timeout time.Duration
	// Logger receives one debug line per request (method, URL without
	// credentials, status, duration); nil discards. Headers and bodies
	// are never logged.
	Logger *slog.Logger
	// Transport performs the requests; default NewTransport() (net/http
	// natively, fetch under js/wasm).
	Transport Transport
	// Stream configures the event stream.
	Stream StreamOptions
}

// RateLimit is the rate-limit state reported by the last response.
type RateLimit struct {
	Limit     int
	Remaining int
	// Reset is the number of seconds until the window resets.
	Reset int
}

// Client is a Sipcentric REST API client. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	opts      Options
	transport Transport
	logger    *slog.Logger

	mu     sync.Mutex
	token  string
	rate   RateLimit
	stream *Stream
}

// New checks the options and returns a client. It does no I/O.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("pbx: base URL %q must be an absolute http(s) URL", opts.BaseURL)
	}
	for name, v := range map[string]string{"username": opts.Username, "password": opts.Password,
		"token": opts.Token, "partner id": opts.PartnerID, "user agent": opts.UserAgent} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("pbx: %s contains CR, LF or NUL", name)
		}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "wasmphone/" + version.Version
	}
	c := &Client{base: base, opts: opts, transport: opts.Transport, logger: opts.Logger, token: opts.Token}
	if c.transport == nil {
		c.transport = NewTransport()
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// BaseURL returns the API base URL without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// RateLimit returns the rate-limit data of the last response that had it.
func (c *Client) RateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rate
}

// headers returns the headers every request carries.
func (c *Client) headers() Header {
	h := Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.opts.UserAgent)
	h.Set("X-Relationship-Key", "id")
	if c.opts.PartnerID != "" {
		h.Set("X-Partner-Id", c.opts.PartnerID)
	}
	c.mu.Lock()
	token := c.token
	c.mu.Unlock()
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	} else if c.opts.Username != "" || c.opts.Password != "" {
		h.Set("Authorization", "Basic "+basicAuth(c.opts.Username, c.opts.Password))
	}
	return h
}

func basicAuth(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// resolve turns a path relative to the base URL ("customers/me/") or an
// absolute URL from the server (a nextPage link) into the URL to request.
// Absolute URLs of another origin are rebased onto the base URL when
// their path lies under the base path, so credentials are never sent to
// a host the user did not configure.
func (c *Client) resolve(ref string, query url.Values) (string, error) {
	var u *url.URL
	if strings.Contains(ref, "://") {
		abs, err := url.Parse(ref)
		if err != nil {
			return "", fmt.Errorf("pbx: bad URL %q: %w", ref, err)
		}
		if abs.Scheme != c.base.Scheme || abs.Host != c.base.Host {
			if !strings.HasPrefix(abs.Path, c.base.Path+"/") {
				return "", fmt.Errorf("pbx: refusing to follow %q outside %s", ref, c.base)
			}
			abs.Scheme, abs.Host = c.base.Scheme, c.base.Host
		}
		u = abs
	} else {
		u = c.base.JoinPath(strings.TrimPrefix(ref, "/"))
		if strings.HasSuffix(ref, "/") && !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// call performs one REST request and returns the response and its body.
// It never returns a non-2xx response without an error, and every error
// is an *Error.
func (c *Client) call(ctx context.Context, method, ref string, query url.Values, body any) (*Response, []byte, error) {
	target, err := c.resolve(ref, query)
	if err != nil {
		return nil, nil, &Error{Op: method + " " + ref, Message: err.Error(), Err: err}
	}
	op := method + " " + redactURL(target)
	req := &Request{Method: method, URL: target, Header: c.headers()}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, &Error{Op: op, Message: "cannot encode request body", Err: err}
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
	}
	ctx, cancel := c.withTimeout(ctx, req)
	defer cancel()
	start := time.Now()
	resp, err := c.transport.Do(ctx, req)
	if err != nil {
		return nil, nil, c.networkError(ctx, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = fmt.Errorf("response body larger than %d bytes", maxBody)
	}
	c.noteRateLimit(resp.Header)
	c.logger.Debug("pbx request", "op", op, "status", resp.StatusCode, "duration", time.Since(start))
	if err != nil {
		e := c.networkError(ctx, op, err)
		e.StatusCode = resp.StatusCode
		return nil, nil, e
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, httpError(op, resp, data)
	}
	return resp, data, nil
}

// withTimeout bounds one request by Options.Timeout: with a context
// deadline natively, through the request under js/wasm (see
// Request.Timeout). A custom Transport always gets a context deadline.
func (c *Client) withTimeout(ctx context.Context, req *Request) (context.Context, context.CancelFunc) {
	if deadlineInTransport && c.opts.Transport == nil {
		req.Timeout = c.opts.Timeout
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.opts.Timeout)
}

func (c *Client) networkError(ctx context.Context, op string, err error) *Error {
	msg := "request failed"
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		msg = "request timed out"
		if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
		}
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		msg = "request cancelled"
		if !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w (%v)", context.Canceled, err)
		}
	}
	return &Error{Op: op, Message: msg, Err: err}
}

// redactURL hides one-time tokens from logs and error messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.User = nil
	if q := u.Query(); q.Has("tokenid") {
		q.Set("tokenid", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func (c *Client) noteRateLimit(h Header) {
	limit, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	reset, err3 := strconv.Atoi(h.Get("X-RateLimit-Reset"))
	if err1 != nil && err2 != nil && err3 != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err1 == nil {
		c.rate.Limit = limit
	}
	if err2 == nil {
		c.rate.Remaining = remaining
	}
	if err3 == nil {
		c.rate.Reset = reset
	}
}

// getJSON performs a request and decodes a JSON object body. An empty
// 2xx body yields a nil map and no error.
func (c *Client) object(ctx context.Context, method, ref string, query url.Values, body any) (map[string]any, *Response, error) {
	resp, data, err := c.call(ctx, method, ref, query, body)
	if err != nil {
		return nil, nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, resp, nil
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		e := httpError(method+" "+redactURL(resp.URL), resp, data)
		e.Message, e.Err = MsgParseJSON, err
		return nil, nil, e
	}
	return obj, resp, nil
}

// Authenticate obtains a bearer token with the Basic credentials
// (POST /authenticate/) and uses it for every later request.
func (c *Client) Authenticate(ctx context.Context) (string, error) {
	if c.opts.Username == "" {
		return "", &Error{Op: "POST authenticate/", Message: "username and password are needed to authenticate"}
	}
	target, err := c.resolve("authenticate/", nil)
	if err != nil {
		return "", err
	}
	h := c.headers()
	h.Set("Authorization", "Basic "+basicAuth(c.opts.Username, c.opts.Password))
	h.Set("X-WWW-Authenticate", "false")
	h.Set("Content-Type", "application/json")
	op := "POST " + target
	req := &Request{Method: "POST", URL: target, Header: h, Body: []byte("{}")}
	ctx, cancel := c.withTimeout(ctx, req)
	defer cancel()
	resp, err := c.transport.Do(ctx, req)
	if err != nil {
		return "", c.networkError(ctx, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", c.networkError(ctx, op, err)
	}
	c.noteRateLimit(resp.Header)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", httpError(op, resp, data)
	}
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.AccessToken == "" {
		e := httpError(op, resp, data)
		e.Message, e.Err = MsgParseJSON, err
		if err == nil {
			e.Message = "no accessToken in response"
		}
		return "", e
	}
	if strings.ContainsAny(out.AccessToken, "\r\n\x00") {
		return "", &Error{Op: op, Message: "server sent an unusable token"}
	}
	c.mu.Lock()
	c.token = out.AccessToken
	c.mu.Unlock()
	return out.AccessToken, nil
}

// Customers returns the customers accessor (customers/), whose Get also
// takes "me".
func (c *Client) Customers() *Collection {
	return &Collection{client: c, spec: childSpec{Name: "customers", Kind: KindCustomer}, path: "customers/"}
}

// NewToken asks the token generator for a single-use token
// (GET /tokengenerator), as used to fetch a recording without Basic auth.
func (c *Client) NewToken(ctx context.Context) (*Resource, error) {
	obj, resp, err := c.object(ctx, "GET", "tokengenerator", nil, nil)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, httpError("GET tokengenerator", resp, nil)
	}
	return &Resource{client: c, kind: KindAuthToken, fields: obj}, nil
}

// Stream returns the client's event stream. It connects on the first
// subscription; every subscription shares one connection.
func (c *Client) Stream() *Stream {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stream == nil {
		target, _ := c.resolve("stream", nil)
		opts := c.opts.Stream
		if opts.Logger == nil {
			opts.Logger = c.logger
		}
		c.stream = newStream(c.transport, target, c.headers, opts)
	}
	return c.stream
}

package restapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultRateLimit is the number of requests a user may make per window.
const DefaultRateLimit = 1200

// RateWindow is the window of a rate limit: a user may make RateLimit's
// limit of requests per hour.
const RateWindow = time.Hour

// The rate limit headers keep the API's spelling (net/http would write
// X-Ratelimit-Limit); clients must not care either way.
const (
	headerLimit     = "X-RateLimit-Limit"
	headerRemaining = "X-RateLimit-Remaining"
	headerReset     = "X-RateLimit-Reset"
)

// RateLimit counts each user's requests in windows of RateWindow, from the
// user's first request, and writes the X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (seconds) headers. Its
// methods are safe for concurrent use.
type RateLimit struct {
	mu      sync.Mutex
	limit   int
	buckets map[string]*bucket
}

type bucket struct {
	used  int
	reset time.Time
}

// NewRateLimit returns a rate limit of limit requests per user per window.
func NewRateLimit(limit int) *RateLimit {
	return &RateLimit{limit: limit, buckets: map[string]*bucket{}}
}

// Reset sets the limit and restarts every user's count.
func (l *RateLimit) Reset(limit int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit = limit
	l.buckets = map[string]*bucket{}
}

// Limit returns the number of requests a user may make per window.
func (l *RateLimit) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// LimitHeader sets the X-RateLimit-Limit header alone.
func (l *RateLimit) LimitHeader(h http.Header) {
	h[headerLimit] = []string{strconv.Itoa(l.Limit())}
}

// Anonymous sets the headers for a request of no user: nothing used, a
// whole window to go.
func (l *RateLimit) Anonymous(h http.Header) {
	limit := l.Limit()
	setHeaders(h, limit, limit, RateWindow)
}

// Take counts one request of user at now, unless the user has used up the
// window's limit, sets the headers and reports whether the request is
// within the limit.
func (l *RateLimit) Take(h http.Header, user string, now time.Time) bool {
	l.mu.Lock()
	b := l.buckets[user]
	if b == nil || !now.Before(b.reset) {
		b = &bucket{reset: now.Add(RateWindow)}
		l.buckets[user] = b
	}
	limited := b.used >= l.limit
	if !limited {
		b.used++
	}
	limit, remaining, reset := l.limit, max(l.limit-b.used, 0), b.reset.Sub(now)
	l.mu.Unlock()
	setHeaders(h, limit, remaining, reset)
	return !limited
}

func setHeaders(h http.Header, limit, remaining int, reset time.Duration) {
	h[headerLimit] = []string{strconv.Itoa(limit)}
	h[headerRemaining] = []string{strconv.Itoa(remaining)}
	h[headerReset] = []string{strconv.Itoa(int((reset + time.Second - 1) / time.Second))}
}

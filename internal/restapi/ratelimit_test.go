package restapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func rateHeaders(h http.Header) [3]string {
	return [3]string{h["X-RateLimit-Limit"][0], h["X-RateLimit-Remaining"][0], h["X-RateLimit-Reset"][0]}
}

func TestRateLimit_CountsPerUserAndWindow(t *testing.T) {
	l := NewRateLimit(2)
	now := time.Date(2024, 3, 7, 9, 0, 0, 0, time.UTC)
	h := http.Header{}
	assert.True(t, l.Take(h, "alice", now))
	assert.Equal(t, [3]string{"2", "1", "3600"}, rateHeaders(h))
	assert.True(t, l.Take(h, "alice", now.Add(time.Minute)))
	assert.Equal(t, [3]string{"2", "0", "3540"}, rateHeaders(h))
	assert.False(t, l.Take(h, "alice", now.Add(90*time.Second)))
	assert.Equal(t, [3]string{"2", "0", "3510"}, rateHeaders(h))

	// Another user has a count of its own.
	assert.True(t, l.Take(h, "bob", now.Add(90*time.Second)))
	assert.Equal(t, [3]string{"2", "1", "3600"}, rateHeaders(h))

	// The window ends an hour after the first request; the reset rounds up.
	assert.True(t, l.Take(h, "alice", now.Add(RateWindow)))
	assert.Equal(t, [3]string{"2", "1", "3600"}, rateHeaders(h))
	assert.True(t, l.Take(h, "alice", now.Add(RateWindow+time.Millisecond)))
	assert.Equal(t, [3]string{"2", "0", "3600"}, rateHeaders(h))
}

func TestRateLimit_ResetAndZero(t *testing.T) {
	l := NewRateLimit(1)
	now := time.Now()
	h := http.Header{}
	assert.True(t, l.Take(h, "alice", now))
	assert.False(t, l.Take(h, "alice", now))
	l.Reset(0)
	assert.Equal(t, 0, l.Limit())
	assert.False(t, l.Take(h, "alice", now))
	assert.Equal(t, [3]string{"0", "0", "3600"}, rateHeaders(h))
	l.Reset(5)
	assert.True(t, l.Take(h, "alice", now))
	assert.Equal(t, [3]string{"5", "4", "3600"}, rateHeaders(h))
}

func TestRateLimit_AnonymousAndLimitHeader(t *testing.T) {
	l := NewRateLimit(1200)
	h := http.Header{}
	l.LimitHeader(h)
	assert.Equal(t, http.Header{"X-RateLimit-Limit": {"1200"}}, h)
	l.Anonymous(h)
	assert.Equal(t, [3]string{"1200", "1200", "3600"}, rateHeaders(h))
}

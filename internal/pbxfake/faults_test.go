package pbxfake

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaults(t *testing.T) {
	h := newHarness(t)
	const path = "/customers/1001/phonebook/"

	h.fake.SetFault(path, Fault{Status: 500})
	r := h.get(path)
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Empty(t, r.body)
	assert.Empty(t, r.header.Get("Content-Type"))
	assert.Equal(t, http.StatusInternalServerError, h.get(path+"6101").status, "prefix match, every time")

	h.fake.SetFault(APIPrefix+path, Fault{Status: 200}) // full form, same path, longer prefix wins
	r = h.get(path)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.body)

	h.fake.ClearFaults()
	h.fake.SetFault("/customers/1001/phonebook", Fault{Body: `{"items":[`})
	r = h.get(path)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, `{"items":[`, string(r.body))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))

	h.fake.SetFault(path, Fault{Status: 502, Body: "<html>bad gateway</html>", ContentType: "text/html", Times: 2})
	for range 2 {
		r = h.get(path)
		assert.Equal(t, http.StatusBadGateway, r.status)
		assert.Equal(t, "text/html", r.header.Get("Content-Type"))
	}
	r = h.get(path)
	assert.Equal(t, `{"items":[`, string(r.body), "a shorter prefix still applies")
	h.fake.ClearFaults()

	// A fault hits before authentication and is recorded.
	h.fake.ResetRequests()
	h.fake.SetFault("/customers/", Fault{Status: 503, Times: 1})
	assert.Equal(t, http.StatusServiceUnavailable, h.req(http.MethodGet, "/customers/", "", "").status)
	assert.Len(t, h.fake.Requests(), 1)
}

func TestFaultDelay(t *testing.T) {
	h := newHarness(t)
	h.fake.SetFault("/customers/1001/", Fault{Delay: 60 * time.Millisecond, Times: 1})
	start := time.Now()
	r := h.get("/customers/1001/")
	assert.Equal(t, http.StatusOK, r.status, "a delay alone delays the normal answer")
	assert.Equal(t, "customer", r.obj(t)["type"])
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)

	// A slow answer ends when the client gives up.
	h.fake.SetFault("/customers/1001/", Fault{Delay: time.Hour, Status: 200})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"/customers/1001/", nil)
	require.NoError(t, err)
	start = time.Now()
	_, err = h.srv.Client().Do(req)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	// httptest.Server.Close (at cleanup) waits for the handler, so a handler
	// stuck for an hour would hang the test here.
	h.srv.Close()
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestFaultCloseConnection(t *testing.T) {
	h := newHarness(t)
	h.fake.SetFault("/stream", Fault{CloseConnection: true, Times: 1})
	req, err := http.NewRequest(http.MethodGet, h.base+"/stream", nil)
	require.NoError(t, err)
	req.SetBasicAuth("alice", "alice-secret")
	_, err = h.srv.Client().Do(req)
	assert.Error(t, err)
	s := openStream(t, h, "alice")
	waitStreams(t, h, 1)
	h.fake.Publish("1001", Event{Event: "smsdelivered"})
	s.expect("smsdelivered")

	h.fake.SetFault("/customers/1001/sms", Fault{CloseConnection: true, Delay: 10 * time.Millisecond})
	req, err = http.NewRequest(http.MethodPost, h.base+"/customers/1001/sms/", nil)
	require.NoError(t, err)
	_, err = h.srv.Client().Do(req)
	assert.Error(t, err)
}

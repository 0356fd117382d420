package restapi

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// A server listening on the loopback interface is meant for this machine
// only, yet any page a browser opens can send it requests: from its own
// origin (cross-site requests), or under a name of its own that resolves
// to 127.0.0.1 (DNS rebinding). LoopbackOrigin and LoopbackHost tell
// such a server which requests come from this machine's pages.

// LoopbackOrigin reports whether origin (an Origin header) is a page of
// this machine: http or https on localhost or a loopback address, any
// port.
func LoopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.User != nil {
		return false
	}
	return loopbackName(u.Hostname()) && (u.Path == "" || u.Path == "/")
}

// LoopbackHost reports whether host (a Host header, with or without a
// port) names this machine: localhost or a loopback address.
func LoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	return loopbackName(host)
}

func loopbackName(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// LoopbackOriginPatterns are LoopbackOrigin's origins as host patterns
// of github.com/coder/websocket's AcceptOptions.OriginPatterns, for a
// WebSocket endpoint of the same server (the 127.0.0.0/8 addresses other
// than 127.0.0.1 are left out: a pattern cannot name them only).
var LoopbackOriginPatterns = []string{
	"localhost", "localhost:*",
	"127.0.0.1", "127.0.0.1:*",
	`\[::1\]`, `\[::1\]:*`,
}

// LoopbackOnly wraps h for a server listening on the loopback interface:
// a request whose Host is not a loopback name is refused with 403 (DNS
// rebinding), as is one whose Origin is another machine's page. Requests
// without an Origin (tools, same-origin navigation) pass.
func LoopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !LoopbackHost(r.Host) {
			Error(http.StatusForbidden, CodeForbidden, "host %q is not served here", r.Host).Write(w)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !LoopbackOrigin(o) {
			Error(http.StatusForbidden, CodeForbidden, "origin %q may not use this server", o).Write(w)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Command pbxfake serves the fake Sipcentric PBX API (package pbxfake) on a
// loopback address, for tests that run in another process.
//
//	pbxfake [-addr 127.0.0.1:0] [-watch-stdin=true]
//
// Once listening it prints one line to stdout,
//
//	PBXFAKE_URL=http://127.0.0.1:PORT/api/v1
//
// and the seeded logins to stderr. It serves the API under /api/v1 and the
// test hooks under /_fake/ (see pbxfake.Server.ControlHandler) until SIGINT
// or SIGTERM, or until its stdin reaches end of file, so that it goes away
// with the parent process that holds the other end of the pipe. Run it with
// -watch-stdin=false when stdin is not such a pipe.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wasmphone/wasmphone/internal/pbxfake"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pbxfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on")
	watchStdin := fs.Bool("watch-stdin", true, "exit when stdin reaches end of file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := checkLoopback(*addr); err != nil {
		fmt.Fprintln(stderr, "pbxfake:", err)
		return 2
	}
	// Catch the signals before announcing the URL, so that a parent that
	// signals at once after reading it still gets a clean shutdown.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "pbxfake:", err)
		return 1
	}

	fake := pbxfake.New()
	mux := http.NewServeMux()
	mux.Handle("/_fake/", fake.ControlHandler())
	mux.Handle("/", fake)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	for _, l := range pbxfake.Logins() {
		fmt.Fprintf(stderr, "pbxfake: login %s / %s: customer %q (sees %d), %s, linkeduser %q, defaultExtension %q\n",
			l.Username, l.Password, l.CustomerID, len(l.Customers), orNone(l.AccessLevel), l.LinkedUserID,
			l.DefaultExtension)
	}
	fmt.Fprintf(stdout, "PBXFAKE_URL=http://%s%s\n", ln.Addr(), pbxfake.APIPrefix)

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			stop()
		}()
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintln(stderr, "pbxfake:", err)
		return 1
	}

	fake.DropStreams()
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "pbxfake:", err)
		return 1
	}
	return 0
}

// checkLoopback refuses addresses other machines could reach: the fake has
// no real security and its /_fake/ hooks none at all.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %s: only loopback addresses are allowed", addr)
}

func orNone(s string) string {
	if s == "" {
		return "no access level"
	}
	return s
}

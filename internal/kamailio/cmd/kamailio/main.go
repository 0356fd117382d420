//go:build !(js && wasm)

// Command kamailio runs Kamailio (package internal/kamailio: Debian's
// packages, installed as root when missing) on loopback ports for tests in
// another process, such as the browser tests in web/test/browser/.
//
//	kamailio [-user NAME:PASSWORD ...] [-users N] [-domain D]
//	         [-min-expires S] [-debug L] [-log] [-watch-stdin=true]
//
// -user adds a subscriber (repeatable); -users N adds N more, numbered from
// 1001 with password NAME-secret (1001 / 1001-secret, ...). With neither,
// the subscribers are the package's defaults (alice / alice-secret, bob,
// carol). Once Kamailio accepts connections it prints to stdout, one per
// line and with KAMAILIO_WS last:
//
//	KAMAILIO_DOMAIN=test.local
//	KAMAILIO_SIP=127.0.0.1:PORT
//	KAMAILIO_CTL=/tmp/kamailio-.../ctl.sock
//	KAMAILIO_USER=NAME:PASSWORD          (one line per subscriber, sorted)
//	KAMAILIO_WS=ws://127.0.0.1:PORT
//
// KAMAILIO_WS is the SIP over WebSocket endpoint (subprotocol "sip"); users
// register sip:NAME@DOMAIN, with DOMAIN also the digest realm. KAMAILIO_CTL
// is for kamcmd -s unix:PATH (ul.lookup location NAME@DOMAIN shows
// registrations). It runs until SIGINT or SIGTERM, or until its stdin
// reaches end of file (so that it goes away with the parent holding the
// other end of the pipe; -watch-stdin=false turns that off), then stops
// Kamailio and removes its runtime files. With -log it writes Kamailio's
// log to stderr when it stops; a failed start always prints it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wasmphone/wasmphone/internal/kamailio"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// userFlags collects -user NAME:PASSWORD values.
type userFlags []string

func (u *userFlags) String() string { return strings.Join(*u, " ") }

func (u *userFlags) Set(v string) error {
	name, pw, ok := strings.Cut(v, ":")
	if !ok || name == "" || pw == "" {
		return fmt.Errorf("want NAME:PASSWORD, got %q", v)
	}
	*u = append(*u, v)
	return nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kamailio", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var users userFlags
	fs.Var(&users, "user", "subscriber `NAME:PASSWORD` (repeatable)")
	count := fs.Int("users", 0, "add `N` subscribers 1001, 1002, ... with passwords 1001-secret, ...")
	domain := fs.String("domain", kamailio.DefaultDomain, "SIP `domain` and digest realm")
	minExpires := fs.Int("min-expires", 0, "registrar min_expires in `seconds` (default 60)")
	debug := fs.Int("debug", 0, "Kamailio log `level`: 1 warnings, 2 info (default), 3 debug")
	showLog := fs.Bool("log", false, "write Kamailio's log to stderr when it stops")
	watchStdin := fs.Bool("watch-stdin", true, "exit when stdin reaches end of file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kamailio: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *count < 0 || *count > 1000 {
		fmt.Fprintf(stderr, "kamailio: -users %d: want 0 to 1000\n", *count)
		return 2
	}
	opts := kamailio.Options{
		Domain:     *domain,
		MinExpires: *minExpires,
		Debug:      *debug,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(stderr, format+"\n", args...)
		},
	}
	if len(users) > 0 || *count > 0 {
		opts.Users = map[string]string{}
		for _, u := range users {
			name, pw, _ := strings.Cut(u, ":")
			opts.Users[name] = pw
		}
		for i := 0; i < *count; i++ {
			name := strconv.Itoa(1001 + i)
			if _, ok := opts.Users[name]; !ok {
				opts.Users[name] = name + "-secret"
			}
		}
	}

	// Catch the signals before announcing the server, so that a parent
	// that signals at once after reading the lines still gets a clean stop.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			stop()
		}()
	}

	startCtx, cancel := context.WithTimeout(ctx, 10*time.Minute) // installation included
	srv, err := kamailio.Launch(startCtx, opts)
	cancel()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer func() {
		srv.Close()
		if *showLog {
			fmt.Fprintf(stderr, "kamailio log:\n%s", srv.Log())
		}
	}()

	var b strings.Builder
	fmt.Fprintf(&b, "KAMAILIO_DOMAIN=%s\n", srv.Domain)
	fmt.Fprintf(&b, "KAMAILIO_SIP=%s\n", srv.SIPAddr)
	fmt.Fprintf(&b, "KAMAILIO_CTL=%s\n", srv.CtlSocket())
	names := make([]string, 0, len(srv.Users))
	for name := range srv.Users {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "KAMAILIO_USER=%s:%s\n", name, srv.Users[name])
	}
	fmt.Fprintf(&b, "KAMAILIO_WS=%s\n", srv.WSURL)
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		fmt.Fprintln(stderr, "kamailio:", err)
		return 1
	}

	// SIGUSR1 restarts Kamailio on the same ports (clients lose their
	// WebSocket and its in-memory state), for tests of recovery; each
	// restart prints KAMAILIO_RESTARTED=<n> once Kamailio is back.
	restart := make(chan os.Signal, 1)
	signal.Notify(restart, syscall.SIGUSR1)
	defer signal.Stop(restart)
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return 0
		case <-restart:
			rctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := srv.Relaunch(rctx)
			cancel()
			if err != nil {
				fmt.Fprintln(stderr, "kamailio: restart:", err)
				return 1
			}
			fmt.Fprintf(stdout, "KAMAILIO_RESTARTED=%d\n", n)
		}
	}
}

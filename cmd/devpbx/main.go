//go:build !js

// Command devpbx runs the development PBX: the Sipcentric REST API and
// event stream, SIP over WebSocket with an echo test, and the web/
// directory (the softphone example and the WebAssembly module), on one
// local HTTP server. `make demo` builds the module and starts it.
//
// It is a development tool, not a production PBX: it listens on
// 127.0.0.1 and knows demo logins that it prints when it starts.
//
// Usage:
//
//	devpbx [-addr 127.0.0.1:8080] [-data DIR | -memory] [-web ./web] [-heartbeat 60s] [-realm devpbx.local]
//
// Besides the human-readable summary it prints one machine-readable line,
// DEVPBX_URL=http://HOST:PORT, so that scripts can start it with
// -addr 127.0.0.1:0 and find the port.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/wasmphone/wasmphone/internal/devpbx"
	"github.com/wasmphone/wasmphone/internal/devpbx/api"
	"github.com/wasmphone/wasmphone/internal/devpbx/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "devpbx:", err)
		}
		os.Exit(2)
	}
}

// defaultDataDir is under the user's cache directory, else ./.devpbx.
func defaultDataDir() string {
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "wasmphone", "devpbx")
	}
	return ".devpbx"
}

// loopbackAddr reports whether a listen address is on loopback: then the
// echo test's media stays there too (browsers on this machine reach it
// over 127.0.0.1, and nothing else can).
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// run starts the PBX, prints how to use it and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devpbx", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", devpbx.DefaultAddr, "listen address (port 0 picks a free port)")
	data := fs.String("data", defaultDataDir(), "data directory (the SQLite database)")
	memory := fs.Bool("memory", false, "keep all data in memory (nothing survives a restart)")
	web := fs.String("web", "web", "directory served at / (the softphone example and the module)")
	heartbeat := fs.Duration("heartbeat", api.DefaultHeartbeatInterval, "event stream heartbeat interval")
	realm := fs.String("realm", store.DemoDomain, "SIP domain and digest realm")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: devpbx [flags]\n\nRuns the development PBX (not a production PBX).\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *heartbeat <= 0 {
		return fmt.Errorf("-heartbeat must be positive, got %s", *heartbeat)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if st, err := os.Stat(*web); err != nil || !st.IsDir() {
		log.Warn("the web directory is missing: only the API and SIP are served", "web", *web)
		*web = ""
	} else if _, err := os.Stat(filepath.Join(*web, "wasmphone.wasm")); err != nil {
		log.Warn("the WebAssembly module is missing: run `make build`", "web", *web)
	}

	srv, err := devpbx.New(devpbx.Config{Addr: *addr, DataDir: *data, Memory: *memory, WebDir: *web,
		Realm: *realm, HeartbeatInterval: *heartbeat, Logger: log, EchoLoopbackOnly: loopbackAddr(*addr)})
	if err != nil {
		return err
	}
	if err := printBanner(ctx, stdout, srv, *realm, *web); err != nil {
		_ = srv.Shutdown(context.Background())
		return err
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-srv.Done():
		_ = srv.Shutdown(context.Background())
		return fmt.Errorf("server stopped: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// printBanner tells a newcomer where everything is and how to log in.
func printBanner(ctx context.Context, w io.Writer, srv *devpbx.Server, realm, web string) error {
	u := srv.URL()
	data := srv.Store().Path()
	if data == "" {
		data = "in memory (nothing survives a restart)"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "wasmphone development PBX: a development tool, not a production PBX")
	if web != "" {
		fmt.Fprintf(tw, "  softphone\t%s%s\n", u, devpbx.HomePath)
	}
	fmt.Fprintf(tw, "  REST API\t%s%s\n", u, api.Prefix)
	fmt.Fprintf(tw, "  event stream\t%s%s/stream\n", u, api.Prefix)
	fmt.Fprintf(tw, "  SIP WebSocket\t%s\t(domain %s)\n", srv.SIPURL(), realm)
	fmt.Fprintf(tw, "  test numbers\t%s echo, %s busy, %s no answer\n", devpbx.EchoNumber, devpbx.BusyNumber, devpbx.NoAnswerNumber)
	fmt.Fprintf(tw, "  data\t%s\n", data)
	fmt.Fprintln(tw, "portal logins (HTTP Basic, REST API and softphone):")
	for _, d := range store.DemoUsers() {
		fmt.Fprintf(tw, "  %s / %s\t%s\tdefault extension %s\n", d.Username, d.Password, d.AccessLevel, d.Extension)
	}
	fmt.Fprintln(tw, "extensions (short number, name, SIP username / password):")
	for _, d := range store.DemoExtensions() {
		ext, ok, err := srv.API().Lookup(ctx, d.SIPUsername)
		if err != nil {
			return fmt.Errorf("read the extensions: %w", err)
		}
		if ok {
			fmt.Fprintf(tw, "  %s\t%s\t%s / %s\n", ext.ShortNumber, ext.Name, ext.SIPUsername, ext.SIPPassword)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "DEVPBX_URL=%s\n", u)
	return err
}

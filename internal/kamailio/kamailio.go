//go:build !(js && wasm)

package kamailio

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

//go:embed kamailio.cfg.tmpl
var cfgTemplate string

var cfgTmpl = template.Must(template.New("kamailio.cfg").Option("missingkey=error").Parse(cfgTemplate))

// DefaultDomain is the SIP domain (and digest realm) when Options.Domain is
// empty.
const DefaultDomain = "test.local"

// DefaultUsers are the subscribers when Options.Users is nil.
var DefaultUsers = map[string]string{
	"alice": "alice-secret",
	"bob":   "bob-secret",
	"carol": "carol-secret",
}

// Timeouts of the harness.
const (
	// StartTimeout bounds the wait for Kamailio's ports to accept
	// connections.
	StartTimeout = 15 * time.Second
	// StopTimeout is how long Stop waits after SIGTERM before SIGKILL.
	StopTimeout = 5 * time.Second
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Domain is the SIP domain served, also the digest realm. Users
	// register sip:USER@Domain. Default DefaultDomain.
	Domain string
	// Users maps user names to plain-text passwords (the subscriber
	// table). Default DefaultUsers. Names and passwords must not contain
	// ':', '\\' or control characters (db_text's file format).
	Users map[string]string
	// MinExpires is the registrar's min_expires: shorter registrations
	// are raised to it (Kamailio does not answer 423 by default).
	// Default 60, as Kamailio's; set it low to test refreshes quickly.
	MinExpires int
	// Debug is Kamailio's log level: 1 warnings, 2 info (default), 3
	// debug (very verbose).
	Debug int
	// Logf receives the messages of servers from Launch (installation,
	// slow stops); nil discards them. Start logs to the test instead.
	Logf func(format string, args ...any)
}

// Server is a running Kamailio.
type Server struct {
	// WSURL is the SIP over WebSocket endpoint: ws://127.0.0.1:PORT
	// (WebSocket subprotocol "sip").
	WSURL string
	// SIPAddr is the plain SIP endpoint, UDP and TCP: 127.0.0.1:PORT.
	SIPAddr string
	// Domain is the SIP domain and digest realm.
	Domain string
	// Users maps user names to passwords, as given in Options (or the
	// defaults). Do not modify it.
	Users map[string]string

	t       testing.TB           // nil for servers from Launch
	logf    func(string, ...any) // t.Logf or Options.Logf
	bin     string
	kamcmd  string
	dir     string
	cfgPath string
	ctlSock string
	pidFile string
	log     *logBuffer

	logShown atomic.Bool // the log was printed with a failure already

	mu   sync.Mutex
	proc *process
}

type process struct {
	cmd     *exec.Cmd
	done    chan struct{} // closed when the main process has exited
	err     error         // set before done is closed
	logDone chan struct{} // closed when no process holds the log pipe
}

// Start installs Kamailio if needed, starts it on free loopback ports and
// waits until it accepts WebSocket connections. The server is stopped when
// the test ends. Any failure is fatal to the test.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := launch(context.Background(), opts, t)
	if s != nil {
		t.Cleanup(func() {
			s.Stop()
			if t.Failed() && !s.logShown.Load() {
				t.Logf("kamailio log (config %s):\n%s", s.cfgPath, s.Log())
			}
			os.RemoveAll(s.dir)
		})
	}
	if err != nil {
		if s != nil {
			s.logShown.Store(true)
		}
		t.Fatal(err)
	}
	return s
}

// Launch is Start for programs other than tests (such as the command
// internal/kamailio/cmd/kamailio): it installs Kamailio if needed (as root),
// starts it on free loopback ports and returns once it accepts WebSocket
// connections. ctx bounds the installation and the wait for readiness only;
// the server runs until Close. Messages that Start would log go to
// Options.Logf. Errors from Kamailio's startup carry its log.
func Launch(ctx context.Context, opts Options) (*Server, error) {
	s, err := launch(ctx, opts, nil)
	if err != nil {
		if s != nil {
			s.Close()
		}
		return nil, err
	}
	return s, nil
}

// Close stops Kamailio (see Stop) and removes its runtime directory. It is
// for servers from Launch; Start's servers are closed when the test ends.
func (s *Server) Close() {
	s.Stop()
	os.RemoveAll(s.dir)
}

// CtlSocket is the path of Kamailio's ctl unix socket, for
// kamcmd -s unix:PATH (see RPC).
func (s *Server) CtlSocket() string { return s.ctlSock }

// launch does the work of Start and Launch. t is nil for Launch. It returns
// a non-nil Server as soon as its directory exists, so that the caller can
// clean up after a failure; errors from Kamailio's startup carry its log.
func launch(ctx context.Context, opts Options, t testing.TB) (*Server, error) {
	logf := opts.Logf
	if t != nil {
		logf = t.Logf
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bin, kamcmd, err := ensureInstalled(ctx, logf)
	if err != nil {
		return nil, err
	}

	if opts.Domain == "" {
		opts.Domain = DefaultDomain
	}
	if opts.Users == nil {
		opts.Users = DefaultUsers
	}
	if opts.MinExpires <= 0 {
		opts.MinExpires = 60
	}
	if opts.Debug <= 0 {
		opts.Debug = 2
	}
	if !validToken.MatchString(opts.Domain) {
		return nil, fmt.Errorf("kamailio: invalid domain %q", opts.Domain)
	}
	users := make(map[string]string, len(opts.Users))
	for u, p := range opts.Users {
		if !validToken.MatchString(u) || strings.ContainsAny(p, ":\\") || hasControl(p) {
			return nil, fmt.Errorf("kamailio: user %q or its password cannot be stored in db_text (no ':', '\\\\' or control characters)", u)
		}
		users[u] = p
	}

	// A short directory: the ctl unix socket path must fit in 108 bytes,
	// and t.TempDir() names grow with the test's name.
	dir, err := os.MkdirTemp("", "kamailio-")
	if err != nil {
		return nil, fmt.Errorf("kamailio: %v", err)
	}

	s := &Server{
		Domain:  opts.Domain,
		Users:   users,
		t:       t,
		logf:    logf,
		bin:     bin,
		kamcmd:  kamcmd,
		dir:     dir,
		cfgPath: filepath.Join(dir, "kamailio.cfg"),
		ctlSock: filepath.Join(dir, "ctl.sock"),
		pidFile: filepath.Join(dir, "kamailio.pid"),
		log:     &logBuffer{},
	}

	// The free ports are found by binding and closing: another process
	// may take one before Kamailio binds it, so try a few times.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		wsPort, sipPort, err := freePorts()
		if err != nil {
			return s, fmt.Errorf("kamailio: %v", err)
		}
		if err := s.writeFiles(opts, wsPort, sipPort); err != nil {
			return s, fmt.Errorf("kamailio: %v", err)
		}
		s.WSURL = fmt.Sprintf("ws://127.0.0.1:%d", wsPort)
		s.SIPAddr = fmt.Sprintf("127.0.0.1:%d", sipPort)
		if lastErr = s.start(ctx); lastErr == nil {
			return s, nil
		}
		if !strings.Contains(s.Log(), "in use") || ctx.Err() != nil {
			break
		}
	}
	return s, s.withLog(fmt.Errorf("kamailio: %v", lastErr))
}

// withLog appends Kamailio's log to err.
func (s *Server) withLog(err error) error {
	return fmt.Errorf("%w\nkamailio log (config %s):\n%s", err, s.cfgPath, s.Log())
}

// Log returns everything Kamailio wrote to stderr so far, across restarts.
func (s *Server) Log() string { return s.log.String() }

// Stop stops Kamailio: SIGTERM, then SIGKILL after StopTimeout. It is safe
// to call more than once; t.Cleanup calls it too.
func (s *Server) Stop() {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	select {
	case <-p.done:
	default:
		// Kamailio's main process stops its workers itself, but a worker
		// that was still starting may miss that: then signal them all.
		_ = p.cmd.Process.Signal(sigTerm)
		select {
		case <-p.done:
		case <-time.After(250 * time.Millisecond):
			signalGroup(p.cmd, sigTerm)
			select {
			case <-p.done:
			case <-time.After(StopTimeout):
				s.logf("kamailio: no exit %v after SIGTERM, sending SIGKILL", StopTimeout)
			}
		}
	}
	// Workers sometimes outlive the main process for a while, holding
	// the ports: the main process has told them to stop already.
	signalGroup(p.cmd, sigKill)
	<-p.done
	select {
	case <-p.logDone:
	case <-time.After(StopTimeout):
		s.logf("kamailio: its log pipe is still open %v after SIGKILL", StopTimeout)
	}
}

// Restart stops Kamailio and starts it again on the same ports, with the
// same config: WebSocket connections drop, registrations, subscriptions and
// dialogs are forgotten (they live in memory). After Stop, Restart starts
// the server again. Failures are fatal to the test; for a server from
// Launch, which has no test, Restart panics on failure (see Relaunch).
func (s *Server) Restart() {
	if s.t != nil {
		s.t.Helper()
	}
	if err := s.Relaunch(context.Background()); err != nil {
		if s.t == nil {
			panic(err)
		}
		s.logShown.Store(true)
		s.t.Fatal(err)
	}
}

// Relaunch is Restart returning its error (with Kamailio's log) instead of
// failing a test.
func (s *Server) Relaunch(ctx context.Context) error {
	s.Stop()
	fmt.Fprintf(s.log, "\n==== wasmphone: restart at %s ====\n", time.Now().Format(time.RFC3339Nano))
	// The old process's sockets may linger for a moment.
	deadline := time.Now().Add(StartTimeout)
	for {
		err := s.start(ctx)
		if err == nil {
			return nil
		}
		if !strings.Contains(s.Log(), "in use") || time.Now().After(deadline) || ctx.Err() != nil {
			return s.withLog(fmt.Errorf("kamailio: restart: %v", err))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Registrations returns the number of contacts registered for user in the
// location table (0 when none), asked over the ctl socket (kamcmd
// ul.lookup).
func (s *Server) Registrations(user string) (int, error) {
	out, err := s.RPC("ul.lookup", "location", user+"@"+s.Domain)
	if err != nil {
		if strings.Contains(out+err.Error(), "AOR not found") {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "Contact:") {
			n++
		}
	}
	return n, nil
}

// RPC runs one Kamailio RPC command over the ctl socket with kamcmd, such
// as RPC("ul.dump") or RPC("dlg.list"), and returns its output.
func (s *Server) RPC(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.kamcmd, append([]string{"-s", "unix:" + s.ctlSock}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kamcmd %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// start runs kamailio and waits until it accepts connections on the
// WebSocket and SIP TCP ports and its ctl socket exists.
func (s *Server) start(ctx context.Context) error {
	os.Remove(s.pidFile)
	os.Remove(s.ctlSock)
	cmd := exec.Command(s.bin,
		"-DD", "-E",
		"-f", s.cfgPath,
		"-m", "64", "-M", "8",
		"-Y", s.dir,
		"-P", s.pidFile,
		"-w", s.dir,
	)
	cmd.Dir = s.dir
	// Our own pipe rather than an io.Writer, so that cmd.Wait returns when
	// the main process exits even if a worker still holds the pipe.
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout = pw
	cmd.Stderr = pw
	setProcAttr(cmd)
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{}), logDone: make(chan struct{})}
	go func() {
		_, _ = io.Copy(s.log, pr)
		pr.Close()
		close(p.logDone)
	}()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()

	ws := strings.TrimPrefix(s.WSURL, "ws://")
	deadline := time.Now().Add(StartTimeout)
	for {
		select {
		case <-p.done:
			s.Stop() // collects the log
			return fmt.Errorf("kamailio exited during startup: %v", p.err)
		default:
		}
		if ready(ws) && ready(s.SIPAddr) && exists(s.ctlSock) {
			return nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("kamailio not ready on %s within %v", s.WSURL, StartTimeout)
		}
		select {
		case <-ctx.Done():
			s.Stop()
			return fmt.Errorf("kamailio not ready on %s: %w", s.WSURL, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func ready(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

type cfgData struct {
	Domain     string
	WSPort     int
	SIPPort    int
	CtlSocket  string
	DBURL      string
	MinExpires int
	Debug      int
}

// writeFiles writes the config and the db_text database.
func (s *Server) writeFiles(opts Options, wsPort, sipPort int) error {
	db := filepath.Join(s.dir, "db")
	if err := os.MkdirAll(db, 0o755); err != nil {
		return err
	}
	var cfg bytes.Buffer
	err := cfgTmpl.Execute(&cfg, cfgData{
		Domain:     opts.Domain,
		WSPort:     wsPort,
		SIPPort:    sipPort,
		CtlSocket:  s.ctlSock,
		DBURL:      "text://" + db,
		MinExpires: opts.MinExpires,
		Debug:      opts.Debug,
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(s.cfgPath, cfg.Bytes(), 0o644); err != nil {
		return err
	}
	for name, content := range dbTables(opts.Domain, s.Users) {
		if err := os.WriteFile(filepath.Join(db, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// dbTables returns the db_text tables the modules use: the subscriber table
// for auth_db and the (empty) tables presence and pua check at startup, with
// the versions Kamailio 5.6 expects.
func dbTables(domain string, users map[string]string) map[string]string {
	var sub strings.Builder
	sub.WriteString("id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string)\n")
	names := make([]string, 0, len(users))
	for u := range users {
		names = append(names, u)
	}
	sort.Strings(names)
	for i, u := range names {
		// db_text refuses empty strings in NOT NULL columns: fill in the
		// HA1 columns too, though auth_db uses the password
		// (calculate_ha1).
		ha1, _ := digest.HA1(digest.MD5, u, domain, users[u])
		ha1b, _ := digest.HA1(digest.MD5, u+"@"+domain, domain, users[u])
		fmt.Fprintf(&sub, "%d:%s:%s:%s:%s:%s\n", i+1, u, domain, users[u], ha1, ha1b)
	}
	return map[string]string{
		"version": "id(int,auto) table_name(string) table_version(int)\n" +
			"1:version:1\n2:subscriber:7\n3:presentity:5\n4:active_watchers:12\n5:watchers:3\n6:pua:7\n7:xcap:4\n",
		"subscriber": sub.String(),
		"presentity": "id(int,auto) username(string) domain(string) event(string) etag(string) expires(int) " +
			"received_time(int) body(string) sender(string) priority(int) ruid(string,null)\n",
		"active_watchers": "id(int,auto) presentity_uri(string) watcher_username(string) watcher_domain(string) " +
			"to_user(string) to_domain(string) event(string) event_id(string,null) to_tag(string) from_tag(string) " +
			"callid(string) local_cseq(int) remote_cseq(int) contact(string) record_route(string,null) expires(int) " +
			"status(int) reason(string,null) version(int) socket_info(string) local_contact(string) from_user(string) " +
			"from_domain(string) updated(int) updated_winfo(int) flags(int) user_agent(string,null)\n",
		"watchers": "id(int,auto) presentity_uri(string) watcher_username(string) watcher_domain(string) " +
			"event(string) status(int) reason(string,null) inserted_time(int)\n",
		"pua": "id(int,auto) pres_uri(string) pres_id(string) event(int) expires(int) desired_expires(int) " +
			"flag(int) etag(string) tuple_id(string,null) watcher_uri(string) call_id(string) to_tag(string) " +
			"from_tag(string) cseq(int) record_route(string,null) contact(string) remote_contact(string) " +
			"version(int) extra_headers(string)\n",
		"xcap": "id(int,auto) username(string) domain(string) doc(string) doc_type(int) etag(string) " +
			"source(int) doc_uri(string) port(int)\n",
	}
}

var validToken = regexp.MustCompile(`^[A-Za-z0-9._~!$&'()*+,;=%-]+$`)

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// freePorts returns two distinct free TCP ports on 127.0.0.1, the second
// also free for UDP.
func freePorts() (ws, sip int, err error) {
	for i := 0; i < 20; i++ {
		ws, err = freeTCPPort()
		if err != nil {
			return 0, 0, err
		}
		sip, err = freeTCPPort()
		if err != nil {
			return 0, 0, err
		}
		if ws == sip {
			continue
		}
		u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(sip)))
		if err != nil {
			continue
		}
		u.Close()
		return ws, sip, nil
	}
	return 0, 0, errors.New("no free loopback ports")
}

func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logBuffer collects Kamailio's output; it is written by exec's copying
// goroutine and read by tests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ---- installation ----

// requiredModules are checked in Kamailio's module directory: the base
// package alone lacks the WebSocket and presence modules.
var requiredModules = []string{"websocket.so", "presence.so", "presence_dialoginfo.so", "pua_dialoginfo.so", "db_text.so"}

const installHint = "install Kamailio with `sudo scripts/install-kamailio.sh` " +
	"(Debian packages kamailio, kamailio-websocket-modules, kamailio-presence-modules)"

var installMu sync.Mutex

// ensureInstalled returns the paths of kamailio and kamcmd, installing the
// packages first when something is missing and we are root.
func ensureInstalled(ctx context.Context, logf func(string, ...any)) (bin, kamcmd string, err error) {
	installMu.Lock()
	defer installMu.Unlock()

	missing := checkInstalled()
	if missing == "" {
		return lookBin("kamailio"), lookBin("kamcmd"), nil
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			return "", "", fmt.Errorf("kamailio: %s, and CI runs without root: %s", missing, installHint)
		}
		return "", "", fmt.Errorf("kamailio: %s; the Kamailio interop tests need it: %s", missing, installHint)
	}
	script, err := installScript()
	if err != nil {
		return "", "", fmt.Errorf("kamailio: %s and %v; %s", missing, err, installHint)
	}
	logf("kamailio: %s; running %s", missing, script)
	out, err := exec.CommandContext(ctx, "bash", script).CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("kamailio: %s failed: %v\n%s", script, err, out)
	}
	if missing := checkInstalled(); missing != "" {
		return "", "", fmt.Errorf("kamailio: still %s after %s:\n%s", missing, script, out)
	}
	return lookBin("kamailio"), lookBin("kamcmd"), nil
}

// checkInstalled says what is missing, or "" when Kamailio and the modules
// the config loads are there.
func checkInstalled() string {
	bin := lookBin("kamailio")
	if bin == "" {
		return "kamailio is not installed"
	}
	if lookBin("kamcmd") == "" {
		return "kamcmd is not installed"
	}
	out, err := exec.Command(bin, "-I").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s -I failed: %v", bin, err)
	}
	m := regexp.MustCompile(`Default paths to modules:\s*(\S+)`).FindSubmatch(out)
	if m == nil {
		return fmt.Sprintf("cannot find Kamailio's module directory in `%s -I`", bin)
	}
	dir := string(m[1])
	for _, mod := range requiredModules {
		if !exists(filepath.Join(dir, mod)) {
			return fmt.Sprintf("the Kamailio module %s is not installed", mod)
		}
	}
	return ""
}

// lookBin finds a Kamailio program on PATH or in the sbin directories,
// which are not on a normal user's PATH.
func lookBin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// installScript finds scripts/install-kamailio.sh at the module root: up
// from the working directory (go test runs in the package directory), or
// from this source file's directory.
func installScript() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if exists(filepath.Join(dir, "go.mod")) {
				script := filepath.Join(dir, "scripts", "install-kamailio.sh")
				if exists(script) {
					return script, nil
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("scripts/install-kamailio.sh not found above the working directory")
}

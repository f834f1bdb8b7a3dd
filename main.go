// Command moneykit-mock is a sandbox server that stands in for MoneyKit's
// financial-data API: seeded, deterministic identity data for any link ID, and
// every documented error on demand.
//
//	go run .                       # serves on 127.0.0.1:8080
//	go run . --help                # every flag, its environment twin and default
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/reqlog"
	"github.com/moneykit-mock/moneykit-mock/mock"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

func main() {
	// The first SIGINT or SIGTERM ends run, which lets in-flight requests
	// finish for --shutdown-timeout; a second one exits at once.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		stop()
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "moneykit-mock: second %v: exiting at once, without waiting for requests\n", sig)
		os.Exit(1)
	}()
	if err := runWith(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintln(os.Stderr, "moneykit-mock:", ee.err)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "moneykit-mock:", err)
		os.Exit(1)
	}
}

// exitError carries the exit status for errors that are the user's to fix:
// 2 for bad flags or configuration, 0 for --help.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return "exit " + strconv.Itoa(e.code)
	}
	return e.err.Error()
}

// envPrefix is the one prefix of every environment twin of a flag.
const envPrefix = "MOCK_"

// parseConfig maps flags, then the environment for each flag not given, onto
// a config.Config: a flag beats its MOCK_ twin, which beats the default (the
// defaults are config.Default's, so they are written once). PORT alone means
// ":$PORT", as platforms that inject PORT expect. lookupEnv is os.LookupEnv
// (not Getenv) because an empty MOCK_STATIC_TOKEN must be able to turn the
// static token off.
func parseConfig(args []string, lookupEnv func(string) (string, bool), out io.Writer) (config.Config, error) {
	c := config.Default()
	fs := flag.NewFlagSet("moneykit-mock", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.Addr, "addr", c.Addr, "`address` to listen on; PORT alone means :$PORT")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "`number` that seeds all generated data: the same seed gives the same bytes (0 is the same as 1)")
	fs.StringVar(&c.ClientID, "client-id", c.ClientID, "sandbox client `id` accepted by POST /auth/token and X-Client-Id")
	fs.StringVar(&c.ClientSecret, "client-secret", c.ClientSecret, "sandbox client `secret`")
	fs.StringVar(&c.StaticToken, "static-token", c.StaticToken, "bearer `token` that is always accepted; empty disables it")
	fs.DurationVar(&c.TokenTTL, "token-ttl", c.TokenTTL, "`lifetime` of tokens issued by POST /auth/token")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log `format`: text or json")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug, info, warn or error")
	fs.Var(listFlag{&c.CORSOrigins}, "cors-origins", "comma-separated `origins` browsers may call from; * is any, empty disables CORS")
	fs.Int64Var(&c.MemoryMB, "memory-mb", c.MemoryMB, "`MiB` the whole process may use (RSS): sets the Go memory limit, half of it for cached bodies")
	fs.Int64Var(&c.CacheMB, "cache-mb", c.CacheMB, "`MiB` of generated bodies to keep cached, within --memory-mb, outside the Go heap (default half of it, less below 40)")
	fs.Var(clockFlag{&c.Clock}, "clock", "`clock`: real, or an RFC 3339 instant to pin it at (byte-stable snapshots); POST /_mock/clock moves it")
	fs.DurationVar(&c.RefreshDelay, "refresh-delay", c.RefreshDelay, "how long a product refresh takes unless a scenario's refresh_delay says otherwise")
	fs.Var(pathFlag{&c.FixturePaths}, "fixtures", "persona `path`: a YAML file or a directory of *.yaml, layered over the embedded personas and reloaded on change")
	fs.StringVar(&c.AdminToken, "admin-token", c.AdminToken, "bearer `token` every /_mock/ route needs; empty leaves them open")
	fs.IntVar(&c.JournalSize, "journal-size", c.JournalSize, "how many `requests` GET /_mock/requests keeps")
	fs.BoolVar(&c.NewerEnums, "newer-enums", c.NewerEnums, "send enum values only newer SDK generations accept (enrichment in available_products)")
	fs.StringVar(&c.WebhookURL, "webhook-url", c.WebhookURL, "webhook `URL` of every link that has none of its own")
	fs.StringVar(&c.WebhookKeyFile, "webhook-key", c.WebhookKeyFile, "PEM `file` with the ES256 key that signs webhooks; empty derives it from the seed")
	fs.BoolVar(&c.WebhookRotate, "webhook-rotate", c.WebhookRotate, "serve a second signing key and sign with it, keeping the first kid in the JWKS")
	fs.Var(listFlag{&c.WebhookAllow}, "webhook-allow", "comma-separated `hosts`, IPs and CIDRs webhooks may reach besides public addresses")
	fs.IntVar(&c.WebhookAttempts, "webhook-attempts", c.WebhookAttempts, "`attempts` of one webhook delivery before it fails")
	fs.DurationVar(&c.WebhookBackoff, "webhook-backoff", c.WebhookBackoff, "wait after a webhook's first failed attempt; it doubles each time")
	fs.Int64Var(&c.JournalMB, "journal-mb", c.JournalMB, "`MiB` the request journal may take; the oldest entries go first")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long in-flight requests may finish after SIGINT or SIGTERM (a second signal exits at once)")
	fs.Var(pathFlag{&c.ScenarioPaths}, "scenarios", "scenario `path`: a YAML file or a directory of *.yaml, layered over the embedded catalogue and reloaded on change and on SIGHUP")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: moneykit-mock [flags]\n       moneykit-mock validate PATH...\n\nA mock of MoneyKit's API. Every flag has an environment twin: --seed is %sSEED.\n\nFlags:\n", envPrefix)
		fs.PrintDefaults()
	}
	// Every bad flag is reported, not only the first, and without the whole
	// usage text: Parse stops at a bad flag and leaves the arguments after
	// it, so parsing goes on from there. A value that failed to parse is put
	// back to its default, so that it causes no second, knock-on problem.
	var errs []error
	fs.SetOutput(io.Discard)
	bad := map[string]bool{}
	for rest := args; ; {
		err := fs.Parse(rest)
		if err == nil {
			break
		}
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			fs.Usage()
			return c, exitError{code: 0}
		}
		errs = append(errs, flagProblem(fs, err, bad))
		rest = fs.Args()
	}
	for name := range bad {
		f := fs.Lookup(name)
		f.Value.Set(f.DefValue)
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		env := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if given[f.Name] {
			return
		}
		v, ok := lookupEnv(env)
		if !ok && f.Name == "addr" {
			if port, ok2 := lookupEnv("PORT"); ok2 && port != "" {
				v, ok, env = ":"+port, true, "PORT"
			}
		}
		if ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %s", env, clipValue(v), want(f, err)))
				f.Value.Set(f.DefValue) // no knock-on problem from the zero value
			}
		}
	})
	// An empty value turns these off; config says so with its No fields.
	c.NoStaticToken = c.StaticToken == ""
	c.NoCORS = len(c.CORSOrigins) == 0
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return c, exitError{code: 2, err: errors.Join(errs...)}
	}
	return c, nil
}

// flagProblem words a flag parsing error: the flag and what its value should
// be, not the flag package's "parse error". It records the flag in bad.
func flagProblem(fs *flag.FlagSet, err error, bad map[string]bool) error {
	msg := err.Error()
	// "invalid value "abc" for flag -seed: parse error"
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if i := strings.Index(rest, " for flag -"); i >= 0 {
			name, cause, _ := strings.Cut(rest[i+len(" for flag -"):], ": ")
			if f := fs.Lookup(name); f != nil {
				bad[name] = true
				return fmt.Errorf("--%s=%s: %s", name, rest[:i], want(f, errors.New(cause)))
			}
		}
	}
	return err
}

// want says what a flag's value must be, from the flag's type.
func want(f *flag.Flag, err error) string {
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case time.Duration:
			return "want a duration such as 30s or 15m"
		case int, int64, uint, uint64:
			return "want a whole number"
		case bool:
			return "want true or false"
		}
	}
	return err.Error() // the flag's own words (a clock, a log level)
}

// clipValue shortens a value before it is echoed in a message.
func clipValue(v string) string {
	if len(v) > 60 {
		return v[:60] + "…"
	}
	return v
}

// listFlag is a comma-separated list flag; an empty value is the empty list.
type listFlag struct{ list *[]string }

func (f listFlag) String() string {
	if f.list == nil {
		return ""
	}
	return strings.Join(*f.list, ",")
}

func (f listFlag) Set(v string) error {
	*f.list = nil
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*f.list = append(*f.list, item)
		}
	}
	return nil
}

// pathFlag is a path flag as a list: one path, or none when empty.
type pathFlag struct{ paths *[]string }

func (f pathFlag) String() string {
	if f.paths == nil || len(*f.paths) == 0 {
		return ""
	}
	return (*f.paths)[0]
}

func (f pathFlag) Set(v string) error {
	*f.paths = nil
	if v != "" {
		*f.paths = []string{v}
	}
	return nil
}

// clockFlag is --clock: "real" (the zero time) or an RFC 3339 instant.
type clockFlag struct{ t *time.Time }

func (f clockFlag) String() string {
	if f.t == nil || f.t.IsZero() {
		return "real"
	}
	return f.t.Format(time.RFC3339Nano)
}

func (f clockFlag) Set(v string) error {
	if v == "real" {
		*f.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("clock %q: want real or an RFC 3339 time such as 2025-01-02T03:04:05Z", v)
	}
	if err := config.CheckClock(t); err != nil {
		return fmt.Errorf("clock %q: %v", v, err)
	}
	*f.t = t
	return nil
}

// gcPercent is the garbage collector's target (see runWith).
const gcPercent = 200

// newLogger logs through slog's TextHandler or JSONHandler as reqlog wraps
// them: every record is written by slog, but for the request line, the
// busiest, which reqlog's fast path writes itself with the same bytes.
func newLogger(c config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(reqlog.NewJSON(w, opts))
	}
	return slog.New(reqlog.NewText(w, opts))
}

// run is the whole program, minus process exit, so tests can drive it.
func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stderr io.Writer) error {
	return runWith(ctx, args, lookupEnv, stderr, stderr)
}

// runWith is run with a writer for what the command reports as its result
// (validate's "ok" line), apart from the log and the problems.
func runWith(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "validate" {
		return validate(args[1:], stdout, stderr)
	}
	c, err := parseConfig(args, lookupEnv, stderr)
	if err != nil {
		return err
	}
	// Every goroutine run starts is stopped and joined before it returns:
	// the log flusher last (it flushes once more as it stops), after the
	// reload watcher and the SIGHUP handler, which stop with ctx.
	logs := newLogBuffer(stderr)
	flushCtx, stopFlushing := context.WithCancel(context.Background())
	flushed := make(chan struct{})
	go func() { defer close(flushed); logs.run(flushCtx) }()
	defer func() { stopFlushing(); <-flushed }()
	log := newLogger(c, logs)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()

	c.Logger = log
	debug.SetMemoryLimit(c.GoMemoryLimit(handlers.CacheOffHeap)) // the one process-wide knob: --memory-mb
	// With the cache off the heap, what the collector sees live is a few MiB,
	// so at the default GOGC=100 it ran every 3 or 4 MiB allocated (25 times
	// a second under load, each with its pauses). 200 halves that for 3 MiB
	// more RSS; the memory limit above still bounds the heap. A GOGC in the
	// environment wins.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	// Loading is bounded (scenarios.MaxFileBytes, MaxEntries) but may take a
	// second or two for big files; a SIGTERM meanwhile stops start-up at once.
	// The loading goroutine is then left to the process's exit: it holds
	// nothing but memory, and the process is ending.
	type loaded struct {
		m   *mock.Mock
		err error
	}
	done := make(chan loaded, 1)
	go func() { m, err := mock.New(c); done <- loaded{m, err} }()
	var m *mock.Mock
	select {
	case l := <-done:
		if l.err != nil {
			return exitError{code: 2, err: fmt.Errorf("scenarios or fixtures are invalid, not starting:\n%w", l.err)}
		}
		m = l.m
	case <-ctx.Done():
		return exitError{code: 1, err: errors.New("stopped while loading scenarios and fixtures")}
	}
	defer func() {
		closeCtx, cancelClose := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancelClose()
		m.Close(closeCtx)
	}()
	h := m.Server()
	if off := h.CacheOffHeap(); off != handlers.CacheOffHeap {
		// The arena could not be mapped and is on the Go heap: the runtime's
		// limit must count it, or the collector would work to keep the heap
		// the cache's size (32 MiB by default) smaller than it can be.
		debug.SetMemoryLimit(c.GoMemoryLimit(off))
		log.Warn("the cache's memory could not be mapped from the operating system; it is on the Go heap", "cache_mb", c.CacheBytes()>>20)
	}
	set := h.Scenarios()
	// SIGHUP is always taken, so that it never kills the server (its default
	// action): without files to reload, it is only logged.
	reloadNow := func() { log.Info("SIGHUP: nothing to reload (no --scenarios or --fixtures)") }
	if src := m.Sources(); len(src.Scenarios)+len(src.Fixtures) > 0 {
		reload := func(next *scenarios.Set, err error) { applyScenarios(log, h, next, err) }
		wg.Add(1)
		go func() { defer wg.Done(); scenarios.WatchSources(ctx, src, reloadPoll, reload) }()
		reloadNow = func() {
			log.Info("SIGHUP: reloading scenarios and fixtures")
			reload(scenarios.LoadWith(src))
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	wg.Add(1)
	go func() { defer wg.Done(); onSIGHUP(ctx, hup, reloadNow) }()

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return exitError{code: 1, err: fmt.Errorf("listen: %w", err)}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	logStartup(log, c, ln.Addr(), set)
	log.Info("webhooks", "targets", h.WebhookPolicy().Describe(), "jwks", "http://"+reachable(ln.Addr())+"/.well-known/jwks.json")
	if openAdmin(c, ln.Addr()) {
		log.Warn("listening beyond loopback without --admin-token: anyone who can reach this port can change the mock's behaviour through /_mock/", "addr", ln.Addr().String())
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: letting in-flight requests finish", "shutdown_timeout", c.ShutdownTimeout.String())
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancelShutdown()
	err = srv.Shutdown(shutdownCtx)
	<-errc // Serve has returned
	if err != nil {
		srv.Close() // cut off what is left
		log.Error("shutdown: requests still in flight were cut off", "shutdown_timeout", c.ShutdownTimeout.String())
		return fmt.Errorf("shutdown: in-flight requests cut off after --shutdown-timeout %s", c.ShutdownTimeout)
	}
	log.Info("shut down: every request finished")
	return nil
}

// reloadPoll is how often scenario files are checked: a saved change is
// served within two polls, well under a second.
const reloadPoll = 200 * time.Millisecond

// applyScenarios serves a reloaded scenario set, or logs why it cannot and
// keeps the last good one: nothing a user wrote is half-applied.
func applyScenarios(log *slog.Logger, h *handlers.Server, next *scenarios.Set, err error) {
	if err != nil {
		problems := strings.Split(err.Error(), "\n")
		log.Error("scenarios not reloaded: the last good set keeps serving", "problems", len(problems))
		for _, p := range problems {
			log.Error("scenario problem", "at", p)
		}
		return
	}
	changes := scenarios.Diff(h.Scenarios(), next)
	h.SetScenarios(next)
	if len(changes) == 0 {
		log.Info("scenarios reloaded: no change in behaviour")
		return
	}
	log.Info("scenarios reloaded", "changes", strings.Join(changes, "; "))
}

// onSIGHUP calls f on every signal from hup until ctx is done. The caller
// subscribes hup before it starts serving, so no SIGHUP can arrive unhandled.
func onSIGHUP(ctx context.Context, hup <-chan os.Signal, f func()) {
	for {
		select {
		case <-hup:
			f()
		case <-ctx.Done():
			return
		}
	}
}

// validate is "moneykit-mock validate [--fixtures PATH]... PATH...": it checks
// scenario and persona files exactly as start-up would, prints every problem
// as file:line:col, and exits 2 if there is any, so CI can check files before
// they ship.
func validate(args []string, stdout, out io.Writer) error {
	const usage = "usage: moneykit-mock validate [--fixtures PATH]... PATH... (scenario and persona files or directories)"
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var src scenarios.Sources
	fs.Func("fixtures", "persona file or directory", func(p string) error { src.Fixtures = append(src.Fixtures, p); return nil })
	if err := fs.Parse(args); err != nil {
		return exitError{code: 2, err: fmt.Errorf("%v\n%s", err, usage)}
	}
	src.Scenarios = fs.Args()
	if len(src.Scenarios)+len(src.Fixtures) == 0 {
		return exitError{code: 2, err: errors.New(usage)}
	}
	set, err := scenarios.LoadWith(src)
	if err != nil {
		fmt.Fprintln(out, err)
		return exitError{code: 2}
	}
	fmt.Fprintf(stdout, "ok: %s valid (%d entries and %d personas with the embedded ones)\n",
		strings.Join(append(src.Fixtures, src.Scenarios...), ", "), set.Len(), len(set.Personas()))
	return nil
}

// logStartup says where the mock listens, with what, and how to call it.
func logStartup(log *slog.Logger, c config.Config, addr net.Addr, set *scenarios.Set) {
	base := "http://" + reachable(addr)
	auth := "-H 'Authorization: Bearer " + c.StaticToken + "'"
	if c.StaticToken == "" {
		auth = "-H 'X-Client-Id: " + c.ClientID + "' -H 'X-Client-Secret: " + c.ClientSecret + "'"
	}
	log.Info("moneykit-mock listening",
		"addr", base,
		"seed", c.Seed,
		"client_id", c.ClientID,
		"client_secret", c.ClientSecret,
		"static_token", c.StaticToken,
		"token_ttl", c.TokenTTL.String(),
		"clock", clockFlag{&c.Clock}.String(),
		"scenarios", scenarioSource(pathFlag{&c.ScenarioPaths}.String(), set),
		"personas", strings.Join(set.Personas(), ","),
		"curl", "curl "+auth+" "+base+"/links/mk_demo/identity",
	)
}

func scenarioSource(path string, set *scenarios.Set) string {
	if path == "" {
		return fmt.Sprintf("embedded catalogue (%d entries; GET /_mock/scenarios lists them)", set.Len())
	}
	return fmt.Sprintf("%s over the embedded catalogue (%d entries)", path, set.Len())
}

// openAdmin reports whether anyone beyond this machine could reach the /_mock/
// routes: the mock listens beyond loopback and no admin token guards them.
func openAdmin(c config.Config, addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return c.AdminToken == "" && !(ok && tcp.IP.IsLoopback())
}

// reachable turns a listening address into one a curl on the same machine can
// use: a wildcard host becomes localhost.
func reachable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

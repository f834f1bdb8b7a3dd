package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		env   map[string]string
		check func(config.Config) bool
	}{
		{"defaults", nil, nil, func(c config.Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.Seed == 1 && c.StaticToken == "sandbox-token" && c.TokenTTL == time.Hour && c.LogFormat == "text" && strings.Join(c.CORSOrigins, ",") == "*"
		}},
		{"env twins", nil, map[string]string{"MOCK_ADDR": ":9000", "MOCK_SEED": "42", "MOCK_CLIENT_ID": "id", "MOCK_CLIENT_SECRET": "s", "MOCK_TOKEN_TTL": "5m", "MOCK_LOG_FORMAT": "json"}, func(c config.Config) bool {
			return c.Addr == ":9000" && c.Seed == 42 && c.ClientID == "id" && c.ClientSecret == "s" && c.TokenTTL == 5*time.Minute && c.LogFormat == "json"
		}},
		{"a flag beats its env twin", []string{"--seed", "7"}, map[string]string{"MOCK_SEED": "42"}, func(c config.Config) bool { return c.Seed == 7 }},
		{"PORT alone", nil, map[string]string{"PORT": "3000"}, func(c config.Config) bool { return c.Addr == ":3000" }},
		{"MOCK_ADDR beats PORT", nil, map[string]string{"PORT": "3000", "MOCK_ADDR": "127.0.0.1:1"}, func(c config.Config) bool { return c.Addr == "127.0.0.1:1" }},
		{"--addr beats PORT", []string{"--addr", "127.0.0.1:2"}, map[string]string{"PORT": "3000"}, func(c config.Config) bool { return c.Addr == "127.0.0.1:2" }},
		{"empty MOCK_STATIC_TOKEN disables it", nil, map[string]string{"MOCK_STATIC_TOKEN": ""}, func(c config.Config) bool { return c.StaticToken == "" }},
		{"empty --static-token disables it", []string{"--static-token="}, nil, func(c config.Config) bool { return c.StaticToken == "" }},
		{"shutdown drain outlasts the longest scenario delay", nil, nil, func(c config.Config) bool { return c.ShutdownTimeout == 65*time.Second }},
		{"shutdown drain from its env twin", nil, map[string]string{"MOCK_SHUTDOWN_TIMEOUT": "2s"}, func(c config.Config) bool { return c.ShutdownTimeout == 2*time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("config = %+v", c)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"help", []string{"--help"}, nil, 0, ""},
		{"bad env value names the variable", nil, map[string]string{"MOCK_SEED": "abc"}, 2, `MOCK_SEED="abc"`},
		{"bad log format", []string{"--log-format", "xml"}, nil, 2, `log format "xml"`},
		{"every problem at once", nil, map[string]string{"MOCK_TOKEN_TTL": "-1s", "MOCK_LOG_FORMAT": "yaml"}, 2, "token ttl -1s: must be positive"},
		{"stray argument", []string{"serve"}, nil, 2, `unexpected argument "serve"`},
		{"bad clock", []string{"--clock", "tomorrow"}, nil, 2, `clock "tomorrow": want real or an RFC 3339 time`},
		{"bad journal size", []string{"--journal-size", "0"}, nil, 2, "journal size 0: must be at least 1"},
		{"bad shutdown timeout", []string{"--shutdown-timeout", "-1s"}, nil, 2, "shutdown timeout -1s: must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig(tc.args, env(tc.env), io.Discard)
			var ee exitError
			if !errors.As(err, &ee) || ee.code != tc.code {
				t.Fatalf("err = %v, want exit %d", err, tc.code)
			}
			if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	parseConfig([]string{"--help"}, env(nil), &out)
	for _, want := range []string{"-addr", "127.0.0.1:8080", "-seed", "-client-id", "mock_client_id", "-client-secret", "-static-token", "sandbox-token", "-token-ttl", "1h0m0s", "-log-format", "MOCK_SEED", "-memory-mb"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
}

// syncBuffer is a bytes.Buffer the server's logger and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts the real program on a free loopback port, reads the address
// and the curl line from its start-up log, makes one request and shuts it down.
func TestRun(t *testing.T) {
	p := startRun(t, "--seed", "3")
	for _, want := range []string{"seed=3", "client_id=mock_client_id", "client_secret=mock_client_secret", "static_token=sandbox-token",
		`curl="curl -H 'Authorization: Bearer sandbox-token' ` + p.base + `/links/mk_demo/identity"`} {
		if !strings.Contains(p.logs.String(), want) {
			t.Errorf("start-up log lacks %q:\n%s", want, p.logs.String())
		}
	}
	if code, body := fetch(t, p.base+"/links/mk_demo/identity"); code != 200 || !strings.Contains(body, `"link_id":"mk_demo"`) {
		t.Errorf("GET identity: %d %s", code, body)
	}
	if err := p.stop(); err != nil {
		t.Errorf("run: %v", err)
	}
	if !strings.Contains(p.logs.String(), "status=200") {
		t.Errorf("the request was not logged:\n%s", p.logs.String())
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

const brokenScenario = "links:\n  mk_bad:\n    error: delted\n    evry: 3\n"

var brokenScenarioLines = []string{
	`:3:12: unknown error kind "delted" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)`,
	`:4:5: unknown key "evry" in entry "mk_bad"`,
}

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	writeFile(t, good, "links:\n  mk_mine:\n    error: deleted\n")
	writeFile(t, bad, brokenScenario)

	var out bytes.Buffer
	if err := run(context.Background(), []string{"validate", good}, env(nil), &out); err != nil {
		t.Fatalf("validate good: %v\n%s", err, out.String())
	}
	if !strings.HasPrefix(out.String(), "ok: "+good+" valid (") {
		t.Errorf("validate good printed %q", out.String())
	}

	out.Reset()
	err := run(context.Background(), []string{"validate", good, bad}, env(nil), &out)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("validate bad: err = %v, want exit 2", err)
	}
	want := bad + brokenScenarioLines[0] + "\n" + bad + brokenScenarioLines[1] + "\n"
	if out.String() != want {
		t.Errorf("validate bad printed\n%s\nwant\n%s", out.String(), want)
	}

	if err := run(context.Background(), []string{"validate"}, env(nil), io.Discard); !errors.As(err, &ee) || ee.code != 2 {
		t.Errorf("validate without paths: %v, want exit 2", err)
	}
}

func TestStartRefusesBadScenarios(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, bad, brokenScenario)
	err := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--scenarios", bad}, env(nil), io.Discard)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("err = %v, want exit 2", err)
	}
	for _, line := range brokenScenarioLines {
		if !strings.Contains(err.Error(), bad+line) {
			t.Errorf("error lacks %q:\n%v", bad+line, err)
		}
	}
}

// program is the mock started by startRun.
type program struct {
	base string      // http://127.0.0.1:PORT
	logs *syncBuffer // everything it logged
	// stop ends it and returns what run returned; the test's clean-up
	// calls it too, so calling it is optional.
	stop func() error
}

// startRun runs the program on a free loopback port, with args after the
// address, and waits for the address in its start-up log.
func startRun(t *testing.T, args ...string) *program {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &program{logs: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), env(nil), p.logs) }()
	var once sync.Once
	var runErr error
	p.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(5 * time.Second):
				runErr = errors.New("run did not return within 5s of cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Error(err)
		}
	})
	// addr=http://... in text logs, "addr":"http://..." in JSON ones.
	addrRE := regexp.MustCompile(`addr"?[=:]"?(http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(p.logs.String()); m != nil {
			p.base = m[1]
			return p
		}
	}
	t.Fatalf("no address in the start-up log:\n%s", p.logs.String())
	return nil
}

// fetch is an authenticated GET: the status and the body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer sandbox-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func status(t *testing.T, url string) int {
	t.Helper()
	code, _ := fetch(t, url)
	return code
}

func body(t *testing.T, url string) string {
	t.Helper()
	_, b := fetch(t, url)
	return b
}

// waitStatus polls until url answers want, for at most the one second a
// saved change may take to be served.
func waitStatus(t *testing.T, url string, want int) {
	t.Helper()
	got := 0
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = status(t, url); got == want {
			return
		}
	}
	t.Fatalf("%s: status %d, want %d within 1s", url, got, want)
}

func TestScenarioReload(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.yaml")
	writeFile(t, file, "links:\n  mk_mine:\n    error: deleted\n")
	p := startRun(t, "--scenarios", dir)
	url, logs := p.base+"/links/mk_mine/identity", p.logs
	if got := status(t, url); got != 410 {
		t.Fatalf("before the edit: %d, want 410", got)
	}

	writeFile(t, file, "links:\n  mk_mine:\n    error: not_found\n")
	waitStatus(t, url, 404)

	// A bad edit is logged with its position; the last good set keeps serving.
	writeFile(t, file, brokenScenario)
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logs.String(), "scenarios not reloaded") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, at := range []string{file + ":3:12: unknown error kind", file + ":4:5: unknown key"} {
		if !strings.Contains(logs.String(), `at="`+at) {
			t.Errorf("the bad edit was not logged with its position %q:\n%s", at, logs.String())
		}
	}
	if got := status(t, url); got != 404 {
		t.Errorf("after a bad edit: %d, want the last good answer 404", got)
	}
	if !strings.Contains(logs.String(), `changes="changed mk_mine (now not_found)"`) {
		t.Errorf("the log does not say what changed:\n%s", logs.String())
	}
}

func TestFixturesReload(t *testing.T) {
	dir := t.TempDir()
	personas, links := filepath.Join(dir, "personas.yaml"), filepath.Join(dir, "links.yaml")
	writeFile(t, personas, "personas:\n  ada:\n    owners:\n      - names: [Ada Lovelace]\n")
	writeFile(t, links, "links:\n  mk_ada:\n    fixture: ada\n")
	p := startRun(t, "--scenarios", links, "--fixtures", personas)
	base, logs := p.base, p.logs
	url := base + "/links/mk_ada/identity"
	if b := body(t, url); !strings.Contains(b, `"names":["Ada Lovelace"]`) {
		t.Fatalf("the persona is not served: %s", b)
	}
	writeFile(t, personas, "personas:\n  ada:\n    owners:\n      - names: [Ada King]\n")
	deadline := time.Now().Add(time.Second)
	for !strings.Contains(body(t, url), `"names":["Ada King"]`) {
		if time.Now().After(deadline) {
			t.Fatalf("the persona edit was not served within 1s:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Logs are flushed every 100ms.
	for deadline := time.Now().Add(time.Second); !strings.Contains(logs.String(), "changed persona ada"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("the log does not say the persona changed:\n%s", logs.String())
			break
		}
	}
	// The embedded personas are there too.
	if b := body(t, base+"/links/mk_no_phone/identity"); !strings.Contains(b, `"phone_numbers":[]`) {
		t.Errorf("mk_no_phone: %s", b)
	}
}

func TestValidateFixtures(t *testing.T) {
	dir := t.TempDir()
	personas, links := filepath.Join(dir, "personas.yaml"), filepath.Join(dir, "links.yaml")
	writeFile(t, personas, "personas:\n  ada:\n    owners:\n      - names: [Ada Lovelace]\n")
	writeFile(t, links, "links:\n  mk_ada:\n    fixture: ada\n  mk_bob:\n    fixture: bob\n")
	var out bytes.Buffer
	err := run(context.Background(), []string{"validate", "--fixtures", personas, links}, env(nil), &out)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("err = %v, want exit 2", err)
	}
	want := links + `:5:14: fixture "bob" is not a persona (known: ada, business, household, international, no_phone)` + "\n"
	if out.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", out.String(), want)
	}
	writeFile(t, links, "links:\n  mk_ada:\n    fixture: ada\n")
	out.Reset()
	if err := run(context.Background(), []string{"validate", "--fixtures", personas, links}, env(nil), &out); err != nil {
		t.Errorf("valid files: %v\n%s", err, out.String())
	}
}

// TestOpenAdminWarning checks when start-up warns that /_mock/ is open to
// the network. It judges addresses without binding any: tests bind only
// loopback.
func TestOpenAdminWarning(t *testing.T) {
	for _, tc := range []struct {
		ip    string
		token string
		warn  bool
	}{
		{"127.0.0.1", "", false},
		{"::1", "", false},
		{"0.0.0.0", "", true},
		{"::", "", true},
		{"192.0.2.7", "", true},
		{"0.0.0.0", "t", false},
	} {
		addr := &net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 8080}
		if got := openAdmin(config.Config{AdminToken: tc.token}, addr); got != tc.warn {
			t.Errorf("%s with admin token %q: warn = %v, want %v", tc.ip, tc.token, got, tc.warn)
		}
	}
	// And the warning is in the log when it applies; this run is on loopback.
	p := startRun(t)
	p.stop()
	if strings.Contains(p.logs.String(), "without --admin-token") {
		t.Errorf("warned on loopback:\n%s", p.logs.String())
	}
}

// TestSIGHUPReloads edits a scenario file and sends SIGHUP: the mock reloads
// at once and says so. The test holds its own SIGHUP subscription throughout,
// so that a signal arriving before the mock subscribes cannot end the test
// process (SIGHUP's default action).
func TestSIGHUPReloads(t *testing.T) {
	hold := make(chan os.Signal, 8)
	signal.Notify(hold, syscall.SIGHUP)
	defer signal.Stop(hold)

	file := filepath.Join(t.TempDir(), "s.yaml")
	writeFile(t, file, "links:\n  mk_hup:\n    error: deleted\n")
	p := startRun(t, "--scenarios", file)
	url, logs := p.base+"/links/mk_hup/identity", p.logs
	if got := status(t, url); got != 410 {
		t.Fatalf("before: %d", got)
	}
	writeFile(t, file, "links:\n  mk_hup:\n    error: forbidden\n")
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(logs.String(), "SIGHUP: reloading") {
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP was not handled:\n%s", logs.String())
		}
		syscall.Kill(os.Getpid(), syscall.SIGHUP)
		time.Sleep(50 * time.Millisecond)
	}
	waitStatus(t, url, 403)
}

// TestJSONLogs checks that --log-format json writes one JSON object a line,
// the start-up line and the request lines alike.
func TestJSONLogs(t *testing.T) {
	p := startRun(t, "--log-format", "json")
	fetch(t, p.base+"/links/mk_demo/identity")
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(p.logs.String()), "\n") {
		var rec struct {
			Msg    string `json:"msg"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		msgs = append(msgs, rec.Msg)
	}
	if len(msgs) < 3 || msgs[0] != "moneykit-mock listening" || !slices.Contains(msgs, "request") {
		t.Errorf("log messages = %q", msgs)
	}
}

// TestTextLogs pins the exact form of a request line in the default text
// log: its fields, their order and their quoting.
func TestTextLogs(t *testing.T) {
	p := startRun(t)
	fetch(t, p.base+"/links/mk_demo/identity")
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	lineRE := regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d) level=INFO msg=request ` +
		`request_id=req_[0-9a-f]{24} method=GET path=/links/mk_demo/identity link_id=mk_demo scenario="" status=200 duration=\d+\.\d{3}ms$`)
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(p.logs.String()), "\n") {
		if strings.Contains(line, "msg=request ") {
			found = true
			if !lineRE.MatchString(line) {
				t.Errorf("request line = %q, want it to match %s", line, lineRE)
			}
		}
	}
	if !found {
		t.Errorf("no request line in:\n%s", p.logs.String())
	}
}

// TestJSONRequestLog pins the keys and types of a request line in the JSON
// log.
func TestJSONRequestLog(t *testing.T) {
	p := startRun(t, "--log-format", "json")
	fetch(t, p.base+"/links/mk_demo/identity")
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`^\{"time":"[^"]+","level":"INFO","msg":"request","request_id":"req_[0-9a-f]{24}","method":"GET",` +
		`"path":"/links/mk_demo/identity","link_id":"mk_demo","scenario":"","status":200,"duration":"\d+\.\d{3}ms"\}$`)
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(p.logs.String()), "\n") {
		if strings.Contains(line, `"msg":"request"`) {
			found = true
			if !keyRE.MatchString(line) {
				t.Errorf("request line = %q, want it to match %s", line, keyRE)
			}
		}
	}
	if !found {
		t.Errorf("no request line in:\n%s", p.logs.String())
	}
}

// TestStartupErrorsListEveryProblem: every bad flag and environment value is
// named with what it should be, without the usage text and without knock-on
// problems from a value that failed to parse.
func TestStartupErrorsListEveryProblem(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"--seed", "abc", "--token-ttl", "soon", "--nope", "--journal-size", "0"},
		env(map[string]string{"MOCK_REFRESH_DELAY": "later", "MOCK_NEWER_ENUMS": "maybe"}), &out)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("err = %v, want exit 2", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`--seed="abc": want a whole number`,
		`--token-ttl="soon": want a duration such as 30s or 15m`,
		`flag provided but not defined: -nope`,
		`journal size 0: must be at least 1`,
		`MOCK_REFRESH_DELAY="later": want a duration such as 30s or 15m`,
		`MOCK_NEWER_ENUMS="maybe": want true or false`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors lack %q:\n%s", want, msg)
		}
	}
	for _, knockOn := range []string{"token ttl 0s", "refresh delay 0s", "parse error"} {
		if strings.Contains(msg, knockOn) {
			t.Errorf("errors have %q:\n%s", knockOn, msg)
		}
	}
	if out.Len() != 0 {
		t.Errorf("printed %q; problems go only in the error, without the usage text", out.String())
	}
}

// TestValidateOKOnStdout: validate's ok line is the command's result, on
// stdout; problems go to stderr.
func TestValidateOKOnStdout(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good.yaml")
	writeFile(t, good, "links:\n  mk_x: {error: deleted}\n")
	var stdout, stderr bytes.Buffer
	if err := runWith(context.Background(), []string{"validate", good}, env(nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "ok: ") || stderr.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

// TestSignalStopsLoading: a signal while big scenario files load stops
// start-up at once instead of waiting for the load (about a second for a
// file near the 4 MiB bound; the test cancels after 50 ms).
func TestSignalStopsLoading(t *testing.T) {
	var y strings.Builder
	y.WriteString("links:\n")
	for i := range 45_000 {
		fmt.Fprintf(&y, "  mk_big_%06d: {error: deleted, every: 2, message: \"gone for test number %d\"}\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	writeFile(t, path, y.String())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := run(ctx, []string{"--addr", "127.0.0.1:0", "--scenarios", path}, env(nil), io.Discard)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), "stopped while loading") {
		t.Fatalf("err = %v (after %v), want exit 1, stopped while loading", err, time.Since(start))
	}
}

// TestREADMEListsEveryErrorKind: the README's catalogue names every error
// kind with the status and error_code of scenarios' one table.
func TestREADMEListsEveryErrorKind(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range scenarios.Kinds() {
		want := fmt.Sprintf("%d `%s`", k.Status, k.Code)
		if !strings.Contains(string(b), want) {
			t.Errorf("README lacks %q for error kind %s", want, k.Kind)
		}
	}
}

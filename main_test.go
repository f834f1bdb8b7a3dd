package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		env   map[string]string
		check func(config) bool
	}{
		{"defaults", nil, nil, func(c config) bool {
			return c.addr == "127.0.0.1:8080" && c.seed == 1 && c.staticToken == "sandbox-token" && c.tokenTTL == time.Hour && c.logFormat == "text" && c.corsOrigins == "*"
		}},
		{"env twins", nil, map[string]string{"MOCK_ADDR": ":9000", "MOCK_SEED": "42", "MOCK_CLIENT_ID": "id", "MOCK_CLIENT_SECRET": "s", "MOCK_TOKEN_TTL": "5m", "MOCK_LOG_FORMAT": "json"}, func(c config) bool {
			return c.addr == ":9000" && c.seed == 42 && c.clientID == "id" && c.clientSecret == "s" && c.tokenTTL == 5*time.Minute && c.logFormat == "json"
		}},
		{"a flag beats its env twin", []string{"--seed", "7"}, map[string]string{"MOCK_SEED": "42"}, func(c config) bool { return c.seed == 7 }},
		{"PORT alone", nil, map[string]string{"PORT": "3000"}, func(c config) bool { return c.addr == ":3000" }},
		{"MOCK_ADDR beats PORT", nil, map[string]string{"PORT": "3000", "MOCK_ADDR": "127.0.0.1:1"}, func(c config) bool { return c.addr == "127.0.0.1:1" }},
		{"--addr beats PORT", []string{"--addr", "127.0.0.1:2"}, map[string]string{"PORT": "3000"}, func(c config) bool { return c.addr == "127.0.0.1:2" }},
		{"empty MOCK_STATIC_TOKEN disables it", nil, map[string]string{"MOCK_STATIC_TOKEN": ""}, func(c config) bool { return c.staticToken == "" }},
		{"empty --static-token disables it", []string{"--static-token="}, nil, func(c config) bool { return c.staticToken == "" }},
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
	for _, want := range []string{"-addr", "127.0.0.1:8080", "-seed", "-client-id", "mock_client_id", "-client-secret", "-static-token", "sandbox-token", "-token-ttl", "1h0m0s", "-log-format", "MOCK_SEED"} {
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--seed", "3"}, env(nil), &logs) }()

	addrRE := regexp.MustCompile(`addr=(http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(5 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no address in the start-up log:\n%s", logs.String())
	}
	for _, want := range []string{"seed=3", "client_id=mock_client_id", "client_secret=mock_client_secret", "static_token=sandbox-token",
		`curl="curl -H 'Authorization: Bearer sandbox-token' ` + base + `/links/mk_demo/identity"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("start-up log lacks %q:\n%s", want, logs.String())
		}
	}

	req, _ := http.NewRequest("GET", base+"/links/mk_demo/identity", nil)
	req.Header.Set("Authorization", "Bearer sandbox-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"link_id":"mk_demo"`)) {
		t.Errorf("GET identity: %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(logs.String(), "status=200") {
		t.Errorf("the request was not logged:\n%s", logs.String())
	}
}

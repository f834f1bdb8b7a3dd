package handlers_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/apicheck"
	"github.com/moneykit-mock/moneykit-mock/state"
)

var mockOnlyCodes = map[string]bool{
	handlers.CodeRouteNotFound:    true,
	handlers.CodeMethodNotAllowed: true,
	handlers.CodeInternal:         true,
}

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

const (
	testClientID     = "test_client"
	testClientSecret = "test_secret"
	staticToken      = "sandbox-token"
)

// newFakeClock is the clock tests move by hand, so expiry is tested
// without sleeping: the mock's one clock, pinned.
func newFakeClock() *state.Clock {
	return state.NewPinnedClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
}

// newServer builds the real handler with test credentials; fn may adjust
// its dependencies and their config.
func newServer(t testing.TB, fn func(*handlers.Deps)) http.Handler {
	t.Helper()
	d := handlers.Deps{
		Config: config.Config{
			Seed:         1,
			ClientID:     testClientID,
			ClientSecret: testClientSecret,
			StaticToken:  staticToken,
			CORSOrigins:  []string{"*"},
		},
		Clock: newFakeClock(),
	}
	if fn != nil {
		fn(&d)
	}
	return handlers.New(d)
}

// request is one call to the handler.
type request struct {
	method, path string
	header       map[string]string
	body         string
}

func do(t testing.TB, h http.Handler, req request) *httptest.ResponseRecorder {
	t.Helper()
	if req.method == "" {
		req.method = http.MethodGet
	}
	var body io.Reader
	if req.body != "" {
		body = bytes.NewBufferString(req.body)
	}
	r := httptest.NewRequest(req.method, req.path, body)
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// get is an authenticated GET with the static token.
func get(t testing.TB, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, request{path: path, header: map[string]string{"Authorization": "Bearer " + staticToken}})
}

// checkGolden compares a JSON body with testdata/<name>.json. The golden file is
// indented for review; the body itself must be compact, so comparing the
// indented forms compares the exact bytes.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got)
	}
	if !bytes.Equal(compact.Bytes(), got) {
		t.Errorf("body is not compact JSON")
	}
	var indented bytes.Buffer
	json.Indent(&indented, got, "", "  ")
	indented.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./handlers -update to create it)", err)
	}
	if !bytes.Equal(indented.Bytes(), want) {
		t.Errorf("body differs from %s (review, then go test ./handlers -update):\n got: %s", path, indented.String())
	}
}

// wantError checks an error answer's status and its exact envelope.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, wantBody string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status = %d, want %d", rec.Code, status)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if got := rec.Body.String(); got != wantBody {
		t.Errorf("body =\n%s\nwant\n%s", got, wantBody)
	}
	var env struct {
		Code string `json:"error_code"`
	}
	json.Unmarshal(rec.Body.Bytes(), &env)
	for _, p := range apicheck.Error(rec.Body.Bytes(), env.Code) {
		// MoneyKit documents no code for these three; the README lists them as the mock's choice.
		if mockOnlyCodes[env.Code] && strings.HasSuffix(p, "is not a documented MoneyKit error code") {
			continue
		}
		t.Errorf("envelope: %s", p)
	}
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, b)
	}
	return v
}

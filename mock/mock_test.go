package mock_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/mock"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

var pinned = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func newMock(t *testing.T, o mock.Options) *mock.Mock {
	t.Helper()
	m, err := mock.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// do sends one request through m and returns the status and body.
func do(t *testing.T, m http.Handler, method, path, token string, body io.Reader) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestNewBadDocuments(t *testing.T) {
	m, err := mock.New(mock.Options{
		Scenarios: []byte("links:\n  mk_bad:\n    error: delted\n    evry: 3\n"),
		Fixtures:  []byte("personas:\n  ada: {owners: 1}\n"),
	})
	if m != nil {
		t.Error("New returned a Mock with an error")
	}
	var errs *scenarios.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v (%T), want *scenarios.Errors", err, err)
	}
	want := strings.Join([]string{
		`inline-fixtures.yaml:2:17: owners must be a sequence, got 1`,
		`inline-scenarios.yaml:3:12: unknown error kind "delted" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)`,
		`inline-scenarios.yaml:4:5: unknown key "evry" in entry "mk_bad"`,
	}, "\n")
	if got := err.Error(); got != want {
		t.Errorf("error:\n%s\nwant\n%s", got, want)
	}

	// Inline documents come after the files of the paths, under the same rules.
	path := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(path, []byte("links:\n  mk_x: {error: deleted}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = mock.New(mock.Options{ScenarioPaths: []string{path}, Scenarios: []byte("links:\n  mk_x: {error: not_found}\n")})
	if want := `inline-scenarios.yaml:2:3: pattern "mk_x" is already defined at ` + path + `:2:3`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// TestSameSeedSameBytes builds the mock twice: the same seed answers with
// the same bytes, the zero Seed is seed 1, and another seed differs.
func TestSameSeedSameBytes(t *testing.T) {
	get := func(o mock.Options) string {
		t.Helper()
		o.Clock = pinned
		code, body := do(t, newMock(t, o), "GET", "/links/mk_demo/identity", mock.StaticToken, nil)
		if code != 200 {
			t.Fatalf("%+v: status %d: %s", o, code, body)
		}
		return body
	}
	a, b := get(mock.Options{Seed: 7}), get(mock.Options{Seed: 7})
	if a != b {
		t.Errorf("seed 7 twice gave different bytes:\n%s\n%s", a, b)
	}
	if get(mock.Options{}) != get(mock.Options{Seed: 1}) {
		t.Error("the zero Seed is not seed 1")
	}
	if get(mock.Options{Seed: 8}) == a {
		t.Error("seeds 7 and 8 gave the same bytes")
	}
}

func TestFixturesServed(t *testing.T) {
	m := newMock(t, mock.Options{
		Fixtures:  []byte("personas:\n  ada:\n    owners:\n      - names: [Ada Lovelace]\n"),
		Scenarios: []byte("links:\n  mk_ada: {fixture: ada}\n"),
	})
	code, body := do(t, m, "GET", "/links/mk_ada/identity", mock.StaticToken, nil)
	if code != 200 || !strings.Contains(body, `"names":["Ada Lovelace"]`) {
		t.Errorf("GET mk_ada: %d %s", code, body)
	}
	// The embedded personas are still there.
	if code, body := do(t, m, "GET", "/links/mk_no_phone/identity", mock.StaticToken, nil); code != 200 || !strings.Contains(body, `"phone_numbers":[]`) {
		t.Errorf("GET mk_no_phone: %d %s", code, body)
	}
	// GET /_mock/scenarios says where the entry came from.
	if _, body := do(t, m, "GET", "/_mock/scenarios", "", nil); !strings.Contains(body, mock.InlineScenariosName) {
		t.Errorf("GET /_mock/scenarios does not name %s: %s", mock.InlineScenariosName, body)
	}
}

// TestClockExpiresTokens issues a token, moves the clock past its lifetime
// from the test, and sees it refused as expired.
func TestClockExpiresTokens(t *testing.T) {
	m := newMock(t, mock.Options{Clock: pinned})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {mock.DefaultClientID}, "client_secret": {mock.DefaultClientSecret}}
	code, body := do(t, m, "POST", "/auth/token", "", strings.NewReader(form.Encode()))
	if code != 201 {
		t.Fatalf("POST /auth/token: %d %s", code, body)
	}
	_, token, _ := strings.Cut(body, `"access_token":"`)
	token, _, _ = strings.Cut(token, `"`)

	if code, body := do(t, m, "GET", "/links/mk_demo/identity", token, nil); code != 200 {
		t.Fatalf("with a fresh token: %d %s", code, body)
	}
	if got := m.Clock().Advance(time.Hour + time.Second); !got.Equal(pinned.Add(time.Hour + time.Second)) {
		t.Errorf("Advance = %v", got)
	}
	code, body = do(t, m, "GET", "/links/mk_demo/identity", token, nil)
	if code != 401 || !strings.Contains(body, `"error_code":"api_error.auth.expired_access_token"`) {
		t.Errorf("after the TTL: %d %s, want 401 api_error.auth.expired_access_token", code, body)
	}
	// The static token never expires.
	if code, _ := do(t, m, "GET", "/links/mk_demo/identity", mock.StaticToken, nil); code != 200 {
		t.Errorf("static token after the TTL: %d", code)
	}
}

func TestStaticToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     mock.Options
		token string
		want  int
	}{
		{"default", mock.Options{}, mock.StaticToken, 200},
		{"custom", mock.Options{StaticToken: "mine"}, "mine", 200},
		{"custom replaces the default", mock.Options{StaticToken: "mine"}, mock.StaticToken, 401},
		{"off", mock.Options{NoStaticToken: true}, mock.StaticToken, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := do(t, newMock(t, tc.o), "GET", "/links/mk_demo", tc.token, nil); code != tc.want {
				t.Errorf("status %d, want %d: %s", code, tc.want, body)
			}
		})
	}
}

// TestMocksAreSeparate checks that two Mocks share no state: a token of one
// is not known to the other's clock, and moving one clock leaves the other.
func TestMocksAreSeparate(t *testing.T) {
	a, b := newMock(t, mock.Options{Clock: pinned}), newMock(t, mock.Options{Clock: pinned})
	a.Clock().Advance(time.Hour)
	if !b.Clock().Now().Equal(pinned) {
		t.Errorf("moving one Mock's clock moved the other's to %v", b.Clock().Now())
	}
	_, ca := do(t, a, "GET", "/_mock/clock", "", nil)
	_, cb := do(t, b, "GET", "/_mock/clock", "", nil)
	if ca == cb || !bytes.Contains([]byte(ca), []byte("2025-01-02T04:04:05")) {
		t.Errorf("GET /_mock/clock: %s and %s", ca, cb)
	}
}

// TestWebhookKeys: the signing key comes from the seed, or from a PEM file
// (--webhook-key); rotation serves two keys. The JWKS route shows them.
func TestWebhookKeys(t *testing.T) {
	kids := func(m *mock.Mock) []string {
		t.Helper()
		code, body := do(t, m, "GET", "/.well-known/jwks.json", "", nil)
		if code != 200 {
			t.Fatalf("jwks: %d %s", code, body)
		}
		var set struct {
			Keys []struct {
				KID string `json:"kid"`
				Use string `json:"use"`
			} `json:"keys"`
		}
		if err := json.Unmarshal([]byte(body), &set); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range set.Keys {
			if k.Use != "sig" {
				t.Errorf("key %s has use %q", k.KID, k.Use)
			}
			out = append(out, k.KID)
		}
		return out
	}
	seed1 := kids(newMock(t, mock.Config{Seed: 1}))
	if len(seed1) != 1 || !slices.Equal(seed1, kids(newMock(t, mock.Config{Seed: 1}))) || slices.Equal(seed1, kids(newMock(t, mock.Config{Seed: 2}))) {
		t.Errorf("seed keys: %v", seed1)
	}
	rotated := kids(newMock(t, mock.Config{Seed: 1, WebhookRotate: true}))
	if len(rotated) != 2 || rotated[1] != seed1[0] {
		t.Errorf("rotated JWKS = %v, want a new kid then the old %s", rotated, seed1[0])
	}
	key, err := webhooks.DeriveKey(42, "from-a-file")
	if err != nil {
		t.Fatal(err)
	}
	pem, err := key.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := kids(newMock(t, mock.Config{WebhookKeyFile: path})); !slices.Equal(got, []string{key.KID()}) {
		t.Errorf("PEM key JWKS = %v, want [%s]", got, key.KID())
	}
	if _, err := mock.New(mock.Config{WebhookKeyFile: filepath.Join(t.TempDir(), "missing.pem")}); err == nil {
		t.Errorf("a missing key file was accepted")
	}
}

// TestClockOnMock: the clock's type is named in this package, and the common
// moves are methods of Mock, so a user needs no second `go doc` (issue 13).
func TestClockOnMock(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	m, err := mock.New(mock.Config{Clock: at})
	if err != nil {
		t.Fatal(err)
	}
	var c *mock.Clock = m.Clock()
	if got := m.Advance(time.Hour); !got.Equal(at.Add(time.Hour)) || !m.Now().Equal(got) || !c.Now().Equal(got) {
		t.Errorf("Advance(1h) = %v, Now = %v, want %v", got, m.Now(), at.Add(time.Hour))
	}
	if got := m.SetNow(at); !got.Equal(at) || !m.Now().Equal(at) {
		t.Errorf("SetNow = %v, Now = %v, want %v", got, m.Now(), at)
	}
}

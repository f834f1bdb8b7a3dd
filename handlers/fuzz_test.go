package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzHandler sends arbitrary methods, paths, queries, headers and bodies
// through the real router. Whatever arrives, the mock never panics, never
// answers 5xx, and every error is MoneyKit's envelope with no Go error text.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct{ method, path, query, auth, version, body string }{
		{"GET", "/links/mk_demo/identity", "account_ids=a&account_ids=b", "Bearer sandbox-token", "2023-02-18", ""},
		{"GET", "/links/mk_a%2Fb/identity", "account_ids%5B%5D=x,y", "bearer sandbox-token", "", ""},
		{"POST", "/auth/token", "", "Basic dGVzdF9jbGllbnQ6dGVzdF9zZWNyZXQ=", "", "grant_type=client_credentials&client_id=test_client&client_secret=test_secret"},
		{"POST", "/auth/token", "", "", "", "grant_type=%zz"},
		{"GET", "/links/mk_throttled/identity", "account_ids=%zz", "Bearer 00000000", "x", ""},
		{"GET", "/links/mk_bad_state_1/identity", "", "Bearer sandbox-token", "", ""},
		{"OPTIONS", "/anything", "", "", "", ""},
		{"DELETE", "/_mock/scenarios", "", "", "", "{}"},
	} {
		f.Add(seed.method, seed.path, seed.query, seed.auth, seed.version, seed.body)
	}
	h := newServer(f, nil)
	f.Fuzz(func(t *testing.T, method, path, query, auth, version, body string) {
		if !validMethod(method) {
			return // net/http's server rejects these before any handler runs
		}
		u := &url.URL{Path: "/" + strings.TrimLeft(path, "/"), RawQuery: query}
		r := httptest.NewRequest("GET", "/", strings.NewReader(body))
		r.Method, r.URL, r.RequestURI = method, u, u.RequestURI()
		r.Header.Set("Authorization", auth)
		r.Header.Set("MoneyKit-Version", version)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s: status %d: %s", method, u.Path, query, rec.Code, rec.Body)
		}
		if rec.Code < 400 || method == "HEAD" {
			return
		}
		var env map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%d body is not JSON: %q", rec.Code, rec.Body)
		}
		if code, _ := env["error_code"].(string); code == "" {
			t.Fatalf("%d body has no error_code: %s", rec.Code, rec.Body)
		}
		if msg, _ := env["error_message"].(string); msg == "" || bytes.Contains(rec.Body.Bytes(), []byte("runtime error")) {
			t.Fatalf("%d bad error_message: %s", rec.Code, rec.Body)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < '!' || c > '~' || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}

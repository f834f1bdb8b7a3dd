package handlers_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/handlers"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeExamples pins issue 13's README fixes against the real router:
// the filter example names an account mk_demo has, the token line works
// without jq, the clock example says what the default clock answers, and
// JSON bodies end without a newline, as the README says.
func TestReadmeExamples(t *testing.T) {
	doc := readme(t)
	h := newServer(t, func(d *handlers.Deps) {
		d.Config.ClientID, d.Config.ClientSecret = "mock_client_id", "mock_client_secret"
		d.Clock = nil // the default, real clock
	})

	t.Run("account filter", func(t *testing.T) {
		m := regexp.MustCompile(`'http://127\.0\.0\.1:8080(/links/mk_demo/identity\?account_ids=(acc_\w+))'`).FindStringSubmatch(doc)
		if m == nil {
			t.Fatal("README has no account_ids example on mk_demo")
		}
		rec := get(t, h, m[1])
		v := decode[struct {
			Accounts []struct {
				AccountID string `json:"account_id"`
			}
		}](t, rec.Body.Bytes())
		if rec.Code != 200 || len(v.Accounts) != 1 || v.Accounts[0].AccountID != m[2] {
			t.Errorf("GET %s = %d with %+v, want exactly %s", m[1], rec.Code, v.Accounts, m[2])
		}
	})

	t.Run("token without jq", func(t *testing.T) {
		m := regexp.MustCompile(`(?s)TOKEN=\$\(curl -s (-d .*?) http://127\.0\.0\.1:8080/auth/token \| sed -E '(s/.*?/\\1/)'\)`).FindStringSubmatch(doc)
		if m == nil {
			t.Fatal("README's TOKEN= line is not curl | sed")
		}
		form := strings.Join(regexp.MustCompile(`-d (\S+)`).FindAllString(m[1], -1), "&")
		form = strings.ReplaceAll(form, "-d ", "")
		rec := do(t, h, request{method: "POST", path: "/auth/token", body: form,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		// The sed expression, as Go's regexp: s/.*"access_token":"([^"]*)".*/\1/
		expr := strings.TrimSuffix(strings.TrimPrefix(m[2], "s/"), `/\1/`)
		tok := regexp.MustCompile(expr).FindStringSubmatch(rec.Body.String())
		if rec.Code != 201 || tok == nil || tok[1] == "" {
			t.Fatalf("token %d %s: the sed expression finds %v", rec.Code, rec.Body, tok)
		}
		if rec := do(t, h, request{path: "/links/mk_demo", header: map[string]string{"Authorization": "Bearer " + tok[1]}}); rec.Code != 200 {
			t.Errorf("with the token sed found: %d", rec.Code)
		}
	})

	t.Run("clock example", func(t *testing.T) {
		if !strings.Contains(doc, `{"advance": "90s"}' http://127.0.0.1:8080/_mock/clock    # {"now":"...","pinned":false}`) {
			t.Error(`README's clock example does not say "pinned":false`)
		}
		rec := do(t, h, request{method: "POST", path: "/_mock/clock", body: `{"advance": "90s"}`})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"pinned":false`) {
			t.Errorf("POST /_mock/clock with the default clock = %d %s", rec.Code, rec.Body)
		}
	})

	t.Run("no final newline", func(t *testing.T) {
		b := get(t, h, "/links/mk_demo").Body.Bytes()
		if len(b) == 0 || b[len(b)-1] != '}' || !strings.Contains(doc, "| A final newline | JSON bodies end with `}` and no newline") {
			t.Errorf("body ends %q; the README's answer must match", b[max(0, len(b)-3):])
		}
	})
}

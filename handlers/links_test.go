package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/apicheck"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// pinnedServer is a server on a pinned clock, with scenario YAML layered over
// the embedded catalogue when given.
func pinnedServer(t *testing.T, yaml string) http.Handler {
	t.Helper()
	set := scenarios.Default()
	if yaml != "" {
		path := filepath.Join(t.TempDir(), "scenarios.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		if set, err = scenarios.Load(path); err != nil {
			t.Fatal(err)
		}
	}
	return newServer(t, func(c *handlers.Deps) { c.Clock = state.NewPinnedClock(t0); c.Scenarios = set })
}

func post(t *testing.T, h http.Handler, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, request{method: "POST", path: path, body: body, header: map[string]string{
		"Authorization": "Bearer " + staticToken, "Content-Type": "application/json"}})
}

// linkOf returns the raw link object of an identity answer.
func linkOf(t *testing.T, identity []byte) []byte {
	t.Helper()
	return decode[struct{ Link json.RawMessage }](t, identity).Link
}

func TestGetLinkMatchesIdentity(t *testing.T) {
	h := newServer(t, nil)
	for i := range 300 {
		id := fmt.Sprintf("mk_agree_%d", i)
		if i%50 == 0 {
			id = []string{"mk_link_error", "mk_identity_error", "mk_big", "mk_no_accounts", "mk_household", "mk_business"}[i/50]
		}
		ident := get(t, h, "/links/"+id+"/identity")
		link := get(t, h, "/links/"+id)
		if link.Code != http.StatusOK {
			t.Fatalf("%s: GET link %d %s", id, link.Code, link.Body)
		}
		if !bytes.Equal(link.Body.Bytes(), linkOf(t, ident.Body.Bytes())) {
			t.Fatalf("%s: GET /links/{id} differs from the identity's link:\n%s\n%s", id, link.Body, linkOf(t, ident.Body.Bytes()))
		}
		if problems := apicheck.Link(link.Body.Bytes(), id); len(problems) > 0 {
			t.Errorf("%s: %v", id, problems)
		}
	}
}

func TestScenarioErrorsOnEveryLinkRoute(t *testing.T) {
	h := newServer(t, nil)
	const deleted = `{"error_code":"link_error.deleted","error_message":"This link was deleted at some earlier time.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`
	wantError(t, get(t, h, "/links/mk_deleted"), http.StatusGone, deleted)
	wantError(t, post(t, h, "/links/mk_deleted_7/products", `{"products":["identity"]}`), http.StatusGone, deleted)
	wantError(t, get(t, h, "/links/mk_deleted_7/identity"), http.StatusGone, deleted)
}

type productTimes struct {
	RefreshedAt     *string `json:"refreshed_at"`
	LastAttemptedAt *string `json:"last_attempted_at"`
	ErrorCode       *string `json:"error_code"`
	ErrorMessage    *string `json:"error_message"`
}

func identityProduct(t *testing.T, h http.Handler, id, product string) productTimes {
	t.Helper()
	rec := get(t, h, "/links/"+id+"/identity")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET identity: %d %s", rec.Code, rec.Body)
	}
	if problems := apicheck.Identity(rec.Body.Bytes(), id); len(problems) > 0 {
		t.Fatalf("identity invalid: %v", problems)
	}
	var body struct {
		Link struct {
			Products map[string]productTimes `json:"products"`
		} `json:"link"`
	}
	json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Link.Products[product]
}

func str(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

func at(d time.Duration) string { return t0.Add(d).Format(fixtures.TimeLayout) }

// TestRefreshFlow is the documented flow: ask for a refresh through the
// products endpoint, then poll until refreshed_at moves forward.
func TestRefreshFlow(t *testing.T) {
	h := pinnedServer(t, "")
	const id = "mk_refresh_me"
	before := identityProduct(t, h, id, "identity")

	rec := post(t, h, "/links/"+id+"/products", `{"products":["identity","transactions"]}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("POST products: %d %s", rec.Code, rec.Body)
	}
	if problems := apicheck.Link(rec.Body.Bytes(), id); len(problems) > 0 {
		t.Fatalf("the 202 body is not a link: %v", problems)
	}
	// At once: the attempt is recorded, the data is still the old data.
	for name, p := range map[string]productTimes{"202 body": decode[struct {
		Products map[string]productTimes `json:"products"`
	}](t, rec.Body.Bytes()).Products["identity"], "identity": identityProduct(t, h, id, "identity")} {
		if str(p.LastAttemptedAt) != at(0) || str(p.RefreshedAt) != str(before.RefreshedAt) {
			t.Errorf("%s right after the request: attempted %s refreshed %s, want %s and %s", name, str(p.LastAttemptedAt), str(p.RefreshedAt), at(0), str(before.RefreshedAt))
		}
	}

	advance(t, h, "2s")
	if p := identityProduct(t, h, id, "identity"); str(p.RefreshedAt) != str(before.RefreshedAt) || str(p.LastAttemptedAt) != at(0) {
		t.Errorf("2s in (refresh takes 3s): %+v", p)
	}
	advance(t, h, "1s")
	p := identityProduct(t, h, id, "identity")
	if str(p.RefreshedAt) != at(3*time.Second) || str(p.LastAttemptedAt) != at(3*time.Second) || p.ErrorCode != nil {
		t.Errorf("after the refresh: refreshed %s attempted %s error %s, want both %s", str(p.RefreshedAt), str(p.LastAttemptedAt), str(p.ErrorCode), at(3*time.Second))
	}
	if tx := identityProduct(t, h, id, "transactions"); str(tx.RefreshedAt) != at(3*time.Second) {
		t.Errorf("transactions refreshed_at = %s", str(tx.RefreshedAt))
	}
	// GET /links/{id} agrees with the identity answer during and after refreshes.
	if link, ident := get(t, h, "/links/"+id), get(t, h, "/links/"+id+"/identity"); !bytes.Equal(link.Body.Bytes(), linkOf(t, ident.Body.Bytes())) {
		t.Errorf("after a refresh, GET link and identity disagree")
	}

	// A second refresh: while it runs, refreshed_at shows the first one's end.
	post(t, h, "/links/"+id+"/products", `{"products":["identity"]}`)
	if p := identityProduct(t, h, id, "identity"); str(p.RefreshedAt) != at(3*time.Second) || str(p.LastAttemptedAt) != at(3*time.Second) {
		t.Errorf("during a second refresh: %+v", p)
	}
	// Another link is untouched, and so are this link's other products.
	if p := identityProduct(t, h, "mk_untouched", "identity"); str(p.LastAttemptedAt) == at(0) {
		t.Errorf("a refresh of one link moved another")
	}
}

func advance(t *testing.T, h http.Handler, d string) {
	t.Helper()
	rec := do(t, h, request{method: "POST", path: "/_mock/clock", body: `{"advance":"` + d + `"}`})
	if rec.Code != http.StatusOK {
		t.Fatalf("advance %s: %d %s", d, rec.Code, rec.Body)
	}
}

func TestRefreshFails(t *testing.T) {
	h := pinnedServer(t, `links:
  mk_refresh_fails:
    refresh_delay: 10s
    link:
      products:
        identity: {error_code: timeout}
`)
	const id = "mk_refresh_fails"
	before := identityProduct(t, h, id, "identity")
	if rec := post(t, h, "/links/"+id+"/products", `{"products":["identity"]}`); rec.Code != http.StatusAccepted {
		t.Fatalf("POST products: %d %s", rec.Code, rec.Body)
	}
	advance(t, h, "9s")
	if p := identityProduct(t, h, id, "identity"); str(p.LastAttemptedAt) != at(0) {
		t.Errorf("9s into a 10s refresh: %+v", p)
	}
	advance(t, h, "1s")
	p := identityProduct(t, h, id, "identity")
	if str(p.RefreshedAt) != str(before.RefreshedAt) {
		t.Errorf("a failed refresh moved refreshed_at: %s, want %s", str(p.RefreshedAt), str(before.RefreshedAt))
	}
	if str(p.LastAttemptedAt) != at(10*time.Second) || str(p.ErrorCode) != "timeout" || str(p.ErrorMessage) != "The refresh of this product failed" {
		t.Errorf("after the failed refresh: %+v", p)
	}
}

func TestRefreshAddsAProduct(t *testing.T) {
	h := pinnedServer(t, "")
	const id = "mk_no_investments_here"
	link := decode[fixtures.Link](t, get(t, h, "/links/"+id).Body.Bytes())
	if link.Products.Enrichment != nil {
		t.Fatalf("generated links never have enrichment; this one does") // the test relies on it
	}
	post(t, h, "/links/"+id+"/products", `{"products":["enrichment"]}`)
	advance(t, h, "3s")
	p := identityProduct(t, h, id, "enrichment")
	if str(p.RefreshedAt) != at(3*time.Second) {
		t.Errorf("enrichment refreshed_at = %s", str(p.RefreshedAt))
	}
	link = decode[fixtures.Link](t, get(t, h, "/links/"+id).Body.Bytes())
	for _, ap := range link.AvailableProducts {
		if ap == "enrichment" {
			t.Errorf("enrichment is still listed as available")
		}
	}
}

func TestRefreshValidation(t *testing.T) {
	h := pinnedServer(t, "")
	const prefix = `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":"https://docs.moneykit.com/api/reference/errors","validation_errors":[`
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `{"products":`, `{"location":["body"],"message":"the body must be a JSON object such as {\"products\": [\"identity\"]}","type":"json_invalid"}`},
		{"no products", `{}`, `{"location":["body","products"],"message":"Field required","type":"missing"}`},
		{"not a list", `{"products":"identity"}`, `{"location":["body","products"],"message":"Input should be a valid list","type":"list_type"}`},
		{"empty list", `{"products":[]}`, `{"location":["body","products"],"message":"List should have at least 1 item","type":"too_short"}`},
		{"unknown products, each named", `{"products":["identity","credit",7]}`,
			`{"location":["body","products",1],"message":"Input should be 'accounts', 'account_numbers', 'identity', 'transactions', 'investments' or 'enrichment'","type":"enum"},` +
				`{"location":["body","products",2],"message":"Input should be 'accounts', 'account_numbers', 'identity', 'transactions', 'investments' or 'enrichment'","type":"enum"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, post(t, h, "/links/mk_v/products", tc.body), http.StatusBadRequest, prefix+tc.want+"]}")
		})
	}
	// A refused request changes nothing.
	if p := identityProduct(t, h, "mk_v", "identity"); str(p.LastAttemptedAt) == at(0) {
		t.Errorf("an invalid request recorded an attempt")
	}
}

func TestClockEndpoint(t *testing.T) {
	h := pinnedServer(t, "")
	for _, tc := range []struct {
		name, method, body string
		status             int
		want               string
	}{
		{"read", "GET", "", 200, `{"now":"2025-01-02T03:04:05Z","pinned":true}`},
		{"advance", "POST", `{"advance":"90s"}`, 200, `{"now":"2025-01-02T03:05:35Z","pinned":true}`},
		{"set", "POST", `{"now":"2030-06-01T00:00:00Z"}`, 200, `{"now":"2030-06-01T00:00:00Z","pinned":true}`},
		{"back", "POST", `{"advance":"-1h"}`, 200, `{"now":"2030-05-31T23:00:00Z","pinned":true}`},
		{"both", "POST", `{"advance":"1s","now":"2030-06-01T00:00:00Z"}`, 400, ""},
		{"neither", "POST", `{}`, 400, ""},
		{"bad duration", "POST", `{"advance":"soon"}`, 400, ""},
		{"bad time", "POST", `{"now":"tomorrow"}`, 400, ""},
		{"unknown key", "POST", `{"adavnce":"1s"}`, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, request{method: tc.method, path: "/_mock/clock", body: tc.body})
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.want != "" && rec.Body.String() != tc.want {
				t.Errorf("body %s, want %s", rec.Body, tc.want)
			}
			if tc.status == 400 && len(apicheck.Error(rec.Body.Bytes(), handlers.CodeValidationFailed)) > 0 {
				t.Errorf("not a validation envelope: %s", rec.Body)
			}
		})
	}
	// The clock drives token expiry too.
	tok := issue(t, h)
	advance(t, h, "1h")
	wantError(t, do(t, h, request{path: "/links/mk_demo/identity", header: map[string]string{"Authorization": "Bearer " + tok}}), 401, errExpired)
}

var mintedID = regexp.MustCompile(`^mk_[2-9A-HJ-NP-Za-km-z]{22}$`)

func TestMintLinks(t *testing.T) {
	a, b := pinnedServer(t, ""), pinnedServer(t, "")
	var ids []string
	for i := range 3 {
		ra, rb := do(t, a, request{method: "POST", path: "/_mock/links"}), do(t, b, request{method: "POST", path: "/_mock/links"})
		if ra.Code != http.StatusCreated || !bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()) {
			t.Fatalf("mint %d: %d %s / %s", i, ra.Code, ra.Body, rb.Body)
		}
		m := decode[struct {
			LinkID string          `json:"link_id"`
			Link   json.RawMessage `json:"link"`
		}](t, ra.Body.Bytes())
		if !mintedID.MatchString(m.LinkID) {
			t.Errorf("minted ID %q", m.LinkID)
		}
		if problems := apicheck.Link(m.Link, m.LinkID); len(problems) > 0 {
			t.Errorf("minted link: %v", problems)
		}
		if got := get(t, a, "/links/"+m.LinkID); !bytes.Equal(got.Body.Bytes(), m.Link) {
			t.Errorf("GET of the minted link differs from the mint answer")
		}
		ids = append(ids, m.LinkID)
	}
	if ids[0] == ids[1] || ids[1] == ids[2] {
		t.Errorf("minted IDs repeat: %v", ids)
	}
	other := newServer(t, func(c *handlers.Deps) { c.Config.Seed = 9 })
	if rec := do(t, other, request{method: "POST", path: "/_mock/links"}); strings.Contains(rec.Body.String(), ids[0]) {
		t.Errorf("another seed minted the same first ID")
	}

	// With an inline scenario, the minted link behaves as it says.
	rec := do(t, a, request{method: "POST", path: "/_mock/links", body: `{"scenario":{"error":"deleted","after":1}}`})
	id := decode[struct {
		LinkID string `json:"link_id"`
	}](t, rec.Body.Bytes()).LinkID
	if got := get(t, a, "/links/"+id+"/identity").Code; got != 200 {
		t.Errorf("first call: %d, want 200", got)
	}
	if got := get(t, a, "/links/"+id+"/identity").Code; got != 410 {
		t.Errorf("second call: %d, want 410", got)
	}

	// With a persona.
	rec = do(t, a, request{method: "POST", path: "/_mock/links", body: `{"fixture":"household"}`})
	if rec.Code != http.StatusCreated {
		t.Fatalf("mint with fixture: %d %s", rec.Code, rec.Body)
	}

	for _, tc := range []struct{ name, body, want string }{
		{"unknown persona", `{"fixture":"nobody"}`, `"location":["body","fixture"]`},
		{"bad scenario names the field", `{"scenario":{"error":"deleted","evry":2}}`, `unknown key \"evry\"`},
		{"bad kind", `{"scenario":{"error":"gone"}}`, `unknown error kind \"gone\"`},
		{"unknown key", `{"fixtures":"household"}`, `unknown field \"fixtures\"`},
		{"not JSON", `{`, `"type":"json_invalid"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, a, request{method: "POST", path: "/_mock/links", body: tc.body})
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("%d %s, want 400 containing %s", rec.Code, rec.Body, tc.want)
			}
		})
	}
}

// TestRefreshWithClockBeforeTheData pins the clock years before the generated
// dates: a refresh is then stamped at the product's latest time, never
// before it, so the product's times still only move forward.
func TestRefreshWithClockBeforeTheData(t *testing.T) {
	early := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newServer(t, func(c *handlers.Deps) { c.Clock = state.NewPinnedClock(early) })
	const id = "mk_old_clock"
	before := identityProduct(t, h, id, "identity")
	post(t, h, "/links/"+id+"/products", `{"products":["identity"]}`)
	if p := identityProduct(t, h, id, "identity"); str(p.LastAttemptedAt) != str(before.LastAttemptedAt) {
		t.Errorf("attempt stamped %s, want the product's latest time %s", str(p.LastAttemptedAt), str(before.LastAttemptedAt))
	}
	advance(t, h, "3s")
	p := identityProduct(t, h, id, "identity") // identityProduct also runs the validator
	last, _ := time.Parse(time.RFC3339Nano, str(before.LastAttemptedAt))
	if want := last.Add(3 * time.Second).Format(fixtures.TimeLayout); str(p.RefreshedAt) != want {
		t.Errorf("refreshed_at = %s, want %s", str(p.RefreshedAt), want)
	}
}

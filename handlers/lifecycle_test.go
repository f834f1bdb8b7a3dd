package handlers_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/apicheck"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// api is an authenticated call with a JSON body, in a session when named.
func api(t *testing.T, h http.Handler, method, path, session, body string) *testResponse {
	t.Helper()
	hd := map[string]string{"Authorization": "Bearer " + staticToken, "Content-Type": "application/json"}
	if session != "" {
		hd["X-Mock-Session"] = session
	}
	rec := do(t, h, request{method: method, path: path, header: hd, body: body})
	return &testResponse{code: rec.Code, body: rec.Body.Bytes(), header: rec.Header()}
}

type testResponse struct {
	code   int
	body   []byte
	header http.Header
}

// TestLinkLifecycle is the whole flow an app's backend runs: create a link
// session, exchange its token, patch the webhook, refresh, delete, and then
// 410 on every route of the link; resetting the session brings it back.
func TestLinkLifecycle(t *testing.T) {
	clock := state.NewPinnedClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	h := newServer(t, func(d *handlers.Deps) { d.Clock = clock })
	const session = "life"

	res := api(t, h, "POST", "/link-session", session, `{"customer_user":{"id":"user_1234"},"redirect_uri":"https://app.example.com/done","link_tags":["vip"],"webhook":"http://127.0.0.1:9/hook"}`)
	if res.code != 201 {
		t.Fatalf("create link session: %d %s", res.code, res.body)
	}
	token := decode[map[string]string](t, res.body)["link_session_token"]
	if !strings.HasPrefix(token, "mk_ls_") {
		t.Fatalf("link_session_token = %q", token)
	}
	// The exchangeable twin: mk_ex_ instead of mk_ls_.
	res = api(t, h, "POST", "/link-session/exchange-token", session, `{"exchangeable_token":"`+strings.Replace(token, "mk_ls_", "mk_ex_", 1)+`"}`)
	if res.code != 201 {
		t.Fatalf("exchange: %d %s", res.code, res.body)
	}
	ex := decode[struct {
		LinkID string        `json:"link_id"`
		Link   fixtures.Link `json:"link"`
	}](t, res.body)
	if ex.Link.LinkID != ex.LinkID || !strings.HasPrefix(ex.LinkID, "mk_") {
		t.Fatalf("exchange answered link_id %q, link.link_id %q", ex.LinkID, ex.Link.LinkID)
	}
	if ex.Link.Webhook == nil || *ex.Link.Webhook != "http://127.0.0.1:9/hook" || strings.Join(ex.Link.LinkTags, ",") != "vip" {
		t.Errorf("the link does not carry the session's webhook and tags: %s", res.body)
	}
	for _, p := range apicheck.Link(mustJSON(t, ex.Link), ex.LinkID) {
		t.Errorf("exchange link: %s", p)
	}
	// The token is spent.
	wantError(t, do(t, h, request{method: "POST", path: "/link-session/exchange-token", body: `{"exchangeable_token":"` + token + `"}`,
		header: map[string]string{"Authorization": "Bearer " + staticToken, "X-Mock-Session": session}}),
		400, `{"error_code":"link_session_error.invalid_token_exchange","error_message":"The exchangeable token is unknown or was already exchanged","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`)

	link := "/links/" + ex.LinkID
	res = api(t, h, "PATCH", link, session, `{"webhook":"http://127.0.0.1:9/other","link_tags":["a","b"]}`)
	if res.code != 200 || !strings.Contains(string(res.body), `"webhook":"http://127.0.0.1:9/other"`) || !strings.Contains(string(res.body), `"link_tags":["a","b"]`) {
		t.Fatalf("patch: %d %s", res.code, res.body)
	}
	// Every later answer shows the change, identity included.
	if res := api(t, h, "GET", link+"/identity", session, ""); !strings.Contains(string(res.body), `"webhook":"http://127.0.0.1:9/other"`) {
		t.Errorf("identity after the patch: %s", res.body)
	}
	if res := api(t, h, "POST", link+"/products", session, `{"products":["identity"]}`); res.code != 202 {
		t.Errorf("refresh: %d %s", res.code, res.body)
	}
	// GET /links lists it.
	if res := api(t, h, "GET", "/links", session, ""); res.code != 200 || !strings.Contains(string(res.body), `"link_id":"`+ex.LinkID+`"`) {
		t.Errorf("GET /links: %d %s", res.code, res.body)
	}
	// null removes the webhook.
	if res := api(t, h, "PATCH", link, session, `{"webhook":null}`); !strings.Contains(string(res.body), `"webhook":null`) {
		t.Errorf("patch webhook null: %s", res.body)
	}

	if res := api(t, h, "DELETE", link, session, ""); res.code != 204 || len(res.body) != 0 {
		t.Fatalf("delete: %d %q", res.code, res.body)
	}
	const gone = `{"error_code":"link_error.deleted","error_message":"This link was deleted at some earlier time.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`
	for _, c := range []struct{ method, path, body string }{
		{"GET", link, ""}, {"GET", link + "/identity", ""}, {"GET", link + "/accounts", ""},
		{"GET", link + "/accounts/numbers", ""}, {"GET", link + "/accounts/acc_x", ""},
		{"PATCH", link, `{"link_tags":[]}`}, {"DELETE", link, ""}, {"POST", link + "/reset", ""},
		{"POST", link + "/products", `{"products":["identity"]}`},
		{"POST", "/webhooks/test/link/" + ex.LinkID, `{"webhook_event":"link.state_changed","webhook_idempotency_key":"k"}`},
	} {
		rec := do(t, h, request{method: c.method, path: c.path, body: c.body,
			header: map[string]string{"Authorization": "Bearer " + staticToken, "X-Mock-Session": session}})
		if rec.Code != 410 || rec.Body.String() != gone {
			t.Errorf("%s %s after delete: %d %s", c.method, c.path, rec.Code, rec.Body)
		}
	}
	// Deleted links leave GET /links; other sessions never saw it.
	if res := api(t, h, "GET", "/links", session, ""); strings.Contains(string(res.body), ex.LinkID) {
		t.Errorf("GET /links still lists the deleted link: %s", res.body)
	}
	if res := api(t, h, "GET", link, "", ""); res.code != 200 {
		t.Errorf("the default session sees the link as new: %d", res.code)
	}
	// Resetting the session brings the link back as generated.
	if rec := do(t, h, request{method: "POST", path: "/_mock/reset", header: map[string]string{"X-Mock-Session": session}}); rec.Code != 204 {
		t.Fatalf("reset: %d", rec.Code)
	}
	res = api(t, h, "GET", link, session, "")
	if res.code != 200 || !strings.Contains(string(res.body), `"webhook":null`) {
		t.Errorf("after the session reset: %d %s", res.code, res.body)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestResetLink checks POST /links/{id}/reset: MoneyKit's "relink required".
func TestResetLink(t *testing.T) {
	h := newServer(t, nil)
	res := api(t, h, "POST", "/links/mk_demo/reset", "", "")
	if res.code != 200 {
		t.Fatalf("reset: %d %s", res.code, res.body)
	}
	l := decode[fixtures.Link](t, res.body)
	if l.State != "error" || l.ErrorCode == nil || *l.ErrorCode != "auth_expired" {
		t.Errorf("after reset: state %q, error_code %v", l.State, l.ErrorCode)
	}
	if got := api(t, h, "GET", "/links/mk_demo", "", ""); string(got.body) != string(res.body) {
		t.Errorf("GET /links/mk_demo after reset differs:\n%s\n%s", got.body, res.body)
	}
}

// TestAccountsMatchIdentity checks that accounts, one account and account
// numbers agree with identity for the same link, and the errors.
func TestAccountsMatchIdentity(t *testing.T) {
	h := newServer(t, nil)
	for _, id := range []string{"mk_demo", "mk_household", "mk_international", "mk_business", "mk_no_accounts", "mk_big"} {
		ident := get(t, h, "/links/"+id+"/identity")
		accts := get(t, h, "/links/"+id+"/accounts")
		nums := get(t, h, "/links/"+id+"/accounts/numbers")
		if accts.Code != 200 || nums.Code != 200 {
			t.Fatalf("%s: accounts %d, numbers %d", id, accts.Code, nums.Code)
		}
		for _, p := range append(apicheck.Accounts(accts.Body.Bytes(), id), apicheck.SameAccounts(accts.Body.Bytes(), ident.Body.Bytes())...) {
			t.Errorf("%s accounts: %s", id, p)
		}
		for _, p := range append(apicheck.AccountNumbers(nums.Body.Bytes(), id), apicheck.SameAccounts(nums.Body.Bytes(), ident.Body.Bytes())...) {
			t.Errorf("%s numbers: %s", id, p)
		}
		iv := decode[fixtures.Identity](t, ident.Body.Bytes())
		for _, a := range iv.Accounts {
			one := get(t, h, "/links/"+id+"/accounts/"+a.AccountID)
			if one.Code != 200 || !strings.Contains(one.Body.String(), `"account":{"account_id":"`+a.AccountID+`"`) {
				t.Errorf("%s/%s: %d %s", id, a.AccountID, one.Code, one.Body)
			}
		}
		// The filter works on accounts as on identity.
		if len(iv.Accounts) > 0 {
			f := get(t, h, "/links/"+id+"/accounts?account_ids="+iv.Accounts[0].AccountID)
			if n := len(decode[fixtures.Accounts](t, f.Body.Bytes()).Accounts); n != 1 {
				t.Errorf("%s: filtered accounts = %d, want 1", id, n)
			}
		}
	}
	wantError(t, get(t, h, "/links/mk_demo/accounts/acc_nope"), 404,
		`{"error_code":"link_error.not_found","error_message":"Account not found on this link.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`)
	wantError(t, get(t, h, "/links/mk_deleted/accounts"), 410,
		`{"error_code":"link_error.deleted","error_message":"This link was deleted at some earlier time.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`)
	rec := get(t, h, "/links/mk_demo/transactions")
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "Transactions are not simulated") {
		t.Errorf("transactions: %d %s", rec.Code, rec.Body)
	}
}

// TestLinkSessionValidation checks the errors of POST /link-session.
func TestLinkSessionValidation(t *testing.T) {
	h := newServer(t, nil)
	for _, tc := range []struct{ name, body, want string }{
		{"empty", `{}`, `"location":["body","customer_user"]`},
		{"short id", `{"customer_user":{"id":"ab"},"redirect_uri":"https://x"}`, `"location":["body","customer_user","id"]`},
		{"query in redirect", `{"customer_user":{"id":"abcd"},"redirect_uri":"https://x/?a=1"}`, `"location":["body","redirect_uri"]`},
		{"bad webhook", `{"customer_user":{"id":"abcd"},"redirect_uri":"https://x","webhook":"ftp://x"}`, `"location":["body","webhook"]`},
		{"unknown key", `{"customer_user":{"id":"abcd"},"redirect_uri":"https://x","nope":1}`, `unknown field`},
		{"bad account", `{"customer_user":{"id":"abcd"},"redirect_uri":"https://x","custom_sandbox_data":{"accounts":[{"account_type":"checking","name":"A","account_number":"12"}]}}`, `"location":["body","custom_sandbox_data","accounts",0,"account_type"]`},
	} {
		res := api(t, h, "POST", "/link-session", "", tc.body)
		if res.code != 400 || !strings.Contains(string(res.body), tc.want) {
			t.Errorf("%s: %d %s, want it to contain %s", tc.name, res.code, res.body, tc.want)
		}
	}
	// The features objects both SDK families send are accepted.
	for _, key := range []string{"connect_features", "moneylink_features"} {
		res := api(t, h, "POST", "/link-session", "", `{"customer_user":{"id":"abcd"},"redirect_uri":"https://x","`+key+`":{"bug_reporter":true}}`)
		if res.code != 201 {
			t.Errorf("%s: %d %s", key, res.code, res.body)
		}
	}
	// custom_sandbox_data shapes the exchanged link, numbers included.
	res := api(t, h, "POST", "/link-session", "", `{"customer_user":{"id":"abcd"},"redirect_uri":"https://x","custom_sandbox_data":{"accounts":[{"account_type":"depository.savings","name":"Rainy Day","account_number":"000123456789","routing_number":"011000015"}],"owners":[{"names":["Grace Hopper"],"addresses":[],"phone_numbers":[],"emails":[]}]}}`)
	tok := decode[map[string]string](t, res.body)["link_session_token"]
	res = api(t, h, "POST", "/link-session/exchange-token", "", `{"exchangeable_token":"`+tok+`"}`)
	id := decode[map[string]any](t, res.body)["link_id"].(string)
	ident := get(t, h, "/links/"+id+"/identity").Body.String()
	for _, want := range []string{`"name":"Rainy Day"`, `"account_mask":"6789"`, `"names":["Grace Hopper"]`} {
		if !strings.Contains(ident, want) {
			t.Errorf("identity lacks %s: %s", want, ident)
		}
	}
	if nums := get(t, h, "/links/"+id+"/accounts/numbers").Body.String(); !strings.Contains(nums, `"account_number":"000123456789","routing_number":"011000015"`) {
		t.Errorf("numbers do not keep the given ones: %s", nums)
	}
}

// TestListLinksPages: GET /links pages with limit and next_cursor, oldest
// first, and refuses an unknown parameter or a bad limit.
func TestListLinksPages(t *testing.T) {
	h := newServer(t, nil)
	var minted []string
	for range 3 {
		rec := do(t, h, request{method: "POST", path: "/_mock/links", header: map[string]string{"X-Mock-Session": "pages"}})
		minted = append(minted, decode[map[string]any](t, rec.Body.Bytes())["link_id"].(string))
	}
	type page struct {
		Links []struct {
			LinkID string `json:"link_id"`
		} `json:"links"`
		NextCursor string `json:"next_cursor"`
	}
	var got []string
	cursor := ""
	for n := 0; n < 3; n++ {
		path := "/links?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		res := api(t, h, "GET", path, "pages", "")
		if res.code != 200 {
			t.Fatalf("%s: %d %s", path, res.code, res.body)
		}
		p := decode[page](t, res.body)
		for _, l := range p.Links {
			got = append(got, l.LinkID)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	// Oldest first; links created at the same instant (the clock is pinned
	// here) go by ID.
	slices.Sort(minted)
	if strings.Join(got, ",") != strings.Join(minted, ",") {
		t.Errorf("pages gave %v, want %v", got, minted)
	}
	for _, bad := range []string{"/links?limit=0", "/links?limit=5001", "/links?cursor=zz!", "/links?lmit=2"} {
		if res := api(t, h, "GET", bad, "pages", ""); res.code != 400 {
			t.Errorf("%s: %d, want 400", bad, res.code)
		}
	}
}

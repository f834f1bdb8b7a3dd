package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/handlers"
)

func TestIdentityGolden(t *testing.T) {
	h := newServer(t, nil)
	for _, tc := range []struct{ name, path, golden string }{
		{"demo", "/links/mk_demo/identity", "identity_mk_demo"},
		{"sandbox id from the docs", "/links/mk_P542taTHRdeyVPkm9XVvWv/identity", "identity_mk_P542taTHRdeyVPkm9XVvWv"},
		{"joint household", "/links/mk_joint_10/identity", "identity_mk_joint_10"},
		{"encoded slash", "/links/mk_a%2Fb/identity", "identity_mk_a_slash_b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cl := rec.Header().Get("Content-Length"); cl != fmt.Sprint(rec.Body.Len()) {
				t.Errorf("Content-Length = %q, body is %d bytes", cl, rec.Body.Len())
			}
			checkGolden(t, tc.golden, rec.Body.Bytes())
		})
	}
}

// TestIdentityLinkID checks that the link in the answer is the one asked for,
// decoded from the path as the SDKs encode it.
func TestIdentityLinkID(t *testing.T) {
	h := newServer(t, nil)
	for path, want := range map[string]string{
		"/links/mk_eqkWN34UEoa2NxyALG8pcV/identity": "mk_eqkWN34UEoa2NxyALG8pcV",
		"/links/mk_a%2Fb/identity":                  "mk_a/b",
		"/links/caf%C3%A9/identity":                 "café",
	} {
		rec := get(t, h, path)
		if got := decode[fixtures.Identity](t, rec.Body.Bytes()).Link.LinkID; got != want {
			t.Errorf("%s: link_id = %q, want %q", path, got, want)
		}
	}
	rec := get(t, h, "/links/"+strings.Repeat("x", 257)+"/identity")
	wantError(t, rec, http.StatusNotFound, `{"error_code":"link_error.not_found","error_message":"Link not found.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`)
}

// TestDeterminism builds two independent servers and asks both for the same
// links: the bytes must agree, and must differ between links and between seeds.
func TestDeterminism(t *testing.T) {
	a, b := newServer(t, nil), newServer(t, nil)
	other := newServer(t, func(c *handlers.Deps) { c.Config.Seed = 2 })
	seen := map[string]string{}
	for i := range 200 {
		path := fmt.Sprintf("/links/mk_det_%d/identity", i)
		ra, rb, ro := get(t, a, path), get(t, b, path), get(t, other, path)
		if !bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()) {
			t.Fatalf("%s: two servers with one seed disagree", path)
		}
		// A second request is answered from the cache: still the same bytes.
		if again := get(t, a, path); !bytes.Equal(again.Body.Bytes(), ra.Body.Bytes()) {
			t.Fatalf("%s: second answer differs from the first", path)
		}
		id := decode[fixtures.Identity](t, ra.Body.Bytes())
		io := decode[fixtures.Identity](t, ro.Body.Bytes())
		if reflect.DeepEqual(id.Accounts, io.Accounts) {
			t.Errorf("%s: seeds 1 and 2 gave the same accounts", path)
		}
		owner := id.Accounts[0].Owners[0].Names[0] + " " + id.Accounts[0].AccountID
		if prev, dup := seen[owner]; dup {
			t.Errorf("%s and %s have the same first owner and account %q", prev, path, owner)
		}
		seen[owner] = path
	}
}

func TestAccountIDsFilter(t *testing.T) {
	h := newServer(t, nil)
	const link = "/links/mk_filter_1/identity"
	full := decode[fixtures.Identity](t, get(t, h, link).Body.Bytes())
	if len(full.Accounts) < 3 {
		t.Fatalf("mk_filter_1 has %d accounts; the test needs a link with 3 or more", len(full.Accounts))
	}
	a0, a2 := full.Accounts[0].AccountID, full.Accounts[2].AccountID
	both := []fixtures.Account{full.Accounts[0], full.Accounts[2]}

	for _, tc := range []struct {
		name, query string
		want        []fixtures.Account
	}{
		{"repeated keys (Python SDK)", "account_ids=" + a0 + "&account_ids=" + a2, both},
		{"comma-joined (Stainless)", "account_ids=" + a0 + "%2C" + a2, both},
		{"brackets (Ruby Faraday)", "account_ids%5B%5D=" + a0 + "&account_ids%5B%5D=" + a2, both},
		{"unencoded brackets", "account_ids[]=" + a2, both[1:]},
		{"single", "account_ids=" + a2, both[1:]},
		{"order of the link, not of the query", "account_ids=" + a2 + "&account_ids=" + a0, both},
		{"unknown ID matches nothing", "account_ids=acc_nope", []fixtures.Account{}},
		{"unknown beside a known one", "account_ids=acc_nope," + a0, both[:1]},
		{"empty value is no filter", "account_ids=", full.Accounts},
		{"other parameters are ignored", "foo=bar", full.Accounts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, link+"?"+tc.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d: %s", rec.Code, rec.Body)
			}
			got := decode[fixtures.Identity](t, rec.Body.Bytes())
			if !reflect.DeepEqual(got.Accounts, tc.want) {
				t.Errorf("accounts = %v, want %v", ids(got.Accounts), ids(tc.want))
			}
			if !reflect.DeepEqual(got.Link, full.Link) {
				t.Errorf("the filter changed the link")
			}
			if !bytes.Contains(rec.Body.Bytes(), []byte(`"accounts":[`)) {
				t.Errorf("accounts is not an array: %s", rec.Body)
			}
		})
	}

	rec := get(t, h, link+"?account_ids=%zz")
	wantError(t, rec, http.StatusBadRequest, `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":"https://docs.moneykit.com/api/reference/errors","validation_errors":[{"location":["query"],"message":"the query string is malformed","type":"value_error"}]}`)
}

func ids(as []fixtures.Account) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.AccountID)
	}
	return out
}

func TestVersionHeader(t *testing.T) {
	h := newServer(t, nil)
	for _, v := range []string{"", "2023-02-18"} {
		rec := do(t, h, request{path: "/links/mk_demo/identity", header: map[string]string{
			"Authorization": "Bearer " + staticToken, "MoneyKit-Version": v}})
		if rec.Code != http.StatusOK {
			t.Errorf("MoneyKit-Version %q: status %d", v, rec.Code)
		}
	}
	// Lower case, as the old SDK sends it.
	r := do(t, h, request{path: "/links/mk_demo/identity", header: map[string]string{
		"Authorization": "Bearer " + staticToken, "moneykit-version": "2022-01-01"}})
	wantError(t, r, http.StatusBadRequest, `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":"https://docs.moneykit.com/api/reference/errors","validation_errors":[{"location":["header","moneykit-version"],"message":"unsupported version \"2022-01-01\": the only version is 2023-02-18","type":"enum"}]}`)
}

package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/apicheck"
)

// TestAnswersAreValid runs the reference-derived validator, for every SDK
// generation from 0.0.1 to 0.2.3, over the identity, link, accounts, one
// account and account numbers answers of 1,000 generated link IDs (and two
// seeds), through the real router, and checks that the accounts and the
// numbers agree with identity (numbers' checksums included).
func TestAnswersAreValid(t *testing.T) {
	for _, seed := range []uint64{1, 99} {
		h := newServer(t, func(d *handlers.Deps) { d.Config.Seed = seed })
		failures := 0
		for i := range 1000 {
			id := fmt.Sprintf("mk_valid_%d", i)
			if i%10 == 0 {
				id = fmt.Sprintf("mk_%022d", i) // the real ID shape
			}
			var problems []string
			answer := func(path string) []byte {
				rec := get(t, h, "/links/"+id+path)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s%s: status %d", id, path, rec.Code)
				}
				return rec.Body.Bytes()
			}
			ident, link, accts, nums := answer("/identity"), answer(""), answer("/accounts"), answer("/accounts/numbers")
			problems = append(problems, apicheck.AllGenerations(func(g apicheck.Generation) []string {
				p := apicheck.IdentityFor(g, ident, id)
				p = append(p, apicheck.LinkFor(g, link, id)...)
				p = append(p, apicheck.AccountsFor(g, accts, id)...)
				return append(p, apicheck.AccountNumbersFor(g, nums, id)...)
			})...)
			problems = append(problems, apicheck.SameAccounts(accts, ident)...)
			problems = append(problems, apicheck.SameAccounts(nums, ident)...)
			if accounts := decode[fixtures.Identity](t, ident).Accounts; len(accounts) > 0 {
				a := accounts[len(accounts)-1].AccountID
				one := answer("/accounts/" + a)
				problems = append(problems, apicheck.AllGenerations(func(g apicheck.Generation) []string { return apicheck.AccountFor(g, one, id, a) })...)
				problems = append(problems, apicheck.SameAccounts(one, ident)...)
			}
			if len(problems) > 0 {
				failures++
				if failures <= 5 {
					t.Errorf("seed %d, %s:\n  %s", seed, id, strings.Join(problems, "\n  "))
				}
			}
		}
		if failures > 0 {
			t.Errorf("seed %d: %d of 1000 links have invalid answers", seed, failures)
		}
	}
}

// TestCatalogueIsValidForEveryGeneration checks every success of the
// embedded catalogue (magic links, personas) against every SDK generation.
func TestCatalogueIsValidForEveryGeneration(t *testing.T) {
	h := newServer(t, nil)
	for _, id := range []string{"mk_identity_error", "mk_link_error", "mk_no_accounts", "mk_big", "mk_household", "mk_no_phone", "mk_business", "mk_international", "mk_demo"} {
		rec := get(t, h, "/links/"+id+"/identity")
		if rec.Code != 200 {
			t.Fatalf("%s: %d", id, rec.Code)
		}
		for _, p := range apicheck.AllGenerations(func(g apicheck.Generation) []string { return apicheck.IdentityFor(g, rec.Body.Bytes(), id) }) {
			t.Errorf("%s: %s", id, p)
		}
	}
}

// TestNewerEnumsIsOptIn checks --newer-enums: enrichment comes back into
// available_products, and SDK 0.1.10 is then the generation that refuses it.
func TestNewerEnumsIsOptIn(t *testing.T) {
	h := newServer(t, func(d *handlers.Deps) { d.Config.NewerEnums = true })
	body := get(t, h, "/links/mk_demo/identity").Body.Bytes()
	if !strings.Contains(string(body), `"enrichment"]`) {
		t.Fatalf("no enrichment with NewerEnums: %s", body)
	}
	rej := apicheck.Rejections(func(g apicheck.Generation) []string { return apicheck.IdentityFor(g, body, "mk_demo") })
	if len(rej["0.1.10"]) == 0 || len(rej["0.2.3"]) != 0 {
		t.Errorf("rejections = %v, want 0.1.10 to refuse and 0.2.3 to accept", rej)
	}
}

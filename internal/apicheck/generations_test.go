package apicheck

import (
	"reflect"
	"testing"
)

// TestDefaultPayloadRejectedBySDK0110 pins down why the mock's default
// identity answer is not yet accepted by every SDK generation.
// testdata/default_identity.json is the handler golden for mk_demo (no
// scenario, the default payload): its available_products lists
// "enrichment", which the Product enum of the generations from 2024-02 to
// 2024-08 (SDK 0.1.10) does not have, so that SDK rejects the whole response
// (measured: pydantic "Input should be 'accounts', 'account_numbers',
// 'identity', 'transactions' or 'investments'"). 0.0.1 has no
// available_products and ignores it; 0.1.15 and 0.2.3 know enrichment.
//
// When the generator stops offering enrichment, this test fails: update
// it (and the testdata) then.
func TestDefaultPayloadRejectedBySDK0110(t *testing.T) {
	body := readTestdata(t, "default_identity.json")
	checkProblems(t, Identity(body, "mk_demo"), nil)
	checkProblems(t, IdentityAll(body, "mk_demo"), []string{
		`link.available_products[1]: "enrichment" is not one of accounts|account_numbers|identity|transactions|investments [rejected by SDK 0.1.10]`,
	})
	got := Rejections(func(g Generation) []string { return IdentityFor(g, body, "mk_demo") })
	if want := []string{"0.1.10"}; !reflect.DeepEqual(sortedKeys(got), want) {
		t.Errorf("generations rejecting the default payload = %q, want %q", sortedKeys(got), want)
	}
}

// TestIdentityErrorScenarioRejectedBySDK0110: the mk_identity_error scenario
// of scenarios/default.yaml gives the identity product error_code
// institution_error, which SDK 0.1.10's LinkProductFailureReasons does not
// have (it came with 0.1.15). testdata/identity_error_identity.json is the
// default payload with that scenario's product error applied.
func TestIdentityErrorScenarioRejectedBySDK0110(t *testing.T) {
	body := readTestdata(t, "identity_error_identity.json")
	checkProblems(t, IdentityAll(body, "mk_demo"), []string{
		`link.products.identity.error_code: "institution_error" is not one of rate_limit|auth_expired|invalid_credentials|not_supported|timeout|unknown|no_accounts [rejected by SDK 0.1.10]`,
		`link.available_products[1]: "enrichment" is not one of accounts|account_numbers|identity|transactions|investments [rejected by SDK 0.1.10]`,
	})
}

// TestGenerationsGoodSample: the hand-written sample is what every
// generation accepts (checked with the four SDKs' models).
func TestGenerationsGoodSample(t *testing.T) {
	body := readTestdata(t, "good_identity.json")
	checkProblems(t, IdentityAll(body, goodLinkID), nil)
	for _, g := range Generations {
		checkProblems(t, IdentityFor(g, body, goodLinkID), nil)
	}
}

// TestGenerationMutations: each mutation of the good sample is rejected by
// exactly the generations listed, as measured by parsing the same change
// with each generation's IdentityResponse model.
func TestGenerationMutations(t *testing.T) {
	good := readTestdata(t, "good_identity.json")
	for _, tc := range []struct {
		name string
		muts []mutation
		want []string
	}{
		{"provider sophtron", []mutation{set("link.provider", `"sophtron"`)}, []string{
			`link.provider: "sophtron" is not one of moneykit|finicity|plaid|yodlee|mx|akoya [rejected by SDK 0.2.3]`,
		}},
		{"provider missing", []mutation{del("link.provider")}, []string{
			`link.provider: missing required key [rejected by SDK 0.2.3]`,
		}},
		{"link error_code no_accounts", []mutation{set("link.state", `"error"`), set("link.error_code", `"no_accounts"`)}, []string{
			`link.error_code: "no_accounts" is not one of system_error|provider_error|institution_error|user_error|auth_expired|incomplete [rejected by SDK 0.0.1, 0.1.10, 0.1.15]`,
		}},
		{"link error_code auth_expired is fine", []mutation{set("link.state", `"error"`), set("link.error_code", `"auth_expired"`)}, nil},
		{"product error invalid_credentials", []mutation{set("link.products.identity.error_code", `"invalid_credentials"`)}, []string{
			`link.products.identity.error_code: "invalid_credentials" is not one of rate_limit|auth_expired|not_supported|timeout|unknown|no_accounts|institution_error|no_permission [rejected by SDK 0.2.3]`,
		}},
		{"product error no_permission", []mutation{set("link.products.identity.error_code", `"no_permission"`)}, []string{
			`link.products.identity.error_code: "no_permission" is not one of rate_limit|auth_expired|invalid_credentials|not_supported|timeout|unknown|no_accounts [rejected by SDK 0.1.10]`,
			`link.products.identity.error_code: "no_permission" is not one of rate_limit|auth_expired|invalid_credentials|not_supported|timeout|unknown|no_accounts|institution_error [rejected by SDK 0.1.15]`,
		}},
		{"enrichment product with error_code unknown to 0.1.10 is fine for it", []mutation{
			set("link.products.enrichment", `{"refreshed_at":null,"last_attempted_at":null,"error_code":"institution_error"}`),
		}, nil},
		{"currency not ISO 4217", []mutation{set("accounts[0].balances.currency", `"XYZ"`)}, []string{
			`accounts[0].balances.currency: "XYZ" is not an ISO 4217 code [rejected by SDK 0.0.1, 0.1.10]`,
		}},
		{"identity settings missing", []mutation{del("link.products.identity.settings")}, []string{
			`link.products.identity.settings: missing required key [rejected by SDK 0.0.1, 0.1.10]`,
		}},
		// Not in reference §5.5: SDK 0.1.10's InvestmentsLinkProduct
		// requires settings too.
		{"investments settings missing", []mutation{
			set("link.available_products", `["account_numbers"]`),
			set("link.products.investments", `{"refreshed_at":null,"last_attempted_at":null}`),
		}, []string{
			`link.products.investments.settings: missing required key [rejected by SDK 0.1.10]`,
		}},
		{"has_history missing", []mutation{del("link.products.transactions.has_history")}, []string{
			`link.products.transactions.has_history: missing required key [rejected by SDK 0.1.10, 0.1.15, 0.2.3]`,
		}},
		{"institution_avatar missing", []mutation{del("link.institution_avatar")}, []string{
			`link.institution_avatar: missing required key [rejected by SDK 0.1.10, 0.1.15, 0.2.3]`,
		}},
		{"available_products missing", []mutation{del("link.available_products")}, []string{
			`link.available_products: missing required key [rejected by SDK 0.1.10, 0.1.15, 0.2.3]`,
		}},
		{"phone type fax", []mutation{set("accounts[0].owners[0].phone_numbers[0].type", `"fax"`)}, []string{
			`accounts[0].owners[0].phone_numbers[0].type: "fax" is not one of home|work|mobile|other`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, IdentityAll(mutate(t, good, tc.muts...), goodLinkID), tc.want)
		})
	}
}

// TestLinkForProvider: the GET /links/{id} body needs a provider in every
// generation (LinkResponse before 0.2.3), from the generation's own enum.
func TestLinkForProvider(t *testing.T) {
	doc := decodeJSON(t, readTestdata(t, "good_identity.json")).(map[string]any)
	link := doc["link"].(map[string]any)
	link["provider"] = "sophtron"
	got := AllGenerations(func(g Generation) []string { return LinkFor(g, encodeJSON(t, link), goodLinkID) })
	checkProblems(t, got, []string{
		`provider: "sophtron" is not one of moneykit|finicity|plaid|yodlee|mx|akoya [rejected by SDK 0.1.15, 0.2.3]`,
	})
	delete(link, "provider")
	got = AllGenerations(func(g Generation) []string { return LinkFor(g, encodeJSON(t, link), goodLinkID) })
	checkProblems(t, got, []string{"provider: missing required key"})
}

func TestGenerationNamed(t *testing.T) {
	if g, ok := GenerationNamed("0.1.10"); !ok || g.Commit != "888b77a" {
		t.Errorf("GenerationNamed(0.1.10) = %+v, %v", g, ok)
	}
	if _, ok := GenerationNamed("9.9.9"); ok {
		t.Error("GenerationNamed(9.9.9) found a generation")
	}
}

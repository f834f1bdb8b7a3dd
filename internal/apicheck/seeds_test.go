package apicheck

import (
	"slices"
	"strings"
	"testing"
)

// The seed docs in shared/seeds are real documentation samples of the
// identity response. Neither shape is accepted by every SDK generation
// (reference §9), so the validator must reject both, for the reasons the
// reference gives. The testdata copies replace the placeholders so that the
// rejections come from the shape, not from the placeholders:
//
//   - seed_older_mintlify.json: first response of
//     shared/seeds/000_910442b7672d0ba6.txt (mintlify docs), "<string>"
//     replaced by a name and a Boston address.
//   - seed_older_redoc.json: second response of the same file (redoc docs,
//     UUID account_id, account_type "checking"), "string" replaced likewise.
//   - seed_newer.json: the 200 response of
//     shared/seeds/001_1fc289acc69b5eca.txt (docs.moneykit.com), whose bare
//     `string` placeholders are not even JSON: names and address as above,
//     error_message "Rate limit exceeded", unavailable "Refresh limit reached".
const seedLinkID = "mk_eqkWN34UEoa2NxyALG8pcV"

func TestSeedDocsRejected(t *testing.T) {
	for _, tc := range []struct {
		file    string
		reasons []string // as the reference gives them; other problems may be reported too
	}{
		// "The older seed doc shape (no institution_avatar, no
		// available_products) is rejected by every SDK from 0.1.5 on."
		{"seed_older_mintlify.json", []string{
			"link.institution_avatar: missing required key",
			"link.available_products: missing required key",
		}},
		{"seed_older_redoc.json", []string{
			"link.institution_avatar: missing required key",
			"link.available_products: missing required key",
			`accounts[0].account_type: "checking" must be "unknown" or start with depository., investment., liability. or other.`,
		}},
		// "The newer seed doc shape (transactions with last_enriched but no
		// has_history) is rejected by every SDK from 0.1.8 on"; SDK <= 0.1.10
		// also needs settings on identity, account_numbers and transactions.
		{"seed_newer.json", []string{
			"link.products.transactions.has_history: missing required key",
			"link.products.account_numbers.settings: missing required key",
			"link.products.identity.settings: missing required key",
			"link.products.transactions.settings: missing required key",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := Identity(readTestdata(t, tc.file), seedLinkID)
			for _, want := range tc.reasons {
				if !slices.Contains(got, want) {
					t.Errorf("missing problem %q", want)
				}
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("all problems:\n\t%s", strings.Join(got, "\n\t"))
			}
		})
	}
}

// TestSeedNewerLink checks that Link finds the same has_history problem in
// the newer seed's link object on its own (as GET /links/{id} would return it).
func TestSeedNewerLink(t *testing.T) {
	doc := decodeJSON(t, readTestdata(t, "seed_newer.json")).(map[string]any)
	got := Link(encodeJSON(t, doc["link"]), seedLinkID)
	if want := "products.transactions.has_history: missing required key"; !slices.Contains(got, want) {
		t.Errorf("Link problems %q do not contain %q", got, want)
	}
}

package apicheck

import (
	"testing"
)

// goodLink returns the "link" object of the good identity sample.
func goodLink(t *testing.T) []byte {
	t.Helper()
	doc := decodeJSON(t, readTestdata(t, "good_identity.json")).(map[string]any)
	return encodeJSON(t, doc["link"])
}

func TestLink(t *testing.T) {
	link := goodLink(t)
	for _, tc := range []struct {
		name   string
		body   []byte
		linkID string
		want   []string
	}{
		{"good", link, goodLinkID, nil},
		{"other link id", link, "mk_other",
			[]string{`link_id: got "mk_P542taTHRdeyVPkm9XVvWv", want "mk_other"`}},
		{"paths are relative to the object", mutate(t, link, del("institution_avatar"), del("products.transactions.has_history")), goodLinkID,
			[]string{"institution_avatar: missing required key", "products.transactions.has_history: missing required key"}},
		{"error state", mutate(t, link, set("state", `"error"`), set("error_code", `"user_setup_required"`)), goodLinkID, nil},
		{"empty 202 body", []byte(`{}`), goodLinkID, []string{
			"link_id: missing required key",
			"institution_id: missing required key",
			"institution_name: missing required key",
			"institution_avatar: missing required key",
			"state: missing required key",
			"provider: missing required key",
			"products: missing required key",
			"available_products: missing required key",
		}},
		{"empty body", []byte(``), goodLinkID, []string{"(root): invalid JSON: EOF"}},
		{"array", []byte(`[]`), goodLinkID, []string{"(root): want object, got array"}},
		{"identity body instead of link", readTestdata(t, "good_identity.json"), goodLinkID, []string{
			"link_id: missing required key",
			"institution_id: missing required key",
			"institution_name: missing required key",
			"institution_avatar: missing required key",
			"state: missing required key",
			"provider: missing required key",
			"products: missing required key",
			"available_products: missing required key",
			"accounts: unknown key",
			"link: unknown key",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, Link(tc.body, tc.linkID), tc.want)
		})
	}
}

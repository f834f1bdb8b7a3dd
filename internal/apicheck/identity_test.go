package apicheck

import (
	"strings"
	"testing"
)

func TestIdentityGood(t *testing.T) {
	body := readTestdata(t, "good_identity.json")
	checkProblems(t, Identity(body, goodLinkID), nil)
}

func TestIdentityGoodReencoded(t *testing.T) {
	// The mutation tests re-encode the sample; make sure that alone is clean.
	body := mutate(t, readTestdata(t, "good_identity.json"))
	checkProblems(t, Identity(body, goodLinkID), nil)
}

func TestIdentityBody(t *testing.T) {
	good := readTestdata(t, "good_identity.json")
	for _, tc := range []struct {
		name string
		body string
		want []string
	}{
		{"trailing newline is fine", string(good) + "\n", nil},
		{"trailing value", string(good) + " {}", []string{"(root): unexpected data after the JSON value"}},
		{"array root", `[]`, []string{"(root): want object, got array"}},
		{"null root", `null`, []string{"(root): want object, got null"}},
		{"invalid UTF-8", "{\"accounts\":[],\"link\":\"\xff\"}", []string{"(root): body is not valid UTF-8"}},
		{"empty object", `{}`, []string{"accounts: missing required key", "link: missing required key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, Identity([]byte(tc.body), goodLinkID), tc.want)
		})
	}
	for _, body := range []string{``, `{`, `{"accounts":[],}`} {
		got := Identity([]byte(body), goodLinkID)
		if len(got) != 1 || !strings.HasPrefix(got[0], "(root): invalid JSON: ") {
			t.Errorf("Identity(%q) = %q, want one invalid JSON problem", body, got)
		}
	}
}

// identityMutations each break (at most) one rule of the good sample, and list
// exactly the problems that must be reported. In the sample, accounts[0] is a
// checking account owned by Renée O'Connor (owners[0]: two addresses, phones
// and emails) and Samuel Okafor (owners[1]); accounts[1] is a credit card
// owned by the same Samuel Okafor.
var identityMutations = []struct {
	name string
	muts []mutation
	want []string
}{
	// Top level.
	{"unknown top-level key", []mutation{set("extra", `1`)}, []string{"extra: unknown key"}},
	{"accounts missing", []mutation{del("accounts")}, []string{"accounts: missing required key"}},
	{"accounts object", []mutation{set("accounts", `{}`)}, []string{"accounts: want array, got object"}},
	{"accounts null", []mutation{set("accounts", `null`)}, []string{"accounts: want array, got null"}},
	{"accounts empty is fine", []mutation{set("accounts", `[]`)}, nil},
	{"link missing", []mutation{del("link")}, []string{"link: missing required key"}},
	{"link array", []mutation{set("link", `[]`)}, []string{"link: want object, got array"}},
	{"account not an object", []mutation{set("accounts[1]", `"acc"`)}, []string{"accounts[1]: want object, got string"}},

	// Account.
	{"account_id too short", []mutation{set("accounts[0].account_id", `"acc_short"`)},
		[]string{`accounts[0].account_id: "acc_short" does not match ^acc_[A-Za-z0-9]{22}$`}},
	{"account_id UUID (older docs)", []mutation{set("accounts[0].account_id", `"a3ba443a-257c-490e-8242-03a84789d39f"`)},
		[]string{`accounts[0].account_id: "a3ba443a-257c-490e-8242-03a84789d39f" does not match ^acc_[A-Za-z0-9]{22}$`}},
	{"account_id with punctuation", []mutation{set("accounts[0].account_id", `"acc_6Tef269B6ZArSVpYrxtj-V"`)},
		[]string{`accounts[0].account_id: "acc_6Tef269B6ZArSVpYrxtj-V" does not match ^acc_[A-Za-z0-9]{22}$`}},
	{"account_id number", []mutation{set("accounts[0].account_id", `7`)},
		[]string{"accounts[0].account_id: want string, got number"}},
	{"account_id missing", []mutation{del("accounts[0].account_id")},
		[]string{"accounts[0].account_id: missing required key"}},
	{"account_id duplicate", []mutation{set("accounts[1].account_id", `"acc_Af3gGp4wvUGwXpFJ4SePf4"`)},
		[]string{`accounts[1].account_id: "acc_Af3gGp4wvUGwXpFJ4SePf4" duplicates accounts[0].account_id`}},
	{"account_type 2023 enum checking", []mutation{set("accounts[0].account_type", `"checking"`)},
		[]string{`accounts[0].account_type: "checking" must be "unknown" or start with depository., investment., liability. or other.`}},
	{"account_type 2023 enum credit_card", []mutation{set("accounts[1].account_type", `"credit_card"`)},
		[]string{`accounts[1].account_type: "credit_card" must be "unknown" or start with depository., investment., liability. or other.`}},
	{"account_type bare prefix", []mutation{set("accounts[0].account_type", `"depository."`)},
		[]string{`accounts[0].account_type: "depository." must be "unknown" or start with depository., investment., liability. or other.`}},
	{"account_type null", []mutation{set("accounts[0].account_type", `null`)},
		[]string{"accounts[0].account_type: want string, got null"}},
	{"account_type unknown is fine", []mutation{set("accounts[1].account_type", `"unknown"`)}, nil},
	{"account_type other.* is fine", []mutation{set("accounts[1].account_type", `"other.prepaid"`)}, nil},
	{"name empty", []mutation{set("accounts[0].name", `""`)}, []string{"accounts[0].name: must not be empty"}},
	{"name blank", []mutation{set("accounts[0].name", `"  "`)}, []string{"accounts[0].name: must not be empty"}},
	{"name missing", []mutation{del("accounts[0].name")}, []string{"accounts[0].name: missing required key"}},
	{"nickname number", []mutation{set("accounts[0].nickname", `5`)},
		[]string{"accounts[0].nickname: want string or null, got number"}},
	{"optional account keys absent", []mutation{
		del("accounts[0].nickname"), del("accounts[0].account_mask"), del("accounts[0].original_id"), del("accounts[0].closed"),
	}, nil},
	{"account_mask 3 digits", []mutation{set("accounts[0].account_mask", `"445"`)},
		[]string{`accounts[0].account_mask: "445" must be exactly 4 digits`}},
	{"account_mask letter", []mutation{set("accounts[0].account_mask", `"44a8"`)},
		[]string{`accounts[0].account_mask: "44a8" must be exactly 4 digits`}},
	{"account_mask number", []mutation{set("accounts[0].account_mask", `4458`)},
		[]string{"accounts[0].account_mask: want string or null, got number"}},
	{"account_mask duplicate", []mutation{set("accounts[1].account_mask", `"4458"`)},
		[]string{`accounts[1].account_mask: "4458" duplicates accounts[0].account_mask`}},
	{"account_mask both null", []mutation{set("accounts[0].account_mask", `null`), set("accounts[1].account_mask", `null`)}, nil},
	{"original_id number", []mutation{set("accounts[0].original_id", `1`)},
		[]string{"accounts[0].original_id: want string or null, got number"}},
	{"closed string", []mutation{set("accounts[0].closed", `"no"`)},
		[]string{"accounts[0].closed: want boolean or null, got string"}},
	{"raw_provider_data", []mutation{set("accounts[0].raw_provider_data", `{}`)},
		[]string{"accounts[0].raw_provider_data: unknown key"}},
	{"balances missing", []mutation{del("accounts[0].balances")}, []string{"accounts[0].balances: missing required key"}},
	{"balances null", []mutation{set("accounts[0].balances", `null`)}, []string{"accounts[0].balances: want object, got null"}},

	// Balances.
	{"currency lower case", []mutation{set("accounts[0].balances.currency", `"usd"`)},
		[]string{`accounts[0].balances.currency: "usd" must be 3 upper-case letters`}},
	{"currency name", []mutation{set("accounts[0].balances.currency", `"US Dollar"`)},
		[]string{`accounts[0].balances.currency: "US Dollar" must be 3 upper-case letters`}},
	{"currency missing", []mutation{del("accounts[0].balances.currency")},
		[]string{"accounts[0].balances.currency: missing required key"}},
	{"currency null", []mutation{set("accounts[0].balances.currency", `null`)},
		[]string{"accounts[0].balances.currency: want string, got null"}},
	{"balances unknown key", []mutation{set("accounts[0].balances.iso_currency_code", `"USD"`)},
		[]string{"accounts[0].balances.iso_currency_code: unknown key"}},
	{"available as string", []mutation{set("accounts[0].balances.available", `"340.12"`)},
		[]string{"accounts[0].balances.available: want number or null, got string"}},
	{"limit as string", []mutation{set("accounts[1].balances.limit", `"5000"`)},
		[]string{"accounts[1].balances.limit: want number or null, got string"}},
	{"three decimals", []mutation{set("accounts[0].balances.available", `12.345`)},
		[]string{"accounts[0].balances.available: 12.345 has more than 2 decimal places"}},
	{"exponent with decimals", []mutation{set("accounts[0].balances.available", `1e-3`)},
		[]string{"accounts[0].balances.available: 1e-3 has more than 2 decimal places"}},
	{"exponent integer is fine", []mutation{set("accounts[0].balances.available", `1.5e2`)}, nil},
	{"trailing zeros are fine", []mutation{set("accounts[0].balances.available", `100.500`)}, nil},
	{"depository available null", []mutation{set("accounts[0].balances.available", `null`)},
		[]string{"accounts[0].balances.available: must be a non-null number for depository accounts"}},
	{"depository available missing", []mutation{del("accounts[0].balances.available")},
		[]string{"accounts[0].balances.available: must be a non-null number for depository accounts"}},
	{"depository current null", []mutation{set("accounts[0].balances.current", `null`)},
		[]string{"accounts[0].balances.current: must be a non-null number for depository accounts"}},
	{"depository available above current", []mutation{set("accounts[0].balances.available", `2000`)},
		[]string{"accounts[0].balances.available: must be <= current (2000 > 1925.75)"}},
	{"depository available equal to current", []mutation{set("accounts[0].balances.available", `1925.75`)}, nil},
	{"depository available negative", []mutation{set("accounts[0].balances.available", `-1`)},
		[]string{"accounts[0].balances.available: must be >= 0, got -1"}},
	{"depository limit (overdraft) is fine", []mutation{set("accounts[0].balances.limit", `500`)}, nil},
	{"credit card limit null", []mutation{set("accounts[1].balances.limit", `null`)},
		[]string{"accounts[1].balances.limit: must be a non-null number for liability.credit_card accounts"}},
	{"credit card limit zero", []mutation{set("accounts[1].balances.limit", `0`)},
		[]string{"accounts[1].balances.limit: must be > 0, got 0"}},
	{"credit card current null", []mutation{set("accounts[1].balances.current", `null`)},
		[]string{"accounts[1].balances.current: must be a non-null number for liability.credit_card accounts"}},
	{"credit card current above limit", []mutation{set("accounts[1].balances.current", `6000`), set("accounts[1].balances.available", `null`)},
		[]string{"accounts[1].balances.current: must be <= limit (6000 > 5000)"}},
	{"credit card current above limit, available kept", []mutation{set("accounts[1].balances.current", `6000`)},
		[]string{
			"accounts[1].balances.current: must be <= limit (6000 > 5000)",
			"accounts[1].balances.available: must equal limit - current = -1000.00, got 3765.44",
		}},
	{"credit card current negative", []mutation{set("accounts[1].balances.current", `-10`), set("accounts[1].balances.available", `null`)},
		[]string{"accounts[1].balances.current: must be >= 0 (amount owed), got -10"}},
	{"credit card available wrong", []mutation{set("accounts[1].balances.available", `3000`)},
		[]string{"accounts[1].balances.available: must equal limit - current = 3765.44, got 3000"}},
	{"credit card available within half a cent", []mutation{set("accounts[1].balances.available", `3765.444`)},
		[]string{"accounts[1].balances.available: 3765.444 has more than 2 decimal places"}},
	{"credit card available null is fine", []mutation{set("accounts[1].balances.available", `null`)}, nil},
	{"investment is fine", []mutation{set("accounts[1].account_type", `"investment.brokerage"`)}, nil},
	{"investment current null", []mutation{set("accounts[1].account_type", `"investment.brokerage"`), set("accounts[1].balances.current", `null`)},
		[]string{"accounts[1].balances.current: must be a non-null number for investment accounts"}},
	{"investment current negative", []mutation{set("accounts[1].account_type", `"investment.brokerage"`), set("accounts[1].balances.current", `-5`)},
		[]string{"accounts[1].balances.current: must be >= 0, got -5"}},
	{"balance_date date only", []mutation{set("accounts[0].balances.balance_date", `"2024-05-01"`)},
		[]string{`accounts[0].balances.balance_date: "2024-05-01" is not an RFC 3339 date-time`}},
	{"balance_date naive", []mutation{set("accounts[0].balances.balance_date", `"2023-02-16T09:14:11"`)},
		[]string{`accounts[0].balances.balance_date: "2023-02-16T09:14:11" is not an RFC 3339 date-time`}},
	{"balance_date offset", []mutation{set("accounts[0].balances.balance_date", `"2024-05-01T12:00:00+02:00"`)},
		[]string{`accounts[0].balances.balance_date: "2024-05-01T12:00:00+02:00" is not UTC (want YYYY-MM-DDTHH:MM:SS[.frac]Z)`}},
	{"balance_date comma fraction", []mutation{set("accounts[0].balances.balance_date", `"2024-05-01T12:00:00,5Z"`)},
		[]string{`accounts[0].balances.balance_date: "2024-05-01T12:00:00,5Z" is not UTC (want YYYY-MM-DDTHH:MM:SS[.frac]Z)`}},
	{"balance_date impossible", []mutation{set("accounts[0].balances.balance_date", `"2024-02-30T12:00:00Z"`)},
		[]string{`accounts[0].balances.balance_date: "2024-02-30T12:00:00Z" is not an RFC 3339 date-time`}},
	{"balance_date null is fine", []mutation{set("accounts[0].balances.balance_date", `null`)}, nil},

	// Owners.
	{"owners missing", []mutation{del("accounts[0].owners")}, []string{"accounts[0].owners: missing required key"}},
	{"owners empty", []mutation{set("accounts[1].owners", `[]`)}, []string{"accounts[1].owners: must have 1 or 2 owners, got 0"}},
	{"three owners", []mutation{set("accounts[0].owners[2]", `{"names":["Ava Lee"],"addresses":[],"phone_numbers":[],"emails":[]}`)},
		[]string{"accounts[0].owners: must have 1 or 2 owners, got 3"}},
	{"owner not an object", []mutation{set("accounts[0].owners[0]", `"Renée"`)},
		[]string{"accounts[0].owners[0]: want object, got string"}},
	{"owner unknown key", []mutation{set("accounts[0].owners[0].ssn", `"000-00-0000"`)},
		[]string{"accounts[0].owners[0].ssn: unknown key"}},
	{"names empty", []mutation{set("accounts[0].owners[0].names", `[]`)},
		[]string{"accounts[0].owners[0].names: must have at least 1 name"}},
	{"names empty string", []mutation{set("accounts[0].owners[0].names", `[""]`)},
		[]string{"accounts[0].owners[0].names[0]: must not be empty"}},
	{"names number", []mutation{set("accounts[0].owners[0].names", `[5]`)},
		[]string{"accounts[0].owners[0].names[0]: want string, got number"}},
	{"names missing", []mutation{del("accounts[0].owners[0].names")},
		[]string{"accounts[0].owners[0].names: missing required key"}},
	{"addresses missing", []mutation{del("accounts[0].owners[0].addresses")},
		[]string{"accounts[0].owners[0].addresses: missing required key"}},
	{"phone_numbers null", []mutation{set("accounts[0].owners[0].phone_numbers", `null`)},
		[]string{"accounts[0].owners[0].phone_numbers: want array, got null"}},
	{"emails missing", []mutation{del("accounts[0].owners[0].emails")},
		[]string{"accounts[0].owners[0].emails: missing required key"}},
	{"empty contact lists are fine", []mutation{
		set("accounts[0].owners[0].addresses", `[]`), set("accounts[0].owners[0].phone_numbers", `[]`), set("accounts[0].owners[0].emails", `[]`),
	}, nil},
	{"two primary addresses", []mutation{set("accounts[0].owners[0].addresses[1].primary", `true`)},
		[]string{"accounts[0].owners[0].addresses: 2 entries have primary=true, want exactly 1"}},
	{"no primary address", []mutation{set("accounts[0].owners[0].addresses[0].primary", `false`)},
		[]string{"accounts[0].owners[0].addresses: no entry has primary=true, want exactly 1"}},
	{"two primary phones", []mutation{set("accounts[0].owners[0].phone_numbers[1].primary", `true`)},
		[]string{"accounts[0].owners[0].phone_numbers: 2 entries have primary=true, want exactly 1"}},
	{"no primary email", []mutation{set("accounts[0].owners[0].emails[0].primary", `false`)},
		[]string{"accounts[0].owners[0].emails: no entry has primary=true, want exactly 1"}},
	{"address primary missing", []mutation{del("accounts[0].owners[0].addresses[1].primary")},
		[]string{"accounts[0].owners[0].addresses[1].primary: missing required key"}},
	{"address primary null", []mutation{set("accounts[0].owners[0].addresses[1].primary", `null`)},
		[]string{"accounts[0].owners[0].addresses[1].primary: want boolean, got null"}},
	{"address not an object", []mutation{set("accounts[0].owners[0].addresses[1]", `"12 Fore St"`)},
		[]string{"accounts[0].owners[0].addresses[1]: want object, got string"}},
	{"address city number", []mutation{set("accounts[0].owners[0].addresses[0].city", `5`)},
		[]string{"accounts[0].owners[0].addresses[0].city: want string or null, got number"}},
	{"address street missing", []mutation{del("accounts[0].owners[0].addresses[0].street")},
		[]string{"accounts[0].owners[0].addresses[0].street: missing required key"}},
	{"address unknown key", []mutation{set("accounts[0].owners[0].addresses[0].line2", `"Apt 4"`)},
		[]string{"accounts[0].owners[0].addresses[0].line2: unknown key"}},
	{"address all null is fine", []mutation{set("accounts[0].owners[0].addresses[1]",
		`{"city":null,"country":null,"postal_code":null,"region":null,"street":null,"primary":false}`)}, nil},
	{"US region spelled out", []mutation{set("accounts[0].owners[0].addresses[0].region", `"Massachusetts"`)},
		[]string{`accounts[0].owners[0].addresses[0].region: must be a 2-letter USPS state code when country is "US", got "Massachusetts"`}},
	{"US region unknown", []mutation{set("accounts[0].owners[0].addresses[0].region", `"XX"`)},
		[]string{`accounts[0].owners[0].addresses[0].region: must be a 2-letter USPS state code when country is "US", got "XX"`}},
	{"US region null", []mutation{set("accounts[0].owners[0].addresses[0].region", `null`)},
		[]string{`accounts[0].owners[0].addresses[0].region: must be a 2-letter USPS state code when country is "US", got null`}},
	{"US territory region is fine", []mutation{set("accounts[0].owners[0].addresses[1].region", `"PR"`),
		set("accounts[0].owners[0].addresses[1].postal_code", `"00901"`)}, nil},
	{"US ZIP 4 digits", []mutation{set("accounts[0].owners[0].addresses[0].postal_code", `"2110"`)},
		[]string{`accounts[0].owners[0].addresses[0].postal_code: must be a 5-digit ZIP or ZIP+4 when country is "US", got "2110"`}},
	{"US ZIP+2", []mutation{set("accounts[0].owners[0].addresses[0].postal_code", `"02110-12"`)},
		[]string{`accounts[0].owners[0].addresses[0].postal_code: must be a 5-digit ZIP or ZIP+4 when country is "US", got "02110-12"`}},
	{"US ZIP null", []mutation{set("accounts[0].owners[0].addresses[0].postal_code", `null`)},
		[]string{`accounts[0].owners[0].addresses[0].postal_code: must be a 5-digit ZIP or ZIP+4 when country is "US", got null`}},
	{"Canadian address is fine", []mutation{set("accounts[0].owners[0].addresses[1]",
		`{"city":"Toronto","country":"CA","postal_code":"M5V 2T6","region":"ON","street":"1 King St W","primary":false}`)}, nil},
	{"country USA", []mutation{set("accounts[0].owners[0].addresses[0].country", `"USA"`)},
		[]string{`accounts[0].owners[0].addresses[0].country: "USA" must be a 2-letter upper-case ISO 3166-1 code`}},
	{"phone type null", []mutation{set("accounts[0].owners[0].phone_numbers[0].type", `null`)},
		[]string{"accounts[0].owners[0].phone_numbers[0].type: want string, got null"}},
	{"phone type cell", []mutation{set("accounts[0].owners[0].phone_numbers[0].type", `"cell"`)},
		[]string{`accounts[0].owners[0].phone_numbers[0].type: "cell" is not one of home|work|mobile|other`}},
	{"phone type missing", []mutation{del("accounts[0].owners[0].phone_numbers[0].type")},
		[]string{"accounts[0].owners[0].phone_numbers[0].type: missing required key"}},
	{"phone number empty", []mutation{set("accounts[0].owners[0].phone_numbers[1].number", `""`)},
		[]string{"accounts[0].owners[0].phone_numbers[1].number: must not be empty"}},
	{"phone number numeric", []mutation{set("accounts[0].owners[0].phone_numbers[1].number", `6175551212`)},
		[]string{"accounts[0].owners[0].phone_numbers[1].number: want string, got number"}},
	{"phone primary missing", []mutation{del("accounts[0].owners[0].phone_numbers[1].primary")},
		[]string{"accounts[0].owners[0].phone_numbers[1].primary: missing required key"}},
	{"sandbox-style phone formats are fine", []mutation{set("accounts[0].owners[0].phone_numbers[1].number", `"807.145.4629x157"`)}, nil},
	{"email without @", []mutation{set("accounts[0].owners[0].emails[1].address", `"foo"`)},
		[]string{`accounts[0].owners[0].emails[1].address: "foo" is not an email address (want exactly one @ and a dot in the domain)`}},
	{"email with two @", []mutation{set("accounts[0].owners[0].emails[1].address", `"a@b@example.com"`)},
		[]string{`accounts[0].owners[0].emails[1].address: "a@b@example.com" is not an email address (want exactly one @ and a dot in the domain)`}},
	{"email without dot in domain", []mutation{set("accounts[0].owners[0].emails[1].address", `"renee@localhost"`)},
		[]string{`accounts[0].owners[0].emails[1].address: "renee@localhost" is not an email address (want exactly one @ and a dot in the domain)`}},
	{"email primary string", []mutation{set("accounts[0].owners[0].emails[1].primary", `"yes"`)},
		[]string{"accounts[0].owners[0].emails[1].primary: want boolean, got string"}},
	{"primary email unrelated to name", []mutation{set("accounts[0].owners[0].emails[0].address", `"xyz123@example.com"`)},
		[]string{`accounts[0].owners[0].emails[0].address: local part "xyz123" of the primary email contains neither "renee" nor "oconnor" from names[0] "Renée O'Connor"`}},
	{"primary moved to an unrelated email", []mutation{
		set("accounts[0].owners[0].emails[0].primary", `false`), set("accounts[0].owners[0].emails[1].primary", `true`),
	}, []string{`accounts[0].owners[0].emails[1].address: local part "r.oc" of the primary email contains neither "renee" nor "oconnor" from names[0] "Renée O'Connor"`}},
	{"primary email from last name", []mutation{set("accounts[0].owners[0].emails[0].address", `"OConnor99@example.com"`)}, nil},
	{"primary email with punctuation", []mutation{set("accounts[0].owners[0].emails[0].address", `"o-connor_r@example.com"`)}, nil},
	{"honorific and suffix skipped", []mutation{set("accounts[0].owners[0].names", `["Dr. Renée O'Connor Jr."]`)}, nil},
	{"shared owner with unrelated email", []mutation{
		set("accounts[0].owners[1].emails[0].address", `"info@example.org"`), set("accounts[1].owners[0].emails[0].address", `"info@example.org"`),
	}, []string{
		`accounts[0].owners[1].emails[0].address: local part "info" of the primary email contains neither "samuel" nor "okafor" from names[0] "Samuel Okafor"`,
		`accounts[1].owners[0].emails[0].address: local part "info" of the primary email contains neither "samuel" nor "okafor" from names[0] "Samuel Okafor"`,
	}},
	{"shared owner differs in email", []mutation{set("accounts[1].owners[0].emails[0].address", `"samuel.okafor@example.org"`)},
		[]string{"accounts[1].owners[0]: differs from accounts[0].owners[1], which has the same names"}},
	{"shared owner differs in phones", []mutation{set("accounts[1].owners[0].phone_numbers", `[{"number":"+16175550000","primary":true,"type":"home"}]`)},
		[]string{"accounts[1].owners[0]: differs from accounts[0].owners[1], which has the same names"}},
	{"same owner twice in one account", []mutation{cp("accounts[0].owners[0]", "accounts[0].owners[1]")},
		[]string{"accounts[0].owners[1]: duplicates accounts[0].owners[0] (same names) in one account"}},

	// Link.
	{"link_id mismatch", []mutation{set("link.link_id", `"mk_other"`)},
		[]string{`link.link_id: got "mk_other", want "mk_P542taTHRdeyVPkm9XVvWv"`}},
	{"institution_id empty", []mutation{set("link.institution_id", `""`)}, []string{"link.institution_id: must not be empty"}},
	{"institution_name missing", []mutation{del("link.institution_name")}, []string{"link.institution_name: missing required key"}},
	{"institution_avatar missing", []mutation{del("link.institution_avatar")}, []string{"link.institution_avatar: missing required key"}},
	{"institution_avatar null", []mutation{set("link.institution_avatar", `null`)}, []string{"link.institution_avatar: want string, got null"}},
	{"institution_avatar empty", []mutation{set("link.institution_avatar", `""`)}, []string{"link.institution_avatar: must not be empty"}},
	{"institution_avatar ftp", []mutation{set("link.institution_avatar", `"ftp://example.com/a.png"`)},
		[]string{`link.institution_avatar: must be an http(s) URL or a data:image/ URL, got "ftp://example.com/a.png"`}},
	{"institution_avatar relative", []mutation{set("link.institution_avatar", `"avatar.png"`)},
		[]string{`link.institution_avatar: must be an http(s) URL or a data:image/ URL, got "avatar.png"`}},
	{"institution_avatar data text", []mutation{set("link.institution_avatar", `"data:text/plain,hi"`)},
		[]string{`link.institution_avatar: must be an http(s) URL or a data:image/ URL, got "data:text/plain,hi"`}},
	{"institution_avatar data image is fine", []mutation{set("link.institution_avatar", `"data:image/png;base64,iVBORw0KGgo="`)}, nil},
	{"state unknown", []mutation{set("link.state", `"active"`)},
		[]string{`link.state: "active" is not one of connecting|awaiting_token_exchange|connected|deleted|error`}},
	{"state error without error_code", []mutation{set("link.state", `"error"`)},
		[]string{`link.error_code: must not be null when state is "error"`}},
	{"state error, error_code missing", []mutation{set("link.state", `"error"`), del("link.error_code")},
		[]string{`link.error_code: must not be null when state is "error"`}},
	{"state error with error_code", []mutation{set("link.state", `"error"`), set("link.error_code", `"auth_expired"`)}, nil},
	{"state connected with error_code", []mutation{set("link.error_code", `"auth_expired"`)},
		[]string{`link.error_code: must be null when state is "connected", got "auth_expired"`}},
	{"error_code removed value", []mutation{set("link.state", `"error"`), set("link.error_code", `"payment_error"`)},
		[]string{`link.error_code: "payment_error" is not one of system_error|provider_error|institution_error|user_error|auth_expired|no_accounts|user_setup_required|invalid_credentials|user_oauth_denied|user_input_incorrect|incomplete`}},
	{"error_code number", []mutation{set("link.error_code", `5`)}, []string{"link.error_code: want string or null, got number"}},
	{"state deleted is fine", []mutation{set("link.state", `"deleted"`)}, nil},
	{"provider sophtron", []mutation{set("link.provider", `"sophtron"`)},
		[]string{`link.provider: "sophtron" is not one of moneykit|finicity|plaid|yodlee|mx|akoya`}},
	{"provider missing", []mutation{del("link.provider")}, []string{"link.provider: missing required key"}},
	{"provider null", []mutation{set("link.provider", `null`)}, []string{"link.provider: want string, got null"}},
	{"last_synced_at naive", []mutation{set("link.last_synced_at", `"2023-02-16T09:14:11"`)},
		[]string{`link.last_synced_at: "2023-02-16T09:14:11" is not an RFC 3339 date-time`}},
	{"optional link keys absent", []mutation{
		del("link.error_code"), del("link.last_synced_at"), del("link.link_tags"), del("link.tags"), del("link.webhook"),
	}, nil},
	{"tags differ from link_tags", []mutation{set("link.tags", `["user_type:user"]`)},
		[]string{"link.tags: must equal link_tags (tags is its deprecated alias)"}},
	{"tags null, link_tags set", []mutation{set("link.tags", `null`)},
		[]string{"link.tags: must equal link_tags (tags is its deprecated alias)"}},
	{"tags only", []mutation{del("link.link_tags")}, nil},
	{"both tags null", []mutation{set("link.tags", `null`), set("link.link_tags", `null`)}, nil},
	{"link_tags item number", []mutation{set("link.link_tags", `[1]`)}, []string{"link.link_tags[0]: want string, got number"}},
	{"link_tags string", []mutation{set("link.link_tags", `"a"`)}, []string{"link.link_tags: want array or null, got string"}},
	{"webhook number", []mutation{set("link.webhook", `5`)}, []string{"link.webhook: want string or null, got number"}},
	{"webhook URL is fine", []mutation{set("link.webhook", `"https://example.com/webhook"`)}, nil},
	{"link unknown key", []mutation{set("link.raw_provider_data", `{}`)}, []string{"link.raw_provider_data: unknown key"}},

	// Products.
	{"products missing", []mutation{del("link.products")}, []string{"link.products: missing required key"}},
	{"products array", []mutation{set("link.products", `[]`)}, []string{"link.products: want object, got array"}},
	{"products empty is fine", []mutation{set("link.products", `{}`)}, nil},
	{"product unknown", []mutation{set("link.products.loans", `{}`)}, []string{"link.products.loans: unknown key"}},
	{"product null", []mutation{set("link.products.identity", `null`)}, []string{"link.products.identity: want object, got null"}},
	{"transactions without has_history", []mutation{del("link.products.transactions.has_history")},
		[]string{"link.products.transactions.has_history: missing required key"}},
	{"has_history string", []mutation{set("link.products.transactions.has_history", `"yes"`)},
		[]string{"link.products.transactions.has_history: want boolean, got string"}},
	{"has_history on identity", []mutation{set("link.products.identity.has_history", `true`)},
		[]string{"link.products.identity.has_history: unknown key"}},
	{"last_enriched on identity", []mutation{set("link.products.identity.last_enriched", `null`)},
		[]string{"link.products.identity.last_enriched: unknown key"}},
	{"last_enriched bad", []mutation{set("link.products.transactions.last_enriched", `"yesterday"`)},
		[]string{`link.products.transactions.last_enriched: "yesterday" is not an RFC 3339 date-time`}},
	{"last_enriched null is fine", []mutation{set("link.products.transactions.last_enriched", `null`)}, nil},
	{"identity without settings", []mutation{del("link.products.identity.settings")},
		[]string{"link.products.identity.settings: missing required key"}},
	{"transactions without settings", []mutation{del("link.products.transactions.settings")},
		[]string{"link.products.transactions.settings: missing required key"}},
	{"account_numbers without settings", []mutation{
		set("link.products.account_numbers", `{"refreshed_at":null}`), set("link.available_products", `["investments"]`),
	}, []string{"link.products.account_numbers.settings: missing required key"}},
	{"accounts without settings is fine", []mutation{del("link.products.accounts.settings")}, nil},
	{"settings null", []mutation{set("link.products.identity.settings", `null`)},
		[]string{"link.products.identity.settings: want object, got null"}},
	{"settings prefetch missing", []mutation{del("link.products.identity.settings.prefetch")},
		[]string{"link.products.identity.settings.prefetch: missing required key"}},
	{"settings required string", []mutation{set("link.products.identity.settings.required", `"no"`)},
		[]string{"link.products.identity.settings.required: want boolean, got string"}},
	{"settings reason number", []mutation{set("link.products.identity.settings.reason", `1`)},
		[]string{"link.products.identity.settings.reason: want string or null, got number"}},
	{"settings require_permission null", []mutation{set("link.products.identity.settings.require_permission", `null`)},
		[]string{"link.products.identity.settings.require_permission: want boolean, got null"}},
	{"settings extend_history", []mutation{set("link.products.transactions.settings.extend_history", `true`)},
		[]string{"link.products.transactions.settings.extend_history: unknown key"}},
	{"product error_code removed value", []mutation{set("link.products.identity.error_code", `"invalid_credentials"`)},
		[]string{`link.products.identity.error_code: "invalid_credentials" is not one of rate_limit|auth_expired|not_supported|timeout|unknown|no_accounts|institution_error|no_permission`}},
	{"product error is fine", []mutation{
		set("link.products.identity.error_code", `"rate_limit"`), set("link.products.identity.error_message", `"Rate limited"`),
	}, nil},
	{"product error_message number", []mutation{set("link.products.identity.error_message", `1`)},
		[]string{"link.products.identity.error_message: want string or null, got number"}},
	{"product unavailable bool", []mutation{set("link.products.identity.unavailable", `true`)},
		[]string{"link.products.identity.unavailable: want string or null, got boolean"}},
	{"product unknown key", []mutation{set("link.products.accounts.state", `"completed"`)},
		[]string{"link.products.accounts.state: unknown key"}},
	{"last_attempted_at before refreshed_at", []mutation{set("link.products.identity.last_attempted_at", `"2024-04-30T00:00:00Z"`)},
		[]string{"link.products.identity.last_attempted_at: 2024-04-30T00:00:00Z is before refreshed_at 2024-05-01T12:00:00Z"}},
	{"never refreshed is fine", []mutation{set("link.products.identity.refreshed_at", `null`)}, nil},
	{"refreshed_at offset", []mutation{set("link.products.accounts.refreshed_at", `"2024-05-01T14:00:00+02:00"`)},
		[]string{`link.products.accounts.refreshed_at: "2024-05-01T14:00:00+02:00" is not UTC (want YYYY-MM-DDTHH:MM:SS[.frac]Z)`}},
	{"available_products missing", []mutation{del("link.available_products")}, []string{"link.available_products: missing required key"}},
	{"available_products null", []mutation{set("link.available_products", `null`)}, []string{"link.available_products: want array, got null"}},
	{"available_products empty is fine", []mutation{set("link.available_products", `[]`)}, nil},
	{"available_products duplicate", []mutation{set("link.available_products", `["investments","investments"]`)},
		[]string{`link.available_products[1]: duplicate "investments"`}},
	{"available_products already linked", []mutation{set("link.available_products", `["identity"]`)},
		[]string{`link.available_products[0]: "identity" is also a key of products`}},
	{"available_products unknown", []mutation{set("link.available_products", `["loans"]`)},
		[]string{`link.available_products[0]: "loans" is not one of accounts|account_numbers|identity|transactions|investments|enrichment`}},
}

func TestIdentityMutations(t *testing.T) {
	good := readTestdata(t, "good_identity.json")
	for _, tc := range identityMutations {
		t.Run(tc.name, func(t *testing.T) {
			body := mutate(t, good, tc.muts...)
			checkProblems(t, Identity(body, goodLinkID), tc.want)
		})
	}
}

func TestIdentityReportsEveryProblem(t *testing.T) {
	body := mutate(t, readTestdata(t, "good_identity.json"),
		set("accounts[0].balances.currency", `"usd"`),
		set("accounts[1].owners[0].phone_numbers", `[{"number":"1","primary":true,"type":null}]`),
		del("link.institution_avatar"),
	)
	checkProblems(t, Identity(body, goodLinkID), []string{
		`accounts[0].balances.currency: "usd" must be 3 upper-case letters`,
		"accounts[1].owners[0].phone_numbers[0].type: want string, got null",
		"accounts[1].owners[0]: differs from accounts[0].owners[1], which has the same names",
		"link.institution_avatar: missing required key",
	})
}

func TestNameParts(t *testing.T) {
	for _, tc := range []struct{ name, first, last string }{
		{"Renée O'Connor", "renee", "oconnor"},
		{"  José  Núñez-García ", "jose", "nunezgarcia"},
		{"Mrs. Zoë Æbelø III", "zoe", "aebelo"},
		{"Cher", "cher", "cher"},
		{"Dr.", "dr", "dr"},
		{"Łukasz Wałęsa", "lukasz", "walesa"},
		{"Straße, Jörg", "strasse", "jorg"},
		{"Иван Петров", "", ""},
	} {
		if first, last := nameParts(tc.name); first != tc.first || last != tc.last {
			t.Errorf("nameParts(%q) = %q, %q; want %q, %q", tc.name, first, last, tc.first, tc.last)
		}
	}
}

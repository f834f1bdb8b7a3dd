package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// TestParsePersonasBroken pins every message, with its position, for each
// broken fixtures file.
func TestParsePersonasBroken(t *testing.T) {
	for _, tc := range brokenPersonaFiles {
		t.Run(tc.file, func(t *testing.T) {
			name := filepath.ToSlash(filepath.Join("testdata", tc.file))
			personas, err := ParsePersonas(name, readFile(t, name))
			if personas != nil {
				t.Errorf("ParsePersonas returned %d personas with an error, want none", len(personas))
			}
			checkLines(t, errorLines(t, err), tc.want)
		})
	}
}

var brokenPersonaFiles = []brokenFile{
	{"broken_persona_toplevel.yaml", []string{
		"testdata/broken_persona_toplevel.yaml:1:1: top level must be a mapping with a personas key, got a sequence",
	}},
	{"broken_persona_structure.yaml", []string{
		`testdata/broken_persona_structure.yaml:1:1: unknown key "links" at top level (want personas; links belong in a scenario file)`,
		`testdata/broken_persona_structure.yaml:5:3: duplicate key "ada" in personas (first at line 4, column 3)`,
		`testdata/broken_persona_structure.yaml:6:3: persona name "Bad Name" must match ^[a-z0-9_-]+$`,
		`testdata/broken_persona_structure.yaml:7:7: persona "ok" must be a mapping, got a sequence`,
		`testdata/broken_persona_structure.yaml:8:9: unknown key "owner" in persona "ok2" (want owners, accounts, institution, provider, link_tags, webhook)`,
		`testdata/broken_persona_structure.yaml:8:34: duplicate key "provider" in persona "ok2" (first at line 8, column 20)`,
		`testdata/broken_persona_structure.yaml:9:9: merge keys (<<) are not supported; use an alias for the whole value`,
		`testdata/broken_persona_structure.yaml:10:3: keys must be strings, got a sequence in personas`,
	}},
	{"broken_persona_owners.yaml", []string{
		`testdata/broken_persona_owners.yaml:3:13: owners must list at least one owner (leave owners out to generate them)`,
		`testdata/broken_persona_owners.yaml:6:16: names must have at least one name (leave names out to generate one)`,
		`testdata/broken_persona_owners.yaml:7:26: a name must be a non-empty string, got 42 (quote it: "42")`,
		`testdata/broken_persona_owners.yaml:8:9: unknown key "nmes" in owner (want names, emails, phone_numbers, addresses)`,
		`testdata/broken_persona_owners.yaml:9:17: owner "Ann Lee" appears twice in persona "b" (first at line 7, column 17); accounts name owners by names[0], so it must be unique`,
		`testdata/broken_persona_owners.yaml:10:9: an owner must be a mapping of names, emails, phone_numbers, addresses, got "nope"`,
		`testdata/broken_persona_owners.yaml:11:16: names must be a sequence, got ""`,
		`testdata/broken_persona_owners.yaml:17:49: more than one primary in emails (first at line 16, column 48)`,
		`testdata/broken_persona_owners.yaml:18:23: address "not an email" is not an email address (want one @ and a dot in the domain)`,
		`testdata/broken_persona_owners.yaml:19:13: an email needs address`,
		`testdata/broken_persona_owners.yaml:19:23: primary must be true or false, got "yes"`,
		`testdata/broken_persona_owners.yaml:20:13: an email must be a mapping such as {address: ada@example.com, primary: true}, got "cy@example.com"`,
		`testdata/broken_persona_owners.yaml:21:38: unknown key "adress" in email (want address, primary)`,
		`testdata/broken_persona_owners.yaml:23:22: number must be a non-empty string, got 15125550142 (quote it: "15125550142")`,
		`testdata/broken_persona_owners.yaml:24:44: unknown phone type "cell" (want one of home, work, mobile, other)`,
		`testdata/broken_persona_owners.yaml:25:13: a phone number needs type (one of home, work, mobile, other)`,
		`testdata/broken_persona_owners.yaml:26:13: a phone number needs number`,
		`testdata/broken_persona_owners.yaml:26:35: primary must be true or false, got 1`,
		`testdata/broken_persona_owners.yaml:28:23: country must be a 2-letter upper-case ISO 3166-1 code such as US or GB, got "us"`,
		`testdata/broken_persona_owners.yaml:29:35: region must be a 2-letter USPS state code when country is US, got "Texas"`,
		`testdata/broken_persona_owners.yaml:29:55: postal_code must be a 5-digit ZIP or ZIP+4 when country is US, got "7870"`,
		`testdata/broken_persona_owners.yaml:30:13: a US address needs region (a 2-letter USPS state code such as TX)`,
		`testdata/broken_persona_owners.yaml:30:40: postal_code must be a string, got 78704 (quote it: "78704")`,
		`testdata/broken_persona_owners.yaml:31:13: a US address needs region (a 2-letter USPS state code such as TX)`,
		`testdata/broken_persona_owners.yaml:31:13: a US address needs postal_code (a ZIP code such as "78704")`,
		`testdata/broken_persona_owners.yaml:34:84: more than one primary in emails (first at line 34, column 77)`,
		`testdata/broken_persona_owners.yaml:35:9: owner "Dee" appears twice in persona "d" (first at line 34, column 23); accounts name owners by names[0], so it must be unique`,
		`testdata/broken_persona_owners.yaml:39:13: owners must be a sequence, got a mapping`,
	}},
	{"broken_persona_accounts.yaml", []string{
		`testdata/broken_persona_accounts.yaml:8:23: unknown account_type "checking" (want unknown or depository.*, investment.*, liability.*, other.*, such as depository.checking)`,
		`testdata/broken_persona_accounts.yaml:9:23: account_mask must be a string of exactly 4 digits, got the number 1234 (quote it: "1234")`,
		`testdata/broken_persona_accounts.yaml:11:23: unknown account_type "depository." (want unknown or depository.*, investment.*, liability.*, other.*, such as depository.checking)`,
		`testdata/broken_persona_accounts.yaml:12:23: account_mask must be exactly 4 digits, got "12345"`,
		`testdata/broken_persona_accounts.yaml:13:17: an account has 1 or 2 owners, got 0 (leave owners out for every owner of the persona)`,
		`testdata/broken_persona_accounts.yaml:15:17: an account has 1 or 2 owners, got 3 (leave owners out for every owner of the persona)`,
		`testdata/broken_persona_accounts.yaml:16:23: account_mask "4321" is already used by another account of this persona (first at line 14, column 23)`,
		`testdata/broken_persona_accounts.yaml:17:27: owner "Ann Lee" is listed twice in this account (first at line 17, column 18)`,
		`testdata/broken_persona_accounts.yaml:18:18: account owner "Dee Lee" is not an owner of persona "a" (known: Ann Lee, Bo Lee, Cy Lee)`,
		`testdata/broken_persona_accounts.yaml:19:17: closed must be true or false, got "no"`,
		`testdata/broken_persona_accounts.yaml:20:15: name must be a non-empty string, got ""`,
		`testdata/broken_persona_accounts.yaml:21:19: nickname must be a non-empty string, got 7 (quote it: "7")`,
		`testdata/broken_persona_accounts.yaml:22:30: currency must be 3 upper-case letters (ISO 4217) such as USD, got "usd"`,
		`testdata/broken_persona_accounts.yaml:22:46: available must have at most 2 decimals (whole cents), got 1.005`,
		`testdata/broken_persona_accounts.yaml:22:62: current must be a number with at most 2 decimals, or null, got "12.50"`,
		`testdata/broken_persona_accounts.yaml:22:78: limit must be a number with at most 2 decimals, or null, got 1e3`,
		`testdata/broken_persona_accounts.yaml:24:31: available must be a number with at most 2 decimals, or null, got .inf`,
		`testdata/broken_persona_accounts.yaml:24:46: current must be a number with at most 2 decimals, or null, got 0x10`,
		`testdata/broken_persona_accounts.yaml:24:59: limit is too large, got 12345678901234.5`,
		`testdata/broken_persona_accounts.yaml:27:31: available must be <= current for a depository account (100.01 > 100)`,
		`testdata/broken_persona_accounts.yaml:30:31: available must be >= 0 for a depository account, got -1`,
		`testdata/broken_persona_accounts.yaml:33:31: available must be limit - current = 800.00 for a credit card, got 900`,
		`testdata/broken_persona_accounts.yaml:36:43: current must be >= 0 for a credit card (it is the amount owed), got -5`,
		`testdata/broken_persona_accounts.yaml:36:54: limit must be > 0 for a credit card, got 0`,
		`testdata/broken_persona_accounts.yaml:39:29: current must be <= limit for a credit card (1500 > 1000)`,
		`testdata/broken_persona_accounts.yaml:42:29: current must be >= 0 for an investment account, got -0.01`,
		`testdata/broken_persona_accounts.yaml:42:36: unknown key "nope" in balances (want currency, available, current, limit)`,
		`testdata/broken_persona_accounts.yaml:44:19: balances must be a mapping of currency, available, current, limit, got a sequence`,
		`testdata/broken_persona_accounts.yaml:46:51: unknown key "mask" in account (want account_type, name, nickname, account_mask, balances, owners, closed)`,
		`testdata/broken_persona_accounts.yaml:47:9: an account must be a mapping of account_type, name, nickname, account_mask, balances, owners, closed, got 7`,
		`testdata/broken_persona_accounts.yaml:50:18: account owner "Ann Lee" is not an owner of persona "b" (it leaves owners to be generated: list them under owners)`,
		`testdata/broken_persona_accounts.yaml:52:15: accounts must be a sequence, got a mapping`,
	}},
	{"broken_persona_link.yaml", []string{
		`testdata/broken_persona_link.yaml:3:15: unknown provider "sophtron" (want one of moneykit, finicity, plaid, yodlee, mx, akoya)`,
		`testdata/broken_persona_link.yaml:4:16: link_tags must be a sequence, got "vip"`,
		`testdata/broken_persona_link.yaml:5:14: webhook must be an http or https URL, got "example.com/hook"`,
		`testdata/broken_persona_link.yaml:6:35: institution_id must be a non-empty string, got ""`,
		`testdata/broken_persona_link.yaml:6:39: unknown key "name" in institution (want institution_id, institution_name, institution_avatar)`,
		`testdata/broken_persona_link.yaml:6:52: unknown key "provider" in institution (want institution_id, institution_name, institution_avatar)`,
		`testdata/broken_persona_link.yaml:8:15: unknown provider 7 (want one of moneykit, finicity, plaid, yodlee, mx, akoya)`,
		`testdata/broken_persona_link.yaml:9:22: a link tag must be a non-empty string, got 7 (quote it: "7")`,
		`testdata/broken_persona_link.yaml:9:25: a link tag must be a non-empty string, got ""`,
		`testdata/broken_persona_link.yaml:10:14: webhook must be a non-empty string, got 42 (quote it: "42")`,
		`testdata/broken_persona_link.yaml:11:18: institution must be a mapping of institution_id, institution_name, institution_avatar, got "chase"`,
		`testdata/broken_persona_link.yaml:13:14: webhook must be an http or https URL, got "ftp://example.com/x"`,
		`testdata/broken_persona_link.yaml:14:62: institution_avatar must be a non-empty string, got 1 (quote it: "1")`,
	}},
}

// TestParsePersonasGood maps a file using every key onto the Persona it
// stands for, nil (generate) and empty (none) slices told apart.
func TestParsePersonasGood(t *testing.T) {
	const name = "testdata/personas_good.yaml"
	got, err := ParsePersonas(name, readFile(t, name))
	if err != nil {
		t.Fatalf("ParsePersonas: %v", err)
	}
	str := func(s string) *string { return &s }
	money := func(m fixtures.Money) *fixtures.Money { return &m }
	london := fixtures.Address{Street: "48 Lamb's Conduit Street", City: "London", Region: "Greater London",
		PostalCode: "WC1N 3LH", Country: "GB", Primary: true}
	want := map[string]*fixtures.Persona{
		"ada": {
			Owners: []fixtures.PersonaOwner{
				{
					Names: []string{"Ada Lovelace", "Augusta Ada King"},
					Emails: []fixtures.Email{
						{Address: "ada@example.com", Primary: true},
						{Address: "countess@example.org"},
					},
					PhoneNumbers: []fixtures.Phone{
						{Number: "+442079460018", Type: "mobile", Primary: true},
						{Number: "+442079460019", Type: "home"},
					},
					Addresses: []fixtures.Address{london},
				},
				{
					Names:     []string{"Charles Babbage"},
					Emails:    []fixtures.Email{}, // emails: [] is none
					Addresses: []fixtures.Address{london},
					// phone_numbers: ~ is generated, as if left out
				},
			},
			Accounts: []fixtures.PersonaAccount{
				{
					AccountType: "depository.checking", Name: "Everyday Checking", Nickname: str("Bills"), AccountMask: "1234",
					Balances: &fixtures.PersonaBalances{Currency: "USD", Available: money(10050), Current: money(12025)},
					Owners:   []string{"Ada Lovelace"},
				},
				{
					AccountType: "liability.credit_card", AccountMask: "0042",
					Balances: &fixtures.PersonaBalances{Currency: "GBP", Available: money(10), Current: money(99990), Limit: money(100000)},
					Owners:   []string{"Ada Lovelace", "Charles Babbage"},
					Closed:   true,
				},
				{Balances: &fixtures.PersonaBalances{Available: money(50), Current: money(-1250)}},
				{AccountType: "investment.brokerage", Balances: &fixtures.PersonaBalances{}},
				{},
			},
			Institution: &fixtures.Institution{ID: "coutts", Name: "Coutts", Avatar: "data:image/png;base64,iVBOR"},
			Provider:    "mx",
			LinkTags:    []string{"vip", "user_type:admin"},
			Webhook:     str("https://example.com/hook"),
		},
		"big-family_2": {
			Owners:      []fixtures.PersonaOwner{{Names: []string{"Pat Doe"}}, {}},
			Accounts:    []fixtures.PersonaAccount{},
			LinkTags:    []string{},
			Institution: &fixtures.Institution{},
		},
		"nulled": {},
		"empty":  {},
		"us": {
			Owners: []fixtures.PersonaOwner{{Addresses: []fixtures.Address{
				{Street: "1 Main Street", City: "Austin", Region: "TX", PostalCode: "78704-1234", Country: "US"},
			}}},
		},
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("no persona %q", name)
		case !reflect.DeepEqual(g, w):
			t.Errorf("persona %q:\n got %s\nwant %s", name, dump(g), dump(w))
		}
		delete(got, name)
	}
	for name := range got {
		t.Errorf("unexpected persona %q", name)
	}
}

// dump prints a persona with its pointers followed, for failure messages.
func dump(p *fixtures.Persona) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{Owners:%#v Institution:%+v Provider:%q LinkTags:%#v Webhook:%s Accounts:[", p.Owners, p.Institution, p.Provider, p.LinkTags, deref(p.Webhook))
	for _, a := range p.Accounts {
		fmt.Fprintf(&b, "{%q %q nick=%s %q owners=%#v closed=%v", a.AccountType, a.Name, deref(a.Nickname), a.AccountMask, a.Owners, a.Closed)
		if bal := a.Balances; bal != nil {
			fmt.Fprintf(&b, " balances={%q %s %s %s}", bal.Currency, deref(bal.Available), deref(bal.Current), deref(bal.Limit))
		}
		b.WriteString("} ")
	}
	b.WriteString("]}")
	return b.String()
}

func deref[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func TestParsePersonasEmpty(t *testing.T) {
	for _, data := range []string{"", "# nothing\n", "personas:\n", "personas: {}\n", "---\n", "~\n"} {
		personas, err := ParsePersonas("e.yaml", []byte(data))
		if err != nil || personas == nil || len(personas) != 0 {
			t.Errorf("ParsePersonas(%q) = %v, %v; want an empty map, nil", data, personas, err)
		}
	}
}

// TestParseAmounts: amounts are read from their decimal text, exactly.
func TestParseAmounts(t *testing.T) {
	for text, want := range map[string]fixtures.Money{
		"0.1": 10, "0.10": 10, "100.5": 10050, "120.25": 12025, "-12.5": -1250, "+3": 300, ".5": 50,
		"1.": 100, "007": 700, "0": 0, "-0.01": -1, "1234567890123.99": 123456789012399, "0.29": 29, "4.35": 435,
	} {
		doc := "personas: {p: {accounts: [{balances: {current: " + text + "}}]}}"
		got, err := ParsePersonas("a.yaml", []byte(doc))
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		if c := got["p"].Accounts[0].Balances.Current; c == nil || *c != want {
			t.Errorf("%s = %s cents, want %d", text, deref(c), want)
		}
	}
	for text, msg := range map[string]string{
		"0.001":                       "current must have at most 2 decimals (whole cents), got 0.001",
		"1.500":                       "current must have at most 2 decimals (whole cents), got 1.500",
		`"1.5"`:                       `current must be a number with at most 2 decimals, or null, got "1.5"`,
		"1e2":                         "current must be a number with at most 2 decimals, or null, got 1e2",
		".nan":                        "current must be a number with at most 2 decimals, or null, got .nan",
		"1_000":                       "current must be a number with at most 2 decimals, or null, got 1_000",
		"true":                        "current must be a number with at most 2 decimals, or null, got true",
		"[1]":                         "current must be a number with at most 2 decimals, or null, got a sequence",
		"-.":                          `current must be a number with at most 2 decimals, or null, got "-."`,
		"1.2.3":                       `current must be a number with at most 2 decimals, or null, got "1.2.3"`,
		"9" + strings.Repeat("0", 13): "current is too large, got 9" + strings.Repeat("0", 13),
	} {
		doc := "personas: {p: {accounts: [{balances: {current: " + text + "}}]}}"
		_, err := ParsePersonas("a.yaml", []byte(doc))
		checkLines(t, errorLines(t, err), []string{"a.yaml:1:48: " + msg})
	}
}

// TestParsePersonasAliasBound: aliases of aliases cannot make a small file
// take long to check.
func TestParsePersonasAliasBound(t *testing.T) {
	var y strings.Builder
	y.WriteString("personas:\n  a:\n    owners:\n      - &o {names: [A], emails: [&e {address: a@example.com}")
	y.WriteString(strings.Repeat(", *e", 300))
	y.WriteString("]}\n  b: &b {owners: [*o")
	y.WriteString(strings.Repeat(", *o", 300))
	y.WriteString("]}\n")
	for i := range 300 {
		fmt.Fprintf(&y, "  c%d: *b\n", i)
	}
	// The bound's error proves the walk stopped after a bounded number of
	// values; how long that takes is for benchmarks, not a unit test on a
	// shared machine.
	_, err := ParsePersonas("bomb.yaml", []byte(y.String()))
	if err == nil || !strings.Contains(err.Error(), "aliases make this file stand for more than 1048576 values") {
		t.Errorf("got %.300v, want the alias bound", err)
	}
}

// TestDefaultPersonas guards the embedded demo personas: they parse, each
// promise of fixtures/personas.yaml holds, and the data follows the rules
// internal/apicheck checks generated answers against.
func TestDefaultPersonas(t *testing.T) {
	personas, err := ParsePersonas("embedded:personas.yaml", fixtures.DefaultPersonas())
	if err != nil {
		t.Fatalf("fixtures/personas.yaml:\n%v", err)
	}
	if got, want := Default().Personas(), []string{"business", "household", "international", "no_phone"}; !slices.Equal(got, want) {
		t.Errorf("Default().Personas() = %q, want %q", got, want)
	}
	for name, p := range personas {
		t.Run(name, func(t *testing.T) { checkBelievable(t, p) })
	}

	h := personas["household"]
	if len(h.Owners) != 2 {
		t.Fatalf("household has %d owners, want 2", len(h.Owners))
	}
	a, b := h.Owners[0], h.Owners[1]
	if !reflect.DeepEqual(a.Addresses, b.Addresses) || len(a.Addresses) == 0 {
		t.Error("household: the owners do not share their address")
	}
	if _, last := nameWords(a.Names[0]); !strings.HasSuffix(strings.ToLower(b.Names[0]), " "+last) {
		t.Errorf("household: %q and %q do not share a last name", a.Names[0], b.Names[0])
	}
	owned := map[string]int{}
	for _, acc := range h.Accounts {
		owned[strings.Join(acc.Owners, "+")]++
	}
	if owned[a.Names[0]+"+"+b.Names[0]] < 1 || owned[a.Names[0]] < 1 || owned[b.Names[0]] < 1 {
		t.Errorf("household: accounts by owners %v, want joint accounts and one of each owner's own", owned)
	}

	if n := personas["no_phone"].Owners[0].PhoneNumbers; n == nil || len(n) != 0 {
		t.Errorf("no_phone: phone_numbers = %#v, want [] (none), not nil (generated)", n)
	}

	biz := personas["business"]
	if len(biz.Accounts) < 6 {
		t.Errorf("business has %d accounts, want 6 or more", len(biz.Accounts))
	}
	types := map[string]bool{}
	for _, acc := range biz.Accounts {
		types[acc.AccountType] = true
	}
	for _, typ := range []string{"depository.checking", "depository.savings", "liability.credit_card"} {
		if !types[typ] {
			t.Errorf("business has no %s account", typ)
		}
	}
	if o := biz.Owners[0]; !strings.Contains(o.Names[0], "Northwind") || len(o.Emails) == 0 {
		t.Errorf("business owner = %q with %d emails", o.Names[0], len(o.Emails))
	} else {
		for _, e := range o.Emails {
			if local, _, _ := strings.Cut(e.Address, "@"); !strings.Contains(local, "northwind") {
				t.Errorf("business email %q has no northwind in its local part", e.Address)
			}
		}
	}

	intl := personas["international"]
	o := intl.Owners[0]
	if ad := o.Addresses[0]; ad.Country != "GB" || ad.City != "London" {
		t.Errorf("international address = %+v, want one in London, GB", ad)
	}
	drama := regexp.MustCompile(`^\+442079460[0-9]{3}$`) // 020 7946 0000..0999, Ofcom's drama range
	for _, ph := range o.PhoneNumbers {
		if !drama.MatchString(ph.Number) {
			t.Errorf("international number %q is outside +44 20 7946 0xxx", ph.Number)
		}
	}
	for _, acc := range intl.Accounts {
		if acc.Balances == nil || acc.Balances.Currency != "GBP" {
			t.Errorf("international account %q is not in GBP", acc.Name)
		}
	}
}

// checkBelievable checks a fully given persona against the rules apicheck
// applies to answers: exactly one primary in each non-empty list, a primary
// email named after the owner, US addresses with a USPS state and a ZIP,
// fictional US numbers, distinct masks, and balances that fit the type.
func checkBelievable(t *testing.T, p *fixtures.Persona) {
	t.Helper()
	usNumber := regexp.MustCompile(`^\+1[2-9][0-9]{2}55501[0-9]{2}$`) // 555-0100..0199
	for _, o := range p.Owners {
		if len(o.Names) == 0 {
			t.Errorf("an owner has no names")
			continue
		}
		primaries := func(what string, flags []bool) int {
			n, at := 0, -1
			for i, f := range flags {
				if f {
					n, at = n+1, i
				}
			}
			if len(flags) > 0 && n != 1 {
				t.Errorf("%s: %d primary %s, want exactly 1", o.Names[0], n, what)
			}
			return at
		}
		var flags []bool
		for _, e := range o.Emails {
			flags = append(flags, e.Primary)
		}
		if i := primaries("emails", flags); i >= 0 {
			local, domain, _ := strings.Cut(o.Emails[i].Address, "@")
			first, last := nameWords(o.Names[0])
			if l := letters(local); !strings.Contains(l, first) && !strings.Contains(l, last) {
				t.Errorf("%s: primary email %q is not named after %q or %q", o.Names[0], o.Emails[i].Address, first, last)
			}
			if !slices.Contains([]string{"example.com", "example.net", "example.org"}, domain) {
				t.Errorf("%s: email domain %q is not reserved (RFC 2606)", o.Names[0], domain)
			}
		}
		flags = flags[:0]
		for _, ph := range o.PhoneNumbers {
			flags = append(flags, ph.Primary)
			if strings.HasPrefix(ph.Number, "+1") && !usNumber.MatchString(ph.Number) {
				t.Errorf("%s: %q is not in the fictional 555-01xx range", o.Names[0], ph.Number)
			}
		}
		primaries("phone_numbers", flags)
		flags = flags[:0]
		for _, ad := range o.Addresses {
			flags = append(flags, ad.Primary)
			if ad.Country == "US" && (!slices.Contains(uspsCodes, ad.Region) || !zipPattern.MatchString(ad.PostalCode)) {
				t.Errorf("%s: US address %+v needs a USPS state and a ZIP", o.Names[0], ad)
			}
			if ad.Street == "" || ad.City == "" || !countryPattern.MatchString(ad.Country) {
				t.Errorf("%s: address %+v is not complete", o.Names[0], ad)
			}
		}
		primaries("addresses", flags)
	}
	masks := map[string]bool{}
	for _, a := range p.Accounts {
		if a.AccountType == "" || a.Name == "" || a.AccountMask == "" || a.Balances == nil {
			t.Errorf("account %+v is not given whole", a)
			continue
		}
		if masks[a.AccountMask] {
			t.Errorf("mask %s is used twice", a.AccountMask)
		}
		masks[a.AccountMask] = true
		b := a.Balances
		switch {
		case strings.HasPrefix(a.AccountType, "depository."):
			if b.Available == nil || b.Current == nil || *b.Available < 0 || *b.Available > *b.Current {
				t.Errorf("%s: depository balances %s / %s break 0 <= available <= current", a.Name, deref(b.Available), deref(b.Current))
			}
		case a.AccountType == "liability.credit_card":
			if b.Available == nil || b.Current == nil || b.Limit == nil || *b.Available != *b.Limit-*b.Current {
				t.Errorf("%s: credit card balances break available = limit - current", a.Name)
			}
		}
	}
}

// nameWords returns the first and last word of a name, folded to a-z.
func nameWords(name string) (first, last string) {
	var words []string
	for _, w := range strings.Fields(name) {
		if l := letters(w); l != "" {
			words = append(words, l)
		}
	}
	return words[0], words[len(words)-1]
}

// letters lower-cases s and keeps only a-z (the demo data is ASCII).
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, strings.ToLower(s))
}

// TestDefaultPersonaLinks: each demo persona has a magic link ID and a glob
// family in default.yaml.
func TestDefaultPersonaLinks(t *testing.T) {
	set := Default()
	for _, name := range set.Personas() {
		for _, id := range []string{"mk_" + name, "mk_" + name + "_1"} {
			e := set.Lookup(id)
			if e == nil || e.Fixture != name || e.Error != "" {
				t.Errorf("Lookup(%q) = %v, want a success entry with fixture %s", id, e, name)
				continue
			}
			if e.PersonaHash == 0 || e.PersonaHash != set.personas[name].hash {
				t.Errorf("Lookup(%q) is not bound to persona %s", id, name)
			}
		}
	}
}

// TestLoadPersonas layers a fixtures file over the embedded personas and
// checks what that does to the entries naming them.
func TestLoadPersonas(t *testing.T) {
	def := Default()
	defHousehold := *def.Lookup("mk_household")
	set, err := LoadWith(Sources{Scenarios: []string{"testdata/fixture_refs.yaml"}, Fixtures: []string{"testdata/personas_override.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := set.Personas(), []string{"ada", "business", "household", "international", "no_phone"}; !slices.Equal(got, want) {
		t.Errorf("Personas() = %q, want %q", got, want)
	}
	if p := set.Persona("household"); p == nil || p.Owners[0].Names[0] != "Grace Hopper" {
		t.Errorf("household was not replaced by the user's")
	}
	if set.Persona("business") != def.Persona("business") {
		t.Error("business is not the embedded persona")
	}
	if set.Persona("nobody") != nil || (*Set)(nil).Persona("ada") != nil || (*Set)(nil).Personas() != nil {
		t.Error("Persona of a missing name or a nil Set is not nil")
	}
	for id, fixture := range map[string]string{"mk_ada": "ada", "mk_ada_x": "ada", "mk_home": "household", "mk_household_1": "household"} {
		if e := set.Lookup(id); e == nil || e.Fixture != fixture || e.PersonaHash != set.personas[fixture].hash {
			t.Errorf("Lookup(%q) = %v, want an entry bound to %s", id, e, fixture)
		}
	}

	// The fingerprints of entries naming the replaced persona change; the
	// others do not, and the embedded entries are not modified.
	if set.Lookup("mk_household").Fingerprint() == def.Lookup("mk_household").Fingerprint() {
		t.Error("mk_household kept its fingerprint although its persona changed")
	}
	if set.Lookup("mk_business").Fingerprint() != def.Lookup("mk_business").Fingerprint() {
		t.Error("mk_business changed its fingerprint although its persona did not")
	}
	if !reflect.DeepEqual(*def.Lookup("mk_household"), defHousehold) {
		t.Error("loading modified an embedded entry")
	}
}

// TestLoadPersonaErrors checks errors that need more than one file.
func TestLoadPersonaErrors(t *testing.T) {
	const known = "business, household, international, no_phone"
	for _, tc := range []struct {
		name string
		src  Sources
		want []string
	}{
		{"two user files define a persona", Sources{Fixtures: []string{"testdata/personas_dup"}}, []string{
			`testdata/personas_dup/b.yaml:4:3: persona "ada" is already defined at testdata/personas_dup/a.yaml:2:3`,
		}},
		{"a fixture naming no persona, at its value, once for an alias", Sources{Scenarios: []string{"testdata/fixture_missing.yaml"}}, []string{
			`testdata/fixture_missing.yaml:5:14: fixture "nobody" is not a persona (known: ` + known + `)`,
			`testdata/fixture_missing.yaml:8:19: fixture "ada" is not a persona (known: ` + known + `)`,
		}},
		{"the user's personas count", Sources{Scenarios: []string{"testdata/fixture_missing.yaml"}, Fixtures: []string{"testdata/personas_override.yaml"}}, []string{
			`testdata/fixture_missing.yaml:5:14: fixture "nobody" is not a persona (known: ada, ` + known + `)`,
		}},
		{"fixtures files first, then scenario files", Sources{
			Scenarios: []string{"testdata/broken_links.yaml", "testdata/fixture_refs.yaml"},
			Fixtures:  []string{"testdata/broken_persona_toplevel.yaml", "testdata/nope.yaml"},
		}, []string{
			`testdata/nope.yaml: no such file or directory`,
			`testdata/broken_persona_toplevel.yaml:1:1: top level must be a mapping with a personas key, got a sequence`,
			`testdata/broken_links.yaml:1:8: links must be a mapping of link IDs and globs to entries, got a sequence`,
			`testdata/fixture_refs.yaml:5:14: fixture "ada" is not a persona (known: ` + known + `)`,
		}},
		{"a scenario file given as a fixtures file", Sources{Fixtures: []string{"testdata/override.yaml"}}, []string{
			`testdata/override.yaml:2:1: unknown key "links" at top level (want personas; links belong in a scenario file)`,
		}},
		{"a fixtures file given as a scenario file", Sources{Scenarios: []string{"testdata/personas_override.yaml"}}, []string{
			`testdata/personas_override.yaml:2:1: unknown key "personas" at top level (want links; personas belong in a fixtures file)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkLoadErrors(t, tc.src, tc.want) })
	}
}

func TestDiffPersonas(t *testing.T) {
	def := Default()
	set, err := LoadWith(Sources{Fixtures: []string{"testdata/personas_override.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, Diff(def, set), []string{
		"changed mk_household (now success, fixture household)",
		"changed mk_household_* (now success, fixture household)",
		"added persona ada",
		"changed persona household",
	})
	checkLines(t, Diff(set, def), []string{
		"changed mk_household (now success, fixture household)",
		"changed mk_household_* (now success, fixture household)",
		"removed persona ada",
		"changed persona household",
	})
	again, err := LoadWith(Sources{Fixtures: []string{"testdata/personas_override.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(set, again); len(d) != 0 {
		t.Errorf("Diff of two loads of the same files = %q, want nothing", d)
	}
	if d := Diff(nil, def); !slices.Contains(d, "added persona household") {
		t.Errorf("Diff(nil, Default()) = %q, want the personas added", d)
	}
}

// TestBind: an entry parsed at run time gets the persona's hash, and a copy
// rather than a change.
func TestBind(t *testing.T) {
	set := Default()
	e, err := ParseEntry("runtime", "mk_rt", []byte(`{"fixture": "business"}`))
	if err != nil {
		t.Fatal(err)
	}
	b := set.Bind(e)
	if b == e || e.PersonaHash != 0 || b.PersonaHash != set.personas["business"].hash {
		t.Errorf("Bind: got %+v from %+v", *b, *e)
	}
	if set.Bind(b) != b {
		t.Error("Bind of a bound entry made a copy")
	}
	for _, e := range []*Entry{nil, {Fixture: "nobody"}, {Error: Deleted}} {
		if set.Bind(e) != e {
			t.Errorf("Bind(%v) is not the entry itself", e)
		}
	}
}

// TestWatchSources edits a watched fixtures file: the new persona is served
// and the entry naming it gets a new fingerprint; renaming the persona away
// is reported at the scenario's fixture.
func TestWatchSources(t *testing.T) {
	dir := t.TempDir()
	fx, sc := filepath.Join(dir, "fixtures"), filepath.Join(dir, "s.yaml")
	mkdir(t, fx)
	writeFile(t, filepath.Join(fx, "p.yaml"), "personas:\n  pat:\n    owners: [{names: [Pat Doe]}]\n")
	writeFile(t, sc, "links:\n  mk_p: {fixture: pat}\n")
	src := Sources{Scenarios: []string{sc}, Fixtures: []string{fx}}
	first, err := LoadWith(src)
	if err != nil {
		t.Fatal(err)
	}

	next := watch(t, src).next

	writeFile(t, filepath.Join(fx, "p.yaml"), "personas:\n  pat:\n    owners: [{names: [Pat Roe]}]\n")
	r := next()
	if r.err != nil {
		t.Fatalf("good edit: %v", r.err)
	}
	if p := r.set.Persona("pat"); p == nil || p.Owners[0].Names[0] != "Pat Roe" {
		t.Errorf("after the edit, pat = %+v", p)
	}
	checkLines(t, Diff(first, r.set), []string{"changed mk_p (now success, fixture pat)", "changed persona pat"})

	writeFile(t, filepath.Join(fx, "p.yaml"), "personas:\n  pet: {}\n")
	r = next()
	if r.set != nil {
		t.Error("bad edit: got a Set")
	}
	checkLines(t, errorLines(t, r.err), []string{
		sc + `:2:19: fixture "pat" is not a persona (known: business, household, international, no_phone, pet)`,
	})

	// A new fixtures file in the directory is seen too.
	writeFile(t, filepath.Join(fx, "q.yaml"), "personas:\n  pat: {provider: mx}\n")
	r = next()
	if r.err != nil {
		t.Fatalf("new file: %v", r.err)
	}
	if p := r.set.Persona("pat"); p == nil || p.Provider != "mx" {
		t.Errorf("after the new file, pat = %+v", p)
	}
}

func mkdir(t *testing.T, name string) {
	t.Helper()
	if err := os.Mkdir(name, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestParsePersonasAliasedMappings: a mapping reached through aliases is
// decoded once per place it stands in, and its problems are reported with
// the context of each place, once each.
func TestParsePersonasAliasedMappings(t *testing.T) {
	data := "personas:\n" +
		"  a: &a {owners: [&o {names: [Ann], nmes: x}, *o], provider: mx}\n" +
		"  b: *a\n"
	_, err := ParsePersonas("a.yaml", []byte(data))
	checkLines(t, errorLines(t, err), []string{
		`a.yaml:2:37: unknown key "nmes" in owner (want names, emails, phone_numbers, addresses)`,
		`a.yaml:2:47: owner "Ann" appears twice in persona "a" (first at line 2, column 31); accounts name owners by names[0], so it must be unique`,
		`a.yaml:2:47: owner "Ann" appears twice in persona "b" (first at line 2, column 31); accounts name owners by names[0], so it must be unique`,
	})

	good := "personas:\n  a: &a {owners: [&o {names: [Ann]}], provider: mx}\n  b: *a\n  c: {owners: [*o]}\n"
	got, err := ParsePersonas("a.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got["a"], got["b"]) || !reflect.DeepEqual(got["a"].Owners, got["c"].Owners) || got["b"].Provider != "mx" {
		t.Errorf("aliased personas differ: %s, %s, %s", dump(got["a"]), dump(got["b"]), dump(got["c"]))
	}
}

package apicheck

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// AccountNumbers checks a GET /links/{id}/accounts/numbers 200 body
// (GetAccountNumbersResponse, GetAccountNumbersResponseLegacy20230218 from
// SDK 0.1.15 on; the same shape in every generation):
//
//	{"accounts": [{<AccountResponse fields>, "numbers": {
//	    "ach":           [{"account_number", "routing_number", "wire_routing_number"?}],
//	    "eft":           [{"account_number", "institution_number", "branch_number"}],
//	    "bacs":          [{"account_number", "sort_code"}],
//	    "international": [{"iban", "bic"}]}}],
//	 "link": LinkCommon}
//
// All four lists are required (possibly empty) and every field is a string.
// Numbers carry no account_id: they belong to the account they sit in.
//
// Besides the shape, the mock's believability rules:
//   - Only depository accounts have numbers (a card or a loan is not paid
//     into by ACH, EFT or BACS in the mock); each list has at most one entry.
//   - A depository account has the numbers of its currency's clearing
//     system, and no others: USD accounts one ACH entry, CAD one EFT entry,
//     GBP one BACS entry (and optionally a GB IBAN), and the currencies of
//     IBAN countries (EUR, CHF, SEK, ...) one international entry whose IBAN
//     country uses that currency. Other currencies have no numbers.
//   - ACH: a 9-digit ABA routing number with a valid Federal Reserve prefix
//     (01-12, 21-32, 61-72) and check digit
//     (3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 mod 10); the same for
//     wire_routing_number when given; an account number of 4 to 17 digits.
//   - EFT (Canada): a 3-digit institution number, a 5-digit branch (transit)
//     number and an account number of 7 to 12 digits.
//   - BACS (UK): a 6-digit sort code and an 8-digit account number.
//   - International: an IBAN of its country's length (ISO 13616 registry)
//     passing the mod-97 check, and a BIC of 8 or 11 characters (4 letters
//     for the bank, the IBAN's 2-letter country, 2 and optionally 3
//     alphanumerics) in the IBAN's country.
//   - Every account number, and every IBAN, ends in the account's mask.
//
// It checks the newest generation's enums; AccountNumbersFor checks one
// generation. SameAccounts checks the answer against the identity answer.
func AccountNumbers(body []byte, linkID string) []string {
	return AccountNumbersFor(current, body, linkID)
}

// AccountNumbersFor is AccountNumbers with the enums and required keys of
// generation g.
func AccountNumbersFor(g Generation, body []byte, linkID string) []string {
	return checkAccounts(g, body, linkID, "numbers")
}

var numberKinds = []string{"ach", "eft", "bacs", "international"}

var (
	digits     = regexp.MustCompile(`^[0-9]+$`)
	ibanSyntax = regexp.MustCompile(`^([A-Z]{2})[0-9]{2}[A-Z0-9]+$`)
	bicSyntax  = regexp.MustCompile(`^[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}([A-Z0-9]{3})?$`)
)

// ibanLengths is the IBAN length of each country of the ISO 13616 registry
// (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// ibanCurrencies maps the currencies that are paid by IBAN to the IBAN
// countries that use them.
var ibanCurrencies = map[string][]string{
	"EUR": {"AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT",
		"NL", "PT", "SI", "SK", "AD", "MC", "SM", "VA", "ME", "XK"},
	"CHF": {"CH", "LI"},
	"SEK": {"SE"},
	"NOK": {"NO"},
	"DKK": {"DK", "FO", "GL"},
	"PLN": {"PL"},
	"CZK": {"CZ"},
	"HUF": {"HU"},
	"RON": {"RO"},
	"BGN": {"BG"},
	"ISK": {"IS"},
	"GBP": {"GB"},
}

// wantedKind is the kind of number a depository account in currency has
// ("" for none).
func wantedKind(currency string) string {
	switch currency {
	case "USD":
		return "ach"
	case "CAD":
		return "eft"
	case "GBP":
		return "bacs"
	}
	if _, ok := ibanCurrencies[currency]; ok {
		return "international"
	}
	return ""
}

// numbers checks AccountNumbers of the account acc.
func (c *checker) numbers(p path, n map[string]any, acc map[string]any) {
	c.fields(p, n, numberKinds, nil)
	mask, _ := acc["account_mask"].(string)
	if !accountMaskPattern.MatchString(mask) {
		mask = "" // reported by account(); nothing to compare with
	}
	typ, _ := acc["account_type"].(string)
	balances, _ := acc["balances"].(map[string]any)
	currency, _ := balances["currency"].(string)
	depository := strings.HasPrefix(typ, "depository.")
	want := wantedKind(currency)

	for _, kind := range numberKinds {
		v, ok := n[kind]
		if !ok || !c.is(p.key(kind), v, kArray) {
			continue
		}
		list := v.([]any)
		kp := p.key(kind)
		switch {
		case len(list) > 0 && !depository:
			c.addf(kp, "%s account has %s numbers, want none (only depository accounts have numbers)", show(typ), kind)
		case len(list) > 1:
			c.addf(kp, "has %d entries, want at most 1", len(list))
		case depository && kind == want && len(list) == 0:
			c.addf(kp, "is empty, want 1 entry for a %s depository account", currency)
		case depository && len(list) > 0 && kind != want && (kind != "international" || currency != "GBP"):
			c.addf(kp, "%s numbers do not fit a %s account", kind, show(currency))
		}
		for i, e := range list {
			ep := kp.idx(i)
			if !c.is(ep, e, kObject) {
				continue
			}
			m := e.(map[string]any)
			switch kind {
			case "ach":
				c.ach(ep, m, mask)
			case "eft":
				c.eft(ep, m, mask)
			case "bacs":
				c.bacs(ep, m, mask)
			case "international":
				c.international(ep, m, mask, currency)
			}
		}
	}
}

// digitString checks that m[k] is a string of lo to hi digits ending in mask
// (when mask is not empty) and returns it.
func (c *checker) digitString(p path, m map[string]any, k string, lo, hi int, mask string) (string, bool) {
	v, ok := m[k]
	if !ok || !c.is(p.key(k), v, kString) {
		return "", false
	}
	s := v.(string)
	switch {
	case !digits.MatchString(s) || len(s) < lo || len(s) > hi:
		if lo == hi {
			c.addf(p.key(k), "%q must be exactly %d digits", s, lo)
		} else {
			c.addf(p.key(k), "%q must be %d to %d digits", s, lo, hi)
		}
		return "", false
	case mask != "" && !strings.HasSuffix(s, mask):
		c.addf(p.key(k), "%q does not end in the account mask %q", s, mask)
	}
	return s, true
}

func (c *checker) ach(p path, m map[string]any, mask string) {
	c.fields(p, m, []string{"account_number", "routing_number"}, []string{"wire_routing_number"})
	c.digitString(p, m, "account_number", 4, 17, mask)
	if r, ok := c.digitString(p, m, "routing_number", 9, 9, ""); ok {
		c.routing(p.key("routing_number"), r)
	}
	if v, ok := m["wire_routing_number"]; ok && c.is(p.key("wire_routing_number"), v, kString|kNull) && v != nil {
		if r, ok := c.digitString(p, m, "wire_routing_number", 9, 9, ""); ok {
			c.routing(p.key("wire_routing_number"), r)
		}
	}
}

// routing checks an ABA routing number's Federal Reserve prefix and check digit.
func (c *checker) routing(p path, r string) {
	if !ValidABA(r) {
		c.addf(p, "%q fails the ABA checksum", r)
	}
	prefix, _ := strconv.Atoi(r[:2])
	if !(prefix >= 1 && prefix <= 12 || prefix >= 21 && prefix <= 32 || prefix >= 61 && prefix <= 72) {
		c.addf(p, "%q does not start with a Federal Reserve district (01-12, 21-32, 61-72)", r)
	}
}

// ValidABA reports whether r is 9 digits passing the ABA routing number
// checksum 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10).
func ValidABA(r string) bool {
	if len(r) != 9 || !digits.MatchString(r) {
		return false
	}
	weights := [3]int{3, 7, 1}
	sum := 0
	for i := range 9 {
		sum += weights[i%3] * int(r[i]-'0')
	}
	return sum%10 == 0
}

func (c *checker) eft(p path, m map[string]any, mask string) {
	c.fields(p, m, []string{"account_number", "institution_number", "branch_number"}, nil)
	c.digitString(p, m, "account_number", 7, 12, mask)
	c.digitString(p, m, "institution_number", 3, 3, "")
	c.digitString(p, m, "branch_number", 5, 5, "")
}

func (c *checker) bacs(p path, m map[string]any, mask string) {
	c.fields(p, m, []string{"account_number", "sort_code"}, nil)
	c.digitString(p, m, "account_number", 8, 8, mask)
	c.digitString(p, m, "sort_code", 6, 6, "")
}

func (c *checker) international(p path, m map[string]any, mask, currency string) {
	c.fields(p, m, []string{"iban", "bic"}, nil)
	var country string
	if v, ok := m["iban"]; ok && c.is(p.key("iban"), v, kString) {
		iban := v.(string)
		ip := p.key("iban")
		sub := ibanSyntax.FindStringSubmatch(iban)
		switch {
		case sub == nil:
			c.addf(ip, "%q is not an IBAN (2 letters, 2 check digits, upper-case letters and digits, no spaces)", iban)
		case ibanLengths[sub[1]] == 0:
			c.addf(ip, "%q: %s has no IBANs", iban, sub[1])
		case len(iban) != ibanLengths[sub[1]]:
			c.addf(ip, "%q has %d characters, a %s IBAN has %d", iban, len(iban), sub[1], ibanLengths[sub[1]])
		case !ValidIBAN(iban):
			c.addf(ip, "%q fails the mod-97 check", iban)
		default:
			country = sub[1]
			if mask != "" && !strings.HasSuffix(iban, mask) {
				c.addf(ip, "%q does not end in the account mask %q", iban, mask)
			}
			if cs, ok := ibanCurrencies[currency]; ok && !slices.Contains(cs, country) {
				c.addf(ip, "%q: a %s IBAN for a %s account", iban, country, currency)
			}
		}
	}
	if v, ok := m["bic"]; ok && c.is(p.key("bic"), v, kString) {
		bic := v.(string)
		sub := bicSyntax.FindStringSubmatch(bic)
		switch {
		case sub == nil:
			c.addf(p.key("bic"), "%q is not a BIC (4 letters, 2-letter country, 2 alphanumerics, optional 3-character branch)", bic)
		case country != "" && sub[1] != country:
			c.addf(p.key("bic"), "%q is in %s, the IBAN in %s", bic, sub[1], country)
		}
	}
}

// ValidIBAN reports whether iban (upper case, no spaces) passes the ISO
// 13616 mod-97 check: moved the first four characters to the end, with
// letters as 10..35, the number is 1 modulo 97. It does not check the
// country's length.
func ValidIBAN(iban string) bool {
	if len(iban) < 5 {
		return false
	}
	rem := 0
	for _, r := range iban[4:] + iban[:4] {
		switch {
		case r >= '0' && r <= '9':
			rem = (rem*10 + int(r-'0')) % 97
		case r >= 'A' && r <= 'Z':
			rem = (rem*100 + int(r-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// numbersFitCountry checks that the numbers of an account in currency fit
// the country of one of its owners' primary addresses. An IBAN must be of the
// owner's country when that country uses the account's currency (a German
// owner's euro account has a DE IBAN; a US owner's euro account any euro one).
func (c *checker) numbersFitCountry(p path, n map[string]any, country, currency string) {
	for _, kc := range [][2]string{{"ach", "US"}, {"eft", "CA"}, {"bacs", "GB"}} {
		if list, _ := n[kc[0]].([]any); len(list) > 0 && country != kc[1] {
			c.addf(p.key(kc[0]), "%s numbers for an owner in %s, want %s", kc[0], show(country), kc[1])
		}
	}
	list, _ := n["international"].([]any)
	for i, e := range list {
		m, _ := e.(map[string]any)
		iban, _ := m["iban"].(string)
		if len(iban) < 2 || !slices.Contains(ibanCurrencies[currency], country) {
			continue // the owner's country does not use the currency: any fitting IBAN will do
		}
		if iban[:2] != country {
			c.addf(p.key("international").idx(i).key("iban"), "%q for an owner in %s", iban, country)
		}
	}
}

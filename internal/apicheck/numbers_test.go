package apicheck

import (
	"testing"
)

// The testdata: good_accounts.json and good_account.json are the accounts of
// good_identity.json without owners (the single account is the credit card
// accounts[1]); good_numbers.json adds numbers: ACH for the checking account
// (routing 021000021), none for the card. All three parse with the models of
// SDK 0.0.1, 0.1.10, 0.1.15 and 0.2.3.

func TestAccountsGood(t *testing.T) {
	body := readTestdata(t, "good_accounts.json")
	checkProblems(t, Accounts(body, goodLinkID), nil)
	checkProblems(t, AccountsAll(body, goodLinkID), nil)
	checkProblems(t, SameAccounts(body, readTestdata(t, "good_identity.json")), nil)
}

func TestAccountsMutations(t *testing.T) {
	good := readTestdata(t, "good_accounts.json")
	for _, tc := range []struct {
		name string
		muts []mutation
		want []string
	}{
		{"owners are not part of an account", []mutation{set("accounts[0].owners", `[]`)}, []string{"accounts[0].owners: unknown key"}},
		{"duplicate mask", []mutation{set("accounts[1].account_mask", `"4458"`)}, []string{`accounts[1].account_mask: "4458" duplicates accounts[0].account_mask`}},
		{"balance as string", []mutation{set("accounts[0].balances.current", `"1925.75"`)}, []string{"accounts[0].balances.current: want number or null, got string"}},
		{"link checked", []mutation{del("link.provider")}, []string{"link.provider: missing required key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, Accounts(mutate(t, good, tc.muts...), goodLinkID), tc.want)
		})
	}
}

func TestAccountGood(t *testing.T) {
	body := readTestdata(t, "good_account.json")
	checkProblems(t, Account(body, goodLinkID, "acc_Nng8EMdcsiEc7TzLrB54sC"), nil)
	checkProblems(t, Account(body, goodLinkID, "acc_Af3gGp4wvUGwXpFJ4SePf4"),
		[]string{`account.account_id: got "acc_Nng8EMdcsiEc7TzLrB54sC", want "acc_Af3gGp4wvUGwXpFJ4SePf4"`})
	checkProblems(t, Account([]byte(`{"accounts":[]}`), goodLinkID, "x"),
		[]string{"account: missing required key", "link: missing required key", "accounts: unknown key"})
	checkProblems(t, SameAccounts(body, readTestdata(t, "good_identity.json")), nil)
}

func TestSameAccounts(t *testing.T) {
	identity := readTestdata(t, "good_identity.json")
	good := readTestdata(t, "good_accounts.json")
	for _, tc := range []struct {
		name string
		muts []mutation
		want []string
	}{
		{"other mask", []mutation{set("accounts[0].account_mask", `"4459"`)}, []string{`accounts[0].account_mask: "4459" differs from identity's "4458"`}},
		{"other balance", []mutation{set("accounts[1].balances.current", `1234.57`)}, []string{
			`accounts[1].balances: {"available":3765.44,"balance_date":"2024-05-01T12:00:00.401223Z","currency":"USD","current":1234.57,"limit":5000}` +
				` differs from identity's {"available":3765.44,"balance_date":"2024-05-01T12:00:00.401223Z","currency":"USD","current":1234.56,"limit":5000}`,
		}},
		{"missing account", []mutation{del("accounts[1]")},
			[]string{"accounts: account IDs acc_Af3gGp4wvUGwXpFJ4SePf4, identity has acc_Af3gGp4wvUGwXpFJ4SePf4,acc_Nng8EMdcsiEc7TzLrB54sC"}},
		{"unknown account", []mutation{set("accounts[1].account_id", `"acc_AAAAAAAAAAAAAAAAAAAAAA"`)}, []string{
			`accounts[1].account_id: "acc_AAAAAAAAAAAAAAAAAAAAAA" is not an account of the identity answer`,
			"accounts: account IDs acc_Af3gGp4wvUGwXpFJ4SePf4,acc_AAAAAAAAAAAAAAAAAAAAAA, identity has acc_Af3gGp4wvUGwXpFJ4SePf4,acc_Nng8EMdcsiEc7TzLrB54sC",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SameAccounts(mutate(t, good, tc.muts...), identity)
			checkProblems(t, got, tc.want)
		})
	}
}

func TestAccountNumbersGood(t *testing.T) {
	body := readTestdata(t, "good_numbers.json")
	checkProblems(t, AccountNumbers(body, goodLinkID), nil)
	checkProblems(t, AccountNumbersAll(body, goodLinkID), nil)
	checkProblems(t, SameAccounts(body, readTestdata(t, "good_identity.json")), nil)
}

const (
	n0 = "accounts[0].numbers"
	n1 = "accounts[1].numbers"
)

func TestAccountNumbersMutations(t *testing.T) {
	good := readTestdata(t, "good_numbers.json")
	gbp := []mutation{set("accounts[0].balances.currency", `"GBP"`), set(n0+".ach", `[]`)}
	eur := []mutation{set("accounts[0].balances.currency", `"EUR"`), set(n0+".ach", `[]`)}
	for _, tc := range []struct {
		name string
		muts []mutation
		want []string
	}{
		{"numbers missing", []mutation{del(n0)}, []string{n0 + ": missing required key"}},
		{"eft missing", []mutation{del(n0 + ".eft")}, []string{n0 + ".eft: missing required key"}},
		{"eft null", []mutation{set(n0+".eft", `null`)}, []string{n0 + ".eft: want array, got null"}},
		{"unknown kind", []mutation{set(n0+".sepa", `[]`)}, []string{n0 + ".sepa: unknown key"}},
		{"account_id inside a number", []mutation{set(n0+".ach[0].account_id", `"acc_Af3gGp4wvUGwXpFJ4SePf4"`)}, []string{n0 + ".ach[0].account_id: unknown key"}},
		{"routing number as a number", []mutation{set(n0+".ach[0].routing_number", `21000021`)}, []string{n0 + ".ach[0].routing_number: want string, got number"}},
		{"routing checksum", []mutation{set(n0+".ach[0].routing_number", `"021000022"`)}, []string{n0 + `.ach[0].routing_number: "021000022" fails the ABA checksum`}},
		{"routing district", []mutation{set(n0+".ach[0].routing_number", `"990000000"`)}, []string{n0 + `.ach[0].routing_number: "990000000" does not start with a Federal Reserve district (01-12, 21-32, 61-72)`}},
		{"routing length", []mutation{set(n0+".ach[0].routing_number", `"02100002"`)}, []string{n0 + `.ach[0].routing_number: "02100002" must be exactly 9 digits`}},
		{"wire routing checked", []mutation{set(n0+".ach[0].wire_routing_number", `"021000022"`)}, []string{n0 + `.ach[0].wire_routing_number: "021000022" fails the ABA checksum`}},
		{"wire routing fine", []mutation{set(n0+".ach[0].wire_routing_number", `"026009593"`)}, nil},
		{"account number mask", []mutation{set(n0+".ach[0].account_number", `"481204459"`)}, []string{n0 + `.ach[0].account_number: "481204459" does not end in the account mask "4458"`}},
		{"account number letters", []mutation{set(n0+".ach[0].account_number", `"48120x4458"`)}, []string{n0 + `.ach[0].account_number: "48120x4458" must be 4 to 17 digits`}},
		{"no ach for a USD checking account", []mutation{set(n0+".ach", `[]`)}, []string{n0 + ".ach: is empty, want 1 entry for a USD depository account"}},
		{"two ach entries", []mutation{cp(n0+".ach[1]", n0+".ach[0]")}, []string{n0 + ".ach: has 2 entries, want at most 1"}},
		{"ach for a credit card", []mutation{cp(n1+".ach[0]", n0+".ach[0]")}, []string{
			n1 + `.ach: "liability.credit_card" account has ach numbers, want none (only depository accounts have numbers)`,
			n1 + `.ach[0].account_number: "481204458" does not end in the account mask "9012"`,
		}},
		{"bacs for a USD account", []mutation{set(n0+".bacs", `[{"account_number":"31924458","sort_code":"200000"}]`)}, []string{n0 + `.bacs: bacs numbers do not fit a "USD" account`}},
		{"gbp bacs", append(gbp, set(n0+".bacs", `[{"account_number":"31924458","sort_code":"200000"}]`)), nil},
		{"gbp bacs and a GB IBAN", append(gbp,
			set(n0+".bacs", `[{"account_number":"31924458","sort_code":"200000"}]`),
			set(n0+".international", `[{"iban":"GB25BARC20000031924458","bic":"BARCGB22"}]`)), nil},
		{"gbp bacs sort code", append(gbp, set(n0+".bacs", `[{"account_number":"31924458","sort_code":"20-00-00"}]`)),
			[]string{n0 + `.bacs[0].sort_code: "20-00-00" must be exactly 6 digits`}},
		{"gbp bacs account number length", append(gbp, set(n0+".bacs", `[{"account_number":"3192444458","sort_code":"200000"}]`)),
			[]string{n0 + `.bacs[0].account_number: "3192444458" must be exactly 8 digits`}},
		{"gbp without bacs", gbp, []string{n0 + ".bacs: is empty, want 1 entry for a GBP depository account"}},
		{"cad eft", []mutation{set("accounts[0].balances.currency", `"CAD"`), set(n0+".ach", `[]`),
			set(n0+".eft", `[{"account_number":"5204458","institution_number":"004","branch_number":"12345"}]`)}, nil},
		{"cad eft bad numbers", []mutation{set("accounts[0].balances.currency", `"CAD"`), set(n0+".ach", `[]`),
			set(n0+".eft", `[{"account_number":"4458","institution_number":"04","branch_number":"123456"}]`)}, []string{
			n0 + `.eft[0].account_number: "4458" must be 7 to 12 digits`,
			n0 + `.eft[0].institution_number: "04" must be exactly 3 digits`,
			n0 + `.eft[0].branch_number: "123456" must be exactly 5 digits`,
		}},
		{"eur iban", append(eur, set(n0+".international", `[{"iban":"DE08370400440532014458","bic":"COBADEFFXXX"}]`)), nil},
		{"eur iban checksum", append(eur, set(n0+".international", `[{"iban":"DE37370400440532014458","bic":"COBADEFFXXX"}]`)),
			[]string{n0 + `.international[0].iban: "DE37370400440532014458" fails the mod-97 check`}},
		{"eur iban length", append(eur, set(n0+".international", `[{"iban":"DE0837040044053201445","bic":"COBADEFF"}]`)),
			[]string{n0 + `.international[0].iban: "DE0837040044053201445" has 21 characters, a DE IBAN has 22`}},
		{"eur iban spaces", append(eur, set(n0+".international", `[{"iban":"DE08 3704 0044 0532 0144 58","bic":"COBADEFF"}]`)),
			[]string{n0 + `.international[0].iban: "DE08 3704 0044 0532 0144 58" is not an IBAN (2 letters, 2 check digits, upper-case letters and digits, no spaces)`}},
		{"eur iban of a non-euro country", append(eur, set(n0+".international", `[{"iban":"GB25BARC20000031924458","bic":"BARCGB22"}]`)),
			[]string{n0 + `.international[0].iban: "GB25BARC20000031924458": a GB IBAN for a EUR account`}},
		{"eur bic country", append(eur, set(n0+".international", `[{"iban":"DE08370400440532014458","bic":"BARCGB22"}]`)),
			[]string{n0 + `.international[0].bic: "BARCGB22" is in GB, the IBAN in DE`}},
		{"eur bic length", append(eur, set(n0+".international", `[{"iban":"DE08370400440532014458","bic":"COBADEFFX"}]`)),
			[]string{n0 + `.international[0].bic: "COBADEFFX" is not a BIC (4 letters, 2-letter country, 2 alphanumerics, optional 3-character branch)`}},
		{"eur iban mask", append(eur, set(n0+".international", `[{"iban":"DE89370400440532013000","bic":"COBADEFF"}]`)),
			[]string{n0 + `.international[0].iban: "DE89370400440532013000" does not end in the account mask "4458"`}},
		{"jpy has none", []mutation{set("accounts[0].balances.currency", `"JPY"`)},
			[]string{n0 + `.ach: ach numbers do not fit a "JPY" account`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, AccountNumbers(mutate(t, good, tc.muts...), goodLinkID), tc.want)
		})
	}
}

func TestNumbersFitOwnerCountry(t *testing.T) {
	identity := readTestdata(t, "good_identity.json")
	good := readTestdata(t, "good_numbers.json")
	checkProblems(t, SameAccounts(good, mutate(t, identity, set("accounts[0].owners[0].addresses[0].country", `"CA"`))), []string{
		`accounts[0].numbers.ach: ach numbers for an owner in "CA", want US`,
	})
	eur := set("accounts[0].balances.currency", `"EUR"`)
	body := mutate(t, good, eur, set(n0+".ach", `[]`), set(n0+".international", `[{"iban":"DE08370400440532014458","bic":"COBADEFF"}]`))
	checkProblems(t, AccountNumbers(body, goodLinkID), nil)
	checkProblems(t, SameAccounts(body, mutate(t, identity, eur, set("accounts[0].owners[0].addresses[0].country", `"FR"`))), []string{
		`accounts[0].numbers.international[0].iban: "DE08370400440532014458" for an owner in FR`,
	})
	// A US owner's euro account may have any euro IBAN.
	checkProblems(t, SameAccounts(body, mutate(t, identity, eur)), nil)
}

func TestValidABAAndIBAN(t *testing.T) {
	for r, want := range map[string]bool{
		"021000021": true, "011000015": true, "026009593": true, "121000358": true, "322271627": true,
		"021000022": false, "02100002": false, "02100002a": false, "": false,
	} {
		if got := ValidABA(r); got != want {
			t.Errorf("ValidABA(%q) = %v, want %v", r, got, want)
		}
	}
	for iban, want := range map[string]bool{
		"GB82WEST12345698765432": true, "DE89370400440532013000": true, "FR1420041010050500013M02606": true,
		"NL91ABNA0417164300": true, "CH9300762011623852957": true, "NO9386011117947": true,
		"GB82WEST12345698765431": false, "GB82": false, "gb82WEST12345698765432": false,
	} {
		if got := ValidIBAN(iban); got != want {
			t.Errorf("ValidIBAN(%q) = %v, want %v", iban, got, want)
		}
	}
}

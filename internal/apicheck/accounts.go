package apicheck

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// Accounts checks a GET /links/{id}/accounts 200 body (GetAccountsResponse):
// {accounts: [AccountResponse], link: LinkCommon}. An AccountResponse is an
// identity account without owners; the same believability rules apply (acc_
// ids, unique ids and masks, balances that fit the account type).
//
// It checks the newest generation's enums; AccountsFor checks one generation.
func Accounts(body []byte, linkID string) []string { return AccountsFor(current, body, linkID) }

// AccountsFor is Accounts with the enums and required keys of generation g.
func AccountsFor(g Generation, body []byte, linkID string) []string {
	return checkAccounts(g, body, linkID, "")
}

// Account checks a GET /links/{id}/accounts/{account_id} 200 body
// (GetAccountResponse): {account: AccountResponse, link: LinkCommon}, whose
// account_id must be accountID.
func Account(body []byte, linkID, accountID string) []string {
	return AccountFor(current, body, linkID, accountID)
}

// AccountFor is Account with the enums and required keys of generation g.
func AccountFor(g Generation, body []byte, linkID, accountID string) []string {
	c := checker{g: &g}
	v, ok := c.decode(body)
	if !ok || !c.is("", v, kObject) {
		return c.problems
	}
	top := v.(map[string]any)
	c.fields("", top, []string{"account", "link"}, nil)
	if v, ok := top["account"]; ok && c.is("account", v, kObject) {
		acc := v.(map[string]any)
		s := newSeen()
		c.account("account", 0, acc, &s, "")
		if id, isString := acc["account_id"].(string); isString && id != accountID {
			c.addf(path("account").key("account_id"), "got %q, want %q", id, accountID)
		}
	}
	if v, ok := top["link"]; ok && c.is("link", v, kObject) {
		c.link("link", v.(map[string]any), linkID, false)
	}
	return c.problems
}

// checkAccounts checks {accounts: [...], link}, where each account carries
// the key extra: "owners" for identity, "" for accounts, "numbers" for
// account numbers.
func checkAccounts(g Generation, body []byte, linkID, extra string) []string {
	c := checker{g: &g}
	v, ok := c.decode(body)
	if !ok || !c.is("", v, kObject) {
		return c.problems
	}
	top := v.(map[string]any)
	c.fields("", top, []string{"accounts", "link"}, nil)
	if v, ok := top["accounts"]; ok && c.is("accounts", v, kArray) {
		s := newSeen()
		for i, a := range v.([]any) {
			p := path("accounts").idx(i)
			if !c.is(p, a, kObject) {
				continue
			}
			acc := a.(map[string]any)
			c.account(p, i, acc, &s, extra)
			if n, ok := acc["numbers"]; ok && extra == "numbers" && c.is(p.key("numbers"), n, kObject) {
				c.numbers(p.key("numbers"), n.(map[string]any), acc)
			}
		}
	}
	if v, ok := top["link"]; ok && c.is("link", v, kObject) {
		c.link("link", v.(map[string]any), linkID, false)
	}
	return c.problems
}

// SameAccounts checks that the accounts of body (an accounts, account or
// account numbers answer) are the accounts of identity (an identity answer
// of the same link): the same account IDs in the same order (for a single
// account: one of them), and for each the same type, name, nickname, mask,
// original_id, closed and balances. For account numbers, each kind of number
// must fit the country of the account owners' primary addresses: ACH for
// the US, EFT for Canada, BACS for the UK, and an IBAN of the owner's own
// country when that country has IBANs. Both bodies should pass their own
// checks first; SameAccounts reports only what does not match.
func SameAccounts(body, identity []byte) []string {
	var c checker
	bv, ok := c.decode(body)
	if !ok {
		return c.problems
	}
	iv, ok := c.decode(identity)
	if !ok {
		return c.problems
	}
	b, _ := bv.(map[string]any)
	id, _ := iv.(map[string]any)
	idAccounts, _ := id["accounts"].([]any)
	byID := map[string]map[string]any{}
	var idOrder []string
	for _, a := range idAccounts {
		if m, ok := a.(map[string]any); ok {
			if s, ok := m["account_id"].(string); ok {
				byID[s] = m
				idOrder = append(idOrder, s)
			}
		}
	}

	if one, ok := b["account"].(map[string]any); ok {
		c.sameAccount("account", one, byID)
		return c.problems
	}
	list, _ := b["accounts"].([]any)
	var order []string
	for i, a := range list {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		if s, ok := m["account_id"].(string); ok {
			order = append(order, s)
		}
		c.sameAccount(path("accounts").idx(i), m, byID)
	}
	if !reflect.DeepEqual(order, idOrder) {
		c.addf("accounts", "account IDs %s, identity has %s", strings.Join(order, ","), strings.Join(idOrder, ","))
	}
	return c.problems
}

func (c *checker) sameAccount(p path, a map[string]any, byID map[string]map[string]any) {
	id, _ := a["account_id"].(string)
	want, ok := byID[id]
	if !ok {
		c.addf(p.key("account_id"), "%q is not an account of the identity answer", id)
		return
	}
	for _, k := range []string{"account_type", "name", "nickname", "account_mask", "original_id", "closed", "balances"} {
		if !reflect.DeepEqual(a[k], want[k]) {
			c.addf(p.key(k), "%s differs from identity's %s", show2(a[k]), show2(want[k]))
		}
	}
	numbers, ok := a["numbers"].(map[string]any)
	if !ok {
		return
	}
	owners, _ := want["owners"].([]any)
	balances, _ := a["balances"].(map[string]any)
	currency, _ := balances["currency"].(string)
	for _, country := range ownerCountries(owners) {
		c.numbersFitCountry(p.key("numbers"), numbers, country, currency)
	}
}

// show2 formats any decoded JSON value briefly for a message.
func show2(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// ownerCountries returns the distinct countries of the owners' primary
// addresses, in order.
func ownerCountries(owners []any) []string {
	var out []string
	for _, o := range owners {
		om, _ := o.(map[string]any)
		addrs, _ := om["addresses"].([]any)
		for _, a := range addrs {
			am, _ := a.(map[string]any)
			if am["primary"] != true {
				continue
			}
			if cc, ok := am["country"].(string); ok && !slices.Contains(out, cc) {
				out = append(out, cc)
			}
		}
	}
	return out
}

package apicheck

import (
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

var (
	accountIDPattern   = regexp.MustCompile(`^acc_[A-Za-z0-9]{22}$`)
	accountMaskPattern = regexp.MustCompile(`^[0-9]{4}$`)
	currencyPattern    = regexp.MustCompile(`^[A-Z]{3}$`)
	countryPattern     = regexp.MustCompile(`^[A-Z]{2}$`)
	zipPattern         = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)

	// accountTypePrefixes is the documented account_type rule since 2023-12
	// (reference §8.1); the only other allowed value is exactly "unknown".
	accountTypePrefixes = []string{"depository.", "investment.", "liability.", "other."}
)

// uspsCodes holds the USPS two-letter codes: states, DC, territories, freely
// associated states and the military "states".
var uspsCodes = setOf(strings.Fields(`
	AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO
	MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
	DC AS GU MP PR VI FM MH PW AA AE AP`))

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// Identity checks a GET /links/{id}/identity 200 body. It returns every
// problem found, each naming a JSON path like accounts[1].owners[0].emails, or
// nil.
//
// Besides what the SDKs require (reference §5, §9) it enforces the mock's
// believability rules: acc_ ids, unique ids and masks, balances that add up
// for the account type, 1 or 2 owners per account each with exactly one
// primary address, phone and email (when the list is non-empty), US addresses
// with a USPS state and ZIP, a primary email derived from the owner's name,
// and an owner shared by two accounts identical in both.
//
// It checks the newest generation's enums; IdentityFor checks one generation.
func Identity(body []byte, linkID string) []string { return IdentityFor(current, body, linkID) }

// IdentityFor is Identity with the enums and required keys of generation g.
func IdentityFor(g Generation, body []byte, linkID string) []string {
	return checkAccounts(g, body, linkID, "owners")
}

// identitySeen records what earlier accounts in the body used, for the
// uniqueness and shared-owner rules.
type identitySeen struct {
	ids, masks map[string]path
	owners     map[string]ownerSeen // by names list
}

func newSeen() identitySeen {
	return identitySeen{ids: map[string]path{}, masks: map[string]path{}, owners: map[string]ownerSeen{}}
}

type ownerSeen struct {
	at      path
	account int
	owner   map[string]any
}

func validAccountType(t string) bool {
	if t == "unknown" {
		return true
	}
	for _, prefix := range accountTypePrefixes {
		if strings.HasPrefix(t, prefix) && len(t) > len(prefix) {
			return true
		}
	}
	return false
}

// account checks one account object. extra is the key that comes with the
// account fields in this answer: "owners" (AccountIdentity), "numbers"
// (AccountWithAccountNumbers, checked by the caller) or "" (AccountResponse).
func (c *checker) account(p path, index int, acc map[string]any, s *identitySeen, extra string) {
	required := []string{"account_id", "account_type", "name", "balances"}
	if extra != "" {
		required = append(required, extra)
	}
	c.fields(p, acc, required, []string{"nickname", "account_mask", "original_id", "closed"})

	if v, ok := acc["account_id"]; ok {
		ip := p.key("account_id")
		if id, ok := c.nonEmptyString(ip, v); ok {
			if !accountIDPattern.MatchString(id) {
				c.addf(ip, "%q does not match %s", id, accountIDPattern)
			}
			if first, dup := s.ids[id]; dup {
				c.addf(ip, "%q duplicates %s", id, first)
			} else {
				s.ids[id] = ip
			}
		}
	}

	var typ string // "" unless valid
	if v, ok := acc["account_type"]; ok {
		tp := p.key("account_type")
		if t, ok := c.nonEmptyString(tp, v); ok {
			if validAccountType(t) {
				typ = t
			} else {
				c.addf(tp, `%q must be "unknown" or start with depository., investment., liability. or other.`, t)
			}
		}
	}

	if v, ok := acc["name"]; ok {
		c.nonEmptyString(p.key("name"), v)
	}
	c.optional(p, acc, "nickname", kString|kNull)
	c.optional(p, acc, "original_id", kString|kNull)
	c.optional(p, acc, "closed", kBool|kNull)

	if v, ok := acc["account_mask"]; ok {
		mp := p.key("account_mask")
		if c.is(mp, v, kString|kNull) && v != nil {
			mask := v.(string)
			if !accountMaskPattern.MatchString(mask) {
				c.addf(mp, "%q must be exactly 4 digits", mask)
			}
			if first, dup := s.masks[mask]; dup {
				c.addf(mp, "%q duplicates %s", mask, first)
			} else {
				s.masks[mask] = mp
			}
		}
	}

	if v, ok := acc["balances"]; ok && c.is(p.key("balances"), v, kObject) {
		c.balances(p.key("balances"), v.(map[string]any), typ)
	}
	if v, ok := acc["owners"]; ok && extra == "owners" && c.is(p.key("owners"), v, kArray) {
		c.owners(p.key("owners"), v.([]any), index, s)
	}
}

// balances checks AccountBalances and, when typ is a valid account type, the
// balance rules for that type.
func (c *checker) balances(p path, b map[string]any, typ string) {
	c.fields(p, b, []string{"currency"}, []string{"available", "current", "limit", "balance_date"})
	if v, ok := b["currency"]; ok && c.is(p.key("currency"), v, kString) {
		switch cur := v.(string); {
		case !currencyPattern.MatchString(cur):
			c.addf(p.key("currency"), "%q must be 3 upper-case letters", cur)
		case c.g.Currencies != nil && !slices.Contains(c.g.Currencies, cur):
			c.addf(p.key("currency"), "%q is not an ISO 4217 code", cur)
		}
	}
	avail, availState := c.amount(p, b, "available")
	cur, curState := c.amount(p, b, "current")
	limit, limitState := c.amount(p, b, "limit")
	c.dateTime(p, b, "balance_date")

	// need reports an absent (missing or null) amount that the account type
	// requires, and says whether the amount can be used by the rules below.
	need := func(k, state, class string) bool {
		if state == "absent" {
			c.addf(p.key(k), "must be a non-null number for %s accounts", class)
		}
		return state == "ok"
	}
	switch {
	case strings.HasPrefix(typ, "depository."):
		okAvail := need("available", availState, "depository")
		okCur := need("current", curState, "depository")
		switch {
		case okAvail && avail.f < 0:
			c.addf(p.key("available"), "must be >= 0, got %s", avail.text)
		case okAvail && okCur && avail.f > cur.f:
			c.addf(p.key("available"), "must be <= current (%s > %s)", avail.text, cur.text)
		}
	case typ == "liability.credit_card":
		// current is the amount owed, so available credit is limit - current.
		okCur := need("current", curState, "liability.credit_card")
		okLimit := need("limit", limitState, "liability.credit_card")
		if okLimit && limit.f <= 0 {
			c.addf(p.key("limit"), "must be > 0, got %s", limit.text)
			okLimit = false
		}
		if okCur && cur.f < 0 {
			c.addf(p.key("current"), "must be >= 0 (amount owed), got %s", cur.text)
			okCur = false
		}
		if okCur && okLimit && cur.f > limit.f {
			c.addf(p.key("current"), "must be <= limit (%s > %s)", cur.text, limit.text)
		}
		if availState == "ok" && okCur && okLimit {
			if want := limit.f - cur.f; math.Abs(avail.f-want) > 0.005 {
				c.addf(p.key("available"), "must equal limit - current = %s, got %s", formatCents(want), avail.text)
			}
		}
	case strings.HasPrefix(typ, "investment."):
		if need("current", curState, "investment") && cur.f < 0 {
			c.addf(p.key("current"), "must be >= 0, got %s", cur.text)
		}
	}
}

func (c *checker) owners(p path, list []any, account int, s *identitySeen) {
	if n := len(list); n < 1 || n > 2 {
		c.addf(p, "must have 1 or 2 owners, got %d", n)
	}
	for j, v := range list {
		op := p.idx(j)
		if !c.is(op, v, kObject) {
			continue
		}
		o := v.(map[string]any)
		names, ok := c.owner(op, o)
		if !ok {
			continue
		}
		key := strings.Join(names, "\x00")
		first, seen := s.owners[key]
		switch {
		case !seen:
			s.owners[key] = ownerSeen{at: op, account: account, owner: o}
		case first.account == account:
			c.addf(op, "duplicates %s (same names) in one account", first.at)
		case !reflect.DeepEqual(first.owner, o):
			c.addf(op, "differs from %s, which has the same names", first.at)
		}
	}
}

// owner checks one Owner and returns its names when they are valid.
func (c *checker) owner(p path, o map[string]any) ([]string, bool) {
	c.fields(p, o, []string{"names", "addresses", "phone_numbers", "emails"}, nil)

	var names []string
	namesOK := false
	if v, ok := o["names"]; ok && c.is(p.key("names"), v, kArray) {
		list := v.([]any)
		namesOK = true
		if len(list) == 0 {
			c.addf(p.key("names"), "must have at least 1 name")
			namesOK = false
		}
		for i, n := range list {
			s, ok := c.nonEmptyString(p.key("names").idx(i), n)
			namesOK = namesOK && ok
			names = append(names, s)
		}
	}

	c.primaryList(p, o, "addresses", c.address)
	c.primaryList(p, o, "phone_numbers", c.phone)
	if list, primary := c.primaryList(p, o, "emails", c.email); primary >= 0 && namesOK {
		c.emailFromName(p.key("emails").idx(primary), list[primary].(map[string]any), names[0])
	}
	return names, namesOK
}

// primaryList checks the array o[k] with check for each object entry, and
// that exactly one entry has primary == true when the list is not empty. It
// returns the list and the index of the single primary entry, or -1.
func (c *checker) primaryList(p path, o map[string]any, k string, check func(path, map[string]any)) ([]any, int) {
	p = p.key(k)
	v, ok := o[k]
	if !ok || !c.is(p, v, kArray) {
		return nil, -1
	}
	list := v.([]any)
	primary, count := -1, 0
	for i, e := range list {
		if !c.is(p.idx(i), e, kObject) {
			continue
		}
		m := e.(map[string]any)
		check(p.idx(i), m)
		if m["primary"] == true {
			primary = i
			count++
		}
	}
	switch {
	case len(list) == 0:
	case count == 0:
		c.addf(p, "no entry has primary=true, want exactly 1")
	case count > 1:
		c.addf(p, "%d entries have primary=true, want exactly 1", count)
	}
	if count != 1 {
		primary = -1
	}
	return list, primary
}

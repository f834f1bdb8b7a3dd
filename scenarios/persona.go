package scenarios

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"gopkg.in/yaml.v3"
)

// personaDef is one persona of a fixtures file: its name, where its name is
// written, what it describes, and a hash of that (see hashPersona).
type personaDef struct {
	name      string
	source    string
	line, col int
	persona   *fixtures.Persona
	hash      uint64
}

// The mappings of a fixtures file as written: each field is a key's value,
// the zero Node when the key is left out or null. The tags are the keys a
// mapping allows, in the order messages list them.
type (
	personaKeys struct {
		Owners      yaml.Node `yaml:"owners"`
		Accounts    yaml.Node `yaml:"accounts"`
		Institution yaml.Node `yaml:"institution"`
		Provider    yaml.Node `yaml:"provider"`
		LinkTags    yaml.Node `yaml:"link_tags"`
		Webhook     yaml.Node `yaml:"webhook"`
	}
	ownerKeys struct {
		Names        yaml.Node `yaml:"names"`
		Emails       yaml.Node `yaml:"emails"`
		PhoneNumbers yaml.Node `yaml:"phone_numbers"`
		Addresses    yaml.Node `yaml:"addresses"`
	}
	emailKeys struct {
		Address yaml.Node `yaml:"address"`
		Primary yaml.Node `yaml:"primary"`
	}
	phoneKeys struct {
		Number  yaml.Node `yaml:"number"`
		Type    yaml.Node `yaml:"type"`
		Primary yaml.Node `yaml:"primary"`
	}
	addressKeys struct {
		Street     yaml.Node `yaml:"street"`
		City       yaml.Node `yaml:"city"`
		Region     yaml.Node `yaml:"region"`
		PostalCode yaml.Node `yaml:"postal_code"`
		Country    yaml.Node `yaml:"country"`
		Primary    yaml.Node `yaml:"primary"`
	}
	accountKeys struct {
		AccountType yaml.Node `yaml:"account_type"`
		Name        yaml.Node `yaml:"name"`
		Nickname    yaml.Node `yaml:"nickname"`
		AccountMask yaml.Node `yaml:"account_mask"`
		Balances    yaml.Node `yaml:"balances"`
		Owners      yaml.Node `yaml:"owners"`
		Closed      yaml.Node `yaml:"closed"`
	}
	balanceKeys struct {
		Currency  yaml.Node `yaml:"currency"`
		Available yaml.Node `yaml:"available"`
		Current   yaml.Node `yaml:"current"`
		Limit     yaml.Node `yaml:"limit"`
	}
	institutionKeys struct {
		InstitutionID     yaml.Node `yaml:"institution_id"`
		InstitutionName   yaml.Node `yaml:"institution_name"`
		InstitutionAvatar yaml.Node `yaml:"institution_avatar"`
	}
)

var (
	maskPattern     = regexp.MustCompile(`^[0-9]{4}$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	countryPattern  = regexp.MustCompile(`^[A-Z]{2}$`)
	zipPattern      = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	// amountPattern is the decimal text of an amount: sign, units, cents.
	amountPattern = regexp.MustCompile(`^([-+]?)([0-9]*)(?:\.([0-9]*))?$`)

	// accountTypePrefixes are the account_type families (API notes §8.1);
	// the only other value is exactly "unknown".
	accountTypePrefixes = []string{"depository.", "investment.", "liability.", "other."}

	// uspsCodes are the USPS two-letter codes: states, DC, territories,
	// freely associated states and the military "states".
	uspsCodes = strings.Fields(`
		AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO
		MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
		DC AS GU MP PR VI FM MH PW AA AE AP`)
)

// maxVisits bounds the values the walk of one fixtures file visits. A file
// may reuse parts through aliases, and aliases of aliases multiply: a few
// hundred bytes can stand for billions of values. Real files visit each
// value about once, far below the bound.
const maxVisits = 1 << 20

// maxUnits bounds the whole part of an amount, so that its cents fit an int64
// with room to spare (a trillion dollars and more).
const maxUnits = 13

// ParsePersonas reads one fixtures file, returning its personas by name.
// name is used in error messages. On any problem it returns nil and *Errors
// with all of them. It does not check what only the loaded Set can tell
// (which personas the scenario files name).
func ParsePersonas(name string, data []byte) (map[string]*fixtures.Persona, error) {
	defs, errs := parsePersonaFile(name, data)
	if len(errs) > 0 {
		return nil, errs.asError()
	}
	out := make(map[string]*fixtures.Persona, len(defs))
	for _, d := range defs {
		out[d.name] = d.persona
	}
	return out, nil
}

// parsePersonaFile returns every persona of the file, including those with
// problems, so that their names still count as defined: a scenario naming
// one gets no second error, and a later file defining it again is caught.
func parsePersonaFile(name string, data []byte) ([]*personaDef, Errors) {
	p := newParser(name, "fixtures file")
	var defs []*personaDef
	p.section(data, fileKind{key: "personas", holds: "persona names to personas", other: "links", otherFile: "a scenario file"},
		func(name string, k, v *yaml.Node) {
			per := p.persona(name, v) // its problems count even under a bad name
			if !fixtureName.MatchString(name) {
				p.errorf(k, "persona name %q must match %s", name, fixtureName)
				return
			}
			defs = append(defs, &personaDef{name: name, source: p.file, line: k.Line, col: k.Column, persona: per})
		})
	if errs := p.done(); len(errs) > 0 {
		return defs, errs // no Set is built from them: skip the hashes
	}
	for _, d := range defs {
		d.hash = hashPersona(d.persona)
	}
	return defs, nil
}

// hashPersona hashes everything a persona says. It hashes the JSON encoding,
// which tells nil from empty slices and pointers (null, [] and {}) and
// follows any field added to fixtures.Persona without a change here.
func hashPersona(per *fixtures.Persona) uint64 {
	b, err := json.Marshal(per)
	if err != nil {
		// Persona holds only strings, bools, Money and slices and pointers
		// of them; none can fail to encode.
		panic("scenarios: cannot encode a persona: " + err.Error())
	}
	h := newHasher()
	h.bytes(b)
	return h.sum()
}

// visit counts one more value walked and reports whether the walk may go on;
// past maxVisits it records the problem once, at n.
func (p *parser) visit(n *yaml.Node) bool {
	if p.visits++; p.visits <= maxVisits {
		return true
	}
	if !p.tooBig {
		p.tooBig = true
		p.errorf(n, "aliases make this file stand for more than %d values; write it with fewer aliases of aliases", maxVisits)
	}
	return false
}

// persona parses one persona. A null value is an empty persona: everything
// is generated.
func (p *parser) persona(name string, v *yaml.Node) *fixtures.Persona {
	per := &fixtures.Persona{}
	var f personaKeys
	if !p.visit(v) || isNull(v) || !p.decode(v, fmt.Sprintf("in persona %q", name), &f, "persona %q must be a mapping", name) {
		return per
	}
	owners := p.owners(name, &f.Owners, per)
	accounts := p.accounts(&f.Accounts, per)
	per.Institution = p.personaInstitution(&f.Institution)
	per.Provider, _ = p.enum(&f.Provider, "provider", providers)
	per.LinkTags = list(p, &f.LinkTags, "link_tags", func(n, _ *yaml.Node) string {
		s, _ := p.text(n, "a link tag", true)
		return s
	})
	if s, ok := p.webhook(&f.Webhook); ok {
		per.Webhook = &s
	}
	// Accounts are checked against owners that are left out or valid enough.
	if absent(&f.Owners) || len(per.Owners) > 0 {
		p.accountOwners(name, per, owners, accounts)
	}
	return per
}

// ownerRef is an owner's names[0], by which accounts name it, and where to
// report a problem with it.
type ownerRef struct {
	name string
	at   *yaml.Node
}

// accountRef is what the persona-wide checks need of one account.
type accountRef struct {
	at          *yaml.Node   // the account, or the alias that brought it in
	owners      []*yaml.Node // its owners as written (valid strings only)
	ownersGiven bool
}

// at is where to report a problem with a sequence item: the node itself, or
// the alias that brought it in, so that reusing an item through an alias
// gets a problem of its own rather than one pointing at the original.
func at(n, raw *yaml.Node) *yaml.Node {
	if raw.Kind == yaml.AliasNode {
		return raw
	}
	return n
}

// owners parses the owners of a persona into per and returns them by names[0].
func (p *parser) owners(persona string, v *yaml.Node, per *fixtures.Persona) []ownerRef {
	var refs []ownerRef
	per.Owners = list(p, v, "owners", func(n, raw *yaml.Node) fixtures.PersonaOwner {
		o, first := p.owner(n)
		if first == nil {
			return o
		}
		where := at(first, raw)
		if i := slices.IndexFunc(refs, func(r ownerRef) bool { return r.name == first.Value }); i >= 0 {
			p.errorf(where, "owner %q appears twice in persona %q (first at line %d, column %d); accounts name owners by names[0], so it must be unique",
				first.Value, persona, refs[i].at.Line, refs[i].at.Column)
		} else {
			refs = append(refs, ownerRef{name: first.Value, at: where})
		}
		return o
	})
	if per.Owners != nil && len(per.Owners) == 0 {
		p.errorf(v, "owners must list at least one owner (leave owners out to generate them)")
	}
	return refs
}

// owner parses one owner and returns its names[0] node when that is valid.
func (p *parser) owner(n *yaml.Node) (fixtures.PersonaOwner, *yaml.Node) {
	var o fixtures.PersonaOwner
	var f ownerKeys
	if !p.decode(n, "in owner", &f, "an owner must be a mapping of %s", keyList{&f}) {
		return o, nil
	}
	var first *yaml.Node
	i := 0
	o.Names = list(p, &f.Names, "names", func(n, _ *yaml.Node) string {
		s, ok := p.text(n, "a name", true)
		if ok && i == 0 {
			first = n // accounts name the owner by it
		}
		i++
		return s
	})
	if o.Names != nil && len(o.Names) == 0 {
		p.errorf(&f.Names, "names must have at least one name (leave names out to generate one)")
	}
	prim := primaries{what: "emails"}
	o.Emails = list(p, &f.Emails, "emails", func(n, raw *yaml.Node) fixtures.Email { return p.email(n, raw, &prim) })
	prim = primaries{what: "phone_numbers"}
	o.PhoneNumbers = list(p, &f.PhoneNumbers, "phone_numbers", func(n, raw *yaml.Node) fixtures.Phone { return p.phone(n, raw, &prim) })
	prim = primaries{what: "addresses"}
	o.Addresses = list(p, &f.Addresses, "addresses", func(n, raw *yaml.Node) fixtures.Address { return p.address(n, raw, &prim) })
	return o, first
}

// primaries finds the second primary item of a list.
type primaries struct {
	what  string
	first *yaml.Node
}

// primary parses a primary key; raw is the list item as written.
func (p *parser) primary(v, raw *yaml.Node, prim *primaries) bool {
	b, ok := p.bool(v, "primary")
	if !ok || !b {
		return b
	}
	where := at(v, raw)
	if prim.first != nil {
		p.errorf(where, "more than one primary in %s (first at line %d, column %d)", prim.what, prim.first.Line, prim.first.Column)
	} else {
		prim.first = where
	}
	return true
}

func (p *parser) email(n, raw *yaml.Node, prim *primaries) fixtures.Email {
	var e fixtures.Email
	var f emailKeys
	if !p.decode(n, "in email", &f, "an email must be a mapping such as {address: ada@example.com, primary: true}") {
		return e
	}
	if s, ok := p.text(&f.Address, "address", true); ok && validEmail(s) {
		e.Address = s
	} else if ok {
		p.errorf(&f.Address, "address %q is not an email address (want one @ and a dot in the domain)", s)
	}
	e.Primary = p.primary(&f.Primary, raw, prim)
	if absent(&f.Address) {
		p.errorf(n, "an email needs address")
	}
	return e
}

// validEmail is the shape apicheck wants of an email address.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsAny(s, " \t\r\n")
}

func (p *parser) phone(n, raw *yaml.Node, prim *primaries) fixtures.Phone {
	var ph fixtures.Phone
	var f phoneKeys
	if !p.decode(n, "in phone number", &f, `a phone number must be a mapping such as {number: "+15125550142", type: mobile}`) {
		return ph
	}
	ph.Number, _ = p.text(&f.Number, "number", true)
	ph.Type, _ = p.enum(&f.Type, "phone type", fixtures.PhoneTypes())
	ph.Primary = p.primary(&f.Primary, raw, prim)
	if absent(&f.Number) {
		p.errorf(n, "a phone number needs number")
	}
	if absent(&f.Type) {
		p.errorf(n, "a phone number needs type (one of %s)", strings.Join(fixtures.PhoneTypes(), ", "))
	}
	return ph
}

func (p *parser) address(n, raw *yaml.Node, prim *primaries) fixtures.Address {
	var a fixtures.Address
	var f addressKeys
	if !p.decode(n, "in address", &f, "an address must be a mapping of %s", keyList{&f}) {
		return a
	}
	a.Street, _ = p.text(&f.Street, "street", false)
	a.City, _ = p.text(&f.City, "city", false)
	a.Region, _ = p.text(&f.Region, "region", false)
	a.PostalCode, _ = p.text(&f.PostalCode, "postal_code", false)
	if s, ok := p.text(&f.Country, "country", false); ok && countryPattern.MatchString(s) {
		a.Country = s
	} else if ok {
		p.errorf(&f.Country, "country must be a 2-letter upper-case ISO 3166-1 code such as US or GB, got %q", s)
	}
	a.Primary = p.primary(&f.Primary, raw, prim)
	// A US address is checked as MoneyKit's US data is: USPS state, ZIP code.
	if a.Country == "US" {
		switch {
		case absent(&f.Region):
			p.errorf(n, "a US address needs region (a 2-letter USPS state code such as TX)")
		case f.Region.ShortTag() == "!!str" && !slices.Contains(uspsCodes, a.Region):
			p.errorf(&f.Region, "region must be a 2-letter USPS state code when country is US, got %q", a.Region)
		}
		switch {
		case absent(&f.PostalCode):
			p.errorf(n, "a US address needs postal_code (a ZIP code such as \"78704\")")
		case f.PostalCode.ShortTag() == "!!str" && !zipPattern.MatchString(a.PostalCode):
			p.errorf(&f.PostalCode, "postal_code must be a 5-digit ZIP or ZIP+4 when country is US, got %q", a.PostalCode)
		}
	}
	return a
}

// accounts parses the accounts of a persona into per.
func (p *parser) accounts(v *yaml.Node, per *fixtures.Persona) []accountRef {
	var refs []accountRef
	masks := make(map[string]*yaml.Node)
	per.Accounts = list(p, v, "accounts", func(n, raw *yaml.Node) fixtures.PersonaAccount {
		a, ref, mask := p.account(n, raw)
		refs = append(refs, ref)
		if mask == nil {
			return a
		}
		where := at(mask, raw)
		if first, dup := masks[a.AccountMask]; dup {
			p.errorf(where, "account_mask %q is already used by another account of this persona (first at line %d, column %d)",
				a.AccountMask, first.Line, first.Column)
		} else {
			masks[a.AccountMask] = where
		}
		return a
	})
	return refs
}

// account parses one account; it returns the node of a valid account_mask.
func (p *parser) account(n, raw *yaml.Node) (fixtures.PersonaAccount, accountRef, *yaml.Node) {
	var a fixtures.PersonaAccount
	var f accountKeys
	ref := accountRef{at: at(n, raw), ownersGiven: true} // nothing more to say about a non-mapping
	if !p.decode(n, "in account", &f, "an account must be a mapping of %s", keyList{&f}) {
		return a, ref, nil
	}
	if s, ok := p.text(&f.AccountType, "account_type", true); ok && validAccountType(s) {
		a.AccountType = s
	} else if ok {
		p.errorf(&f.AccountType, "unknown account_type %q (want unknown or %s*, such as depository.checking)",
			s, strings.Join(accountTypePrefixes, "*, "))
	}
	a.Name, _ = p.text(&f.Name, "name", true)
	if s, ok := p.text(&f.Nickname, "nickname", true); ok {
		a.Nickname = &s
	}
	var mask *yaml.Node
	if s, ok := p.mask(&f.AccountMask); ok {
		a.AccountMask, mask = s, &f.AccountMask
	}
	a.Balances = p.balances(a.AccountType, &f.Balances)
	ref.ownersGiven = !absent(&f.Owners)
	a.Owners, ref.owners = p.accountOwnerList(&f.Owners)
	a.Closed, _ = p.bool(&f.Closed, "closed")
	return a, ref, mask
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

// mask parses an account_mask. A number gets a hint: YAML reads 0042 as a
// number, and a mask is text.
func (p *parser) mask(v *yaml.Node) (string, bool) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		p.errorf(v, "account_mask must be a string of exactly 4 digits, got the number %s (quote it: %q)", v.Value, v.Value)
		return "", false
	}
	s, ok := p.text(v, "account_mask", false)
	if ok && !maskPattern.MatchString(s) {
		p.errorf(v, "account_mask must be exactly 4 digits, got %q", s)
		return "", false
	}
	return s, ok
}

// accountOwnerList parses an account's owners: 1 or 2 distinct names.
func (p *parser) accountOwnerList(v *yaml.Node) ([]string, []*yaml.Node) {
	var nodes []*yaml.Node
	names := list(p, v, "owners", func(n, raw *yaml.Node) string {
		s, ok := p.text(n, "an account owner", true)
		if !ok {
			return s
		}
		if i := slices.IndexFunc(nodes, func(m *yaml.Node) bool { return m.Value == s }); i >= 0 {
			p.errorf(at(n, raw), "owner %q is listed twice in this account (first at line %d, column %d)", s, nodes[i].Line, nodes[i].Column)
			return s
		}
		nodes = append(nodes, at(n, raw))
		return s
	})
	if names != nil && (len(names) == 0 || len(names) > 2) {
		p.errorf(v, "an account has 1 or 2 owners, got %d (leave owners out for every owner of the persona)", len(names))
	}
	return names, nodes
}

// accountOwners checks what needs the whole persona: that each account names
// owners of this persona, and has 1 or 2 of them.
func (p *parser) accountOwners(persona string, per *fixtures.Persona, owners []ownerRef, accounts []accountRef) {
	names := make([]string, len(owners))
	for i, o := range owners {
		names[i] = o.name
	}
	for _, a := range accounts {
		if !a.ownersGiven && len(per.Owners) > 2 {
			p.errorf(a.at, "this account leaves owners out, so it would have all %d owners of persona %q; an account has 1 or 2 owners, so list them",
				len(per.Owners), persona)
		}
		for _, n := range a.owners {
			switch {
			case slices.Contains(names, n.Value):
			case per.Owners == nil:
				p.errorf(n, "account owner %q is not an owner of persona %q (it leaves owners to be generated: list them under owners)", n.Value, persona)
			case len(names) == 0:
				p.errorf(n, "account owner %q is not an owner of persona %q (none of its owners has names)", n.Value, persona)
			default:
				p.errorf(n, "account owner %q is not an owner of persona %q (known: %s)", n.Value, persona, strings.Join(names, ", "))
			}
		}
	}
}

// balances parses an account's balances and checks the amounts given
// against the account type typ, with the rules MoneyKit's data follows (and
// apicheck enforces): a generated amount fits the given ones, but given ones
// that contradict each other cannot be fixed by the generator.
func (p *parser) balances(typ string, v *yaml.Node) *fixtures.PersonaBalances {
	var f balanceKeys
	if !p.decode(v, "in balances", &f, "balances must be a mapping of %s", keyList{&f}) {
		return nil
	}
	b := &fixtures.PersonaBalances{}
	if s, ok := p.text(&f.Currency, "currency", false); ok && currencyPattern.MatchString(s) {
		b.Currency = s
	} else if ok {
		p.errorf(&f.Currency, "currency must be 3 upper-case letters (ISO 4217) such as USD, got %q", s)
	}
	avail, cur, limit := p.money(&f.Available, "available"), p.money(&f.Current, "current"), p.money(&f.Limit, "limit")
	b.Available, b.Current, b.Limit = avail, cur, limit
	switch {
	case strings.HasPrefix(typ, "depository."):
		switch {
		case avail != nil && *avail < 0:
			p.errorf(&f.Available, "available must be >= 0 for a depository account, got %s", f.Available.Value)
		case avail != nil && cur != nil && *avail > *cur:
			p.errorf(&f.Available, "available must be <= current for a depository account (%s > %s)", f.Available.Value, f.Current.Value)
		}
	case typ == "liability.credit_card":
		if limit != nil && *limit <= 0 {
			p.errorf(&f.Limit, "limit must be > 0 for a credit card, got %s", f.Limit.Value)
			limit = nil
		}
		if cur != nil && *cur < 0 {
			p.errorf(&f.Current, "current must be >= 0 for a credit card (it is the amount owed), got %s", f.Current.Value)
			cur = nil
		}
		if cur != nil && limit != nil && *cur > *limit {
			p.errorf(&f.Current, "current must be <= limit for a credit card (%s > %s)", f.Current.Value, f.Limit.Value)
			cur = nil
		}
		if avail != nil && cur != nil && limit != nil && *avail != *limit-*cur {
			p.errorf(&f.Available, "available must be limit - current = %s for a credit card, got %s", formatCents(*limit-*cur), f.Available.Value)
		}
	case strings.HasPrefix(typ, "investment."):
		if cur != nil && *cur < 0 {
			p.errorf(&f.Current, "current must be >= 0 for an investment account, got %s", f.Current.Value)
		}
	}
	return b
}

// money parses an amount from its decimal text, so that 0.1 is exactly 10
// cents: going through float64 would make some amounts a cent off.
func (p *parser) money(v *yaml.Node, what string) *fixtures.Money {
	tag := v.ShortTag()
	m := amountPattern.FindStringSubmatch(v.Value)
	switch {
	case absent(v):
		return nil
	case v.Kind != yaml.ScalarNode || tag != "!!int" && tag != "!!float" || m == nil || m[2] == "" && m[3] == "":
		p.errorf(v, "%s must be a number with at most 2 decimals, or null, got %s", what, describe(v))
		return nil
	case len(m[3]) > 2:
		p.errorf(v, "%s must have at most 2 decimals (whole cents), got %s", what, v.Value)
		return nil
	case len(strings.TrimLeft(m[2], "0")) > maxUnits:
		p.errorf(v, "%s is too large, got %s", what, v.Value)
		return nil
	}
	// The checks above leave at most maxUnits+2 digits: ParseInt cannot fail.
	cents, _ := strconv.ParseInt(cmp.Or(m[2], "0")+m[3]+strings.Repeat("0", 2-len(m[3])), 10, 64)
	if m[1] == "-" {
		cents = -cents
	}
	money := fixtures.Money(cents)
	return &money
}

// formatCents writes cents as a decimal amount: 1050 is 10.50.
func formatCents(m fixtures.Money) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

func (p *parser) personaInstitution(v *yaml.Node) *fixtures.Institution {
	var f institutionKeys
	if !p.decode(v, "in institution", &f, "institution must be a mapping of %s", keyList{&f}) {
		return nil
	}
	in := &fixtures.Institution{}
	in.ID, _ = p.text(&f.InstitutionID, "institution_id", true)
	in.Name, _ = p.text(&f.InstitutionName, "institution_name", true)
	in.Avatar, _ = p.text(&f.InstitutionAvatar, "institution_avatar", true)
	return in
}

// webhook parses a webhook URL: MoneyKit posts to it, so it must be http(s).
func (p *parser) webhook(v *yaml.Node) (string, bool) {
	s, ok := p.text(v, "webhook", true)
	if !ok {
		return "", false
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.errorf(v, "webhook must be an http or https URL, got %q", s)
		return "", false
	}
	return s, true
}

// text returns a string value, non-empty when nonEmpty says so. A number or
// boolean gets a hint to quote it, since YAML reads 0042 or yes as such.
func (p *parser) text(v *yaml.Node, what string, nonEmpty bool) (string, bool) {
	want := "a string"
	if nonEmpty {
		want = "a non-empty string"
	}
	switch {
	case absent(v):
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" && (v.Value != "" || !nonEmpty):
		return v.Value, true
	case v.Kind == yaml.ScalarNode && v.ShortTag() != "!!str" && !isNull(v):
		p.errorf(v, "%s must be %s, got %s (quote it: %q)", what, want, describe(v), v.Value)
	default:
		p.errorf(v, "%s must be %s, got %s", what, want, describe(v))
	}
	return "", false
}

// bool returns a true or false value.
func (p *parser) bool(v *yaml.Node, what string) (bool, bool) {
	var b bool
	if absent(v) {
		return false, false
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		p.errorf(v, "%s must be true or false, got %s", what, describe(v))
		return false, false
	}
	return b, true
}

// list parses sequence v with item for each element (aliases resolved; raw
// is the element as written). It returns an empty, non-nil slice for [],
// which in a persona means "none", and nil when v is left out or not a
// sequence.
func list[T any](p *parser, v *yaml.Node, what string, item func(n, raw *yaml.Node) T) []T {
	if absent(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "%s must be a sequence, got %s", what, describe(v))
		return nil
	}
	out := make([]T, 0, len(v.Content))
	for _, raw := range v.Content {
		n := resolve(raw)
		if !p.visit(n) {
			break
		}
		out = append(out, item(n, raw))
	}
	return out
}

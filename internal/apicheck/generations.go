package apicheck

import (
	"fmt"
	"slices"
	"strings"
)

// Generation is what one generation of the official Python SDK
// (moneykit/moneykit-python, pydantic v2 models) enforces on the responses
// this package checks: the enum sets its models validate, and the keys they
// require. A value outside an enum, or a missing required key, makes that
// generation reject the whole response; keys a generation does not model
// are kept as additional properties and never rejected.
//
// The values were read from the SDK's models at each commit and confirmed by
// parsing sample bodies with them. An enum field that is nil is not modelled
// by that generation (any string passes).
type Generation struct {
	// Name is the SDK version, Commit the moneykit-python commit it was read at.
	Name, Commit string

	// Products is the Product enum of available_products (nil: the
	// generation has no available_products).
	Products []string
	// ProductKeys are the keys of LinkProducts the generation models; the
	// others are additional properties, whatever they hold.
	ProductKeys []string
	// LinkStates is the link state enum (LinkState, later PublicLinkState).
	LinkStates []string
	// LinkErrors is the link error_code enum (PublicLinkError / LinkError).
	LinkErrors []string
	// ProductErrors is the per-product error_code enum
	// (LinkProductFailureReasons, later LinkProductError); nil when products
	// have no error_code yet.
	ProductErrors []string
	// Providers is the provider enum of LinkCommon (nil: LinkCommon has no
	// provider) and LinkProviders that of the GET /links/{id} body
	// (LinkResponse in generations before 0.2.3, LinkCommon since).
	Providers, LinkProviders []string
	// PhoneTypes is the PhoneNumberType enum.
	PhoneTypes []string
	// Currencies, when not nil, is the ISO 4217 enum balances.currency must
	// be in; currency is then also required.
	Currencies []string

	// LinkRequired are the required keys of LinkCommon.
	LinkRequired []string
	// SettingsRequired are the products whose settings is required.
	SettingsRequired []string
	// HasHistoryRequired is true when transactions.has_history is required.
	HasHistoryRequired bool
}

// iso4217 is the Currency enum of SDK 0.0.1 to 0.1.14 (181 codes).
const iso4217 = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB
	BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK
	DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR
	IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
	MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
	PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB
	TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU
	XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL`

// Generations are the SDK generations the mock promises to serve, oldest
// first: 0.0.1 (714e734, 2023-12), 0.1.10 (888b77a, 2024-02 … 2024-08),
// 0.1.15 (285de87, 2024-08) and 0.2.3 (9809eac, 2025-05).
var Generations = generations()

func generations() []Generation {
	var (
		states     = []string{"connecting", "awaiting_token_exchange", "connected", "deleted", "error"}
		phones     = []string{"home", "work", "mobile", "other"}
		products5  = []string{"accounts", "account_numbers", "identity", "transactions", "investments"}
		products6  = append(slices.Clone(products5), "enrichment")
		linkErrs6  = []string{"system_error", "provider_error", "institution_error", "user_error", "auth_expired", "incomplete"}
		providers7 = []string{"moneykit", "finicity", "plaid", "yodlee", "mx", "akoya", "sophtron"}
		providers6 = providers7[:6]
		currencies = strings.Fields(iso4217)
		core       = []string{"link_id", "institution_id", "institution_name", "state", "products"}
	)
	return []Generation{{
		Name: "0.0.1", Commit: "714e734",
		ProductKeys:      products5[:4],
		LinkStates:       states,
		LinkErrors:       linkErrs6,
		LinkProviders:    providers7,
		PhoneTypes:       phones,
		Currencies:       currencies,
		LinkRequired:     core,
		SettingsRequired: []string{"account_numbers", "identity", "transactions"},
	}, {
		Name: "0.1.10", Commit: "888b77a",
		Products:           products5,
		ProductKeys:        products5,
		LinkStates:         states,
		LinkErrors:         linkErrs6,
		ProductErrors:      []string{"rate_limit", "auth_expired", "invalid_credentials", "not_supported", "timeout", "unknown", "no_accounts"},
		LinkProviders:      providers7,
		PhoneTypes:         phones,
		Currencies:         currencies,
		LinkRequired:       append(slices.Clone(core), "institution_avatar", "available_products"),
		SettingsRequired:   []string{"account_numbers", "identity", "transactions", "investments"},
		HasHistoryRequired: true,
	}, {
		Name: "0.1.15", Commit: "285de87",
		Products:           products6,
		ProductKeys:        products6,
		LinkStates:         states,
		LinkErrors:         linkErrs6,
		ProductErrors:      []string{"rate_limit", "auth_expired", "invalid_credentials", "not_supported", "timeout", "unknown", "no_accounts", "institution_error"},
		LinkProviders:      providers6,
		PhoneTypes:         phones,
		LinkRequired:       append(slices.Clone(core), "institution_avatar", "available_products"),
		HasHistoryRequired: true,
	}, {
		Name: "0.2.3", Commit: "9809eac",
		Products:           products6,
		ProductKeys:        products6,
		LinkStates:         states,
		LinkErrors:         append(linkErrs6[:5:5], "no_accounts", "user_setup_required", "invalid_credentials", "user_oauth_denied", "user_input_incorrect", "incomplete"),
		ProductErrors:      []string{"rate_limit", "auth_expired", "not_supported", "timeout", "unknown", "no_accounts", "institution_error", "no_permission"},
		Providers:          providers6,
		LinkProviders:      providers6,
		PhoneTypes:         phones,
		LinkRequired:       append(slices.Clone(core), "institution_avatar", "provider", "available_products"),
		HasHistoryRequired: true,
	}}
}

// GenerationNamed returns the generation called name ("0.1.10").
func GenerationNamed(name string) (Generation, bool) {
	i := slices.IndexFunc(Generations, func(g Generation) bool { return g.Name == name })
	if i < 0 {
		return Generation{}, false
	}
	return Generations[i], true
}

// current is what the functions without a generation (Identity, Link, ...)
// check: the enums of the newest generation, and every key that any
// generation requires (the superset payload of reference §5.5). Values that
// only the newest generation accepts pass; AllGenerations finds them.
var current = currentRules()

func currentRules() Generation {
	g := Generations[len(Generations)-1]
	g.Name = ""
	g.LinkRequired, g.SettingsRequired = nil, nil
	for _, o := range Generations {
		g.LinkRequired = union(g.LinkRequired, o.LinkRequired)
		g.SettingsRequired = union(g.SettingsRequired, o.SettingsRequired)
		g.HasHistoryRequired = g.HasHistoryRequired || o.HasHistoryRequired
	}
	return g
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// AllGenerations runs check once per generation and merges the problems: a
// problem every generation reports is listed once, as is; one that only some
// report ends with the generations that do, as in
//
//	link.available_products[2]: "enrichment" is not one of accounts|…|investments [rejected by SDK 0.1.10]
//
// Problems keep the order in which they are first found.
func AllGenerations(check func(Generation) []string) []string {
	by := map[string][]string{}
	var order []string
	for _, g := range Generations {
		for _, p := range check(g) {
			if _, seen := by[p]; !seen {
				order = append(order, p)
			}
			if !slices.Contains(by[p], g.Name) {
				by[p] = append(by[p], g.Name)
			}
		}
	}
	var out []string
	for _, p := range order {
		if gens := by[p]; len(gens) < len(Generations) {
			p = fmt.Sprintf("%s [rejected by SDK %s]", p, strings.Join(gens, ", "))
		}
		out = append(out, p)
	}
	return out
}

// Rejections runs check once per generation and returns the problems of
// each generation that has any, by generation name.
func Rejections(check func(Generation) []string) map[string][]string {
	out := map[string][]string{}
	for _, g := range Generations {
		if p := check(g); len(p) > 0 {
			out[g.Name] = p
		}
	}
	return out
}

// IdentityAll checks an identity body against every generation
// (AllGenerations of IdentityFor): nil means every SDK generation accepts
// it and it keeps the mock's rules.
func IdentityAll(body []byte, linkID string) []string {
	return AllGenerations(func(g Generation) []string { return IdentityFor(g, body, linkID) })
}

// LinkAll checks a GET /links/{id} body against every generation.
func LinkAll(body []byte, linkID string) []string {
	return AllGenerations(func(g Generation) []string { return LinkFor(g, body, linkID) })
}

// AccountsAll checks a GET /links/{id}/accounts body against every generation.
func AccountsAll(body []byte, linkID string) []string {
	return AllGenerations(func(g Generation) []string { return AccountsFor(g, body, linkID) })
}

// AccountAll checks a GET /links/{id}/accounts/{account_id} body against
// every generation.
func AccountAll(body []byte, linkID, accountID string) []string {
	return AllGenerations(func(g Generation) []string { return AccountFor(g, body, linkID, accountID) })
}

// AccountNumbersAll checks a GET /links/{id}/accounts/numbers body against
// every generation.
func AccountNumbersAll(body []byte, linkID string) []string {
	return AllGenerations(func(g Generation) []string { return AccountNumbersFor(g, body, linkID) })
}

package apicheck

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// enumOr returns the enum e, or when the generation does not model it (e is
// nil), the union of what every generation allows: a value no generation
// knows is still a mistake of the mock.
func enumOr(e []string, of func(Generation) []string) []string {
	if e != nil {
		return e
	}
	var out []string
	for _, g := range Generations {
		out = union(out, of(g))
	}
	return out
}

// Link checks a LinkCommon object: the GET /links/{id} body, the 202 body of
// POST /links/{id}/products, or the "link" inside an identity body. Paths in
// the problems are relative to the object (Identity prefixes them with
// "link."). link_id must equal linkID.
//
// It checks the enums of the newest generation and requires every key any
// generation requires; LinkFor checks one generation, and
// AllGenerations(func(g Generation) []string { return LinkFor(g, body, id) })
// all of them.
func Link(body []byte, linkID string) []string { return LinkFor(current, body, linkID) }

// LinkFor is Link with the enums and required keys of generation g. As the
// GET /links/{id} body, the link needs a provider in every generation
// (LinkResponse before 0.2.3).
func LinkFor(g Generation, body []byte, linkID string) []string {
	c := checker{g: &g}
	if v, ok := c.decode(body); ok && c.is("", v, kObject) {
		c.link("", v.(map[string]any), linkID, true)
	}
	return c.problems
}

// linkKeys are all the keys of LinkCommon in any generation.
var linkKeys = []string{"link_id", "institution_id", "institution_name", "institution_avatar", "state", "provider",
	"products", "available_products", "error_code", "last_synced_at", "link_tags", "tags", "webhook"}

// link checks a LinkCommon object; top is true for the body of GET
// /links/{id} (LinkResponse before 0.2.3), false for the link inside another
// answer.
func (c *checker) link(p path, l map[string]any, linkID string, top bool) {
	g := c.g
	required := slices.Clone(g.LinkRequired)
	providers := g.Providers
	if top {
		required = union(required, []string{"provider"})
		providers = g.LinkProviders
	}
	providers = enumOr(providers, func(g Generation) []string { return g.LinkProviders })
	var req, opt []string // in the order of linkKeys, for stable messages
	for _, k := range linkKeys {
		if slices.Contains(required, k) {
			req = append(req, k)
		} else {
			opt = append(opt, k)
		}
	}
	c.fields(p, l, req, opt)

	if v, ok := l["link_id"]; ok {
		if id, ok := c.nonEmptyString(p.key("link_id"), v); ok && id != linkID {
			c.addf(p.key("link_id"), "got %q, want %q", id, linkID)
		}
	}
	for _, k := range []string{"institution_id", "institution_name"} {
		if v, ok := l[k]; ok {
			c.nonEmptyString(p.key(k), v)
		}
	}
	if v, ok := l["institution_avatar"]; ok {
		if s, ok := c.nonEmptyString(p.key("institution_avatar"), v); ok && !validAvatar(s) {
			c.addf(p.key("institution_avatar"), "must be an http(s) URL or a data:image/ URL, got %q", s)
		}
	}

	var state string
	if v, ok := l["state"]; ok {
		state, _ = c.oneOf(p.key("state"), v, g.LinkStates)
	}
	if v, ok := l["provider"]; ok {
		c.oneOf(p.key("provider"), v, providers)
	}
	errCode, errOK := c.optionalEnum(p, l, "error_code", g.LinkErrors)
	switch v := l["error_code"]; {
	case state == "error" && v == nil: // missing or null
		c.addf(p.key("error_code"), `must not be null when state is "error"`)
	case state == "connected" && errOK:
		c.addf(p.key("error_code"), `must be null when state is "connected", got %q`, errCode)
	}

	c.dateTime(p, l, "last_synced_at")
	linkTags, linkTagsOK := c.tags(p, l, "link_tags")
	tags, tagsOK := c.tags(p, l, "tags")
	if linkTagsOK && tagsOK && !reflect.DeepEqual(linkTags, tags) {
		c.addf(p.key("tags"), "must equal link_tags (tags is its deprecated alias)")
	}
	c.optional(p, l, "webhook", kString|kNull)

	linked := map[string]any{}
	if v, ok := l["products"]; ok && c.is(p.key("products"), v, kObject) {
		linked = v.(map[string]any)
		c.products(p.key("products"), linked)
	}
	products := enumOr(g.Products, func(g Generation) []string { return g.Products })
	if v, ok := l["available_products"]; ok && c.is(p.key("available_products"), v, kArray) {
		seen := map[string]bool{}
		for i, e := range v.([]any) {
			ep := p.key("available_products").idx(i)
			name, ok := c.oneOf(ep, e, products)
			switch {
			case !ok:
			case seen[name]:
				c.addf(ep, "duplicate %q", name)
			case hasKey(linked, name):
				c.addf(ep, "%q is also a key of products", name)
			}
			seen[name] = true
		}
	}
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// tags checks link_tags or tags: an array of strings, or null. It returns the
// value when present and well typed.
func (c *checker) tags(p path, l map[string]any, k string) (any, bool) {
	v, ok := l[k]
	if !ok || !c.is(p.key(k), v, kArray|kNull) {
		return nil, false
	}
	good := true
	if list, isList := v.([]any); isList {
		for i, t := range list {
			good = c.is(p.key(k).idx(i), t, kString) && good
		}
	}
	return v, good
}

func validAvatar(s string) bool {
	if rest, ok := strings.CutPrefix(s, "data:image/"); ok {
		return strings.Contains(rest, ",")
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// products checks LinkProducts: keys from the Product enum of any generation
// only.
func (c *checker) products(p path, m map[string]any) {
	known := enumOr(nil, func(g Generation) []string { return g.ProductKeys })
	for _, k := range sortedKeys(m) {
		pp := p.key(k)
		if !slices.Contains(known, k) {
			c.addf(pp, "unknown key")
			continue
		}
		if c.is(pp, m[k], kObject) {
			c.product(pp, k, m[k].(map[string]any))
		}
	}
}

// product checks a LinkProductResponse, or a TransactionsLinkProduct when name
// is "transactions".
func (c *checker) product(p path, name string, m map[string]any) {
	var required []string
	optional := []string{"refreshed_at", "last_attempted_at", "error_code", "error_message", "unavailable"}
	g := c.g
	if slices.Contains(g.SettingsRequired, name) {
		required = append(required, "settings")
	} else {
		optional = append(optional, "settings")
	}
	if name == "transactions" {
		// has_history is deprecated but SDK 0.1.8 … 0.2.3 require it.
		if g.HasHistoryRequired {
			required = append(required, "has_history")
		} else {
			optional = append(optional, "has_history")
		}
		optional = append(optional, "last_enriched")
	}
	c.fields(p, m, required, optional)

	refreshed, refreshedOK := c.dateTime(p, m, "refreshed_at")
	attempted, attemptedOK := c.dateTime(p, m, "last_attempted_at")
	if refreshedOK && attemptedOK && attempted.Before(refreshed) {
		c.addf(p.key("last_attempted_at"), "%s is before refreshed_at %s", m["last_attempted_at"], m["refreshed_at"])
	}
	// A generation types error_code only on the products it models.
	errs := g.ProductErrors
	if !slices.Contains(g.ProductKeys, name) {
		errs = nil
	}
	c.optionalEnum(p, m, "error_code", enumOr(errs, func(g Generation) []string { return g.ProductErrors }))
	c.optional(p, m, "error_message", kString|kNull)
	c.optional(p, m, "unavailable", kString|kNull)
	if v, ok := m["settings"]; ok && c.is(p.key("settings"), v, kObject) {
		s := v.(map[string]any)
		sp := p.key("settings")
		c.fields(sp, s, []string{"required", "prefetch"}, []string{"require_permission", "reason"})
		for _, k := range []string{"required", "prefetch", "require_permission"} {
			c.optional(sp, s, k, kBool)
		}
		c.optional(sp, s, "reason", kString|kNull)
	}
	if name == "transactions" {
		c.optional(p, m, "has_history", kBool)
		c.dateTime(p, m, "last_enriched")
	}
}

package apicheck

import (
	"fmt"
	"slices"
	"strings"
)

// address checks one Address. The SDKs make every key optional; the mock
// always sends all six (reference §5.5), so all six are required here.
func (c *checker) address(p path, a map[string]any) {
	strKeys := []string{"city", "country", "postal_code", "region", "street"}
	c.fields(p, a, append(slices.Clone(strKeys), "primary"), nil)
	for _, k := range strKeys {
		c.optional(p, a, k, kString|kNull)
	}
	c.optional(p, a, "primary", kBool)

	country, isString := a["country"].(string)
	if isString && !countryPattern.MatchString(country) {
		c.addf(p.key("country"), "%q must be a 2-letter upper-case ISO 3166-1 code", country)
	}
	if country != "US" {
		return
	}
	if v, ok := a["region"]; ok && kindOf(v)&(kString|kNull) != 0 {
		if r, _ := v.(string); !uspsCodes[r] {
			c.addf(p.key("region"), `must be a 2-letter USPS state code when country is "US", got %s`, show(v))
		}
	}
	if v, ok := a["postal_code"]; ok && kindOf(v)&(kString|kNull) != 0 {
		if z, _ := v.(string); !zipPattern.MatchString(z) {
			c.addf(p.key("postal_code"), `must be a 5-digit ZIP or ZIP+4 when country is "US", got %s`, show(v))
		}
	}
}

// show formats a string or null value for a message.
func show(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return "null"
}

// phone checks one PhoneNumber. type is a required enum in SDK 0.2.3: null or
// any value outside §8.7 makes it reject the whole response.
func (c *checker) phone(p path, ph map[string]any) {
	c.fields(p, ph, []string{"number", "type", "primary"}, nil)
	if v, ok := ph["number"]; ok {
		c.nonEmptyString(p.key("number"), v)
	}
	if v, ok := ph["type"]; ok {
		c.oneOf(p.key("type"), v, c.g.PhoneTypes)
	}
	c.optional(p, ph, "primary", kBool)
}

// email checks one Email.
func (c *checker) email(p path, e map[string]any) {
	c.fields(p, e, []string{"address", "primary"}, nil)
	if v, ok := e["address"]; ok {
		ap := p.key("address")
		if s, ok := c.nonEmptyString(ap, v); ok && !validEmail(s) {
			c.addf(ap, "%q is not an email address (want exactly one @ and a dot in the domain)", s)
		}
	}
	c.optional(p, e, "primary", kBool)
}

func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsAny(s, " \t\r\n")
}

// emailFromName checks that the primary email at p looks like it belongs to
// the owner: its local part must contain the owner's first or last name
// (names[0], folded to the letters a-z, honorifics and suffixes dropped).
func (c *checker) emailFromName(p path, e map[string]any, name string) {
	addr, ok := e["address"].(string)
	if !ok || !validEmail(addr) {
		return // already reported
	}
	local, _, _ := strings.Cut(addr, "@")
	folded := foldLetters(local)
	first, last := nameParts(name)
	if (first != "" && strings.Contains(folded, first)) || (last != "" && strings.Contains(folded, last)) {
		return
	}
	c.addf(p.key("address"), "local part %q of the primary email contains neither %q nor %q from names[0] %q",
		local, first, last, name)
}

// Honorifics and suffixes are skipped when picking the first and last name,
// so "Dr. Renée O'Connor Jr." gives "renee" and "oconnor".
var (
	namePrefixes = []string{"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame"}
	nameSuffixes = []string{"jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "dvm", "esq", "cpa"}
)

// nameParts returns the folded first and last name of a full name.
func nameParts(name string) (first, last string) {
	var toks []string
	for _, f := range strings.Fields(name) {
		if t := foldLetters(f); t != "" {
			toks = append(toks, t)
		}
	}
	for len(toks) > 1 && slices.Contains(namePrefixes, toks[0]) {
		toks = toks[1:]
	}
	for len(toks) > 1 && slices.Contains(nameSuffixes, toks[len(toks)-1]) {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return "", ""
	}
	return toks[0], toks[len(toks)-1]
}

// foldLetters lower-cases s, folds Latin accented letters to their base
// letters and drops everything that is not a-z. Only the standard library is
// allowed, so the fold table is written out (golang.org/x/text would do it by
// Unicode decomposition).
func foldLetters(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case letterFold[r] != "":
			b.WriteString(letterFold[r])
		}
	}
	return b.String()
}

var letterFold = letterFolds()

func letterFolds() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ð': "d", 'þ': "th", 'ĳ': "ij"}
	for _, group := range []string{
		"aàáâãäåāăą", "cçćĉċč", "dďđ", "eèéêëēĕėęě", "gĝğġģ", "hĥħ",
		"iìíîïĩīĭįı", "jĵ", "kķ", "lĺļľŀł", "nñńņňŉ", "oòóôõöøōŏő",
		"rŕŗř", "sśŝşšș", "tţťŧț", "uùúûüũūŭůűų", "wŵ", "yýÿŷ", "zźżž",
	} {
		base := string([]rune(group)[0])
		for _, r := range []rune(group)[1:] {
			m[r] = base
		}
	}
	return m
}

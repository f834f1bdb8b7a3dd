package scenarios

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a scenario or fixtures file, at a 1-based line and
// column. Line and Col are 0 only when the problem is with the file as a
// whole (it cannot be read); Parse, ParseEntry and ParsePersonas always give a
// position.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error formats e as "file:line:col: msg", or "file: msg" without a position.
func (e Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Errors is every problem found in one or more scenario or fixtures files, in
// file order and then by position. Functions of this package return it as *Errors.
type Errors []Error

// Error formats the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// asError returns nil for no problems and *Errors otherwise, so that callers
// never see a non-nil error interface holding an empty list.
func (es Errors) asError() error {
	if len(es) == 0 {
		return nil
	}
	return &es
}

// The values of MoneyKit's enums (API notes §8); the error kinds are in kinds.go.
var (
	linkStates      = []string{"connecting", "awaiting_token_exchange", "connected", "deleted", "error"}
	publicLinkError = []string{
		"system_error", "provider_error", "institution_error", "user_error", "auth_expired", "no_accounts",
		"user_setup_required", "invalid_credentials", "user_oauth_denied", "user_input_incorrect", "incomplete",
	}
	productErrors = []string{
		"rate_limit", "auth_expired", "not_supported", "timeout", "unknown", "no_accounts",
		"institution_error", "no_permission",
	}
	products  = []string{"accounts", "account_numbers", "identity", "transactions", "investments", "enrichment"}
	providers = []string{"moneykit", "finicity", "plaid", "yodlee", "mx", "akoya"}

	fixtureName = regexp.MustCompile(`^[a-z0-9_-]+$`)
)

// Limits of the values a scenario may give.
const (
	maxDelay      = 60 * time.Second
	maxRetryAfter = time.Hour
	maxPer        = 24 * time.Hour
	maxRefresh    = 24 * time.Hour
	maxAccounts   = 10
)

// Parse reads one scenario file. name is used as the entries' Source and in
// error messages. On any problem it returns nil and *Errors with all of them.
// It does not check what only a loaded Set can tell: whether each fixture
// names a persona.
func Parse(name string, data []byte) ([]*Entry, error) {
	entries, _, errs := parseFile(name, data)
	if len(errs) > 0 {
		return nil, errs.asError()
	}
	return entries, nil
}

// ParseEntry reads a single entry for pattern, given as a YAML mapping (so JSON
// too), with the same validation as a file. name is the entry's Source and the
// file name in error messages; the entry's position is that of the mapping.
// On any problem it returns nil and *Errors. Whether its fixture names a
// persona is for the caller to check ([Set.Persona]), before binding the
// entry to it with [Set.Bind].
func ParseEntry(name, pattern string, data []byte) (*Entry, error) {
	p := newParser(name)
	var e *Entry
	if root := p.document(data); root != nil {
		p.pattern(pattern, root)
		e = p.entry(pattern, root, root)
	} else if len(p.errs) == 0 {
		p.errorf(nil, "entry %q does nothing (it is empty)", pattern)
	}
	if errs := p.done(); len(errs) > 0 {
		return nil, errs.asError()
	}
	return e, nil
}

// parseFile returns every entry of the file, including those with problems,
// so that Load can still find patterns claimed twice across files, and the
// fixture value of each entry that has one.
func parseFile(name string, data []byte) ([]*Entry, map[*Entry]*yaml.Node, Errors) {
	p := newParser(name)
	var entries []*Entry
	root := p.document(data)
	if root == nil {
		return nil, nil, p.done()
	}
	p.section(root, fileKind{key: "links", holds: "link IDs and globs to entries", other: "personas", otherFile: "a fixtures file"},
		func(pattern string, k, v *yaml.Node) {
			if isNull(k) {
				pattern = ""
			}
			ok := p.pattern(pattern, k)
			if e := p.entry(pattern, k, v); ok && e != nil {
				entries = append(entries, e)
			}
		})
	return entries, p.fixtureAt, p.done()
}

// fileKind describes the one top-level key a kind of file has.
type fileKind struct {
	key   string // "links"
	holds string // what its mapping maps, for messages
	// other and otherFile name the other kind of file's key and the file it
	// belongs in, for a hint when it turns up here.
	other, otherFile string
}

// section walks a file's top level, which must be a mapping whose only key is
// k.key holding a mapping (or nothing), and hands each pair of that mapping to
// each. Everything else is reported.
func (p *parser) section(root *yaml.Node, k fileKind, each func(name string, key, value *yaml.Node)) {
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "top level must be a mapping with a %s key, got %s", k.key, describe(root))
		return
	}
	p.pairs(root, "at top level", func(key string, kn, v *yaml.Node) {
		if key != k.key {
			hint := ""
			if key == k.other {
				hint = "; " + k.other + " belong in " + k.otherFile
			}
			p.errorf(kn, "unknown key %q at top level (want %s%s)", key, k.key, hint)
			return
		}
		if isNull(v) {
			return
		}
		if v.Kind != yaml.MappingNode {
			p.errorf(v, "%s must be a mapping of %s, got %s", k.key, k.holds, describe(v))
			return
		}
		p.pairs(v, "in "+k.key, each)
	})
}

// parser collects the problems of one file while walking its yaml.Node tree.
type parser struct {
	file string
	kind string // "scenario file" or "fixtures file", for messages
	errs Errors
	// entries remembers parsed entry mappings so that an alias to an entry
	// costs nothing and reports its problems once.
	entries map[*yaml.Node]*Entry
	// fixtureAt is the fixture value of each entry that has one, where a
	// fixture naming no persona is reported once personas are known.
	fixtureAt map[*Entry]*yaml.Node
	// visits counts the values walked, to bound what aliases can make a
	// fixtures file stand for (see maxVisits); tooBig is set past the bound.
	visits int
	tooBig bool
}

func newParser(file string) *parser {
	return &parser{file: file, kind: "scenario file", entries: make(map[*yaml.Node]*Entry), fixtureAt: make(map[*Entry]*yaml.Node)}
}

// errorf records a problem at n's position.
func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	if n != nil && n.Column > 0 {
		col = n.Column
	}
	p.errs = append(p.errs, Error{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// done sorts the problems by position and drops exact repeats, which nodes
// reached through several aliases would otherwise produce.
func (p *parser) done() Errors {
	sortErrors(p.errs)
	p.errs = dedupe(p.errs)
	return p.errs
}

// dedupe drops exact repeats from es, in place.
func dedupe(es Errors) Errors {
	seen := make(map[Error]bool, len(es))
	out := es[:0]
	for _, e := range es {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// sortErrors orders the problems of one file by position, stably.
func sortErrors(es Errors) {
	slices.SortStableFunc(es, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// document decodes data and returns its root node, or nil when the file is
// empty or broken (the problem is recorded).
func (p *parser) document(data []byte) *yaml.Node {
	doc, extra, err := decode(data)
	if err != nil {
		p.errs = append(p.errs, Error{File: p.file, Line: syntaxLine(data, err), Col: 1, Msg: "invalid YAML: " + problem(err)})
		return nil
	}
	if extra != nil {
		p.errorf(extra, "a %s holds one YAML document, found another", p.kind)
	}
	if doc == nil || len(doc.Content) == 0 {
		return nil
	}
	root := resolve(doc.Content[0])
	if isNull(root) {
		return nil
	}
	return root
}

// decode returns the first YAML document of data (nil if there is none) and
// the start of a second one, if any.
func decode(data []byte) (doc, extra *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	extra = new(yaml.Node)
	if err := dec.Decode(extra); err != nil {
		if errors.Is(err, io.EOF) {
			return doc, nil, nil
		}
		return nil, nil, err
	}
	return doc, extra, nil
}

// yamlWhere is how yaml.v3 prefixes its syntax errors.
var yamlWhere = regexp.MustCompile(`^yaml: (line \d+: )?`)

// problem is a yaml.v3 syntax error without its "yaml: line N: " prefix.
func problem(err error) string {
	msg := err.Error()
	return msg[len(yamlWhere.FindString(msg)):]
}

// syntaxLine finds the line of a syntax error. yaml.v3 gives only a line
// number in its message, and often the wrong one: for parser errors it is
// the 0-based line where the enclosing block starts. So find, by binary
// search, a k such that the first k-1 lines parse without this problem and
// the first k lines fail with it: line k brings the problem in. The empty
// prefix does not fail and the whole file does, so such a k exists; the
// search needs O(log lines) parses.
func syntaxLine(data []byte, err error) int {
	want := problem(err)
	var ends []int // ends[k-1] is the length of the first k lines
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	fails := func(k int) bool {
		_, _, err := decode(data[:ends[k-1]])
		return err != nil && problem(err) == want
	}
	lo, hi := 0, len(ends) // invariant: !fails(lo) and fails(hi)
	for hi-lo > 1 {
		if mid := lo + (hi-lo)/2; fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// pairs calls f for each key of mapping n with its value, aliases resolved.
// It reports keys that are not scalars, merge keys and duplicate keys (where
// says in what), and does not call f for them.
func (p *parser) pairs(n *yaml.Node, where string, f func(key string, k, v *yaml.Node)) {
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	p.visits += len(n.Content) / 2
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
			p.errorf(k, "keys must be strings, got %s %s", describe(k), where)
			continue
		case k.ShortTag() == "!!merge":
			p.errorf(k, "merge keys (<<) are not supported; use an alias for the whole value")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, "duplicate key %q %s (first at line %d, column %d)", k.Value, where, first.Line, first.Column)
			continue
		}
		seen[k.Value] = k
		f(k.Value, k, v)
	}
}

// pattern checks a link ID or glob; at is where to report.
func (p *parser) pattern(pattern string, at *yaml.Node) bool {
	if pattern == "" {
		p.errorf(at, "empty pattern (want a link ID or a glob)")
		return false
	}
	if isGlob(pattern) {
		if _, err := path.Match(pattern, ""); err != nil {
			p.errorf(at, "bad glob %q: %v", pattern, err)
			return false
		}
	}
	return true
}

// entry parses the entry for pattern from v; k is the pattern's key node.
// It returns the entry even when its keys have problems, so that its pattern
// still counts as claimed; it returns nil when v is empty or not a mapping.
func (p *parser) entry(pattern string, k, v *yaml.Node) *Entry {
	if isNull(v) || (v.Kind == yaml.MappingNode && len(v.Content) == 0) {
		p.errorf(k, "entry %q does nothing (it is empty)", pattern)
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "entry %q must be a mapping, got %s", pattern, describe(v))
		return nil
	}
	if seen, ok := p.entries[v]; ok {
		e := *seen
		e.Pattern, e.Line, e.Col = pattern, k.Line, k.Column
		if n := p.fixtureAt[seen]; n != nil {
			p.fixtureAt[&e] = n
		}
		return &e
	}
	e := &Entry{Pattern: pattern, Source: p.file, Line: k.Line, Col: k.Column}
	p.entries[v] = e
	keys := make(map[string]*yaml.Node) // key nodes present, valid values or not
	var errorValue *yaml.Node
	kindOK := false // error is present and a known kind
	p.pairs(v, fmt.Sprintf("in entry %q", pattern), func(key string, k, v *yaml.Node) {
		keys[key] = k
		switch key {
		case "error":
			errorValue = v
			var kind string
			kind, kindOK = p.enum(v, "error kind", kindNames())
			e.Error = Kind(kind)
		case "message":
			e.Message, _ = p.str(v, "message")
		case "link_error_code":
			e.LinkErrorCode, _ = p.enum(v, "link_error_code", publicLinkError)
		case "retry_after":
			if d, ok := p.duration(v, "retry_after", time.Second, maxRetryAfter); ok {
				if d%time.Second != 0 {
					p.errorf(v, "retry_after must be whole seconds (Retry-After carries seconds), got %s", v.Value)
				} else {
					e.RetryAfter = d
				}
			}
		case "delay":
			e.Delay = p.delay(v)
		case "every":
			e.Every, _ = p.int(v, "every", 1, -1)
		case "after":
			e.After, _ = p.int(v, "after", 0, -1)
		case "times":
			e.Times, _ = p.int(v, "times", 1, -1)
		case "rate_limit":
			e.RateLimit = p.rateLimit(k, v)
		case "link":
			e.Link = p.link(v)
		case "accounts":
			if n, ok := p.int(v, "accounts", 0, maxAccounts); ok {
				e.Accounts = &n
			}
		case "institution":
			e.Institution = p.institution(v)
		case "fixture":
			if s, ok := p.str(v, "fixture"); ok {
				if fixtureName.MatchString(s) {
					e.Fixture = s
					p.fixtureAt[e] = v
				} else {
					p.errorf(v, "fixture name %q must match %s", s, fixtureName)
				}
			}
		case "refresh_delay":
			e.RefreshDelay, _ = p.duration(v, "refresh_delay", 0, maxRefresh)
		default:
			p.errorf(k, "unknown key %q in entry %q", key, pattern)
		}
	})

	// Checks across keys. An unknown error kind already has its message, so
	// checks that depend on the kind are skipped rather than piled on it.
	_, hasError := keys["error"]
	if kindOK && e.Error == BadState && keys["link_error_code"] == nil {
		p.errorf(errorValue, "error bad_state needs link_error_code (the link's error reason, e.g. auth_expired)")
	}
	if k := keys["link_error_code"]; k != nil && (!hasError || kindOK && e.Error != BadState) {
		p.errorf(k, "link_error_code is only allowed with error: bad_state")
	}
	if k := keys["retry_after"]; k != nil && keys["rate_limit"] == nil && (!hasError || kindOK && e.Error != RateLimited) {
		p.errorf(k, "retry_after is only allowed with error: rate_limited or rate_limit")
	}
	if !hasError {
		for _, key := range []string{"message", "every", "after", "times"} {
			if k := keys[key]; k != nil {
				p.errorf(k, "%s needs error (a success entry has no error to send)", key)
			}
		}
	}
	return e
}

// delay parses a duration or a "min..max" range.
func (p *parser) delay(v *yaml.Node) Delay {
	const want = "a duration such as 200ms or a range such as 100ms..2s"
	s, ok := p.scalar(v, "delay", want)
	if !ok {
		return Delay{}
	}
	first, last, isRange := strings.Cut(s, "..")
	if !isRange {
		last = first
	}
	lo, errLo := time.ParseDuration(strings.TrimSpace(first))
	hi, errHi := time.ParseDuration(strings.TrimSpace(last))
	switch {
	case errLo != nil || errHi != nil:
		p.errorf(v, "delay must be %s, got %s", want, describe(v))
	case lo < 0 || hi < 0:
		p.errorf(v, "delay must not be negative, got %s", s)
	case lo > hi:
		p.errorf(v, "delay range %s has min greater than max", s)
	case hi > maxDelay:
		p.errorf(v, "delay %s exceeds the %.0fs cap", s, maxDelay.Seconds())
	default:
		return Delay{Min: lo, Max: hi}
	}
	return Delay{}
}

func (p *parser) rateLimit(key, v *yaml.Node) *RateLimit {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "rate_limit must be a mapping such as {requests: 5, per: 1m}, got %s", describe(v))
		return nil
	}
	var rl RateLimit
	var hasRequests, hasPer bool
	p.pairs(v, "in rate_limit", func(name string, k, v *yaml.Node) {
		switch name {
		case "requests":
			hasRequests = true
			rl.Requests, _ = p.int(v, "rate_limit.requests", 1, -1)
		case "per":
			hasPer = true
			rl.Per, _ = p.duration(v, "rate_limit.per", time.Nanosecond, maxPer)
		default:
			p.errorf(k, "unknown key %q in rate_limit (want requests, per)", name)
		}
	})
	if !hasRequests {
		p.errorf(key, "rate_limit needs requests")
	}
	if !hasPer {
		p.errorf(key, "rate_limit needs per")
	}
	if rl.Requests < 1 || rl.Per <= 0 {
		return nil
	}
	return &rl
}

func (p *parser) link(v *yaml.Node) *LinkShape {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "link must be a mapping of state, error_code and products, got %s", describe(v))
		return nil
	}
	var l LinkShape
	var stateNode, codeNode *yaml.Node
	p.pairs(v, "in link", func(name string, k, v *yaml.Node) {
		switch name {
		case "state":
			l.State, _ = p.enum(v, "link state", linkStates)
			stateNode = v
		case "error_code":
			l.ErrorCode, _ = p.enum(v, "link error_code", publicLinkError)
			codeNode = v
		case "products":
			l.Products = p.products(v)
		default:
			p.errorf(k, "unknown key %q in link (want state, error_code, products)", name)
		}
	})
	// MoneyKit sets a link's error_code exactly when its state is error; an
	// answer breaking that rule would not be one the real API gives.
	switch {
	case l.State == "error" && l.ErrorCode == "" && codeNode == nil:
		p.errorf(stateNode, "link state error needs error_code (the reason, e.g. auth_expired)")
	case l.ErrorCode != "" && l.State != "error":
		p.errorf(codeNode, "link error_code needs state: error")
	}
	return &l
}

func (p *parser) products(v *yaml.Node) map[string]ProductShape {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "products must be a mapping of product names to product states, got %s", describe(v))
		return nil
	}
	out := make(map[string]ProductShape)
	p.pairs(v, "in products", func(name string, k, v *yaml.Node) {
		if !slices.Contains(products, name) {
			p.errorf(k, "unknown product %q (want one of %s)", name, strings.Join(products, ", "))
			return
		}
		var ps ProductShape
		switch {
		case isNull(v):
			// A product listed without details: present and healthy.
		case v.Kind != yaml.MappingNode:
			p.errorf(v, "product %s must be a mapping of error_code, error_message and unavailable, got %s", name, describe(v))
		default:
			p.pairs(v, "in product "+name, func(field string, k, v *yaml.Node) {
				switch field {
				case "error_code":
					ps.ErrorCode, _ = p.enum(v, "product error_code", productErrors)
				case "error_message":
					ps.ErrorMessage, _ = p.str(v, "error_message")
				case "unavailable":
					ps.Unavailable, _ = p.str(v, "unavailable")
				default:
					p.errorf(k, "unknown key %q in product %s (want error_code, error_message, unavailable)", field, name)
				}
			})
		}
		out[name] = ps
	})
	return out
}

func (p *parser) institution(v *yaml.Node) *InstitutionShape {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "institution must be a mapping, got %s", describe(v))
		return nil
	}
	var in InstitutionShape
	p.pairs(v, "in institution", func(name string, k, v *yaml.Node) {
		switch name {
		case "institution_id":
			in.InstitutionID, _ = p.str(v, name)
		case "institution_name":
			in.InstitutionName, _ = p.str(v, name)
		case "institution_avatar":
			in.InstitutionAvatar, _ = p.str(v, name)
		case "provider":
			in.Provider, _ = p.enum(v, "provider", providers)
		default:
			p.errorf(k, "unknown key %q in institution (want institution_id, institution_name, institution_avatar, provider)", name)
		}
	})
	return &in
}

// scalar returns the text of a non-null scalar, reporting anything else as
// not being what want describes.
func (p *parser) scalar(v *yaml.Node, what, want string) (string, bool) {
	if v.Kind != yaml.ScalarNode || isNull(v) {
		p.errorf(v, "%s must be %s, got %s", what, want, describe(v))
		return "", false
	}
	return v.Value, true
}

// str returns a string value; numbers, booleans and null are reported (quote
// them to make them strings).
func (p *parser) str(v *yaml.Node, what string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		p.errorf(v, "%s must be a string, got %s", what, describe(v))
		return "", false
	}
	return v.Value, true
}

// enum returns a string value that must be one of allowed.
func (p *parser) enum(v *yaml.Node, what string, allowed []string) (string, bool) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" && slices.Contains(allowed, v.Value) {
		return v.Value, true
	}
	if v.Kind == yaml.ScalarNode && !isNull(v) {
		p.errorf(v, "unknown %s %s (want one of %s)", what, describe(v), strings.Join(allowed, ", "))
	} else {
		p.errorf(v, "%s must be one of %s, got %s", what, strings.Join(allowed, ", "), describe(v))
	}
	return "", false
}

// int returns an integer value in [lo, hi]; hi < 0 means no upper bound.
func (p *parser) int(v *yaml.Node, what string, lo, hi int) (int, bool) {
	want := fmt.Sprintf("an integer >= %d", lo)
	if hi >= 0 {
		want = fmt.Sprintf("an integer from %d to %d", lo, hi)
	}
	var n int
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&n) != nil || n < lo || (hi >= 0 && n > hi) {
		p.errorf(v, "%s must be %s, got %s", what, want, describe(v))
		return 0, false
	}
	return n, true
}

// duration returns a duration value in [lo, hi].
func (p *parser) duration(v *yaml.Node, what string, lo, hi time.Duration) (time.Duration, bool) {
	s, ok := p.scalar(v, what, "a duration such as 30s or 1m")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.errorf(v, "%s must be a duration such as 30s or 1m, got %s", what, describe(v))
		return 0, false
	}
	if d < lo || d > hi {
		if lo == time.Nanosecond {
			p.errorf(v, "%s must be more than 0 and at most %s, got %s", what, FormatDuration(hi), s)
		} else {
			p.errorf(v, "%s must be from %s to %s, got %s", what, FormatDuration(lo), FormatDuration(hi), s)
		}
		return 0, false
	}
	return d, true
}

// resolve follows aliases to the node they name. Anchors cannot be put on
// aliases, so one step suffices; the bound only guards against surprises.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 4 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's value for messages: a scalar as written (strings
// quoted), anything else by its kind.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		switch {
		case isNull(n):
			return "nothing (null)"
		case n.ShortTag() == "!!str":
			return strconv.Quote(n.Value)
		default:
			return n.Value
		}
	}
	return "an alias"
}

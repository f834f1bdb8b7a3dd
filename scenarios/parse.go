package scenarios

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
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
	p := newParser(name, "scenario file")
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
	p := newParser(name, "scenario file")
	var entries []*Entry
	p.section(data, fileKind{key: "links", holds: "link IDs and globs to entries", other: "personas", otherFile: "a fixtures file"},
		func(pattern string, k, v *yaml.Node) {
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

// section reads a file whose top level must be a mapping whose only key is
// k.key holding a mapping (or nothing), and hands each pair of that mapping
// to each; a null key is named "". Everything else is reported.
func (p *parser) section(data []byte, k fileKind, each func(name string, key, value *yaml.Node)) {
	root := p.document(data)
	if root == nil {
		return
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "top level must be a mapping with a %s key, got %s", k.key, describe(root))
		return
	}
	p.pairs(root, "at top level", func(key string, kn, v *yaml.Node) {
		switch {
		case key == k.other:
			p.errorf(kn, "unknown key %q at top level (want %s; %s belong in %s)", key, k.key, k.other, k.otherFile)
		case key != k.key:
			p.errorf(kn, "unknown key %q at top level (want %s)", key, k.key)
		case v.Kind != yaml.MappingNode && !isNull(v):
			p.errorf(v, "%s must be a mapping of %s, got %s", k.key, k.holds, describe(v))
		case v.Kind == yaml.MappingNode && len(v.Content)/2 > MaxEntries:
			// Checked before any entry is parsed: a file of a million entries is
			// refused at once instead of holding the mock for seconds.
			p.errorf(kn, "%s has %d entries, over the limit of %d per file (split the file)", k.key, len(v.Content)/2, MaxEntries)
		default:
			p.pairs(v, "in "+k.key, func(name string, kn, v *yaml.Node) {
				if isNull(kn) {
					name = ""
				}
				each(name, kn, v)
			})
		}
	})
}

// parser collects the problems of one file while decoding it.
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
	// decoded holds what fields decoded, by mapping, where and struct type.
	decoded map[decoded]reflect.Value
}

type decoded struct {
	n     *yaml.Node
	where string
	t     reflect.Type
}

func newParser(file, kind string) *parser {
	return &parser{file: file, kind: kind, entries: make(map[*yaml.Node]*Entry), fixtureAt: make(map[*Entry]*yaml.Node),
		decoded: make(map[decoded]reflect.Value)}
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
	if root := resolve(doc.Content[0]); !isNull(root) {
		return root
	}
	return nil
}

// decode returns the first YAML document of data (nil if there is none) and
// the start of a second one, if any.
func decode(data []byte) (doc, extra *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs [2]*yaml.Node
	for i := range docs {
		n := new(yaml.Node)
		if err := dec.Decode(n); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, err
		}
		docs[i] = n
	}
	return docs[0], docs[1], nil
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
	lo, hi := 0, len(ends) // invariant: line lo does not fail with want, line hi does
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if _, _, err := decode(data[:ends[mid-1]]); err != nil && problem(err) == want {
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
		switch first, dup := seen[k.Value]; {
		case k.Kind != yaml.ScalarNode:
			p.errorf(k, "keys must be strings, got %s %s", describe(k), where)
		case k.ShortTag() == "!!merge":
			p.errorf(k, "merge keys (<<) are not supported; use an alias for the whole value")
		case dup:
			p.errorf(k, "duplicate key %q %s (first at line %d, column %d)", k.Value, where, first.Line, first.Column)
		default:
			seen[k.Value] = k
			f(k.Value, k, v)
		}
	}
}

// fields decodes mapping n with yaml.v3 into dst, a pointer to a struct of
// yaml.Node fields tagged with the keys the mapping may have, in the order
// messages list them. A key left out leaves its field the zero Node (Kind 0,
// see absent). First it reports, through pairs, what yaml.v3 would accept or
// word its own way: keys that are not strings, merge keys, duplicates, and
// keys dst has no field for, with unknown or, when that is nil, as
// "unknown key "k" <where> (want <keys>)". Such keys are left out. In a
// fixtures file a null value is left out too: there it means the same as
// leaving the key out. If keys is not nil, fields adds the key node of each
// key given to it.
//
// A mapping reached again through an alias, with the same where, is decoded
// once: its problems would be the same again, and an alias bomb would
// otherwise decode it millions of times before maxVisits stops the walk.
// It still counts as visited.
func (p *parser) fields(n *yaml.Node, where string, dst any, unknown func(key string, k *yaml.Node), keys map[string]*yaml.Node) {
	out := reflect.ValueOf(dst).Elem()
	t := out.Type()
	seen := decoded{n, where, t}
	if v, ok := p.decoded[seen]; ok && keys == nil {
		p.visits += len(n.Content) / 2
		out.Set(v)
		return
	}
	clean := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, len(n.Content))}
	p.pairs(n, where, func(key string, k, v *yaml.Node) {
		switch {
		case !hasKey(t, key) && unknown != nil:
			unknown(key, k)
		case !hasKey(t, key):
			p.errorf(k, "unknown key %q %s (want %s)", key, where, keyList{dst})
		case p.kind == "fixtures file" && isNull(v):
		default:
			if keys != nil {
				keys[key] = k
			}
			if k.ShortTag() != "!!str" { // say key is a string, whatever its tag
				k = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
			}
			clean.Content = append(clean.Content, k, v)
		}
	})
	// Every key is known and given once, and every field takes any node,
	// so this cannot fail; say so in the file if it ever does.
	if err := clean.Decode(dst); err != nil {
		p.errorf(n, "%v", err)
	}
	c := reflect.New(t).Elem()
	c.Set(out)
	p.decoded[seen] = c
}

// hasKey reports whether struct type t has a field for key.
func hasKey(t reflect.Type, key string) bool {
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("yaml") == key {
			return true
		}
	}
	return false
}

// keyList lists the keys of the struct dst points to, in field order, for
// messages. It is a Stringer so that the list is only made for a message.
type keyList struct{ dst any }

func (l keyList) String() string {
	t := reflect.TypeOf(l.dst).Elem()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("yaml")
	}
	return strings.Join(keys, ", ")
}

// decode decodes v with fields into dst when v is a mapping, and reports
// whether it is. When v is neither a mapping nor a key left out, it reports
// notMapping, formatted with args, followed by ", got <v>".
func (p *parser) decode(v *yaml.Node, where string, dst any, notMapping string, args ...any) bool {
	if v.Kind != yaml.MappingNode {
		if !absent(v) {
			p.errorf(v, notMapping+", got %s", append(args, describe(v))...)
		}
		return false
	}
	p.fields(v, where, dst, nil, nil)
	return true
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

// entryKeys are the keys of an entry, each field the key's value as written.
type entryKeys struct {
	Error         yaml.Node `yaml:"error"`
	Message       yaml.Node `yaml:"message"`
	LinkErrorCode yaml.Node `yaml:"link_error_code"`
	RetryAfter    yaml.Node `yaml:"retry_after"`
	Delay         yaml.Node `yaml:"delay"`
	Every         yaml.Node `yaml:"every"`
	After         yaml.Node `yaml:"after"`
	Times         yaml.Node `yaml:"times"`
	RateLimit     yaml.Node `yaml:"rate_limit"`
	Link          yaml.Node `yaml:"link"`
	Accounts      yaml.Node `yaml:"accounts"`
	Institution   yaml.Node `yaml:"institution"`
	Fixture       yaml.Node `yaml:"fixture"`
	RefreshDelay  yaml.Node `yaml:"refresh_delay"`
	Webhook       yaml.Node `yaml:"webhook"`
	Webhooks      yaml.Node `yaml:"webhooks"`
	Fault         yaml.Node `yaml:"fault"`
	Dribble       yaml.Node `yaml:"dribble"`
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
	var f entryKeys
	keys := make(map[string]*yaml.Node) // the keys given, for the checks across keys
	p.fields(v, fmt.Sprintf("in entry %q", pattern), &f, func(key string, k *yaml.Node) {
		p.errorf(k, "unknown key %q in entry %q", key, pattern)
	}, keys)
	kind, kindOK := p.enum(&f.Error, "error kind", kindNames())
	e.Error = Kind(kind)
	e.Message, _ = p.str(&f.Message, "message")
	e.LinkErrorCode, _ = p.enum(&f.LinkErrorCode, "link_error_code", publicLinkError)
	if d, ok := p.retryAfter(&f.RetryAfter); ok && d%time.Second != 0 {
		p.errorf(&f.RetryAfter, "retry_after must be whole seconds (Retry-After carries seconds), got %s", f.RetryAfter.Value)
	} else {
		e.RetryAfter = d
	}
	e.Delay = p.delay(&f.Delay)
	e.Every, _ = p.int(&f.Every, "every", 1, -1)
	e.After, _ = p.int(&f.After, "after", 0, -1)
	e.Times, _ = p.int(&f.Times, "times", 1, -1)
	e.RateLimit = p.rateLimit(keys["rate_limit"], &f.RateLimit)
	e.Link = p.link(&f.Link)
	if n, ok := p.int(&f.Accounts, "accounts", 0, maxAccounts); ok {
		e.Accounts = &n
	}
	e.Institution = p.institution(&f.Institution)
	if s, ok := p.str(&f.Fixture, "fixture"); ok && !fixtureName.MatchString(s) {
		p.errorf(&f.Fixture, "fixture name %q must match %s", s, fixtureName)
	} else if ok {
		e.Fixture = s
		p.fixtureAt[e] = &f.Fixture
	}
	e.RefreshDelay, _ = p.duration(&f.RefreshDelay, "refresh_delay", 0, maxRefresh)
	if u, ok := p.webhook(&f.Webhook); ok {
		e.Webhook = &u
	}
	e.Webhooks = p.webhookChaos(&f.Webhooks)
	fault, _ := p.enum(&f.Fault, "fault", faultNames())
	e.Fault = Fault(fault)
	e.Dribble = p.dribble(keys["dribble"], &f.Dribble)

	// Checks across keys. An unknown error kind already has its message, so
	// checks that depend on the kind are skipped rather than piled on it.
	hasError := keys["error"] != nil
	if kindOK && e.Error == BadState && keys["link_error_code"] == nil {
		p.errorf(&f.Error, "error bad_state needs link_error_code (the link's error reason, e.g. auth_expired)")
	}
	if k := keys["link_error_code"]; k != nil && (!hasError || kindOK && e.Error != BadState) {
		p.errorf(k, "link_error_code is only allowed with error: bad_state")
	}
	if k := keys["retry_after"]; k != nil && keys["rate_limit"] == nil && (!hasError || kindOK && e.Error != RateLimited) {
		p.errorf(k, "retry_after is only allowed with error: rate_limited or rate_limit")
	}
	if k := keys["fault"]; k != nil {
		for _, other := range []string{"error", "dribble"} {
			if keys[other] != nil {
				p.errorf(k, "fault may not be combined with %s (a broken connection sends no answer)", other)
			}
		}
	}
	if k := keys["dribble"]; k != nil && hasError {
		p.errorf(k, "dribble may not be combined with error (it slows the body of successes)")
	}
	if !hasError {
		if k := keys["message"]; k != nil {
			p.errorf(k, "message needs error (a success entry has no error to send)")
		}
		if keys["fault"] == nil && keys["dribble"] == nil {
			for _, key := range []string{"every", "after", "times"} {
				if k := keys[key]; k != nil {
					p.errorf(k, "%s needs error, fault or dribble (a success entry has nothing to count)", key)
				}
			}
		}
	}
	return e
}

// Limits of dribble.
const (
	maxDribbleChunks = 1000
	maxDribbleOver   = 60 * time.Second
)

// dribble parses a dribble value v; key is where a missing key is reported.
func (p *parser) dribble(key, v *yaml.Node) *Dribble {
	var f dribbleKeys
	if !p.decode(v, "in dribble", &f, "dribble must be a mapping such as {chunks: 5, over: 1s}") {
		return nil
	}
	var d Dribble
	d.Chunks, _ = p.int(&f.Chunks, "dribble.chunks", 1, maxDribbleChunks)
	d.Over, _ = p.duration(&f.Over, "dribble.over", time.Nanosecond, maxDribbleOver)
	if absent(&f.Chunks) {
		p.errorf(key, "dribble needs chunks")
	}
	if absent(&f.Over) {
		p.errorf(key, "dribble needs over")
	}
	if d.Chunks < 1 || d.Over <= 0 {
		return nil
	}
	return &d
}

// The keys of the mappings inside an entry, as entryKeys are an entry's:
// each field the key's value as written, tagged with the key, in the order
// messages list them. The JSON Schema (schema/scenarios.schema.json) is
// checked against them by TestSchemaMatchesLoader.
type (
	dribbleKeys struct {
		Chunks yaml.Node `yaml:"chunks"`
		Over   yaml.Node `yaml:"over"`
	}
	rateLimitKeys struct {
		Requests yaml.Node `yaml:"requests"`
		Per      yaml.Node `yaml:"per"`
	}
	linkKeys struct {
		State     yaml.Node `yaml:"state"`
		ErrorCode yaml.Node `yaml:"error_code"`
		Products  yaml.Node `yaml:"products"`
	}
	productKeys struct {
		ErrorCode    yaml.Node `yaml:"error_code"`
		ErrorMessage yaml.Node `yaml:"error_message"`
		Unavailable  yaml.Node `yaml:"unavailable"`
	}
	webhookChaosKeys struct {
		Delay         yaml.Node `yaml:"delay"`
		Duplicate     yaml.Node `yaml:"duplicate"`
		Reorder       yaml.Node `yaml:"reorder"`
		Drop          yaml.Node `yaml:"drop"`
		FailSignature yaml.Node `yaml:"fail_signature"`
	}
	institutionShapeKeys struct {
		InstitutionID     yaml.Node `yaml:"institution_id"`
		InstitutionName   yaml.Node `yaml:"institution_name"`
		InstitutionAvatar yaml.Node `yaml:"institution_avatar"`
		Provider          yaml.Node `yaml:"provider"`
	}
)

// failSignatures are what webhooks.fail_signature names (true is wrong_key).
var failSignatures = []string{"wrong_key", "wrong_hash"}

// retryAfter reads retry_after: a duration (30s, 1m) or a bare whole number
// of seconds (30), as the Retry-After header itself carries.
func (p *parser) retryAfter(v *yaml.Node) (time.Duration, bool) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		var n int64
		if v.Decode(&n) != nil || n < 1 || n > int64(maxRetryAfter/time.Second) {
			p.errorf(v, "retry_after must be from 1 to %d seconds, got %s", int64(maxRetryAfter/time.Second), v.Value)
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	return p.duration(v, "retry_after", time.Second, maxRetryAfter)
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

// rateLimit parses a rate_limit value v; key is where a missing key is reported.
func (p *parser) rateLimit(key, v *yaml.Node) *RateLimit {
	var f rateLimitKeys
	if !p.decode(v, "in rate_limit", &f, "rate_limit must be a mapping such as {requests: 5, per: 1m}") {
		return nil
	}
	var rl RateLimit
	rl.Requests, _ = p.int(&f.Requests, "rate_limit.requests", 1, -1)
	rl.Per, _ = p.duration(&f.Per, "rate_limit.per", time.Nanosecond, maxPer)
	if absent(&f.Requests) {
		p.errorf(key, "rate_limit needs requests")
	}
	if absent(&f.Per) {
		p.errorf(key, "rate_limit needs per")
	}
	if rl.Requests < 1 || rl.Per <= 0 {
		return nil
	}
	return &rl
}

func (p *parser) link(v *yaml.Node) *LinkShape {
	var f linkKeys
	if !p.decode(v, "in link", &f, "link must be a mapping of state, error_code and products") {
		return nil
	}
	var l LinkShape
	l.State, _ = p.enum(&f.State, "link state", linkStates)
	l.ErrorCode, _ = p.enum(&f.ErrorCode, "link error_code", publicLinkError)
	l.Products = p.products(&f.Products)
	// MoneyKit sets a link's error_code exactly when its state is error; an
	// answer breaking that rule would not be one the real API gives.
	switch {
	case l.State == "error" && absent(&f.ErrorCode):
		p.errorf(&f.State, "link state error needs error_code (the reason, e.g. auth_expired)")
	case l.ErrorCode != "" && l.State != "error":
		p.errorf(&f.ErrorCode, "link error_code needs state: error")
	}
	return &l
}

func (p *parser) products(v *yaml.Node) map[string]ProductShape {
	switch {
	case isNull(v) || absent(v):
		return nil
	case v.Kind != yaml.MappingNode:
		p.errorf(v, "products must be a mapping of product names to product states, got %s", describe(v))
		return nil
	}
	out := make(map[string]ProductShape)
	p.pairs(v, "in products", func(name string, k, v *yaml.Node) {
		if !slices.Contains(products, name) {
			p.errorf(k, "unknown product %q (want one of %s)", name, strings.Join(products, ", "))
			return
		}
		var f productKeys
		// A product listed without details is present and healthy.
		if !isNull(v) {
			p.decode(v, "in product "+name, &f, "product %s must be a mapping of error_code, error_message and unavailable", name)
		}
		var ps ProductShape
		ps.ErrorCode, _ = p.enum(&f.ErrorCode, "product error_code", productErrors)
		ps.ErrorMessage, _ = p.str(&f.ErrorMessage, "error_message")
		ps.Unavailable, _ = p.str(&f.Unavailable, "unavailable")
		out[name] = ps
	})
	return out
}

// webhookDrops are what webhooks.drop may name: the events, and the states
// of link.product_refresh and link.state_changed.
var webhookDrops = []string{
	"link.state_changed", "link.product_refresh", "transactions.updates_available",
	"pending", "in_progress", "completed", "failed",
	"connecting", "awaiting_token_exchange", "connected", "deleted", "error",
}

// maxDuplicate bounds webhooks.duplicate.
const maxDuplicate = 10

func (p *parser) webhookChaos(v *yaml.Node) *WebhookChaos {
	var f webhookChaosKeys
	if !p.decode(v, "in webhooks", &f, "webhooks must be a mapping of delay, duplicate, reorder, drop and fail_signature") {
		return nil
	}
	var w WebhookChaos
	w.Delay = p.delay(&f.Delay)
	w.Duplicate, _ = p.int(&f.Duplicate, "webhooks.duplicate", 1, maxDuplicate)
	w.Reorder, _ = p.bool(&f.Reorder, "webhooks.reorder")
	switch {
	case absent(&f.Drop):
	case f.Drop.Kind != yaml.SequenceNode:
		p.errorf(&f.Drop, "webhooks.drop must be a list of events or states, got %s", describe(&f.Drop))
	default:
		for _, item := range f.Drop.Content {
			if d, ok := p.enum(item, "webhooks.drop item", webhookDrops); ok {
				w.Drop = append(w.Drop, d)
			}
		}
	}
	if !absent(&f.FailSignature) && f.FailSignature.ShortTag() == "!!bool" {
		if on, _ := p.bool(&f.FailSignature, "webhooks.fail_signature"); on {
			w.FailSignature = "wrong_key"
		}
	} else {
		w.FailSignature, _ = p.enum(&f.FailSignature, "webhooks.fail_signature", failSignatures)
	}
	return &w
}

func (p *parser) institution(v *yaml.Node) *InstitutionShape {
	var f institutionShapeKeys
	if !p.decode(v, "in institution", &f, "institution must be a mapping") {
		return nil
	}
	var in InstitutionShape
	in.InstitutionID, _ = p.str(&f.InstitutionID, "institution_id")
	in.InstitutionName, _ = p.str(&f.InstitutionName, "institution_name")
	in.InstitutionAvatar, _ = p.str(&f.InstitutionAvatar, "institution_avatar")
	in.Provider, _ = p.enum(&f.Provider, "provider", providers)
	return &in
}

// The value checks below take the field of a key; when the key was left out
// (absent) they return the zero value and false, and report nothing.

// absent reports whether v is the zero Node of a key left out.
func absent(v *yaml.Node) bool { return v.Kind == 0 }

// scalar returns the text of a non-null scalar, reporting anything else as
// not being what want describes.
func (p *parser) scalar(v *yaml.Node, what, want string) (string, bool) {
	if absent(v) {
		return "", false
	}
	if v.Kind != yaml.ScalarNode || isNull(v) {
		p.errorf(v, "%s must be %s, got %s", what, want, describe(v))
		return "", false
	}
	return v.Value, true
}

// str returns a string value; numbers, booleans and null are reported (quote
// them to make them strings).
func (p *parser) str(v *yaml.Node, what string) (string, bool) {
	if absent(v) {
		return "", false
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		p.errorf(v, "%s must be a string, got %s", what, describe(v))
		return "", false
	}
	return v.Value, true
}

// enum returns a string value that must be one of allowed.
func (p *parser) enum(v *yaml.Node, what string, allowed []string) (string, bool) {
	switch {
	case absent(v):
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" && slices.Contains(allowed, v.Value):
		return v.Value, true
	case v.Kind == yaml.ScalarNode && !isNull(v):
		p.errorf(v, "unknown %s %s (want one of %s)", what, describe(v), strings.Join(allowed, ", "))
	default:
		p.errorf(v, "%s must be one of %s, got %s", what, strings.Join(allowed, ", "), describe(v))
	}
	return "", false
}

// int returns an integer value in [lo, hi]; hi < 0 means no upper bound.
func (p *parser) int(v *yaml.Node, what string, lo, hi int) (int, bool) {
	if absent(v) {
		return 0, false
	}
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
	switch {
	case err != nil:
		p.errorf(v, "%s must be a duration such as 30s or 1m, got %s", what, describe(v))
	case (d < lo || d > hi) && lo == time.Nanosecond:
		p.errorf(v, "%s must be more than 0 and at most %s, got %s", what, FormatDuration(hi), s)
	case d < lo || d > hi:
		p.errorf(v, "%s must be from %s to %s, got %s", what, FormatDuration(lo), FormatDuration(hi), s)
	default:
		return d, true
	}
	return 0, false
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

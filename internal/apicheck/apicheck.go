// Package apicheck validates the mock's raw JSON output against what MoneyKit
// SDKs accept, plus the mock's own believability promises.
//
// The rules come from the API reference (shared/moneykit-api.md §4–§9), not from
// the mock's implementation, so a test that runs a handler's output through
// this package checks the handler against the reference:
//
//	if problems := apicheck.Identity(rec.Body.Bytes(), linkID); problems != nil {
//		t.Errorf("identity body:\n%s", strings.Join(problems, "\n"))
//	}
//
// Every function returns all problems it finds (nil when there are none), in a
// stable order. Each problem is "<path>: <message>", where path is a JSON path
// such as accounts[1].owners[0].emails ("(root)" for the whole body).
//
// The checks are deliberately stricter than the SDKs: the mock controls its
// own output, so unknown keys are problems everywhere, every date-time must be
// UTC, and the superset payload of §5.5 (per-product settings, has_history) is
// required so that every SDK generation from 0.0.1 to 0.2.3 accepts it.
//
// The SDK generations differ in their enums (Generations): Identity, Link,
// Accounts, Account and AccountNumbers check the newest generation's enums
// (plus the keys any generation requires), and their ...For variants check
// one generation. AllGenerations runs such a check for every generation and
// names the generations that reject each problem, which is what "accepted by
// every SDK" means:
//
//	apicheck.AllGenerations(func(g apicheck.Generation) []string {
//		return apicheck.IdentityFor(g, body, linkID)
//	})
package apicheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// path is a JSON path in the form used by problem messages: "" is the root,
// keys are joined with dots and array indexes are bracketed.
type path string

// isIdent reports whether k matches ^[A-Za-z_][A-Za-z0-9_]*$ (written out:
// it runs for every key of every body checked).
func isIdent(k string) bool {
	for i, r := range k {
		switch {
		case r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z':
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return k != ""
}

func (p path) key(k string) path {
	if !isIdent(k) {
		return path(fmt.Sprintf("%s[%q]", p, k))
	}
	if p == "" {
		return path(k)
	}
	return p + "." + path(k)
}

func (p path) idx(i int) path { return path(fmt.Sprintf("%s[%d]", p, i)) }

func (p path) String() string {
	if p == "" {
		return "(root)"
	}
	return string(p)
}

// checker collects problems, checking the enums and required keys of g.
type checker struct {
	problems []string
	g        *Generation
}

func (c *checker) addf(p path, format string, args ...any) {
	c.problems = append(c.problems, p.String()+": "+fmt.Sprintf(format, args...))
}

// decode parses body as exactly one JSON value with numbers kept as
// json.Number, so that 340.12 and "340.12" stay distinguishable.
func (c *checker) decode(body []byte) (any, bool) {
	if !utf8.Valid(body) {
		// encoding/json would silently replace the bad bytes with U+FFFD.
		c.addf("", "body is not valid UTF-8")
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		c.addf("", "invalid JSON: %v", err)
		return nil, false
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		c.addf("", "unexpected data after the JSON value")
		return nil, false
	}
	return v, true
}

// kind is a set of JSON value types.
type kind uint8

const (
	kObject kind = 1 << iota
	kArray
	kString
	kNumber
	kBool
	kNull
)

var kindNames = []string{"object", "array", "string", "number", "boolean", "null"}

func (k kind) String() string {
	var names []string
	for i, n := range kindNames {
		if k&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, " or ")
}

func kindOf(v any) kind {
	switch v.(type) {
	case map[string]any:
		return kObject
	case []any:
		return kArray
	case string:
		return kString
	case json.Number:
		return kNumber
	case bool:
		return kBool
	case nil:
		return kNull
	}
	panic(fmt.Sprintf("apicheck: unexpected decoded type %T", v))
}

// is reports whether v has one of the kinds in want, and records a problem if
// it has not.
func (c *checker) is(p path, v any, want kind) bool {
	if kindOf(v)&want != 0 {
		return true
	}
	c.addf(p, "want %s, got %s", want, kindOf(v))
	return false
}

// fields reports required keys missing from m and keys of m that are neither
// required nor optional (sorted, so the output is stable).
func (c *checker) fields(p path, m map[string]any, required, optional []string) {
	for _, k := range required {
		if _, ok := m[k]; !ok {
			c.addf(p.key(k), "missing required key")
		}
	}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			c.addf(p.key(k), "unknown key")
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// nonEmptyString checks that v is a string with non-blank content.
func (c *checker) nonEmptyString(p path, v any) (string, bool) {
	if !c.is(p, v, kString) {
		return "", false
	}
	s := v.(string)
	if strings.TrimSpace(s) == "" {
		c.addf(p, "must not be empty")
		return "", false
	}
	return s, true
}

// oneOf checks that v is one of the strings in values.
func (c *checker) oneOf(p path, v any, values []string) (string, bool) {
	if !c.is(p, v, kString) {
		return "", false
	}
	s := v.(string)
	if !slices.Contains(values, s) {
		c.addf(p, "%q is not one of %s", s, strings.Join(values, "|"))
		return "", false
	}
	return s, true
}

// optionalEnum checks an optional, nullable enum key of m. It returns the value
// when present, non-null and valid.
func (c *checker) optionalEnum(p path, m map[string]any, k string, values []string) (string, bool) {
	v, present := m[k]
	if !present || !c.is(p.key(k), v, kString|kNull) || v == nil {
		return "", false
	}
	return c.oneOf(p.key(k), v, values)
}

// optional checks the type of an optional key of m when it is present.
func (c *checker) optional(p path, m map[string]any, k string, want kind) {
	if v, ok := m[k]; ok {
		c.is(p.key(k), v, want)
	}
}

// utcDateTime matches the RFC 3339 subset the mock may emit: UTC, upper-case
// T and Z, optional fractional seconds after a dot. It backs up time.Parse,
// which also accepts a comma before the fraction.
var utcDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$`)

// dateTime checks an optional, nullable date-time key of m. It returns the
// time when present, non-null and valid.
func (c *checker) dateTime(p path, m map[string]any, k string) (time.Time, bool) {
	v, present := m[k]
	if !present {
		return time.Time{}, false
	}
	p = p.key(k)
	if !c.is(p, v, kString|kNull) || v == nil {
		return time.Time{}, false
	}
	s := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		c.addf(p, "%q is not an RFC 3339 date-time", s)
		return time.Time{}, false
	}
	if !utcDateTime.MatchString(s) {
		c.addf(p, "%q is not UTC (want YYYY-MM-DDTHH:MM:SS[.frac]Z)", s)
		return time.Time{}, false
	}
	return t, true
}

// money is a decoded JSON number together with its original text.
type money struct {
	text string
	f    float64
}

// amount checks a money key of m: a JSON number or null, never a string, with
// at most two decimal places. It returns state "absent" for a missing or null
// key, "bad" for a wrong type, and "ok" otherwise (an amount with too many
// decimals is reported but still returned as ok so that the balance rules run).
func (c *checker) amount(p path, m map[string]any, k string) (money, string) {
	v, present := m[k]
	if !present || v == nil {
		return money{}, "absent"
	}
	p = p.key(k)
	if !c.is(p, v, kNumber|kNull) {
		return money{}, "bad"
	}
	n := v.(json.Number)
	f, err := n.Float64()
	if err != nil {
		c.addf(p, "%s is not a finite number", n)
		return money{}, "bad"
	}
	r, ok := new(big.Rat).SetString(n.String())
	if !ok || !r.Mul(r, big.NewRat(100, 1)).IsInt() {
		c.addf(p, "%s has more than 2 decimal places", n)
	}
	return money{text: n.String(), f: f}, "ok"
}

func formatCents(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

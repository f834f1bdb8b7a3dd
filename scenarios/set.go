package scenarios

import (
	"cmp"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// Set is a loaded catalogue of entries, indexed for lookup by link ID, and
// the personas they may name. It is immutable, so it is safe for concurrent
// use; a reload builds a new Set. The methods of a nil *Set behave as for an
// empty one.
type Set struct {
	exact    map[string]*Entry
	globs    []glob   // longest pattern first, equal lengths in pattern order
	all      []*Entry // by pattern
	personas map[string]*personaDef
}

// glob is a glob entry with its literal prefix and suffix, cheap tests that
// rule out most link IDs before path.Match runs.
type glob struct {
	prefix, suffix string
	e              *Entry
}

// newSet indexes entries, whose patterns must be distinct and valid, and
// binds each to the persona it names (see Bind).
func newSet(entries []*Entry, personas map[string]*personaDef) *Set {
	s := &Set{exact: make(map[string]*Entry), personas: personas}
	s.all = make([]*Entry, len(entries))
	for i, e := range entries {
		s.all[i] = s.Bind(e)
	}
	slices.SortFunc(s.all, func(a, b *Entry) int { return strings.Compare(a.Pattern, b.Pattern) })
	for _, e := range s.all {
		if e.IsGlob() {
			s.globs = append(s.globs, glob{prefix: literalPrefix(e.Pattern), suffix: literalSuffix(e.Pattern), e: e})
		} else {
			s.exact[e.Pattern] = e
		}
	}
	// s.all is sorted by pattern and the sort is stable, so equal lengths
	// stay in pattern order.
	slices.SortStableFunc(s.globs, func(a, b glob) int { return cmp.Compare(len(b.e.Pattern), len(a.e.Pattern)) })
	return s
}

// Lookup returns the entry for linkID, or nil when none matches. An exact
// pattern wins (a map lookup, whatever the number of exact IDs); otherwise
// the longest matching glob, equal lengths in pattern order.
func (s *Set) Lookup(linkID string) *Entry {
	if s == nil {
		return nil
	}
	if e, ok := s.exact[linkID]; ok {
		return e
	}
	for _, g := range s.globs {
		if !strings.HasPrefix(linkID, g.prefix) || !strings.HasSuffix(linkID, g.suffix) {
			continue
		}
		// Patterns were checked when loaded, so Match cannot fail here.
		if ok, _ := path.Match(g.e.Pattern, linkID); ok {
			return g.e
		}
	}
	return nil
}

// Entries returns the entries sorted by pattern, for listing the effective
// catalogue. The slice is the caller's; the entries are shared.
func (s *Set) Entries() []*Entry {
	if s == nil {
		return nil
	}
	return slices.Clone(s.all)
}

// Len returns the number of entries.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.all)
}

// Persona returns the persona called name, or nil if there is none. The
// persona is shared and must not be modified.
func (s *Set) Persona(name string) *fixtures.Persona {
	if s == nil {
		return nil
	}
	if d := s.personas[name]; d != nil {
		return d.persona
	}
	return nil
}

// Personas returns the names of the personas, sorted.
func (s *Set) Personas() []string {
	if s == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(s.personas))
}

// Bind returns e with [Entry.PersonaHash] set for the persona its Fixture
// names in s: e itself when that is already so, or when e names no persona
// of s, and otherwise a copy (entries are shared, so never changed). The
// entries of a Set are bound already; bind an entry parsed at run time
// ([ParseEntry]) before using its Fingerprint, so that it too changes when a
// reload changes its persona. A copy has its fingerprint computed already.
func (s *Set) Bind(e *Entry) *Entry {
	if s == nil || e == nil || e.Fixture == "" {
		return e
	}
	d := s.personas[e.Fixture]
	if d == nil || e.PersonaHash == d.hash {
		return e
	}
	c := *e
	c.PersonaHash = d.hash
	c.seal()
	return &c
}

// Diff describes how new differs from old: one line per pattern in pattern
// order, "added mk_x (deleted)", "changed mk_y (now not_found, every 2)" or
// "removed mk_z", then one line per persona in name order, "added persona
// ada", "changed persona ada" or "removed persona ada". Entries whose
// behaviour is the same (see [Entry.Fingerprint]) are not listed, even if
// they moved, nor are personas whose content is the same. An entry whose
// persona changed is listed as changed too. Either set may be nil.
func Diff(old, new *Set) []string {
	a, b := old.Entries(), new.Entries()
	var lines []string
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0].Pattern < b[0].Pattern:
			lines = append(lines, "removed "+a[0].Pattern)
			a = a[1:]
		case len(a) == 0 || b[0].Pattern < a[0].Pattern:
			lines = append(lines, "added "+b[0].Pattern+" ("+b[0].Summary()+")")
			b = b[1:]
		default:
			if a[0].Fingerprint() != b[0].Fingerprint() {
				lines = append(lines, "changed "+b[0].Pattern+" (now "+b[0].Summary()+")")
			}
			a, b = a[1:], b[1:]
		}
	}
	var names []string
	if old != nil {
		names = slices.Collect(maps.Keys(old.personas))
	}
	if new != nil {
		names = slices.AppendSeq(names, maps.Keys(new.personas))
	}
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		var was, is *personaDef
		if old != nil {
			was = old.personas[name]
		}
		if new != nil {
			is = new.personas[name]
		}
		switch {
		case is == nil:
			lines = append(lines, "removed persona "+name)
		case was == nil:
			lines = append(lines, "added persona "+name)
		case was.hash != is.hash:
			lines = append(lines, "changed persona "+name)
		}
	}
	return lines
}

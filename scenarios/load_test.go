package scenarios

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDefault guards the embedded catalogue: it parses without a problem,
// so Default cannot panic.
func TestDefault(t *testing.T) {
	data, err := embedded.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("embedded:default.yaml", data); err != nil {
		t.Fatalf("default.yaml:\n%v", err)
	}
	if _, err := loadDefault(); err != nil {
		t.Fatalf("embedded files:\n%v", err)
	}
	if Default().Len() == 0 {
		t.Fatal("the embedded catalogue is empty")
	}
}

// TestDefaultCatalogue checks the promises of default.yaml: each exact ID has
// a glob family ID_* that behaves the same, globs have a long literal
// prefix, and ordinary IDs match nothing.
func TestDefaultCatalogue(t *testing.T) {
	set := Default()
	var exact, globs int
	for _, e := range set.Entries() {
		if e.Source != "embedded:default.yaml" {
			t.Errorf("%s: Source = %q", e.Pattern, e.Source)
		}
		if !e.IsGlob() {
			exact++
			g := set.Lookup(e.Pattern + "_anything")
			if g == nil || g.Pattern != e.Pattern+"_*" || g.Fingerprint() != e.Fingerprint() {
				t.Errorf("%s has no glob family %s_* that behaves the same", e.Pattern, e.Pattern)
			}
			continue
		}
		globs++
		if p := literalPrefix(e.Pattern); !strings.HasPrefix(p, "mk_") || !strings.HasSuffix(p, "_") || len(p) < 7 {
			t.Errorf("glob %q: literal prefix %q is too broad (want mk_, a word, _)", e.Pattern, p)
		}
	}
	if exact != globs || exact < 15 {
		t.Errorf("%d exact IDs and %d globs, want the same number, at least 15", exact, globs)
	}
	for _, id := range []string{"mk_demo", "mk_demo_1", "mk_eqkWN34UeeN6WYiBg2Tr7Z", "mk_", "link_123", "", "mk_slowpoke", "mk_deletedx"} {
		if e := set.Lookup(id); e != nil {
			t.Errorf("Lookup(%q) = %s, want no match", id, e.Pattern)
		}
	}
	for id, want := range map[string]Kind{
		"mk_deleted": Deleted, "mk_deleted_x": Deleted, "mk_not_found_1": NotFound, "mk_forbidden": Forbidden,
		"mk_bad_state_a": BadState, "mk_rate_limited": RateLimited, "mk_unauthorized_b": UnauthorizedAccess,
	} {
		if e := set.Lookup(id); e == nil || e.Error != want {
			t.Errorf("Lookup(%q) = %v, want an entry with error %s", id, e, want)
		}
	}
}

// TestLookupPrecedence: exact beats glob, a longer glob a shorter one, equal
// lengths go by pattern order, and a user file beats the embedded catalogue.
func TestLookupPrecedence(t *testing.T) {
	set, err := Load("testdata/override.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, pattern, source string }{
		{"mk_deleted", "mk_deleted", "testdata/override.yaml"},    // user beats embedded
		{"mk_deleted_x", "mk_deleted_*", "embedded:default.yaml"}, // the rest of the embed stays
		{"mk_p_exact", "mk_p_exact", "testdata/override.yaml"},    // exact beats both globs
		{"mk_p_long_1", "mk_p_long_*", "testdata/override.yaml"},  // longer glob
		{"mk_p_short", "mk_p_*", "testdata/override.yaml"},        // only the short glob
		{"mk_q_ax", "mk_q_?x", "testdata/override.yaml"},          // same length: "mk_q_?x" < "mk_q_a*"
		{"mk_q_ay", "mk_q_a*", "testdata/override.yaml"},          // only one matches
		{"mk_p", "", ""},    // no match
		{"mk_demo", "", ""}, // no match
	} {
		e := set.Lookup(tc.id)
		var pattern, source string
		if e != nil {
			pattern, source = e.Pattern, e.Source
		}
		if pattern != tc.pattern || source != tc.source {
			t.Errorf("Lookup(%q) = %q from %q, want %q from %q", tc.id, pattern, source, tc.pattern, tc.source)
		}
	}
	if got, want := set.Len(), Default().Len()+5; got != want {
		t.Errorf("Len() = %d, want %d (the embed plus 5 new patterns)", got, want)
	}
}

func TestSetEntriesSorted(t *testing.T) {
	entries := Default().Entries()
	for i := 1; i < len(entries); i++ {
		if entries[i-1].Pattern >= entries[i].Pattern {
			t.Errorf("Entries() not sorted: %q before %q", entries[i-1].Pattern, entries[i].Pattern)
		}
	}
	var nilSet *Set
	if nilSet.Lookup("mk_x") != nil || nilSet.Len() != 0 || nilSet.Entries() != nil {
		t.Error("a nil *Set is not empty")
	}
}

func TestLoadDir(t *testing.T) {
	set, err := Load("testdata/dir", "")
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"mk_dir_a":  "testdata/dir/a.yaml",
		"mk_dir_b":  "testdata/dir/b.yaml",
		"mk_hidden": "", // .hidden.yaml is skipped
		"mk_txt":    "", // notes.txt is not *.yaml
	} {
		var got string
		if e := set.Lookup(id); e != nil {
			got = filepath.ToSlash(e.Source)
		}
		if got != want {
			t.Errorf("Lookup(%q) from %q, want %q", id, got, want)
		}
	}
	// Naming a file of the directory again does not make it a duplicate.
	if _, err := Load("testdata/dir", "testdata/dir/a.yaml"); err != nil {
		t.Errorf("Load(dir, dir/a.yaml): %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{"two user files claim a pattern", []string{"testdata/dupdir"}, []string{
			`testdata/dupdir/b.yaml:4:3: pattern "mk_same" is already defined at testdata/dupdir/a.yaml:2:3`,
		}},
		{"missing path", []string{"testdata/nope.yaml"}, []string{
			`testdata/nope.yaml: no such file or directory`,
		}},
		{"every file's problems, in file order", []string{"testdata/broken_links.yaml", "testdata/dir", "testdata/broken_toplevel.yaml"}, []string{
			`testdata/broken_links.yaml:1:8: links must be a mapping of link IDs and globs to entries, got a sequence`,
			`testdata/broken_toplevel.yaml:1:1: top level must be a mapping with a links key, got a sequence`,
		}},
		{"problems, a missing persona and a duplicate together", []string{"testdata/dupdir/a.yaml", "testdata/broken_multidoc.yaml", "testdata/good.yaml", "testdata/dupdir/b.yaml"}, []string{
			`testdata/broken_multidoc.yaml:3:1: a scenario file holds one YAML document, found another`,
			`testdata/good.yaml:46:14: fixture "big-family_2" is not a persona (known: business, household, international, no_phone)`,
			`testdata/dupdir/b.yaml:4:3: pattern "mk_same" is already defined at testdata/dupdir/a.yaml:2:3`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Load(tc.paths...)
			if set != nil {
				t.Error("Load returned a Set with an error")
			}
			got := errorLines(t, err)
			for i := range got {
				got[i] = filepath.ToSlash(got[i])
			}
			checkLines(t, got, tc.want)
			checkLines(t, errorLines(t, Validate(tc.paths...)), got)
		})
	}
}

func TestValidateGood(t *testing.T) {
	for _, paths := range [][]string{nil, {"testdata/override.yaml"}, {"testdata/override.yaml", "testdata/dir", "testdata/empty.yaml"}} {
		if err := Validate(paths...); err != nil {
			t.Errorf("Validate(%q): %v", paths, err)
		}
	}
	// good.yaml names the persona big-family_2 of personas_good.yaml.
	for _, src := range []Sources{
		{},
		{Scenarios: []string{"testdata/good.yaml"}, Fixtures: []string{"testdata/personas_good.yaml"}},
		{Scenarios: []string{"testdata/good.yaml", "testdata/override.yaml", "testdata/dir", "testdata/empty.yaml", "testdata/fixture_refs.yaml"},
			Fixtures: []string{"testdata/personas_good.yaml", "", "testdata/empty.yaml"}},
	} {
		if err := ValidateWith(src); err != nil {
			t.Errorf("ValidateWith(%+v): %v", src, err)
		}
	}
}

func TestDiff(t *testing.T) {
	old := mustParseSet(t, "links:\n  mk_a: {error: deleted}\n  mk_b: {error: deleted}\n  mk_c: {error: deleted}\n  mk_same: {accounts: 1}\n")
	new := mustParseSet(t, "links:\n  mk_b: {error: deleted, every: 2}\n  mk_c: {error: deleted}\n  mk_d: {error: not_found}\n\n  mk_same: {accounts: 1}\n")
	checkLines(t, Diff(old, new), []string{
		"removed mk_a",
		"changed mk_b (now deleted, every 2)",
		"added mk_d (not_found)",
	})
	checkLines(t, Diff(nil, old)[:1], []string{"added mk_a (deleted)"})
	if d := Diff(old, old); len(d) != 0 {
		t.Errorf("Diff(old, old) = %q, want nothing", d)
	}
}

func mustParseSet(t *testing.T, data string) *Set {
	t.Helper()
	entries, err := Parse("diff.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return newSet(entries, nil)
}

// TestWatch edits a watched directory: a good edit brings a new Set, a touch
// brings nothing, a bad edit brings *Errors, and a new file is seen.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	writeFile(t, file, "links:\n  mk_w: {error: deleted}\n")

	w := watch(t, Sources{Scenarios: []string{dir}}) // the baseline, taken before any edit
	next := w.next

	writeFile(t, file, "links:\n  mk_w: {error: not_found}\n")
	r := next()
	if r.err != nil {
		t.Fatalf("good edit: %v", r.err)
	}
	if e := r.set.Lookup("mk_w"); e == nil || e.Error != NotFound {
		t.Fatalf("after the good edit, mk_w = %v, want not_found", e)
	}
	if r.set.Lookup("mk_deleted") == nil {
		t.Error("the reloaded Set lost the embedded catalogue")
	}

	// A touch changes the stat but not the content: no reload.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-w.reports:
		t.Fatalf("a touch caused a reload: %v, %v", r.set, r.err)
	case <-time.After(200 * time.Millisecond):
	}

	writeFile(t, file, "links:\n  mk_w: {error: nope}\n")
	r = next()
	if r.set != nil {
		t.Error("bad edit: got a Set")
	}
	checkLines(t, errorLines(t, r.err), []string{
		file + `:2:17: unknown error kind "nope" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)`,
	})

	writeFile(t, file, "links:\n  mk_w: {error: forbidden}\n")
	writeFile(t, filepath.Join(dir, "t.yaml"), "links:\n  mk_t: {accounts: 1}\n")
	r = next()
	if r.err != nil {
		t.Fatalf("fixed edit: %v", r.err)
	}
	if r.set.Lookup("mk_w").Error != Forbidden || r.set.Lookup("mk_t") == nil {
		t.Errorf("after the fix, mk_w = %s and mk_t = %v", r.set.Lookup("mk_w").Summary(), r.set.Lookup("mk_t"))
	}
}

// TestWatchReturns checks that Watch stops when its context ends.
func TestWatchReturns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		Watch(ctx, []string{t.TempDir()}, 10*time.Millisecond, func(*Set, error) {})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLayerBrokenEntryClaims: an entry with problems still claims its
// pattern, so the duplicate in a later file is reported in the same run.
func TestLayerBrokenEntryClaims(t *testing.T) {
	_, errs := layer(nil, inputs{scenarios: []file{
		{name: "a.yaml", data: []byte("links:\n  mk_x: {error: delted}\n")},
		{name: "b.yaml", data: []byte("links:\n  mk_x: {error: deleted}\n")},
	}})
	checkLines(t, strings.Split(errs.Error(), "\n"), []string{
		`a.yaml:2:17: unknown error kind "delted" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)`,
		`b.yaml:2:3: pattern "mk_x" is already defined at a.yaml:2:3`,
	})
}

// TestStatHashSeesChmod: an edit made while a file was unreadable must be
// served once it is readable again, and chmod changes neither its size nor
// its mtime; the poll's hash must see the mode too. (Running as root, a
// test cannot make the file unreadable itself, so it checks the hash.)
func TestStatHashSeesChmod(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte("links: {}\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	src := Sources{Scenarios: []string{path}}
	before := statHash(src)
	info, _ := os.Stat(path)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, info.ModTime(), info.ModTime())
	if statHash(src) == before {
		t.Errorf("statHash did not change when the file was made readable")
	}
}

// TestFileBounds: a file over MaxFileBytes is refused by its size, before
// it is parsed, naming the file and the limit; a mapping of more than
// MaxEntries entries is refused before any entry is parsed. The load fails
// whole, so a reload keeps the last good set.
func TestFileBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, append([]byte("links:\n"), bytes.Repeat([]byte("#"), MaxFileBytes)...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadWith(Sources{Scenarios: []string{big}})
	if err == nil || !strings.Contains(err.Error(), big+": the file is ") || !strings.Contains(err.Error(), "over the limit of 4194304 (4 MiB)") {
		t.Errorf("big file: %v", err)
	}
	_, err = LoadWith(Sources{FixtureFiles: []File{{Name: "inline.yaml", Data: make([]byte, MaxFileBytes+1)}}})
	if err == nil || !strings.Contains(err.Error(), "inline.yaml: the file is 4194305 bytes") {
		t.Errorf("big inline file: %v", err)
	}
	var many bytes.Buffer
	many.WriteString("links:\n")
	for i := range MaxEntries + 1 {
		fmt.Fprintf(&many, "  mk_%d: {error: deleted}\n", i)
	}
	_, err = LoadWith(Sources{ScenarioFiles: []File{{Name: "many.yaml", Data: many.Bytes()}}})
	if err == nil || !strings.Contains(err.Error(), "many.yaml:1:1: links has 50001 entries, over the limit of 50000 per file") {
		t.Errorf("many entries: %v", err)
	}
}

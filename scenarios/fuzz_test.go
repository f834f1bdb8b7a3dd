package scenarios

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// FuzzParse checks that Parse and ParseEntry never panic and that every
// problem they report has a file and a 1-based position. Run it with
// go test -fuzz=FuzzParse ./scenarios.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, "default.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"error": "rate_limited", "retry_after": "5s", "rate_limit": {"requests": 2, "per": "1m"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse("fuzz.yaml", data)
		checkFuzzResult(t, err, len(entries) > 0)
		for _, e := range entries {
			if e.Line < 1 || e.Col < 1 || e.Pattern == "" {
				t.Errorf("entry %+v has no position or pattern", *e)
			}
		}
		checkLookup(t, entries)
		e, err := ParseEntry("fuzz.json", "mk_fuzz_*", data)
		checkFuzzResult(t, err, e != nil)
	})
}

// checkLookup compares Set.Lookup, with its map and its literal prefix and
// suffix tests, to a plain scan that applies the precedence rules directly.
func checkLookup(t *testing.T, entries []*Entry) {
	t.Helper()
	set := newSet(entries, nil)
	for _, e := range entries {
		for _, id := range []string{e.Pattern, strings.NewReplacer("*", "xyz", "?", "q", "[", "", "]", "").Replace(e.Pattern)} {
			var want *Entry
			for _, c := range entries {
				if !c.IsGlob() && c.Pattern == id {
					want = c
					break
				}
				if ok, _ := path.Match(c.Pattern, id); ok && c.IsGlob() && (want == nil ||
					len(c.Pattern) > len(want.Pattern) || len(c.Pattern) == len(want.Pattern) && c.Pattern < want.Pattern) {
					want = c
				}
			}
			if got := set.Lookup(id); got != want {
				t.Errorf("Lookup(%q) = %v, want %v", id, got, want)
			}
		}
	}
}

func checkFuzzResult(t *testing.T, err error, gotResult bool) {
	t.Helper()
	if err == nil {
		return
	}
	if gotResult {
		t.Error("a result came with an error")
	}
	var errs *Errors
	if !errors.As(err, &errs) || len(*errs) == 0 {
		t.Fatalf("error is %T and not a non-empty *Errors: %v", err, err)
	}
	for _, e := range *errs {
		if e.File == "" || e.Line < 1 || e.Col < 1 || e.Msg == "" {
			t.Errorf("problem without a file, position or message: %#v", e)
		}
	}
}

// FuzzParsePersonas checks that ParsePersonas never panics, that every
// problem it reports has a file and a 1-based position, that it gives
// personas exactly when it gives no error, and that parsing is
// deterministic. The same bytes are then loaded as a fixtures file with a
// scenario naming a persona, to fuzz the cross-file checks too. Run it with
// go test -fuzz=FuzzParsePersonas ./scenarios.
func FuzzParsePersonas(f *testing.F) {
	files, err := filepath.Glob("testdata/*persona*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(fixtures.DefaultPersonas())
	f.Add([]byte(`{"personas": {"a": {"owners": [{"names": ["A B"]}], "accounts": [{"owners": ["A B"], "balances": {"current": 1.5}}]}}}`))
	f.Add([]byte("personas:\n  a: &a {owners: [&o {names: [X]}], accounts: [{owners: [X], account_mask: \"0001\"}]}\n  b: *a\n"))
	scenario := []byte("links:\n  mk_a: {fixture: a}\n  mk_b: &b {fixture: b}\n  mk_c: *b\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		personas, err := ParsePersonas("fuzz.yaml", data)
		checkFuzzResult(t, err, personas != nil && err != nil)
		if err == nil {
			if personas == nil {
				t.Fatal("no personas and no error")
			}
			again, _ := ParsePersonas("fuzz.yaml", data)
			if !reflect.DeepEqual(personas, again) {
				t.Error("parsing the same bytes twice gave different personas")
			}
			for name := range personas {
				if !fixtureName.MatchString(name) {
					t.Errorf("persona name %q was accepted", name)
				}
			}
		}
		set, errs := layer(nil, inputs{fixtures: []file{{name: "fuzz.yaml", data: data}}, scenarios: []file{{name: "s.yaml", data: scenario}}})
		checkFuzzResult(t, errs.asError(), set != nil && len(errs) > 0)
		if set != nil {
			for _, id := range []string{"mk_a", "mk_b", "mk_c"} {
				e := set.Lookup(id)
				if p := set.Persona(e.Fixture); p == nil || e.PersonaHash != hashPersona(p) {
					t.Errorf("%s is not bound to persona %q", id, e.Fixture)
				}
			}
		}
	})
}

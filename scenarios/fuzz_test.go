package scenarios

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
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
	set := newSet(entries)
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

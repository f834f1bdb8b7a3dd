package scenarios

import (
	"path/filepath"
	"testing"
)

// TestLoadInline loads a scenario file and a fixtures file held in memory:
// their entries and personas are served, and cite the names given.
func TestLoadInline(t *testing.T) {
	src := Sources{
		ScenarioFiles: []File{{Name: "inline.yaml", Data: []byte("links:\n  mk_ada:\n    fixture: ada\n  mk_deleted:\n    error: forbidden\n")}},
		FixtureFiles:  []File{{Name: "people.yaml", Data: []byte("personas:\n  ada:\n    owners: [{names: [Ada Lovelace]}]\n")}},
	}
	set, err := LoadWith(src)
	if err != nil {
		t.Fatal(err)
	}
	e := set.Lookup("mk_ada")
	if e == nil || e.Fixture != "ada" || e.Source != "inline.yaml" || e.Line != 2 || e.Col != 3 {
		t.Fatalf("Lookup(mk_ada) = %+v, want fixture ada from inline.yaml:2:3", e)
	}
	if p := set.Persona("ada"); p == nil || p.Owners[0].Names[0] != "Ada Lovelace" {
		t.Errorf("Persona(ada) = %+v", p)
	}
	if src := set.personas["ada"].source; src != "people.yaml" {
		t.Errorf("persona ada from %q, want people.yaml", src)
	}
	// An inline entry replaces an embedded one silently, as a file would.
	if e := set.Lookup("mk_deleted"); e == nil || e.Error != Forbidden || e.Source != "inline.yaml" {
		t.Errorf("Lookup(mk_deleted) = %+v, want the inline forbidden", e)
	}
	if e := set.Lookup("mk_household"); e == nil || e.Source != "embedded:default.yaml" {
		t.Errorf("the embedded catalogue is not underneath: mk_household = %+v", e)
	}
	if err := ValidateWith(src); err != nil {
		t.Errorf("ValidateWith: %v", err)
	}

	// The same bytes given by path load the same Set.
	dir := t.TempDir()
	paths := Sources{Scenarios: []string{filepath.Join(dir, "s.yaml")}, Fixtures: []string{filepath.Join(dir, "f.yaml")}}
	writeFile(t, paths.Scenarios[0], string(src.ScenarioFiles[0].Data))
	writeFile(t, paths.Fixtures[0], string(src.FixtureFiles[0].Data))
	fromFiles, err := LoadWith(paths)
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(fromFiles, set); len(d) != 0 {
		t.Errorf("inline and on-disk files differ: %q", d)
	}
}

// TestLoadInlineLayering checks that in-memory files come after the files
// the paths name, in order, under the same duplicate rules.
func TestLoadInlineLayering(t *testing.T) {
	// Inline personas count for the scenario files given by path.
	set, err := LoadWith(Sources{
		Scenarios:    []string{"testdata/fixture_refs.yaml"},
		FixtureFiles: []File{{Name: "people.yaml", Data: []byte("personas:\n  ada: {}\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e := set.Lookup("mk_ada_1"); e == nil || e.Fixture != "ada" {
		t.Errorf("Lookup(mk_ada_1) = %+v", e)
	}

	const known = "business, household, international, no_phone"
	for _, tc := range []struct {
		name string
		src  Sources
		want []string
	}{
		{"an inline file claims a pattern of a path", Sources{
			Scenarios:     []string{"testdata/dupdir/a.yaml"},
			ScenarioFiles: []File{{Name: "inline.yaml", Data: []byte("links:\n  mk_same: {error: not_found}\n")}},
		}, []string{
			`inline.yaml:2:3: pattern "mk_same" is already defined at testdata/dupdir/a.yaml:2:3`,
		}},
		{"two inline files claim a pattern, the second is blamed", Sources{ScenarioFiles: []File{
			{Name: "one.yaml", Data: []byte("links:\n  mk_x: {error: deleted}\n")},
			{Name: "two.yaml", Data: []byte("# two\nlinks:\n  mk_x: {error: deleted}\n")},
		}}, []string{
			`two.yaml:3:3: pattern "mk_x" is already defined at one.yaml:2:3`,
		}},
		{"an inline persona defined by a path", Sources{
			Fixtures:     []string{"testdata/personas_dup/a.yaml"},
			FixtureFiles: []File{{Name: "people.yaml", Data: []byte("personas:\n  ada: {}\n")}},
		}, []string{
			`people.yaml:2:3: persona "ada" is already defined at testdata/personas_dup/a.yaml:2:3`,
		}},
		{"problems cite the name with line and column, paths first", Sources{
			Scenarios: []string{"testdata/broken_links.yaml"},
			ScenarioFiles: []File{
				{Name: "inline.yaml", Data: []byte("links:\n  mk_bad:\n    error: delted\n    evry: 3\n  mk_who: {fixture: ada}\n")},
				{Name: "syntax.yaml", Data: []byte("links: [\n")},
			},
		}, []string{
			`testdata/broken_links.yaml:1:8: links must be a mapping of link IDs and globs to entries, got a sequence`,
			`inline.yaml:3:12: unknown error kind "delted" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)`,
			`inline.yaml:4:5: unknown key "evry" in entry "mk_bad"`,
			`inline.yaml:5:21: fixture "ada" is not a persona (known: ` + known + `)`,
			`syntax.yaml:1:1: invalid YAML: did not find expected node content`,
		}},
		{"fixtures files first, paths then inline", Sources{
			Scenarios:    []string{"testdata/nope.yaml"},
			Fixtures:     []string{"testdata/broken_persona_toplevel.yaml"},
			FixtureFiles: []File{{Name: "people.yaml", Data: []byte("personas:\n  ada: {owners: 1}\n")}},
		}, []string{
			`testdata/nope.yaml: no such file or directory`,
			`testdata/broken_persona_toplevel.yaml:1:1: top level must be a mapping with a personas key, got a sequence`,
			`people.yaml:2:17: owners must be a sequence, got 1`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkLoadErrors(t, tc.src, tc.want) })
	}
}

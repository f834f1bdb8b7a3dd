package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// schemaDoc is a decoded schema, walked by path.
type schemaDoc map[string]any

// at follows keys ("$defs", "entry", "properties", ...) from the root.
func (d schemaDoc) at(t *testing.T, path ...string) map[string]any {
	t.Helper()
	var cur any = map[string]any(d)
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("schema: %s is not an object", strings.Join(path, "."))
		}
		if cur, ok = m[k]; !ok {
			t.Fatalf("schema: no %s", strings.Join(path, "."))
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		t.Fatalf("schema: %s is not an object", strings.Join(path, "."))
	}
	return m
}

func loadSchemaDoc(t *testing.T, b []byte) schemaDoc {
	t.Helper()
	var d schemaDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// yamlTags are the keys a loader key struct allows.
func yamlTags(keys any) []string {
	t := reflect.TypeOf(keys)
	var out []string
	for i := range t.NumField() {
		out = append(out, t.Field(i).Tag.Get("yaml"))
	}
	sort.Strings(out)
	return out
}

func propertyNames(m map[string]any) []string {
	props, _ := m["properties"].(map[string]any)
	var out []string
	for k := range props {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// enumOf is the enum of a property, null left out (in fixtures files null
// means the key is left out).
func enumOf(m map[string]any) []string {
	var out []string
	for _, v := range m["enum"].([]any) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// TestSchemaMatchesLoader keeps the hand-written schemas in step with the
// loader: the properties of each object are exactly the yaml tags of the
// key struct the loader decodes it with, every enum is the loader's list,
// and the bounds are the loader's.
func TestSchemaMatchesLoader(t *testing.T) {
	sc := loadSchemaDoc(t, ScenarioSchema())
	ps := loadSchemaDoc(t, PersonaSchema())
	entry := []string{"$defs", "entry"}
	prop := func(path []string, names ...string) []string {
		p := slices.Clone(path)
		for _, n := range names {
			p = append(p, "properties", n)
		}
		return p
	}
	for _, tc := range []struct {
		doc  schemaDoc
		path []string
		keys any
	}{
		{sc, entry, entryKeys{}},
		{sc, prop(entry, "rate_limit"), rateLimitKeys{}},
		{sc, prop(entry, "link"), linkKeys{}},
		{sc, append(prop(entry, "link", "products"), "additionalProperties"), productKeys{}},
		{sc, prop(entry, "webhooks"), webhookChaosKeys{}},
		{sc, prop(entry, "institution"), institutionShapeKeys{}},
		{sc, prop(entry, "dribble"), dribbleKeys{}},
		{ps, []string{"$defs", "persona"}, personaKeys{}},
		{ps, []string{"$defs", "owner"}, ownerKeys{}},
		{ps, append(prop([]string{"$defs", "owner"}, "emails"), "items"), emailKeys{}},
		{ps, append(prop([]string{"$defs", "owner"}, "phone_numbers"), "items"), phoneKeys{}},
		{ps, append(prop([]string{"$defs", "owner"}, "addresses"), "items"), addressKeys{}},
		{ps, []string{"$defs", "account"}, accountKeys{}},
		{ps, prop([]string{"$defs", "account"}, "balances"), balanceKeys{}},
		{ps, prop([]string{"$defs", "persona"}, "institution"), institutionKeys{}},
	} {
		name := reflect.TypeOf(tc.keys).Name()
		m := tc.doc.at(t, tc.path...)
		if got, want := propertyNames(m), yamlTags(tc.keys); !slices.Equal(got, want) {
			t.Errorf("%s: schema properties %v, loader keys %v", name, got, want)
		}
		if m["additionalProperties"] != false {
			t.Errorf("%s: the schema must refuse unknown keys, as the loader does", name)
		}
	}
	if got := propertyNames(sc); !slices.Equal(got, []string{"links"}) {
		t.Errorf("scenario file top level: %v", got)
	}
	if got := propertyNames(ps); !slices.Equal(got, []string{"personas"}) {
		t.Errorf("fixtures file top level: %v", got)
	}

	for _, tc := range []struct {
		name string
		m    map[string]any
		want []string
	}{
		{"error", sc.at(t, prop(entry, "error")...), kindNames()},
		{"link_error_code", sc.at(t, prop(entry, "link_error_code")...), publicLinkError},
		{"fault", sc.at(t, prop(entry, "fault")...), faultNames()},
		{"link.state", sc.at(t, prop(entry, "link", "state")...), linkStates},
		{"link.error_code", sc.at(t, prop(entry, "link", "error_code")...), publicLinkError},
		{"products", sc.at(t, append(prop(entry, "link", "products"), "propertyNames")...), products},
		{"product error_code", sc.at(t, append(append(prop(entry, "link", "products"), "additionalProperties"), "properties", "error_code")...), productErrors},
		{"institution.provider", sc.at(t, prop(entry, "institution", "provider")...), providers},
		{"webhooks.drop", sc.at(t, append(prop(entry, "webhooks", "drop"), "items")...), webhookDrops},
		{"webhooks.fail_signature", sc.at(t, prop(entry, "webhooks", "fail_signature")...)["oneOf"].([]any)[1].(map[string]any), failSignatures},
		{"persona provider", ps.at(t, "$defs", "persona", "properties", "provider"), providers},
		{"phone type", ps.at(t, append(prop([]string{"$defs", "owner"}, "phone_numbers"), "items", "properties", "type")...), fixtures.PhoneTypes()},
	} {
		if got := enumOf(tc.m); !slices.Equal(got, tc.want) {
			t.Errorf("%s: schema enum %v, loader's %v", tc.name, got, tc.want)
		}
	}

	for _, tc := range []struct {
		name string
		got  any
		want float64
	}{
		{"accounts maximum", sc.at(t, prop(entry, "accounts")...)["maximum"], maxAccounts},
		{"dribble.chunks maximum", sc.at(t, prop(entry, "dribble", "chunks")...)["maximum"], maxDribbleChunks},
		{"webhooks.duplicate maximum", sc.at(t, prop(entry, "webhooks", "duplicate")...)["maximum"], maxDuplicate},
		{"retry_after maximum", sc.at(t, prop(entry, "retry_after")...)["oneOf"].([]any)[0].(map[string]any)["maximum"], float64(maxRetryAfter / time.Second)},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: schema %v, loader %v", tc.name, tc.got, tc.want)
		}
	}
	if got := sc.at(t, prop(entry, "fixture")...)["pattern"]; got != fixtureName.String() {
		t.Errorf("fixture pattern %v, loader %s", got, fixtureName)
	}
	want := "(" + strings.Join(slices.Collect(func(yield func(string) bool) {
		for _, p := range accountTypePrefixes {
			if !yield(strings.TrimSuffix(p, ".")) {
				return
			}
		}
	}), "|") + `)\.`
	if got := ps.at(t, "$defs", "account", "properties", "account_type")["pattern"].(string); !strings.Contains(got, want) {
		t.Errorf("account_type pattern %s does not hold the loader's prefixes %s", got, want)
	}
}

// compileSchema compiles one of the embedded schemas with an independent
// validator (santhosh-tekuri/jsonschema, a test-only dependency).
func compileSchema(t *testing.T, name string, b []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "https://moneykit-mock.invalid/_mock/schema/" + name
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return s
}

// validateYAML validates a YAML document against s, as the YAML language
// server does: the document's data, as JSON.
func validateYAML(s *jsonschema.Schema, data []byte) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("yaml: %w", err)
	}
	if v == nil {
		v = map[string]any{}
	}
	j, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("not JSON data: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// readmeSnippets are the README's yaml code blocks holding key, as whole
// files.
func readmeSnippets(t *testing.T, key string) [][]byte {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(b, -1) {
		if regexp.MustCompile(`(?m)^` + key + `:`).Match(m[1]) {
			out = append(out, m[1])
		}
	}
	if len(out) == 0 {
		t.Fatalf("README has no yaml block with %s:", key)
	}
	return out
}

// TestSchemaValidatesFiles: every embedded, example and good testdata file
// passes the schema, and the broken testdata files whose problems a schema
// can express fail it.
func TestSchemaValidatesFiles(t *testing.T) {
	scen := compileSchema(t, "scenarios.json", ScenarioSchema())
	pers := compileSchema(t, "personas.json", PersonaSchema())
	embedded, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	demo, err := os.ReadFile("../fixtures/personas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := map[string][]byte{"embedded:default.yaml": embedded}
	for _, f := range []string{"good.yaml", "override.yaml", "empty.yaml", "fixture_refs.yaml", "fixture_missing.yaml", "dir/a.yaml", "dir/b.yaml", "dupdir/a.yaml", "dupdir/b.yaml"} {
		good["testdata/"+f] = readFile(t, filepath.Join("testdata", f))
	}
	for i, b := range readmeSnippets(t, "links") {
		good[fmt.Sprintf("README links block %d", i+1)] = b
	}
	goodPersonas := map[string][]byte{"embedded:fixtures/personas.yaml": demo}
	for _, f := range []string{"personas_good.yaml", "personas_override.yaml", "personas_dup/a.yaml", "personas_dup/b.yaml"} {
		goodPersonas["testdata/"+f] = readFile(t, filepath.Join("testdata", f))
	}
	for i, b := range readmeSnippets(t, "personas") {
		goodPersonas[fmt.Sprintf("README personas block %d", i+1)] = b
	}
	for _, tc := range []struct {
		s     *jsonschema.Schema
		files map[string][]byte
	}{{scen, good}, {pers, goodPersonas}} {
		for name, b := range tc.files {
			if err := validateYAML(tc.s, b); err != nil {
				t.Errorf("%s: want valid, got %v", name, err)
			}
		}
	}

	// The broken files a schema can tell: unknown keys, wrong types, enums,
	// keys that need or exclude others, malformed durations. Each must fail
	// the schema itself, not the YAML decoding. Left out, because their
	// problems are beyond a schema: broken_syntax, broken_multidoc,
	// broken_anchor, broken_structure and broken_persona_structure (YAML
	// syntax, a second document, a missing anchor and duplicate keys: the
	// language server's YAML layer reports those), and broken_persona_accounts
	// (.inf and amounts that must agree with account types).
	for _, tc := range []struct {
		s    *jsonschema.Schema
		file string
	}{
		{scen, "broken_entry.yaml"}, {scen, "broken_types.yaml"}, {scen, "broken_link_state.yaml"},
		{scen, "broken_toplevel.yaml"}, {scen, "broken_shapes.yaml"}, {scen, "broken_durations.yaml"},
		{scen, "broken_links.yaml"},
		{pers, "broken_persona_toplevel.yaml"}, {pers, "broken_persona_link.yaml"}, {pers, "broken_persona_owners.yaml"},
	} {
		var ve *jsonschema.ValidationError
		if err := validateYAML(tc.s, readFile(t, filepath.Join("testdata", tc.file))); !errors.As(err, &ve) {
			t.Errorf("%s: want a schema validation error, got %v", tc.file, err)
		}
	}
	// And each cross-key rule on its own.
	for _, doc := range []string{
		"links: {a: {fault: reset, error: deleted}}",
		"links: {a: {fault: explode}}",
		"links: {a: {dribble: {chunks: 2}}}",
		"links: {a: {every: 2}}",
		"links: {a: {error: bad_state}}",
		"links: {a: {error: deleted, link_error_code: auth_expired}}",
		"links: {a: {error: deleted, retry_after: 30}}",
		"links: {a: {error: rate_limited, retry_after: 0}}",
		"links: {a: {link: {state: error}}}",
		"links: {a: {}}",
	} {
		var ve *jsonschema.ValidationError
		if err := validateYAML(scen, []byte(doc)); !errors.As(err, &ve) {
			t.Errorf("%s: want a schema validation error, got %v", doc, err)
		}
	}
	for _, doc := range []string{
		"links: {a: {error: rate_limited, retry_after: 30}}",
		"links: {a: {error: rate_limited, retry_after: 1m}}",
		"links: {a: {fault: malformed_chunk, every: 2, after: 1, times: 3}}",
		"links: {a: {dribble: {chunks: 5, over: 1s}, times: 1}}",
		"links:",
	} {
		if err := validateYAML(scen, []byte(doc)); err != nil {
			t.Errorf("%s: want valid, got %v", doc, err)
		}
		if _, err := Parse("doc.yaml", []byte(doc)); err != nil {
			t.Errorf("%s: the loader refuses what the schema accepts: %v", doc, err)
		}
	}
}

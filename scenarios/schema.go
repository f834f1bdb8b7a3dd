package scenarios

import (
	"embed"
)

// The JSON Schemas of scenario and fixtures files, for editors (the YAML
// language server completes keys and flags wrong values from them). They are
// written by hand, for their descriptions, and TestSchemaMatchesLoader keeps
// them in step with the loader: every key of the loader's key structs, and
// every enum list, must be in them and nothing else.
//
//go:embed schema/scenarios.schema.json schema/personas.schema.json
var schemas embed.FS

// ScenarioSchema returns the JSON Schema (draft 2020-12) of scenario files.
func ScenarioSchema() []byte { return mustSchema("schema/scenarios.schema.json") }

// PersonaSchema returns the JSON Schema (draft 2020-12) of fixtures files.
func PersonaSchema() []byte { return mustSchema("schema/personas.schema.json") }

func mustSchema(name string) []byte {
	b, err := schemas.ReadFile(name)
	if err != nil {
		panic("scenarios: embedded schema missing: " + name) // the embed directive names it
	}
	return b
}

package handlers

import (
	"net/http"

	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// schemaFiles are the JSON Schemas served under /_mock/schema/, by file name.
var schemaFiles = map[string]func() []byte{
	"scenarios.json": scenarios.ScenarioSchema,
	"personas.json":  scenarios.PersonaSchema,
}

// handleSchema handles "GET /_mock/schema/{file}": the JSON Schema of
// scenario files (scenarios.json) or fixtures files (personas.json), for the
// YAML language server of an editor. It is outside the admin guard, as the
// dashboard's files are: it holds no data of the mock, and an editor
// fetching a $schema URL sends no admin token.
func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	f, ok := schemaFiles[ri.vars["file"]]
	if !ok {
		return s.handleNotFound(w, r, ri)
	}
	b := f()
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
	return nil
}

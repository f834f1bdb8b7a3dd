package handlers_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// TestSchemaRoutes: the schemas are served at their stable paths, without
// the admin token (an editor sends none), and other names are 404.
func TestSchemaRoutes(t *testing.T) {
	h := newServer(t, func(d *handlers.Deps) { d.Config.AdminToken = "admin-secret" })
	for path, want := range map[string][]byte{
		"/_mock/schema/scenarios.json": scenarios.ScenarioSchema(),
		"/_mock/schema/personas.json":  scenarios.PersonaSchema(),
	} {
		rec := do(t, h, request{path: path})
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), want) || rec.Header().Get("Content-Type") != "application/schema+json" {
			t.Errorf("GET %s = %d %q, want 200 with the schema", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec := do(t, h, request{path: "/_mock/schema/other.json"}); rec.Code != http.StatusNotFound {
		t.Errorf("GET /_mock/schema/other.json = %d, want 404", rec.Code)
	}
}

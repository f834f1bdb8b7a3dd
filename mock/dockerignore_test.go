package mock_test

import (
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// TestDockerignore pins issue 13's .dockerignore: the build context leaves
// out .git and the load tools, and keeps everything the image's
// `go build .` reads (go.mod, go.sum, the sources and their embedded files).
func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, strings.TrimPrefix(line, "/"))
		}
	}
	for _, want := range []string{".git", "loadtest"} {
		if !slices.Contains(patterns, want) {
			t.Errorf(".dockerignore does not leave out %s", want)
		}
	}
	for _, keep := range []string{"go.mod", "go.sum", "main.go", "logbuf.go", "scenarios/default.yaml",
		"scenarios/schema/scenarios.schema.json", "fixtures/personas.yaml", "ui/assets/app.js", "mock/mock.go"} {
		for _, p := range patterns {
			if ok, _ := path.Match(p, keep); ok || strings.HasPrefix(keep, p+"/") {
				t.Errorf(".dockerignore's %q leaves out %s, which the build needs", p, keep)
			}
		}
	}
}

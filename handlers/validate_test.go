package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/apicheck"
)

// TestIdentityIsValid runs the reference-derived validator over the answers
// for 1,000 generated link IDs (and two seeds), through the real router.
func TestIdentityIsValid(t *testing.T) {
	for _, seed := range []uint64{1, 99} {
		h := newServer(t, func(c *handlers.Deps) { c.Config.Seed = seed })
		failures := 0
		for i := range 1000 {
			id := fmt.Sprintf("mk_valid_%d", i)
			if i%10 == 0 {
				id = fmt.Sprintf("mk_%022d", i) // the real ID shape
			}
			rec := get(t, h, "/links/"+id+"/identity")
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d", id, rec.Code)
			}
			if problems := apicheck.Identity(rec.Body.Bytes(), id); len(problems) > 0 {
				failures++
				if failures <= 5 {
					t.Errorf("seed %d, %s:\n  %s", seed, id, strings.Join(problems, "\n  "))
				}
			}
		}
		if failures > 0 {
			t.Errorf("seed %d: %d of 1000 answers are invalid", seed, failures)
		}
	}
}

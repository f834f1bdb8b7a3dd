package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// TestBytesCorpus pins the exact bytes of identity and link answers, by
// SHA-256, for 200 generated link IDs, every exact pattern of the embedded
// catalogue (magic IDs and personas) and one ID of every glob, each asked
// three times (counted scenarios change answers from call to call), and for
// a refresh followed by the answers during and after it. It is the guard of
// "a restructure keeps every byte": testdata/corpus.sha256 changes only when
// generated data is meant to change, and such a change is reviewed through
// the readable identity_*.json goldens beside it.
func TestBytesCorpus(t *testing.T) {
	clock := state.NewPinnedClock(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))
	h := newServer(t, func(c *handlers.Deps) {
		c.Clock = clock
		c.Config.Sleep = func(context.Context, time.Duration) error { return nil }
	})
	var ids []string
	for i := range 200 {
		ids = append(ids, fmt.Sprintf("mk_corpus_%03d", i))
	}
	for _, e := range scenarios.Default().Entries() {
		if e.IsGlob() {
			ids = append(ids, strings.NewReplacer("*", "x", "?", "q").Replace(e.Pattern))
		} else {
			ids = append(ids, e.Pattern)
		}
	}
	var out bytes.Buffer
	line := func(what string, rec interface {
		Result() *http.Response
	}, body []byte) {
		fmt.Fprintf(&out, "%s %d %x\n", what, rec.Result().StatusCode, sha256.Sum256(body))
	}
	for _, id := range ids {
		for call := 1; call <= 3; call++ {
			for _, suffix := range []string{"/identity", ""} {
				rec := get(t, h, "/links/"+id+suffix)
				line(fmt.Sprintf("GET /links/%s%s #%d", id, suffix, call), rec, rec.Body.Bytes())
			}
		}
	}
	// A refresh: the 202 answer, the answers while it runs, and after it ends.
	for _, id := range []string{"mk_corpus_000", "mk_corpus_001", "mk_identity_error", "mk_household"} {
		rec := do(t, h, request{method: http.MethodPost, path: "/links/" + id + "/products",
			header: map[string]string{"Authorization": "Bearer " + staticToken, "Content-Type": "application/json"},
			body:   `{"products":["identity","accounts"]}`})
		line("POST /links/"+id+"/products", rec, rec.Body.Bytes())
		rec = get(t, h, "/links/"+id+"/identity")
		line("GET /links/"+id+"/identity during refresh", rec, rec.Body.Bytes())
	}
	clock.Advance(time.Minute)
	for _, id := range []string{"mk_corpus_000", "mk_corpus_001", "mk_identity_error", "mk_household"} {
		rec := get(t, h, "/links/"+id+"/identity")
		line("GET /links/"+id+"/identity after refresh", rec, rec.Body.Bytes())
	}

	path := filepath.Join("testdata", "corpus.sha256")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./handlers -update to create it)", err)
	}
	got := bufio.NewScanner(&out)
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	n, diffs := 0, 0
	for got.Scan() {
		if n >= len(wantLines) || got.Text() != wantLines[n] {
			if diffs++; diffs <= 10 {
				t.Errorf("line %d:\n got %s\nwant %s", n+1, got.Text(), wantLines[min(n, len(wantLines)-1)])
			}
		}
		n++
	}
	if n != len(wantLines) {
		t.Errorf("%d lines, want %d", n, len(wantLines))
	}
	if diffs > 0 {
		t.Errorf("%d of %d answers differ from %s", diffs, n, path)
	}
}

// Command bodies writes, for the load test's link IDs, the exact identity
// bodies the mock serves, one "PATH<TAB>BODY" line each, so that the baseline
// server can write the very same bytes per link (baseline -bodies FILE). It
// builds the mock in-process (package mock) with the server's defaults.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/moneykit-mock/moneykit-mock/mock"
)

func main() {
	ids := flag.Int("ids", 10000, "how many link IDs: mk_load_00000 ...")
	seed := flag.Uint64("seed", 1, "the mock's --seed")
	out := flag.String("o", "", "output file (default standard output)")
	flag.Parse()

	m, err := mock.New(mock.Options{Seed: *seed})
	if err != nil {
		log.Fatalf("bodies: %v", err)
	}
	w := bufio.NewWriter(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatalf("bodies: %v", err)
		}
		defer f.Close()
		w = bufio.NewWriter(f)
	}
	// mk_demo too: it is the path the load test waits on for readiness.
	paths := []string{"/links/mk_demo/identity"}
	for i := range *ids {
		paths = append(paths, fmt.Sprintf("/links/mk_load_%05d/identity", i))
	}
	for _, path := range paths {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+mock.StaticToken)
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			log.Fatalf("bodies: %s: status %d", path, rec.Code)
		}
		fmt.Fprintf(w, "%s\t%s\n", path, rec.Body.Bytes())
	}
	if err := w.Flush(); err != nil {
		log.Fatalf("bodies: %v", err)
	}
}

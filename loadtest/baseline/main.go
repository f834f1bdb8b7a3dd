// Command baseline is the reference server for the load test: a bare
// net/http server that answers every request with one precomputed JSON body,
// or, with -bodies, with the precomputed body of the request's path (the very
// bytes the mock sends for that link). It is the "bare Go net/http server
// that writes a precomputed body" that the mock's throughput target is
// measured against. Stdlib only, nothing else.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	bodyFile := flag.String("body", "", "file whose contents are the response body (overrides -size)")
	size := flag.Int("size", 2500, "approximate size in bytes of the generated JSON body when -body is not given")
	bodiesFile := flag.String("bodies", "", `file of "PATH<TAB>BODY" lines: answer each path with its own body (see loadtest/bodies)`)
	flag.Parse()

	if *bodiesFile != "" {
		serve(*addr, perPath(*bodiesFile))
		return
	}

	var body []byte
	if *bodyFile != "" {
		b, err := os.ReadFile(*bodyFile)
		if err != nil {
			log.Fatalf("baseline: read body: %v", err)
		}
		body = b
	} else {
		body = generateBody(*size)
	}
	contentLength := strconv.Itoa(len(body))

	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", contentLength)
		_, _ = w.Write(body)
	})

	log.Printf("baseline: body %d bytes", len(body))
	serve(*addr, handler)
}

func serve(addr string, handler http.Handler) {
	srv := &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("baseline: listening on %s", addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Fatalf("baseline: %v", err)
	}
}

// perPath answers each path with its own precomputed body, read from a file
// of "PATH<TAB>BODY" lines, and 404 for any other path.
func perPath(file string) http.Handler {
	data, err := os.ReadFile(file)
	if err != nil {
		log.Fatalf("baseline: read bodies: %v", err)
	}
	type answer struct {
		body          []byte
		contentLength string
	}
	answers := map[string]answer{}
	total := 0
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		path, body, ok := strings.Cut(line, "\t")
		if !ok {
			log.Fatalf("baseline: %s: a line without a tab", file)
		}
		answers[path] = answer{[]byte(body), strconv.Itoa(len(body))}
		total += len(body)
	}
	log.Printf("baseline: %d bodies, %d bytes on average", len(answers), total/max(len(answers), 1))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", a.contentLength)
		_, _ = w.Write(a.body)
	})
}

// generateBody builds a deterministic JSON document of roughly size bytes,
// shaped loosely like an identity response.
func generateBody(size int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"link":{"link_id":"mk_baseline","institution_id":"chase","state":"connected"},"accounts":[`)
	for i := 0; sb.Len() < size-40; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"account_id":"acc_%04d","name":"Checking %d","owners":[{"name":"Jane Doe","emails":[{"address":"jane%d@example.com","primary":true}]}]}`, i, i, i)
	}
	sb.WriteString(`],"last_synced_at":"2023-02-18T00:00:00Z"}`)
	return []byte(sb.String())
}

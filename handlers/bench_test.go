package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/reqlog"
)

// benchIDs are the 10,000 distinct link IDs the throughput target names.
var benchIDs = func() []string {
	ids := make([]string, 10_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("/links/mk_load_%05d/identity", i)
	}
	return ids
}()

// discard is a ResponseWriter that keeps nothing, so the benchmark measures
// the handler and not a recorder's buffer.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// benchServe serves paths in turn, each with the static token and the
// version header, and with extra, given as name, value, name, value.
func benchServe(b *testing.B, h http.Handler, paths []string, extra ...string) {
	reqs := make([]*http.Request, len(paths))
	for i, p := range paths {
		reqs[i] = httptest.NewRequest("GET", p, nil)
		reqs[i].Header.Set("Authorization", "Bearer "+staticToken)
		reqs[i].Header.Set("MoneyKit-Version", "2023-02-18")
		for k := 0; k+1 < len(extra); k += 2 {
			reqs[i].Header.Set(extra[k], extra[k+1])
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		h.ServeHTTP(&discard{h: http.Header{}}, reqs[i%len(reqs)])
		i++
	}
}

// BenchmarkIdentity is the hot path: 10,000 distinct links, all cached.
func BenchmarkIdentity(b *testing.B) {
	h := newServer(b, nil)
	for _, p := range benchIDs {
		get(b, h, p)
	}
	benchServe(b, h, benchIDs)
}

// BenchmarkIdentityCold generates every answer (a cache too small to keep any).
func BenchmarkIdentityCold(b *testing.B) {
	h := newServer(b, nil)
	paths := make([]string, 200_000)
	for i := range paths {
		paths[i] = fmt.Sprintf("/links/mk_cold_%d/identity", i)
	}
	benchServe(b, h, paths)
}

// BenchmarkBareHandler is the floor: a handler that writes a precomputed body.
func BenchmarkBareHandler(b *testing.B) {
	body := get(b, newServer(b, nil), benchIDs[0]).Body.Bytes()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	benchServe(b, h, benchIDs)
}

// BenchmarkIdentitySlowReceiver is BenchmarkIdentity while a receiver that
// takes 2 s per delivery is sent a stream of webhooks (the queue fills and
// the rest are recorded as dropped): the API path must not slow down.
func BenchmarkIdentitySlowReceiver(b *testing.B) {
	stall := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-stall:
		}
	}))
	defer slow.Close()
	defer close(stall)
	h := newServer(b, nil)
	defer h.(*handlers.Server).Close(context.Background())
	do(b, h, request{method: "PATCH", path: "/links/mk_hooked", body: `{"webhook":"` + slow.URL + `"}`,
		header: map[string]string{"Authorization": "Bearer " + staticToken}})
	for _, p := range benchIDs {
		get(b, h, p)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			do(b, h, request{method: "POST", path: "/webhooks/test/link/mk_hooked", body: `{"webhook_event":"link.state_changed","webhook_idempotency_key":"k"}`,
				header: map[string]string{"Authorization": "Bearer " + staticToken}})
			time.Sleep(100 * time.Microsecond)
		}
	}()
	benchServe(b, h, benchIDs)
}

// BenchmarkIdentityLogged is BenchmarkIdentity with the request log on, as
// the command runs it (text, info, through reqlog's handler), written to
// io.Discard.
func BenchmarkIdentityLogged(b *testing.B) {
	benchLogged(b, reqlog.NewText(io.Discard, nil))
}

// BenchmarkIdentityLoggedJSON is BenchmarkIdentityLogged with --log-format json.
func BenchmarkIdentityLoggedJSON(b *testing.B) {
	benchLogged(b, reqlog.NewJSON(io.Discard, nil))
}

// BenchmarkIdentityLoggedSlog is BenchmarkIdentityLogged through slog's own
// TextHandler, as a library user's logger is: the request line without
// reqlog's fast path.
func BenchmarkIdentityLoggedSlog(b *testing.B) {
	benchLogged(b, slog.NewTextHandler(io.Discard, nil))
}

func benchLogged(b *testing.B, lh slog.Handler) {
	h := newServer(b, func(d *handlers.Deps) { d.Config.Logger = slog.New(lh) })
	for _, p := range benchIDs {
		get(b, h, p)
	}
	benchServe(b, h, benchIDs)
}

// BenchmarkIdentityGzip is the hot path for a client that accepts gzip:
// every body's gzip form made once, then served from the cache. A link's
// gzip form takes cache room next to its plain body (about 40% more), so
// 10,000 links with both need more than the default 32 MiB of cache.
func BenchmarkIdentityGzip(b *testing.B) {
	h := newServer(b, func(d *handlers.Deps) { d.Config.MemoryMB = 128 })
	for _, p := range benchIDs {
		do(b, h, request{path: p, header: map[string]string{"Authorization": "Bearer " + staticToken, "Accept-Encoding": "gzip"}})
	}
	benchServe(b, h, benchIDs, "Accept-Encoding", "gzip")
}

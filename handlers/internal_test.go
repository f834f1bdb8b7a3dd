package handlers

import (
	"bytes"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorilla/mux"
	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// TestInternalErrorsStayInTheLog checks that a Go error or a panic reaches the
// client only as a generic 500 in MoneyKit's envelope, and the log gets the cause.
func TestInternalErrorsStayInTheLog(t *testing.T) {
	var logs strings.Builder
	s := New(Deps{Config: config.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}})
	s.router.Handle("/boom", s.handle(func(http.ResponseWriter, *http.Request, *reqInfo) error {
		return errors.New("open /secret/path: permission denied")
	}))
	s.router.Handle("/panic", s.handle(func(http.ResponseWriter, *http.Request, *reqInfo) error {
		panic("nil map in /secret/code.go")
	}))
	const want = `{"error_code":"api_error.internal_server_error","error_message":"Internal server error","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	for _, path := range []string{"/boom", "/panic"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 500 || rec.Body.String() != want {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	for _, cause := range []string{"permission denied", "nil map"} {
		if !strings.Contains(logs.String(), cause) {
			t.Errorf("the log lacks %q:\n%s", cause, logs.String())
		}
	}
}

// TestCacheIsBounded fills a small cache with many more entries than it
// holds: the index stays within what the ring can hold, the newest entry
// is there, and every entry found is the one that was put.
func TestCacheIsBounded(t *testing.T) {
	c := newCache(cacheShards * 64 << 10)
	key := func(i int) string { return "mk_" + strconv.Itoa(i) }
	body := func(i int) []byte {
		return []byte(`{"accounts":[],"link":{"id":"` + key(i) + `"` + strings.Repeat(" ", 1000) + `}}`)
	}
	for i := range 100_000 {
		b := body(i)
		c.putBodies(key(i), 0, b, len(`{"accounts":[],"link":`), nil)
		if i%2 == 0 {
			c.putGzip(key(i), 0, identityPart, gzipBytes(b))
		}
	}
	n := c.len()
	if n == 0 || n > cacheShards*64 {
		t.Errorf("cache holds %d bodies", n)
	}
	found := 0
	for i := range 100_000 {
		got, ok := c.appendBody(nil, key(i), 0, identityPart, false)
		if !ok {
			continue
		}
		found++
		if !bytes.Equal(got, body(i)) {
			t.Fatalf("%s: got %.60s…", key(i), got)
		}
	}
	if found != n {
		t.Errorf("found %d bodies, len says %d", found, n)
	}
	if _, ok := c.appendBody(nil, key(99_999), 0, identityPart, false); !ok {
		t.Errorf("the newest entry was evicted")
	}
}

// TestCacheRing checks the rings against a model under random puts and
// reads of random sizes, over many wraps: whatever the cache finds is
// exactly what was last put under that key, entries in use stay while
// others are evicted, and entries too big are refused.
func TestCacheRing(t *testing.T) {
	c := newCache(cacheShards * 16 << 10)
	r := rand.New(rand.NewPCG(1, 2))
	model := map[string][]byte{}
	hot := []string{"hot_a", "hot_b"}
	for i := range 200_000 {
		k := "mk_" + strconv.Itoa(r.IntN(2000))
		switch r.IntN(4) {
		case 0, 1:
			n := r.IntN(1500)
			if r.IntN(100) == 0 {
				n = 8 << 10 // over a quarter of a shard: not cached
			}
			b := make([]byte, n+2)
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			b[0], b[len(b)-1] = '{', '}'
			c.putBodies(k, 7, b, 0, nil)
			model[k] = b
		default:
			got, ok := c.appendBody(nil, k, 7, identityPart, false)
			if ok && !bytes.Equal(got, model[k]) {
				t.Fatalf("step %d: %s holds %d bytes that are not the %d put", i, k, len(got), len(model[k]))
			}
			if ok && len(model[k]) > 4<<10 {
				t.Fatalf("step %d: %s: a body over a quarter of the shard was cached", i, k)
			}
		}
		for _, h := range hot {
			if i == 0 {
				c.putBodies(h, 7, []byte(`{"`+h+`"}`), 0, nil)
			}
			if _, ok := c.appendBody(nil, h, 7, identityPart, false); !ok {
				t.Fatalf("step %d: %s, read at every step, was evicted", i, h)
			}
		}
	}
	for i := range c.shards {
		s := &c.shards[i]
		if s.used > uint32(len(s.buf)) {
			t.Errorf("shard %d: %d bytes used of %d", i, s.used, len(s.buf))
		}
	}
}

// TestCompactBodies checks that compact bodies give back the exact bytes of
// both parts, and that they are compact: gaps are named by index, repeated
// values, a household's repeated owners and the shared avatar are copies.
func TestCompactBodies(t *testing.T) {
	c := newCache(64 << 20)
	var raw, kept int
	k := new(compactor)
	for i := range 2000 {
		link := "mk_compact_" + strconv.Itoa(i)
		id := fixtures.Generate(1, link, fixtures.Options{})
		var sp fixtures.Spans
		body, linkAt := id.AppendJSONSpans(nil, &sp)
		c.putBodies(link, 0, body, linkAt, &sp)
		if got, _ := c.appendBody(nil, link, 0, identityPart, false); !bytes.Equal(got, body) {
			t.Fatalf("link %d: identity part differs\n got: %s\nwant: %s", i, got, body)
		}
		if got, want := mustAppend(t, c, link, linkPart), body[linkAt:len(body)-1]; !bytes.Equal(got, want) {
			t.Fatalf("link %d: link part differs\n got: %s\nwant: %s", i, got, want)
		}
		ops, _, _, _ := k.compact(body, linkAt, &sp, &c.gaps, c.avatars.intern)
		raw += len(body)
		kept += pHeader + len(ops)
	}
	if kept*100 > raw*40 {
		t.Errorf("compact bodies keep %d of %d bytes: not compact", kept, raw)
	}
	t.Logf("compact bodies keep %d of %d bytes (%.0f%%), %d gaps", kept, raw, float64(kept)*100/float64(raw), c.gaps.load().n)
	// Without spans, and for bytes that are not JSON, the bodies round-trip.
	for _, b := range []string{
		`{"accounts":[],"link":{}}`, `{}`, `x`, `{"a":"b\"c\\","d":"e`, `{"k":"` + strings.Repeat("v", 300) + `"}`,
		`{"a":"0123456789","b":"0123456789","c":-12.5e3,"d":[1,2,"0123456789"]}`,
	} {
		linkAt := max(strings.Index(b, `"link":`)+len(`"link":`), 0)
		if linkAt == len(`"link":`)-1 {
			linkAt = 0
		}
		c.putBodies("x", 0, []byte(b), linkAt, nil)
		if got := string(mustAppend(t, c, "x", identityPart)); got != b {
			t.Errorf("identity part %q, want %q", got, b)
		}
		if want := b[linkAt:max(len(b)-1, linkAt)]; string(mustAppend(t, c, "x", linkPart)) != want {
			t.Errorf("link part of %q: %q, want %q", b, mustAppend(t, c, "x", linkPart), want)
		}
	}
}

// TestTenThousandLinksFitTheDefaultCache pins what the README promises: the
// bodies of 10,000 links, plain and gzip, fit the cache of --memory-mb 48
// (24 MiB; the default's is 32), so a suite of that size is answered from
// the cache.
func TestTenThousandLinksFitTheDefaultCache(t *testing.T) {
	c := newCache(config.Config{MemoryMB: 48}.WithDefaults().CacheBytes())
	sp := new(fixtures.Spans)
	link := func(i int) string { return "mk_load_" + strconv.Itoa(i) }
	for i := range 10_000 {
		raw, linkAt := fixtures.Generate(1, link(i), fixtures.Options{}).AppendJSONSpans(nil, sp)
		c.putBodies(link(i), 0, raw, linkAt, sp)
		c.putGzip(link(i), 0, identityPart, gzipBytes(raw))
	}
	for i := range 10_000 {
		for _, gz := range []bool{false, true} {
			if _, ok := c.appendBody(nil, link(i), 0, identityPart, gz); !ok {
				t.Fatalf("%s (gzip %v) was evicted: 10,000 links do not fit", link(i), gz)
			}
		}
	}
}

// TestGapTableStaysSmall: links of every shaping (states, link and product
// errors, account counts, webhooks, newer enums) name few gaps, far fewer
// than the table holds, and a body whose marks are not an encoder's adds
// none (it would fill the table for every other body).
func TestGapTableStaysSmall(t *testing.T) {
	c := newCache(64 << 20)
	products := []string{"accounts", "account_numbers", "identity", "transactions", "investments", "enrichment"}
	states := []string{"", "connected", "error", "disconnected", "pending"}
	for i := range 3000 {
		link := "mk_gaps_" + strconv.Itoa(i)
		accounts := i % (fixtures.MaxAccounts + 1)
		ls := &fixtures.LinkShape{State: states[i%len(states)], Products: map[string]fixtures.ProductShape{}}
		if i%3 == 0 {
			ls.ErrorCode = "auth_expired"
		}
		for j, name := range products {
			switch (i >> j) % 4 {
			case 1:
				ls.Products[name] = fixtures.ProductShape{ErrorCode: "unknown"}
			case 2:
				ls.Products[name] = fixtures.ProductShape{Unavailable: "not supported", ErrorMessage: "no"}
			case 3:
				ls.Products[name] = fixtures.ProductShape{ErrorMessage: "no"}
			}
		}
		o := fixtures.Options{Accounts: &accounts, Link: ls, NewerEnums: i%2 == 0}
		if i%5 == 0 {
			o.Webhook = "https://example.com/hook"
		}
		var sp fixtures.Spans
		body, linkAt := fixtures.Generate(uint64(i%7), link, o).AppendJSONSpans(nil, &sp)
		c.putBodies(link, 0, body, linkAt, &sp)
		if got := mustAppend(t, c, link, identityPart); !bytes.Equal(got, body) {
			t.Fatalf("%s: differs", link)
		}
	}
	n := c.gaps.load().n
	if n > maxGaps/2 {
		t.Errorf("%d gaps of %d: the table fills", n, maxGaps)
	}
	t.Logf("%d gaps", n)
	var sp fixtures.Spans
	body, linkAt := fixtures.Generate(1, "mk_bad_marks", fixtures.Options{}).AppendJSONSpans(nil, &sp)
	sp.Values = append([]int32{0, 1 << 30}, sp.Values...)
	c.putBodies("mk_bad_marks", 0, body, linkAt, &sp)
	if got := mustAppend(t, c, "mk_bad_marks", identityPart); !bytes.Equal(got, body) {
		t.Fatalf("a body with bad marks differs")
	}
	if m := c.gaps.load().n; m != n {
		t.Errorf("a body with bad marks added %d gaps", m-n)
	}
}

// TestCompactConcurrent has goroutines put bodies of different shapings
// into a new cache at once, so that they add gaps to one table together
// (one body's new gaps may take the indexes another gave its own, and that
// body is compacted again): every body reads back exact.
func TestCompactConcurrent(t *testing.T) {
	for range 20 {
		c := newCache(16 << 20)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				zero, eight := 0, 8
				shapes := []fixtures.Options{{}, {Accounts: &zero}, {Accounts: &eight}, {NewerEnums: true},
					{Link: &fixtures.LinkShape{State: "error", ErrorCode: "auth_expired"}}}
				for i := range 10 {
					link := "mk_conc_" + strconv.Itoa(g) + "_" + strconv.Itoa(i)
					sp := new(fixtures.Spans)
					body, linkAt := fixtures.Generate(uint64(g+1), link, shapes[(g+i)%len(shapes)]).AppendJSONSpans(nil, sp)
					c.putBodies(link, 0, body, linkAt, sp)
					got, ok := c.appendBody(nil, link, 0, identityPart, false)
					if !ok || !bytes.Equal(got, body) {
						t.Errorf("%s: differs (cached %v)", link, ok)
						return
					}
				}
			}()
		}
		close(start)
		wg.Wait()
	}
}

func mustAppend(t *testing.T, c *cache, link string, p part) []byte {
	t.Helper()
	b, ok := c.appendBody(nil, link, 0, p, false)
	if !ok {
		t.Fatalf("%s is not cached", link)
	}
	return b
}

// TestHotRouteIsTheRouters checks that hotRoute answers exactly the requests
// the router gives to the identity and link routes, with the same {id}, and
// leaves every other request to the router.
func TestHotRouteIsTheRouters(t *testing.T) {
	s := New(Deps{})
	paths := []string{
		"/links/mk_a/identity", "/links/mk_a", "/links/mk_a/", "/links/mk_a/identity/",
		"/links//identity", "/links/", "/links", "/links/mk%2Fa/identity", "/links/mk%2Fa",
		"/links/mk%20a/identity", "/links/mk a", "/links/a/b/identity", "/links/mk_a/accounts",
		"/links/mk_a/identityx", "/links/mk_a/Identity", "/links/mk_a//identity", "//links/mk_a",
		"/links/%zz/identity", "/links/mk_a/products", "/links/mk_a/accounts/numbers",
		"/links/mk_a/transactions", "/_mock/links", "/link-session", "/", "/links/..%2F/identity",
		"/links/mk_a/identity?account_ids=x", "/links/" + strings.Repeat("x", 300),
	}
	methods := []string{"GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"}
	hot := 0
	for _, p := range paths {
		for _, m := range methods {
			u, err := url.ParseRequestURI(strings.ReplaceAll(p, " ", "%20"))
			if err != nil {
				continue // net/http refuses it before any handler
			}
			r := httptest.NewRequest(m, "/", nil)
			r.URL = u
			ri := &reqInfo{get: m == "GET" || m == "HEAD"}
			_, name, id := s.hotRoute(ri, r)
			var match mux.RouteMatch
			s.router.Match(asGet(r), &match)
			rt, _ := match.Handler.(route)
			if name != rt.hot || (name != hotNone && id != match.Vars["id"]) {
				t.Errorf("%s %s: hotRoute says route %d id %q, the router route %d id %q", m, p, name, id, rt.hot, match.Vars["id"])
			}
			if name != hotNone {
				hot++
			}
		}
	}
	if hot < 10 {
		t.Errorf("only %d requests took the hot routes: the table misses them", hot)
	}
}

// TestCacheConcurrent has goroutines put and read self-describing bodies in
// a cache far too small for them, so that entries are evicted and moved
// while others read: every body found is whole and the one of its key.
func TestCacheConcurrent(t *testing.T) {
	c := newCache(cacheShards * 32 << 10)
	body := func(k, v int) []byte {
		return []byte(`{"k":` + strconv.Itoa(k) + `,"v":` + strconv.Itoa(v) + `,"pad":"` + strings.Repeat(strconv.Itoa(k%10), 200+k%700) + `"}`)
	}
	var wg sync.WaitGroup
	var bad atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range 20_000 {
				k := r.IntN(2000) // about 1.2 MB of bodies for 512 KiB of cache
				link := "mk_" + strconv.Itoa(k)
				if r.IntN(3) == 0 {
					c.putBodies(link, 0, body(k, 1), 0, nil)
					continue
				}
				got, ok := c.appendBody(nil, link, 0, identityPart, false)
				if ok && !bytes.Equal(got, body(k, 1)) {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d reads found a body that is not their key's", n)
	}
}

// TestCacheForgetsWhatWasReplaced: a body that was read, then replaced by
// one too big to cache, must not come back when its old bytes reach the
// tail of the ring (they are at offset 0, where a missing index entry reads
// as 0 too).
func TestCacheForgetsWhatWasReplaced(t *testing.T) {
	c := newCache(cacheShards * 4 << 10) // shards of 4 KiB: entries up to 1 KiB
	shardOf := func(link string) *cacheShard { return c.shard(c.key(link, 0, kindBodies)) }
	x := "mk_x"
	var same []string // other links in x's shard
	for i := 0; len(same) < 40; i++ {
		if l := "mk_" + strconv.Itoa(i); shardOf(l) == shardOf(x) {
			same = append(same, l)
		}
	}
	c.putBodies(x, 0, []byte(`{"old"}`), 0, nil)
	if off := shardOf(x).index[c.key(x, 0, kindBodies)]; off != 0 {
		t.Fatalf("x is at %d, not 0", off)
	}
	mustAppend(t, c, x, identityPart) // read: marked for a second chance
	c.putBodies(x, 0, bytes.Repeat([]byte("y"), 2<<10), 0, nil)
	for i, l := range same {
		c.putBodies(l, 0, bytes.Repeat([]byte("z"), 300), 0, nil)
		if got, ok := c.appendBody(nil, x, 0, identityPart, false); ok {
			t.Fatalf("after %d puts, x came back as %q", i+1, got)
		}
	}
}

// FuzzCache drives a tiny cache with the operations the input spells (puts
// of any size, oversize ones included, gzip forms, reads) against a model:
// whatever the cache finds must be exactly what was last put under the key.
func FuzzCache(f *testing.F) {
	f.Add([]byte{0, 1, 10, 2, 1, 0, 3, 1, 200, 2, 1, 0})
	f.Add(bytes.Repeat([]byte{0, 3, 250, 2, 3, 0, 1, 3, 9}, 30))
	f.Fuzz(func(t *testing.T, ops []byte) {
		c := newCache(cacheShards * 4 << 10) // entries up to 1 KiB
		model := map[[2]string][]byte{}
		for i := 0; i+2 < len(ops); i += 3 {
			op, k, n := ops[i]%4, "mk_"+strconv.Itoa(int(ops[i+1]%8)), int(ops[i+2])*6
			switch op {
			case 0, 1: // a body of n+2 bytes (over 1 KiB from n 171 on: not cached)
				b := append(append([]byte{'{'}, bytes.Repeat([]byte{byte('a' + i%26)}, n)...), '}')
				c.putBodies(k, 0, b, 0, nil)
				model[[2]string{k, "plain"}] = b // the gzip form is an entry of its own
			case 2:
				z := bytes.Repeat([]byte{byte(i)}, n)
				c.putGzip(k, 0, identityPart, z)
				model[[2]string{k, "gzip"}] = z
			case 3:
				for _, gz := range []bool{false, true} {
					form := map[bool]string{false: "plain", true: "gzip"}[gz]
					got, ok := c.appendBody(nil, k, 0, identityPart, gz)
					if want, had := model[[2]string{k, form}]; ok && (!had || !bytes.Equal(got, want)) {
						t.Fatalf("op %d: %s %s holds %d bytes, not the %d last put", i/3, k, form, len(got), len(want))
					}
				}
			}
		}
	})
}

// TestGzipIsMadeOnce: the first request that accepts gzip leaves the gzip
// form in the cache, and later ones are sent those very bytes, for both
// parts (identity and the link object), so a body is compressed once and
// not per request.
func TestGzipIsMadeOnce(t *testing.T) {
	s := New(Deps{Config: config.Config{Seed: 1, StaticToken: "sandbox-token"}})
	for _, tc := range []struct {
		path string
		p    part
	}{{"/links/mk_once/identity", identityPart}, {"/links/mk_once", linkPart}} {
		send := func() []byte {
			r := httptest.NewRequest("GET", tc.path, nil)
			r.Header.Set("Authorization", "Bearer sandbox-token")
			r.Header.Set("Accept-Encoding", "gzip")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: %d %q", tc.path, w.Code, w.Header().Get("Content-Encoding"))
			}
			return w.Body.Bytes()
		}
		first := send()
		kept, ok := s.cache.appendBody(nil, "mk_once", 0, tc.p, true)
		if !ok || !bytes.Equal(kept, first) {
			t.Fatalf("%s: the gzip form sent is not the one cached (cached: %v)", tc.path, ok)
		}
		// Were it compressed again, the bytes would still be equal; put a
		// marker in its place to see that the cached form is what is sent.
		marker := append([]byte("cached:"), first...)
		s.cache.putGzip("mk_once", 0, tc.p, marker)
		if got := send(); !bytes.Equal(got, marker) {
			t.Errorf("%s: the second answer was compressed again, not taken from the cache", tc.path)
		}
	}
}

// FuzzCompact compacts any bytes under any marks (values, owners arrays,
// the avatar and the link's start, in order or not, in the body or not)
// and checks that both parts come back byte for byte, so that nothing a
// wrong mark says can change an answer.
func FuzzCompact(f *testing.F) {
	id := fixtures.Generate(1, "mk_fuzz", fixtures.Options{})
	var sp fixtures.Spans
	body, linkAt := id.AppendJSONSpans(nil, &sp)
	marks := func(sp *fixtures.Spans) []byte {
		var b []byte
		for _, v := range sp.Values {
			b = append(b, byte(v>>8), byte(v))
		}
		return b
	}
	var owners []byte
	for _, o := range sp.Owners {
		owners = append(owners, byte(o[0]>>8), byte(o[0]), byte(o[1]>>8), byte(o[1]))
	}
	f.Add(body, marks(&sp), owners, uint16(linkAt), uint16(sp.Avatar[0]), uint16(sp.Avatar[1]))
	f.Add([]byte(`{"a":"0123456789abcdef","b":"0123456789abcdef","link":{}}`), []byte{0, 5, 0, 23}, []byte{0, 0, 0, 30}, uint16(47), uint16(5), uint16(23))
	// Owners arrays that overlap, over bytes that repeat: not a copy.
	f.Add([]byte("abcdeabcdeabcde0123456789ABCDEFGHIJ"), []byte{}, []byte{0, 0, 0, 10, 0, 5, 0, 15}, uint16(30), uint16(0), uint16(0))
	// Two caches, so that a compactor's guesses from one cache's table meet
	// the other's (compactors are pooled for all caches).
	caches := [2]*cache{newCache(cacheShards * 64 << 10), newCache(cacheShards * 64 << 10)}
	f.Fuzz(func(t *testing.T, raw, vals, owners []byte, linkAt, a0, a1 uint16) {
		c := caches[len(raw)%2]
		u16 := func(b []byte) int { return int(b[0])<<8 | int(b[1]) }
		sp := &fixtures.Spans{Avatar: [2]int{int(a0), int(a1)}}
		for i := 0; i+1 < len(vals); i += 2 {
			sp.Values = append(sp.Values, int32(u16(vals[i:])))
		}
		for i := 0; i+3 < len(owners); i += 4 {
			sp.Owners = append(sp.Owners, [2]int{u16(owners[i:]), u16(owners[i+2:])})
		}
		c.putBodies("mk_f", 0, raw, int(linkAt), sp)
		at := min(int(linkAt), max(len(raw)-1, 0))
		for p, want := range map[part][]byte{identityPart: raw, linkPart: raw[at:max(len(raw)-1, at)]} {
			// Appended after bytes already there, as the handlers do.
			dst := append(make([]byte, 0, 2*len(raw)+64), "before"...)
			got, ok := c.appendBody(dst, "mk_f", 0, p, false)
			if !ok {
				return // too big for the cache
			}
			if string(got[:6]) != "before" || !bytes.Equal(got[6:], want) {
				t.Fatalf("part %d\n got: %q\nwant: before%q", p, got, want)
			}
		}
	})
}

// BenchmarkCompact is the cache's work on a new body: compacting it.
func BenchmarkCompact(b *testing.B) {
	c, bodies := newCache(64<<20), benchBodies(100)
	k := new(compactor)
	for i := 0; b.Loop(); i++ {
		bd := &bodies[i%len(bodies)]
		k.compact(bd.raw, bd.linkAt, &bd.sp, &c.gaps, c.avatars.intern)
	}
}

// BenchmarkCacheRead is the cache's work on a warm request: writing a
// cached body out (the lookup, the lock and the compact body's ops).
func BenchmarkCacheRead(b *testing.B) {
	c, bodies := newCache(64<<20), benchBodies(100)
	for _, bd := range bodies {
		c.putBodies(bd.link, 0, bd.raw, bd.linkAt, &bd.sp)
	}
	buf := make([]byte, 0, 16<<10)
	for i := 0; b.Loop(); i++ {
		if _, ok := c.appendBody(buf[:0], bodies[i%len(bodies)].link, 0, identityPart, false); !ok {
			b.Fatal("not cached")
		}
	}
}

type benchBody struct {
	link   string
	raw    []byte
	linkAt int
	sp     fixtures.Spans
}

func benchBodies(n int) []benchBody {
	bodies := make([]benchBody, n)
	for i := range bodies {
		bd := &bodies[i]
		bd.link = "mk_bench_" + strconv.Itoa(i)
		bd.raw, bd.linkAt = fixtures.Generate(1, bd.link, fixtures.Options{}).AppendJSONSpans(nil, &bd.sp)
	}
	return bodies
}

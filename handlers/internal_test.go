package handlers

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

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

func TestCacheIsBounded(t *testing.T) {
	c := newCache(cacheShards * 10_000)
	key := func(i int) string { return "mk_" + strconv.Itoa(i) }
	for i := range 100_000 {
		b := newBodies(key(i), 0, []byte(`{"accounts":[],"link":{`+strings.Repeat(" ", 1000)+`}}`), len(`{"accounts":[],"link":`), nil, nil)
		c.put(b)
		if i%2 == 0 {
			_, added := b.gzipped(identityPart)
			c.grew(b, added)
		}
	}
	var total int64
	for i := range c.shards {
		if c.shards[i].bytes > c.shards[i].max {
			t.Errorf("shard %d holds %d bytes, over its %d", i, c.shards[i].bytes, c.shards[i].max)
		}
		total += c.shards[i].bytes
	}
	if n := c.len(); n == 0 || n > cacheShards*10 {
		t.Errorf("cache holds %d entries (%d bytes)", n, total)
	}
	// The most recent entry survives.
	if c.get(key(99_999), 0) == nil {
		t.Errorf("the newest entry was evicted")
	}
}

// TestCompactBodies checks that compact bodies give back the exact bytes of
// both parts, and that they are compact: a household's repeated owners and
// the shared avatar are kept once.
func TestCompactBodies(t *testing.T) {
	var av avatars
	var raw, kept int
	for i := range 2000 {
		id := fixtures.Generate(1, "mk_compact_"+strconv.Itoa(i), fixtures.Options{})
		var sp fixtures.Spans
		body, linkAt := id.AppendJSONSpans(nil, &sp)
		b := newBodies("x", 0, body, linkAt, &sp, av.intern)
		if got := b.appendPart(nil, identityPart); !bytes.Equal(got, body) {
			t.Fatalf("link %d: identity part differs\n got: %s\nwant: %s", i, got, body)
		}
		if got, want := b.appendPart(nil, linkPart), body[linkAt:len(body)-1]; !bytes.Equal(got, want) {
			t.Fatalf("link %d: link part differs\n got: %s\nwant: %s", i, got, want)
		}
		if got, want := b.contentLength[identityPart][0], strconv.Itoa(len(body)); got != want {
			t.Fatalf("link %d: Content-Length %s, want %s", i, got, want)
		}
		if got, want := b.contentLength[linkPart][0], strconv.Itoa(len(body)-1-linkAt); got != want {
			t.Fatalf("link %d: link Content-Length %s, want %s", i, got, want)
		}
		raw += len(body)
		kept += len(b.own) + 8*len(b.segs)
	}
	if kept*100 > raw*85 {
		t.Errorf("compact bodies keep %d of %d bytes: not compact", kept, raw)
	}
	t.Logf("compact bodies keep %d of %d bytes (%.0f%%)", kept, raw, float64(kept)*100/float64(raw))
	// Without spans or an intern table, a body is one run of its own bytes.
	b := newBodies("x", 0, []byte(`{"accounts":[],"link":{}}`), len(`{"accounts":[],"link":`), nil, nil)
	if got := string(b.appendPart(nil, linkPart)); got != "{}" {
		t.Errorf("link part %q", got)
	}
}

package handlers

import (
	"errors"
	"github.com/moneykit-mock/moneykit-mock/config"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
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
		b := newBodies(0, []byte(`{"accounts":[],"link":{`+strings.Repeat(" ", 1000)+`}}`), len(`{"accounts":[],"link":`))
		c.put(key(i), b)
		if i%2 == 0 {
			_, added := b.gzipped(identityPart)
			c.grew(key(i), b, added)
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

package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestBucketsCoverRangeContiguously(t *testing.T) {
	prev := -1
	for us := uint64(0); us <= histMaxUS; us += 1 + us/4096 {
		idx := bucketIndex(us)
		if idx < prev || idx >= histBuckets {
			t.Fatalf("bucketIndex(%d) = %d after %d (buckets %d)", us, idx, prev, histBuckets)
		}
		prev = idx
		hi := bucketHigh(idx)
		if hi < us {
			t.Fatalf("bucketHigh(%d) = %d < value %d", idx, hi, us)
		}
		if us < histSubCount && hi != us {
			t.Fatalf("below %d µs buckets must be exact: %d -> %d", histSubCount, us, hi)
		}
		if float64(hi-us) > float64(us)/1000 {
			t.Fatalf("bucket of %d µs reaches %d: relative error above 0.1%%", us, hi)
		}
	}
	if got := bucketIndex(histMaxUS); got != histBuckets-1 {
		t.Fatalf("bucketIndex(max) = %d, want the last bucket %d", got, histBuckets-1)
	}
	// Adjacent buckets meet without gaps or overlaps.
	for idx := 1; idx < histBuckets; idx++ {
		if bucketIndex(bucketHigh(idx-1)+1) != idx {
			t.Fatalf("value %d after bucket %d lands in %d", bucketHigh(idx-1)+1, idx-1, bucketIndex(bucketHigh(idx-1)+1))
		}
	}
}

func TestHistogramPercentiles(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		var h histogram
		if h.percentile(99) != 0 || h.max() != 0 || h.count() != 0 {
			t.Fatal("empty histogram should report zeros")
		}
	})

	t.Run("exact small values", func(t *testing.T) {
		var h histogram
		for i := 0; i < 990; i++ {
			h.record(150 * time.Microsecond)
		}
		for i := 0; i < 9; i++ {
			h.record(900*time.Microsecond + 400*time.Nanosecond) // floors to 900 µs
		}
		h.record(7 * time.Millisecond)
		check := func(p float64, want time.Duration) {
			t.Helper()
			if got := h.percentile(p); got != want {
				t.Errorf("p%v = %v, want %v", p, got, want)
			}
		}
		check(50, 150*time.Microsecond)
		check(99, 150*time.Microsecond)   // rank 990 is the last 150 µs
		check(99.9, 900*time.Microsecond) // rank 999
		check(100, 7*time.Millisecond)
		if h.max() != 7*time.Millisecond || h.count() != 1000 {
			t.Errorf("max %v count %d", h.max(), h.count())
		}
	})

	t.Run("uniform 1..10000 µs", func(t *testing.T) {
		var h histogram
		for us := 1; us <= 10000; us++ {
			h.record(time.Duration(us) * time.Microsecond)
		}
		for _, c := range []struct {
			p    float64
			want time.Duration
		}{{50, 5 * time.Millisecond}, {90, 9 * time.Millisecond}, {99, 9900 * time.Microsecond}, {99.9, 9990 * time.Microsecond}} {
			got := h.percentile(c.p)
			if got < c.want || float64(got-c.want) > float64(c.want)/1000 {
				t.Errorf("p%v = %v, want %v within 0.1%% above", c.p, got, c.want)
			}
		}
		if h.max() != 10*time.Millisecond {
			t.Errorf("max = %v", h.max())
		}
	})

	t.Run("clamps above 10 s", func(t *testing.T) {
		var h histogram
		h.record(-time.Millisecond) // clock oddity: counted as 0
		h.record(30 * time.Second)
		if h.over.Load() != 1 || h.count() != 2 {
			t.Fatalf("over %d count %d", h.over.Load(), h.count())
		}
		if got := h.percentile(50); got != 0 {
			t.Errorf("p50 = %v, want 0", got)
		}
		if got := h.percentile(100); got < 10*time.Second || got > 10*time.Second+10*time.Millisecond {
			t.Errorf("p100 = %v, want the 10 s bucket", got)
		}
		if h.max() != 30*time.Second {
			t.Errorf("max = %v, want the exact 30s", h.max())
		}
	})
}

func TestRecordDoesNotAllocate(t *testing.T) {
	var h histogram
	if n := testing.AllocsPerRun(1000, func() { h.record(1234 * time.Microsecond) }); n != 0 {
		t.Fatalf("record allocates %v times", n)
	}
}

func TestLoopbackCheck(t *testing.T) {
	ok := []string{
		"http://127.0.0.1:8080/links/mk_load_%05d/identity",
		"http://127.0.0.1/x/%d",
		"http://127.8.9.10:1/x/%d",
		"http://[::1]:18080/x/%d",
		"http://localhost:18080/x/%d",
		"http://LocalHost:18080/x/%d",
	}
	for _, tmpl := range ok {
		if _, err := buildTarget(tmpl, 3, defaultHeaders); err != nil {
			t.Errorf("%s: refused: %v", tmpl, err)
		}
	}
	refused := []string{
		"http://10.0.0.1:8080/x/%d",
		"http://0.0.0.0:8080/x/%d",
		"http://192.168.1.1/x/%d",
		"http://[::]:8080/x/%d",
		"http://[2001:db8::1]:8080/x/%d",
		"http://example.com/x/%d",
		"http://localhost.example.com/x/%d",
		"http://127.0.0.1.nip.io/x/%d",
		"https://127.0.0.1:8443/x/%d",    // http only
		"http://127.0.0.%d:8080/x",       // host must not vary with the ID
		"http://127.0.0.1:8080/x",        // no ID verb
		"http://user@10.1.1.1:80/x/%d",   // userinfo does not hide the host
		"http://127.0.0.1@10.1.1.1/x/%d", // nor does a loopback-looking userinfo
	}
	for _, tmpl := range refused {
		if _, err := buildTarget(tmpl, 3, defaultHeaders); err == nil {
			t.Errorf("%s: accepted, want refused", tmpl)
		}
	}
	u, _ := url.Parse("http://[::1]/x")
	if addr, err := checkLoopback(u); err != nil || addr != "[::1]:80" {
		t.Errorf("checkLoopback([::1]) = %q, %v", addr, err)
	}
}

func TestRunRefusesNonLoopbackWithExit2(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-url-template", "http://203.0.113.7:80/x/%d", "-duration", "1s"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "not a loopback") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestBuildTargetRequests(t *testing.T) {
	tg, err := buildTarget("http://127.0.0.1:9/links/mk_load_%05d/identity?x=1", 12, []string{"X-A: b"})
	if err != nil {
		t.Fatal(err)
	}
	want := "GET /links/mk_load_00011/identity?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n" +
		"User-Agent: moneykit-mock-rate\r\nX-A: b\r\n\r\n"
	if got := string(tg.reqs[11]); got != want {
		t.Fatalf("request 11:\n%q\nwant\n%q", got, want)
	}
	if tg.dialAddr != "127.0.0.1:9" {
		t.Fatalf("dialAddr %q", tg.dialAddr)
	}
}

func TestReadResponse(t *testing.T) {
	stream := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" +
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n" +
		"3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n" +
		"HTTP/1.1 204 No Content\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok" +
		"HTTP/1.0 200 OK\r\n\r\nto the end"
	br := bufio.NewReader(strings.NewReader(stream))
	for i, want := range []struct {
		status    int
		mustClose bool
	}{{200, false}, {404, false}, {204, false}, {200, true}, {200, true}} {
		status, mustClose, err := readResponse(br)
		if err != nil || status != want.status || mustClose != want.mustClose {
			t.Fatalf("response %d: status %d close %v err %v; want %d %v", i, status, mustClose, err, want.status, want.mustClose)
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("stream not fully consumed: %v", err)
	}
	for _, bad := range []string{"HTTP/1.1 2x0 OK\r\n\r\n", "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"} {
		if _, _, err := readResponse(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// End to end against an in-process loopback server: counts, non-2xx, and
// chunked plus fixed-length bodies.
func TestMeasureAgainstLocalServer(t *testing.T) {
	big := strings.Repeat("x", 5000) // written in pieces: chunked
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer sandbox-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/3"):
			http.Error(w, "nope", http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, "/2"):
			for i := 0; i < 5; i++ {
				_, _ = io.WriteString(w, big[:1000])
				w.(http.Flusher).Flush()
			}
		default:
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()

	cfg := config{
		urlTemplate: srv.URL + "/links/%d",
		ids:         10,
		rate:        1000,
		duration:    300 * time.Millisecond,
		warmup:      50 * time.Millisecond,
		conns:       4,
		headers:     defaultHeaders,
		p99:         time.Second,
	}
	tg, err := buildTarget(cfg.urlTemplate, cfg.ids, cfg.headers)
	if err != nil {
		t.Fatal(err)
	}
	res, err := measure(cfg, tg)
	if err != nil {
		t.Fatal(err)
	}
	if res.intended != 300 || res.lat.count() != 300 || res.errs.Load() != 0 {
		t.Fatalf("intended %d, count %d, errors %d (%s)", res.intended, res.lat.count(), res.errs.Load(), res.firstErr)
	}
	if n := res.non2xx.Load(); n != 30 { // every 10th ID is a 404
		t.Fatalf("non-2xx %d, want 30", n)
	}
	var out bytes.Buffer
	res.print(&out, cfg, tg)
	if !strings.HasSuffix(out.String(), "FAIL\n") || !strings.Contains(out.String(), "non-2xx: 30\n") {
		t.Fatalf("report:\n%s", out.String())
	}
}

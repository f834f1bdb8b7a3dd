package reqlog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// slogBytes is what the standard handler writes for l.
func slogBytes(t testing.TB, json bool, opts *slog.HandlerOptions, l *Line) string {
	t.Helper()
	var buf bytes.Buffer
	var h slog.Handler = slog.NewTextHandler(&buf, opts)
	if json {
		h = slog.NewJSONHandler(&buf, opts)
	}
	if h.Enabled(context.Background(), l.Level) {
		if err := h.Handle(context.Background(), l.Record()); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

// oursBytes is what Log writes for l through our handler.
func oursBytes(t testing.TB, json bool, opts *slog.HandlerOptions, l *Line) string {
	t.Helper()
	var buf bytes.Buffer
	h := NewText(&buf, opts)
	if json {
		h = NewJSON(&buf, opts)
	}
	if err := Log(context.Background(), h, l); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// fastText and fastJSON are kept from line to line, so that their cached
// seconds are reused.
var fastText, fastJSON = NewText(io.Discard, nil), NewJSON(io.Discard, nil)

// fastBytes is the fast path's form of l, and whether it takes l.
func fastBytes(json bool, l *Line) (string, bool) {
	h := fastText
	if json {
		h = fastJSON
	}
	b, ok := h.appendLine(nil, l)
	return string(b), ok
}

// check compares the fast path and Log with slog for l, in both formats;
// it reports how many formats took the fast path.
func check(t testing.TB, l *Line) (fast int) {
	t.Helper()
	for _, json := range []bool{false, true} {
		want := slogBytes(t, json, nil, l)
		if got, ok := fastBytes(json, l); ok {
			fast++
			if got != want {
				t.Fatalf("json=%v, fast path for %+v:\n got %q\nwant %q", json, *l, got, want)
			}
		}
		if got := oursBytes(t, json, nil, l); got != want {
			t.Fatalf("json=%v, Log for %+v:\n got %q\nwant %q", json, *l, got, want)
		}
	}
	return fast
}

var (
	fixedEast = time.FixedZone("IST", 5*3600+30*60)
	fixedWest = time.FixedZone("", -8*3600)
	oddOffset = time.FixedZone("LMT", -(4*3600 + 56*60 + 2)) // seconds in the offset
	zeroNamed = time.FixedZone("GMT", 0)
)

func zones(t testing.TB) []*time.Location {
	zs := []*time.Location{time.UTC, time.Local, fixedEast, fixedWest, oddOffset, zeroNamed}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zs = append(zs, ny)
	}
	return zs
}

// edgeStrings are values at and around the edges of what slog quotes or
// escapes.
var edgeStrings = []string{
	"", "x", "req_0123456789abcdef01234567", "GET", "HEAD", "/links/mk_demo/identity",
	"mk_demo", "/links/*/identity", "a b", " ", "a=b", "=", `a"b`, `"`, `a\b`, `\`,
	"\x00", "\x01", "\t", "\n", "\r", "\x1f", "\x7f", "é", "日本", "\u00a0", "\u2028",
	"\u2029", "\xff", "\xc3", "a\xffb", "\U0001F600", "<>&", "'", "`", "~!@#$%^*()_+-[]{}|;:,./?",
	"%20", "/links/mk demo/identity", "/links/mk_é/identity", "scenario:alpha", "ümlaut",
	"\u200b", "\ufeff", "\ufffd",
}

var edgeTimes = func() []time.Time {
	var ts []time.Time
	for _, ns := range []int{0, 1, 999, 100_000, 999_999, 1_000_000, 123_000_000, 123_456_789, 500_000_000, 999_000_000, 999_999_999, 10, 100} {
		for _, sec := range []int64{0, 1, 1_700_000_000, 1_710_054_000 /* a DST change in New York */, 4_102_444_800, -1, -62_135_596_800 /* year 1 */, 253_402_300_799 /* 9999-12-31T23:59:59Z */} {
			ts = append(ts, time.Unix(sec, int64(ns)))
		}
	}
	return ts
}()

// TestFastPathMatchesSlog: for edge-case and random inputs, in several
// zones, the fast path writes what slog writes, and Log through our
// handler writes what slog writes whether or not it takes the fast path.
func TestFastPathMatchesSlog(t *testing.T) {
	fast, total := 0, 0
	for _, z := range zones(t) {
		for _, tm := range edgeTimes {
			for _, st := range []int{200, 404, 499, 500, 503, 0, -1, 1 << 40} {
				l := Line{Time: tm.In(z), Level: level(st), ID: "req_x", Method: "GET", Path: "/links/mk_demo/identity",
					LinkID: "mk_demo", Scenario: "", Status: st, Duration: 123456 * time.Nanosecond}
				fast += check(t, &l)
				total += 2
			}
		}
	}
	now := time.Now()
	for _, s := range edgeStrings {
		for field := range 5 {
			l := Line{Time: now, Level: slog.LevelInfo, ID: "req_a", Method: "GET", Path: "/p", LinkID: "mk", Scenario: "s", Status: 200}
			*[]*string{&l.ID, &l.Method, &l.Path, &l.LinkID, &l.Scenario}[field] = s
			fast += check(t, &l)
			total += 2
		}
	}
	for _, d := range []time.Duration{0, 1, 999, 1000, 1500, time.Millisecond, 123456789, time.Hour, -1, -999, -1000, -1500, -123456789,
		1e12*time.Microsecond - 1, 1e12 * time.Microsecond, 1e12*time.Microsecond - time.Microsecond, -1e12*time.Microsecond + time.Microsecond, -1e12 * time.Microsecond,
		1<<53*time.Microsecond + 1, 9007199254740993 * time.Microsecond, 9100000000000001 * time.Microsecond, -9100000000000001 * time.Microsecond, 1<<63 - 1, -1 << 63} {
		l := Line{Time: now, Level: slog.LevelInfo, ID: "r", Method: "GET", Path: "/", LinkID: "", Scenario: "", Status: 200, Duration: d}
		fast += check(t, &l)
		total += 2
	}
	r := rand.New(rand.NewPCG(1, 2))
	zs := zones(t)
	for range 20_000 {
		l := randomLine(r, zs)
		fast += check(t, &l)
		total += 2
	}
	t.Logf("%d of %d lines took the fast path", fast, total)
	if fast < total/3 {
		t.Errorf("only %d of %d lines took the fast path", fast, total)
	}
}

func level(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// randomLine is a line whose strings are mostly plain, sometimes with a
// character slog quotes or escapes: half the lines only plain ones.
func randomLine(r *rand.Rand, zs []*time.Location) Line {
	plainOnly := r.IntN(2) == 0
	str := func() string {
		n := r.IntN(40)
		if r.IntN(8) == 0 {
			n = 0
		}
		var b strings.Builder
		for range n {
			c := r.IntN(30)
			if plainOnly {
				c = 3
			}
			switch c {
			case 0:
				b.WriteString(edgeStrings[r.IntN(len(edgeStrings))])
			case 1:
				b.WriteByte(byte(r.IntN(256)))
			case 2:
				b.WriteRune(rune(r.IntN(0x11000)))
			case 3:
				const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-.:~!@#$%^&*()[]{}<>|;,?+'`"
				b.WriteByte(alphabet[r.IntN(len(alphabet))])
			default:
				b.WriteByte(byte('!' + r.IntN('~'-'!'+1)))
			}
		}
		return b.String()
	}
	statuses := []int{200, 201, 204, 304, 400, 401, 404, 429, 499, 500, 502, 503}
	st := statuses[r.IntN(len(statuses))]
	tm := time.Unix(r.Int64N(4_102_444_800), r.Int64N(1e9))
	if r.IntN(4) == 0 {
		tm = tm.Truncate(time.Duration(r.IntN(4)+1) * time.Millisecond)
	}
	return Line{
		Time: tm.In(zs[r.IntN(len(zs))]), Level: level(st),
		ID: str(), Method: str(), Path: "/" + str(), LinkID: str(), Scenario: str(),
		Status: st, Duration: randomDuration(r),
	}
}

// randomDuration is mostly a request's duration, sometimes any at all.
func randomDuration(r *rand.Rand) time.Duration {
	switch r.IntN(4) {
	case 0:
		return time.Duration(r.Uint64())
	case 1:
		return time.Duration(r.Int64N(1<<(r.IntN(62)+1)) * (1 - 2*r.Int64N(2))) // any magnitude and sign
	}
	return time.Duration(r.Int64N(int64(10 * time.Second)))
}

// TestLevelsAndOptions: at every level setting, and with the options the
// fast path leaves to slog, Log writes what slog writes.
func TestLevelsAndOptions(t *testing.T) {
	now := time.Now()
	lines := []Line{
		{Time: now, Level: slog.LevelInfo, ID: "req_1", Method: "GET", Path: "/links/mk_a/identity", LinkID: "mk_a", Status: 200, Duration: 1234567},
		{Time: now, Level: slog.LevelError, ID: "req_2", Method: "POST", Path: "/links/mk_b/products", LinkID: "mk_b", Scenario: "mk_b", Status: 500, Duration: 42},
		{Time: now, Level: slog.LevelWarn, ID: "req_3", Method: "GET", Path: "/x", Status: 200},
		{Time: now, Level: slog.LevelDebug, ID: "req_4", Method: "GET", Path: "/x", Status: 200},
		{Time: now, Level: slog.LevelInfo + 2, ID: "req_5", Method: "GET", Path: "/x", Status: 200},
		{Level: slog.LevelInfo, ID: "req_6", Method: "GET", Path: "/x", Status: 200}, // zero time: left out
	}
	var lv slog.LevelVar
	optss := []*slog.HandlerOptions{
		nil, {}, {Level: slog.LevelDebug}, {Level: slog.LevelInfo}, {Level: slog.LevelWarn}, {Level: slog.LevelError}, {Level: slog.LevelError + 1},
		{Level: &lv},
		{AddSource: true},
		{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "path" {
				a.Value = slog.StringValue("[redacted]")
			}
			return a
		}},
	}
	for i, opts := range optss {
		for _, l := range lines {
			for _, json := range []bool{false, true} {
				if got, want := oursBytes(t, json, opts, &l), slogBytes(t, json, opts, &l); got != want {
					t.Errorf("options %d, json=%v, %+v:\n got %q\nwant %q", i, json, l, got, want)
				}
			}
		}
	}
	// A LevelVar is read on every line.
	for _, setting := range []slog.Level{slog.LevelDebug, slog.LevelError, slog.LevelInfo, slog.LevelError + 4} {
		lv.Set(setting)
		for _, l := range lines {
			for _, json := range []bool{false, true} {
				if got, want := oursBytes(t, json, &slog.HandlerOptions{Level: &lv}, &l), slogBytes(t, json, &slog.HandlerOptions{Level: &lv}, &l); got != want {
					t.Errorf("level %v, json=%v, %+v:\n got %q\nwant %q", setting, json, l, got, want)
				}
			}
		}
	}
}

// TestOtherRecordsUnchanged: every other log call, and handlers derived
// with WithAttrs and WithGroup, write what the standard handler writes.
func TestOtherRecordsUnchanged(t *testing.T) {
	for _, json := range []bool{false, true} {
		var got, want bytes.Buffer
		ours := slog.New(NewText(&got, &slog.HandlerOptions{Level: slog.LevelDebug}))
		std := slog.New(slog.NewTextHandler(&want, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if json {
			ours = slog.New(NewJSON(&got, &slog.HandlerOptions{Level: slog.LevelDebug}))
			std = slog.New(slog.NewJSONHandler(&want, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
		l := Line{Time: time.Now(), Level: slog.LevelInfo, ID: "req_1", Method: "GET", Path: "/p", LinkID: "mk", Status: 200}
		for _, lg := range []*slog.Logger{ours, std} {
			lg.Info("listening", "addr", "127.0.0.1:8080", "n", 3)
			lg.Debug("a b", "k", "v w")
			lg.With("component", "webhooks").WithGroup("g").Warn("retry", "attempt", 2)
			lg.WithGroup("req").Error("boom", "err", fmt.Errorf("x"))
			// The request line through a derived handler is the standard one.
			if err := Log(context.Background(), lg.With("k", 1).Handler(), &l); err != nil {
				t.Fatal(err)
			}
		}
		g := regexpTime.ReplaceAllString(got.String(), "T")
		w := regexpTime.ReplaceAllString(want.String(), "T")
		if g != w {
			t.Errorf("json=%v:\n got %s\nwant %s", json, g, w)
		}
	}
}

// regexpTime matches a line's time, for comparing lines logged at
// different moments.
var regexpTime = regexp.MustCompile(`time=\S+|"time":"[^"]*"`)

// TestConcurrentLinesAreWhole: lines written at once from many goroutines,
// by both paths, arrive whole, one per Write.
func TestConcurrentLinesAreWhole(t *testing.T) {
	for _, json := range []bool{false, true} {
		w := &recordingWriter{}
		h := NewText(w, nil)
		if json {
			h = NewJSON(w, nil)
		}
		lg := slog.New(h)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					path := fmt.Sprintf("/links/mk_%d_%d/identity", g, i)
					if i%3 == 0 {
						path += " spaced" // the slog path
					}
					l := Line{Time: time.Now(), Level: slog.LevelInfo, ID: "req", Method: "GET", Path: path, Status: 200}
					if err := Log(context.Background(), h, &l); err != nil {
						t.Error(err)
					}
					lg.Info("other", "i", i)
				}
			}()
		}
		wg.Wait()
		if len(w.writes) != 8*200*2 {
			t.Errorf("json=%v: %d writes, want %d", json, len(w.writes), 8*200*2)
		}
		for _, p := range w.writes {
			if strings.Count(p, "\n") != 1 || !strings.HasSuffix(p, "\n") {
				t.Fatalf("json=%v: write %q is not one line", json, p)
			}
		}
	}
}

// recordingWriter keeps each Write; it is not safe for concurrent use, so
// the race detector sees any Write the handler fails to serialize.
type recordingWriter struct{ writes []string }

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// FuzzRequestLogLine: for any line, in both formats, the fast path (when it
// takes the line) and Log write what slog writes.
func FuzzRequestLogLine(f *testing.F) {
	f.Add("req_0123456789abcdef01234567", "GET", "/links/mk_demo/identity", "mk_demo", "", 200, int64(123456), int64(1_700_000_000), int64(123_456_789), 0)
	f.Add("r", "POST", "/a b", "=", `"`, 500, int64(-1), int64(0), int64(0), 3600)
	f.Add("é", "\x00", "\u2028", "\xff", `\`, 499, int64(1<<62), int64(-62_135_596_800), int64(999_999_999), -(4*3600 + 56*60 + 2))
	f.Add("x", "GET", "/", "", "s", 404, int64(1000), int64(253_402_300_799), int64(1_000_000), 19800)
	f.Fuzz(func(t *testing.T, id, method, path, linkID, scenario string, status int, dur, sec, nsec int64, offset int) {
		zone := time.UTC
		if offset != 0 {
			zone = time.FixedZone("", offset%(26*3600))
		}
		l := Line{Time: time.Unix(sec, nsec).In(zone), Level: level(status), ID: id, Method: method, Path: path,
			LinkID: linkID, Scenario: scenario, Status: status, Duration: time.Duration(dur)}
		check(t, &l)
	})
}

// BenchmarkLine is one request line through our handler (the fast path)
// and through slog's own, in both formats, to io.Discard.
func BenchmarkLine(b *testing.B) {
	l := Line{Time: time.Now(), Level: slog.LevelInfo, ID: "req_0123456789abcdef01234567", Method: "GET",
		Path: "/links/mk_load_01234/identity", LinkID: "mk_load_01234", Status: 200, Duration: 123456}
	for _, c := range []struct {
		name string
		h    slog.Handler
	}{
		{"text/reqlog", NewText(io.Discard, nil)},
		{"text/slog", slog.NewTextHandler(io.Discard, nil)},
		{"json/reqlog", NewJSON(io.Discard, nil)},
		{"json/slog", slog.NewJSONHandler(io.Discard, nil)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.Time = time.Now()
				Log(context.Background(), c.h, &l)
			}
		})
	}
}

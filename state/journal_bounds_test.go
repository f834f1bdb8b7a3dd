package state

import (
	"net/http"
	"strings"
	"testing"
)

// sdkHeader is what an SDK sends on a data route.
func sdkHeader() http.Header {
	return http.Header{
		"Authorization":    {"Bearer tok_0123456789abcdef"},
		"Moneykit-Version": {"2023-02-18"},
		"Accept":           {"application/json"},
		"User-Agent":       {"moneykit-python/1.0"},
		"X-Request-Id":     {"req_abc"},
	}
}

// TestJournalClipsAtRecord checks the bounds of one entry: each header
// value, query value, the path and the method at most MaxJournalValue bytes
// and a marker, query and headers together at most MaxJournalEntry, and the
// entry marked clipped.
func TestJournalClipsAtRecord(t *testing.T) {
	big := strings.Repeat("a", 256<<10)
	h := sdkHeader()
	h["X-Big"] = []string{big}
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		h["X-Many-"+string(c)] = []string{strings.Repeat("b", 900)}
	}
	j := newJournal(4)
	j.Add(Request{Method: "GET", Path: "/links/" + big, RawHeader: h, RawQuery: "account_ids=a1&big=" + big + "&x=%E2%82%AC"})
	e := j.List(Filter{})[0]
	if !e.Clipped {
		t.Error("entry not marked clipped")
	}
	marker := "…[clipped: 262144 bytes]"
	if got := e.Headers["X-Big"]; got != big[:MaxJournalValue]+marker {
		t.Errorf("X-Big = %.40q… (%d bytes), want %d bytes and the marker", got, len(got), MaxJournalValue)
	}
	if want := "/links/" + big[:MaxJournalValue-len("/links/")] + "…[clipped: 262151 bytes]"; e.Path != want {
		t.Errorf("path is %d bytes, want %d", len(e.Path), len(want))
	}
	if got := e.Query["big"]; len(got) != 1 || got[0] != big[:MaxJournalValue]+marker {
		t.Errorf("query big = %d bytes", len(got))
	}
	if got := e.Query["account_ids"]; len(got) != 1 || got[0] != "a1" {
		t.Errorf("query account_ids = %q", got)
	}
	if total := entryBytes(e); total > MaxJournalEntry {
		t.Errorf("query and headers take %d bytes, want at most %d", total, MaxJournalEntry)
	}
	// Headers are left out in name order: the first ones are there.
	for _, k := range []string{"Accept", "Authorization", "Moneykit-Version", "User-Agent", "X-Big", "X-Many-A"} {
		if _, ok := e.Headers[k]; !ok {
			t.Errorf("%s was left out; headers are kept in name order until the entry is full", k)
		}
	}
	if _, ok := e.Headers["X-Many-Z"]; ok {
		t.Error("X-Many-Z was kept, want it left out")
	}
	if sl := j.ring[0]; cap(*sl.data) > 2*MaxJournalEntry {
		t.Errorf("the entry's buffer has a capacity of %d", cap(*sl.data))
	}

	// A small entry is not clipped and keeps everything.
	j.Add(Request{Method: "GET", Path: "/x", RawHeader: sdkHeader(), RawQuery: "account_ids=a1&account_ids=a2"})
	e = j.List(Filter{Limit: 1})[0]
	if e.Clipped || len(e.Headers) != 5 || e.Headers["Authorization"] != "Bearer [redacted]" || strings.Join(e.Query["account_ids"], ",") != "a1,a2" {
		t.Errorf("small entry = %+v", e)
	}
}

// TestJournalKeepsNoReference changes the request's header map and strings
// after Add: the entry does not change, because Add copied what it kept.
func TestJournalKeepsNoReference(t *testing.T) {
	j := newJournal(4)
	h := sdkHeader()
	val := []byte("application/json")
	h["Accept"] = []string{string(val)}
	j.Add(Request{Method: "GET", Path: "/x", RawHeader: h, RawQuery: "a=1"})
	h["Accept"][0] = "changed"
	h["X-New"] = []string{"new"}
	e := j.List(Filter{})[0]
	if e.Headers["Accept"] != "application/json" || e.Headers["X-New"] != "" {
		t.Errorf("the entry follows the request's map: %v", e.Headers)
	}
	if e.RawHeader != nil || e.RawQuery != "" {
		t.Errorf("the entry kept the raw request: %v %q", e.RawHeader, e.RawQuery)
	}
	// List gives each caller its own maps.
	e.Headers["Accept"] = "mine"
	if got := j.List(Filter{})[0].Headers["Accept"]; got != "application/json" {
		t.Errorf("a caller's change reached the journal: %q", got)
	}
}

// TestJournalByteBudget fills a journal whose byte budget holds fewer
// entries than its ring: the oldest go first, the bytes stay within the
// budget, and clearing gives them all back.
func TestJournalByteBudget(t *testing.T) {
	const budget = 64 << 10
	j := newJournalBudget(1000, budget)
	big := strings.Repeat("v", 4000)
	for range 100 {
		j.Add(Request{Method: "GET", Path: "/x", RawHeader: http.Header{"A": {big}, "B": {big}, "C": {big}}})
		if j.bytes > budget {
			t.Fatalf("the journal takes %d bytes, over its budget of %d", j.bytes, budget)
		}
	}
	got := j.List(Filter{})
	if len(got) == 0 || len(got) >= 100 || got[len(got)-1].Seq != 100 {
		t.Fatalf("kept %d entries ending at seq %d, want the newest few", len(got), got[len(got)-1].Seq)
	}
	if got[0].Seq != uint64(100-len(got)+1) {
		t.Errorf("kept seqs %d.., want the newest %d", got[0].Seq, len(got))
	}
	j.Clear("")
	if j.bytes != 0 || j.n != 0 {
		t.Errorf("after clear: %d bytes, %d entries", j.bytes, j.n)
	}
	for i, sl := range j.ring {
		if sl.data != nil {
			t.Fatalf("slot %d still holds a buffer after the clear", i)
		}
	}
	// One entry bigger than the whole budget is still kept, alone.
	small := newJournalBudget(10, 1)
	small.Add(Request{Path: "/a"})
	small.Add(Request{Path: "/b"})
	if got := small.List(Filter{}); len(got) != 1 || got[0].Path != "/b" {
		t.Errorf("a tiny budget keeps %v, want the newest entry", journalSeqs(got))
	}
}

// TestJournalRedactsAtRecord puts secrets in every header and query
// parameter a name can mark as secret, then searches the bytes the journal
// keeps, not only what it shows: they are not there.
func TestJournalRedactsAtRecord(t *testing.T) {
	const secret = "S3CRET-VALUE"
	h := http.Header{
		"Authorization":       {"Bearer " + secret},
		"Proxy-Authorization": {"Basic " + secret},
		"X-Client-Secret":     {secret},
		"X-Api-Key":           {secret},
		"X-Admin-Token":       {secret},
		"Cookie":              {"s=" + secret},
		"X-My-Password":       {secret},
		"X-Client-Id":         {"client_1"},
	}
	q := "client_secret=" + secret + "&ACCESS_TOKEN=" + secret + "&api_key=" + secret + "&password=" + secret +
		"&client%5Fsecret=" + secret + "&account_ids=a1&x=1;token=" + secret
	j := newJournal(4)
	j.Add(Request{Method: "POST", Path: "/auth/token", RawHeader: h, RawQuery: q})
	for i, sl := range j.ring {
		if sl.data != nil && strings.Contains(string(*sl.data), secret) {
			t.Errorf("slot %d keeps the secret: %q", i, *sl.data)
		}
	}
	e := j.List(Filter{})[0]
	for k, v := range e.Headers {
		if strings.Contains(v, secret) {
			t.Errorf("header %s = %q", k, v)
		}
	}
	if e.Headers["Authorization"] != "Bearer [redacted]" || e.Headers["X-Api-Key"] != "[redacted]" || e.Headers["X-Client-Id"] != "client_1" {
		t.Errorf("headers = %v", e.Headers)
	}
	for _, k := range []string{"client_secret", "ACCESS_TOKEN", "api_key", "password"} {
		if got := e.Query[k]; len(got) == 0 || got[0] != "[redacted]" {
			t.Errorf("query %s = %q, want [redacted]", k, got)
		}
	}
	if got := e.Query["account_ids"]; len(got) != 1 || got[0] != "a1" {
		t.Errorf("account_ids = %q", got)
	}
	// And a Request marshalled without the journal is redacted too.
	b, _ := Request{RawHeader: h, RawQuery: q}.MarshalJSON()
	if strings.Contains(string(b), secret) {
		t.Errorf("MarshalJSON shows the secret: %s", b)
	}
}

func TestJournalAddSDKRequestDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	j := newJournal(16)
	e := Request{Method: "GET", Path: "/links/l1/identity", LinkID: "l1", RawHeader: sdkHeader(), RawQuery: "account_ids=a1"}
	for range 64 { // fill the ring, so that buffers cycle through the pool
		j.Add(e)
	}
	if n := testing.AllocsPerRun(1000, func() { j.Add(e) }); n != 0 {
		t.Errorf("add allocates %v times, want 0", n)
	}
}

// BenchmarkJournalAddSDKRequest is BenchmarkJournalAdd with what the handlers
// give Add: the request's header map and raw query, redacted and copied.
func BenchmarkJournalAddSDKRequest(b *testing.B) {
	e := Request{Time: journalT0, Method: "GET", Path: "/links/l1/identity", LinkID: "l1", Status: 200,
		RawHeader: sdkHeader(), RawQuery: "account_ids=a1"}
	b.Run("serial", func(b *testing.B) {
		j := newJournal(0)
		b.ReportAllocs()
		for b.Loop() {
			j.Add(e)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		j := newJournal(0)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				j.Add(e)
			}
		})
	})
}

// TestSecretName checks the words and their grouping by first letter.
func TestSecretName(t *testing.T) {
	for _, w := range secretWords {
		found := false
		for _, g := range [][]string{secretWordsS, secretWordsT, secretWordsP, secretWordsK, secretWordsC, secretWordsA} {
			for _, x := range g {
				found = found || x == w
			}
		}
		if !found {
			t.Errorf("secret word %q is in no group", w)
		}
	}
	for name, want := range map[string]bool{
		"client_secret": true, "access_token": true, "api_key": true, "password": true, "X-Api-Key": true,
		"X-Client-Secret": true, "Authorization": true, "Proxy-Authorization": true, "Cookie": true, "X-Admin-Token": true,
		"MY_PASSWD": true, "aws_credentials": true, "SECRET": true, "tokenizer": true,
		"Accept": false, "User-Agent": false, "Moneykit-Version": false, "X-Request-Id": false, "X-Client-Id": false,
		"X-Mock-Session": false, "account_ids": false, "Keep-Alive": false, "": false, "ke": false, "s": false,
	} {
		if got := secretName(name); got != want {
			t.Errorf("secretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCanonicalKey(t *testing.T) {
	for _, k := range []string{"Authorization", "authorization", "X-API-KEY", "x-client-secret", "Moneykit-Version",
		"X-Mock-Session", "A", "a", "", "-x", "X--Y", "Bad Header", "Ünicode", "X_Under_score", "x-ÿ"} {
		if got, want := canonicalKey(k), http.CanonicalHeaderKey(k); got != want {
			t.Errorf("canonicalKey(%q) = %q, want %q", k, got, want)
		}
	}
}

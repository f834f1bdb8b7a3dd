package state

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
)

// journalT0 is the arrival time of the first entry in these tests.
var journalT0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// journalSeqs lists the Seq of each entry, for comparing with a want list.
func journalSeqs(es []Request) []uint64 {
	out := []uint64{}
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

// journalWith returns a journal holding es in order (their Seq is assigned).
func journalWith(size int, es ...Request) *journal {
	j := newJournal(size)
	for _, e := range es {
		j.Add(e)
	}
	return j
}

func TestJournalRingBound(t *testing.T) {
	j := newJournal(3)
	for i := range 5 {
		j.Add(Request{Path: "/p", Time: journalT0.Add(time.Duration(i) * time.Second)})
	}
	got := j.List(Filter{})
	if want := []uint64{3, 4, 5}; !reflect.DeepEqual(journalSeqs(got), want) {
		t.Errorf("seqs = %v, want %v", journalSeqs(got), want)
	}
	if got[0].Time != journalT0.Add(2*time.Second) {
		t.Errorf("oldest kept entry has time %v, want the third one's", got[0].Time)
	}
	if n := j.Count(Filter{}); n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	// The default size is config's, applied by the store; a journal made
	// with a size below 1 still keeps one entry.
	if n, want := len(NewMemory(config.Config{}).Journal().(*journal).ring), config.Default().JournalSize; n != want {
		t.Errorf("the default journal keeps %d, want %d", n, want)
	}
	for _, size := range []int{0, -1} {
		if n := len(newJournal(size).ring); n != 1 {
			t.Errorf("newJournal(%d) keeps %d, want 1", size, n)
		}
	}
}

func TestJournalEmptyListIsNotNil(t *testing.T) {
	j := newJournal(3)
	for _, f := range []Filter{{}, {Limit: 2}} {
		got := j.List(f)
		if got == nil {
			t.Fatalf("list(%+v) = nil, want an empty slice", f)
		}
		if b, _ := json.Marshal(got); string(b) != "[]" {
			t.Errorf("list(%+v) is written %s, want []", f, b)
		}
	}
}

func TestJournalSeqNeverReused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		clear func(*journal)
		want  []uint64 // default-session seqs after the clear and two more adds
	}{
		{"all", func(j *journal) { j.ClearAll() }, []uint64{5, 6}},
		{"default session", func(j *journal) { j.Clear("") }, []uint64{5, 6}},
		{"other session", func(j *journal) { j.Clear("a") }, []uint64{1, 3, 5, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := journalWith(10, Request{}, Request{Session: "a"}, Request{}, Request{Session: "a"})
			tc.clear(j)
			j.Add(Request{})
			j.Add(Request{})
			if got := journalSeqs(j.List(Filter{})); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("seqs = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestJournalClear checks that clearing one session keeps the others' entries
// in order, and that the ring still drops the oldest afterwards.
func TestJournalClear(t *testing.T) {
	// Size 4 and 6 adds, so the ring has wrapped before the clear.
	j := journalWith(4,
		Request{Session: "a"}, Request{Session: "b"}, // dropped by the bound
		Request{Session: "a"}, Request{Session: "b"}, Request{}, Request{Session: "b"})
	all := Filter{AllSessions: true}
	if got, want := journalSeqs(j.List(all)), []uint64{3, 4, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Fatalf("before: seqs = %v, want %v", got, want)
	}
	j.Clear("b")
	if got, want := journalSeqs(j.List(all)), []uint64{3, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("after clearing b: seqs = %v, want %v", got, want)
	}
	for range 3 {
		j.Add(Request{Session: "c"})
	}
	if got, want := journalSeqs(j.List(all)), []uint64{5, 7, 8, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("after 3 more adds: seqs = %v, want %v", got, want)
	}
	j.Clear("nobody")
	if n := j.Count(all); n != 4 {
		t.Errorf("clearing an unknown session left %d entries, want 4", n)
	}
	j.ClearAll() // all wins over the session
	if n := j.Count(all); n != 0 {
		t.Errorf("clear all left %d entries", n)
	}
}

func TestJournalFilters(t *testing.T) {
	at := func(s int) time.Time { return journalT0.Add(time.Duration(s) * time.Second) }
	// Seq is the position in this list, from 1.
	entries := []Request{
		{Time: at(0), Method: "POST", Path: "/auth/token", Status: 200},                                          // 1
		{Time: at(1), Method: "GET", Path: "/links/l1/identity", LinkID: "l1", Status: 200},                      // 2
		{Time: at(2), Method: "GET", Path: "/links/l2/identity", LinkID: "l2", Status: 404},                      // 3
		{Time: at(3), Method: "GET", Path: "/links/l1", LinkID: "l1", Status: 422},                               // 4
		{Time: at(4), Method: "GET", Path: "/links/l1/identity", LinkID: "l1", Status: 503, Session: "s1"},       // 5
		{Time: at(5), Method: "GET", Path: "/links/l1/identity", LinkID: "l1", Status: 200, Session: "s2"},       // 6
		{Time: at(6), Method: "GET", Path: "/links/l1/identity", LinkID: "l1", Status: 500},                      // 7
		{Time: at(7), Method: "GET", Path: "/nope", Status: 404},                                                 // 8
		{Time: at(8), Method: "POST", Path: "/links/l1/products", LinkID: "l1", Status: 202, Session: "s1"},      // 9
		{Time: at(7), Method: "GET", Path: "/links/l2/identity", LinkID: "l2", Status: 200, Session: "s1"},       // 10: slow, arrived before 9
		{Time: at(9), Method: "GET", Path: "/links", Status: 404},                                                // 11
		{Time: at(9).Add(time.Nanosecond), Method: "GET", Path: "/links/l1/identity", LinkID: "l1", Status: 200}, // 12
	}
	j := journalWith(100, entries...)
	for _, tc := range []struct {
		name string
		f    Filter
		want []uint64
	}{
		{"default session", Filter{}, []uint64{1, 2, 3, 4, 7, 8, 11, 12}},
		{"session s1", Filter{Session: "s1"}, []uint64{5, 9, 10}},
		{"session s2", Filter{Session: "s2"}, []uint64{6}},
		{"unknown session", Filter{Session: "s3"}, []uint64{}},
		{"all sessions", Filter{AllSessions: true}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"all sessions beats session", Filter{Session: "s1", AllSessions: true}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"link", Filter{Link: "l1"}, []uint64{2, 4, 7, 12}},
		{"unknown link", Filter{Link: "l9"}, []uint64{}},
		{"exact path", Filter{Path: "/links/l1/identity"}, []uint64{2, 7, 12}},
		{"exact path is not a prefix", Filter{Path: "/links/l1"}, []uint64{4}},
		{"path prefix", Filter{Path: "/links/*"}, []uint64{2, 3, 4, 7, 12}},
		{"path prefix without slash", Filter{Path: "/links*"}, []uint64{2, 3, 4, 7, 11, 12}},
		{"path star alone", Filter{Path: "*"}, []uint64{1, 2, 3, 4, 7, 8, 11, 12}},
		{"status", Filter{Status: 404}, []uint64{3, 8, 11}},
		{"status 2xx", Filter{StatusClass: 2}, []uint64{1, 2, 12}},
		{"status 4xx", Filter{StatusClass: 4}, []uint64{3, 4, 8, 11}},
		{"status 5xx", Filter{StatusClass: 5}, []uint64{7}},
		{"status 5xx all sessions", Filter{StatusClass: 5, AllSessions: true}, []uint64{5, 7}},
		{"since time is inclusive", Filter{Since: at(7)}, []uint64{8, 11, 12}},
		{"since time by arrival, not seq", Filter{Session: "s1", Since: at(7)}, []uint64{9, 10}},
		{"since time between entries", Filter{Since: at(9).Add(time.Nanosecond)}, []uint64{12}},
		{"since time after all", Filter{Since: at(10)}, []uint64{}},
		{"since seq is exclusive", Filter{SinceSeq: 7}, []uint64{8, 11, 12}},
		{"since seq 0 is all", Filter{SinceSeq: 0}, []uint64{1, 2, 3, 4, 7, 8, 11, 12}},
		{"since last seq", Filter{SinceSeq: 12}, []uint64{}},
		{"limit", Filter{Limit: 3}, []uint64{8, 11, 12}},
		{"limit above matches", Filter{Limit: 50}, []uint64{1, 2, 3, 4, 7, 8, 11, 12}},
		{"limit 1", Filter{Limit: 1, AllSessions: true}, []uint64{12}},
		{"link and status", Filter{Link: "l1", StatusClass: 2}, []uint64{2, 12}},
		{"link, path and status", Filter{Link: "l1", Path: "/links/*", Status: 500}, []uint64{7}},
		{"path, since and limit", Filter{Path: "/links/*", SinceSeq: 2, Limit: 2}, []uint64{7, 12}},
		{"session, link and since", Filter{Session: "s1", Link: "l2", Since: at(1)}, []uint64{10}},
		{"everything", Filter{AllSessions: true, Link: "l1", Path: "/links/l1/*", StatusClass: 2, Since: at(2), SinceSeq: 5, Limit: 2}, []uint64{9, 12}},
		{"no match", Filter{Link: "l2", Status: 500}, []uint64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := j.List(tc.f)
			if !reflect.DeepEqual(journalSeqs(got), tc.want) {
				t.Errorf("list seqs = %v, want %v", journalSeqs(got), tc.want)
			}
			for _, e := range got {
				if want := entries[e.Seq-1]; !reflect.DeepEqual(e, withSeq(want, e.Seq)) {
					t.Errorf("entry %d = %+v, want %+v", e.Seq, e, want)
				}
			}
			if n := j.Count(tc.f); n != len(tc.want) {
				t.Errorf("count = %d, want %d", n, len(tc.want))
			}
		})
	}
}

func withSeq(e Request, seq uint64) Request {
	e.Seq = seq
	return e
}

// TestJournalSessionsAreIsolated checks that clearing and reading one session
// touches no other.
func TestJournalSessionsAreIsolated(t *testing.T) {
	j := newJournal(100)
	for i := range 30 {
		j.Add(Request{Session: []string{"", "t1", "t2"}[i%3], Path: "/links/x/identity", Status: 200})
	}
	for _, s := range []string{"", "t1", "t2"} {
		if n := j.Count(Filter{Session: s}); n != 10 {
			t.Errorf("session %q sees %d calls, want 10", s, n)
		}
		for _, e := range j.List(Filter{Session: s}) {
			if e.Session != s {
				t.Errorf("session %q sees an entry of %q", s, e.Session)
			}
		}
	}
	j.Clear("t1")
	for s, want := range map[string]int{"": 10, "t1": 0, "t2": 10} {
		if n := j.Count(Filter{Session: s}); n != want {
			t.Errorf("after clearing t1, session %q sees %d, want %d", s, n, want)
		}
	}
}

func TestJournalRedactHeaders(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   http.Header // keys as a client might spell them
		want map[string]string
	}{
		{"bearer keeps scheme", http.Header{"authorization": {"Bearer tok_123"}}, map[string]string{"Authorization": "Bearer [redacted]"}},
		{"basic keeps scheme", http.Header{"AUTHORIZATION": {"Basic dXNlcjpwYXNz"}}, map[string]string{"Authorization": "Basic [redacted]"}},
		{"bare token", http.Header{"Authorization": {"tok_123"}}, map[string]string{"Authorization": "[redacted]"}},
		{"odd scheme hidden whole", http.Header{"Authorization": {"tok_123 more"}}, map[string]string{"Authorization": "[redacted]"}},
		{"empty authorization", http.Header{"Authorization": {""}}, map[string]string{"Authorization": ""}},
		{"two authorizations", http.Header{"Authorization": {"Bearer a", "Basic b"}}, map[string]string{"Authorization": "Bearer [redacted], Basic [redacted]"}},
		{"proxy authorization", http.Header{"proxy-authorization": {"Basic abc"}}, map[string]string{"Proxy-Authorization": "Basic [redacted]"}},
		{"client secret", http.Header{"x-client-secret": {"s3cret"}}, map[string]string{"X-Client-Secret": "[redacted]"}},
		{"cookie", http.Header{"cookie": {"a=1; b=2"}}, map[string]string{"Cookie": "[redacted]"}},
		{"two cookies", http.Header{"Cookie": {"a=1", "b=2"}}, map[string]string{"Cookie": "[redacted], [redacted]"}},
		{"admin token", http.Header{"x-ADMIN-token": {"adm"}}, map[string]string{"X-Admin-Token": "[redacted]"}},
		{"others kept", http.Header{
			"x-client-id":      {"client_1"},
			"Moneykit-Version": {"2023-02-18"},
			"Accept":           {"application/json", "text/plain"},
			"X-Mock-Session":   {"t1"},
			"Authorization":    {"Bearer tok"},
		}, map[string]string{
			"X-Client-Id":      "client_1",
			"Moneykit-Version": "2023-02-18",
			"Accept":           "application/json, text/plain",
			"X-Mock-Session":   "t1",
			"Authorization":    "Bearer [redacted]",
		}},
		{"two spellings merge", http.Header{"X-Client-Secret": {"a"}, "x-client-secret": {"b"}}, map[string]string{"X-Client-Secret": "[redacted], [redacted]"}},
		{"none", http.Header{}, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := redactHeaders(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("redactHeaders = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestJournalEntryJSON(t *testing.T) {
	e := Request{
		Seq:        7,
		Time:       time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC),
		Session:    "t1",
		Method:     "GET",
		Path:       "/links/l1/identity",
		Query:      url.Values{"account_ids": {"a1", "a2"}},
		LinkID:     "l1",
		Status:     404,
		Scenario:   "l1*",
		DurationMS: 1.25,
		Headers:    map[string]string{"Authorization": "Bearer [redacted]"},
	}
	const want = `{"seq":7,"time":"2025-01-02T03:04:05.123456789Z","session":"t1","method":"GET","path":"/links/l1/identity","query":{"account_ids":["a1","a2"]},"link_id":"l1","status":404,"scenario":"l1*","duration_ms":1.25,"headers":{"Authorization":"Bearer [redacted]"}}`
	for _, v := range []any{e, &e} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want {
			t.Errorf("json.Marshal(%T) =\n%s\nwant\n%s", v, b, want)
		}
	}

	// The optional fields go, and nil maps are {} rather than null, also when
	// the entry has been through the journal.
	bare := Request{Seq: 1, Time: journalT0, Method: "GET", Path: "/x", Status: 200}
	const wantBare = `{"seq":1,"time":"2025-01-02T03:04:05Z","method":"GET","path":"/x","query":{},"status":200,"duration_ms":0,"headers":{}}`
	j := newJournal(2)
	j.Add(bare)
	b, err := json.Marshal(j.List(Filter{}))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "["+wantBare+"]" {
		t.Errorf("json.Marshal(list) =\n%s\nwant\n[%s]", b, wantBare)
	}
}

func TestJournalConcurrentAdd(t *testing.T) {
	const goroutines, perG = 8, 10_000
	const total = goroutines * perG
	for _, tc := range []struct {
		name string
		size int
	}{
		{"all kept", total},
		{"tail kept", 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := newJournal(tc.size)
			var wg sync.WaitGroup
			done := make(chan struct{})
			var readers sync.WaitGroup
			readers.Add(1)
			go func() {
				defer readers.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					j.List(Filter{AllSessions: true, Limit: 10})
					j.Count(Filter{StatusClass: 2})
					j.Clear("nobody")
				}
			}()
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perG {
						j.Add(Request{Path: "/links/x/identity", Status: 200 + g, DurationMS: float64(i)})
					}
				}()
			}
			wg.Wait()
			close(done)
			readers.Wait()

			got := j.List(Filter{AllSessions: true})
			kept := min(tc.size, total)
			if len(got) != kept {
				t.Fatalf("kept %d entries, want %d", len(got), kept)
			}
			first := uint64(total - kept + 1)
			for i, e := range got {
				if want := first + uint64(i); e.Seq != want {
					t.Fatalf("entry %d has seq %d, want %d (seqs must be %d..%d, each once)", i, e.Seq, want, first, total)
				}
			}
			if tc.size >= total {
				// Every goroutine's every add is there.
				perStatus := map[int]int{}
				for _, e := range got {
					perStatus[e.Status]++
				}
				for g := range goroutines {
					if perStatus[200+g] != perG {
						t.Errorf("goroutine %d has %d entries, want %d", g, perStatus[200+g], perG)
					}
				}
			}
			j.Add(Request{})
			if last := j.List(Filter{Limit: 1}); len(last) != 1 || last[0].Seq != total+1 {
				t.Errorf("the next add got %v, want seq %d", journalSeqs(last), total+1)
			}
		})
	}
}

// BenchmarkJournalAdd measures the part of every request that the journal
// costs once the entry is built: it must not allocate.
func BenchmarkJournalAdd(b *testing.B) {
	e := Request{
		Time:    journalT0,
		Method:  "GET",
		Path:    "/links/l1/identity",
		Query:   url.Values{"account_ids": {"a1"}},
		LinkID:  "l1",
		Status:  200,
		Headers: map[string]string{"Authorization": "Bearer [redacted]"},
	}
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

// BenchmarkJournalRedactHeaders measures building the headers of one entry
// from a typical SDK request.
func BenchmarkJournalRedactHeaders(b *testing.B) {
	h := http.Header{
		"Authorization":    {"Bearer tok_0123456789abcdef"},
		"Moneykit-Version": {"2023-02-18"},
		"Accept":           {"application/json"},
		"User-Agent":       {"moneykit-python/1.0"},
		"X-Request-Id":     {"req_abc"},
	}
	b.ReportAllocs()
	for b.Loop() {
		redactHeaders(h)
	}
}

func TestJournalAddDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	j := newJournal(16)
	e := Request{Method: "GET", Path: "/x", Query: url.Values{}, Headers: map[string]string{}}
	if n := testing.AllocsPerRun(1000, func() { j.Add(e) }); n != 0 {
		t.Errorf("add allocates %v times, want 0", n)
	}
}

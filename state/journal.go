package state

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Request is one request as GET /_mock/requests shows it. The JSON field
// names are the contract with test suites.
type Request struct {
	// Seq is 1, 2, 3… per journal and never reused, even after a clear, so a
	// client can page with since=<the last seq it saw>.
	Seq uint64 `json:"seq"`
	// Time is when the request arrived, by the server's clock.
	Time time.Time `json:"time"`
	// Session is the X-Mock-Session, "" for the default session.
	Session string `json:"session,omitempty"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	// Query is the parsed query string; it is written {} when there is none.
	Query  map[string][]string `json:"query"`
	LinkID string              `json:"link_id,omitempty"`
	Status int                 `json:"status"`
	// Scenario is the pattern of the scenario entry that answered, if any.
	Scenario   string  `json:"scenario,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	// Headers are the request headers as redactHeaders gives them.
	Headers map[string]string `json:"headers"`

	// RawQuery and RawHeader are what the request carried, kept as they are
	// so that recording costs nothing on the hot path: MarshalJSON parses the
	// query and redacts the headers when the journal is read. net/http makes
	// a new header map for every request, so keeping it is safe.
	RawQuery  string      `json:"-"`
	RawHeader http.Header `json:"-"`
}

// MarshalJSON writes the entry with Query and Headers as {} rather than null
// when they are nil, so clients can index them without a null check.
func (e Request) MarshalJSON() ([]byte, error) {
	type plain Request // drops this method, so json.Marshal does not recurse
	p := plain(e)
	if p.Query == nil && p.RawQuery != "" {
		p.Query, _ = url.ParseQuery(p.RawQuery)
	}
	if p.Query == nil {
		p.Query = map[string][]string{}
	}
	if p.Headers == nil && p.RawHeader != nil {
		p.Headers = redactHeaders(p.RawHeader)
	}
	if p.Headers == nil {
		p.Headers = map[string]string{}
	}
	return marshal(p)
}

// journal is the in-memory Journal: a bounded ring of the latest requests, shared by all sessions
// (each entry names its session and filters keep sessions apart). It is safe
// for concurrent use.
//
// Add runs on every request, so it only copies the entry into a slot of a ring
// allocated up front, under a mutex held for a few nanoseconds. Reads (List,
// Count) come from test suites and may scan the whole ring.
type journal struct {
	mu    sync.Mutex
	ring  []Request // len(ring) is the bound
	start int       // index of the oldest entry
	n     int       // entries held
	seq   uint64    // the last Seq given out
	// wake, when not nil, is closed by the next Add and then forgotten: the
	// streams of GET /_mock/requests/stream wait on it (see Changed). It is
	// made only when a stream asks, so Add allocates nothing without one.
	wake chan struct{}
}

// newJournal returns a journal that keeps the latest size requests (at
// least one; the default lives in config).
func newJournal(size int) *journal {
	return &journal{ring: make([]Request, max(size, 1))}
}

// add records e, giving it the next Seq, and drops the oldest entry when the
// journal is full. e's maps are kept, not copied: the caller must not change
// them afterwards.
func (j *journal) Add(e Request) {
	j.mu.Lock()
	j.seq++
	e.Seq = j.seq
	if j.n < len(j.ring) {
		j.ring[j.slot(j.n)] = e
		j.n++
	} else {
		j.ring[j.start] = e
		j.start = j.slot(1)
	}
	if j.wake != nil {
		close(j.wake)
		j.wake = nil
	}
	j.mu.Unlock()
}

// slot is the ring index of the i-th oldest entry.
func (j *journal) slot(i int) int {
	i += j.start
	if i >= len(j.ring) {
		i -= len(j.ring)
	}
	return i
}

// list returns the entries f matches, oldest first (in Seq order, that is the
// order requests finished). With f.Limit it returns the newest Limit of them,
// still oldest first. The result is never nil, so it is written as [] when empty.
// The entries share their maps with the journal; callers must not change them.
func (j *journal) List(f Filter) []Request {
	j.mu.Lock()
	defer j.mu.Unlock()
	if f.Limit <= 0 {
		out := make([]Request, 0, min(j.n, 64))
		for i := 0; i < j.n; i++ {
			if e := &j.ring[j.slot(i)]; f.match(e) {
				out = append(out, *e)
			}
		}
		return out
	}
	// Walk newest first so the scan stops once Limit entries are found.
	out := make([]Request, 0, min(j.n, f.Limit))
	for i := j.n - 1; i >= 0 && len(out) < f.Limit; i-- {
		if e := &j.ring[j.slot(i)]; f.match(e) {
			out = append(out, *e)
		}
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

// Count is len(j.List(f)) without copying entries.
func (j *journal) Count(f Filter) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	c := 0
	for i := 0; i < j.n; i++ {
		if f.match(&j.ring[j.slot(i)]) {
			c++
		}
	}
	if f.Limit > 0 && c > f.Limit {
		c = f.Limit
	}
	return c
}

// ClearAll forgets every entry. Seq keeps counting, so a client paging with
// since never sees a number twice.
func (j *journal) ClearAll() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring) // drop the maps the entries hold, for the GC
	j.start, j.n = 0, 0
}

// Clear forgets the entries of one session; Seq keeps counting.
func (j *journal) Clear(session string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	// Compact the kept entries in place, oldest first, to the front of the ring.
	kept := make([]Request, 0, j.n)
	for i := 0; i < j.n; i++ {
		if e := j.ring[j.slot(i)]; e.Session != session {
			kept = append(kept, e)
		}
	}
	clear(j.ring)
	copy(j.ring, kept)
	j.start, j.n = 0, len(kept)
}

// Filter picks journal entries. Its zero value picks the default
// session's entries.
type Filter struct {
	// Session is whose entries to see ("" is the default session), unless
	// AllSessions is set.
	Session     string
	AllSessions bool
	// Link is an exact link ID.
	Link string
	// Path is an exact path, or a prefix when it ends with "*".
	Path string
	// Status is an exact status code; StatusClass is its first digit (4 for 4xx).
	Status      int
	StatusClass int
	// Since keeps entries whose Time is at or after it.
	Since time.Time
	// SinceSeq keeps entries whose Seq is greater than it.
	SinceSeq uint64
	// Limit keeps the newest Limit entries of those matched; 0 is no limit.
	Limit int
}

func (f *Filter) match(e *Request) bool {
	if !f.AllSessions && e.Session != f.Session {
		return false
	}
	if f.Link != "" && e.LinkID != f.Link {
		return false
	}
	if f.Path != "" {
		if prefix, ok := strings.CutSuffix(f.Path, "*"); ok {
			if !strings.HasPrefix(e.Path, prefix) {
				return false
			}
		} else if e.Path != f.Path {
			return false
		}
	}
	if f.Status != 0 && e.Status != f.Status {
		return false
	}
	if f.StatusClass != 0 && e.Status/100 != f.StatusClass {
		return false
	}
	if e.Seq <= f.SinceSeq {
		return false
	}
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	return true
}

// redacted replaces a secret header value in the journal.
const redacted = "[redacted]"

// redactHeaders flattens request headers for the journal: canonical names,
// several values joined with ", ", and credentials replaced by "[redacted]".
// Authorization and Proxy-Authorization keep their scheme ("Bearer
// [redacted]") so a test can still see which kind was sent; an empty value
// stays empty, since it hides nothing and "sent empty" is worth seeing.
func redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		k = http.CanonicalHeaderKey(k) // no allocation when k is already canonical
		var v string
		switch k {
		case "Authorization", "Proxy-Authorization":
			v = joinValues(vs, redactCredentials)
		case "X-Client-Secret", "Cookie", "X-Admin-Token":
			v = joinValues(vs, redactAll)
		default:
			v = joinValues(vs, nil)
		}
		// Two spellings of one name (possible only in a hand-built Header)
		// are merged rather than one hiding the other.
		if prev, ok := out[k]; ok {
			v = prev + ", " + v
		}
		out[k] = v
	}
	return out
}

// joinValues joins vs with ", ", passing each through redact when it is not nil.
func joinValues(vs []string, redact func(string) string) string {
	if len(vs) == 1 {
		if redact == nil {
			return vs[0]
		}
		return redact(vs[0])
	}
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		if redact != nil {
			v = redact(v)
		}
		b.WriteString(v)
	}
	return b.String()
}

func redactAll(v string) string {
	if v == "" {
		return ""
	}
	return redacted
}

// redactCredentials keeps the scheme of an Authorization value. The first word
// counts as a scheme only when it is a short run of letters (Bearer, Basic,
// Digest…): a bare token, or one with a space in it, is hidden whole.
func redactCredentials(v string) string {
	if v == "" {
		return ""
	}
	scheme, _, ok := strings.Cut(v, " ")
	if !ok || scheme == "" || len(scheme) > 20 {
		return redacted
	}
	for i := 0; i < len(scheme); i++ {
		if c := scheme[i] | 0x20; c < 'a' || c > 'z' {
			return redacted
		}
	}
	switch scheme { // the usual ones, without allocating
	case "Bearer":
		return "Bearer " + redacted
	case "Basic":
		return "Basic " + redacted
	}
	return scheme + " " + redacted
}

// marshal is json.Marshal without HTML escaping, as every answer of the mock
// is written: "Smith & Sons" reads as written.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Changed returns a channel that the next Add closes. A stream takes it
// before reading the journal, so an entry added after that read always wakes
// it; an entry added between taking it and reading is read and wakes it once
// more for nothing, which is harmless.
func (j *journal) Changed() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.wake == nil {
		j.wake = make(chan struct{})
	}
	return j.wake
}

// After returns the entries f matches with a Seq greater than f.SinceSeq,
// oldest first, as List does without a limit; but it finds the first of them
// by walking back from the newest, so a stream woken for one new entry does
// not scan the whole ring while Add waits for the lock.
func (j *journal) After(f Filter) []Request {
	j.mu.Lock()
	defer j.mu.Unlock()
	first := j.n
	for first > 0 && j.ring[j.slot(first-1)].Seq > f.SinceSeq {
		first--
	}
	var out []Request
	for i := first; i < j.n; i++ {
		if e := &j.ring[j.slot(i)]; f.match(e) {
			out = append(out, *e)
		}
	}
	return out
}

// LastSeq is the last Seq given out.
func (j *journal) LastSeq() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

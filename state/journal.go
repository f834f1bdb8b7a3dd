package state

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Bounds of one journal entry, applied when it is recorded, so that a
// request carrying a megabyte of headers costs the journal a few KiB.
const (
	// MaxJournalValue bounds each header value, each query parameter, the
	// path and the method, in bytes. A longer one is kept as its first
	// MaxJournalValue bytes and a marker, "…[clipped: N bytes]".
	MaxJournalValue = 1 << 10
	// MaxJournalEntry bounds the query and the headers of one entry
	// together, in bytes. Headers beyond it (in name order) and query
	// parameters beyond it are left out.
	MaxJournalEntry = 8 << 10
)

// entryOverhead is what an entry costs the journal beyond its strings: the
// slot and the buffer's header, rounded up.
const entryOverhead = 256

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
	// Headers are the request headers, flattened and redacted as
	// redactHeaders does it.
	Headers map[string]string `json:"headers"`
	// Clipped is true when the journal shortened the entry to keep it within
	// MaxJournalValue and MaxJournalEntry.
	Clipped bool `json:"clipped,omitempty"`

	// RawQuery and RawHeader are what the request carried, as the handlers
	// give them to Journal.Add. The journal never keeps them: Add copies them
	// into the entry's own buffer, redacted and clipped, and List gives Query
	// and Headers back. A Request marshalled without going through the
	// journal is redacted when it is written.
	RawQuery  string      `json:"-"`
	RawHeader http.Header `json:"-"`
}

// MarshalJSON writes the entry with Query and Headers as {} rather than null
// when they are nil, so clients can index them without a null check.
func (e Request) MarshalJSON() ([]byte, error) {
	type plain Request // drops this method, so json.Marshal does not recurse
	p := plain(e)
	if p.Query == nil && p.RawQuery != "" {
		var buf []byte
		buf, _ = appendQuery(buf, p.RawQuery)
		p.Query, _ = url.ParseQuery(string(buf))
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

// journal is the in-memory Journal: a bounded ring of the latest requests,
// shared by all sessions (each entry names its session and filters keep
// sessions apart). It is bounded by entries (len(ring)) and by bytes
// (budget): when the entries held would take more than budget, the oldest
// go first. It is safe for concurrent use.
//
// Add runs on every request. It encodes the entry's query and headers,
// redacted and clipped, into a buffer from a pool, outside the lock; under
// the lock it only swaps that buffer into a slot of the ring (allocated up
// front) and takes the slot's old buffer back for the pool. So a request
// with the usual few small headers records without allocating, and no
// reference to the request's own header map or strings is kept.
//
// Keeping the header map by reference when it is small, and redacting and
// clipping it when listed, would be cheaper still, but it is not done: the
// secrets of the last JournalSize requests would then sit in memory in
// clear long after net/http is done with them, and the entry would follow a
// caller that changed the map after Add (TestJournalKeepsNoReference and
// TestJournalRedactsAtRecord pin both). What Add does for each header is
// made cheap instead: the usual names are decided by one switch
// (headerName), others by one table look-up a byte (canonicalKey), and a
// plain one-value header is copied as it is (appendHeader).
type journal struct {
	mu     sync.Mutex
	ring   []slot // len(ring) is the bound in entries
	start  int    // index of the oldest entry
	n      int    // entries held
	seq    uint64 // the last Seq given out
	bytes  int64  // what the entries held take, by entrySize
	budget int64  // the bound in bytes
	// wake, when not nil, is closed by the next Add and then forgotten: the
	// streams of GET /_mock/requests/stream wait on it (see Changed). It is
	// made only when a stream asks, so Add allocates nothing without one.
	wake chan struct{}
}

// slot is one entry of the ring: its Request without Query, Headers,
// RawQuery and RawHeader, which are encoded in data (see appendQuery and
// appendHeader for the records).
type slot struct {
	Request
	data *[]byte // nil when the entry has neither query nor headers
	size int64   // entrySize, as counted in journal.bytes
}

// buffers recycles the slots' buffers.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// newJournal returns a journal that keeps the latest size requests (at
// least one; the default lives in config), bounded in bytes only by its
// entries' own bounds. The store uses newJournalBudget.
func newJournal(size int) *journal {
	return newJournalBudget(size, math.MaxInt64)
}

// newJournalBudget returns a journal that keeps the latest size requests
// (at least one) taking at most budget bytes (but always the newest entry).
func newJournalBudget(size int, budget int64) *journal {
	return &journal{ring: make([]slot, max(size, 1)), budget: budget}
}

// Add records e, giving it the next Seq, and drops the oldest entries when
// the journal is full, in entries or in bytes. Nothing of e is kept but
// copies: its query and headers are redacted and clipped into the entry's
// own buffer, and its strings clipped to MaxJournalValue.
func (j *journal) Add(e Request) {
	var sl slot
	sl.Request = e
	sl.RawQuery, sl.RawHeader, sl.Query, sl.Headers = "", nil, nil, nil
	var c1, c2, c3, c4, c5 bool
	sl.Method, c1 = clipValue(e.Method)
	sl.Path, c2 = clipValue(e.Path)
	sl.LinkID, c3 = clipValue(e.LinkID)
	sl.Scenario, c4 = clipValue(e.Scenario)
	sl.Session, c5 = clipValue(e.Session)
	sl.Clipped = e.Clipped || c1 || c2 || c3 || c4 || c5
	if e.RawQuery != "" || len(e.RawHeader) > 0 || len(e.Query) > 0 || len(e.Headers) > 0 {
		bp := buffers.Get().(*[]byte)
		buf, clipped := encodeEntry((*bp)[:0], &e)
		sl.Clipped = sl.Clipped || clipped
		if cap(buf) > 2048 && cap(buf) > 2*len(buf) {
			// A big request grew the pool's buffer: keep a small copy, and
			// let the big one go rather than back to the pool.
			small := make([]byte, len(buf))
			copy(small, buf)
			buf = small
			bp = new([]byte)
		}
		*bp = buf
		sl.data = bp
	}
	sl.size = entrySize(&sl)

	var freed *[]byte
	j.mu.Lock()
	j.seq++
	sl.Seq = j.seq
	if j.n < len(j.ring) {
		j.ring[j.slot(j.n)] = sl
		j.n++
	} else {
		old := &j.ring[j.start]
		j.bytes -= old.size
		freed = old.data
		*old = sl
		j.start = j.slot(1)
	}
	j.bytes += sl.size
	for j.bytes > j.budget && j.n > 1 {
		old := &j.ring[j.start]
		j.bytes -= old.size
		*old = slot{} // its buffer goes to the GC
		j.start = j.slot(1)
		j.n--
	}
	if j.wake != nil {
		close(j.wake)
		j.wake = nil
	}
	j.mu.Unlock()
	if freed != nil {
		buffers.Put(freed)
	}
}

// entrySize is what an entry takes, as the byte budget counts it.
func entrySize(sl *slot) int64 {
	n := entryOverhead + len(sl.Method) + len(sl.Path) + len(sl.LinkID) + len(sl.Scenario) + len(sl.Session)
	if sl.data != nil {
		n += cap(*sl.data)
	}
	return int64(n)
}

// slot is the ring index of the i-th oldest entry.
func (j *journal) slot(i int) int {
	i += j.start
	if i >= len(j.ring) {
		i -= len(j.ring)
	}
	return i
}

// held is an entry copied out of the ring under the lock, to be decoded
// after it.
type held struct {
	Request
	data string
}

// List returns the entries f matches, oldest first (in Seq order, that is the
// order requests finished). With f.Limit it returns the newest Limit of them,
// still oldest first. The result is never nil, so it is written as [] when empty.
// Each entry's Query and Headers are its own maps, made from what Add kept.
func (j *journal) List(f Filter) []Request {
	hs := j.collect(f)
	out := make([]Request, len(hs))
	for i := range hs {
		out[i] = hs[i].Request
		decodeEntry(&out[i], hs[i].data)
	}
	return out
}

// collect copies out the entries f matches, oldest first: a slot's buffer is
// reused once the slot is overwritten, so nothing of it may leave the lock.
func (j *journal) collect(f Filter) []held {
	j.mu.Lock()
	defer j.mu.Unlock()
	take := func(sl *slot) held {
		h := held{Request: sl.Request}
		if sl.data != nil {
			h.data = string(*sl.data)
		}
		return h
	}
	if f.Limit <= 0 {
		out := make([]held, 0, min(j.n, 64))
		for i := 0; i < j.n; i++ {
			if sl := &j.ring[j.slot(i)]; f.match(&sl.Request) {
				out = append(out, take(sl))
			}
		}
		return out
	}
	// Walk newest first so the scan stops once Limit entries are found.
	out := make([]held, 0, min(j.n, f.Limit))
	for i := j.n - 1; i >= 0 && len(out) < f.Limit; i-- {
		if sl := &j.ring[j.slot(i)]; f.match(&sl.Request) {
			out = append(out, take(sl))
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
		if f.match(&j.ring[j.slot(i)].Request) {
			c++
		}
	}
	if f.Limit > 0 && c > f.Limit {
		c = f.Limit
	}
	return c
}

// ClearAll forgets every entry, and lets their memory go: the ring keeps no
// buffer. Seq keeps counting, so a client paging with since never sees a
// number twice.
func (j *journal) ClearAll() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.start, j.n, j.bytes = 0, 0, 0
}

// Clear forgets the entries of one session, and their memory; Seq keeps
// counting.
func (j *journal) Clear(session string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	// Compact the kept entries in place, oldest first, to the front of the ring.
	kept := make([]slot, 0, j.n)
	j.bytes = 0
	for i := 0; i < j.n; i++ {
		if sl := j.ring[j.slot(i)]; sl.Session != session {
			kept = append(kept, sl)
			j.bytes += sl.size
		}
	}
	clear(j.ring)
	copy(j.ring, kept)
	j.start, j.n = 0, len(kept)
}

// The records of an entry's buffer: a kind byte, then for recordQuery the
// raw query (redacted and clipped, as appendQuery writes it), for
// recordHeader and recordPair a name and a value. Lengths are 2 bytes, big
// endian: every string in a record is clipped well below 64 KiB.
const (
	recordQuery  = 'q' // the raw query string
	recordPair   = 'p' // one query value, from a Request built with Query
	recordHeader = 'h' // one header, its values joined with ", "
)

// encodeEntry appends e's query and headers to buf as records, redacted and
// clipped, and reports whether anything was clipped or left out.
func encodeEntry(buf []byte, e *Request) ([]byte, bool) {
	clipped := false
	if e.RawQuery != "" {
		buf = append(buf, recordQuery, 0, 0)
		at := len(buf)
		var c bool
		buf, c = appendQuery(buf, e.RawQuery)
		clipped = clipped || c
		putLen(buf[at-2:], len(buf)-at)
	}
	if len(e.Query) > 0 || len(e.Headers) > 0 {
		// A Request built with Query and Headers, by a test: the handlers
		// give RawQuery and RawHeader (and a range over a nil map is not
		// free on every request).
		for k, vs := range e.Query {
			for _, v := range vs {
				if len(buf)+len(k)+len(v)+5 > MaxJournalEntry {
					clipped = true
					break
				}
				if secretName(k) {
					v = redactAll(v)
				}
				buf = append(buf, recordPair)
				buf = appendString(buf, k, &clipped)
				buf = appendString(buf, v, &clipped)
			}
		}
		for k, v := range e.Headers { // already flattened, by a caller that built them
			if len(buf)+len(k)+len(v)+5 > MaxJournalEntry {
				clipped = true
				break
			}
			v = redactAs(headerKind(k), v)
			buf = append(buf, recordHeader)
			buf = appendString(buf, k, &clipped)
			buf = appendString(buf, v, &clipped)
		}
	}
	if len(e.RawHeader) > 0 {
		var c bool
		buf, c = appendHeaders(buf, e.RawHeader)
		clipped = clipped || c
	}
	return buf, clipped
}

// appendHeaders appends h's headers as records. In the common case, when
// they all fit in MaxJournalEntry, that is in map order, in one pass, and
// allocates nothing; otherwise they are written again in name order until
// the entry is full, so which ones are left out does not depend on map order.
func appendHeaders(buf []byte, h http.Header) ([]byte, bool) {
	start := len(buf)
	clipped := false
	for k, vs := range h {
		buf = appendHeader(buf, k, vs, &clipped)
	}
	if len(buf) <= MaxJournalEntry {
		return buf, clipped
	}
	buf = buf[:start]
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		before := len(buf)
		buf = appendHeader(buf, k, h[k], &clipped)
		if len(buf) > MaxJournalEntry {
			buf = buf[:before]
			clipped = true
		}
	}
	return buf, clipped
}

// appendHeader appends one header record: the canonical name, and the
// values joined with ", ", each redacted when the name says it is secret,
// clipped to MaxJournalValue.
func appendHeader(buf []byte, k string, vs []string, clipped *bool) []byte {
	k, kind := headerName(k)
	if len(k) <= MaxJournalValue {
		buf = append(buf, recordHeader, byte(len(k)>>8), byte(len(k)))
		buf = append(buf, k...)
	} else {
		buf = append(buf, recordHeader)
		buf = appendString(buf, k, clipped)
	}
	if kind == plainHeader && len(vs) == 1 && len(vs[0]) <= MaxJournalValue {
		// The usual header: one value, short, kept as sent.
		v := vs[0]
		buf = append(buf, byte(len(v)>>8), byte(len(v)))
		return append(buf, v...)
	}
	buf = append(buf, 0, 0)
	at := len(buf)
	total := 0
	for i, v := range vs {
		if i > 0 {
			total += 2
		}
		total += len(v)
	}
	for i, v := range vs {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		v = redactAs(kind, v)
		if room := MaxJournalValue - (len(buf) - at); len(v) > room {
			buf = append(buf, v[:runeStart(v, max(room, 0))]...)
			buf = appendClipMarker(buf, total)
			*clipped = true
			break
		}
		buf = append(buf, v...)
	}
	putLen(buf[at-2:], len(buf)-at)
	return buf
}

// How a header's value is redacted in the journal, by its name (headerKind):
// see redactAs.
const (
	plainHeader  = iota // kept as sent
	secretHeader        // hidden whole (redactAll)
	authHeader          // its scheme kept (redactCredentials)
)

// headerName returns the canonical form of a header name and how its value
// is redacted: canonicalKey(k), and headerKind of it. The headers
// nearly every request carries are decided by one switch, without a scan of
// the name (TestHeaderName checks that it agrees with the scan for each).
func headerName(k string) (string, int) {
	switch k {
	case "Accept", "Accept-Encoding", "Accept-Language", "User-Agent", "Moneykit-Version", "X-Request-Id",
		"Content-Type", "Content-Length", "Connection", "X-Mock-Session", "X-Client-Id", "Origin", "Referer",
		"Traceparent", "Tracestate", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-Ip", "Cache-Control",
		"Pragma", "If-None-Match", "If-Modified-Since", "Access-Control-Request-Method",
		"Access-Control-Request-Headers", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-Dest":
		return k, plainHeader
	case "Authorization", "Proxy-Authorization":
		return k, authHeader
	case "X-Client-Secret", "Cookie", "X-Api-Key", "X-Admin-Token":
		return k, secretHeader
	}
	k = canonicalKey(k)
	return k, headerKind(k)
}

// headerKind is how a header named k is redacted, decided from the name
// alone: plainHeader unless secretName says it is secret, then authHeader
// for the Authorization headers (their scheme is kept), else secretHeader.
// headerName's switch says the same at once for the usual names.
func headerKind(k string) int {
	switch {
	case !secretName(k):
		return plainHeader
	case containsFold(k, "authorization"):
		return authHeader
	}
	return secretHeader
}

// canonicalKey is http.CanonicalHeaderKey(k), with a quicker check of the
// common case, a name net/http has already made canonical: Add runs it on
// every header of every request, and CanonicalHeaderKey's check of each
// byte was a third of Add's time. The check is one look-up in keyBytes a
// byte: a letter in the wrong case for its place, a space, a control byte
// or a byte above 0x7e sends k to net/http.
func canonicalKey(k string) string {
	reject := uint8(keyLower | keyOdd) // what may not come first in a word
	for i := 0; i < len(k); i++ {
		c := k[i]
		if keyBytes[c]&reject != 0 {
			return http.CanonicalHeaderKey(k)
		}
		reject = keyUpper | keyOdd
		if c == '-' {
			reject = keyLower | keyOdd
		}
	}
	return k
}

// The classes of keyBytes.
const (
	keyLower = 1 << iota // a to z
	keyUpper             // A to Z
	keyOdd               // space, a control byte, or above 0x7e
)

// keyBytes classifies each byte for canonicalKey.
var keyBytes = func() (t [256]uint8) {
	for c := range len(t) {
		switch {
		case 'a' <= c && c <= 'z':
			t[c] = keyLower
		case 'A' <= c && c <= 'Z':
			t[c] = keyUpper
		case c <= ' ' || c >= 0x7f:
			t[c] = keyOdd
		}
	}
	return t
}()

// appendQuery appends raw, a raw query string, with the value of every
// parameter whose name says it is secret replaced by "[redacted]" (escaped),
// each value clipped to MaxJournalValue, and parameters left out once the
// entry would pass MaxJournalEntry. Parameters that url.ParseQuery would
// drop (a bad escape, a semicolon) are dropped here, so they are not kept
// either. It reports whether anything was clipped or left out.
func appendQuery(buf []byte, raw string) ([]byte, bool) {
	clipped := false
	first := true
	for raw != "" {
		// One pass over the segment finds where it and its name end, and
		// whether it has a semicolon, an escape, or a + in its name: quicker
		// than a search for each in the usual short segment.
		end, eq := len(raw), -1
		semi, escape, plus := false, false, false
	scan:
		for i := 0; i < len(raw); i++ {
			switch raw[i] {
			case '&':
				end = i
				break scan
			case '=':
				if eq < 0 {
					eq = i
				}
			case ';':
				semi = true
			case '%':
				escape = true
			case '+':
				plus = plus || eq < 0
			}
		}
		seg := raw[:end]
		raw = raw[min(end+1, len(raw)):]
		if seg == "" || semi {
			continue
		}
		k, v := seg, ""
		if eq >= 0 {
			k, v = seg[:eq], seg[eq+1:]
		}
		name := k
		if escape || plus {
			// Only an escape can be bad, and only an escape or a + makes the
			// name differ from k.
			var err error
			if name, err = url.QueryUnescape(k); err != nil { // no allocation without escapes
				continue
			}
			if _, err := url.QueryUnescape(v); err != nil {
				continue
			}
		}
		if len(k) > MaxJournalValue {
			clipped = true
			continue
		}
		if secretName(name) && v != "" {
			v = redactedEscaped
		}
		var marker string
		if len(v) > MaxJournalValue {
			marker = url.QueryEscape(clipMarker(len(v)))
			v = v[:escapeStart(v, MaxJournalValue)]
		}
		if len(buf)+len(k)+len(v)+len(marker)+2 > MaxJournalEntry {
			clipped = true
			break
		}
		if !first {
			buf = append(buf, '&')
		}
		first = false
		buf = append(buf, k...)
		buf = append(buf, '=')
		buf = append(buf, v...)
		if marker != "" {
			buf = append(buf, marker...)
			clipped = true
		}
	}
	return buf, clipped
}

// redactedEscaped is redacted as a query value.
const redactedEscaped = "%5Bredacted%5D"

// appendString appends a 2-byte length and s, clipped to MaxJournalValue.
func appendString(buf []byte, s string, clipped *bool) []byte {
	at := len(buf) + 2
	buf = append(buf, 0, 0)
	if len(s) > MaxJournalValue {
		buf = append(buf, s[:runeStart(s, MaxJournalValue)]...)
		buf = appendClipMarker(buf, len(s))
		*clipped = true
	} else {
		buf = append(buf, s...)
	}
	putLen(buf[at-2:], len(buf)-at)
	return buf
}

func putLen(b []byte, n int) { b[0], b[1] = byte(n>>8), byte(n) }

func getLen(s string) int { return int(s[0])<<8 | int(s[1]) }

// decodeEntry fills e's Query and Headers from the records in data.
func decodeEntry(e *Request, data string) {
	for len(data) > 0 {
		kind := data[0]
		data = data[1:]
		switch kind {
		case recordQuery:
			n := getLen(data)
			raw := data[2 : 2+n]
			data = data[2+n:]
			q, _ := url.ParseQuery(raw)
			if e.Query == nil {
				e.Query = q
			} else {
				for k, vs := range q {
					e.Query[k] = append(e.Query[k], vs...)
				}
			}
		case recordPair, recordHeader:
			n := getLen(data)
			k := data[2 : 2+n]
			data = data[2+n:]
			n = getLen(data)
			v := data[2 : 2+n]
			data = data[2+n:]
			if kind == recordPair {
				if e.Query == nil {
					e.Query = map[string][]string{}
				}
				e.Query[k] = append(e.Query[k], v)
				continue
			}
			if e.Headers == nil {
				e.Headers = map[string]string{}
			}
			// Two spellings of one name (possible only in a hand-built
			// Header) are merged rather than one hiding the other.
			if prev, ok := e.Headers[k]; ok {
				v = prev + ", " + v
			}
			e.Headers[k] = v
		default:
			return // cannot happen: only encodeEntry writes data
		}
	}
}

// clipMarker ends a value that was clipped; n is its length as sent.
func clipMarker(n int) string { return "…[clipped: " + strconv.Itoa(n) + " bytes]" }

func appendClipMarker(buf []byte, n int) []byte {
	buf = append(buf, "…[clipped: "...)
	buf = strconv.AppendInt(buf, int64(n), 10)
	return append(buf, " bytes]"...)
}

// clipValue clips s to MaxJournalValue, as appendString does.
func clipValue(s string) (string, bool) {
	if len(s) <= MaxJournalValue {
		return s, false
	}
	return strings.Clone(s[:runeStart(s, MaxJournalValue)]) + clipMarker(len(s)), true
}

// runeStart returns the largest i <= n that does not cut a UTF-8 sequence of s.
func runeStart(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for i := n; i > 0 && n-i < utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n
}

// escapeStart returns the largest i <= n that does not cut a %XX escape of s.
func escapeStart(s string, n int) int {
	for i := max(n-2, 0); i < n; i++ {
		if s[i] == '%' {
			return i
		}
	}
	return n
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

// redacted replaces a secret header or query value in the journal.
const redacted = "[redacted]"

// secretWords are what a header, query parameter or form field name says
// when its value is a credential: client_secret, access_token, api_key,
// password, X-Api-Key, X-Admin-Token, Cookie… They are matched as
// case-insensitive substrings, so a name is redacted when in doubt.
var secretWords = []string{"secret", "token", "password", "passwd", "key", "cookie", "credential", "authorization"}

// secretName reports whether a header or query parameter name says its value
// is secret. It runs on every header of every request, so it scans the name
// once, trying only the words that start with each letter, and does not
// allocate.
func secretName(name string) bool {
	switch name { // the usual headers, canonical, decided without a scan
	case "Accept", "Accept-Encoding", "Accept-Language", "User-Agent", "Moneykit-Version", "X-Request-Id",
		"Content-Type", "Content-Length", "Connection", "X-Mock-Session", "X-Client-Id", "Origin", "Referer",
		"Traceparent", "X-Forwarded-For", "Cache-Control", "Account_ids", "account_ids":
		return false
	case "Authorization", "X-Client-Secret", "Cookie", "Proxy-Authorization":
		return true
	}
	for i := 0; i < len(name); i++ {
		var words []string
		switch name[i] | 0x20 {
		case 's':
			words = secretWordsS
		case 't':
			words = secretWordsT
		case 'p':
			words = secretWordsP
		case 'k':
			words = secretWordsK
		case 'c':
			words = secretWordsC
		case 'a':
			words = secretWordsA
		default:
			continue
		}
		for _, w := range words {
			if hasPrefixFold(name[i:], w) {
				return true
			}
		}
	}
	return false
}

// secretWords by first letter, for secretName.
var (
	secretWordsS = []string{"secret"}
	secretWordsT = []string{"token"}
	secretWordsP = []string{"password", "passwd"}
	secretWordsK = []string{"key"}
	secretWordsC = []string{"cookie", "credential"}
	secretWordsA = []string{"authorization"}
)

// hasPrefixFold reports whether s starts with the lower-case ASCII word w, in
// any case.
func hasPrefixFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if s[j]|0x20 != w[j] {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case ASCII word w, in
// any case.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) && s[i+j]|0x20 == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// redactAs redacts v, a value of a header of kind (headerKind): as sent,
// hidden whole, or with its scheme kept ("Bearer [redacted]").
func redactAs(kind int, v string) string {
	switch kind {
	case authHeader:
		return redactCredentials(v)
	case secretHeader:
		return redactAll(v)
	}
	return v
}

// redactHeaders flattens request headers for the journal: canonical names,
// several values joined with ", ", and credentials replaced by "[redacted]":
// every header whose name says secret, token, password, key, cookie or
// credential (secretName). Authorization and Proxy-Authorization keep their
// scheme ("Bearer [redacted]") so a test can still see which kind was sent;
// an empty value stays empty, since it hides nothing and "sent empty" is
// worth seeing.
func redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		k = http.CanonicalHeaderKey(k) // no allocation when k is already canonical
		var v string
		if kind := headerKind(k); kind != plainHeader {
			v = joinValues(vs, func(v string) string { return redactAs(kind, v) })
		} else {
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
	if strings.HasPrefix(v, "Bearer ") { // what nearly every request sends
		return "Bearer " + redacted
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
	first := j.n
	for first > 0 && j.ring[j.slot(first-1)].Seq > f.SinceSeq {
		first--
	}
	var hs []held
	for i := first; i < j.n; i++ {
		if sl := &j.ring[j.slot(i)]; f.match(&sl.Request) {
			h := held{Request: sl.Request}
			if sl.data != nil {
				h.data = string(*sl.data)
			}
			hs = append(hs, h)
		}
	}
	j.mu.Unlock()
	out := make([]Request, len(hs))
	for i := range hs {
		out[i] = hs[i].Request
		decodeEntry(&out[i], hs[i].data)
	}
	return out
}

// LastSeq is the last Seq given out.
func (j *journal) LastSeq() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

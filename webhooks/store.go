package webhooks

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// Status is where a delivery stands.
type Status string

// The delivery statuses. All but StatusPending are final.
const (
	StatusPending   Status = "pending"   // queued, waiting, or being attempted
	StatusDelivered Status = "delivered" // a 2xx answer
	StatusFailed    Status = "failed"    // every attempt failed, or refused by the policy
	StatusDropped   Status = "dropped"   // never sent: queue full, scenario drop, dispatcher closed
)

// Final reports whether s is a final status.
func (s Status) Final() bool { return s != StatusPending && s != "" }

// Attempt is one POST of a delivery.
type Attempt struct {
	Number  int               `json:"number"` // 1, 2, 3…: the MoneyKit-Delivery-Attempt header
	Start   time.Time         `json:"start"`
	Headers map[string]string `json:"headers"` // as sent, the signature included
	// Status is the HTTP status, 0 when no response arrived (see Error).
	Status    int           `json:"status"`
	Error     string        `json:"error,omitempty"`
	Latency   time.Duration `json:"latency_ns"`
	Response  string        `json:"response,omitempty"` // the first bytes of the receiver's body
	Truncated bool          `json:"response_truncated,omitempty"`
}

// Record is one delivery as the store keeps it: what was sent, where, each
// attempt and how it ended. Records returned by the store are copies.
type Record struct {
	ID             string          `json:"id"`  // "whd_" and 8 digits, in creation order
	Seq            uint64          `json:"seq"` // 1, 2, 3… per dispatcher, never reused
	Session        string          `json:"session"`
	Event          Event           `json:"event"`
	LinkID         string          `json:"link_id"`
	State          string          `json:"state,omitempty"`
	URL            string          `json:"url"`
	IdempotencyKey string          `json:"idempotency_key"`
	DeliveryToken  string          `json:"delivery_token"`
	Body           json.RawMessage `json:"body"`
	Created        time.Time       `json:"created"`
	Status         Status          `json:"status"`
	Error          string          `json:"error,omitempty"` // why failed or dropped
	Attempts       []Attempt       `json:"attempts"`
	Finished       time.Time       `json:"finished,omitzero"`
	// Delay is the chaos delay before the first attempt.
	Delay time.Duration `json:"delay_ns,omitempty"`
	// DuplicateOf is the ID of the delivery this one repeats (chaos
	// duplicate); RedeliveryOf the ID Redeliver was called with.
	DuplicateOf  string `json:"duplicate_of,omitempty"`
	RedeliveryOf string `json:"redelivery_of,omitempty"`
	// SignMode is the chaos signature mode; omitted when valid.
	SignMode SignMode `json:"sign_mode,omitempty"`

	size int // bytes charged to the store
}

func (r *Record) clone() Record {
	c := *r
	c.Attempts = make([]Attempt, len(r.Attempts))
	for i, a := range r.Attempts {
		a.Headers = maps.Clone(a.Headers)
		c.Attempts[i] = a
	}
	return c
}

// Filter selects records. Zero fields match everything.
type Filter struct {
	Session string // "" = every session
	LinkID  string
	Event   Event
	// Status is one status, or "final" for any final one.
	Status Status
	// Since keeps records with Seq > Since.
	Since uint64
	// Limit keeps the newest Limit records (List only); 0 = all.
	Limit int
}

// StatusFinal is a Filter.Status matching every final status.
const StatusFinal Status = "final"

func (f Filter) match(r *Record) bool {
	switch {
	case f.Session != "" && r.Session != f.Session,
		f.LinkID != "" && r.LinkID != f.LinkID,
		f.Event != "" && r.Event != f.Event,
		r.Seq <= f.Since:
		return false
	case f.Status == StatusFinal:
		return r.Status.Final()
	case f.Status != "":
		return r.Status == f.Status
	}
	return true
}

// store keeps records per session, each session a queue bounded in count and
// bytes, oldest evicted first; total bytes over all sessions are bounded too.
// changed is closed and replaced on every change, which is how Wait sleeps
// without polling.
type store struct {
	mu       sync.Mutex
	sessions map[string][]*Record // oldest first
	bytes    map[string]int
	total    int
	maxPer   int
	maxBytes int // per session
	maxTotal int
	byID     map[string]*Record
	changed  chan struct{}
	nextSeq  uint64
}

func newStore(maxPer, maxBytes, maxTotal int) *store {
	return &store{sessions: map[string][]*Record{}, bytes: map[string]int{},
		byID: map[string]*Record{}, changed: make(chan struct{}),
		maxPer: maxPer, maxBytes: maxBytes, maxTotal: maxTotal}
}

// broadcastLocked wakes every waiter.
func (s *store) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func recordSize(r *Record) int {
	n := 512 + len(r.Body) + len(r.URL)
	for _, a := range r.Attempts {
		n += 256 + len(a.Response) + len(a.Error)
		for k, v := range a.Headers {
			n += len(k) + len(v)
		}
	}
	return n
}

// add stores r, giving it its Seq and ID, and evicts what no longer fits.
func (s *store) add(r *Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextSeq++
	r.Seq = s.nextSeq
	r.ID = deliveryID(r.Seq)
	s.sessions[r.Session] = append(s.sessions[r.Session], r)
	s.byID[r.ID] = r
	s.chargeLocked(r)
	s.broadcastLocked()
}

// update runs f on the stored record under the lock and wakes the waiters.
// A record evicted meanwhile is still updated (its owner holds it) but no
// longer visible.
func (s *store) update(r *Record, f func(r *Record)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(r)
	if _, ok := s.byID[r.ID]; ok {
		s.chargeLocked(r)
	}
	s.broadcastLocked()
}

// chargeLocked recomputes r's size and evicts old records over the bounds.
func (s *store) chargeLocked(r *Record) {
	n := recordSize(r)
	s.bytes[r.Session] += n - r.size
	s.total += n - r.size
	r.size = n
	for q := s.sessions[r.Session]; len(q) > 1 && (len(q) > s.maxPer || s.bytes[r.Session] > s.maxBytes); q = s.sessions[r.Session] {
		s.evictLocked(r.Session)
	}
	for s.total > s.maxTotal {
		// Evict the oldest record of all sessions, but never the last one of
		// the session just charged.
		var oldest string
		var seq uint64
		for sess, q := range s.sessions {
			if len(q) == 0 || (sess == r.Session && len(q) == 1) {
				continue
			}
			if oldest == "" || q[0].Seq < seq {
				oldest, seq = sess, q[0].Seq
			}
		}
		if oldest == "" {
			break
		}
		s.evictLocked(oldest)
	}
}

func (s *store) evictLocked(session string) {
	q := s.sessions[session]
	old := q[0]
	q[0] = nil
	s.sessions[session] = q[1:]
	if len(q) == 1 {
		delete(s.sessions, session)
	}
	delete(s.byID, old.ID)
	s.bytes[session] -= old.size
	s.total -= old.size
	if s.bytes[session] == 0 {
		delete(s.bytes, session)
	}
}

func (s *store) matchingLocked(f Filter) []*Record {
	var out []*Record
	if f.Session != "" {
		for _, r := range s.sessions[f.Session] {
			if f.match(r) {
				out = append(out, r)
			}
		}
		return out
	}
	for _, q := range s.sessions {
		for _, r := range q {
			if f.match(r) {
				out = append(out, r)
			}
		}
	}
	sortBySeq(out)
	return out
}

func (s *store) list(f Filter) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.matchingLocked(f)
	if f.Limit > 0 && len(m) > f.Limit {
		m = m[len(m)-f.Limit:]
	}
	out := make([]Record, len(m))
	for i, r := range m {
		out[i] = r.clone()
	}
	return out
}

func (s *store) count(f Filter) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.matchingLocked(f))
}

func (s *store) get(id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok {
		return Record{}, false
	}
	return r.clone(), true
}

func (s *store) reset(session string, all bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sess := range s.sessions {
		if all || sess == session {
			for len(s.sessions[sess]) > 0 {
				s.evictLocked(sess)
			}
		}
	}
	s.broadcastLocked()
}

// wait blocks until n records matching f (Status defaulting to "final") are
// final, and returns them, or returns ctx's error with those that were.
func (s *store) wait(ctx context.Context, f Filter, n int) ([]Record, error) {
	if f.Status == "" || f.Status == StatusPending {
		f.Status = StatusFinal
	}
	f.Limit = 0
	for {
		s.mu.Lock()
		m := s.matchingLocked(f)
		ch := s.changed
		if len(m) >= n {
			out := make([]Record, len(m))
			for i, r := range m {
				out[i] = r.clone()
			}
			s.mu.Unlock()
			return out, nil
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			out := s.list(f)
			return out, ctx.Err()
		}
	}
}

func sortBySeq(rs []*Record) {
	slices.SortFunc(rs, func(a, b *Record) int { return cmp.Compare(a.Seq, b.Seq) })
}

// deliveryID is the ID of the seq'th delivery: counter-derived, so the same
// calls in the same order give the same IDs, and sortable up to 10^8.
func deliveryID(seq uint64) string { return fmt.Sprintf("whd_%08d", seq) }

package state

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// Bounds of the in-memory store that are not knobs: a glob entry can match an
// endless stream of link IDs, and a demo server runs for weeks.
const (
	maxCallStates = 100_000 // call counters and buckets per session
	maxRuntimes   = 100_000 // links with runtime state per session
	maxLinkSess   = 10_000  // link sessions waiting for their exchange, per session
)

// NewMemory returns a Store that keeps everything in this process, bounded
// by c's MaxSessions, SessionIdle, JournalSize and JournalMB; c's SessionClock tells
// idleness.
func NewMemory(c config.Config) Store {
	c = c.WithDefaults()
	return &memory{
		def:     newWorld(""),
		named:   map[string]*named{},
		max:     max(c.MaxSessions, 1),
		idle:    c.SessionIdle,
		clock:   c.SessionClock,
		journal: newJournalBudget(c.JournalSize, c.JournalMB<<20),
	}
}

type memory struct {
	def     *world // the default session: no lock, no expiry
	mu      sync.Mutex
	named   map[string]*named
	max     int
	idle    time.Duration
	clock   func() time.Time
	journal *journal
}

type named struct {
	w    *world
	used time.Time
}

func (m *memory) Journal() Journal { return m.journal }

func (m *memory) Session(name string) Session {
	if name == "" {
		return m.def
	}
	now := m.clock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.named[name]; ok && now.Sub(s.used) < m.idle {
		s.used = now
		return s.w
	}
	for n, s := range m.named {
		if now.Sub(s.used) >= m.idle {
			delete(m.named, n)
		}
	}
	if len(m.named) >= m.max {
		var oldest string
		for n, s := range m.named {
			if oldest == "" || s.used.Before(m.named[oldest].used) {
				oldest = n
			}
		}
		delete(m.named, oldest)
	}
	w := newWorld(name)
	m.named[name] = &named{w: w, used: now}
	return w
}

func (m *memory) Peek(name string) (Session, bool) {
	if name == "" {
		return m.def, true
	}
	now := m.clock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.named[name]; ok && now.Sub(s.used) < m.idle {
		return s.w, true
	}
	return nil, false
}

func (m *memory) Reset(name string) {
	if name == "" {
		m.def.reset()
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.named, name)
}

func (m *memory) ResetAll() {
	m.def.reset()
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.named)
}

// world is one session's state.
type world struct {
	name string

	callsMu sync.Mutex
	calls   map[callKey]*callState

	mu       sync.Mutex
	runtime  map[string]*scenarios.Entry // exact link ID → entry
	runtimes map[string]*fixtures.Runtime
	minted   int
	linkSess []LinkSession // oldest first

	// nRuntime and nRuntimes mirror the lengths of the maps, so that the
	// common request, on a world with neither, takes no lock.
	nRuntime, nRuntimes atomic.Int64
}

func newWorld(name string) *world {
	return &world{name: name, calls: map[callKey]*callState{},
		runtime: map[string]*scenarios.Entry{}, runtimes: map[string]*fixtures.Runtime{}}
}

func (w *world) Name() string { return w.name }

func (w *world) reset() {
	w.mu.Lock()
	clear(w.runtime)
	clear(w.runtimes)
	w.minted = 0
	w.linkSess = nil
	w.nRuntime.Store(0)
	w.nRuntimes.Store(0)
	w.mu.Unlock()
	w.callsMu.Lock()
	clear(w.calls)
	w.callsMu.Unlock()
}

// callKey keys counters by link and by the behaviour of the entry that
// matched it, so a reload that changes an entry restarts its counters and
// one that leaves it alone keeps them.
type callKey struct {
	link string
	fp   uint64
}

// callState is what a scenario remembers about one link: how many calls it
// has counted, and its token bucket.
type callState struct {
	mu      sync.Mutex
	calls   int
	limiter *scenarios.Limiter
}

func (w *world) Call(link string, fp uint64, limit *scenarios.RateLimit, now time.Time) Call {
	st := w.callState(callKey{link, fp}, limit, now)
	st.mu.Lock()
	defer st.mu.Unlock()
	c := Call{N: st.calls + 1}
	if st.limiter != nil {
		var ok bool
		ok, c.Wait = st.limiter.Allow(now)
		c.Refused = !ok
	}
	if !c.Refused {
		st.calls = c.N
	}
	return c
}

// callState returns the state under k, making it when there is none. When
// the map is full, an arbitrary eighth of it is forgotten: those links start
// counting again, which only matters to links untouched among 100,000 others.
func (w *world) callState(k callKey, limit *scenarios.RateLimit, now time.Time) *callState {
	w.callsMu.Lock()
	defer w.callsMu.Unlock()
	if st, ok := w.calls[k]; ok {
		return st
	}
	if len(w.calls) >= maxCallStates {
		drop := maxCallStates / 8
		for key := range w.calls {
			delete(w.calls, key)
			if drop--; drop == 0 {
				break
			}
		}
	}
	st := &callState{}
	if limit != nil {
		st.limiter = scenarios.NewLimiter(*limit, now)
	}
	w.calls[k] = st
	return st
}

func (w *world) Scenario(link string) *scenarios.Entry {
	if w.nRuntime.Load() == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.runtime[link]
}

func (w *world) SetScenario(link string, e *scenarios.Entry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e == nil {
		delete(w.runtime, link)
	} else {
		if _, ok := w.runtime[link]; !ok && len(w.runtime) >= maxRuntimes {
			// Bounded like the other maps: an arbitrary eighth is forgotten.
			drop := maxRuntimes / 8
			for k := range w.runtime {
				delete(w.runtime, k)
				if drop--; drop == 0 {
					break
				}
			}
		}
		w.runtime[link] = e
	}
	w.nRuntime.Store(int64(len(w.runtime)))
}

func (w *world) Scenarios() []*scenarios.Entry {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*scenarios.Entry, 0, len(w.runtime))
	for _, e := range w.runtime {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

func (w *world) NextMinted() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.minted++
	return w.minted
}

func (w *world) Runtime(link string) (fixtures.Runtime, bool) {
	if w.nRuntimes.Load() == 0 {
		return fixtures.Runtime{}, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	rt, ok := w.runtimes[link]
	if !ok {
		return fixtures.Runtime{}, false
	}
	return rt.Clone(), true
}

func (w *world) UpdateRuntime(link string, f func(*fixtures.Runtime)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	rt := w.runtimes[link]
	if rt == nil {
		if len(w.runtimes) >= maxRuntimes {
			for k := range w.runtimes {
				delete(w.runtimes, k)
				if len(w.runtimes) < maxRuntimes*7/8 {
					break
				}
			}
		}
		rt = &fixtures.Runtime{}
		w.runtimes[link] = rt
		w.nRuntimes.Store(int64(len(w.runtimes)))
	}
	f(rt)
}

func (w *world) Links() []Link {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Link, 0, len(w.runtimes))
	for id, rt := range w.runtimes {
		out = append(out, Link{ID: id, Runtime: rt.Clone()})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Runtime.Created, out[j].Runtime.Created
		if !a.Equal(b) {
			return a.Before(b)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (w *world) PutLinkSession(ls LinkSession) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.linkSess) >= maxLinkSess {
		w.linkSess = slices.Delete(w.linkSess, 0, len(w.linkSess)-maxLinkSess+1)
	}
	w.linkSess = append(w.linkSess, ls)
}

func (w *world) TakeLinkSession(token string) (LinkSession, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, ls := range w.linkSess {
		if ls.Exchangeable == token {
			w.linkSess = slices.Delete(w.linkSess, i, i+1)
			return ls, true
		}
	}
	return LinkSession{}, false
}

func (w *world) LinkSessions() []LinkSession {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.linkSess)
}

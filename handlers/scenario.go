package handlers

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// linkState is what a scenario remembers about one link: how many calls it
// has counted, and its token bucket.
type linkState struct {
	mu      sync.Mutex
	calls   int
	limiter *scenarios.Limiter
}

// stateKey keys state by link and by the behaviour of the entry that matched
// it, so a reload that changes an entry restarts its counters and one that
// leaves it alone keeps them.
type stateKey struct {
	link string
	fp   uint64
}

// maxLinkStates bounds how many links' counters are kept: a glob entry can
// match an endless stream of link IDs, and a demo server runs for weeks.
const maxLinkStates = 100_000

type linkStates struct {
	mu sync.Mutex
	m  map[stateKey]*linkState
}

// get returns the state under k, making it with mk when there is none. When
// the map is full, an arbitrary eighth of it is forgotten: those links start
// counting again, which only matters to links untouched among 100,000 others.
func (ls *linkStates) get(k stateKey, mk func() *linkState) *linkState {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if st, ok := ls.m[k]; ok {
		return st
	}
	if ls.m == nil {
		ls.m = map[stateKey]*linkState{}
	}
	if len(ls.m) >= maxLinkStates {
		drop := maxLinkStates / 8
		for key := range ls.m {
			delete(ls.m, key)
			if drop--; drop == 0 {
				break
			}
		}
	}
	st := mk()
	ls.m[k] = st
	return st
}

// Scenarios returns the scenario set the server answers with.
func (s *Server) Scenarios() *scenarios.Set { return s.scenarios.Load() }

// SetScenarios replaces the scenario set atomically: a request sees the old set
// or the new one, never a mix. Counters of entries that did not change survive.
func (s *Server) SetScenarios(set *scenarios.Set) {
	if set == nil {
		set = scenarios.Default()
	}
	s.scenarios.Store(set)
}

// scenario applies the entry matching a link, if any, in the documented order:
// the rate-limit guard, then counting the call, then the delay, then the error
// when this call gets it. It returns the entry so that a success can be shaped
// by it, or the error to answer with.
func (s *Server) scenario(w http.ResponseWriter, r *http.Request, wd *world, linkID string) (*scenarios.Entry, error) {
	e := s.lookup(wd, linkID)
	if e == nil {
		return nil, nil
	}
	if rec, ok := w.(*recorder); ok {
		rec.scenario = e.Pattern
	}
	st := wd.states.get(stateKey{linkID, e.Fingerprint()}, func() *linkState {
		st := &linkState{}
		if e.RateLimit != nil {
			st.limiter = scenarios.NewLimiter(*e.RateLimit, s.clock.Now())
		}
		return st
	})

	st.mu.Lock()
	refused, wait := false, time.Duration(0)
	if st.limiter != nil {
		var ok bool
		ok, wait = st.limiter.Allow(s.clock.Now())
		refused = !ok
	}
	n := st.calls + 1
	if !refused {
		st.calls = n
	}
	st.mu.Unlock()

	if d := e.DelayFor(s.seed, linkID, n); d > 0 {
		if err := s.sleep(r.Context(), d); err != nil {
			return nil, err
		}
	}
	if refused {
		return nil, &APIError{Status: http.StatusTooManyRequests, Code: CodeRateLimited, Message: MsgRateLimited,
			RetryAfter: e.LimitRetryAfterSeconds(wait)}
	}
	if e.Error != "" && e.Applies(n) {
		return nil, scenarioError(e)
	}
	return e, nil
}

// enter puts a link request in its world and applies the link's scenario:
// it returns the world, the entry to shape a success with (nil for none), or
// the error the request must be answered with.
func (s *Server) enter(w http.ResponseWriter, r *http.Request, linkID string) (*world, *scenarios.Entry, error) {
	wd, err := s.worldFor(r)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.scenario(w, r, wd, linkID)
	return wd, e, err
}

// lookup finds a link's scenario: a run-time entry of its world first, then
// the files' (and the embedded catalogue's).
func (s *Server) lookup(wd *world, linkID string) *scenarios.Entry {
	set := s.scenarios.Load()
	if e := wd.runtimeEntry(linkID); e != nil {
		// Bound to the current personas, so that a fixtures reload changes
		// its fingerprint (and so its cached bodies and counters) too.
		return set.Bind(e)
	}
	return set.Lookup(linkID)
}

// scenarioError is the answer a scenario's error kind stands for.
func scenarioError(e *scenarios.Entry) *APIError {
	ae := &APIError{}
	switch e.Error {
	case scenarios.Deleted:
		ae.Status, ae.Code, ae.Message = http.StatusGone, CodeDeleted, MsgDeleted
	case scenarios.NotFound:
		ae.Status, ae.Code, ae.Message = http.StatusNotFound, CodeLinkNotFound, MsgLinkNotFound
	case scenarios.Forbidden:
		ae.Status, ae.Code, ae.Message = http.StatusForbidden, CodeForbidden, MsgForbidden
	case scenarios.BadState:
		ae.Status, ae.Code, ae.Message = http.StatusUnprocessableEntity, CodeBadState, MsgBadState
		ae.LinkErrorCode = e.LinkErrorCode
	case scenarios.RateLimited:
		ae.Status, ae.Code, ae.Message = http.StatusTooManyRequests, CodeRateLimited, MsgRateLimited
		ae.RetryAfter = e.RetryAfterSeconds()
	case scenarios.UnauthorizedAccess:
		ae.Status, ae.Code, ae.Message = http.StatusUnauthorized, CodeUnauthorizedAccess, MsgUnauthorizedAccess
	default:
		// The loader admits only the kinds above; reaching here is a bug.
		ae.Status, ae.Code, ae.Message = http.StatusInternalServerError, CodeInternal, MsgInternal
	}
	if e.Message != "" {
		ae.Message = e.Message
	}
	return ae
}

// shapes reports whether an entry changes the data of its successes.
func shapes(e *scenarios.Entry) bool {
	return e != nil && (e.Link != nil || e.Accounts != nil || e.Institution != nil || e.Fixture != "")
}

// cacheKey is where a link's body is cached: shaped answers get a key of
// their own, so that a scenario never serves another's bytes.
func cacheKey(p part, linkID string, e *scenarios.Entry) bodyKey {
	if !shapes(e) {
		return bodyKey{part: p, link: linkID}
	}
	return bodyKey{part: p, link: linkID, fp: e.Fingerprint()}
}

// generate makes a link's identity data, shaped by its scenario entry.
func (s *Server) generate(linkID string, e *scenarios.Entry) *fixtures.Identity {
	var o fixtures.Options
	if shapes(e) {
		o.Accounts = e.Accounts
		if e.Fixture != "" {
			o.Persona = s.scenarios.Load().Persona(e.Fixture)
		}
		if in := e.Institution; in != nil && (in.InstitutionID != "" || in.InstitutionName != "") {
			o.Institution = &fixtures.Institution{ID: in.InstitutionID, Name: in.InstitutionName}
			if o.Institution.ID == "" {
				o.Institution.ID = slug(in.InstitutionName)
			}
		}
	}
	id := fixtures.Generate(s.seed, linkID, o)
	if shapes(e) {
		shapeLink(&id.Link, e)
	}
	return id
}

// failedAttemptAfter is how long after its last success a shaped product's
// failed attempt is dated: a failure is the last attempt, so last_attempted_at
// moves past refreshed_at while refreshed_at keeps the last good data's time.
const failedAttemptAfter = 90 * time.Second

// shapeLink applies an entry's link and institution shaping to a generated link.
func shapeLink(l *fixtures.Link, e *scenarios.Entry) {
	if in := e.Institution; in != nil {
		if in.InstitutionAvatar != "" {
			l.InstitutionAvatar = in.InstitutionAvatar
		}
		if in.Provider != "" {
			l.Provider = in.Provider
		}
	}
	ls := e.Link
	if ls == nil {
		return
	}
	if ls.State != "" {
		l.State = ls.State
	}
	if ls.ErrorCode != "" {
		l.ErrorCode = &ls.ErrorCode
	}
	for _, name := range fixtures.ProductNames {
		ps, ok := ls.Products[name]
		if !ok {
			continue
		}
		p := l.Products.Ensure(name, l.LastSyncedAt)
		if ps.ErrorCode != "" {
			p.ErrorCode = &ps.ErrorCode
			if p.RefreshedAt != nil {
				p.LastAttemptedAt = ptr(fixtures.Time(time.Time(*p.RefreshedAt).Add(failedAttemptAfter)))
			}
		}
		if ps.ErrorMessage != "" {
			p.ErrorMessage = &ps.ErrorMessage
		}
		if ps.Unavailable != "" {
			p.Unavailable = &ps.Unavailable
		}
	}
	l.AvailableProducts = fixtures.AvailableProducts(&l.Products)
}

// slug makes an institution ID from a name: "First Local Bank" is first_local_bank.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

func ptr[T any](v T) *T { return &v }

// sleepContext waits d or until ctx is done, whichever comes first.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

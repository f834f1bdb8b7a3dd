package handlers

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// world is everything a test can change at run time: scenarios set through the
// admin API, call counters and rate-limit buckets, product refreshes and the
// count of minted links. File scenarios and personas are shared by all worlds;
// a world only adds to them.
type world struct {
	states linkStates

	mu      sync.Mutex
	runtime map[string]*scenarios.Entry // exact link ID → entry
	refresh map[string]*linkRefresh     // link ID → its products' refreshes
	minted  int

	// nRuntime and nRefresh mirror len(runtime) and len(refresh), so that
	// the common request, on a world with neither, takes no lock.
	nRuntime, nRefresh atomic.Int64
}

func newWorld() *world {
	return &world{runtime: map[string]*scenarios.Entry{}, refresh: map[string]*linkRefresh{}}
}

// reset puts the world back as new: no run-time scenarios, counters, buckets,
// refreshes or minted links.
func (w *world) reset() {
	w.mu.Lock()
	clear(w.runtime)
	clear(w.refresh)
	w.minted = 0
	w.nRuntime.Store(0)
	w.nRefresh.Store(0)
	w.mu.Unlock()
	w.states.mu.Lock()
	clear(w.states.m)
	w.states.mu.Unlock()
}

// maxRefreshedLinks bounds how many links' refresh state a world keeps.
const maxRefreshedLinks = 100_000

// runtimeEntry returns the run-time scenario of a link, if any.
func (w *world) runtimeEntry(linkID string) *scenarios.Entry {
	if w.nRuntime.Load() == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.runtime[linkID]
}

// setRuntime sets (or, with nil, removes) a link's run-time scenario.
func (w *world) setRuntime(linkID string, e *scenarios.Entry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e == nil {
		delete(w.runtime, linkID)
	} else {
		w.runtime[linkID] = e
	}
	w.nRuntime.Store(int64(len(w.runtime)))
}

// runtimeEntries lists the run-time scenarios by link ID.
func (w *world) runtimeEntries() []*scenarios.Entry {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*scenarios.Entry, 0, len(w.runtime))
	for _, e := range w.runtime {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// nextMinted returns the number of the next minted link, from 1.
func (w *world) nextMinted() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.minted++
	return w.minted
}

// linkRefresh is the state of a link's product refreshes.
type linkRefresh struct {
	products map[string]*productRefresh
}

// productRefresh is one product's latest refresh request.
type productRefresh struct {
	// requested is when the latest refresh was asked for; it is the
	// last_attempted_at until the attempt ends.
	requested time.Time
	// done is when the attempt ends: at that moment last_attempted_at moves
	// to it, and refreshed_at too when it succeeds.
	done time.Time
	// ends is when the attempt ends by the clock. It equals done unless the
	// stamps were moved forward past a clock that stands before the data.
	ends time.Time
	// fail is the product error_code the attempt ends with; "" succeeds.
	fail string
	// succeeded is when an earlier refresh last succeeded, if one did: the
	// refreshed_at shown while a later attempt runs or after it fails.
	succeeded time.Time
}

// requestRefresh records a refresh of products at now, ending delay later, with
// the error failFor gives each product ("" for success). notBefore gives each
// product's latest time as the link shows it: an attempt is never stamped
// before it, so a product's times only move forward even on a clock pinned
// before the generated data.
func (w *world) requestRefresh(linkID string, products []string, now time.Time, delay time.Duration, failFor func(product string) string, notBefore func(product string) time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	lr := w.refresh[linkID]
	if lr == nil {
		if len(w.refresh) >= maxRefreshedLinks {
			for k := range w.refresh {
				delete(w.refresh, k)
				if len(w.refresh) < maxRefreshedLinks*7/8 {
					break
				}
			}
		}
		lr = &linkRefresh{products: map[string]*productRefresh{}}
		w.refresh[linkID] = lr
		w.nRefresh.Store(int64(len(w.refresh)))
	}
	for _, p := range products {
		start := now
		if floor := notBefore(p); start.Before(floor) {
			start = floor
		}
		pr := &productRefresh{requested: start, done: start.Add(delay), ends: now.Add(delay), fail: failFor(p)}
		if prev := lr.products[p]; prev != nil {
			pr.succeeded = prev.succeeded
			if !now.Before(prev.ends) && prev.fail == "" {
				pr.succeeded = prev.done
			}
		}
		lr.products[p] = pr
	}
}

// hasRefresh reports whether a link has refresh state, so its answers cannot
// come from the cache of generated bodies.
func (w *world) hasRefresh(linkID string) bool {
	if w.nRefresh.Load() == 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.refresh[linkID] != nil
}

// refreshFailedMessage is the error_message of a product whose refresh failed.
const refreshFailedMessage = "The refresh of this product failed"

// applyRefresh writes a link's refresh state at now into its generated data:
// last_attempted_at moves to the request at once; when the attempt ends it
// moves to the end, and refreshed_at with it if the attempt succeeded (so
// last_attempted_at is never before refreshed_at). A failure leaves
// refreshed_at at the last success and sets the product's error_code.
func (w *world) applyRefresh(linkID string, id *fixtures.Identity, now time.Time) {
	if w.nRefresh.Load() == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	lr := w.refresh[linkID]
	if lr == nil {
		return
	}
	l := &id.Link
	for _, name := range fixtures.ProductNames {
		pr := lr.products[name]
		if pr == nil {
			continue
		}
		p := l.Products.Ensure(name, nil)
		if !pr.succeeded.IsZero() {
			p.RefreshedAt = ptr(fixtures.Time(pr.succeeded))
			p.ErrorCode, p.ErrorMessage = nil, nil
		}
		p.LastAttemptedAt = ptr(fixtures.Time(pr.requested))
		if now.Before(pr.ends) {
			continue
		}
		p.LastAttemptedAt = ptr(fixtures.Time(pr.done))
		if pr.fail == "" {
			p.RefreshedAt = p.LastAttemptedAt
			p.ErrorCode, p.ErrorMessage = nil, nil
			if l.LastSyncedAt == nil || time.Time(*l.LastSyncedAt).Before(pr.done) {
				l.LastSyncedAt = p.RefreshedAt
			}
			if name == "accounts" {
				for i := range id.Accounts {
					id.Accounts[i].Balances.BalanceDate = p.RefreshedAt
				}
			}
			if name == "transactions" {
				l.Products.Transactions.LastEnriched = p.RefreshedAt
			}
		} else {
			p.ErrorCode, p.ErrorMessage = ptr(pr.fail), ptr(refreshFailedMessage)
		}
	}
	l.AvailableProducts = fixtures.AvailableProducts(&l.Products)
}

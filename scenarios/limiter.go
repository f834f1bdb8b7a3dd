package scenarios

import (
	"sync"
	"time"
)

// Limiter is the token bucket of one link's rate_limit: a burst of Requests
// that refills at Requests per Per. Time is passed in, so tests need no
// sleeping. It is safe for concurrent use.
//
// It is a GCRA (generic cell rate algorithm), which behaves exactly like a
// token bucket but keeps a single time instead of a fractional token count.
type Limiter struct {
	mu        sync.Mutex
	interval  time.Duration // time to earn one token: Per / Requests
	tolerance time.Duration // how far ahead of now tat may run: a burst minus one
	tat       time.Time     // theoretical arrival time of the next request
}

// NewLimiter returns a full bucket for rl at time now. rl must be valid, as
// Parse guarantees (Requests >= 1, Per > 0).
func NewLimiter(rl RateLimit, now time.Time) *Limiter {
	requests := max(rl.Requests, 1)
	interval := max(rl.Per/time.Duration(requests), 1)
	return &Limiter{interval: interval, tolerance: interval * time.Duration(requests-1), tat: now}
}

// Allow takes a token at time now. When the bucket is empty it returns false
// and the Retry-After for the refusal: the time until the next token, rounded
// up to whole seconds, at least 1s. A refused request takes nothing.
func (l *Limiter) Allow(now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.tat
	if tat.Before(now) {
		tat = now
	}
	if wait := tat.Sub(now) - l.tolerance; wait > 0 {
		return false, ceilSeconds(wait)
	}
	l.tat = tat.Add(l.interval)
	return true, 0
}

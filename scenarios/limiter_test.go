package scenarios

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2024, 1, 9, 10, 0, 0, 0, time.UTC)

// TestLimiter walks a bucket through time; "at" is the offset from t0 of
// each request, in order.
func TestLimiter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rl    RateLimit
		steps []step
	}{
		{"burst, refusal, refill", RateLimit{Requests: 5, Per: time.Minute}, []step{
			{0, true, 0}, {0, true, 0}, {0, true, 0}, {0, true, 0}, {0, true, 0}, // the burst
			{0, false, 12 * time.Second}, // one token per 12s
			{time.Second, false, 11 * time.Second},
			{11500 * time.Millisecond, false, time.Second}, // 0.5s left: rounded up
			{12 * time.Second, true, 0},
			{12 * time.Second, false, 12 * time.Second},
			{36 * time.Second, true, 0}, // two tokens earned by now
			{36 * time.Second, true, 0},
			{36 * time.Second, false, 12 * time.Second},
		}},
		{"refill stops at the burst", RateLimit{Requests: 2, Per: time.Minute}, []step{
			{0, true, 0}, {0, true, 0},
			{time.Hour, true, 0}, {time.Hour, true, 0},
			{time.Hour, false, 30 * time.Second},
		}},
		{"one per hour", RateLimit{Requests: 1, Per: time.Hour}, []step{
			{0, true, 0},
			{0, false, time.Hour},
			{59 * time.Minute, false, time.Minute},
			{time.Hour, true, 0},
		}},
		{"clock going back", RateLimit{Requests: 1, Per: time.Minute}, []step{
			{time.Minute, true, 0},
			{0, false, 2 * time.Minute},
			{2 * time.Minute, true, 0},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLimiter(tc.rl, t0)
			for i, s := range tc.steps {
				ok, retry := l.Allow(t0.Add(s.at))
				if ok != s.ok || retry != s.retry {
					t.Errorf("step %d at +%v: Allow = %v, %v; want %v, %v", i+1, s.at, ok, retry, s.ok, s.retry)
				}
			}
		})
	}
	t.Run("fast bucket rounds Retry-After up to 1s", func(t *testing.T) {
		l := NewLimiter(RateLimit{Requests: 100, Per: time.Second}, t0)
		for range 100 {
			l.Allow(t0)
		}
		if ok, retry := l.Allow(t0); ok || retry != time.Second {
			t.Errorf("Allow after the burst = %v, %v; want false, 1s", ok, retry)
		}
	})
}

type step struct {
	at    time.Duration
	ok    bool
	retry time.Duration
}

// TestLimiterConcurrent lets many goroutines race for a burst of 10.
func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(RateLimit{Requests: 10, Per: time.Minute}, t0)
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Allow(t0); ok {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if got := allowed.Load(); got != 10 {
		t.Errorf("%d requests allowed, want the burst of 10", got)
	}
}

package handlers

import (
	"sync"
	"time"
)

// MockClock is the server's one clock: every time the mock writes or compares
// (token expiry, refresh attempts and completions, rate-limit buckets) comes
// from it. It runs on real time plus an offset, or is pinned to an instant for
// byte-stable snapshots; POST /_mock/clock moves it either way.
type MockClock struct {
	mu     sync.Mutex
	pinned bool
	at     time.Time     // the instant, when pinned
	offset time.Duration // added to real time, when not pinned
	start  time.Time     // the pinned instant it was made with, for Reset
	now    func() time.Time
}

// NewRealClock returns a clock that follows real time.
func NewRealClock() *MockClock { return &MockClock{now: time.Now} }

// NewPinnedClock returns a clock that stands still at t until moved.
func NewPinnedClock(t time.Time) *MockClock {
	return &MockClock{pinned: true, at: t.UTC(), start: t.UTC(), now: time.Now}
}

// Now returns the clock's time.
func (c *MockClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pinned {
		return c.at
	}
	return c.now().Add(c.offset)
}

// Pinned reports whether the clock stands still.
func (c *MockClock) Pinned() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pinned
}

// Advance moves the clock forward by d (back, if d is negative) and returns
// the new time. A real clock keeps running from there.
func (c *MockClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	if c.pinned {
		c.at = c.at.Add(d)
	} else {
		c.offset += d
	}
	c.mu.Unlock()
	return c.Now()
}

// Set moves the clock to t and returns it. A real clock keeps running from t.
func (c *MockClock) Set(t time.Time) time.Time {
	c.mu.Lock()
	if c.pinned {
		c.at = t.UTC()
	} else {
		c.offset = t.Sub(c.now())
	}
	c.mu.Unlock()
	return c.Now()
}

// Reset puts the clock back where it started: the pinned instant it was made
// with, or real time with no offset.
func (c *MockClock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.offset = c.start, 0
}

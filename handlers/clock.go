package handlers

import (
	"sync"
	"sync/atomic"
	"time"
)

// MockClock is the server's one clock: every time the mock writes or compares
// (token expiry, refresh attempts and completions, rate-limit buckets) comes
// from it. It runs on real time plus an offset, or is pinned to an instant for
// byte-stable snapshots; POST /_mock/clock moves it either way.
type MockClock struct {
	mu    sync.Mutex // serializes writers; Now only loads
	state atomic.Pointer[clockState]
	start time.Time // the pinned instant it was made with, for Reset
	// startPinned is whether it was made pinned: Pin can change that, and
	// Reset puts it back.
	startPinned bool
	now         func() time.Time
}

// clockState is replaced whole on every change, so Now, which runs on every
// request, is one atomic load and takes no lock.
type clockState struct {
	pinned bool
	at     time.Time     // the instant, when pinned
	offset time.Duration // added to real time, when not pinned
}

// NewRealClock returns a clock that follows real time.
func NewRealClock() *MockClock {
	c := &MockClock{now: time.Now}
	c.state.Store(&clockState{})
	return c
}

// NewPinnedClock returns a clock that stands still at t until moved.
func NewPinnedClock(t time.Time) *MockClock {
	c := &MockClock{start: t.UTC(), startPinned: true, now: time.Now}
	c.state.Store(&clockState{pinned: true, at: t.UTC()})
	return c
}

// Now returns the clock's time.
func (c *MockClock) Now() time.Time {
	st := c.state.Load()
	if st.pinned {
		return st.at
	}
	return c.now().Add(st.offset)
}

// Pinned reports whether the clock stands still.
func (c *MockClock) Pinned() bool { return c.state.Load().pinned }

// update replaces the state with f applied to a copy of it.
func (c *MockClock) update(f func(*clockState)) time.Time {
	c.mu.Lock()
	st := *c.state.Load()
	f(&st)
	c.state.Store(&st)
	c.mu.Unlock()
	return c.Now()
}

// Advance moves the clock forward by d (back, if d is negative) and returns
// the new time. A real clock keeps running from there.
func (c *MockClock) Advance(d time.Duration) time.Time {
	return c.update(func(st *clockState) {
		if st.pinned {
			st.at = st.at.Add(d)
		} else {
			st.offset += d
		}
	})
}

// Set moves the clock to t and returns it. A real clock keeps running from t.
func (c *MockClock) Set(t time.Time) time.Time {
	return c.update(func(st *clockState) {
		if st.pinned {
			st.at = t.UTC()
		} else {
			st.offset = t.Sub(c.now())
		}
	})
}

// Reset puts the clock back where it started: the pinned instant it was made
// with, or real time with no offset.
func (c *MockClock) Reset() {
	c.update(func(st *clockState) { st.pinned, st.at, st.offset = c.startPinned, c.start, 0 })
}

package state

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
)

// Clock is the server's one clock: every time the mock writes or compares
// (token expiry, refresh attempts and completions, rate-limit buckets) comes
// from it. It runs on real time plus an offset, or is pinned to an instant for
// byte-stable snapshots; POST /_mock/clock moves it either way. It stays in
// [config.ClockMin, config.ClockMax]: Advance and Set clamp into it, and
// TryAdvance and TrySet refuse to leave it.
type Clock struct {
	mu    sync.Mutex // serializes writers; Now only loads
	state atomic.Pointer[clockState]
	start time.Time // the pinned instant it was made with, for Reset
	// startPinned is whether it was made pinned: Pin can change that, and
	// Reset puts it back.
	startPinned bool
	now         func() time.Time
	// changed is closed, and replaced, whenever the clock is moved; it is
	// made on the first call of Changed.
	changed chan struct{}
}

// clockState is replaced whole on every change, so Now, which runs on every
// request, is one atomic load and takes no lock.
type clockState struct {
	pinned bool
	at     time.Time     // the instant, when pinned
	offset time.Duration // added to real time, when not pinned
}

// NewRealClock returns a clock that follows real time.
func NewRealClock() *Clock {
	c := &Clock{now: time.Now}
	c.state.Store(&clockState{})
	return c
}

// NewPinnedClock returns a clock that stands still at t until moved.
func NewPinnedClock(t time.Time) *Clock {
	c := &Clock{start: t.UTC(), startPinned: true, now: time.Now}
	c.state.Store(&clockState{pinned: true, at: t.UTC()})
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	st := c.state.Load()
	if st.pinned {
		return st.at
	}
	return c.now().Add(st.offset)
}

// Pinned reports whether the clock stands still.
func (c *Clock) Pinned() bool { return c.state.Load().pinned }

// update replaces the state with f applied to a copy of it.
func (c *Clock) update(f func(*clockState)) time.Time {
	c.mu.Lock()
	st := *c.state.Load()
	f(&st)
	c.state.Store(&st)
	c.notify()
	c.mu.Unlock()
	return c.Now()
}

// moveTo moves the clock to the instant target computes from the current
// one, or, when check is set and the target is outside [config.ClockMin,
// config.ClockMax], leaves it and returns the error. Without check the target
// is clamped into that range. The target is computed as a time.Time, which
// does not overflow, and the offset of a real clock is derived from it, so no
// sum of durations can wrap.
func (c *Clock) moveTo(target func(now time.Time) time.Time, check bool) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := *c.state.Load()
	real := c.now()
	now := st.at
	if !st.pinned {
		now = real.Add(st.offset)
	}
	t := target(now).UTC()
	if err := config.CheckClock(t); err != nil {
		if check {
			return now, err
		}
		t = clampClock(t)
	}
	if st.pinned {
		st.at = t
	} else {
		st.offset = t.Sub(real)
	}
	c.state.Store(&st)
	c.notify()
	return t, nil
}

// notify wakes whoever waits on Changed; the caller holds c.mu.
func (c *Clock) notify() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

func clampClock(t time.Time) time.Time {
	switch {
	case t.Before(config.ClockMin):
		return config.ClockMin
	case t.After(config.ClockMax):
		return config.ClockMax
	}
	return t
}

// Advance moves the clock forward by d (back, if d is negative) and returns
// the new time, clamped into the clock's range (config.ClockMin to
// config.ClockMax). A real clock keeps running from there.
func (c *Clock) Advance(d time.Duration) time.Time {
	t, _ := c.moveTo(func(now time.Time) time.Time { return now.Add(d) }, false)
	return t
}

// TryAdvance is Advance that refuses, and leaves the clock, when the new
// time would be outside the clock's range.
func (c *Clock) TryAdvance(d time.Duration) (time.Time, error) {
	return c.moveTo(func(now time.Time) time.Time { return now.Add(d) }, true)
}

// Set moves the clock to t, clamped into the clock's range, and returns it.
// A real clock keeps running from t.
func (c *Clock) Set(t time.Time) time.Time {
	t, _ = c.moveTo(func(time.Time) time.Time { return t }, false)
	return t
}

// TrySet is Set that refuses, and leaves the clock, when t is outside the
// clock's range.
func (c *Clock) TrySet(t time.Time) (time.Time, error) {
	return c.moveTo(func(time.Time) time.Time { return t }, true)
}

// Reset puts the clock back where it started: the pinned instant it was made
// with, or real time with no offset.
func (c *Clock) Reset() {
	c.update(func(st *clockState) { st.pinned, st.at, st.offset = c.startPinned, c.start, 0 })
}

// NewClock returns a clock pinned at t, or one that follows real time when t
// is the zero time (config.Config.Clock's convention).
func NewClock(t time.Time) *Clock {
	if t.IsZero() {
		return NewRealClock()
	}
	return NewPinnedClock(t)
}

// Changed returns a channel that is closed the next time the clock is moved
// (Advance, Set, Reset), so that work due at a clock time (a refresh's end)
// can wait for it without polling.
func (c *Clock) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

// Pin stops the clock at the time it shows (pinned true) or lets it run on
// from that time (pinned false), and returns that time. Either way Now does
// not jump: only whether it moves changes.
func (c *Clock) Pin(pinned bool) time.Time {
	return c.update(func(st *clockState) {
		switch {
		case pinned && !st.pinned:
			st.at, st.pinned = c.now().Add(st.offset).UTC(), true
		case !pinned && st.pinned:
			st.offset, st.pinned = st.at.Sub(c.now()), false
		}
	})
}

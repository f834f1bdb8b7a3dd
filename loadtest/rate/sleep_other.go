//go:build !linux

package main

import "time"

// sleeper falls back to time.Sleep, whose precision off Linux is whatever the
// runtime gives; lateness is counted in the latency, never hidden.
type sleeper struct{}

func newSleeper() (*sleeper, bool) { return &sleeper{}, true }

func (s *sleeper) sleep(d time.Duration) { time.Sleep(d) }

func (s *sleeper) close() {}

//go:build linux

package main

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// sleeper waits with sub-millisecond precision. The Go runtime's timers wait
// in epoll with a whole-millisecond timeout, so time.Sleep(100µs) in an
// otherwise idle process takes about 1 ms; for an open-loop generator that
// would add up to a millisecond of bogus latency to every request. A timerfd
// fires at the exact time, and because it is read through the runtime's
// poller, the goroutine parks like any network read: no spinning, no thread.
type sleeper struct {
	fd   uintptr
	f    *os.File
	spec itimerspec
	buf  [8]byte
}

type itimerspec struct {
	interval, value syscall.Timespec
}

// newSleeper returns a timerfd sleeper, or a time.Sleep one (fallback true)
// if timerfd is unavailable.
func newSleeper() (*sleeper, bool) {
	const clockMonotonic = 1
	fd, _, errno := syscall.Syscall(syscall.SYS_TIMERFD_CREATE, clockMonotonic,
		syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return &sleeper{}, true
	}
	// A non-blocking fd makes os.NewFile register it with the runtime poller.
	return &sleeper{fd: fd, f: os.NewFile(fd, "timerfd")}, false
}

func (s *sleeper) sleep(d time.Duration) {
	if s.f == nil {
		time.Sleep(d)
		return
	}
	s.spec.value = syscall.NsecToTimespec(int64(d))
	_, _, errno := syscall.Syscall6(syscall.SYS_TIMERFD_SETTIME, s.fd, 0,
		uintptr(unsafe.Pointer(&s.spec)), 0, 0, 0)
	if errno != 0 {
		time.Sleep(d)
		return
	}
	if _, err := s.f.Read(s.buf[:]); err != nil {
		time.Sleep(d)
	}
}

func (s *sleeper) close() {
	if s.f != nil {
		_ = s.f.Close()
		s.f = nil
	}
}

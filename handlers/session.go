package handlers

import (
	"net/http"
	"sync"
	"time"
)

// headerSession names the session a request belongs to. Requests without it
// share the default session.
const headerSession = "X-Mock-Session"

// Defaults for sessions: enough for a large parallel test suite, and bounded
// so that a long-running demo server cannot be grown without limit.
const (
	DefaultMaxSessions = 1000
	DefaultSessionIdle = 30 * time.Minute
	maxSessionNameLen  = 128
)

// sessions are the worlds of named sessions: each X-Mock-Session gets its own
// run-time scenarios, counters, buckets, refreshes and minted links, on top of
// the shared file scenarios. They are bounded in number (the least recently
// used goes first) and forgotten after being idle for a while.
type sessions struct {
	mu    sync.Mutex
	m     map[string]*session
	max   int
	idle  time.Duration
	clock func() time.Time
}

type session struct {
	w    *world
	used time.Time
}

func newSessions(max int, idle time.Duration, clock func() time.Time) *sessions {
	if max <= 0 {
		max = DefaultMaxSessions
	}
	if idle <= 0 {
		idle = DefaultSessionIdle
	}
	return &sessions{m: map[string]*session{}, max: max, idle: idle, clock: clock}
}

// get returns a session's world, making it when it is new or expired.
func (ss *sessions) get(name string) *world {
	now := ss.clock()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[name]; ok && now.Sub(s.used) < ss.idle {
		s.used = now
		return s.w
	}
	ss.expire(now)
	if len(ss.m) >= ss.max {
		var oldest string
		for n, s := range ss.m {
			if oldest == "" || s.used.Before(ss.m[oldest].used) {
				oldest = n
			}
		}
		delete(ss.m, oldest)
	}
	s := &session{w: newWorld(), used: now}
	ss.m[name] = s
	return s.w
}

// peek returns a session's world if it exists and is not expired, without
// making one: reading state must not create sessions.
func (ss *sessions) peek(name string) *world {
	now := ss.clock()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[name]; ok && now.Sub(s.used) < ss.idle {
		return s.w
	}
	return nil
}

// expire forgets idle sessions. The caller holds ss.mu.
func (ss *sessions) expire(now time.Time) {
	for n, s := range ss.m {
		if now.Sub(s.used) >= ss.idle {
			delete(ss.m, n)
		}
	}
}

// drop forgets one session; reset forgets them all.
func (ss *sessions) drop(name string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, name)
}

func (ss *sessions) reset() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	clear(ss.m)
}

// sessionName reads a request's session, checking it is a plain token.
func sessionName(r *http.Request) (string, error) {
	name := header(r, headerSession)
	if name == "" {
		return "", nil
	}
	if len(name) > maxSessionNameLen || !plainToken(name) {
		return "", errValidation(http.StatusBadRequest, []any{"header", "x-mock-session"},
			"X-Mock-Session must be 1 to 128 letters, digits or - _ . :", "value_error")
	}
	return name, nil
}

// worldFor returns the world a request acts in: its session's, or the
// default one.
func (s *Server) worldFor(r *http.Request) (*world, error) {
	name, err := sessionName(r)
	if err != nil || name == "" {
		return s.world, err
	}
	return s.sessions.get(name), nil
}

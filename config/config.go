// Package config is the mock's one options type: every knob, with its default
// written once ([Config.WithDefaults]) and its checks written once
// ([Config.Validate]). The command maps its flags and environment variables
// onto a Config, and mock.New builds the server from one; handlers and state
// read their settings from it. Adding a knob is one field here, one flag line
// in main.go and one README row.
//
// It imports only the standard library, so every package may import it.
package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The sandbox credentials a mock accepts unless told otherwise.
const (
	StaticToken         = "sandbox-token"
	DefaultClientID     = "mock_client_id"
	DefaultClientSecret = "mock_client_secret"
)

// ClockMin and ClockMax bound the instants the clock accepts, at start-up
// (Config.Clock, --clock) and from POST /_mock/clock: 1970-01-01T00:00:00Z to
// 2261-12-31T23:59:59.999999999Z, both included. Inside it, Unix seconds are
// never negative, Unix nanoseconds fit an int64 (which ends in April 2262),
// and the offset a real clock keeps from real time fits a time.Duration (292
// years either way) for as long as real time itself is before 2262.
var (
	ClockMin = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	ClockMax = time.Date(2261, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// ClockRange is the clock's range as the messages that refuse an instant
// outside it say it.
const ClockRange = "1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z"

// CheckClock reports whether the clock can be at t: nil inside
// [ClockMin, ClockMax], an error naming the range outside it.
func CheckClock(t time.Time) error {
	if t.Before(ClockMin) || t.After(ClockMax) {
		return fmt.Errorf("%s is outside the clock's range, %s", t.UTC().Format(time.RFC3339Nano), ClockRange)
	}
	return nil
}

// Config says how to build a mock. The zero value of every field means its
// default (see WithDefaults), so Config{} is the mock the command serves by
// default, with a silent log.
type Config struct {
	// Addr is where the command listens (default 127.0.0.1:8080).
	Addr string
	// Seed makes all generated data: the same seed gives the same bytes.
	// 0 means 1, the default.
	Seed uint64

	// Scenarios is a scenario file (the --scenarios format), layered over
	// the embedded catalogue; nil for none.
	Scenarios []byte
	// Fixtures is a persona file (the --fixtures format), layered over the
	// embedded personas; nil for none.
	Fixtures []byte
	// ScenarioPaths and FixturePaths are scenario and persona files or
	// directories, read as --scenarios and --fixtures read them; Scenarios
	// and Fixtures are layered after them.
	ScenarioPaths, FixturePaths []string

	// Clock is where the clock is pinned, so answers are byte-stable; the
	// zero time means real time. It must be in [ClockMin, ClockMax].
	Clock time.Time

	// ClientID and ClientSecret are the sandbox credentials (default
	// DefaultClientID and DefaultClientSecret).
	ClientID, ClientSecret string
	// StaticToken is a bearer token that is always accepted (default
	// StaticToken); NoStaticToken turns it off.
	StaticToken   string
	NoStaticToken bool
	// TokenTTL is how long a token from POST /auth/token lives (default 1h).
	TokenTTL time.Duration

	// RefreshDelay is how long a product refresh takes unless a scenario
	// says otherwise (default 3s: long enough to see it in progress, short
	// enough to wait for by hand).
	RefreshDelay time.Duration
	// CORSOrigins lists the origins browsers may call from; "*" (the
	// default) is any origin: a frontend on localhost:3000 calling the mock on
	// localhost:8080 is the common case. NoCORS sends no CORS headers at all.
	CORSOrigins []string
	NoCORS      bool
	// MemoryMB is the memory the whole process may use, in MiB, as the
	// kernel counts it (RSS; default 64, to fit a 64 MiB container). It
	// drives the Go runtime's memory limit (GoMemoryLimit) and, unless
	// CacheMB says otherwise, the share of generated bodies in it.
	MemoryMB int64
	// CacheMB bounds the cache of generated bodies, in MiB; 0 (the
	// default) means half of MemoryMB, less below 40 (see CacheBytes). It
	// is part of MemoryMB, not added to it.
	CacheMB int64
	// AdminToken, when set, is the bearer token every /_mock/ route needs.
	AdminToken string
	// JournalSize is how many requests GET /_mock/requests keeps (default 1000).
	JournalSize int
	// JournalMB bounds the journal's memory in MiB (default 8): the oldest
	// entries go first when the entries held would take more. Each entry is
	// bounded too, when it is recorded (state.MaxJournalValue and
	// state.MaxJournalEntry).
	JournalMB int64
	// MaxSessions and SessionIdle bound the X-Mock-Session worlds (defaults
	// 1000 and 30m): enough for a large parallel test suite, and bounded so
	// that a long-running demo server cannot be grown without limit.
	MaxSessions int
	SessionIdle time.Duration

	// WebhookURL, when set, is the webhook of every link that has none of
	// its own (from a link session, PATCH /links/{id}, a persona or a scenario).
	WebhookURL string
	// WebhookKeyFile is a PEM file with the ES256 key that signs webhooks;
	// empty derives the key from the seed. WebhookRotate serves a second
	// key, signs with it, and keeps the first key's kid in the JWKS.
	WebhookKeyFile string
	WebhookRotate  bool
	// WebhookAllow lists hosts, IPs and CIDRs webhooks may reach besides
	// public addresses. Loopback and private targets are allowed without
	// it only while the mock listens on loopback.
	WebhookAllow []string
	// WebhookAttempts bounds the attempts of one delivery (default 5), with
	// waits doubling from WebhookBackoff (default 200ms).
	WebhookAttempts int
	WebhookBackoff  time.Duration

	// NewerEnums lets answers carry enum values only newer SDK generations
	// accept (enrichment in available_products). Off (the default), every
	// SDK generation from 0.0.1 to 0.2.3 accepts every answer.
	NewerEnums bool
	// ShutdownTimeout is how long the command lets in-flight requests finish
	// after SIGINT or SIGTERM (default 65s: a scenario's delay is at most 60s).
	ShutdownTimeout time.Duration

	// LogFormat is text or json (default text); LogLevel defaults to info.
	// Only the command reads them: it builds Logger from them.
	LogFormat string
	LogLevel  slog.Level
	// Logger gets one line per request (default: discard).
	Logger *slog.Logger

	// Test hooks, for Go tests of the mock itself.
	//
	// Sleep waits out a scenario's delay (default: a timer that ends early
	// when ctx is done). SessionClock tells sessions' idleness (default
	// time.Now; deliberately not Clock, so moving the API's clock forward in
	// a test never expires the test's own session).
	Sleep        func(ctx context.Context, d time.Duration) error
	SessionClock func() time.Time
}

// WithDefaults returns c with every zero field set to its default. It is the
// one place defaults are written.
func (c Config) WithDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.Seed == 0 {
		c.Seed = 1 // fixtures.Seed never returns 0 either, so 0 cannot mean itself
	}
	if c.ClientID == "" {
		c.ClientID = DefaultClientID
	}
	if c.ClientSecret == "" {
		c.ClientSecret = DefaultClientSecret
	}
	switch {
	case c.NoStaticToken:
		c.StaticToken = ""
	case c.StaticToken == "":
		c.StaticToken = StaticToken
	}
	switch {
	case c.NoCORS:
		c.CORSOrigins = nil
	case len(c.CORSOrigins) == 0:
		c.CORSOrigins = []string{"*"}
	}
	if c.TokenTTL == 0 {
		c.TokenTTL = time.Hour
	}
	if c.RefreshDelay == 0 {
		c.RefreshDelay = 3 * time.Second
	}
	if c.MemoryMB == 0 {
		c.MemoryMB = 64
	}
	if c.JournalSize == 0 {
		c.JournalSize = 1000
	}
	if c.JournalMB == 0 {
		c.JournalMB = 8
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = 1000
	}
	if c.SessionIdle == 0 {
		c.SessionIdle = 30 * time.Minute
	}
	if c.WebhookAttempts == 0 {
		c.WebhookAttempts = 5
	}
	if c.WebhookBackoff == 0 {
		c.WebhookBackoff = 200 * time.Millisecond
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 65 * time.Second
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.SessionClock == nil {
		c.SessionClock = time.Now
	}
	return c
}

// Default is Config{}.WithDefaults(): what the command runs with when no
// flag or environment variable says otherwise.
func Default() Config { return Config{}.WithDefaults() }

// Validate reports every problem with c, one error each, joined; nil when
// there is none. It checks c as given, so call it after WithDefaults.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log format %q: want text or json", c.LogFormat)
	}
	if c.TokenTTL <= 0 {
		bad("token ttl %s: must be positive", c.TokenTTL)
	}
	if c.JournalSize < 1 {
		bad("journal size %d: must be at least 1", c.JournalSize)
	}
	if c.JournalMB < 1 {
		bad("journal size %d MiB: must be at least 1", c.JournalMB)
	}
	if c.RefreshDelay <= 0 {
		bad("refresh delay %s: must be positive", c.RefreshDelay)
	}
	if c.MemoryMB < MinMemoryMB {
		bad("memory %d MiB: must be at least %d", c.MemoryMB, MinMemoryMB)
	}
	if most := c.MemoryMB - memoryReserveMB(c.MemoryMB) - goHeapMinMB; c.CacheMB < 0 || c.CacheMB > most && c.MemoryMB >= MinMemoryMB {
		bad("cache size %d MiB: must be 1 to %d, leaving the rest of the process room in %d MiB of memory", c.CacheMB, most, c.MemoryMB)
	}
	if c.MaxSessions < 1 {
		bad("max sessions %d: must be at least 1", c.MaxSessions)
	}
	if c.SessionIdle <= 0 {
		bad("session idle %s: must be positive", c.SessionIdle)
	}
	if c.WebhookAttempts < 1 || c.WebhookAttempts > 20 {
		bad("webhook attempts %d: must be 1 to 20", c.WebhookAttempts)
	}
	if c.WebhookBackoff <= 0 || c.WebhookBackoff > time.Hour {
		bad("webhook backoff %s: must be positive and at most 1h", c.WebhookBackoff)
	}
	if !c.Clock.IsZero() {
		if err := CheckClock(c.Clock); err != nil {
			bad("clock: %v", err)
		}
	}
	if c.ShutdownTimeout <= 0 {
		bad("shutdown timeout %s: must be positive", c.ShutdownTimeout)
	}
	if c.ClientID == "" || c.ClientSecret == "" {
		errs = append(errs, errors.New("client id and client secret must not be empty"))
	}
	return errors.Join(errs...)
}

// MinMemoryMB is the least MemoryMB: what the process takes idle, with room
// to answer.
const MinMemoryMB = 24

// memoryReserveMB is the part of MemoryMB that neither the Go runtime's
// memory limit nor the cache counts but RSS does: the binary's code and data
// pages, mapped from the executable (10 to 12 MiB resident: the kernel maps
// the pages around each one touched), plus a margin.
func memoryReserveMB(memoryMB int64) int64 { return max(12, memoryMB/16) }

// goHeapMinMB is the least the Go runtime is left under MemoryMB: below it
// the garbage collector would run all the time.
const goHeapMinMB = 8

// CacheBytes is the byte budget of the cache of generated bodies: CacheMB,
// or when CacheMB is 0 half of MemoryMB, less when that would leave the Go
// runtime under goHeapMinMB (32 MiB of the default 64).
func (c Config) CacheBytes() int64 {
	if c.CacheMB > 0 {
		return c.CacheMB << 20
	}
	return max(1, min(c.MemoryMB/2, c.MemoryMB-memoryReserveMB(c.MemoryMB)-goHeapMinMB)) << 20
}

// GoMemoryLimit is the soft limit for the Go runtime
// (runtime/debug.SetMemoryLimit), in bytes: MemoryMB less what RSS counts
// beyond the runtime's own memory, that is the binary's pages and, when
// cacheOffHeap, the cache of bodies (the handlers map it from the operating
// system where they can: handlers.CacheOffHeap). The garbage collector works
// harder as the heap nears it, so RSS stays within MemoryMB even while the
// cache is full and every request makes a new body.
func (c Config) GoMemoryLimit(cacheOffHeap bool) int64 {
	limit := c.MemoryMB - memoryReserveMB(c.MemoryMB)
	if cacheOffHeap {
		return limit<<20 - c.CacheBytes()
	}
	return limit << 20
}

// sleep waits d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Package mock builds the whole MoneyKit mock as an http.Handler, for Go tests
// that want it in-process: no files, no ports, no second process. Scenarios
// and personas are given as YAML bytes (the formats of --scenarios and
// --fixtures), the clock can be pinned, and the result serves every route the
// moneykit-mock command serves, /_mock/ routes included, because the command
// builds its server here too.
//
//	m, err := mock.New(mock.Options{
//		Scenarios: []byte("links:\n  mk_gone: {error: deleted}\n"),
//		Clock:     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
//	})
//	if err != nil {
//		t.Fatal(err)
//	}
//	srv := httptest.NewServer(m)
//	defer srv.Close()
//	// Point the client under test at srv.URL with "Bearer " + mock.StaticToken.
//
// Each Mock is its own world (tokens, counters, minted links, clock), so
// parallel tests can each build one.
package mock

import (
	"bytes"
	"log/slog"
	"net/http"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// The sandbox credentials a Mock accepts unless Options says otherwise; the
// command's flags default to them too.
const (
	StaticToken         = "sandbox-token"
	DefaultClientID     = "mock_client_id"
	DefaultClientSecret = "mock_client_secret"
)

// The names that problems in Options.Scenarios and Options.Fixtures cite, as
// name:line:col, and that GET /_mock/scenarios gives as their source.
const (
	InlineScenariosName = "inline-scenarios.yaml"
	InlineFixturesName  = "inline-fixtures.yaml"
)

// Options says how to build a Mock. The zero value is the mock the command
// serves by default, without CORS headers and with a silent log.
type Options struct {
	// Seed makes all generated data: the same seed gives the same bytes.
	// 0 means 1, the command's default.
	Seed uint64
	// Scenarios is a scenario file (the --scenarios format), layered over
	// the embedded catalogue; nil for none.
	Scenarios []byte
	// Fixtures is a persona file (the --fixtures format), layered over the
	// embedded personas; nil for none.
	Fixtures []byte
	// Clock is where the clock is pinned, so answers are byte-stable; the
	// zero time means real time. Clock() moves it either way.
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
	// says otherwise (default handlers.DefaultRefreshDelay, 3s).
	RefreshDelay time.Duration
	// Logger gets one line per request (default: discard).
	Logger *slog.Logger

	// ScenarioPaths and FixturePaths are scenario and persona files or
	// directories, read as --scenarios and --fixtures read them; Scenarios
	// and Fixtures are layered after them. Sources gives them to
	// scenarios.WatchSources for a reload.
	ScenarioPaths, FixturePaths []string
	// CORSOrigins lists the origins browsers may call from; "*" is any.
	// None (the default) sends no CORS headers.
	CORSOrigins []string
	// CacheBytes bounds the cache of generated bodies (default 64 MiB).
	CacheBytes int64
	// AdminToken, when set, is the bearer token every /_mock/ route needs.
	AdminToken string
	// JournalSize is how many requests GET /_mock/requests keeps (default
	// handlers.DefaultJournalSize).
	JournalSize int
	// MaxSessions and SessionIdle bound the X-Mock-Session worlds (defaults
	// handlers.DefaultMaxSessions and handlers.DefaultSessionIdle).
	MaxSessions int
	SessionIdle time.Duration
}

// Mock is the whole mock as an http.Handler.
type Mock struct {
	srv   *handlers.Server
	clock *handlers.MockClock
	src   scenarios.Sources
}

// New builds the mock. A bad Scenarios or Fixtures document (or file of
// ScenarioPaths or FixturePaths) makes it return nil and a *scenarios.Errors
// with every problem, one a line, as inline-scenarios.yaml:line:col: message
// or inline-fixtures.yaml:line:col: message.
func New(o Options) (*Mock, error) {
	src := scenarios.Sources{Scenarios: o.ScenarioPaths, Fixtures: o.FixturePaths}
	if len(o.Scenarios) > 0 {
		// Cloned because a reload reads them again, after the caller may have
		// reused its slice.
		src.ScenarioFiles = []scenarios.File{{Name: InlineScenariosName, Data: bytes.Clone(o.Scenarios)}}
	}
	if len(o.Fixtures) > 0 {
		src.FixtureFiles = []scenarios.File{{Name: InlineFixturesName, Data: bytes.Clone(o.Fixtures)}}
	}
	set, err := scenarios.LoadWith(src)
	if err != nil {
		return nil, err
	}

	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	switch {
	case o.NoStaticToken:
		o.StaticToken = ""
	case o.StaticToken == "":
		o.StaticToken = StaticToken
	}
	clock := handlers.NewRealClock()
	if !o.Clock.IsZero() {
		clock = handlers.NewPinnedClock(o.Clock)
	}
	// handlers.New fills in the other defaults: TokenTTL, RefreshDelay,
	// CacheBytes and Logger.
	srv := handlers.New(handlers.Config{
		Logger:       o.Logger,
		Seed:         o.Seed,
		Clock:        clock,
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		StaticToken:  o.StaticToken,
		TokenTTL:     o.TokenTTL,
		CORSOrigins:  o.CORSOrigins,
		CacheBytes:   o.CacheBytes,
		Scenarios:    set,
		RefreshDelay: o.RefreshDelay,
		AdminToken:   o.AdminToken,
		JournalSize:  o.JournalSize,
		MaxSessions:  o.MaxSessions,
		SessionIdle:  o.SessionIdle,
	})
	return &Mock{srv: srv, clock: clock, src: src}, nil
}

// ServeHTTP answers r as MoneyKit would, or as a scenario says.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.srv.ServeHTTP(w, r) }

// Clock is the mock's one clock, to move from a test without HTTP (POST
// /_mock/clock does the same): Advance past a token's lifetime to expire it,
// or past a refresh delay to finish the refresh.
func (m *Mock) Clock() *handlers.MockClock { return m.clock }

// Server is the handlers.Server underneath, for what Mock does not wrap:
// Scenarios and SetScenarios, to serve a reloaded Set.
func (m *Mock) Server() *handlers.Server { return m.srv }

// Sources is where the scenarios and personas came from, for
// scenarios.LoadWith or scenarios.WatchSources to reload them.
func (m *Mock) Sources() scenarios.Sources { return m.src }

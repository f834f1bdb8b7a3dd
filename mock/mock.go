// Package mock builds the whole MoneyKit mock as an http.Handler, for Go tests
// that want it in-process: no files, no ports, no second process. Scenarios
// and personas are given as YAML bytes (the formats of --scenarios and
// --fixtures), the clock can be pinned, and the result serves every route the
// moneykit-mock command serves, /_mock/ routes included, because the command
// builds its server here too.
//
//	m, err := mock.New(mock.Config{
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
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

// The sandbox credentials a Mock accepts unless its Config says otherwise;
// the command's flags default to them too.
const (
	StaticToken         = config.StaticToken
	DefaultClientID     = config.DefaultClientID
	DefaultClientSecret = config.DefaultClientSecret
)

// The names that problems in Config.Scenarios and Config.Fixtures cite, as
// name:line:col, and that GET /_mock/scenarios gives as their source.
const (
	InlineScenariosName = "inline-scenarios.yaml"
	InlineFixturesName  = "inline-fixtures.yaml"
)

// Config says how to build a Mock: every knob of the mock, the command's
// included, with its default. The zero value is the mock the command serves
// by default, with a silent log. It is
// config.Config, so that the handlers read the very same type.
type Config = config.Config

// Options is the old name of Config.
//
// Deprecated: use Config.
type Options = Config

// DefaultConfig returns the Config every zero field defaults to.
func DefaultConfig() Config { return config.Default() }

// Mock is the whole mock as an http.Handler.
type Mock struct {
	srv *handlers.Server
	src scenarios.Sources
}

// New builds the mock. A bad setting makes it return nil and every problem,
// one a line. A bad Scenarios or Fixtures document (or file of
// ScenarioPaths or FixturePaths) makes it return nil and a *scenarios.Errors
// with every problem, one a line, as inline-scenarios.yaml:line:col: message
// or inline-fixtures.yaml:line:col: message.
func New(c Config) (*Mock, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	src := scenarios.Sources{Scenarios: c.ScenarioPaths, Fixtures: c.FixturePaths}
	if len(c.Scenarios) > 0 {
		// Cloned because a reload reads them again, after the caller may have
		// reused its slice.
		src.ScenarioFiles = []scenarios.File{{Name: InlineScenariosName, Data: bytes.Clone(c.Scenarios)}}
	}
	if len(c.Fixtures) > 0 {
		src.FixtureFiles = []scenarios.File{{Name: InlineFixturesName, Data: bytes.Clone(c.Fixtures)}}
	}
	set, err := scenarios.LoadWith(src)
	if err != nil {
		return nil, err
	}
	d := handlers.Deps{Config: c, Scenarios: set}
	if c.WebhookKeyFile != "" {
		key, err := webhooks.LoadKeyFile(c.WebhookKeyFile)
		if err != nil {
			return nil, fmt.Errorf("webhook key: %w", err)
		}
		d.WebhookKeys = webhooks.NewKeyset(key)
		if c.WebhookRotate {
			second, err := webhooks.DeriveKey(c.Seed, "2")
			if err != nil {
				return nil, fmt.Errorf("webhook key: %w", err)
			}
			d.WebhookKeys.Rotate(second)
		}
	}
	if d.WebhookPolicy, err = webhooks.NewPolicy(c.Addr, c.WebhookAllow); err != nil {
		return nil, fmt.Errorf("webhook allow-list: %w", err)
	}
	return &Mock{srv: handlers.New(d), src: src}, nil
}

// Close stops the mock's background work (webhook deliveries and the
// scheduler of refresh completions), waiting for deliveries in flight until
// ctx is done.
func (m *Mock) Close(ctx context.Context) error { return m.srv.Close(ctx) }

// ServeHTTP answers r as MoneyKit would, or as a scenario says.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.srv.ServeHTTP(w, r) }

// Clock is the type of the mock's one clock, named here so that its methods
// are one `go doc` away: Now, Advance(d) and Set(t) (each returns the new
// time; a real clock keeps running from it), Pin(pinned) to stop or restart
// it where it stands, Pinned, and Reset. Mock's own Now, Advance and SetNow
// do the common cases.
type Clock = state.Clock

// Clock is the mock's one clock, to move from a test without HTTP (POST
// /_mock/clock does the same): Advance past a token's lifetime to expire it,
// or past a refresh delay to finish the refresh.
func (m *Mock) Clock() *Clock { return m.srv.Clock() }

// Now is the time by the mock's clock.
func (m *Mock) Now() time.Time { return m.srv.Clock().Now() }

// Advance moves the mock's clock by d and returns the new time: past a
// token's lifetime to expire it, past a refresh delay to finish the refresh.
func (m *Mock) Advance(d time.Duration) time.Time { return m.srv.Clock().Advance(d) }

// SetNow moves the mock's clock to t and returns it (a real clock keeps
// running from t).
func (m *Mock) SetNow(t time.Time) time.Time { return m.srv.Clock().Set(t) }

// Server is the handlers.Server underneath, for what Mock does not wrap:
// Scenarios and SetScenarios, to serve a reloaded Set.
func (m *Mock) Server() *handlers.Server { return m.srv }

// Sources is where the scenarios and personas came from, for
// scenarios.LoadWith or scenarios.WatchSources to reload them.
func (m *Mock) Sources() scenarios.Sources { return m.src }

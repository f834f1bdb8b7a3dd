// Package handlers is the HTTP face of the mock: the gorilla/mux router and its
// route list, authentication, CORS, request IDs, MoneyKit's error envelope and
// the request log. It is where a scenario meets a fixture. It never opens files,
// parses YAML or calls gofakeit.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// Clock tells the time the server writes and compares (token expiry). Tests
// inject a fake one instead of sleeping.
type Clock interface {
	Now() time.Time
}

// DefaultRefreshDelay is how long a product refresh takes by default: long
// enough to see it in progress, short enough to wait for by hand.
const DefaultRefreshDelay = 3 * time.Second

// Config is what New needs. The zero value of every field but Logger has a
// usable default.
type Config struct {
	Logger *slog.Logger
	// Seed makes all generated data; the same seed gives the same bytes.
	Seed uint64
	// Clock defaults to the real clock.
	Clock Clock
	// ClientID and ClientSecret are the sandbox credentials.
	ClientID, ClientSecret string
	// StaticToken is always accepted as a bearer token; "" disables it.
	StaticToken string
	// TokenTTL is how long an issued token lives (default 1h).
	TokenTTL time.Duration
	// CORSOrigins lists the origins browsers may call from; "*" is any, and
	// an empty list turns CORS headers off.
	CORSOrigins []string
	// CacheBytes bounds the cache of generated bodies (default 64 MiB).
	CacheBytes int64
	// Scenarios decide which links fail, how and when (default: the embedded
	// catalogue). SetScenarios replaces them while serving.
	Scenarios *scenarios.Set
	// Sleep waits out a scenario's delay; tests inject one that does not sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// RefreshDelay is how long a product refresh takes unless a scenario's
	// refresh_delay says otherwise (default 3s).
	RefreshDelay time.Duration
	// AdminToken, when set, is the bearer token every /_mock/ route needs.
	AdminToken string
	// MaxSessions and SessionIdle bound the X-Mock-Session worlds
	// (defaults DefaultMaxSessions and DefaultSessionIdle).
	MaxSessions int
	SessionIdle time.Duration
	// SessionClock tells idleness (default time.Now). It is not Clock: moving
	// the API's clock forward an hour in a test must not expire the test's
	// own session.
	SessionClock func() time.Time
	// JournalSize is how many requests GET /_mock/requests keeps
	// (default DefaultJournalSize).
	JournalSize int
}

// Server is the mock's http.Handler.
type Server struct {
	log          *slog.Logger
	seed         uint64
	clock        Clock
	clientID     string
	clientSecret string
	staticToken  string
	tokens       tokens
	cors         cors
	cache        *cache
	scenarios    atomic.Pointer[scenarios.Set]
	world        *world
	sessions     *sessions
	journal      *journal
	refreshDelay time.Duration
	adminToken   string
	sleep        func(context.Context, time.Duration) error
	router       *mux.Router
}

// New builds the server and its routes. Reading it shows the whole API.
func New(c Config) *Server {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = NewRealClock()
	}
	if c.RefreshDelay <= 0 {
		c.RefreshDelay = DefaultRefreshDelay
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = time.Hour
	}
	if c.CacheBytes <= 0 {
		c.CacheBytes = 64 << 20
	}
	if c.Sleep == nil {
		c.Sleep = sleepContext
	}
	s := &Server{
		log:          c.Logger,
		seed:         c.Seed,
		clock:        c.Clock,
		clientID:     c.ClientID,
		clientSecret: c.ClientSecret,
		staticToken:  c.StaticToken,
		tokens:       newTokens(c.Seed, c.ClientID, c.ClientSecret, c.TokenTTL),
		cors:         newCORS(c.CORSOrigins),
		cache:        newCache(c.CacheBytes),
		sleep:        c.Sleep,
		world:        newWorld(),
		refreshDelay: c.RefreshDelay,
		adminToken:   c.AdminToken,
	}
	if c.SessionClock == nil {
		c.SessionClock = time.Now
	}
	s.sessions = newSessions(c.MaxSessions, c.SessionIdle, c.SessionClock)
	if c.JournalSize <= 0 {
		c.JournalSize = DefaultJournalSize
	}
	s.journal = newJournal(c.JournalSize)
	s.SetScenarios(c.Scenarios)

	// Link IDs arrive path-encoded (the SDKs escape "/" as %2F), so routes match
	// the encoded path and linkID decodes the variable.
	r := mux.NewRouter().UseEncodedPath()
	r.NotFoundHandler = s.handle(s.handleNotFound)
	r.MethodNotAllowedHandler = s.handle(s.handleMethodNotAllowed)

	// The link routes are /links/{id}, /links/{id}/identity and
	// /links/{id}/products; mux tries routes in order, so the busiest is first.
	r.NewRoute().MatcherFunc(linkPath("/identity")).Methods(http.MethodGet).Handler(s.handle(s.authed(s.handleIdentity)))
	r.NewRoute().MatcherFunc(linkPath("")).Methods(http.MethodGet).Handler(s.handle(s.authed(s.handleGetLink)))
	r.NewRoute().MatcherFunc(linkPath("/products")).Methods(http.MethodPost).Handler(s.handle(s.authed(s.handleRefreshProducts)))
	r.Handle("/auth/token", s.handle(s.handleToken)).Methods(http.MethodPost)

	// The mock's own routes, for people and test suites rather than SDKs.
	r.Handle("/_mock/scenarios", s.handle(s.handleListScenarios)).Methods(http.MethodGet)
	r.Handle("/_mock/scenarios/{link}", s.handle(s.handlePutScenario)).Methods(http.MethodPut)
	r.Handle("/_mock/scenarios/{link}", s.handle(s.handleDeleteScenario)).Methods(http.MethodDelete)
	r.Handle("/_mock/reset", s.handle(s.handleReset)).Methods(http.MethodPost)
	r.Handle("/_mock/requests", s.handle(s.handleListRequests)).Methods(http.MethodGet)
	r.Handle("/_mock/requests", s.handle(s.handleClearRequests)).Methods(http.MethodDelete)
	r.Handle("/_mock/clock", s.handle(s.handleGetClock)).Methods(http.MethodGet)
	r.Handle("/_mock/clock", s.handle(s.handleSetClock)).Methods(http.MethodPost)
	r.Handle("/_mock/links", s.handle(s.handleMintLink)).Methods(http.MethodPost)
	// The dashboard (handlers/ui.go, handlers/admin_stream.go).
	r.Handle("/_mock/info", s.handle(s.handleInfo)).Methods(http.MethodGet)
	r.Handle("/_mock/requests/stream", s.handle(s.handleStreamRequests)).Methods(http.MethodGet)
	r.PathPrefix("/_mock/ui").Handler(s.uiHandler()).Methods(http.MethodGet, http.MethodHead)
	r.NewRoute().MatcherFunc(browserAtRoot).Handler(s.handle(s.handleRootRedirect))

	s.router = r
	return s
}

// linkPath matches /links/{id}<suffix> and sets the "id" variable, as the
// mux path template "/links/{id}<suffix>" would, but with string operations:
// mux compiles templates to regexps, and on the identity route that regexp
// was a quarter of the time spent answering a cached link.
func linkPath(suffix string) mux.MatcherFunc {
	return func(r *http.Request, m *mux.RouteMatch) bool {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/links/")
		if !ok {
			return false
		}
		id, ok := strings.CutSuffix(rest, suffix)
		if !ok || id == "" || strings.IndexByte(id, '/') >= 0 {
			return false
		}
		if m.Vars == nil {
			m.Vars = map[string]string{}
		}
		m.Vars["id"] = id
		return true
	}
}

// handlerFunc is a handler that returns its error for s.handle to write.
type handlerFunc func(http.ResponseWriter, *http.Request) error

// handle adapts a handlerFunc: a returned error is written in MoneyKit's
// envelope, unless the client has gone (a scenario delay it did not wait out).
func (s *Server) handle(f handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			if r.Context().Err() != nil {
				if rec, ok := w.(*recorder); ok {
					rec.status = statusClientGone
				}
				return
			}
			s.writeError(w, r, err)
		}
	})
}

// statusClientGone is logged for a request whose client left before the
// answer (nginx's 499); nothing is written.
const statusClientGone = 499

// ServeHTTP gives every request an ID, answers CORS preflights, checks the
// MoneyKit-Version header, routes, recovers from panics and logs one line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start, arrived := time.Now(), s.clock.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	id := requestID(r)
	h := w.Header()
	h[headerRequestID] = []string{id}
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("panic: %v", p)
			if rec.wrote {
				// Too late for an error answer; the log still gets the cause.
				s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
			} else {
				s.writeError(rec, r, err) // logs the cause
			}
		}
		d := time.Since(start)
		s.record(r, rec, arrived, d)
		s.logRequest(r.Context(), r, rec, id, d)
	}()

	if s.cors.apply(h, r) {
		rec.WriteHeader(http.StatusNoContent)
		return
	}
	if err := checkVersion(r); err != nil {
		s.writeError(rec, r, err)
		return
	}
	if err := s.checkAdmin(r); err != nil {
		s.writeError(rec, r, err)
		return
	}
	s.router.ServeHTTP(rec, r)
}

// headerRequestID is in canonical form so that it can be set without allocating.
const headerRequestID = "X-Request-Id"

// header returns the first value of a request header whose name is given in
// canonical form. It indexes the map directly: net/http canonicalizes the
// names of incoming headers, and Header.Get would check the name again on
// every call, six times a request.
func header(r *http.Request, canonicalName string) string {
	if v := r.Header[canonicalName]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// requestIDs numbers the IDs this process makes; requestIDPrefix, random per
// process, keeps them apart from other processes' (replicas, restarts).
var (
	requestIDs      atomic.Uint64
	requestIDPrefix = rand.Uint64()
)

// requestID keeps a caller's X-Request-Id when it is short and plain (so logs on
// both sides line up), and makes one otherwise: req_ and 24 hex digits, 12 of
// the process's prefix and 12 of a counter.
func requestID(r *http.Request) string {
	if v := header(r, headerRequestID); v != "" && len(v) <= 128 && plainToken(v) {
		return v
	}
	var b [4 + 24]byte
	copy(b[:], "req_")
	const hexdigits = "0123456789abcdef"
	n := requestIDs.Add(1)
	for i, x := 0, requestIDPrefix; i < 12; i, x = i+1, x>>4 {
		b[4+i] = hexdigits[x&15]
	}
	for i, x := 27, n; i >= 16; i, x = i-1, x>>4 {
		b[i] = hexdigits[x&15]
	}
	return string(b[:])
}

func plainToken(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:", c) >= 0) {
			return false
		}
	}
	return true
}

// SupportedVersion is the only MoneyKit-Version ever published.
const SupportedVersion = "2023-02-18"

// checkVersion accepts a missing or empty MoneyKit-Version header (the Stainless
// SDKs send it empty) and 2023-02-18. Any other value is refused with 400, so a
// client pinned to a version the mock does not know finds out at once instead of
// trusting answers shaped for another version.
func checkVersion(r *http.Request) error {
	v := header(r, "Moneykit-Version")
	if v == "" || v == SupportedVersion || strings.HasPrefix(r.URL.Path, "/_mock/") {
		return nil
	}
	return errValidation(http.StatusBadRequest, []any{"header", "moneykit-version"},
		fmt.Sprintf("unsupported version %q: the only version is %s", clip(v, 40), SupportedVersion), "enum")
}

// clip shortens what a client sent before it is echoed back in a message.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// handleNotFound answers a path no route has.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	return &APIError{Status: http.StatusNotFound, Code: CodeRouteNotFound, Message: MsgRouteNotFound + ": " + clip(r.URL.Path, 200)}
}

// handleMethodNotAllowed answers a known path with the wrong method, and says
// in the Allow header which methods the path has.
func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		var match mux.RouteMatch
		if s.router.Match(probe, &match) && match.MatchErr == nil {
			allow = append(allow, m)
		}
	}
	w.Header().Set("Allow", strings.Join(append(allow, http.MethodOptions), ", "))
	return &APIError{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: MsgMethodNotAllowed}
}

// recorder remembers what a handler answered, for the request log.
type recorder struct {
	http.ResponseWriter
	status   int
	wrote    bool
	linkID   string
	scenario string
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequest writes the one line each request gets.
func (s *Server) logRequest(ctx context.Context, r *http.Request, rec *recorder, id string, d time.Duration) {
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
	}
	if !s.log.Enabled(ctx, level) {
		return
	}
	s.log.LogAttrs(ctx, level, "request",
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("link_id", rec.linkID),
		slog.String("scenario", rec.scenario),
		slog.Int("status", rec.status),
		slog.String("duration", strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64)+"ms"),
	)
}

// Package handlers is the HTTP face of the mock: the gorilla/mux router and
// its route list, the entry of every request (request info, CORS, the version
// header, auth, the admin guard), MoneyKit's error envelope, JSON writing and
// the request log, with one file per resource (identity.go, links.go,
// admin_*.go for the /_mock/ routes).
//
// It owns nothing but HTTP. A link's data comes from fixtures, what a link
// answers from scenarios, and everything that changes at run time from state.
// It imports config, fixtures, scenarios, state and gorilla/mux (which lives
// only here); it never opens files, parses YAML or calls gofakeit.
package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

// Deps is what New needs: the options, and the objects built from them that
// a caller may want to share or replace. Nil objects are built from Config.
type Deps struct {
	// Config holds every setting; New applies its defaults.
	Config config.Config
	// Scenarios decide which links fail, how and when (default: the embedded
	// catalogue). SetScenarios replaces them while serving.
	Scenarios *scenarios.Set
	// Clock is the mock's one clock (default: from Config.Clock).
	Clock *state.Clock
	// Store keeps the runtime state (default: state.NewMemory(Config)).
	Store state.Store
	// WebhookKeys sign webhooks (default: derived from the seed);
	// WebhookPolicy says where they may go (default: webhooks.NewPolicy
	// for Config.Addr and Config.WebhookAllow).
	WebhookKeys   *webhooks.Keyset
	WebhookPolicy *webhooks.Policy
}

// Server is the mock's http.Handler.
type Server struct {
	cfg       config.Config
	log       *slog.Logger
	clock     *state.Clock
	store     state.Store
	tokens    tokens
	cors      cors
	cache     *cache
	scenarios atomic.Pointer[scenarios.Set]
	router    *mux.Router
	hooks     *webhookSender
	build     webhooks.Builder
	// identity and getLink are the routes hotRoute answers.
	identity, getLink handlerFunc
}

// New builds the server and its routes. Reading it shows the whole API.
func New(d Deps) *Server {
	c := d.Config.WithDefaults()
	if d.Clock == nil {
		d.Clock = state.NewClock(c.Clock)
	}
	if d.Store == nil {
		d.Store = state.NewMemory(c)
	}
	s := &Server{
		cfg:    c,
		log:    c.Logger,
		clock:  d.Clock,
		store:  d.Store,
		tokens: newTokens(c.Seed, c.ClientID, c.ClientSecret, c.TokenTTL),
		cors:   newCORS(c.CORSOrigins),
		cache:  newCache(c.CacheBytes()),
	}
	s.SetScenarios(d.Scenarios)
	s.hooks = newWebhookSender(c, s.clock, d.WebhookKeys, d.WebhookPolicy)
	s.build = webhooks.Builder{Seed: c.Seed}

	// Link IDs arrive path-encoded (the SDKs escape "/" as %2F), so routes match
	// the encoded path and the handlers decode the variable.
	r := mux.NewRouter().UseEncodedPath()
	r.NotFoundHandler = s.handle(s.handleNotFound)
	r.MethodNotAllowedHandler = s.handle(s.handleMethodNotAllowed)

	// The link routes; mux tries routes in order, so the busiest is first.
	// The two busiest are also answered without asking the router (hotRoute).
	s.identity, s.getLink = s.authed(s.handleIdentity), s.authed(s.handleGetLink)
	r.NewRoute().MatcherFunc(linkPath("/identity")).Methods(http.MethodGet).Handler(route{s.identity, hotIdentity})
	r.NewRoute().MatcherFunc(linkPath("")).Methods(http.MethodGet).Handler(route{s.getLink, hotLink})
	r.NewRoute().MatcherFunc(linkPath("/products")).Methods(http.MethodPost).Handler(s.handle(s.authed(s.handleRefreshProducts)))
	r.NewRoute().MatcherFunc(linkPath("")).Methods(http.MethodPatch).Handler(s.handle(s.authed(s.handleUpdateLink)))
	r.NewRoute().MatcherFunc(linkPath("")).Methods(http.MethodDelete).Handler(s.handle(s.authed(s.handleDeleteLink)))
	r.NewRoute().MatcherFunc(linkPath("/reset")).Methods(http.MethodPost).Handler(s.handle(s.authed(s.handleResetLink)))
	r.NewRoute().MatcherFunc(linkPath("/accounts")).Methods(http.MethodGet).Handler(s.handle(s.authed(s.handleAccounts)))
	r.NewRoute().MatcherFunc(linkPath("/accounts/numbers")).Methods(http.MethodGet).Handler(s.handle(s.authed(s.handleAccountNumbers)))
	r.Handle("/links/{id}/accounts/{account_id}", s.handle(s.authed(s.handleAccount))).Methods(http.MethodGet)
	r.Handle("/links/{id}/transactions", s.handle(s.handleTransactions))
	r.PathPrefix("/links/{id}/transactions/").Handler(s.handle(s.handleTransactions))
	r.Handle("/links", s.handle(s.authed(s.handleListLinks))).Methods(http.MethodGet)
	r.Handle("/link-session", s.handle(s.authed(s.handleCreateLinkSession))).Methods(http.MethodPost)
	r.Handle("/link-session/exchange-token", s.handle(s.authed(s.handleExchangeToken))).Methods(http.MethodPost)
	r.NewRoute().MatcherFunc(prefixedLinkPath("/webhooks/test/link/")).Methods(http.MethodPost).Handler(s.handle(s.authed(s.handleTestWebhook)))
	r.Handle("/.well-known/jwks.json", s.handle(s.handleJWKS)).Methods(http.MethodGet)
	r.Handle("/auth/token", s.handle(s.handleToken)).Methods(http.MethodPost)

	// The dashboard's files (ui.go), outside the admin guard, and the
	// redirect of a browser opening "/" to them.
	r.PathPrefix("/_mock/ui").Methods(http.MethodGet, http.MethodHead).Handler(s.uiRoute())
	r.NewRoute().MatcherFunc(browserAtRoot).Handler(s.handle(s.handleRootRedirect))
	r.Handle("/_mock/schema/{file}", s.handle(s.handleSchema)).Methods(http.MethodGet, http.MethodHead) // admin_schema.go, unguarded too

	// The mock's own routes, for people and test suites rather than SDKs,
	// behind the admin guard (admin.go).
	a := r.PathPrefix("/_mock").Subrouter() // subrouter paths are under the prefix
	a.Use(s.adminGuard)
	a.NotFoundHandler = s.guarded(s.handleNotFound)
	a.MethodNotAllowedHandler = s.guarded(s.handleMethodNotAllowed)
	a.Handle("/scenarios", s.handle(s.handleListScenarios)).Methods(http.MethodGet)
	a.Handle("/scenarios/{link}", s.handle(s.handlePutScenario)).Methods(http.MethodPut)
	a.Handle("/scenarios/{link}", s.handle(s.handleDeleteScenario)).Methods(http.MethodDelete)
	a.Handle("/reset", s.handle(s.handleReset)).Methods(http.MethodPost)
	a.Handle("/requests", s.handle(s.handleListRequests)).Methods(http.MethodGet)
	a.Handle("/requests", s.handle(s.handleClearRequests)).Methods(http.MethodDelete)
	a.Handle("/requests/stream", s.handle(s.handleStreamRequests)).Methods(http.MethodGet)
	a.Handle("/info", s.handle(s.handleInfo)).Methods(http.MethodGet)
	a.Handle("/clock", s.handle(s.handleGetClock)).Methods(http.MethodGet)
	a.Handle("/clock", s.handle(s.handleSetClock)).Methods(http.MethodPost)
	a.Handle("/links", s.handle(s.handleMintLink)).Methods(http.MethodPost)
	a.Handle("/links", s.handle(s.handleAdminLinks)).Methods(http.MethodGet)
	a.Handle("/webhooks", s.handle(s.handleListWebhooks)).Methods(http.MethodGet)
	a.Handle("/webhooks/{delivery}/redeliver", s.handle(s.handleRedeliver)).Methods(http.MethodPost)

	s.router = r
	return s
}

// linkPath matches /links/{id}<suffix> and sets the "id" variable, as the
// mux path template "/links/{id}<suffix>" would, but with string operations:
// mux compiles templates to regexps, and on the identity route that regexp
// was a quarter of the time spent answering a cached link.
func linkPath(suffix string) mux.MatcherFunc { return linkPathUnder("/links/", suffix) }

// prefixedLinkPath matches <prefix>{id}, as linkPath matches /links/{id}.
func prefixedLinkPath(prefix string) mux.MatcherFunc { return linkPathUnder(prefix, "") }

func linkPathUnder(prefix, suffix string) mux.MatcherFunc {
	return func(r *http.Request, m *mux.RouteMatch) bool {
		id, ok := cutLinkPath(r.URL.EscapedPath(), prefix, suffix)
		if !ok {
			return false
		}
		if m.Vars == nil {
			m.Vars = map[string]string{}
		}
		m.Vars["id"] = id
		return true
	}
}

// cutLinkPath returns the {id} of an escaped path <prefix>{id}<suffix>,
// where {id} is not empty and has no "/" (an encoded one is %2F).
func cutLinkPath(path, prefix, suffix string) (string, bool) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, suffix)
	if !ok || id == "" || strings.IndexByte(id, '/') >= 0 {
		return "", false
	}
	return id, true
}

// handlerFunc is a handler that returns its error for the entry to write.
// ri is the request's information, made once at entry.
type handlerFunc func(w http.ResponseWriter, r *http.Request, ri *reqInfo) error

// route is every handler the router holds: ServeHTTP matches the request with
// the router and calls the route's function with the request's info, so the
// info travels as an argument and never through the writer or the context.
type route struct {
	f handlerFunc
	// hot names the routes hotRoute also answers (hotNone for the others).
	hot hotName
}

// ServeHTTP lets a route be registered with mux; requests never come this
// way, since the server calls f itself.
func (rt route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	panic("handlers: route called outside Server.ServeHTTP")
}

// handle makes f a route.
func (s *Server) handle(f handlerFunc) route { return route{f: f} }

// statusClientGone is logged for a request whose client left before the
// answer (nginx's 499); nothing is written.
const statusClientGone = 499

// ServeHTTP is the entry of every request. It makes the request's info (its
// ID, session and scenario snapshot), answers CORS preflights, checks the
// MoneyKit-Version header, routes, writes a returned error in MoneyKit's
// envelope, recovers from panics, journals the request and logs one line.
//
// It asks the router for the match and calls the route itself rather than
// through mux's ServeHTTP, which copies the request twice to carry the path
// variables in its context; the match gives them directly.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m, ok := upperMethods[r.Method]; ok {
		// Browsers send fetch's method as written, and the Stainless SDK
		// writes "patch": a method of the API in another case is that method.
		r.Method = m
	}
	ri := s.enter(w, r)
	defer s.exit(r, ri)
	if err := checkProtocol(ri, r); err != nil { // protocol.go
		s.writeError(ri, r, err)
		return
	}
	if s.cors.apply(ri.Header(), r) {
		ri.WriteHeader(http.StatusNoContent)
		return
	}
	if !ri.admin {
		if err := checkVersion(r); err != nil {
			s.writeError(ri, r, err)
			return
		}
	}
	f, _, id := s.hotRoute(ri, r)
	if f == nil {
		var m mux.RouteMatch
		s.router.Match(asGet(r), &m) // always matches: the router has a NotFoundHandler
		rt, ok := m.Handler.(route)
		if !ok {
			s.writeError(ri, r, fmt.Errorf("handlers: %s %s matched a handler that is not a route", r.Method, r.URL.Path))
			return
		}
		f, ri.vars, id = rt.f, m.Vars, m.Vars["id"]
	}
	ri.linkVar = id
	if err := f(ri, r, ri); err != nil {
		if clientGone(r, err) { // protocol.go
			ri.status = statusClientGone
			abandon(ri)
			return
		}
		s.writeError(ri, r, err)
	}
}

// hotName names a route hotRoute answers.
type hotName byte

const (
	hotNone hotName = iota
	hotIdentity
	hotLink
)

// hotRoute answers, for the two routes nearly every request takes (GET or
// HEAD of /links/{id}/identity and /links/{id}), what the router would:
// their function, their name and the raw {id}; otherwise nil. It matches
// with their matchers' cutLinkPath, and they are the router's first two
// routes, so no other route could have matched first
// (TestHotRouteIsTheRouters). Asking the router costs a map of path
// variables and a walk of its matchers for each request.
func (s *Server) hotRoute(ri *reqInfo, r *http.Request) (handlerFunc, hotName, string) {
	if !ri.get {
		return nil, hotNone, ""
	}
	p := r.URL.EscapedPath()
	if id, ok := cutLinkPath(p, "/links/", "/identity"); ok {
		return s.identity, hotIdentity, id
	}
	if id, ok := cutLinkPath(p, "/links/", ""); ok {
		return s.getLink, hotLink, id
	}
	return nil, hotNone, ""
}

// asGet returns r, or for a HEAD request a shallow copy of it as a GET, to
// match with: HEAD is answered on every GET route, with GET's headers and no
// body, without each route having to list it. The handler still gets r, so
// the log and the journal say HEAD.
func asGet(r *http.Request) *http.Request {
	if r.Method != http.MethodHead {
		return r
	}
	g := *r
	g.Method = http.MethodGet
	return &g
}

// exit recovers from a panic with a 500, then journals and logs the request.
func (s *Server) exit(r *http.Request, ri *reqInfo) {
	if p := recover(); p != nil {
		err := fmt.Errorf("panic: %v", p)
		if ri.wrote {
			// Too late for an error answer; the log still gets the cause.
			s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		} else {
			s.writeError(ri, r, err) // logs the cause
		}
	}
	end := time.Now() // the log line's time too
	d := end.Sub(ri.start)
	s.record(r, ri, d)
	s.logRequest(r, ri, end, d)
}

// upperMethods maps the lower- and mixed-case spellings clients send to the
// API's methods.
var upperMethods = func() map[string]string {
	m := map[string]string{}
	for _, up := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		low := strings.ToLower(up)
		m[low] = up
		m[strings.ToUpper(low[:1])+low[1:]] = up
	}
	return m
}()

// SupportedVersion is the only MoneyKit-Version ever published.
const SupportedVersion = "2023-02-18"

// checkVersion accepts a missing or empty MoneyKit-Version header (the Stainless
// SDKs send it empty) and 2023-02-18. Any other value is refused with 400, so a
// client pinned to a version the mock does not know finds out at once instead of
// trusting answers shaped for another version. The /_mock/ routes skip it.
func checkVersion(r *http.Request) error {
	v := header(r, "Moneykit-Version")
	if v == "" || v == SupportedVersion {
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
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	// mux's subrouter reports a wrong method on its own paths as not found:
	// a /_mock/ path that other methods have is a 405, as the API's are.
	if allow := s.allowed(r); ri.admin && len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(append(allow, http.MethodOptions), ", "))
		return &APIError{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: MsgMethodNotAllowed}
	}
	return &APIError{Status: http.StatusNotFound, Code: CodeRouteNotFound, Message: MsgRouteNotFound + ": " + clip(r.URL.Path, 200)}
}

// handleMethodNotAllowed answers a known path with the wrong method, and says
// in the Allow header which methods the path has (HEAD wherever GET is).
func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	w.Header().Set("Allow", strings.Join(append(s.allowed(r), http.MethodOptions), ", "))
	return &APIError{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: MsgMethodNotAllowed}
}

// allowed lists the methods a request's path has, HEAD wherever GET is.
func (s *Server) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		var match mux.RouteMatch
		if s.router.Match(probe, &match) && match.MatchErr == nil {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	return allow
}

// CacheOffHeap reports whether the server's cache of bodies lives outside
// the Go heap: CacheOffHeap's promise, unless mapping the memory failed
// (under strict overcommit), when the bytes came from the Go heap and the
// Go runtime's memory limit must leave room for them.
func (s *Server) CacheOffHeap() bool { return s.cache.offHeap }

// Scenarios returns the scenario set the server answers with.
func (s *Server) Scenarios() *scenarios.Set { return s.scenarios.Load() }

// SetScenarios replaces the scenario set atomically. Each request takes the
// set once, at entry, and uses only it (reqInfo.set), so a request sees the
// old set or the new one, never a mix. Counters of entries that did not
// change survive, because they are keyed by the entries' fingerprints.
func (s *Server) SetScenarios(set *scenarios.Set) {
	if set == nil {
		set = scenarios.Default()
	}
	s.scenarios.Store(set)
}

// Clock is the server's one clock.
func (s *Server) Clock() *state.Clock { return s.clock }

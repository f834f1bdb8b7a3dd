// Package state holds the mock's runtime state: everything a test or a demo
// changes while the mock runs, as opposed to what the seed, the scenario files
// and the personas decide. It owns sessions (X-Mock-Session worlds), call
// counters and rate-limit buckets, run-time scenarios, minted-link counters,
// each link's runtime state (product refreshes), the request journal and the
// clock.
//
// It is reached through the narrow interfaces [Store], [Session] and
// [Journal], so that a store shared by several replicas (Redis, say) can
// replace the in-memory one of [NewMemory] without any change in handlers.
// Imports: the standard library, fixtures (for [fixtures.Runtime], what a
// link's runtime state is) and scenarios (for the entries and buckets it
// keeps); nothing of HTTP but the http.Header type the journal is given.
//
// # What must be atomic
//
// A shared implementation must make these single atomic operations, per
// session and link:
//
//   - [Session.Call]: taking a token from the rate-limit bucket and, when one
//     was taken, counting the call; two racing requests never get the same n.
//   - [Session.UpdateRuntime]: read, change and write one link's runtime state.
//   - [Session.NextMinted]: the n-th minted link is handed out once.
//   - [Session.TakeLinkSession]: a link session is exchanged once.
//   - [Journal.Add]: a seq is handed out once and never again, even after a clear.
//
// Everything else is a plain read or write of one key.
//
// # What is derived and needs no storage
//
// A link's data (identity, the link object) is a pure function of the seed,
// the link ID, the scenario and persona files, the link's runtime state and
// the clock (fixtures.Generate), so no store keeps it; the body cache of the
// handlers is only a cache. Access tokens are stateless HMACs. A minted link
// ID is derived from the seed, the session and its number. A scenario's
// delay for call n is drawn from the seed. None of these needs a store.
//
// # Bounds
//
// Every map here is bounded: sessions by number and idleness, counters and
// runtime states per session by count (an arbitrary eighth is forgotten when
// full), the journal by entries, by bytes (each entry clipped when it is
// recorded, and a byte budget for them all) and by what it keeps: the
// journal redacts secrets when it records a request, and never holds a
// reference to the request's own header map.
package state

import (
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// Store is the runtime state of one mock server.
type Store interface {
	// Session returns the named session ("" is the default session),
	// starting it when it is new or has expired, and marks it used.
	Session(name string) Session
	// Peek returns the named session when it exists and has not expired,
	// without starting one: reading state must not create sessions.
	Peek(name string) (Session, bool)
	// Reset forgets the named session's state ("" resets the default one).
	Reset(name string)
	// ResetAll forgets every named session and resets the default one.
	ResetAll()
	// Journal is the request journal, shared by all sessions.
	Journal() Journal
}

// Session is one world of state: the default one, or an X-Mock-Session's.
type Session interface {
	// Name is the session's name, "" for the default session.
	Name() string
	// Call counts a request on link under the scenario entry with
	// fingerprint fp: when limit is not nil, it first takes a token from the
	// entry's bucket at now, and a refused request is not counted.
	Call(link string, fp uint64, limit *scenarios.RateLimit, now time.Time) Call
	// Scenario returns the link's run-time scenario entry, or nil.
	Scenario(link string) *scenarios.Entry
	// SetScenario sets the link's run-time scenario entry; nil removes it.
	SetScenario(link string, e *scenarios.Entry)
	// Scenarios lists the run-time scenario entries, sorted by pattern.
	Scenarios() []*scenarios.Entry
	// NextMinted returns the number of the next minted link, from 1.
	NextMinted() int
	// Runtime returns a copy of the link's runtime state, and whether it has any.
	Runtime(link string) (fixtures.Runtime, bool)
	// UpdateRuntime changes the link's runtime state with f, atomically.
	UpdateRuntime(link string, f func(*fixtures.Runtime))
	// Links lists the links with runtime state, oldest first (by Created,
	// then ID).
	Links() []Link

	// PutLinkSession keeps a created link session until its exchange.
	PutLinkSession(ls LinkSession)
	// TakeLinkSession removes and returns the link session whose
	// exchangeable token is token: a token is exchanged once.
	TakeLinkSession(token string) (LinkSession, bool)
	// LinkSessions lists the link sessions not yet exchanged, oldest first.
	LinkSessions() []LinkSession
}

// Link is one link a session knows at run time.
type Link struct {
	ID      string
	Runtime fixtures.Runtime
}

// LinkSession is a link session created by POST /link-session, waiting for
// its token to be exchanged.
type LinkSession struct {
	// Token is the link_session_token; Exchangeable the token the exchange
	// takes (MoneyKit's widget hands it to the app; the mock derives it).
	Token, Exchangeable string
	Created             time.Time
	// Webhook and LinkTags are the request's; the exchange gives them to the link.
	Webhook  *string
	LinkTags []string
	// Persona is the request's custom_sandbox_data, when it had any.
	Persona *fixtures.Persona
	// ExistingLinkID is the link a reconnect session is for, when given.
	ExistingLinkID string
}

// Call is what [Session.Call] decided about one request.
type Call struct {
	// N is the request's number among the link's counted calls, from 1; for
	// a refused request, the number the next counted call will get.
	N int
	// Refused is true when the rate-limit bucket had no token.
	Refused bool
	// Wait is how long until the bucket has a token again, when Refused.
	Wait time.Duration
}

// Journal is the request journal: a bounded record of the latest requests of
// all sessions. Each [Request] names its session; a [Filter] picks them.
type Journal interface {
	// Add records a finished request, giving it the next Seq.
	Add(r Request)
	// List returns the requests f matches, oldest first, never nil.
	List(f Filter) []Request
	// Count is len(List(f)) without copying.
	Count(f Filter) int
	// Clear forgets one session's requests; ClearAll forgets them all.
	Clear(session string)
	ClearAll()
	// After is List of the requests after f.SinceSeq, for a stream woken by
	// Changed; LastSeq is the last Seq given out.
	After(f Filter) []Request
	LastSeq() uint64
	// Changed returns a channel the next Add closes.
	Changed() <-chan struct{}
}

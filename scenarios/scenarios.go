// Package scenarios decides, per link ID, how the mock answers: which of
// MoneyKit's documented errors a link gets and on which calls, how slow it is,
// how it is rate-limited, and how its successful answers are shaped, down to
// the people and accounts they show (personas). It knows nothing of HTTP or
// fake data: the handler layer turns a matched [Entry] into a response.
//
// # What it owns
//
//   - the YAML schemas of scenario files and fixtures files, decoded with
//     yaml.v3 into yaml-tagged structs (parse.go, persona.go), and their
//     validation, which reports every problem as file:line:col;
//   - the one table of error kinds: each [Kind]'s HTTP status, MoneyKit
//     error_code and default error_message ([Kind.Info], [Kinds], kinds.go);
//   - the embedded default catalogue (default.yaml), loading and layering of
//     user files over it ([Load], [LoadWith]), and the file watcher
//     ([WatchSources]);
//   - lookup by link ID ([Set]) and the pure decision logic: which calls get
//     the error ([Entry.Applies]), delays ([Entry.DelayFor]), token buckets
//     ([Limiter]) and the fingerprint that keys counters ([Entry.Fingerprint]).
//
// # What it may import
//
// The standard library, gopkg.in/yaml.v3 and, of this project, only
// fixtures. yaml.v3 is used nowhere else in the module: other packages get
// decoded values, never YAML. The import of fixtures is for fixtures.Persona
// and the embedded demo personas (fixtures.DefaultPersonas()): a persona file
// is parsed straight into the type the generator takes, so the schema and
// the generator's input are one type and cannot drift apart; a mirror type
// here would need a copy and a conversion kept in step by hand. fixtures
// imports nothing of this package, so imports stay acyclic, and nothing here
// imports handlers, mock or main. Statuses are plain ints, not net/http
// constants, so that the package stays free of HTTP.
//
// The package has no exported variables and no init functions: its tables
// are unexported, and the slices it hands out ([Kinds], [Set.Entries]) are
// the caller's (entries and personas themselves are shared and read-only).
//
// # A scenario file
//
//	links:
//	  mk_deleted_demo:              # an exact link ID ...
//	    error: deleted              # 410 link_error.deleted
//	  "mk_gone_*":                  # ... or a glob (path.Match syntax)
//	    error: deleted
//	  mk_private:
//	    error: forbidden            # 403 link_error.forbidden_action
//	    message: Identity access not permitted
//	  mk_stuck:
//	    error: bad_state            # 422 link_error.bad_state
//	    link_error_code: auth_expired
//	  mk_busy:
//	    error: rate_limited         # 429 api_error.rate_limit_exceeded
//	    retry_after: 30s
//	  mk_flaky:
//	    error: deleted
//	    every: 3                    # calls 3, 6, 9, ... get the error
//	  mk_slow:
//	    delay: 100ms..2s            # drawn per call from the seed
//	  mk_throttled:
//	    rate_limit: {requests: 5, per: 1m}
//	  mk_identity_failed:           # a success, shaped
//	    link:
//	      state: error
//	      error_code: auth_expired
//	      products:
//	        identity: {error_code: auth_expired, unavailable: Reconnect to refresh}
//	    accounts: 2
//	    institution: {institution_id: chase, institution_name: Chase}
//
// A file without a links key is valid and empty. Anchors and aliases work;
// merge keys (<<) do not.
//
// # Keys of an entry
//
//	key              value                                   allowed
//	error            deleted | not_found | forbidden |       always
//	                 bad_state | rate_limited |
//	                 unauthorized_access
//	message          the error_message to send               with error
//	link_error_code  PublicLinkError (auth_expired, ...)     required with, and only with, error: bad_state
//	retry_after      1s..1h, whole seconds (30 or 30s);      with error: rate_limited or rate_limit
//	                 default 1s
//	fault            empty | reset | garbage |               not with error or dribble
//	                 malformed_chunk | truncated
//	dribble          {chunks: 1..1000, over: (0, 60s]}        not with error or fault
//	every            integer >= 1                            with error, fault or dribble
//	after            integer >= 0                            with error, fault or dribble
//	times            integer >= 1                            with error, fault or dribble
//	delay            duration or min..max, 0..60s            always
//	rate_limit       {requests: >= 1, per: (0, 24h]}         always
//	link             {state, error_code, products}           always (shapes successes)
//	accounts         integer 0..10                           always (shapes successes)
//	institution      {institution_id, institution_name,      always (shapes successes)
//	                  institution_avatar, provider}
//	fixture          a persona's name (see below)            always (shapes successes)
//	refresh_delay    duration 0..24h                         always (how long a product refresh takes)
//
// An entry without error is a success entry; an empty entry is an error
// ("does nothing"). Enum values are MoneyKit's: link state, PublicLinkError,
// LinkProductError, Product and provider (see the API notes §8).
//
// # How the keys combine
//
// For each request on a link whose entry matches, in this order:
//
//	step  key          effect
//	1     rate_limit   a guard: a request the link's token bucket refuses gets 429
//	                   with Retry-After = ceil(seconds to the next token), at least 1
//	                   (retry_after, if set, replaces that value); it is NOT counted
//	                   as a call below
//	2     (counting)   the request becomes call n (1-based, per link); the error
//	                   applies iff Applies(n), see below; otherwise it succeeds,
//	                   shaped by link, accounts, institution and fixture
//	3     delay        every answer of the entry waits DelayFor(seed, link, n),
//	                   errors, successes and step-1 429s alike (for a refused
//	                   request n is the number the next counted call would get)
//
// Applies(n): let k = n - after. Call n is eligible if k >= 1 and (every == 0
// or k%every == 0). Among eligible calls, its index is j = k (every == 0) or
// k/every. The error applies iff the call is eligible and (times == 0 or
// j <= times). Unset keys are 0. For example:
//
//	keys                    calls 1 2 3 4 5 6 7 8 9
//	(none)                        E E E E E E E E E
//	every: 3                      . . E . . E . . E
//	after: 2                      . . E E E E E E E
//	times: 2                      E E . . . . . . .
//	every: 2, after: 1            . . E . E . E . E
//	every: 2, times: 2            . E . E . . . . .
//	after: 1, times: 2            . E E . . . . . .
//	every: 2, after: 1, times: 2  . . E . E . . . .
//
// A 429 from error: rate_limited carries Retry-After = retry_after, 1s when
// unset: SDKs honour the header and retry by themselves, so a small default
// keeps tests fast.
//
// # Lookup and layering
//
// A link ID is matched against exact patterns first (a map), then against
// globs (path.Match syntax: * any run of characters, ? one, [...] a class, \
// escapes), the longest glob first, equal lengths in pattern order. A pattern
// is a glob if it contains any of * ? [ \.
//
// [Load] starts from the embedded catalogue and layers user files over it: a
// user entry replaces an embedded one with the same pattern, silently; two user
// files claiming the same pattern is an error that names both positions.
// Personas layer the same way ([LoadWith]).
//
// # A fixtures file
//
// Personas describe a link's people and accounts with MoneyKit's field names
// (they fill a [fixtures.Persona]; read its documentation for how each field
// is used). Every key is optional unless marked required:
//
//	personas:
//	  ada:                                  # the name: ^[a-z0-9_-]+$
//	    owners:
//	      - names: [Ada Lovelace]           # names[0] is how accounts name the owner
//	        emails: [{address: ada@example.com, primary: true}]   # address required
//	        phone_numbers:                  # number and type required;
//	          - {number: "+442079460018", type: mobile, primary: true}   # type: home|work|mobile|other
//	        addresses:
//	          - {street: 48 Lamb's Conduit Street, city: London, region: Greater London,
//	             postal_code: WC1N 3LH, country: GB, primary: true}
//	    accounts:
//	      - account_type: depository.checking   # unknown, or depository.|investment.|liability.|other. + subtype
//	        name: Everyday Checking
//	        nickname: Bills
//	        account_mask: "1234"            # exactly 4 digits, quoted
//	        balances: {currency: GBP, available: 100.5, current: 120.25, limit: null}
//	        owners: [Ada Lovelace]          # 1 or 2 names[0] of this persona's owners
//	        closed: false
//	    institution: {institution_id: chase, institution_name: Chase, institution_avatar: "https://..."}
//	    provider: mx                        # moneykit|finicity|plaid|yodlee|mx|akoya
//	    link_tags: [vip, user_type:admin]
//	    webhook: https://example.com/hook   # an http(s) URL
//	  minimal: {}                           # everything generated
//
// A key left out, or null, is generated from the seed (nil in the Persona);
// an empty list [] means none (an empty, non-nil slice): phone_numbers: []
// gives an owner without a phone. owners and names may not be [] (an account
// needs an owner, an owner a name), and an account that leaves owners out
// belongs to every owner, so a persona with more than 2 owners must list
// them on each account it gives. In a list of emails, phone numbers or
// addresses at most one item is primary (when none is, the generator makes
// the first one primary). Amounts are read as decimal text into exact cents:
// a number with at most 2 decimals. currency is 3 upper-case letters (""
// means USD), country 2; a US address needs a USPS state as region and a ZIP
// code as postal_code. Amounts given together must agree with the account
// type as MoneyKit's do: depository 0 <= available <= current; credit card
// 0 <= current <= limit, limit > 0 and available = limit - current;
// investment current >= 0. names[0] is unique within a persona, and so is
// account_mask.
//
// The demo personas embedded from fixtures/personas.yaml come first; the
// fixtures files of [Sources] are layered over them as scenario files are
// over the catalogue. A scenario entry's fixture must name a persona of the
// resulting Set, or loading fails at the fixture's value:
//
//	s.yaml:3:14: fixture "ada2" is not a persona (known: ada, business, household, international, no_phone)
//
// # Reloads and counters
//
// Call counters and rate-limit buckets belong to the handler layer, which keys
// them by link ID and [Entry.Fingerprint]. The fingerprint covers an entry's
// behaviour, not its position or file, so a reload keeps the counters of
// entries that did not change and restarts those of entries that did. The
// behaviour includes the persona an entry names: a Set stores a hash of the
// persona's content in each entry that names one ([Entry.PersonaHash]), so
// editing a persona changes the fingerprints of the entries that show it.
package scenarios

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// Kind is an error kind in a scenario file.
type Kind string

// The error kinds a scenario can ask for. What the mock answers for each,
// status, error_code and default error_message, is in the one table of
// kinds.go: see [Kind.Info] and [Kinds].
const (
	Deleted            Kind = "deleted"
	NotFound           Kind = "not_found"
	Forbidden          Kind = "forbidden"
	BadState           Kind = "bad_state"
	RateLimited        Kind = "rate_limited"
	UnauthorizedAccess Kind = "unauthorized_access"
)

// DefaultRetryAfter is the Retry-After of error: rate_limited when retry_after
// is unset. It is small because SDKs honour the header and retry by themselves.
const DefaultRetryAfter = time.Second

// Entry is one pattern of a scenario file and what it does. Entries returned
// by this package are shared and must not be modified.
type Entry struct {
	// Pattern, Source and position are where the entry is, not what it
	// does: Fingerprint leaves them out.
	Pattern   string `fingerprint:"-"` // exact link ID or glob, as written
	Source    string `fingerprint:"-"` // "embedded:default.yaml", a file path, or "runtime"
	Line, Col int    `fingerprint:"-"` // position of the pattern key in Source

	Error         Kind   // "" for a success entry
	Message       string // error_message override; "" for the default
	LinkErrorCode string // link_error_code of a bad_state error
	// RetryAfter is the retry_after key; 0 means unset. Use RetryAfterSeconds.
	RetryAfter time.Duration

	Delay               Delay
	Every, After, Times int // 0 when unset; see Applies
	RateLimit           *RateLimit

	Link        *LinkShape        // shapes the link object of successes
	Accounts    *int              // number of accounts to generate, 0..10
	Institution *InstitutionShape // shapes the institution fields of successes

	// Fixture names the persona (see [Set.Persona]) whose people and
	// accounts the entry's successes show; "" for none.
	Fixture string
	// RefreshDelay is how long a refresh of the link's products takes; 0
	// leaves it to the server's default.
	RefreshDelay time.Duration

	// PersonaHash is a hash of the content of the persona Fixture names, as
	// bound by the Set the entry came from (see [Set.Bind]); 0 when Fixture
	// is empty or the entry is not bound. Fingerprint covers it, so a reload
	// that changes a persona changes the fingerprints of the entries naming
	// it, and cached bodies and counters keyed by them do not go stale.
	PersonaHash uint64

	// Webhook, when not nil, is the webhook URL of the link's successes.
	// Fields added from here on are hashed only when set (fingerprint
	// "omitnil"), so that adding one keeps every older entry's fingerprint.
	Webhook *string `fingerprint:"omitnil"`
	// Webhooks, when not nil, is the delivery chaos of the link's webhooks.
	Webhooks *WebhookChaos `fingerprint:"omitnil"`
	// Fault, when set, breaks the connection of the calls Applies picks
	// instead of answering them (the scenario key fault).
	Fault Fault `fingerprint:"omitempty"`
	// Dribble, when not nil, sends the body of the calls Applies picks in
	// equal slices with pauses (the scenario key dribble).
	Dribble *Dribble `fingerprint:"omitnil"`

	fp uint64 // Fingerprint, once sealed; 0 until then
}

// Fault is a way of breaking a connection on purpose, as WireMock's faults
// do: the scenario key fault. The handler layer puts it on the wire.
type Fault string

// The faults a scenario can ask for.
const (
	FaultEmpty          Fault = "empty"           // close before any byte
	FaultReset          Fault = "reset"           // close with RST (linger 0)
	FaultGarbage        Fault = "garbage"         // bytes that are not HTTP, from the seed, then close
	FaultMalformedChunk Fault = "malformed_chunk" // 200 and chunked headers, then a chunk that is not one
	FaultTruncated      Fault = "truncated"       // a Content-Length larger than what is sent, then close
)

// faults lists the faults in the order messages and the schema give them.
var faults = []Fault{FaultEmpty, FaultReset, FaultGarbage, FaultMalformedChunk, FaultTruncated}

// Faults returns the faults a scenario's fault key allows, in order.
func Faults() []Fault { return slices.Clone(faults) }

func faultNames() []string {
	names := make([]string, len(faults))
	for i, f := range faults {
		names[i] = string(f)
	}
	return names
}

// Dribble sends a body in Chunks equal slices (the last takes the
// remainder), sleeping Over/Chunks before each, as WireMock's chunked
// dribble delay does.
type Dribble struct {
	Chunks int
	Over   time.Duration
}

// WebhookChaos is how a link's webhooks are delivered wrongly, on purpose:
// the scenario key webhooks. Every draw comes from the seed.
type WebhookChaos struct {
	// Delay waits before a delivery's first attempt: Min, or a draw from
	// [Min, Max].
	Delay Delay
	// Duplicate sends each delivery this many extra times, same body and key.
	Duplicate int
	// Reorder sends a refresh's events together, at its end, in an order
	// that is not the natural one.
	Reorder bool
	// Drop lists events ("link.product_refresh") and states ("completed")
	// that are never sent.
	Drop []string
	// FailSignature signs wrongly: "wrong_key" (a key not in the JWKS, with
	// the right kid) or "wrong_hash" (a body hash that does not match).
	FailSignature string
}

// Delay is how long an answer waits: Min when Min == Max, otherwise a
// deterministic draw from [Min, Max].
type Delay struct{ Min, Max time.Duration }

// RateLimit is a token bucket: a burst of Requests that refills at Requests
// per Per.
type RateLimit struct {
	Requests int
	Per      time.Duration
}

// LinkShape shapes the link object of a successful answer; it is the
// generator's own type (fixtures.LinkShape), so that the scenario's shaping
// reaches fixtures without a conversion kept in step by hand.
type LinkShape = fixtures.LinkShape

// ProductShape shapes one product of the link (a LinkProductResponse).
type ProductShape = fixtures.ProductShape

// InstitutionShape shapes the institution fields of the link.
type InstitutionShape struct {
	InstitutionID     string `json:"institution_id,omitempty"`
	InstitutionName   string `json:"institution_name,omitempty"`
	InstitutionAvatar string `json:"institution_avatar,omitempty"`
	Provider          string `json:"provider,omitempty"`
}

// IsGlob reports whether the entry's pattern is a glob rather than an exact
// link ID.
func (e *Entry) IsGlob() bool { return isGlob(e.Pattern) }

// Applies reports whether call n (1-based, counted per link) gets the entry's
// error, fault or dribble, following every, after and times as the package
// comment explains. It is always false for an entry with none of them.
func (e *Entry) Applies(n int) bool {
	if e.Error == "" && e.Fault == "" && e.Dribble == nil {
		return false
	}
	k := n - e.After
	if k < 1 {
		return false
	}
	j := k
	if e.Every > 0 {
		if k%e.Every != 0 {
			return false
		}
		j = k / e.Every
	}
	return e.Times == 0 || j <= e.Times
}

// DelayFor returns how long answer n on linkID waits. A range is drawn from
// an FNV-1a hash of (seed, linkID, n), so the same inputs always give the same
// delay. For a request refused by rate_limit, pass the number the next counted
// call would get.
func (e *Entry) DelayFor(seed uint64, linkID string, n int) time.Duration {
	d := e.Delay
	if d.Max <= d.Min {
		return d.Min
	}
	h := newHasher()
	h.uint(seed)
	h.str(linkID)
	h.int(n)
	span := uint64(d.Max-d.Min) + 1
	return d.Min + time.Duration(h.sum()%span)
}

// RetryAfterSeconds is the Retry-After header of error: rate_limited, in whole
// seconds: retry_after, or 1 when unset.
func (e *Entry) RetryAfterSeconds() int {
	if e.RetryAfter <= 0 {
		return int(DefaultRetryAfter / time.Second)
	}
	return int(e.RetryAfter / time.Second)
}

// LimitRetryAfterSeconds is the Retry-After header, in whole seconds, of a
// request that rate_limit refused; bucket is what [Limiter.Allow] returned.
// retry_after, when set, replaces the bucket's value.
func (e *Entry) LimitRetryAfterSeconds(bucket time.Duration) int {
	if e.RetryAfter > 0 {
		return e.RetryAfterSeconds()
	}
	return int(ceilSeconds(bucket) / time.Second)
}

// Fingerprint hashes the entry's behaviour: every field but Pattern, Source,
// Line and Col, so it covers the content of the persona the entry names
// (PersonaHash). Counters keyed by it restart when a reload changes the
// entry and survive when it does not. It is computed once, when the entry
// enters a Set or is bound to a persona ([Set.Bind]); an entry that has not
// (one fresh from [Parse] or [ParseEntry]) computes it on each call.
func (e *Entry) Fingerprint() uint64 {
	if e.fp != 0 {
		return e.fp
	}
	return e.fingerprint()
}

// seal stores the fingerprint. Call it only on an entry nobody else sees yet.
func (e *Entry) seal() { e.fp = e.fingerprint() }

// fingerprint hashes the fields of the entry that are not tagged
// fingerprint:"-", in declaration order, so a field added to Entry is
// covered without a change here. Each value goes to the hasher as the
// hand-written field list before it did (strings, integers and durations as
// such, a pointer as its presence and then its target, a map as its length
// and then its pairs by key), so fingerprints kept their values.
func (e *Entry) fingerprint() uint64 {
	h := newHasher()
	h.value(reflect.ValueOf(e).Elem())
	return h.sum()
}

// value feeds v to the hasher, as fingerprint describes.
func (h *hasher) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		h.str(v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		h.int(int(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		h.uint(v.Uint())
	case reflect.Bool:
		h.bool(v.Bool())
	case reflect.Pointer:
		h.bool(!v.IsNil())
		if !v.IsNil() {
			h.value(v.Elem())
		}
	case reflect.Map:
		h.int(v.Len())
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			h.value(k)
			h.value(v.MapIndex(k))
		}
	case reflect.Slice:
		h.int(v.Len())
		for i := range v.Len() {
			h.value(v.Index(i))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			// Unexported fields (the stored fingerprint) are not behaviour.
			f := t.Field(i)
			switch tag := f.Tag.Get("fingerprint"); {
			case !f.IsExported() || tag == "-":
			case tag == "omitnil" && v.Field(i).IsNil(), tag == "omitempty" && v.Field(i).IsZero():
			default:
				h.value(v.Field(i))
			}
		}
	default:
		// TestFingerprintCoversEveryField fills every field, so a field of
		// a new kind gets here in the tests first.
		panic("scenarios: cannot fingerprint a " + v.Type().String())
	}
}

// Summary describes what the entry does in one short line, such as
// "deleted, every 3" or "success, delay 500ms..1.5s", for logs and listings.
func (e *Entry) Summary() string {
	parts := []string{"success"}
	if e.Error != "" {
		parts[0] = string(e.Error)
	}
	if e.Fault != "" {
		parts[0] = "fault " + string(e.Fault)
	}
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if d := e.Dribble; d != nil {
		add("dribble %d chunks over %s", d.Chunks, FormatDuration(d.Over))
	}
	if e.LinkErrorCode != "" {
		add("link_error_code %s", e.LinkErrorCode)
	}
	if e.Every > 0 {
		add("every %d", e.Every)
	}
	if e.After > 0 {
		add("after %d", e.After)
	}
	if e.Times > 0 {
		add("times %d", e.Times)
	}
	if e.RetryAfter > 0 {
		add("retry_after %s", FormatDuration(e.RetryAfter))
	}
	if d := e.Delay; d.Max > 0 {
		if d.Min == d.Max {
			add("delay %s", FormatDuration(d.Min))
		} else {
			add("delay %s..%s", FormatDuration(d.Min), FormatDuration(d.Max))
		}
	}
	if rl := e.RateLimit; rl != nil {
		add("rate_limit %d per %s", rl.Requests, FormatDuration(rl.Per))
	}
	if l := e.Link; l != nil {
		if l.State != "" {
			add("link state %s", l.State)
		}
		if l.ErrorCode != "" {
			add("link error_code %s", l.ErrorCode)
		}
		for _, name := range slices.Sorted(maps.Keys(l.Products)) {
			if p := l.Products[name]; p.ErrorCode != "" {
				add("%s error_code %s", name, p.ErrorCode)
			} else {
				add("%s shaped", name)
			}
		}
	}
	if e.Accounts != nil {
		add("accounts %d", *e.Accounts)
	}
	if e.Institution != nil {
		add("institution shaped")
	}
	if e.Fixture != "" {
		add("fixture %s", e.Fixture)
	}
	if e.RefreshDelay > 0 {
		add("refresh_delay %s", FormatDuration(e.RefreshDelay))
	}
	return strings.Join(parts, ", ")
}

// isGlob reports whether pattern uses any path.Match syntax.
func isGlob(pattern string) bool { return strings.ContainsAny(pattern, `*?[\`) }

// literalPrefix is the part of a glob before its first special character:
// every link ID the glob matches starts with it.
func literalPrefix(pattern string) string {
	if i := strings.IndexAny(pattern, `*?[\`); i >= 0 {
		return pattern[:i]
	}
	return pattern
}

// literalSuffix is the part of a glob after its last special character:
// every link ID the glob matches ends with it. A backslash escape makes the
// end hard to tell, so such globs get no suffix.
func literalSuffix(pattern string) string {
	if strings.Contains(pattern, `\`) {
		return ""
	}
	return pattern[strings.LastIndexAny(pattern, "*?]")+1:]
}

// ceilSeconds rounds d up to whole seconds, at least one: the granularity of
// a Retry-After header.
func ceilSeconds(d time.Duration) time.Duration {
	s := (d + time.Second - 1) / time.Second
	if s < 1 {
		s = 1
	}
	return s * time.Second
}

// FormatDuration writes d as people write it in a scenario file: like
// time.Duration.String without the zero units it appends (1m, not 1m0s).
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// hasher feeds length-prefixed fields to FNV-1a 64, so that ("ab", "c") and
// ("a", "bc") hash differently. It backs fingerprints, delay draws and the
// watcher's content hash.
type hasher struct {
	h   hash.Hash64
	buf [binary.MaxVarintLen64]byte
}

func newHasher() *hasher { return &hasher{h: fnv.New64a()} }

func (h *hasher) sum() uint64 { return h.h.Sum64() }

func (h *hasher) uint(v uint64) {
	h.h.Write(binary.AppendUvarint(h.buf[:0], v))
}

func (h *hasher) int(v int) { h.uint(uint64(v)) }

func (h *hasher) bool(v bool) {
	if v {
		h.uint(1)
	} else {
		h.uint(0)
	}
}

func (h *hasher) str(s string) {
	h.int(len(s))
	h.h.Write([]byte(s))
}

func (h *hasher) bytes(b []byte) {
	h.int(len(b))
	h.h.Write(b)
}

// IsGlob reports whether a pattern is a glob (it has any of * ? [ \) rather
// than an exact link ID.
func IsGlob(pattern string) bool { return isGlob(pattern) }

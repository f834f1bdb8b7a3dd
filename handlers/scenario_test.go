package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/apicheck"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// The exact error bodies of the six scenario kinds, written out rather than
// built from the handlers constants, so that a change to any code, message or
// documentation URL shows up here.
const (
	bodyDeleted            = `{"error_code":"link_error.deleted","error_message":"This link was deleted at some earlier time.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`
	bodyNotFound           = `{"error_code":"link_error.not_found","error_message":"Link not found.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`
	bodyForbidden          = `{"error_code":"link_error.forbidden_action","error_message":"Identity access not permitted","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`
	bodyBadState           = `{"error_code":"link_error.bad_state","error_message":"The link is in a state that does not allow this request","documentation_url":"https://docs.moneykit.com/api/reference/link-errors","link_error_code":"auth_expired"}`
	bodyRateLimited        = `{"error_code":"api_error.rate_limit_exceeded","error_message":"Rate limit exceeded. Use the value of the Retry-After header as guidance for when to retry the request.","documentation_url":"https://docs.moneykit.com/api/reference/rate-limits"}`
	bodyUnauthorizedAccess = `{"error_code":"link_error.unauthorized_access","error_message":"Unauthorized link access.","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`
)

// sleeps stands in for Config.Sleep: it records the delays the server asks
// for and returns at once, so delay scenarios are tested without sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

// take returns the delays recorded since the last take.
func (s *sleeps) take() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.d
	s.d = nil
	return d
}

// scenarioFile writes a scenario file into a fresh temporary directory and
// returns its path.
func scenarioFile(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenarios.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadScenarios is the embedded catalogue with yaml layered over it, as
// --scenarios would load it.
func loadScenarios(t *testing.T, yaml string) *scenarios.Set {
	t.Helper()
	set, err := scenarios.Load(scenarioFile(t, yaml))
	if err != nil {
		t.Fatalf("load scenarios: %v", err)
	}
	return set
}

// scenarioServer is the real handler answering with set (nil: the embedded
// catalogue), with a fake clock for the token buckets and a sleep that only
// records.
func scenarioServer(t *testing.T, set *scenarios.Set) (*handlers.Server, *state.Clock, *sleeps) {
	t.Helper()
	clock, sl := newFakeClock(), &sleeps{}
	h := newServer(t, func(c *handlers.Deps) {
		c.Scenarios = set
		c.Clock = clock
		c.Config.Sleep = sl.sleep
	})
	return h.(*handlers.Server), clock, sl
}

func identityPath(linkID string) string { return "/links/" + linkID + "/identity" }

// wantRetryAfter checks the Retry-After header; want "" means there must be none.
func wantRetryAfter(t *testing.T, rec *httptest.ResponseRecorder, want string) {
	t.Helper()
	got := rec.Header().Values("Retry-After")
	switch {
	case want == "" && len(got) != 0:
		t.Errorf("Retry-After = %q, want none", got)
	case want != "" && !slices.Equal(got, []string{want}):
		t.Errorf("Retry-After = %q, want %q", got, want)
	}
}

// sequence makes n authenticated calls for linkID and writes their answers
// like the table in the scenarios package comment: "." for 200, "E" for
// errStatus and "?" for anything else, separated by spaces.
func sequence(t *testing.T, h http.Handler, linkID string, n, errStatus int) string {
	t.Helper()
	marks := make([]string, n)
	for i := range marks {
		switch rec := get(t, h, identityPath(linkID)); rec.Code {
		case http.StatusOK:
			marks[i] = "."
		case errStatus:
			marks[i] = "E"
		default:
			marks[i] = "?"
			t.Errorf("%s call %d: status %d: %s", linkID, i+1, rec.Code, rec.Body)
		}
	}
	return strings.Join(marks, " ")
}

// wantOK checks that a call succeeded with an identity body that passes the
// API checker, and returns the body decoded.
func wantOK(t *testing.T, rec *httptest.ResponseRecorder, linkID string) *fixtures.Identity {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status = %d, want 200: %s", linkID, rec.Code, rec.Body)
	}
	wantRetryAfter(t, rec, "")
	for _, p := range apicheck.Identity(rec.Body.Bytes(), linkID) {
		t.Errorf("%s: %s", linkID, p)
	}
	id := decode[fixtures.Identity](t, rec.Body.Bytes())
	return &id
}

// TestScenarioErrors asks for every error kind of the embedded catalogue,
// through its exact ID and a member of its glob family, and for the message
// and retry_after overrides of a user file. Each call of these entries fails
// the same way.
func TestScenarioErrors(t *testing.T) {
	h, _, _ := scenarioServer(t, loadScenarios(t, `links:
  mk_custom_message:
    error: deleted
    message: The user removed this link
  mk_custom_link_error_code:
    error: bad_state
    link_error_code: user_oauth_denied
  mk_custom_retry:
    error: rate_limited
    retry_after: 30s
`))
	for _, tc := range []struct {
		ids        []string
		status     int
		body       string
		retryAfter string
	}{
		{[]string{"mk_deleted", "mk_deleted_x1"}, http.StatusGone, bodyDeleted, ""},
		{[]string{"mk_not_found", "mk_not_found_x1"}, http.StatusNotFound, bodyNotFound, ""},
		{[]string{"mk_forbidden", "mk_forbidden_x1"}, http.StatusForbidden, bodyForbidden, ""},
		{[]string{"mk_bad_state", "mk_bad_state_x1"}, http.StatusUnprocessableEntity, bodyBadState, ""},
		{[]string{"mk_rate_limited", "mk_rate_limited_x1"}, http.StatusTooManyRequests, bodyRateLimited, "1"},
		{[]string{"mk_unauthorized", "mk_unauthorized_x1"}, http.StatusUnauthorized, bodyUnauthorizedAccess, ""},
		{[]string{"mk_custom_message"}, http.StatusGone,
			`{"error_code":"link_error.deleted","error_message":"The user removed this link","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`, ""},
		{[]string{"mk_custom_link_error_code"}, http.StatusUnprocessableEntity,
			`{"error_code":"link_error.bad_state","error_message":"The link is in a state that does not allow this request","documentation_url":"https://docs.moneykit.com/api/reference/link-errors","link_error_code":"user_oauth_denied"}`, ""},
		{[]string{"mk_custom_retry"}, http.StatusTooManyRequests, bodyRateLimited, "30"},
	} {
		for _, id := range tc.ids {
			t.Run(id, func(t *testing.T) {
				for call := 1; call <= 3; call++ {
					rec := get(t, h, identityPath(id))
					wantError(t, rec, tc.status, tc.body)
					wantRetryAfter(t, rec, tc.retryAfter)
					if t.Failed() {
						t.Fatalf("call %d", call)
					}
				}
			})
		}
	}
}

// TestScenarioPrecedence checks which entry a link ID gets: an exact ID
// before any glob, a longer glob before a shorter one whichever sorts first
// (equal lengths in pattern order), and a user entry instead of the embedded
// one with the same pattern.
func TestScenarioPrecedence(t *testing.T) {
	h, _, _ := scenarioServer(t, loadScenarios(t, `links:
  mk_deleted: {error: not_found}            # replaces the embedded entry
  "mk_p_*": {error: deleted}
  "mk_p_long_*": {error: forbidden}         # longer, and sorts after mk_p_*
  mk_p_long_exact: {error: unauthorized_access}
  "mk_s_z*": {error: deleted}
  "mk_s_*_end": {error: forbidden}          # longer, and sorts before mk_s_z*
  "mk_e_x?": {error: forbidden}
  "mk_e_?x": {error: deleted}               # as long, and sorts first
`))
	for _, tc := range []struct {
		id     string
		status int
		body   string
	}{
		{"mk_deleted", http.StatusNotFound, bodyNotFound},
		{"mk_deleted_x1", http.StatusGone, bodyDeleted}, // the embedded glob is untouched
		{"mk_p_x", http.StatusGone, bodyDeleted},
		{"mk_p_long_x", http.StatusForbidden, bodyForbidden},
		{"mk_p_long_exact", http.StatusUnauthorized, bodyUnauthorizedAccess},
		{"mk_s_zz", http.StatusGone, bodyDeleted},
		{"mk_s_z_end", http.StatusForbidden, bodyForbidden},
		{"mk_e_xx", http.StatusGone, bodyDeleted},
	} {
		t.Run(tc.id, func(t *testing.T) {
			wantError(t, get(t, h, identityPath(tc.id)), tc.status, tc.body)
		})
	}
	// An ID that no pattern matches gets the generated answer.
	wantOK(t, get(t, h, identityPath("mk_q_x")), "mk_q_x")
}

// TestScenarioSequences checks every, after and times, alone and combined,
// against the table in the scenarios package comment.
func TestScenarioSequences(t *testing.T) {
	h, _, _ := scenarioServer(t, loadScenarios(t, `links:
  mk_seq_always: {error: deleted}
  mk_seq_every: {error: deleted, every: 3}
  mk_seq_after: {error: deleted, after: 2}
  mk_seq_times: {error: deleted, times: 2}
  mk_seq_every_after: {error: deleted, every: 2, after: 1}
  mk_seq_every_times: {error: deleted, every: 2, times: 2}
  mk_seq_after_times: {error: deleted, after: 1, times: 2}
  mk_seq_all: {error: deleted, every: 2, after: 1, times: 2}
`))
	for _, tc := range []struct {
		id        string
		errStatus int
		want      string
	}{
		{"mk_seq_always", http.StatusGone, "E E E E E E E E E"},
		{"mk_seq_every", http.StatusGone, ". . E . . E . . E"},
		{"mk_seq_after", http.StatusGone, ". . E E E E E E E"},
		{"mk_seq_times", http.StatusGone, "E E . . . . . . ."},
		{"mk_seq_every_after", http.StatusGone, ". . E . E . E . E"},
		{"mk_seq_every_times", http.StatusGone, ". E . E . . . . ."},
		{"mk_seq_after_times", http.StatusGone, ". E E . . . . . ."},
		{"mk_seq_all", http.StatusGone, ". . E . E . . . ."},
		// The embedded catalogue's flaky entries, exact and glob.
		{"mk_flaky", http.StatusTooManyRequests, ". . E . . E . . E"},
		{"mk_flaky_x1", http.StatusTooManyRequests, ". . E . . E . . E"},
		{"mk_recovers", http.StatusTooManyRequests, "E E . . . . . . ."},
		{"mk_fails_later", http.StatusGone, ". . . E E E E E E"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			if got := sequence(t, h, tc.id, 9, tc.errStatus); got != tc.want {
				t.Errorf("calls 1..9 = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestScenarioCountersPerLink interleaves calls to two link IDs that match
// the same glob: each counts its own calls.
func TestScenarioCountersPerLink(t *testing.T) {
	h, _, _ := scenarioServer(t, loadScenarios(t, `links:
  "mk_pair_*": {error: deleted, every: 2}
`))
	var got []string
	for range 3 {
		for _, id := range []string{"mk_pair_a", "mk_pair_b"} {
			got = append(got, id[len(id)-1:]+sequence(t, h, id, 1, http.StatusGone))
		}
	}
	// One shared counter would give a. bE a. bE a. bE.
	if got, want := strings.Join(got, " "), "a. b. aE bE a. b."; got != want {
		t.Errorf("interleaved calls = %q, want %q", got, want)
	}
}

// TestScenarioRateLimit runs the embedded mk_throttled (3 requests per
// minute: a burst of 3, then one token every 20s) on a fake clock.
func TestScenarioRateLimit(t *testing.T) {
	h, clock, _ := scenarioServer(t, nil)
	for i, step := range []struct {
		advance    time.Duration
		id         string
		status     int
		retryAfter string
	}{
		{0, "mk_throttled", http.StatusOK, ""},
		{0, "mk_throttled", http.StatusOK, ""},
		{0, "mk_throttled", http.StatusOK, ""},
		{0, "mk_throttled", http.StatusTooManyRequests, "20"},
		{0, "mk_throttled", http.StatusTooManyRequests, "20"}, // a refusal takes no token
		{0, "mk_throttled_x1", http.StatusOK, ""},             // another link, another bucket
		{19 * time.Second, "mk_throttled", http.StatusTooManyRequests, "1"},
		{time.Second, "mk_throttled", http.StatusOK, ""},
		{0, "mk_throttled", http.StatusTooManyRequests, "20"},
		{500 * time.Millisecond, "mk_throttled", http.StatusTooManyRequests, "20"}, // 19.5s, rounded up
		{time.Hour, "mk_throttled", http.StatusOK, ""},                             // the bucket refilled to 3, no more
		{0, "mk_throttled", http.StatusOK, ""},
		{0, "mk_throttled", http.StatusOK, ""},
		{0, "mk_throttled", http.StatusTooManyRequests, "20"},
	} {
		clock.Advance(step.advance)
		rec := get(t, h, identityPath(step.id))
		if step.status == http.StatusOK {
			if rec.Code != http.StatusOK {
				t.Errorf("step %d (%s): status = %d, want 200: %s", i, step.id, rec.Code, rec.Body)
			}
			wantRetryAfter(t, rec, "")
			continue
		}
		wantError(t, rec, step.status, bodyRateLimited)
		wantRetryAfter(t, rec, step.retryAfter)
		if t.Failed() {
			t.Fatalf("step %d (%s)", i, step.id)
		}
	}
}

// TestScenarioRateLimitWithError shows how rate_limit combines with error: a
// refused request is answered 429 and is not counted as a call, so after: 3
// still means the fourth call the bucket lets through. retry_after replaces
// the bucket's Retry-After.
func TestScenarioRateLimitWithError(t *testing.T) {
	h, clock, _ := scenarioServer(t, loadScenarios(t, `links:
  mk_rl_after:
    error: deleted
    after: 3
    rate_limit: {requests: 2, per: 1m}
  mk_rl_retry:
    rate_limit: {requests: 1, per: 1m}
    retry_after: 5s
`))
	for i, step := range []struct {
		advance    time.Duration
		id         string
		status     int
		body       string
		retryAfter string
	}{
		{0, "mk_rl_after", http.StatusOK, "", ""},                             // call 1
		{0, "mk_rl_after", http.StatusOK, "", ""},                             // call 2
		{0, "mk_rl_after", http.StatusTooManyRequests, bodyRateLimited, "30"}, // refused, not counted
		{0, "mk_rl_after", http.StatusTooManyRequests, bodyRateLimited, "30"}, // refused, not counted
		{30 * time.Second, "mk_rl_after", http.StatusOK, "", ""},              // call 3 (call 5 if refusals counted)
		{30 * time.Second, "mk_rl_after", http.StatusGone, bodyDeleted, ""},   // call 4
		{0, "mk_rl_after", http.StatusTooManyRequests, bodyRateLimited, "30"}, // the guard comes first
		{30 * time.Second, "mk_rl_after", http.StatusGone, bodyDeleted, ""},   // call 5
		{0, "mk_rl_retry", http.StatusOK, "", ""},
		{0, "mk_rl_retry", http.StatusTooManyRequests, bodyRateLimited, "5"}, // retry_after, not the bucket's 60
		{59 * time.Second, "mk_rl_retry", http.StatusTooManyRequests, bodyRateLimited, "5"},
		{time.Second, "mk_rl_retry", http.StatusOK, "", ""},
	} {
		clock.Advance(step.advance)
		rec := get(t, h, identityPath(step.id))
		if step.status == http.StatusOK {
			if rec.Code != http.StatusOK {
				t.Errorf("step %d (%s): status = %d, want 200: %s", i, step.id, rec.Code, rec.Body)
			}
			wantRetryAfter(t, rec, "")
			continue
		}
		wantError(t, rec, step.status, step.body)
		wantRetryAfter(t, rec, step.retryAfter)
		if t.Failed() {
			t.Fatalf("step %d (%s)", i, step.id)
		}
	}
}

// TestScenarioDelay checks the delays a server asks its Sleep for: a fixed
// delay on every answer of its entry (errors and rate-limit refusals too),
// none for other links, and a range drawn deterministically.
func TestScenarioDelay(t *testing.T) {
	const yaml = `links:
  mk_delay_fixed: {delay: 250ms}
  mk_delay_error: {error: deleted, delay: 40ms}
  mk_delay_refused: {delay: 10ms, rate_limit: {requests: 1, per: 1m}}
  mk_delay_range: {delay: 100ms..200ms}
`
	set := loadScenarios(t, yaml)
	h, _, sl := scenarioServer(t, set)

	for _, tc := range []struct {
		id       string
		statuses []int
		want     []time.Duration
	}{
		{"mk_delay_fixed", []int{200, 200, 200}, []time.Duration{250 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}},
		{"mk_delay_error", []int{410, 410}, []time.Duration{40 * time.Millisecond, 40 * time.Millisecond}},
		{"mk_delay_refused", []int{200, 429}, []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}},
		{"mk_demo", []int{200, 200}, nil},
		{"mk_deleted", []int{410}, nil},
	} {
		t.Run(tc.id, func(t *testing.T) {
			sl.take()
			for i, want := range tc.statuses {
				if rec := get(t, h, identityPath(tc.id)); rec.Code != want {
					t.Errorf("call %d: status = %d, want %d: %s", i+1, rec.Code, want, rec.Body)
				}
			}
			if got := sl.take(); !slices.Equal(got, tc.want) {
				t.Errorf("delays = %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("range", func(t *testing.T) {
		const calls = 20
		draw := func(h http.Handler, sl *sleeps) []time.Duration {
			t.Helper()
			sl.take()
			for range calls {
				if rec := get(t, h, identityPath("mk_delay_range")); rec.Code != http.StatusOK {
					t.Fatalf("status = %d: %s", rec.Code, rec.Body)
				}
			}
			return sl.take()
		}
		first := draw(h, sl)
		other, _, otherSleeps := scenarioServer(t, loadScenarios(t, yaml))
		second := draw(other, otherSleeps)
		if len(first) != calls {
			t.Fatalf("%d delays recorded, want %d", len(first), calls)
		}
		if !slices.Equal(first, second) {
			t.Errorf("two servers with one seed drew different delays:\n%v\n%v", first, second)
		}
		for i, d := range first {
			if d < 100*time.Millisecond || d > 200*time.Millisecond {
				t.Errorf("call %d: delay %v is outside 100ms..200ms", i+1, d)
			}
		}
		if distinct := len(slices.Compact(slices.Sorted(slices.Values(first)))); distinct < calls/2 {
			t.Errorf("only %d distinct delays in %d calls: %v", distinct, calls, first)
		}
	})
}

// TestScenarioShapedSuccess checks successes shaped by the embedded catalogue
// and by a user file: they pass the API checker and carry what was asked.
func TestScenarioShapedSuccess(t *testing.T) {
	h, _, _ := scenarioServer(t, loadScenarios(t, `links:
  mk_chase:
    institution: {institution_id: chase, institution_name: Chase, provider: plaid}
  mk_local_bank:
    institution: {institution_name: First Local Bank}
  mk_enrichment_failed:
    link:
      products:
        enrichment: {error_code: not_supported, unavailable: Not offered by this institution}
`))
	type product struct{ name, errorCode, errorMessage, unavailable string }
	for _, tc := range []struct {
		id, golden string
		state      string
		errorCode  string // "" when the link's error_code must be null
		accounts   int    // -1: not checked
		product    product
		instID     string // "" when not checked
		instName   string
		provider   string
	}{
		{id: "mk_identity_error", state: "connected", accounts: -1,
			product: product{"identity", "unknown", "The institution did not return identity data", ""}},
		{id: "mk_identity_error_x1", state: "connected", accounts: -1,
			product: product{"identity", "unknown", "The institution did not return identity data", ""}},
		{id: "mk_link_error", golden: "identity_mk_link_error", state: "error", errorCode: "auth_expired", accounts: -1,
			product: product{"identity", "auth_expired", "", "Reconnect to refresh"}},
		{id: "mk_link_error_x1", state: "error", errorCode: "auth_expired", accounts: -1,
			product: product{"identity", "auth_expired", "", "Reconnect to refresh"}},
		{id: "mk_no_accounts", golden: "identity_mk_no_accounts", state: "connected", accounts: 0},
		{id: "mk_no_accounts_x1", state: "connected", accounts: 0},
		{id: "mk_big", state: "connected", accounts: 8},
		{id: "mk_big_x1", state: "connected", accounts: 8},
		{id: "mk_chase", state: "connected", accounts: -1, instID: "chase", instName: "Chase", provider: "plaid"},
		{id: "mk_local_bank", state: "connected", accounts: -1, instID: "first_local_bank", instName: "First Local Bank"},
		// Generated links never have enrichment: shaping it adds it.
		{id: "mk_enrichment_failed", state: "connected", accounts: -1,
			product: product{"enrichment", "not_supported", "", "Not offered by this institution"}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			rec := get(t, h, identityPath(tc.id))
			id := wantOK(t, rec, tc.id)
			l := id.Link
			if l.State != tc.state {
				t.Errorf("link.state = %q, want %q", l.State, tc.state)
			}
			if got := deref(l.ErrorCode); got != tc.errorCode {
				t.Errorf("link.error_code = %q, want %q", got, tc.errorCode)
			}
			if tc.accounts >= 0 && len(id.Accounts) != tc.accounts {
				t.Errorf("%d accounts, want %d", len(id.Accounts), tc.accounts)
			}
			if tc.instID != "" && (l.InstitutionID != tc.instID || l.InstitutionName != tc.instName) {
				t.Errorf("institution = %q %q, want %q %q", l.InstitutionID, l.InstitutionName, tc.instID, tc.instName)
			}
			if tc.provider != "" && l.Provider != tc.provider {
				t.Errorf("provider = %q, want %q", l.Provider, tc.provider)
			}
			if want := tc.product; want.name != "" {
				p := linkProduct(&l.Products, want.name)
				if p == nil {
					t.Fatalf("products.%s is missing", want.name)
				}
				got := product{want.name, deref(p.ErrorCode), deref(p.ErrorMessage), deref(p.Unavailable)}
				if got != want {
					t.Errorf("products.%s = %+v, want %+v", want.name, got, want)
				}
				if slices.Contains(l.AvailableProducts, want.name) {
					t.Errorf("available_products %q lists %s, which the link has", l.AvailableProducts, want.name)
				}
			}
			if again := get(t, h, identityPath(tc.id)); !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) {
				t.Errorf("second answer differs from the first")
			}
			if tc.golden != "" {
				checkGolden(t, tc.golden, rec.Body.Bytes())
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// linkProduct returns the named product of a link, or nil.
func linkProduct(ps *fixtures.Products, name string) *fixtures.Product {
	var found *fixtures.Product
	ps.Each(func(n string, p *fixtures.Product) {
		if n == name {
			found = p
		}
	})
	return found
}

// TestSetScenarios reloads the scenarios of a running server: answers change
// at once (cached bodies included), an unchanged entry keeps counting where it
// was, and a changed one starts again.
func TestSetScenarios(t *testing.T) {
	s, _, _ := scenarioServer(t, loadScenarios(t, `links:
  mk_keep: {error: deleted, every: 3}
  mk_change: {error: deleted, every: 3}
  mk_hot: {accounts: 0}
`))
	if got, want := sequence(t, s, "mk_keep", 2, http.StatusGone), ". ."; got != want {
		t.Fatalf("mk_keep before the reload = %q, want %q", got, want)
	}
	if got, want := sequence(t, s, "mk_change", 2, http.StatusGone), ". ."; got != want {
		t.Fatalf("mk_change before the reload = %q, want %q", got, want)
	}
	if id := wantOK(t, get(t, s, identityPath("mk_hot")), "mk_hot"); len(id.Accounts) != 0 {
		t.Fatalf("mk_hot has %d accounts before the reload, want 0", len(id.Accounts))
	}

	// Another file, with mk_keep at another line: its position is not its behaviour.
	s.SetScenarios(loadScenarios(t, `links:
  mk_new: {error: forbidden}
  mk_hot: {error: not_found}
  mk_keep: {error: deleted, every: 3}
  mk_change: {error: not_found, every: 3}
`))
	wantError(t, get(t, s, identityPath("mk_keep")), http.StatusGone, bodyDeleted) // call 3
	if got, want := sequence(t, s, "mk_change", 3, http.StatusNotFound), ". . E"; got != want {
		t.Errorf("mk_change after the reload = %q, want %q (counting restarts)", got, want)
	}
	wantError(t, get(t, s, identityPath("mk_new")), http.StatusForbidden, bodyForbidden)
	wantError(t, get(t, s, identityPath("mk_hot")), http.StatusNotFound, bodyNotFound)

	// Back to the embedded catalogue: user entries are gone, and mk_hot gets
	// its generated accounts rather than the cached shaped body.
	s.SetScenarios(nil)
	for _, id := range []string{"mk_keep", "mk_new", "mk_hot"} {
		if ident := wantOK(t, get(t, s, identityPath(id)), id); len(ident.Accounts) == 0 {
			t.Errorf("%s: no accounts after going back to the embedded catalogue", id)
		}
	}
	wantError(t, get(t, s, identityPath("mk_deleted")), http.StatusGone, bodyDeleted)
}

// TestListScenarios checks GET /_mock/scenarios: every entry, sorted by
// pattern, with where it was written and what it answers.
func TestListScenarios(t *testing.T) {
	path := scenarioFile(t, `links:
  mk_user:
    error: bad_state
    link_error_code: auth_expired
    message: Log in again
    delay: 1s..2500ms
    every: 2
  mk_deleted: {error: not_found}
  mk_hourly: {rate_limit: {requests: 2, per: 1h}, retry_after: 90s}
`)
	set, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := scenarioServer(t, set)
	// No credentials and no MoneyKit-Version: the mock's own routes need neither.
	rec := do(t, h, request{path: "/_mock/scenarios", header: map[string]string{"MoneyKit-Version": "1999-01-01"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	list := decode[struct {
		Scenarios []json.RawMessage `json:"scenarios"`
	}](t, rec.Body.Bytes())
	views := map[string]string{}
	var patterns []string
	for _, raw := range list.Scenarios {
		p := decode[struct{ Pattern string }](t, raw).Pattern
		patterns = append(patterns, p)
		views[p] = string(raw)
	}
	if !slices.IsSorted(patterns) {
		t.Errorf("patterns are not sorted: %q", patterns)
	}
	if got, want := len(patterns), set.Len(); got != want {
		t.Errorf("%d scenarios listed, want %d", got, want)
	}
	for pattern, want := range map[string]string{
		"mk_rate_limited": `{"pattern":"mk_rate_limited","match":"exact","source":"embedded:default.yaml:35:3","summary":"rate_limited",` +
			`"error":{"kind":"rate_limited","status":429,"error_code":"api_error.rate_limit_exceeded","error_message":"Rate limit exceeded. Use the value of the Retry-After header as guidance for when to retry the request.","retry_after":1}}`,
		"mk_rate_limited_*": `{"pattern":"mk_rate_limited_*","match":"glob","source":"embedded:default.yaml:37:3","summary":"rate_limited",` +
			`"error":{"kind":"rate_limited","status":429,"error_code":"api_error.rate_limit_exceeded","error_message":"Rate limit exceeded. Use the value of the Retry-After header as guidance for when to retry the request.","retry_after":1}}`,
		"mk_throttled": `{"pattern":"mk_throttled","match":"exact","source":"embedded:default.yaml:71:3","summary":"success, rate_limit 3 per 1m",` +
			`"rate_limit":{"requests":3,"per":"1m"}}`,
		"mk_throttled_*": `{"pattern":"mk_throttled_*","match":"glob","source":"embedded:default.yaml:73:3","summary":"success, rate_limit 3 per 1m",` +
			`"rate_limit":{"requests":3,"per":"1m"}}`,
		"mk_user": `{"pattern":"mk_user","match":"exact","source":"` + path + `:2:3","summary":"bad_state, link_error_code auth_expired, every 2, delay 1s..2.5s",` +
			`"error":{"kind":"bad_state","status":422,"error_code":"link_error.bad_state","error_message":"Log in again","link_error_code":"auth_expired"},"every":2,"delay":"1s..2.5s"}`,
		"mk_deleted": `{"pattern":"mk_deleted","match":"exact","source":"` + path + `:8:3","summary":"not_found",` +
			`"error":{"kind":"not_found","status":404,"error_code":"link_error.not_found","error_message":"Link not found."}}`,
		"mk_hourly": `{"pattern":"mk_hourly","match":"exact","source":"` + path + `:9:3","summary":"success, retry_after 1m30s, rate_limit 2 per 1h",` +
			`"rate_limit":{"requests":2,"per":"1h","retry_after":90}}`,
		"mk_no_accounts": `{"pattern":"mk_no_accounts","match":"exact","source":"embedded:default.yaml:96:3","summary":"success, accounts 0","accounts":0}`,
	} {
		if got := views[pattern]; got != want {
			t.Errorf("%s:\n got %s\nwant %s", pattern, got, want)
		}
	}
}

// TestScenarioBehindAuth checks that credentials are checked before any
// scenario: a scripted error needs them, and a refused request is not counted,
// delayed or charged to the rate limit.
func TestScenarioBehindAuth(t *testing.T) {
	h, _, sl := scenarioServer(t, loadScenarios(t, `links:
  mk_auth_every: {error: deleted, every: 3, delay: 10ms}
  mk_auth_limited: {rate_limit: {requests: 1, per: 1h}}
`))
	const (
		missing = `{"error_code":"api_error.auth.unauthorized","error_message":"Missing credentials: send a bearer token in the Authorization header, or the X-Client-Id and X-Client-Secret headers","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
		invalid = `{"error_code":"api_error.auth.unauthorized","error_message":"Invalid access token","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	)
	for _, id := range []string{"mk_deleted", "mk_rate_limited", "mk_auth_every", "mk_auth_limited"} {
		t.Run(id, func(t *testing.T) {
			rec := do(t, h, request{path: identityPath(id)})
			wantError(t, rec, http.StatusUnauthorized, missing)
			wantRetryAfter(t, rec, "")
			rec = do(t, h, request{path: identityPath(id), header: map[string]string{"Authorization": "Bearer nope"}})
			wantError(t, rec, http.StatusUnauthorized, invalid)
			wantRetryAfter(t, rec, "")
		})
	}
	if got := sl.take(); len(got) != 0 {
		t.Errorf("refused requests were delayed: %v", got)
	}
	// The refused requests above were not calls: mk_auth_every fails on the
	// third authenticated call, and mk_auth_limited still has its token.
	if got, want := sequence(t, h, "mk_auth_every", 3, http.StatusGone), ". . E"; got != want {
		t.Errorf("mk_auth_every = %q, want %q", got, want)
	}
	if rec := get(t, h, identityPath("mk_auth_limited")); rec.Code != http.StatusOK {
		t.Errorf("mk_auth_limited: status = %d, want 200: %s", rec.Code, rec.Body)
	}
}

// TestScenarioConcurrentCalls makes many calls on one link at once: every
// call is counted exactly once and the bucket hands out exactly its burst,
// whatever the interleaving.
func TestScenarioConcurrentCalls(t *testing.T) {
	h, _, _ := scenarioServer(t, loadScenarios(t, `links:
  mk_many_every: {error: deleted, every: 3}
  mk_many_limited: {rate_limit: {requests: 5, per: 1h}}
`))
	for _, tc := range []struct {
		id    string
		calls int
		want  map[int]int // status → how many
	}{
		{"mk_many_every", 90, map[int]int{http.StatusOK: 60, http.StatusGone: 30}},
		{"mk_many_limited", 50, map[int]int{http.StatusOK: 5, http.StatusTooManyRequests: 45}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			codes := make(chan int, tc.calls)
			var wg sync.WaitGroup
			for range tc.calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes <- get(t, h, identityPath(tc.id)).Code
				}()
			}
			wg.Wait()
			close(codes)
			got := map[int]int{}
			for c := range codes {
				got[c]++
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("statuses = %v, want %v", got, tc.want)
			}
		})
	}
}

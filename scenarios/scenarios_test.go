package scenarios

import (
	"strings"
	"testing"
	"time"
)

// TestApplies runs the table of the package comment: E marks the calls
// that get the error, "." those that succeed.
func TestApplies(t *testing.T) {
	for _, tc := range []struct {
		name                string
		every, after, times int
		calls               string // calls 1 to 12
	}{
		{"always", 0, 0, 0, "EEEEEEEEEEEE"},
		{"every 3", 3, 0, 0, "..E..E..E..E"},
		{"every 1", 1, 0, 0, "EEEEEEEEEEEE"},
		{"after 2", 0, 2, 0, "..EEEEEEEEEE"},
		{"times 2", 0, 0, 2, "EE.........."},
		{"every 2 after 1", 2, 1, 0, "..E.E.E.E.E."},
		{"every 2 times 2", 2, 0, 2, ".E.E........"},
		{"after 1 times 2", 0, 1, 2, ".EE........."},
		{"every 2 after 1 times 2", 2, 1, 2, "..E.E......."},
		{"every 3 after 3 times 1", 3, 3, 1, ".....E......"},
		{"after 0", 0, 0, 0, "EEEEEEEEEEEE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Entry{Error: Deleted, Every: tc.every, After: tc.after, Times: tc.times}
			var got strings.Builder
			for n := 1; n <= len(tc.calls); n++ {
				if e.Applies(n) {
					got.WriteByte('E')
				} else {
					got.WriteByte('.')
				}
			}
			if got.String() != tc.calls {
				t.Errorf("calls 1..%d = %s, want %s", len(tc.calls), got.String(), tc.calls)
			}
		})
	}
	t.Run("success entry", func(t *testing.T) {
		e := &Entry{Delay: Delay{time.Second, time.Second}}
		for n := 1; n <= 5; n++ {
			if e.Applies(n) {
				t.Errorf("Applies(%d) = true for an entry without error", n)
			}
		}
	})
	t.Run("n < 1", func(t *testing.T) {
		e := &Entry{Error: Deleted}
		if e.Applies(0) || e.Applies(-1) {
			t.Error("Applies is true for a call number below 1")
		}
	})
}

func TestDelayFor(t *testing.T) {
	t.Run("fixed", func(t *testing.T) {
		e := &Entry{Delay: Delay{200 * time.Millisecond, 200 * time.Millisecond}}
		for n := 1; n <= 10; n++ {
			if got := e.DelayFor(uint64(n), "mk_x", n); got != 200*time.Millisecond {
				t.Errorf("DelayFor(call %d) = %v, want 200ms", n, got)
			}
		}
		if got := (&Entry{}).DelayFor(1, "mk_x", 1); got != 0 {
			t.Errorf("DelayFor without delay = %v, want 0", got)
		}
	})
	t.Run("range", func(t *testing.T) {
		lo, hi := 100*time.Millisecond, 2*time.Second
		e := &Entry{Delay: Delay{lo, hi}}
		var low, high bool // draws below and above the middle
		for n := 1; n <= 1000; n++ {
			d := e.DelayFor(42, "mk_slow", n)
			if d < lo || d > hi {
				t.Fatalf("DelayFor(call %d) = %v, outside [%v, %v]", n, d, lo, hi)
			}
			if again := e.DelayFor(42, "mk_slow", n); again != d {
				t.Fatalf("DelayFor(call %d) = %v then %v: not deterministic", n, d, again)
			}
			mid := (lo + hi) / 2
			low, high = low || d < mid, high || d > mid
		}
		if !low || !high {
			t.Errorf("1000 draws all fell in one half of the range (low %v, high %v)", low, high)
		}
	})
	t.Run("inputs matter", func(t *testing.T) {
		e := &Entry{Delay: Delay{0, time.Minute}}
		base := e.DelayFor(1, "mk_a", 1)
		for name, d := range map[string]time.Duration{
			"seed":    e.DelayFor(2, "mk_a", 1),
			"link ID": e.DelayFor(1, "mk_b", 1),
			"call":    e.DelayFor(1, "mk_a", 2),
		} {
			if d == base {
				t.Errorf("changing the %s did not change the delay (%v)", name, d)
			}
		}
	})
	t.Run("pinned", func(t *testing.T) {
		// The draw is part of the contract (same seed, same run): pin one.
		e := &Entry{Delay: Delay{500 * time.Millisecond, 1500 * time.Millisecond}}
		if got, want := e.DelayFor(1, "mk_slow", 1), time.Duration(823125030); got != want {
			t.Errorf("DelayFor(1, mk_slow, 1) = %v (%d), want %v", got, int64(got), want)
		}
	})
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tc := range []struct {
		retryAfter, bucket time.Duration
		want, wantLimit    int
	}{
		{0, 12 * time.Second, 1, 12},
		{0, 11500 * time.Millisecond, 1, 12},
		{0, 10 * time.Millisecond, 1, 1},
		{30 * time.Second, 12 * time.Second, 30, 30},
	} {
		e := &Entry{Error: RateLimited, RetryAfter: tc.retryAfter}
		if got := e.RetryAfterSeconds(); got != tc.want {
			t.Errorf("retry_after %v: RetryAfterSeconds() = %d, want %d", tc.retryAfter, got, tc.want)
		}
		if got := e.LimitRetryAfterSeconds(tc.bucket); got != tc.wantLimit {
			t.Errorf("retry_after %v: LimitRetryAfterSeconds(%v) = %d, want %d", tc.retryAfter, tc.bucket, got, tc.wantLimit)
		}
	}
}

func TestFingerprint(t *testing.T) {
	two := 2
	base := func() *Entry {
		return &Entry{
			Pattern: "mk_a", Source: "a.yaml", Line: 3, Col: 3,
			Error: BadState, LinkErrorCode: "auth_expired", Message: "m",
			Delay: Delay{time.Millisecond, time.Second}, Every: 2, After: 1, Times: 3,
			RateLimit: &RateLimit{Requests: 5, Per: time.Minute},
			Link: &LinkShape{State: "error", ErrorCode: "auth_expired", Products: map[string]ProductShape{
				"identity": {ErrorCode: "timeout"}, "accounts": {}}},
			Accounts:     &two,
			Institution:  &InstitutionShape{InstitutionID: "chase"},
			Fixture:      "f",
			RefreshDelay: time.Second,
		}
	}
	fp := base().Fingerprint()

	same := base()
	same.Pattern, same.Source, same.Line, same.Col = "mk_*", "runtime", 9, 9
	if same.Fingerprint() != fp {
		t.Error("the fingerprint depends on pattern, source or position")
	}

	seen := map[uint64]string{fp: "base"}
	for name, change := range map[string]func(e *Entry){
		"error":            func(e *Entry) { e.Error = Deleted },
		"message":          func(e *Entry) { e.Message = "n" },
		"link_error_code":  func(e *Entry) { e.LinkErrorCode = "incomplete" },
		"retry_after":      func(e *Entry) { e.RetryAfter = time.Second },
		"delay min":        func(e *Entry) { e.Delay.Min = 0 },
		"delay max":        func(e *Entry) { e.Delay.Max = 2 * time.Second },
		"every":            func(e *Entry) { e.Every = 3 },
		"after":            func(e *Entry) { e.After = 2 },
		"times":            func(e *Entry) { e.Times = 4 },
		"no rate_limit":    func(e *Entry) { e.RateLimit = nil },
		"requests":         func(e *Entry) { e.RateLimit.Requests = 6 },
		"per":              func(e *Entry) { e.RateLimit.Per = time.Hour },
		"no link":          func(e *Entry) { e.Link = nil },
		"state":            func(e *Entry) { e.Link.State = "connected" },
		"link error_code":  func(e *Entry) { e.Link.ErrorCode = "" },
		"product removed":  func(e *Entry) { delete(e.Link.Products, "accounts") },
		"product error":    func(e *Entry) { e.Link.Products["identity"] = ProductShape{ErrorCode: "unknown"} },
		"product message":  func(e *Entry) { e.Link.Products["identity"] = ProductShape{ErrorCode: "timeout", ErrorMessage: "x"} },
		"unavailable":      func(e *Entry) { e.Link.Products["accounts"] = ProductShape{Unavailable: "x"} },
		"accounts":         func(e *Entry) { n := 3; e.Accounts = &n },
		"no accounts":      func(e *Entry) { e.Accounts = nil },
		"institution":      func(e *Entry) { e.Institution = &InstitutionShape{InstitutionID: "chase", Provider: "mx"} },
		"no institution":   func(e *Entry) { e.Institution = nil },
		"fixture":          func(e *Entry) { e.Fixture = "g" },
		"refresh_delay":    func(e *Entry) { e.RefreshDelay = 0 },
		"institution name": func(e *Entry) { e.Institution.InstitutionName = "Chase" },
		"persona content":  func(e *Entry) { e.PersonaHash = 1 },
	} {
		e := base()
		change(e)
		got := e.Fingerprint()
		if other, dup := seen[got]; dup {
			t.Errorf("changing %s gives the same fingerprint as %s", name, other)
		}
		seen[got] = name
	}
}

func TestSummary(t *testing.T) {
	zero := 0
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{Entry{Error: Deleted}, "deleted"},
		{Entry{Error: BadState, LinkErrorCode: "auth_expired", Every: 3, After: 1, Times: 2},
			"bad_state, link_error_code auth_expired, every 3, after 1, times 2"},
		{Entry{Delay: Delay{500 * time.Millisecond, 1500 * time.Millisecond}}, "success, delay 500ms..1.5s"},
		{Entry{Delay: Delay{time.Second, time.Second}, RateLimit: &RateLimit{3, time.Minute}}, "success, delay 1s, rate_limit 3 per 1m"},
		{Entry{Link: &LinkShape{State: "error", Products: map[string]ProductShape{"identity": {ErrorCode: "timeout"}, "accounts": {}}}, Accounts: &zero},
			"success, link state error, accounts shaped, identity error_code timeout, accounts 0"},
		{Entry{Error: RateLimited, RetryAfter: time.Hour}, "rate_limited, retry_after 1h"},
	} {
		if got := tc.e.Summary(); got != tc.want {
			t.Errorf("Summary() = %q, want %q", got, tc.want)
		}
	}
}

func TestIsGlob(t *testing.T) {
	for p, want := range map[string]bool{
		"mk_a": false, "mk_a_*": true, "mk_?": true, "mk_[ab]": true, `mk_\x`: true, "mk-a.b": false,
	} {
		if got := (&Entry{Pattern: p}).IsGlob(); got != want {
			t.Errorf("IsGlob(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestLiteralAffixes checks the cheap pre-tests of Lookup against
// path.Match: every ID a glob matches has its literal prefix and suffix.
func TestLiteralAffixes(t *testing.T) {
	for _, tc := range []struct{ pattern, prefix, suffix string }{
		{"mk_a_*", "mk_a_", ""},
		{"mk_*_s01", "mk_", "_s01"},
		{"mk_?x", "mk_", "x"},
		{"mk_[ab]_z", "mk_", "_z"},
		{"mk_[]a]b", "mk_", "b"},
		{`mk_\*x`, "mk_", ""},
		{"mk]_*", "mk]_", ""},
		{"*", "", ""},
	} {
		if got := literalPrefix(tc.pattern); got != tc.prefix {
			t.Errorf("literalPrefix(%q) = %q, want %q", tc.pattern, got, tc.prefix)
		}
		if got := literalSuffix(tc.pattern); got != tc.suffix {
			t.Errorf("literalSuffix(%q) = %q, want %q", tc.pattern, got, tc.suffix)
		}
	}
}

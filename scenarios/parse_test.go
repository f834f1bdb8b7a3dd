package scenarios

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseBroken pins every message, with its position, for each broken
// scenario file: all problems are reported, not only the first.
func TestParseBroken(t *testing.T) {
	for _, tc := range brokenScenarioFiles {
		t.Run(tc.file, func(t *testing.T) {
			name := filepath.ToSlash(filepath.Join("testdata", tc.file))
			entries, err := Parse(name, readFile(t, name))
			if entries != nil {
				t.Errorf("Parse returned %d entries with an error, want none", len(entries))
			}
			checkLines(t, errorLines(t, err), tc.want)
		})
	}
}

// brokenFile is a broken testdata file and every problem it has.
type brokenFile struct {
	file string
	want []string
}

var brokenScenarioFiles = []brokenFile{
	{"broken_anchor.yaml", []string{
		"testdata/broken_anchor.yaml:4:1: invalid YAML: unknown anchor 'nope' referenced",
	}},
	{"broken_link_state.yaml", []string{
		"testdata/broken_link_state.yaml:3:19: link state error needs error_code (the reason, e.g. auth_expired)",
		"testdata/broken_link_state.yaml:5:24: link error_code needs state: error",
		"testdata/broken_link_state.yaml:7:42: link error_code needs state: error",
	}},
	{"broken_durations.yaml", []string{
		"testdata/broken_durations.yaml:3:12: delay must be a duration such as 200ms or a range such as 100ms..2s, got \"fast\"",
		"testdata/broken_durations.yaml:5:12: delay must not be negative, got -1s",
		"testdata/broken_durations.yaml:7:12: delay range 2s..1s has min greater than max",
		"testdata/broken_durations.yaml:9:12: delay 61s exceeds the 60s cap",
		"testdata/broken_durations.yaml:11:12: delay 1s..90s exceeds the 60s cap",
		"testdata/broken_durations.yaml:14:18: retry_after must be from 1s to 1h, got 0s",
		"testdata/broken_durations.yaml:17:18: retry_after must be from 1s to 1h, got 2h",
		"testdata/broken_durations.yaml:20:18: retry_after must be whole seconds (Retry-After carries seconds), got 1500ms",
		"testdata/broken_durations.yaml:23:18: retry_after must be from 1 to 3600 seconds, got 0",
		"testdata/broken_durations.yaml:25:28: rate_limit.requests must be an integer >= 1, got 0",
		"testdata/broken_durations.yaml:25:36: rate_limit.per must be more than 0 and at most 24h, got 0s",
		"testdata/broken_durations.yaml:27:5: rate_limit needs requests",
		"testdata/broken_durations.yaml:27:23: rate_limit.per must be more than 0 and at most 24h, got 25h",
		"testdata/broken_durations.yaml:27:28: unknown key \"burst\" in rate_limit (want requests, per)",
		"testdata/broken_durations.yaml:29:17: rate_limit must be a mapping such as {requests: 5, per: 1m}, got 5",
		"testdata/broken_durations.yaml:31:20: refresh_delay must be from 0s to 24h, got -5s",
		"testdata/broken_durations.yaml:33:12: delay must be a duration such as 200ms or a range such as 100ms..2s, got \"100ms..\"",
	}},
	{"broken_entry.yaml", []string{
		"testdata/broken_entry.yaml:3:12: unknown error kind \"delted\" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)",
		"testdata/broken_entry.yaml:5:5: unknown key \"evry\" in entry \"mk_b\"",
		"testdata/broken_entry.yaml:8:12: error bad_state needs link_error_code (the link's error reason, e.g. auth_expired)",
		"testdata/broken_entry.yaml:11:5: link_error_code is only allowed with error: bad_state",
		"testdata/broken_entry.yaml:14:5: retry_after is only allowed with error: rate_limited or rate_limit",
		"testdata/broken_entry.yaml:16:5: every needs error, fault or dribble (a success entry has nothing to count)",
		"testdata/broken_entry.yaml:17:5: message needs error (a success entry has no error to send)",
		"testdata/broken_entry.yaml:18:3: entry \"mk_g\" does nothing (it is empty)",
		"testdata/broken_entry.yaml:19:3: entry \"mk_h\" does nothing (it is empty)",
		"testdata/broken_entry.yaml:20:9: entry \"mk_i\" must be a mapping, got \"deleted\"",
		"testdata/broken_entry.yaml:23:22: unknown link_error_code \"expired\" (want one of system_error, provider_error, institution_error, user_error, auth_expired, no_accounts, user_setup_required, invalid_credentials, user_oauth_denied, user_input_incorrect, incomplete)",
		"testdata/broken_entry.yaml:25:12: unknown error kind \"delted\" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)",
	}},
	{"broken_links.yaml", []string{
		"testdata/broken_links.yaml:1:8: links must be a mapping of link IDs and globs to entries, got a sequence",
	}},
	{"broken_multidoc.yaml", []string{
		"testdata/broken_multidoc.yaml:3:1: a scenario file holds one YAML document, found another",
	}},
	{"broken_shapes.yaml", []string{
		"testdata/broken_shapes.yaml:4:14: unknown link state \"broken\" (want one of connecting, awaiting_token_exchange, connected, deleted, error)",
		"testdata/broken_shapes.yaml:5:19: unknown link error_code \"payment_error\" (want one of system_error, provider_error, institution_error, user_error, auth_expired, no_accounts, user_setup_required, invalid_credentials, user_oauth_denied, user_input_incorrect, incomplete)",
		"testdata/broken_shapes.yaml:7:32: unknown product error_code \"invalid_credentials\" (want one of rate_limit, auth_expired, not_supported, timeout, unknown, no_accounts, institution_error, no_permission)",
		"testdata/broken_shapes.yaml:7:53: unknown key \"eror_message\" in product identity (want error_code, error_message, unavailable)",
		"testdata/broken_shapes.yaml:8:9: unknown product \"idenity\" (want one of accounts, account_numbers, identity, transactions, investments, enrichment)",
		"testdata/broken_shapes.yaml:9:19: product accounts must be a mapping of error_code, error_message and unavailable, got \"nope\"",
		"testdata/broken_shapes.yaml:10:7: unknown key \"stat\" in link (want state, error_code, products)",
		"testdata/broken_shapes.yaml:12:11: link must be a mapping of state, error_code and products, got \"connected\"",
		"testdata/broken_shapes.yaml:14:35: institution_id must be a string, got 42",
		"testdata/broken_shapes.yaml:14:49: unknown provider \"sophtron\" (want one of moneykit, finicity, plaid, yodlee, mx, akoya)",
		"testdata/broken_shapes.yaml:14:59: unknown key \"name\" in institution (want institution_id, institution_name, institution_avatar, provider)",
		"testdata/broken_shapes.yaml:16:14: fixture name \"Big Family\" must match ^[a-z0-9_-]+$",
		"testdata/broken_shapes.yaml:19:17: products must be a mapping of product names to product states, got a sequence",
	}},
	{"broken_structure.yaml", []string{
		"testdata/broken_structure.yaml:1:1: unknown key \"linx\" at top level (want links)",
		"testdata/broken_structure.yaml:6:3: duplicate key \"mk_dup\" in links (first at line 4, column 3)",
		"testdata/broken_structure.yaml:10:5: duplicate key \"error\" in entry \"mk_k\" (first at line 9, column 5)",
		"testdata/broken_structure.yaml:11:3: bad glob \"mk_[\": syntax error in pattern",
		"testdata/broken_structure.yaml:13:3: empty pattern (want a link ID or a glob)",
		"testdata/broken_structure.yaml:15:5: keys must be strings, got a sequence in links",
		"testdata/broken_structure.yaml:18:5: merge keys (<<) are not supported; use an alias for the whole value",
		"testdata/broken_structure.yaml:20:12: unknown error kind \"delted\" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)",
	}},
	{"broken_syntax.yaml", []string{
		"testdata/broken_syntax.yaml:4:1: invalid YAML: did not find expected key",
	}},
	{"broken_toplevel.yaml", []string{
		"testdata/broken_toplevel.yaml:1:1: top level must be a mapping with a links key, got a sequence",
	}},
	{"broken_types.yaml", []string{
		"testdata/broken_types.yaml:4:12: every must be an integer >= 1, got \"x\"",
		"testdata/broken_types.yaml:5:12: after must be an integer >= 0, got -1",
		"testdata/broken_types.yaml:6:12: times must be an integer >= 1, got 0",
		"testdata/broken_types.yaml:8:15: accounts must be an integer from 0 to 10, got -1",
		"testdata/broken_types.yaml:10:15: accounts must be an integer from 0 to 10, got 11",
		"testdata/broken_types.yaml:12:12: unknown error kind 410 (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)",
		"testdata/broken_types.yaml:15:14: message must be a string, got 403",
		"testdata/broken_types.yaml:18:12: every must be an integer >= 1, got 1.5",
		"testdata/broken_types.yaml:20:15: accounts must be an integer from 0 to 10, got a sequence",
		"testdata/broken_types.yaml:23:12: times must be an integer >= 1, got 99999999999999999999",
	}},
}

// TestParseBrokenCoverage makes sure every broken testdata file has a case:
// broken_persona_*.yaml in TestParsePersonasBroken, the other broken_*.yaml
// in TestParseBroken.
func TestParseBrokenCoverage(t *testing.T) {
	files, err := filepath.Glob("testdata/broken_*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := make(map[string]bool)
	for _, tc := range brokenScenarioFiles {
		cases[tc.file] = strings.HasPrefix(tc.file, "broken_persona_")
	}
	for _, tc := range brokenPersonaFiles {
		cases[tc.file] = !strings.HasPrefix(tc.file, "broken_persona_")
	}
	for _, f := range files {
		base := filepath.Base(f)
		misfiled, ok := cases[base]
		switch {
		case !ok:
			t.Errorf("%s has no case: add it to TestParseBroken or, for broken_persona_*, TestParsePersonasBroken", f)
		case misfiled:
			t.Errorf("%s is in the wrong table: broken_persona_* files belong to TestParsePersonasBroken", f)
		}
		delete(cases, base)
	}
	for f := range cases {
		t.Errorf("case %s has no file testdata/%s", f, f)
	}
}

func TestParseGood(t *testing.T) {
	const name = "testdata/good.yaml"
	entries, err := Parse(name, readFile(t, name))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := make(map[string]Entry)
	for _, e := range entries {
		got[e.Pattern] = *e
	}
	two := 2
	for _, want := range []Entry{
		{Pattern: "mk_deleted_demo", Line: 3, Col: 3, Error: Deleted},
		{Pattern: "mk_gone_*", Line: 5, Col: 3, Error: Deleted},
		{Pattern: "mk_private", Line: 7, Col: 3, Error: Forbidden, Message: "Identity access not permitted"},
		{Pattern: "mk_stuck", Line: 10, Col: 3, Error: BadState, LinkErrorCode: "auth_expired"},
		{Pattern: "mk_busy", Line: 13, Col: 3, Error: RateLimited, RetryAfter: 30 * time.Second},
		{Pattern: "mk_nobody", Line: 16, Col: 3, Error: NotFound},
		{Pattern: "mk_other_app", Line: 18, Col: 3, Error: UnauthorizedAccess},
		{Pattern: "mk_flaky_test", Line: 20, Col: 3, Error: Deleted, Every: 3},
		{Pattern: "mk_later", Line: 23, Col: 3, Error: NotFound, After: 2},
		{Pattern: "mk_blip", Line: 26, Col: 3, Error: RateLimited, Times: 2},
		{Pattern: "mk_slow_test", Line: 29, Col: 3, Delay: Delay{200 * time.Millisecond, 200 * time.Millisecond}},
		{Pattern: "mk_slower", Line: 31, Col: 3, Delay: Delay{100 * time.Millisecond, 2 * time.Second}},
		{Pattern: "mk_throttled_test", Line: 33, Col: 3, RateLimit: &RateLimit{Requests: 5, Per: time.Minute}, RetryAfter: 2 * time.Second},
		{Pattern: "mk_identity_failed", Line: 36, Col: 3,
			Link: &LinkShape{State: "error", ErrorCode: "auth_expired", Products: map[string]ProductShape{
				"identity": {ErrorCode: "auth_expired", Unavailable: "Reconnect to refresh"},
				"accounts": {},
			}},
			Accounts: &two,
			Institution: &InstitutionShape{InstitutionID: "chase", InstitutionName: "Chase",
				InstitutionAvatar: "https://example.com/a.png", Provider: "plaid"},
		},
		{Pattern: "mk_fixture", Line: 45, Col: 3, Fixture: "big-family_2", RefreshDelay: 5 * time.Second},
		{Pattern: "mk_class_[ab]?", Line: 48, Col: 3, Error: NotFound, Every: 2, After: 1, Times: 2},
	} {
		want.Source = name
		if g, ok := got[want.Pattern]; !ok {
			t.Errorf("no entry %q", want.Pattern)
		} else if !reflect.DeepEqual(g, want) {
			t.Errorf("entry %q:\n got %+v\nwant %+v", want.Pattern, g, want)
		}
		delete(got, want.Pattern)
	}
	for p := range got {
		t.Errorf("unexpected entry %q", p)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, data := range []string{"", "# nothing\n", "links:\n", "links: {}\n", "---\n", "~\n"} {
		entries, err := Parse("e.yaml", []byte(data))
		if err != nil || len(entries) != 0 {
			t.Errorf("Parse(%q) = %d entries, %v; want none, nil", data, len(entries), err)
		}
	}
}

func TestParseEntry(t *testing.T) {
	e, err := ParseEntry("runtime", "mk_rt_*", []byte(`{"error": "rate_limited", "retry_after": "5s", "times": 2, "delay": "10ms..20ms"}`))
	if err != nil {
		t.Fatalf("ParseEntry: %v", err)
	}
	want := Entry{Pattern: "mk_rt_*", Source: "runtime", Line: 1, Col: 1, Error: RateLimited,
		RetryAfter: 5 * time.Second, Times: 2, Delay: Delay{10 * time.Millisecond, 20 * time.Millisecond}}
	if !reflect.DeepEqual(*e, want) {
		t.Errorf("ParseEntry:\n got %+v\nwant %+v", *e, want)
	}

	for _, tc := range []struct {
		name, pattern, data string
		want                []string
	}{
		{"bad kind", "mk_x", `{"error": "delted", "every": 0}`, []string{
			`runtime:1:11: unknown error kind "delted" (want one of deleted, not_found, forbidden, bad_state, rate_limited, unauthorized_access)`,
			`runtime:1:30: every must be an integer >= 1, got 0`,
		}},
		{"empty", "mk_x", ``, []string{`runtime:1:1: entry "mk_x" does nothing (it is empty)`}},
		{"null", "mk_x", `null`, []string{`runtime:1:1: entry "mk_x" does nothing (it is empty)`}},
		{"not a mapping", "mk_x", `[1]`, []string{`runtime:1:1: entry "mk_x" must be a mapping, got a sequence`}},
		{"empty pattern", "", `{"error": "deleted"}`, []string{`runtime:1:1: empty pattern (want a link ID or a glob)`}},
		{"bad glob", "mk_[", `{"error": "deleted"}`, []string{`runtime:1:1: bad glob "mk_[": syntax error in pattern`}},
		{"syntax", "mk_x", `{"error": "deleted"`, []string{`runtime:1:1: invalid YAML: did not find expected ',' or '}'`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseEntry("runtime", tc.pattern, []byte(tc.data))
			if e != nil {
				t.Errorf("ParseEntry returned an entry with an error")
			}
			checkLines(t, errorLines(t, err), tc.want)
		})
	}
}

// TestParseAliases checks that an entry reached through an alias is a copy
// with its own pattern and position, and that an anchored problem is
// reported once.
func TestParseAliases(t *testing.T) {
	data := "links:\n  mk_a: &x\n    error: deleted\n    every: 2\n  mk_b: *x\n"
	entries, err := Parse("a.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("got %d entries, want 2", len(entries))
	}
	a, b := entries[0], entries[1]
	if a.Pattern != "mk_a" || b.Pattern != "mk_b" || b.Line != 5 || b.Col != 3 || b.Error != Deleted || b.Every != 2 {
		t.Errorf("got %+v and %+v", *a, *b)
	}
}

func TestErrorString(t *testing.T) {
	errs := Errors{
		{File: "a.yaml", Line: 3, Col: 7, Msg: "first"},
		{File: "dir", Msg: "no such file or directory"},
	}
	var err error = &errs
	if got, want := err.Error(), "a.yaml:3:7: first\ndir: no such file or directory"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// errorLines checks that err is a non-empty *Errors and returns its lines.
func errorLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("got no error")
	}
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, want *Errors: %v", err, err)
	}
	if len(*errs) == 0 {
		t.Fatal("got an empty *Errors")
	}
	return strings.Split(err.Error(), "\n")
}

// checkLines compares lines one by one and reports each difference.
func checkLines(t *testing.T, got, want []string) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, g, w)
		}
	}
}

// TestSyntaxLine checks that syntax errors point at the line that brings the
// problem in, not at the line yaml.v3 names (often the start of the
// enclosing block, counted from 0).
func TestSyntaxLine(t *testing.T) {
	long := "links:\n" + strings.Repeat("  mk_x: {error: deleted}\n", 300) + "   mk_y: {}\n"
	for _, tc := range []struct {
		name, data string
		want       string
	}{
		{"bad indent", "links:\n  mk_a:\n    error: deleted\n   mk_b: x\n", "s.yaml:4:1: invalid YAML: did not find expected key"},
		{"tab", "links:\n  mk_a: {}\n\tmk_b: {}\n", "s.yaml:3:1: invalid YAML: found character that cannot start any token"},
		{"open quote", "links:\n  mk_a:\n    message: 'x\n    error: deleted\n", "s.yaml:3:1: invalid YAML: found unexpected end of stream"},
		{"no final newline", "links:\n  mk_a: [", "s.yaml:2:1: invalid YAML: did not find expected node content"},
		{"long file", long, "s.yaml:302:1: invalid YAML: did not find expected key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.data))
			checkLines(t, errorLines(t, err), []string{tc.want})
		})
	}
}

// reload is what a watcher reported: a new Set, or the problems of a bad edit.
type reload struct {
	set *Set
	err error
}

// watching is a watcher a test runs: next waits at most 3s for its next
// report; reports is there to check that none comes.
type watching struct {
	t       *testing.T
	reports chan reload
}

// watch runs a watcher over src (its baseline taken now) at a 20ms interval
// until the test ends.
func watch(t *testing.T, src Sources) watching {
	t.Helper()
	w := watching{t: t, reports: make(chan reload, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	watcher := newWatcher(src)
	go func() {
		defer close(done)
		watcher.run(ctx, 20*time.Millisecond, func(s *Set, err error) { w.reports <- reload{s, err} })
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return w
}

func (w watching) next() reload {
	w.t.Helper()
	select {
	case r := <-w.reports:
		return r
	case <-time.After(3 * time.Second):
		w.t.Fatal("no reload within 3s")
		return reload{}
	}
}

// checkLoadErrors checks that loading src fails with exactly want, and that
// ValidateWith says the same.
func checkLoadErrors(t *testing.T, src Sources, want []string) {
	t.Helper()
	set, err := LoadWith(src)
	if set != nil {
		t.Error("LoadWith returned a Set with an error")
	}
	got := errorLines(t, err)
	for i := range got {
		got[i] = filepath.ToSlash(got[i])
	}
	checkLines(t, got, want)
	checkLines(t, errorLines(t, ValidateWith(src)), got)
}

// TestParseFaults: fault and dribble parse, count like error, and refuse
// what they cannot mean.
func TestParseFaults(t *testing.T) {
	entries, err := Parse("f.yaml", []byte(`links:
  a: {fault: reset, every: 2, after: 1, times: 3}
  b: {dribble: {chunks: 5, over: 1s}}
  c: {fault: empty}
`))
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.Fault != FaultReset || e.Every != 2 || e.After != 1 || e.Times != 3 {
		t.Errorf("a = %+v", e)
	}
	if d := entries[1].Dribble; d == nil || d.Chunks != 5 || d.Over != time.Second {
		t.Errorf("b.Dribble = %+v", d)
	}
	var got []bool
	for n := 1; n <= 9; n++ {
		got = append(got, entries[0].Applies(n))
	}
	// every: 2, after: 1, times: 3 → calls 3, 5, 7, as for an error.
	if want := []bool{false, false, true, false, true, false, true, false, false}; !reflect.DeepEqual(got, want) {
		t.Errorf("Applies(1..9) = %v, want %v", got, want)
	}
	if !entries[1].Applies(1) || !entries[2].Applies(7) {
		t.Error("dribble and fault without counting keys apply to every call")
	}

	_, err = Parse("f.yaml", []byte(`links:
  a: {fault: reset, error: deleted}
  b: {fault: explode}
  c: {dribble: {chunks: 0, over: 2m}}
  d: {dribble: {chunks: 2}, error: deleted}
  e: {fault: empty, dribble: {chunks: 2, over: 1s}}
`))
	checkLines(t, errorLines(t, err), []string{
		`f.yaml:2:7: fault may not be combined with error (a broken connection sends no answer)`,
		`f.yaml:3:14: unknown fault "explode" (want one of empty, reset, garbage, malformed_chunk, truncated)`,
		`f.yaml:4:25: dribble.chunks must be an integer from 1 to 1000, got 0`,
		`f.yaml:4:34: dribble.over must be more than 0 and at most 1m, got 2m`,
		`f.yaml:5:7: dribble needs over`,
		`f.yaml:5:7: dribble may not be combined with error (it slows the body of successes)`,
		`f.yaml:6:7: fault may not be combined with dribble (a broken connection sends no answer)`,
	})
}

// TestParseRetryAfterSeconds: retry_after takes a bare number of seconds as
// well as a duration, as the README says.
func TestParseRetryAfterSeconds(t *testing.T) {
	entries, err := Parse("r.yaml", []byte("links:\n  a: {error: rate_limited, retry_after: 30}\n  b: {error: rate_limited, retry_after: 30s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.RetryAfter != 30*time.Second || e.RetryAfterSeconds() != 30 {
			t.Errorf("%s: RetryAfter = %v", e.Pattern, e.RetryAfter)
		}
	}
	_, err = Parse("r.yaml", []byte("links:\n  a: {error: rate_limited, retry_after: 3601}\n"))
	checkLines(t, errorLines(t, err), []string{"r.yaml:2:41: retry_after must be from 1 to 3600 seconds, got 3601"})
}

package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// scenarioView is one entry of GET /_mock/scenarios: what a link ID or glob
// answers, in terms a frontend developer can read without the YAML.
type scenarioView struct {
	Pattern string `json:"pattern"`
	// Match is "exact" or "glob".
	Match string `json:"match"`
	// Source is where the entry was written: "embedded:default.yaml:12:3", "scen.yaml:4:3".
	Source      string                      `json:"source"`
	Summary     string                      `json:"summary"`
	Outcome     *outcomeView                `json:"error,omitempty"`
	Every       int                         `json:"every,omitempty"`
	After       int                         `json:"after,omitempty"`
	Times       int                         `json:"times,omitempty"`
	Delay       string                      `json:"delay,omitempty"`
	Limit       *rateLimitView              `json:"rate_limit,omitempty"`
	Link        *scenarios.LinkShape        `json:"link,omitempty"`
	Accounts    *int                        `json:"accounts,omitempty"`
	Institution *scenarios.InstitutionShape `json:"institution,omitempty"`
}

type outcomeView struct {
	Kind          string `json:"kind"`
	Status        int    `json:"status"`
	ErrorCode     string `json:"error_code"`
	ErrorMessage  string `json:"error_message"`
	LinkErrorCode string `json:"link_error_code,omitempty"`
	RetryAfter    int    `json:"retry_after,omitempty"`
}

type rateLimitView struct {
	Requests int    `json:"requests"`
	Per      string `json:"per"`
	// RetryAfter, when set, replaces the bucket's own Retry-After (seconds).
	RetryAfter int `json:"retry_after,omitempty"`
}

func viewScenario(e *scenarios.Entry) scenarioView {
	v := scenarioView{
		Pattern: e.Pattern, Match: "exact", Source: fmt.Sprintf("%s:%d:%d", e.Source, e.Line, e.Col),
		Summary: e.Summary(), Every: e.Every, After: e.After, Times: e.Times,
		Link: e.Link, Accounts: e.Accounts, Institution: e.Institution,
	}
	if e.IsGlob() {
		v.Match = "glob"
	}
	if e.Error != "" {
		ae := scenarioError(e)
		v.Outcome = &outcomeView{Kind: string(e.Error), Status: ae.Status, ErrorCode: ae.Code,
			ErrorMessage: ae.Message, LinkErrorCode: ae.LinkErrorCode, RetryAfter: ae.RetryAfter}
	}
	if d := e.Delay; d.Max > 0 {
		v.Delay = shortDuration(d.Min)
		if d.Min != d.Max {
			v.Delay += ".." + shortDuration(d.Max)
		}
	}
	if rl := e.RateLimit; rl != nil {
		v.Limit = &rateLimitView{Requests: rl.Requests, Per: shortDuration(rl.Per)}
		if e.RetryAfter > 0 {
			v.Limit.RetryAfter = e.RetryAfterSeconds()
		}
	}
	return v
}

// shortDuration writes d as people write it in YAML: 1m, not 1m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// handleListScenarios handles "GET /_mock/scenarios": the effective catalogue,
// sorted by pattern.
func (s *Server) handleListScenarios(w http.ResponseWriter, r *http.Request) error {
	entries := s.scenarios.Load().Entries()
	out := struct {
		Scenarios []scenarioView `json:"scenarios"`
	}{Scenarios: make([]scenarioView, 0, len(entries))}
	for _, e := range entries {
		out.Scenarios = append(out.Scenarios, viewScenario(e))
	}
	return s.writeValue(w, http.StatusOK, out)
}

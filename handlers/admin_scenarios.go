package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
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
	Webhook     *string                     `json:"webhook,omitempty"`
	Webhooks    *webhookChaosView           `json:"webhooks,omitempty"`
	Fault       string                      `json:"fault,omitempty"`
	Dribble     *dribbleView                `json:"dribble,omitempty"`
}

// dribbleView is an entry's dribble key as the listing shows it.
type dribbleView struct {
	Chunks int    `json:"chunks"`
	Over   string `json:"over"`
}

// webhookChaosView is an entry's webhooks key as the listing shows it.
type webhookChaosView struct {
	Delay         string   `json:"delay,omitempty"`
	Duplicate     int      `json:"duplicate,omitempty"`
	Reorder       bool     `json:"reorder,omitempty"`
	Drop          []string `json:"drop,omitempty"`
	FailSignature string   `json:"fail_signature,omitempty"`
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
	source := fmt.Sprintf("%s:%d:%d", e.Source, e.Line, e.Col)
	if e.Source == runtimeSource {
		source = runtimeSource // set through PUT /_mock/scenarios/{link}; no file position
	}
	v := scenarioView{
		Pattern: e.Pattern, Match: "exact", Source: source,
		Summary: e.Summary(), Every: e.Every, After: e.After, Times: e.Times,
		Link: e.Link, Accounts: e.Accounts, Institution: e.Institution, Webhook: e.Webhook,
	}
	if w := e.Webhooks; w != nil {
		v.Webhooks = &webhookChaosView{Delay: delayText(w.Delay), Duplicate: w.Duplicate, Reorder: w.Reorder, Drop: w.Drop, FailSignature: w.FailSignature}
	}
	if e.IsGlob() {
		v.Match = "glob"
	}
	v.Fault = string(e.Fault)
	if d := e.Dribble; d != nil {
		v.Dribble = &dribbleView{Chunks: d.Chunks, Over: scenarios.FormatDuration(d.Over)}
	}
	if e.Error != "" {
		ae := scenarioError(e)
		v.Outcome = &outcomeView{Kind: string(e.Error), Status: ae.Status, ErrorCode: ae.Code,
			ErrorMessage: ae.Message, LinkErrorCode: ae.LinkErrorCode, RetryAfter: ae.RetryAfter}
	}
	v.Delay = delayText(e.Delay)
	if rl := e.RateLimit; rl != nil {
		v.Limit = &rateLimitView{Requests: rl.Requests, Per: scenarios.FormatDuration(rl.Per)}
		if e.RetryAfter > 0 {
			v.Limit.RetryAfter = e.RetryAfterSeconds()
		}
	}
	return v
}

// handleListScenarios handles "GET /_mock/scenarios": the effective catalogue
// of the request's session, sorted by pattern: its run-time entries (source
// "runtime"), and the file and embedded entries they do not replace.
func (s *Server) handleListScenarios(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	if ri.sessionErr != nil {
		return ri.sessionErr
	}
	var runtime []*scenarios.Entry
	if sess, ok := s.store.Peek(ri.session); ok { // listing must not create a session
		runtime = sess.Scenarios()
	}
	entries := mergeEntries(runtime, ri.set.Entries())
	out := struct {
		Scenarios []scenarioView `json:"scenarios"`
	}{Scenarios: make([]scenarioView, 0, len(entries))}
	for _, e := range entries {
		out.Scenarios = append(out.Scenarios, viewScenario(e))
	}
	return s.writeValue(w, http.StatusOK, out)
}

// mergeEntries merges two lists sorted by pattern; an entry of first replaces
// one of second with the same pattern.
func mergeEntries(first, second []*scenarios.Entry) []*scenarios.Entry {
	out := make([]*scenarios.Entry, 0, len(first)+len(second))
	for len(first) > 0 || len(second) > 0 {
		switch {
		case len(second) == 0 || len(first) > 0 && first[0].Pattern < second[0].Pattern:
			out, first = append(out, first[0]), first[1:]
		case len(first) == 0 || second[0].Pattern < first[0].Pattern:
			out, second = append(out, second[0]), second[1:]
		default:
			out, first, second = append(out, first[0]), first[1:], second[1:]
		}
	}
	return out
}

// handlePutScenario handles "PUT /_mock/scenarios/{link}": it sets a link's
// scenario at run time, in the request's session, from one entry given as JSON
// with the scenario file's keys. It is validated exactly as a file's entry; a
// bad one gets 400 with every problem. Run-time entries beat file entries and
// survive file reloads. It answers 200 with the entry as GET /_mock/scenarios
// shows it.
func (s *Server) handlePutScenario(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	id, err := mockLinkID(ri)
	if err != nil {
		return err
	}
	if scenarios.IsGlob(id) {
		return errValidation(http.StatusBadRequest, []any{"path", "link"},
			"run-time scenarios are for exact link IDs; put globs in a scenario file", "value_error")
	}
	sess, err := s.sessionState(ri)
	if err != nil {
		return err
	}
	data, err := readBody(w, r)
	if err != nil {
		return err
	}
	// null is no entry: runtimeEntry gives nil for it, which PUT must not store.
	if t := strings.TrimSpace(string(data)); t == "" || t == "null" {
		return errValidation(http.StatusBadRequest, []any{"body"}, "the body must be a scenario entry such as {\"error\": \"deleted\"}", "missing")
	}
	e, err := s.runtimeEntry(ri, id, data, "", "body")
	if err != nil {
		return err
	}
	s.changeScenario(ri, sess, id, e)
	return s.writeValue(w, http.StatusOK, viewScenario(e))
}

// handleDeleteScenario handles "DELETE /_mock/scenarios/{link}": it removes a
// link's run-time scenario in the request's session, so its file scenario (if
// any) answers again. It answers 204 whether or not there was one, so a test's
// clean-up never fails.
func (s *Server) handleDeleteScenario(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	id, err := mockLinkID(ri)
	if err != nil {
		return err
	}
	sess, err := s.sessionState(ri)
	if err != nil {
		return err
	}
	s.changeScenario(ri, sess, id, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changeScenario sets (nil: removes) a link's run-time scenario, and sends
// link.state_changed when that changes the state its answers show (a link
// flipped to "relink required" in a demo), as MoneyKit would.
func (s *Server) changeScenario(ri *reqInfo, sess state.Session, id string, e *scenarios.Entry) {
	linkState := func() (fixtures.Link, linkRequest) {
		lr := linkRequest{id: id, sess: sess, entry: s.lookup(ri, sess, id)}
		if lr.entry != nil && (lr.entry.Error != "" || lr.entry.Fault != "") {
			lr.entry = nil // an error kind answers calls; the link's own state is unchanged
		}
		lr.rt, lr.hasRT = sess.Runtime(id)
		return s.data(ri, lr).Link, lr
	}
	before, _ := linkState()
	sess.SetScenario(id, e)
	after, lr := linkState()
	if before.State != after.State || (before.ErrorCode == nil) != (after.ErrorCode == nil) ||
		before.ErrorCode != nil && *before.ErrorCode != *after.ErrorCode {
		s.stateChanged(lr, &after, "")
	}
}

// runtimeEntry parses a scenario entry given at run time (JSON, validated
// exactly as a file's), with fixture, when not empty, naming its persona.
// It returns nil when there is neither. Problems are located under loc in
// the request body.
func (s *Server) runtimeEntry(ri *reqInfo, linkID string, raw json.RawMessage, fixture string, loc ...any) (*scenarios.Entry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if fixture == "" {
			return nil, nil
		}
		raw = json.RawMessage(`{}`)
	}
	if fixture != "" {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return nil, errValidation(http.StatusBadRequest, loc, "the scenario must be a JSON object", "dict_type")
		}
		m["fixture"], _ = json.Marshal(fixture)
		raw, _ = json.Marshal(m)
	}
	e, err := scenarios.ParseEntry(runtimeSource, linkID, raw)
	if err != nil {
		return nil, scenarioProblems(err, loc)
	}
	if e.Fixture != "" && ri.set.Persona(e.Fixture) == nil {
		return nil, errValidation(http.StatusBadRequest, []any{"body", "fixture"},
			fmt.Sprintf("fixture %q is not a persona (known: %s)", e.Fixture, strings.Join(ri.set.Personas(), ", ")), "value_error")
	}
	return e, nil
}

// scenarioProblems turns the loader's positioned errors into validation
// errors, one per problem, each message naming its field and where in the JSON
// the client sent it is.
func scenarioProblems(err error, loc []any) *APIError {
	ae := &APIError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Message: MsgValidation}
	var errs *scenarios.Errors
	if errors.As(err, &errs) {
		for _, e := range *errs {
			msg := e.Msg
			if e.Line > 0 {
				msg = fmt.Sprintf("%s (line %d, column %d)", e.Msg, e.Line, e.Col)
			}
			ae.ValidationErrors = append(ae.ValidationErrors, ValidationError{Location: loc, Message: msg, Type: "value_error"})
		}
	}
	if len(ae.ValidationErrors) == 0 {
		ae.ValidationErrors = []ValidationError{{Location: loc, Message: "the scenario entry is invalid", Type: "value_error"}}
	}
	return ae
}

// runtimeSource is the Source of scenario entries set at run time.
const runtimeSource = "runtime"

// delayText writes a delay as a scenario file does: 1s, or 100ms..2s; "" for none.
func delayText(d scenarios.Delay) string {
	if d.Max <= 0 {
		return ""
	}
	t := scenarios.FormatDuration(d.Min)
	if d.Min != d.Max {
		t += ".." + scenarios.FormatDuration(d.Max)
	}
	return t
}

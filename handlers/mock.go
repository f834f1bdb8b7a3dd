package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"

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
	source := fmt.Sprintf("%s:%d:%d", e.Source, e.Line, e.Col)
	if e.Source == runtimeSource {
		source = runtimeSource // set through PUT /_mock/scenarios/{link}; no file position
	}
	v := scenarioView{
		Pattern: e.Pattern, Match: "exact", Source: source,
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
		v.Delay = scenarios.FormatDuration(d.Min)
		if d.Min != d.Max {
			v.Delay += ".." + scenarios.FormatDuration(d.Max)
		}
	}
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
func (s *Server) handleListScenarios(w http.ResponseWriter, r *http.Request) error {
	name, err := sessionName(r)
	if err != nil {
		return err
	}
	wd := s.world
	if name != "" {
		wd = s.sessions.peek(name) // listing must not create a session
	}
	var runtime []*scenarios.Entry
	if wd != nil {
		runtime = wd.runtimeEntries()
	}
	entries := mergeEntries(runtime, s.scenarios.Load().Entries())
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

// adjustableClock is a clock POST /_mock/clock can move: MockClock.
type adjustableClock interface {
	Clock
	Advance(time.Duration) time.Time
	Set(time.Time) time.Time
	Pinned() bool
}

type clockView struct {
	Now    string `json:"now"`
	Pinned bool   `json:"pinned"`
}

func (s *Server) clockView() clockView {
	v := clockView{Now: s.clock.Now().UTC().Format(time.RFC3339Nano)}
	if c, ok := s.clock.(adjustableClock); ok {
		v.Pinned = c.Pinned()
	}
	return v
}

// handleGetClock handles "GET /_mock/clock": the server's time.
func (s *Server) handleGetClock(w http.ResponseWriter, r *http.Request) error {
	return s.writeValue(w, http.StatusOK, s.clockView())
}

// handleSetClock handles "POST /_mock/clock" with {"advance": "90s"} or
// {"now": "<RFC 3339>"}: it moves the clock (a pinned one stays pinned at the
// new time; a real one keeps running from it) and answers with the new time,
// so a test can finish a refresh without waiting for it. {"pinned": true}
// stops the clock where it is and {"pinned": false} lets it run on from there
// (see setPinned); either may go with advance or now, applied after it.
func (s *Server) handleSetClock(w http.ResponseWriter, r *http.Request) error {
	c, ok := s.clock.(adjustableClock)
	if !ok {
		return &APIError{Status: http.StatusConflict, Code: CodeValidationFailed, Message: "This server's clock cannot be moved"}
	}
	var req struct {
		Advance *string `json:"advance"`
		Now     *string `json:"now"`
		Pinned  *bool   `json:"pinned"`
	}
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	// Check everything before changing anything, so a 400 leaves the clock alone.
	var move func()
	switch {
	case req.Advance != nil && req.Now == nil:
		d, err := time.ParseDuration(*req.Advance)
		if err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "advance"}, "advance must be a duration such as 90s or 1h30m", "duration_parsing")
		}
		move = func() { c.Advance(d) }
	case req.Now != nil && req.Advance == nil:
		t, err := time.Parse(time.RFC3339Nano, *req.Now)
		if err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "now"}, "now must be an RFC 3339 time such as 2025-01-02T03:04:05Z", "datetime_parsing")
		}
		move = func() { c.Set(t) }
	case req.Now == nil && req.Advance == nil && req.Pinned != nil:
		move = func() {}
	default:
		return errValidation(http.StatusBadRequest, []any{"body"}, "give advance or now (not both), pinned, or pinned with one of them", "value_error")
	}
	if req.Pinned != nil {
		if err := setPinned(c, *req.Pinned); err != nil {
			return err
		}
	}
	move()
	return s.writeValue(w, http.StatusOK, s.clockView())
}

// decodeStrict reads a JSON object body into v; an unknown key, a wrong type
// or trailing data is a 400 naming the problem. An empty body is {}.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		return errValidation(http.StatusBadRequest, []any{"body"}, "the body must be at most 64 KiB", "too_long")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errValidation(http.StatusBadRequest, []any{"body"}, jsonProblem(err), "json_invalid")
	}
	if dec.More() {
		return errValidation(http.StatusBadRequest, []any{"body"}, "the body must hold one JSON object", "json_invalid")
	}
	return nil
}

// jsonProblem words a JSON decoding error for a client, without Go's type names.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return "field " + typeErr.Field + " has the wrong type"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "the body is not valid JSON"
}

// mintedLinkID makes the n-th minted link ID of a seed in a session: mk_ and
// 22 characters of MoneyKit's alphabet, the same for the same seed, session
// and order of calls, and different between sessions.
func mintedLinkID(seed uint64, session string, n int) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	h := sha256.Sum256(fmt.Appendf(nil, "moneykit-mock minted link %d %q %d", seed, session, n))
	b := []byte("mk_")
	for i := 0; i < 22; i++ {
		b = append(b, alphabet[int(h[i])%len(alphabet)])
	}
	return string(b)
}

// handleMintLink handles "POST /_mock/links": it mints a new link, since
// MoneyKit's Connect widget cannot be pointed at a mock. The body may name a
// persona, {"fixture": "household"}, or give the link a scenario entry in the
// scenario file's keys, {"scenario": {"error": "deleted", "after": 2}}. It
// answers 201 with {"link_id": ..., "link": <the link object>}.
func (s *Server) handleMintLink(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Fixture  string          `json:"fixture"`
		Scenario json.RawMessage `json:"scenario"`
	}
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	wd, err := s.worldFor(r)
	if err != nil {
		return err
	}
	session, _ := sessionName(r)
	id := mintedLinkID(s.seed, session, wd.nextMinted())
	e, err := s.runtimeEntry(id, req.Scenario, req.Fixture, "body", "scenario")
	if err != nil {
		return err
	}
	if e != nil {
		wd.setRuntime(id, e)
	}
	ident := s.generate(id, e)
	return s.writeValue(w, http.StatusCreated, struct {
		LinkID string         `json:"link_id"`
		Link   *fixtures.Link `json:"link"`
	}{id, &ident.Link})
}

// runtimeEntry parses a scenario entry given at run time (JSON, validated
// exactly as a file's), with fixture, when not empty, naming its persona.
// It returns nil when there is neither. Problems are located under loc in
// the request body.
func (s *Server) runtimeEntry(linkID string, raw json.RawMessage, fixture string, loc ...any) (*scenarios.Entry, error) {
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
	if e.Fixture != "" && s.scenarios.Load().Persona(e.Fixture) == nil {
		return nil, errValidation(http.StatusBadRequest, []any{"body", "fixture"},
			fmt.Sprintf("fixture %q is not a persona (known: %s)", e.Fixture, strings.Join(s.scenarios.Load().Personas(), ", ")), "value_error")
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

package handlers

import (
	"net/http"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// linkRequest is a request on one link, past its scenario: the session it
// acts in, the entry that shapes its success (nil for none), and the link's
// runtime state in that session, read once (hasRT false when it has none).
type linkRequest struct {
	id    string
	sess  state.Session
	entry *scenarios.Entry
	rt    fixtures.Runtime
	hasRT bool
}

// link is the preamble of a link route that reads nothing before its
// scenario: the path's link ID, decoded, entered with enterLink.
func (s *Server) link(r *http.Request, ri *reqInfo) (linkRequest, error) {
	id, err := linkID(ri)
	if err != nil {
		return linkRequest{}, err
	}
	return s.enterLink(r, ri, id)
}

// filteredLink is link for the routes that take account_ids (identity and
// accounts): the filter is read before the link is entered, so a malformed
// query is a 400 that neither counts as a call nor waits for a delay.
func (s *Server) filteredLink(r *http.Request, ri *reqInfo) (linkRequest, map[string]bool, error) {
	id, err := linkID(ri)
	if err != nil {
		return linkRequest{}, nil, err
	}
	filter, err := accountIDs(r.URL.RawQuery)
	if err != nil {
		return linkRequest{}, nil, err
	}
	lr, err := s.enterLink(r, ri, id)
	return lr, filter, err
}

// enterLink puts a link request in its session and applies the link's
// scenario, in the documented order: the rate-limit guard, then counting the
// call, then the delay, then the error, fault or dribble when this call gets
// it (a fault is returned as a *faultError, which writeError puts on the wire). A link
// deleted in the session answers 410 before any of that.
func (s *Server) enterLink(r *http.Request, ri *reqInfo, id string) (linkRequest, error) {
	sess, err := s.sessionState(ri)
	if err != nil {
		return linkRequest{}, err
	}
	lr := linkRequest{id: id, sess: sess}
	lr.rt, lr.hasRT = sess.Runtime(id)
	if lr.rt.Deleted {
		return linkRequest{}, kindError(scenarios.Deleted)
	}
	e := s.lookup(ri, sess, id)
	if e == nil {
		return lr, nil
	}
	ri.scenario = e.Pattern
	now := s.clock.Now()
	call := sess.Call(id, e.Fingerprint(), e.RateLimit, now)
	if d := e.DelayFor(s.cfg.Seed, id, call.N); d > 0 {
		if err := s.cfg.Sleep(r.Context(), d); err != nil {
			return linkRequest{}, err
		}
	}
	if call.Refused {
		ae := kindError(scenarios.RateLimited)
		ae.RetryAfter = e.LimitRetryAfterSeconds(call.Wait)
		return linkRequest{}, ae
	}
	if e.Applies(call.N) {
		switch {
		case e.Fault != "":
			ri.status = StatusFault
			return linkRequest{}, &faultError{fault: e.Fault, id: id, call: call.N}
		case e.Error != "":
			return linkRequest{}, scenarioError(e)
		case e.Dribble != nil:
			// The handler writes through ri; its body now leaves in slices.
			ri.ResponseWriter = &dribbleWriter{ResponseWriter: ri.ResponseWriter, ctx: r.Context(), sleep: s.cfg.Sleep, d: *e.Dribble}
		}
	}
	lr.entry = e
	return lr, nil
}

// lookup finds a link's scenario in the request's snapshot: a run-time
// entry of its session first, then the files' (and the embedded catalogue's).
func (s *Server) lookup(ri *reqInfo, sess state.Session, linkID string) *scenarios.Entry {
	if e := sess.Scenario(linkID); e != nil {
		// Bound to the snapshot's personas, so that a fixtures reload changes
		// its fingerprint (and so its cached bodies and counters) too.
		return ri.set.Bind(e)
	}
	return ri.set.Lookup(linkID)
}

// scenarioError is the answer a scenario's error kind stands for: its
// status, error_code and default message from scenarios' one table, the
// entry's message when it has one, and the extras a kind carries.
func scenarioError(e *scenarios.Entry) *APIError {
	ki, ok := e.Error.Info()
	if !ok {
		// The loader admits only the kinds of the table; reaching here is a bug.
		return &APIError{Status: http.StatusInternalServerError, Code: CodeInternal, Message: MsgInternal}
	}
	ae := &APIError{Status: ki.Status, Code: ki.Code, Message: ki.Message}
	switch e.Error {
	case scenarios.BadState:
		ae.LinkErrorCode = e.LinkErrorCode
	case scenarios.RateLimited:
		ae.RetryAfter = e.RetryAfterSeconds()
	}
	if e.Message != "" {
		ae.Message = e.Message
	}
	return ae
}

// shapes reports whether an entry changes the data of its successes.
func shapes(e *scenarios.Entry) bool {
	return e != nil && (e.Link != nil || e.Accounts != nil || e.Institution != nil || e.Fixture != "" || e.Webhook != nil)
}

// options are the fixtures options a link's entry stands for, with the
// personas of set: everything that decides the link's data but its seed,
// ID and runtime state.
func options(set *scenarios.Set, e *scenarios.Entry) fixtures.Options {
	var o fixtures.Options
	if !shapes(e) {
		return o
	}
	o.Accounts = e.Accounts
	if e.Fixture != "" {
		o.Persona = set.Persona(e.Fixture)
	}
	if in := e.Institution; in != nil {
		if in.InstitutionID != "" || in.InstitutionName != "" {
			o.Institution = &fixtures.Institution{ID: in.InstitutionID, Name: in.InstitutionName}
		}
		o.InstitutionAvatar, o.Provider = in.InstitutionAvatar, in.Provider
	}
	o.Link = e.Link
	if e.Webhook != nil {
		o.Webhook = *e.Webhook
	}
	return o
}

// options are the fixtures options of a link with entry e in the request's
// snapshot, with the server's default webhook.
func (s *Server) options(ri *reqInfo, e *scenarios.Entry) fixtures.Options {
	o := options(ri.set, e)
	o.DefaultWebhook, o.NewerEnums = s.cfg.WebhookURL, s.cfg.NewerEnums
	return o
}

// data is a link's data as it is now: its seed, its scenario's shaping, and
// its runtime state at the clock's time.
func (s *Server) data(ri *reqInfo, lr linkRequest) *fixtures.Identity {
	o := s.options(ri, lr.entry)
	if lr.hasRT {
		o.Runtime, o.At = &lr.rt, s.clock.Now()
	}
	return fixtures.Generate(s.cfg.Seed, lr.id, o)
}

// kindError is the answer of an error kind with its default message.
func kindError(k scenarios.Kind) *APIError {
	return scenarioError(&scenarios.Entry{Error: k})
}

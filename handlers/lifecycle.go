package handlers

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// updateLinkRequest is UpdateLinkRequest; the fields stay raw so that an
// absent webhook (unchanged) and a null one (removed) can be told apart.
type updateLinkRequest struct {
	Webhook  json.RawMessage `json:"webhook"`
	LinkTags json.RawMessage `json:"link_tags"`
	Tags     json.RawMessage `json:"tags"`
}

// handleUpdateLink handles "PATCH /links/{id}": it changes the link's
// webhook (null removes it), link_tags and tags, in the request's session,
// and answers 200 with the link. Every later answer for the link shows the
// change.
func (s *Server) handleUpdateLink(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	id, err := linkID(ri)
	if err != nil {
		return err
	}
	var req updateLinkRequest
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	var problems []ValidationError
	webhook, webhookSet, p := s.readWebhook(req.Webhook, "body", "webhook")
	problems = append(problems, p...)
	linkTags, p := readStrings(req.LinkTags, "body", "link_tags")
	problems = append(problems, p...)
	tags, p := readStrings(req.Tags, "body", "tags")
	problems = append(problems, p...)
	if len(problems) > 0 {
		return &APIError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Message: MsgValidation, ValidationErrors: problems}
	}
	lr, err := s.enterLink(r, ri, id)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	lr.sess.UpdateRuntime(id, func(rt *fixtures.Runtime) {
		touch(rt, now)
		if webhookSet {
			rt.Webhook, rt.WebhookSet = webhook, true
		}
		if linkTags != nil {
			rt.LinkTags = linkTags
		}
		if tags != nil {
			rt.Tags = tags
		}
	})
	lr.rt, lr.hasRT = lr.sess.Runtime(id)
	return s.writeValue(w, http.StatusOK, &s.data(ri, lr).Link)
}

// handleDeleteLink handles "DELETE /links/{id}": it answers 204, and from
// then on every route of the link answers 410 link_error.deleted in the
// request's session, until /_mock/reset.
func (s *Server) handleDeleteLink(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	lr, err := s.link(r, ri)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	link := s.data(ri, lr).Link
	lr.sess.UpdateRuntime(lr.id, func(rt *fixtures.Runtime) { touch(rt, now); rt.Deleted = true })
	link.State, link.ErrorCode = "deleted", nil
	s.stateChanged(lr, &link, "")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleResetLink handles "POST /links/{id}/reset": MoneyKit's test-only
// "relink required", which puts the link in state error with error_code
// auth_expired, in the request's session. It answers 200 with the link.
func (s *Server) handleResetLink(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	lr, err := s.link(r, ri)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	lr.sess.UpdateRuntime(lr.id, func(rt *fixtures.Runtime) { touch(rt, now); rt.Reset = true })
	lr.rt, lr.hasRT = lr.sess.Runtime(lr.id)
	link := s.data(ri, lr).Link
	s.stateChanged(lr, &link, MsgRelinkRequired)
	return s.writeValue(w, http.StatusOK, &link)
}

// MsgRelinkRequired is the error_message of the link.state_changed webhook a
// reset sends.
const MsgRelinkRequired = "The link's credentials must be entered again (reset for testing)"

// touch marks when the mock first knew a link: its creation, or its first
// change for a link it never created.
func touch(rt *fixtures.Runtime, now time.Time) {
	if rt.Created.IsZero() {
		rt.Created = now
	}
}

// Bounds of GET /links' limit; 500 is the default.
const (
	defaultLinksLimit = 500
	maxLinksLimit     = 5000
)

// linkItem is one item of GetLinksResponse.links.
type linkItem struct {
	LinkID    string        `json:"link_id"`
	CreatedAt fixtures.Time `json:"created_at"`
}

// handleListLinks handles "GET /links": the links the request's session
// knows (created through a link session, minted, or changed at run time),
// oldest first, limit at a time (1 to 5000, default 500); next_cursor is ""
// after the last page. Deleted links are left out, as MoneyKit's listing
// has only live links.
func (s *Server) handleListLinks(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errValidation(http.StatusBadRequest, []any{"query"}, "the query string is malformed", "value_error")
	}
	if err := onlyParams(q, "cursor", "limit"); err != nil {
		return err
	}
	limit := defaultLinksLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxLinksLimit {
			return errValidation(http.StatusBadRequest, []any{"query", "limit"}, "limit must be a whole number from 1 to 5000", "int_parsing")
		}
	}
	start := 0
	if v := q.Get("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 {
			return errValidation(http.StatusBadRequest, []any{"query", "cursor"}, "cursor must be a next_cursor this server gave", "value_error")
		}
		start = n
	}
	sess, err := s.sessionState(ri)
	if err != nil {
		return err
	}
	var live []state.Link
	for _, l := range sess.Links() {
		if !l.Runtime.Deleted && !l.Runtime.Created.IsZero() {
			live = append(live, l)
		}
	}
	out := struct {
		Links      []linkItem `json:"links"`
		NextCursor string     `json:"next_cursor"`
	}{Links: []linkItem{}}
	for i := start; i < len(live) && len(out.Links) < limit; i++ {
		out.Links = append(out.Links, linkItem{LinkID: live[i].ID, CreatedAt: fixtures.Time(live[i].Runtime.Created)})
	}
	if next := start + len(out.Links); next < len(live) {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(next)))
	}
	return s.writeValue(w, http.StatusOK, out)
}

// onlyParams refuses query parameters other than known: a misspelled
// parameter is a 400 naming it, not silently ignored.
func onlyParams(q url.Values, known ...string) error {
	var problems []ValidationError
	for k := range q {
		ok := false
		for _, name := range known {
			ok = ok || k == name
		}
		if !ok {
			problems = append(problems, ValidationError{Location: []any{"query", clip(k, 40)}, Message: "unknown query parameter " + strconv.Quote(clip(k, 40)), Type: "extra_forbidden"})
		}
	}
	if len(problems) > 0 {
		return &APIError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Message: MsgValidation, ValidationErrors: problems}
	}
	return nil
}

// maxURLLength bounds a webhook URL, as UpdateLinkRequest does.
const maxURLLength = 65536

// readWebhook reads a webhook field: absent (set false), null (set, nil) or a
// URL the webhook policy accepts.
func (s *Server) readWebhook(raw json.RawMessage, loc ...any) (url *string, set bool, problems []ValidationError) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	if string(raw) == "null" {
		return nil, true, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false, []ValidationError{{Location: loc, Message: "Input should be a valid string", Type: "string_type"}}
	}
	if err := s.checkWebhookURL(v); err != nil {
		return nil, false, []ValidationError{{Location: loc, Message: err.Error(), Type: "url_parsing"}}
	}
	return &v, true, nil
}

// readStrings reads an optional list of strings; nil when absent.
func readStrings(raw json.RawMessage, loc ...any) ([]string, []ValidationError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var v []string
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, []ValidationError{{Location: loc, Message: "Input should be a valid list of strings", Type: "list_type"}}
	}
	return v, nil
}

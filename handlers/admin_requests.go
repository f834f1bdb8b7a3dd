package handlers

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moneykit-mock/moneykit-mock/state"
)

// handleListRequests handles "GET /_mock/requests": the request journal of
// the caller's session (or, with session=, another's or all of them), newest
// last, filtered by link=, status=, path=, since= and limit=; with count=true
// it answers {"count": N} instead, so a test asserts "called N times" in one
// call. Browser preflights (OPTIONS) are journaled but left out unless
// preflights=true, so that they do not fill a browser app's view.
func (s *Server) handleListRequests(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	q, err := requestsFilter(r, ri)
	if err != nil {
		return err
	}
	if q.count && q.preflights {
		return s.writeValue(w, http.StatusOK, struct {
			Count int `json:"count"`
		}{s.store.Journal().Count(q.Filter)})
	}
	entries := q.list(s.store.Journal())
	if q.count {
		return s.writeValue(w, http.StatusOK, struct {
			Count int `json:"count"`
		}{len(entries)})
	}
	return s.writeValue(w, http.StatusOK, struct {
		Requests []state.Request `json:"requests"`
	}{entries})
}

// journalQuery is what a GET /_mock/requests (or its stream) asks for: the
// journal's filter, count=, and preflights=.
type journalQuery struct {
	state.Filter
	count, preflights bool
}

// list is the entries q matches: the journal's own filter, then, without
// preflights=true, preflights left out before limit= applies.
func (q journalQuery) list(j state.Journal) []state.Request {
	if q.preflights {
		return j.List(q.Filter)
	}
	f := q.Filter
	f.Limit = 0
	out := dropPreflights(j.List(f))
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[len(out)-q.Limit:]
	}
	return out
}

// dropPreflights removes the OPTIONS requests (every one is a CORS
// preflight, see cors.go) from entries, in place.
func dropPreflights(entries []state.Request) []state.Request {
	out := entries[:0]
	for _, e := range entries {
		if e.Method != http.MethodOptions {
			out = append(out, e)
		}
	}
	return out
}

// requestsFilter reads the filters GET /_mock/requests and its stream share:
// link, status, path, since, limit, count, preflights, and session (* for
// every session, a name for another's; the caller's own by default).
func requestsFilter(r *http.Request, ri *reqInfo) (journalQuery, error) {
	q := r.URL.Query()
	f, count, err := parseJournalFilter(q)
	if err != nil {
		return journalQuery{}, err
	}
	jq := journalQuery{Filter: f, count: count}
	if v := q.Get("preflights"); v != "" {
		if jq.preflights, err = strconv.ParseBool(v); err != nil {
			return journalQuery{}, journalQueryError("preflights", "preflights must be true or false", "bool_parsing")
		}
	}
	if ri.sessionErr != nil {
		return journalQuery{}, ri.sessionErr
	}
	jq.Session = ri.session
	switch v := q.Get("session"); {
	case v == "*":
		jq.AllSessions = true
	case v != "":
		if !validSessionName(v) {
			return journalQuery{}, errValidation(http.StatusBadRequest, []any{"query", "session"}, "session must be * or a session name", "value_error")
		}
		jq.Session = v
	}
	return jq, nil
}

// handleClearRequests handles "DELETE /_mock/requests": it empties the
// caller's session's journal (the default session's without X-Mock-Session).
func (s *Server) handleClearRequests(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	if ri.sessionErr != nil {
		return ri.sessionErr
	}
	s.store.Journal().Clear(ri.session)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// parseJournalFilter reads the filters of GET /_mock/requests from its query:
//
//	link=ID          that link ID exactly
//	path=/links/x    that path exactly; path=/links/* any path starting /links/
//	status=404       that status; status=4xx a class (1xx to 5xx)
//	since=TIME       at or after an RFC 3339 time
//	since=SEQ        after that seq (the last one a client saw)
//	limit=N          the newest N matches, still oldest first
//	count=true       the caller answers {"count": N} instead of the entries
//
// An empty value is the same as no value. Any other parameter is a 400
// naming it (a misspelled filter would otherwise count the whole journal);
// session and preflights are known here but read by requestsFilter, which
// sets Session and AllSessions. A bad value is a 400 validation error naming
// its parameter.
func parseJournalFilter(q url.Values) (f state.Filter, count bool, err error) {
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(journalParams, name) {
			return state.Filter{}, false, journalQueryError(name,
				fmt.Sprintf("unknown filter %q (want one of %s)", clip(name, 40), strings.Join(journalParams, ", ")), "extra_forbidden")
		}
	}
	f.Link = q.Get("link")
	f.Path = q.Get("path")
	if v := q.Get("status"); v != "" {
		if f.Status, f.StatusClass, err = parseStatusFilter(v); err != nil {
			return state.Filter{}, false, err
		}
	}
	if v := q.Get("since"); v != "" {
		if isDigits(v) {
			if f.SinceSeq, err = strconv.ParseUint(v, 10, 64); err != nil {
				return state.Filter{}, false, journalQueryError("since", "since must be an RFC 3339 time such as 2025-01-02T03:04:05Z or a seq number", "value_error")
			}
		} else if f.Since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return state.Filter{}, false, journalQueryError("since", "since must be an RFC 3339 time such as 2025-01-02T03:04:05Z or a seq number", "datetime_parsing")
		}
	}
	if v := q.Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			return state.Filter{}, false, journalQueryError("limit", "limit must be a whole number of at least 1", "int_parsing")
		}
		f.Limit = n
	}
	if v := q.Get("count"); v != "" {
		if count, err = strconv.ParseBool(v); err != nil {
			return state.Filter{}, false, journalQueryError("count", "count must be true or false", "bool_parsing")
		}
	}
	return f, count, nil
}

// parseStatusFilter reads "404" (100 to 599) or a class "4xx" (1xx to 5xx, x
// in either case).
func parseStatusFilter(v string) (status, class int, err error) {
	if len(v) == 3 && v[0] >= '1' && v[0] <= '5' {
		if (v[1] == 'x' || v[1] == 'X') && (v[2] == 'x' || v[2] == 'X') {
			return 0, int(v[0] - '0'), nil
		}
		if isDigits(v) {
			n, _ := strconv.Atoi(v)
			return n, 0, nil
		}
	}
	return 0, 0, journalQueryError("status", "status must be a code from 100 to 599 such as 404, or a class such as 4xx", "value_error")
}

// journalParams are the query parameters of GET /_mock/requests and its stream.
var journalParams = []string{"link", "status", "path", "since", "limit", "count", "session", "preflights"}

func journalQueryError(param, msg, typ string) *APIError {
	return errValidation(http.StatusBadRequest, []any{"query", param}, msg, typ)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

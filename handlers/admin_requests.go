package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/moneykit-mock/moneykit-mock/state"
)

// handleListRequests handles "GET /_mock/requests": the request journal of
// the caller's session (or, with session=, another's or all of them), newest
// last, filtered by link=, status=, path=, since= and limit=; with count=true
// it answers {"count": N} instead, so a test asserts "called N times" in one
// call.
func (s *Server) handleListRequests(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	f, count, err := requestsFilter(r, ri)
	if err != nil {
		return err
	}
	if count {
		return s.writeValue(w, http.StatusOK, struct {
			Count int `json:"count"`
		}{s.store.Journal().Count(f)})
	}
	return s.writeValue(w, http.StatusOK, struct {
		Requests []state.Request `json:"requests"`
	}{s.store.Journal().List(f)})
}

// requestsFilter reads the filters GET /_mock/requests and its stream share:
// link, status, path, since, limit, count, and session (* for every session,
// a name for another's; the caller's own by default).
func requestsFilter(r *http.Request, ri *reqInfo) (state.Filter, bool, error) {
	q := r.URL.Query()
	f, count, err := parseJournalFilter(q)
	if err != nil {
		return f, false, err
	}
	if ri.sessionErr != nil {
		return f, false, ri.sessionErr
	}
	f.Session = ri.session
	switch v := q.Get("session"); {
	case v == "*":
		f.AllSessions = true
	case v != "":
		if !validSessionName(v) {
			return f, false, errValidation(http.StatusBadRequest, []any{"query", "session"}, "session must be * or a session name", "value_error")
		}
		f.Session = v
	}
	return f, count, nil
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
// An empty value is the same as no value; other parameters are ignored. The
// session is not read here: the caller sets Session and AllSessions. A bad
// value is a 400 validation error naming its parameter.
func parseJournalFilter(q url.Values) (f state.Filter, count bool, err error) {
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

package handlers

import (
	"net/http"
	"strings"
	"time"
)

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 1000

// record adds a finished request to the journal. The mock's own /_mock/
// routes are left out, so that "was identity called twice?" counts only the
// calls an app or SDK made.
func (s *Server) record(r *http.Request, rec *recorder, start time.Time, d time.Duration) {
	if strings.HasPrefix(r.URL.Path, "/_mock/") {
		return
	}
	session, _ := sessionName(r)
	s.journal.add(journalEntry{
		Time:       start,
		Session:    session,
		Method:     r.Method,
		Path:       r.URL.Path,
		LinkID:     rec.linkID,
		Status:     rec.status,
		Scenario:   rec.scenario,
		DurationMS: float64(d.Microseconds()) / 1000,
		rawQuery:   r.URL.RawQuery,
		rawHeader:  r.Header,
	})
}

// handleListRequests handles "GET /_mock/requests": the request journal of
// the caller's session (or, with session=, another's or all of them), newest
// last, filtered by link=, status=, path=, since= and limit=; with count=true
// it answers {"count": N} instead, so a test asserts "called N times" in one
// call.
func (s *Server) handleListRequests(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, count, err := parseJournalFilter(q)
	if err != nil {
		return err
	}
	if f.Session, err = sessionName(r); err != nil {
		return err
	}
	// session=* shows every session's requests; session=NAME another one's.
	switch v := q.Get("session"); {
	case v == "*":
		f.AllSessions = true
	case v != "":
		if len(v) > maxSessionNameLen || !plainToken(v) {
			return errValidation(http.StatusBadRequest, []any{"query", "session"}, "session must be * or a session name", "value_error")
		}
		f.Session = v
	}
	if count {
		return s.writeValue(w, http.StatusOK, struct {
			Count int `json:"count"`
		}{s.journal.count(f)})
	}
	return s.writeValue(w, http.StatusOK, struct {
		Requests []journalEntry `json:"requests"`
	}{s.journal.list(f)})
}

// handleClearRequests handles "DELETE /_mock/requests": it empties the
// caller's session's journal (the default session's without X-Mock-Session).
func (s *Server) handleClearRequests(w http.ResponseWriter, r *http.Request) error {
	session, err := sessionName(r)
	if err != nil {
		return err
	}
	s.journal.clear(session, false)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

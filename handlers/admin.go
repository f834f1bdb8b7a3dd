package handlers

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// MsgAdminToken is the message of a /_mock/ request without the admin token.
const MsgAdminToken = "This mock's /_mock/ routes need the admin token: Authorization: Bearer <admin token>"

// checkAdmin guards every /_mock/ route with the admin token when one is set,
// except the dashboard's own files (isUIAsset says why).
func (s *Server) checkAdmin(r *http.Request) error {
	if s.adminToken == "" || !strings.HasPrefix(r.URL.Path, "/_mock/") || isUIAsset(r.URL.Path) {
		return nil
	}
	if tok, ok := bearer(r.Header.Get("Authorization")); ok && subtle.ConstantTimeCompare([]byte(tok), []byte(s.adminToken)) == 1 {
		return nil
	}
	return errUnauthorized(MsgAdminToken)
}

// mockLinkID returns the decoded {link} of a /_mock/ route.
func mockLinkID(r *http.Request) (string, error) {
	id, err := url.PathUnescape(mux.Vars(r)["link"])
	if err != nil || id == "" || len(id) > maxLinkIDLen {
		return "", errValidation(http.StatusBadRequest, []any{"path", "link"}, "the link ID must be 1 to 256 characters", "value_error")
	}
	return id, nil
}

// handlePutScenario handles "PUT /_mock/scenarios/{link}": it sets a link's
// scenario at run time, in the request's session, from one entry given as JSON
// with the scenario file's keys. It is validated exactly as a file's entry; a
// bad one gets 400 with every problem. Run-time entries beat file entries and
// survive file reloads. It answers 200 with the entry as GET /_mock/scenarios
// shows it.
func (s *Server) handlePutScenario(w http.ResponseWriter, r *http.Request) error {
	id, err := mockLinkID(r)
	if err != nil {
		return err
	}
	if scenarios.IsGlob(id) {
		return errValidation(http.StatusBadRequest, []any{"path", "link"},
			"run-time scenarios are for exact link IDs; put globs in a scenario file", "value_error")
	}
	wd, err := s.worldFor(r)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		return errValidation(http.StatusBadRequest, []any{"body"}, "the body must be at most 64 KiB", "too_long")
	}
	if strings.TrimSpace(string(data)) == "" {
		return errValidation(http.StatusBadRequest, []any{"body"}, "the body must be a scenario entry such as {\"error\": \"deleted\"}", "missing")
	}
	e, err := s.runtimeEntry(id, data, "", "body")
	if err != nil {
		return err
	}
	wd.setRuntime(id, e)
	return s.writeValue(w, http.StatusOK, viewScenario(e))
}

// handleDeleteScenario handles "DELETE /_mock/scenarios/{link}": it removes a
// link's run-time scenario in the request's session, so its file scenario (if
// any) answers again. It answers 204 whether or not there was one, so a test's
// clean-up never fails.
func (s *Server) handleDeleteScenario(w http.ResponseWriter, r *http.Request) error {
	id, err := mockLinkID(r)
	if err != nil {
		return err
	}
	wd, err := s.worldFor(r)
	if err != nil {
		return err
	}
	wd.setRuntime(id, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resettableClock is a clock POST /_mock/reset can put back.
type resettableClock interface{ Reset() }

// handleReset handles "POST /_mock/reset". With X-Mock-Session it resets that
// session alone: its run-time scenarios, counters, buckets, refreshes, minted
// links and journal entries; no other session notices. Without it, it puts
// the whole server back as it started: the default session, every named
// session, the clock and the journal. It answers 204.
func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) error {
	name, err := sessionName(r)
	if err != nil {
		return err
	}
	if name != "" {
		s.sessions.drop(name)
		s.journal.clear(name, false)
	} else {
		s.world.reset()
		s.sessions.reset()
		if c, ok := s.clock.(resettableClock); ok {
			c.Reset()
		}
		s.journal.clear("", true)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

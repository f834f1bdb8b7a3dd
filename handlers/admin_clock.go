package handlers

import (
	"net/http"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
)

type clockView struct {
	Now    string `json:"now"`
	Pinned bool   `json:"pinned"`
}

func (s *Server) clockView() clockView {
	return clockView{Now: s.clock.Now().UTC().Format(time.RFC3339Nano), Pinned: s.clock.Pinned()}
}

// handleGetClock handles "GET /_mock/clock": the server's time.
func (s *Server) handleGetClock(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	return s.writeValue(w, http.StatusOK, s.clockView())
}

// handleSetClock handles "POST /_mock/clock" with {"advance": "90s"} or
// {"now": "<RFC 3339>"}: it moves the clock (a pinned one stays pinned at the
// new time; a real one keeps running from it) and answers with the new time,
// so a test can finish a refresh without waiting for it. The clock stays in
// config.ClockMin to config.ClockMax: a now outside it, or an advance that would
// leave it, is a 400 naming the field, and the clock does not move.
func (s *Server) handleSetClock(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	c := s.clock
	var req struct {
		Advance *string `json:"advance"`
		Now     *string `json:"now"`
	}
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	switch {
	case req.Advance != nil && req.Now == nil:
		d, err := time.ParseDuration(*req.Advance)
		if err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "advance"}, "advance must be a duration such as 90s or 1h30m", "duration_parsing")
		}
		if _, err := c.TryAdvance(d); err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "advance"},
				"advance would move the clock outside its range, "+config.ClockRange, "value_error")
		}
	case req.Now != nil && req.Advance == nil:
		t, err := time.Parse(time.RFC3339Nano, *req.Now)
		if err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "now"}, "now must be an RFC 3339 time such as 2025-01-02T03:04:05Z", "datetime_parsing")
		}
		if _, err := c.TrySet(t); err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "now"},
				"now must be in the clock's range, "+config.ClockRange, "value_error")
		}
	default:
		return errValidation(http.StatusBadRequest, []any{"body"}, "give exactly one of advance or now", "value_error")
	}
	return s.writeValue(w, http.StatusOK, s.clockView())
}

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
// so a test can finish a refresh without waiting for it. {"pinned": true}
// stops the clock where it is and {"pinned": false} lets it run on from there;
// either may go with advance or now. The clock stays in config.ClockMin to
// config.ClockMax: a now outside it, or an advance that would leave it, is a
// 400 naming the field. Everything is checked before anything changes, so a
// 400 leaves the clock alone.
func (s *Server) handleSetClock(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	var req struct {
		Advance *string `json:"advance"`
		Now     *string `json:"now"`
		Pinned  *bool   `json:"pinned"`
	}
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	c := s.clock
	var move func() error
	switch {
	case req.Advance != nil && req.Now == nil:
		d, err := time.ParseDuration(*req.Advance)
		if err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "advance"}, "advance must be a duration such as 90s or 1h30m", "duration_parsing")
		}
		move = func() error {
			if _, err := c.TryAdvance(d); err != nil {
				return errValidation(http.StatusBadRequest, []any{"body", "advance"},
					"advance would move the clock outside its range, "+config.ClockRange, "value_error")
			}
			return nil
		}
	case req.Now != nil && req.Advance == nil:
		t, err := time.Parse(time.RFC3339Nano, *req.Now)
		if err != nil {
			return errValidation(http.StatusBadRequest, []any{"body", "now"}, "now must be an RFC 3339 time such as 2025-01-02T03:04:05Z", "datetime_parsing")
		}
		move = func() error {
			if _, err := c.TrySet(t); err != nil {
				return errValidation(http.StatusBadRequest, []any{"body", "now"},
					"now must be in the clock's range, "+config.ClockRange, "value_error")
			}
			return nil
		}
	case req.Now == nil && req.Advance == nil && req.Pinned != nil:
		move = func() error { return nil }
	default:
		return errValidation(http.StatusBadRequest, []any{"body"}, "give advance or now (not both), pinned, or pinned with one of them", "value_error")
	}
	if err := move(); err != nil {
		return err
	}
	if req.Pinned != nil {
		c.Pin(*req.Pinned)
	}
	return s.writeValue(w, http.StatusOK, s.clockView())
}

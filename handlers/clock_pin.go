package handlers

import (
	"net/http"
	"time"
)

// Pin stops the clock at the time it shows (pinned true) or lets it run on
// from that time (pinned false), and returns that time. Either way Now does
// not jump: only whether it moves changes.
func (c *MockClock) Pin(pinned bool) time.Time {
	return c.update(func(st *clockState) {
		switch {
		case pinned && !st.pinned:
			st.at, st.pinned = c.now().Add(st.offset).UTC(), true
		case !pinned && st.pinned:
			st.offset, st.pinned = st.at.Sub(c.now()), false
		}
	})
}

// pinnableClock is a clock POST /_mock/clock {"pinned": ...} can stop and start.
type pinnableClock interface{ Pin(bool) time.Time }

// setPinned applies "pinned" of POST /_mock/clock.
func setPinned(c Clock, pinned bool) error {
	p, ok := c.(pinnableClock)
	if !ok {
		return &APIError{Status: http.StatusConflict, Code: CodeValidationFailed, Message: "This server's clock cannot be pinned or un-pinned"}
	}
	p.Pin(pinned)
	return nil
}

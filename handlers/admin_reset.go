package handlers

import "net/http"

// handleReset handles "POST /_mock/reset". With X-Mock-Session it resets that
// session alone: its run-time scenarios, counters, buckets, refreshes, minted
// links and journal entries; no other session notices. Without it, it puts
// the whole server back as it started: the default session, every named
// session, the clock, the journal and the webhook deliveries. It answers 204.
func (s *Server) handleReset(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	if ri.sessionErr != nil {
		return ri.sessionErr
	}
	if ri.session != "" {
		s.store.Reset(ri.session)
		s.store.Journal().Clear(ri.session)
		s.hooks.reset(ri.session, false)
	} else {
		s.store.ResetAll()
		s.clock.Reset()
		s.store.Journal().ClearAll()
		s.hooks.reset("", true)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

package handlers

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// mintedLinkID makes the n-th minted link ID of a seed in a session: mk_ and
// 22 characters of MoneyKit's alphabet, the same for the same seed, session
// and order of calls, and different between sessions.
func mintedLinkID(seed uint64, session string, n int) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	h := sha256.Sum256(fmt.Appendf(nil, "moneykit-mock minted link %d %q %d", seed, session, n))
	b := []byte("mk_")
	for i := 0; i < 22; i++ {
		b = append(b, alphabet[int(h[i])%len(alphabet)])
	}
	return string(b)
}

// handleMintLink handles "POST /_mock/links": it mints a new link, since
// MoneyKit's Connect widget cannot be pointed at a mock. The body may name a
// persona, {"fixture": "household"}, or give the link a scenario entry in the
// scenario file's keys, {"scenario": {"error": "deleted", "after": 2}}. It
// answers 201 with {"link_id": ..., "link": <the link object>}.
func (s *Server) handleMintLink(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	var req struct {
		Fixture  string          `json:"fixture"`
		Scenario json.RawMessage `json:"scenario"`
	}
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	sess, err := s.sessionState(ri)
	if err != nil {
		return err
	}
	id := mintedLinkID(s.cfg.Seed, sess.Name(), sess.NextMinted())
	e, err := s.runtimeEntry(ri, id, req.Scenario, req.Fixture, "body", "scenario")
	if err != nil {
		return err
	}
	if e != nil {
		sess.SetScenario(id, e)
	}
	now := s.clock.Now()
	sess.UpdateRuntime(id, func(rt *fixtures.Runtime) { touch(rt, now) })
	rt, _ := sess.Runtime(id)
	o := s.options(ri, e)
	o.Runtime, o.At = &rt, now
	ident := fixtures.Generate(s.cfg.Seed, id, o)
	return s.writeValue(w, http.StatusCreated, struct {
		LinkID string         `json:"link_id"`
		Link   *fixtures.Link `json:"link"`
	}{id, &ident.Link})
}

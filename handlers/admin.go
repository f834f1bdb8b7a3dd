package handlers

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// MsgAdminToken is the message of a /_mock/ request without the admin token.
const MsgAdminToken = "This mock's /_mock/ routes need the admin token: Authorization: Bearer <admin token>"

// adminGuard is the middleware of the /_mock/ subrouter: with an admin token
// set, every /_mock/ route needs it. mux middlewares take and give an
// http.Handler; every handler of this router is a route, so the guard wraps
// the route's function and gives a route back.
func (s *Server) adminGuard(next http.Handler) http.Handler {
	rt, ok := next.(route)
	if !ok {
		panic("handlers: the admin guard wraps routes only")
	}
	return s.guarded(rt.f)
}

// guarded is f behind the admin guard.
func (s *Server) guarded(f handlerFunc) route {
	return route{f: func(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
		if err := s.checkAdmin(r); err != nil {
			return err
		}
		return f(w, r, ri)
	}}
}

// checkAdmin checks the admin token, when one is set.
func (s *Server) checkAdmin(r *http.Request) error {
	if s.cfg.AdminToken == "" {
		return nil
	}
	if tok, ok := bearer(header(r, "Authorization")); ok && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) == 1 {
		return nil
	}
	return errUnauthorized(MsgAdminToken)
}

// mockLinkID returns the decoded {link} of a /_mock/ route.
func mockLinkID(ri *reqInfo) (string, error) {
	id, err := url.PathUnescape(ri.vars["link"])
	if err != nil || id == "" || len(id) > maxLinkIDLen {
		return "", errValidation(http.StatusBadRequest, []any{"path", "link"}, "the link ID must be 1 to 256 characters", "value_error")
	}
	return id, nil
}

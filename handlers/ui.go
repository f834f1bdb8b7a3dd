package handlers

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/moneykit-mock/moneykit-mock/ui"
)

// uiRoute serves the dashboard's files at /_mock/ui/ and redirects
// /_mock/ui there; a path with no file gets the API's JSON 404. It is
// registered outside the admin guard: the files are the same bytes in every
// build and hold no data and no secret, and the page must load before it can
// ask for the token. Everything the page shows comes from /_mock/ API calls,
// which stay guarded.
func (s *Server) uiRoute() route {
	files := ui.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &APIError{Status: http.StatusNotFound, Code: CodeRouteNotFound, Message: MsgRouteNotFound + ": " + clip(r.URL.Path, 200)})
	}))
	return s.handle(func(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
		if r.URL.Path == strings.TrimSuffix(ui.Path, "/") {
			http.Redirect(w, r, ui.Path, http.StatusFound)
			return nil
		}
		files.ServeHTTP(w, r)
		return nil
	})
}

// browserAtRoot matches a browser opening "/": a GET or HEAD whose Accept
// names text/html. An API client (curl sends */*, the SDKs application/json)
// still gets the JSON 404 on "/".
func browserAtRoot(r *http.Request, _ *mux.RouteMatch) bool {
	return r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.Contains(header(r, "Accept"), "text/html")
}

// handleRootRedirect sends a browser that opened "/" to the dashboard.
func (s *Server) handleRootRedirect(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	http.Redirect(w, r, ui.Path, http.StatusFound)
	return nil
}

// infoView is the answer of GET /_mock/info.
type infoView struct {
	ClientID string `json:"client_id"`
	// ClientSecret is given only when there is no static token, so that a
	// client of the dashboard can still call the data routes (with
	// X-Client-Id and X-Client-Secret). These are sandbox credentials, which
	// the start-up log prints anyway.
	ClientSecret *string `json:"client_secret,omitempty"`
	// StaticToken is null when it is turned off.
	StaticToken *string `json:"static_token"`
	Seed        uint64  `json:"seed"`
	Version     string  `json:"version"`
	// Personas are the names POST /_mock/links {"fixture": ...} accepts.
	Personas []string `json:"personas"`
}

// handleInfo handles "GET /_mock/info": what a client such as the dashboard
// needs to call the data routes of this server: its client ID, its static
// token (or, without one, its client secret), its seed, the MoneyKit-Version
// it speaks and the personas it knows. Like every /_mock/ route it needs the
// admin token when one is set.
func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	v := infoView{ClientID: s.cfg.ClientID, Seed: s.cfg.Seed, Version: SupportedVersion, Personas: ri.set.Personas()}
	if s.cfg.StaticToken != "" {
		v.StaticToken = &s.cfg.StaticToken
	} else {
		v.ClientSecret = &s.cfg.ClientSecret
	}
	if v.Personas == nil {
		v.Personas = []string{}
	}
	return s.writeValue(w, http.StatusOK, v)
}

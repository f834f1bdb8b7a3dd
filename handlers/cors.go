package handlers

import (
	"net/http"
	"slices"
)

// cors decides which browser origins may call the mock. By default any origin
// may, since a frontend on localhost:3000 calling a mock on localhost:8080 is
// the common case; Config.CORSOrigins restricts it.
type cors struct {
	any     bool
	origins []string
	off     bool
}

func newCORS(origins []string) cors {
	return cors{any: slices.Contains(origins, "*"), origins: origins, off: len(origins) == 0}
}

// Preallocated header values, so that a request sets them without allocating.
var (
	corsAnyOrigin     = []string{"*"}
	corsVaryOrigin    = []string{"Origin"}
	corsExposeHeaders = []string{"Retry-After, X-Request-Id"}
	corsAllowMethods  = []string{"GET, POST, PUT, PATCH, DELETE, OPTIONS"}
	corsAllowHeaders  = []string{"Authorization, Content-Type, Accept, MoneyKit-Version, X-Client-Id, X-Client-Secret, X-Request-Id, X-Mock-Session"}
	corsMaxAge        = []string{"600"}
)

// apply sets the CORS response headers and reports whether r is a preflight
// (any OPTIONS request), which the caller answers with 204 on every path.
// A request without Origin is not a CORS request (browsers always send it
// across origins), so SDKs and curl get no CORS headers at all.
func (c cors) apply(h http.Header, r *http.Request) (preflight bool) {
	preflight = r.Method == http.MethodOptions
	origin := header(r, "Origin")
	if c.off || origin == "" {
		return preflight
	}
	switch {
	case c.any:
		h["Access-Control-Allow-Origin"] = corsAnyOrigin
	case slices.Contains(c.origins, origin):
		h["Access-Control-Allow-Origin"] = []string{origin}
		h["Vary"] = corsVaryOrigin
	default:
		return preflight
	}
	h["Access-Control-Expose-Headers"] = corsExposeHeaders
	if preflight {
		h["Access-Control-Allow-Methods"] = corsAllowMethods
		h["Access-Control-Allow-Headers"] = corsAllowHeaders
		h["Access-Control-Max-Age"] = corsMaxAge
	}
	return preflight
}

package handlers

import (
	"net/http"
	"slices"
)

// cors decides which browser origins may call the mock. By default any origin
// may, since a frontend on localhost:3000 calling a mock on localhost:8080 is
// the common case; Config.CORSOrigins restricts it.
//
// An allowed origin is echoed, never answered with "*", together with
// Access-Control-Allow-Credentials: true and Vary: Origin, so that
// fetch(..., {credentials: "include"}) works: browsers refuse "*" with
// credentials. A preflight allows every request header the browser asks
// for (the Stainless SDKs send x-stainless-* headers), and the methods of
// the API.
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
	corsTrue          = []string{"true"}
	corsVaryOrigin    = []string{"Origin"}
	corsExposeHeaders = []string{"Retry-After, X-Request-Id"}
	corsAllowMethods  = []string{"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"}
	corsAllowHeaders  = []string{"Authorization, Content-Type, Accept, MoneyKit-Version, X-Client-Id, X-Client-Secret, X-Request-Id, X-Mock-Session"}
	corsMaxAge        = []string{"600"}
)

// maxRequestHeadersLen bounds the Access-Control-Request-Headers the mock
// echoes.
const maxRequestHeadersLen = 2048

// apply sets the CORS response headers and reports whether r is a preflight
// (any OPTIONS request), which the caller answers with 204 on every path.
// A request without Origin is not a CORS request (browsers always send it
// across origins), so SDKs and curl get no CORS headers at all.
func (c cors) apply(h http.Header, r *http.Request) (preflight bool) {
	preflight = r.Method == http.MethodOptions
	origin := header(r, "Origin")
	if c.off || origin == "" || !c.any && !slices.Contains(c.origins, origin) {
		return preflight
	}
	h["Access-Control-Allow-Origin"] = r.Header["Origin"][:1]
	h["Access-Control-Allow-Credentials"] = corsTrue
	h["Vary"] = corsVaryOrigin
	h["Access-Control-Expose-Headers"] = corsExposeHeaders
	if preflight {
		h["Access-Control-Allow-Methods"] = corsAllowMethods
		if m := header(r, "Access-Control-Request-Method"); m != "" && upperMethods[m] != "" {
			// A method in another case ("patch" from fetch) must be listed as
			// asked: browsers compare it case-sensitively.
			h["Access-Control-Allow-Methods"] = []string{corsAllowMethods[0] + ", " + m}
		}
		h["Access-Control-Allow-Headers"] = corsAllowHeaders
		if asked := header(r, "Access-Control-Request-Headers"); asked != "" && len(asked) <= maxRequestHeadersLen && headerList(asked) {
			h["Access-Control-Allow-Headers"] = []string{asked}
		}
		h["Access-Control-Max-Age"] = corsMaxAge
	}
	return preflight
}

// headerList reports whether v is a comma-separated list of header names,
// so that only names, never other text, are echoed back.
func headerList(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ',' || c == ' ') {
			return false
		}
	}
	return true
}

package handlers

import (
	"net/http"
	"strings"
)

// linkPrefixes are the path prefixes after which a link ID comes: the link
// routes (/links/{id}...) and the test webhook (/webhooks/test/link/{id}).
var linkPrefixes = []string{"/links/", "/webhooks/test/link/"}

// pathLinkID is the link ID a request's path names, as the handlers record
// it (path-encoded, clipped to 100 bytes), or "" for a path that names none.
// It is read once at entry, so that the journal and the log carry the link
// of every request on it, those answered before any handler runs too: a 401,
// a wrong MoneyKit-Version, a CORS preflight.
func pathLinkID(r *http.Request) string {
	p := r.URL.EscapedPath()
	for _, prefix := range linkPrefixes {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			id, _, _ := strings.Cut(rest, "/")
			return clip(id, 100)
		}
	}
	return ""
}

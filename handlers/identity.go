package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// maxLinkIDLen bounds the link IDs the mock answers for; longer ones are not
// found, so that nobody can fill the cache with megabyte-long keys.
const maxLinkIDLen = 256

// linkID returns the request's decoded {id} and records it for the log.
// Link routes call it first, so it also says, on every answer of a GET link
// route, that the answer varies with Accept-Encoding (writeBody may gzip).
func linkID(ri *reqInfo) (string, error) {
	if ri.get {
		varyOnEncoding(ri.Header())
	}
	raw := ri.linkVar
	id, err := url.PathUnescape(raw)
	ri.linkID = clip(raw, 100)
	if err != nil || id == "" || len(id) > maxLinkIDLen {
		return "", kindError(scenarios.NotFound)
	}
	return id, nil
}

// handleIdentity handles "GET /links/{id}/identity": the link's accounts with
// their owners, and the link itself.
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	lr, filter, err := s.filteredLink(r, ri)
	if err != nil {
		return err
	}
	if filter == nil {
		s.writeBody(w, ri, lr, identityPart)
		return nil
	}
	ident := s.data(ri, lr)
	kept := ident.Accounts[:0]
	for _, a := range ident.Accounts {
		if filter[a.AccountID] {
			kept = append(kept, a)
		}
	}
	ident.Accounts = kept
	writeEncoded(w, ri, http.StatusOK, mustJSON(ident))
	return nil
}

// writeBody writes a link's identity answer or link object. Bodies are
// cached until something changes the link at run time (a refresh), after
// which they are made for each request. Generation is deterministic, so two
// requests racing to fill the same entry produce the same bytes and either
// may win. A client that accepts gzip gets the cached body's gzip form,
// compressed on the first such request and cached too.
func (s *Server) writeBody(w http.ResponseWriter, ri *reqInfo, lr linkRequest, p part) {
	if lr.hasRT {
		raw, linkAt := s.data(ri, lr).AppendJSON(nil)
		if p == linkPart {
			raw = raw[linkAt : len(raw)-1]
		}
		writeEncoded(w, ri, http.StatusOK, raw)
		return
	}
	fp := fingerprint(lr.entry)
	buf := scratch.Get().(*[]byte)
	b, ok := s.cache.appendBody((*buf)[:0], lr.id, fp, p, ri.gzip)
	if !ok {
		b, *buf = s.fill(ri, lr, fp, p, (*buf)[:0])
	} else {
		*buf = b
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	if ri.gzip {
		h["Content-Encoding"] = contentEncodingGzip
	}
	h["Content-Length"] = ri.contentLength(len(b))
	w.WriteHeader(http.StatusOK)
	if !ri.head {
		w.Write(b) // one write of the assembled body
	}
	scratch.Put(buf)
}

// fill makes and caches what the cache lacked for part p of a link's
// bodies (the bodies, or their gzip form when the request asks for it),
// and returns that part; buf is the scratch buffer it used.
func (s *Server) fill(ri *reqInfo, lr linkRequest, fp uint64, p part, buf []byte) (b, used []byte) {
	b, ok := buf, false
	if ri.gzip {
		b, ok = s.cache.appendBody(buf, lr.id, fp, p, false)
		buf = b
	}
	if !ok {
		id := fixtures.Generate(s.cfg.Seed, lr.id, s.options(ri, lr.entry))
		sp := spans.Get().(*fixtures.Spans)
		raw, linkAt := id.AppendJSONSpans(buf, sp)
		s.cache.putBodies(lr.id, fp, raw, linkAt, sp)
		spans.Put(sp)
		b, buf = raw, raw
		if p == linkPart {
			b = raw[linkAt : len(raw)-1]
		}
	}
	used = buf[:0]
	if ri.gzip {
		b = gzipBytes(b)
		s.cache.putGzip(lr.id, fp, p, b)
	}
	return b, used
}

var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// spans are the marks AppendJSONSpans makes for the cache, reused.
var spans = sync.Pool{New: func() any { return new(fixtures.Spans) }}

// fingerprint names the shaping of a link's bodies in the cache: shaped
// answers are kept apart, so that a scenario never serves another's bytes.
func fingerprint(e *scenarios.Entry) uint64 {
	if !shapes(e) {
		return 0
	}
	return e.Fingerprint()
}

// accountIDs reads the account_ids filter in the three forms clients send it:
// repeated keys (the Python SDK), one comma-joined value (Stainless clients)
// and account_ids[] (Ruby's Faraday). It returns nil when there is no filter:
// no such key, or only empty values. IDs that are not on the link match no
// account, like any filter; they are not an error.
func accountIDs(rawQuery string) (map[string]bool, error) {
	if rawQuery == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, errValidation(http.StatusBadRequest, []any{"query"}, "the query string is malformed", "value_error")
	}
	var ids map[string]bool
	for _, key := range []string{"account_ids", "account_ids[]"} {
		for _, v := range q[key] {
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					if ids == nil {
						ids = map[string]bool{}
					}
					ids[id] = true
				}
			}
		}
	}
	return ids, nil
}

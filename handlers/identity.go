package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// maxLinkIDLen bounds the link IDs the mock answers for; longer ones are not
// found, so that nobody can fill the cache with megabyte-long keys.
const maxLinkIDLen = 256

// linkID returns the request's decoded {id} and records it for the log.
func linkID(ri *reqInfo) (string, error) {
	raw := ri.vars["id"]
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
	id, err := linkID(ri)
	if err != nil {
		return err
	}
	filter, err := accountIDs(r.URL.RawQuery)
	if err != nil {
		return err
	}
	lr, err := s.enterLink(r, ri, id)
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
	return s.writeValue(w, http.StatusOK, ident)
}

// part is which part of a link's data a body holds.
type part byte

const (
	identityPart part = 'i' // the whole identity answer
	linkPart     part = 'l' // the link object alone
)

// writeBody writes a link's identity answer or link object. Bodies are
// cached until something changes the link at run time (a refresh), after
// which they are made for each request. Generation is deterministic, so two
// requests racing to fill the same entry produce the same bytes and either
// may win.
func (s *Server) writeBody(w http.ResponseWriter, ri *reqInfo, lr linkRequest, p part) {
	if lr.hasRT {
		writeJSON(w, http.StatusOK, mustJSON(partOf(s.data(ri, lr), p)))
		return
	}
	key := cacheKey(p, lr.id, lr.entry)
	b, ok := s.cache.get(key)
	if !ok {
		raw := mustJSON(partOf(fixtures.Generate(s.cfg.Seed, lr.id, s.options(ri, lr.entry)), p))
		b = body{b: raw, contentLength: []string{strconv.Itoa(len(raw))}}
		s.cache.put(key, b)
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = b.contentLength
	w.WriteHeader(http.StatusOK)
	w.Write(b.b)
}

// cacheKey is where a link's body is cached: shaped answers get a key of
// their own, so that a scenario never serves another's bytes.
func cacheKey(p part, linkID string, e *scenarios.Entry) bodyKey {
	if !shapes(e) {
		return bodyKey{part: p, link: linkID}
	}
	return bodyKey{part: p, link: linkID, fp: e.Fingerprint()}
}

func partOf(id *fixtures.Identity, p part) any {
	if p == linkPart {
		return &id.Link
	}
	return id
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

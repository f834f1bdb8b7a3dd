package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// maxLinkIDLen bounds the link IDs the mock answers for; longer ones are not
// found, so that nobody can fill the cache with megabyte-long keys.
const maxLinkIDLen = 256

// linkID returns the request's decoded {id} and records it for the log.
func linkID(w http.ResponseWriter, r *http.Request) (string, error) {
	raw := mux.Vars(r)["id"]
	id, err := url.PathUnescape(raw)
	if rec, ok := w.(*recorder); ok {
		rec.linkID = clip(raw, 100)
	}
	if err != nil || id == "" || len(id) > maxLinkIDLen {
		return "", &APIError{Status: http.StatusNotFound, Code: CodeLinkNotFound, Message: MsgLinkNotFound}
	}
	return id, nil
}

// handleIdentity handles "GET /links/{id}/identity": the link's accounts with
// their owners, and the link itself.
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := linkID(w, r)
	if err != nil {
		return err
	}
	filter, err := accountIDs(r.URL.RawQuery)
	if err != nil {
		return err
	}
	wd, e, err := s.enter(w, r, id)
	if err != nil {
		return err
	}
	if filter == nil {
		s.writeBody(w, wd, id, e, identityPart)
		return nil
	}
	ident := s.identityNow(wd, id, e)
	kept := ident.Accounts[:0]
	for _, a := range ident.Accounts {
		if filter[a.AccountID] {
			kept = append(kept, a)
		}
	}
	ident.Accounts = kept
	return s.writeValue(w, http.StatusOK, ident)
}

// identityNow is a link's data as it is now: generated, shaped by its
// scenario, with its product refreshes applied at the clock's time.
func (s *Server) identityNow(wd *world, id string, e *scenarios.Entry) *fixtures.Identity {
	ident := s.generate(id, e)
	wd.applyRefresh(id, ident, s.clock.Now())
	return ident
}

// part is which part of a link's data a body holds.
type part byte

const (
	identityPart part = 'i' // the whole identity answer
	linkPart     part = 'l' // the link object alone
)

// body returns a link's identity answer or link object, and writes it.
// Bodies are cached until something changes the link at run time (a
// refresh), after which they are made for each request. Generation is
// deterministic, so two requests racing to fill the same entry produce the
// same bytes and either may win.
func (s *Server) writeBody(w http.ResponseWriter, wd *world, id string, e *scenarios.Entry, p part) {
	if wd.hasRefresh(id) {
		writeJSON(w, http.StatusOK, mustJSON(partOf(s.identityNow(wd, id, e), p)))
		return
	}
	key := cacheKey(p, id, e)
	b, ok := s.cache.get(key)
	if !ok {
		raw := mustJSON(partOf(s.generate(id, e), p))
		b = body{b: raw, contentLength: []string{strconv.Itoa(len(raw))}}
		s.cache.put(key, b)
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = b.contentLength
	w.WriteHeader(http.StatusOK)
	w.Write(b.b)
}

func partOf(id *fixtures.Identity, p part) any {
	if p == linkPart {
		return &id.Link
	}
	return id
}

// mustJSON marshals the response types, which marshal by construction.
func mustJSON(v any) []byte {
	b, err := marshal(v)
	if err != nil {
		panic(err) // a programming error: the types cannot fail to marshal
	}
	return b
}

// writeValue writes v as JSON.
func (s *Server) writeValue(w http.ResponseWriter, status int, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	writeJSON(w, status, b)
	return nil
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

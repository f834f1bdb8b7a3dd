package handlers_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

type journalEntry struct {
	Method string  `json:"method"`
	Path   string  `json:"path"`
	LinkID *string `json:"link_id"`
	Status int     `json:"status"`
}

func journal(t *testing.T, h http.Handler, query string) []journalEntry {
	t.Helper()
	rec := do(t, h, request{path: "/_mock/requests" + query})
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /_mock/requests%s = %d %s", query, rec.Code, rec.Body)
	}
	var v struct{ Requests []journalEntry }
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	return v.Requests
}

// TestJournalFriction pins issue 13's journal items: link_id is recorded
// for every request whose path names a link (a 401 and a preflight too),
// preflights are left out unless preflights=true, and a misspelled filter
// is a 400 naming it.
func TestJournalFriction(t *testing.T) {
	h := newServer(t, nil)
	do(t, h, request{path: "/links/mk_a/identity"}) // no credentials: 401
	do(t, h, request{method: "OPTIONS", path: "/links/mk_a/identity", header: map[string]string{
		"Origin": "http://app.example", "Access-Control-Request-Method": "GET"}})
	get(t, h, "/links/mk_a/identity")
	do(t, h, request{path: "/links/mk_a", header: map[string]string{"Authorization": "Bearer " + staticToken, "MoneyKit-Version": "1999-01-01"}}) // 400

	var statuses []int
	for _, e := range journal(t, h, "?link=mk_a") {
		statuses = append(statuses, e.Status)
	}
	if want := []int{401, 200, 400}; !slices.Equal(statuses, want) {
		t.Errorf("link=mk_a: statuses %v, want %v (the preflight hidden)", statuses, want)
	}
	all := journal(t, h, "?link=mk_a&preflights=true")
	if len(all) != 4 || all[1].Method != "OPTIONS" || all[1].Status != 204 {
		t.Errorf("preflights=true: %+v, want the preflight second", all)
	}
	for _, e := range all {
		if e.LinkID == nil || *e.LinkID != "mk_a" {
			t.Errorf("%s %s (%d): link_id %v, want mk_a", e.Method, e.Path, e.Status, e.LinkID)
		}
	}
	for query, want := range map[string]string{"?link=mk_a&count=true": `{"count":3}`, "?link=mk_a&count=true&preflights=true": `{"count":4}`,
		"?limit=1": `"status":400`} {
		if rec := do(t, h, request{path: "/_mock/requests" + query}); !json.Valid(rec.Body.Bytes()) || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s = %s, want %s", query, rec.Body, want)
		}
	}
	rec := do(t, h, request{path: "/_mock/requests?lnk=mk_a"})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `unknown filter \"lnk\"`) || !strings.Contains(rec.Body.String(), `["query","lnk"]`) {
		t.Errorf("lnk=mk_a = %d %s, want 400 naming lnk", rec.Code, rec.Body)
	}
}

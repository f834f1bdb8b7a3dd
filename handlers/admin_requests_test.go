package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/state"
)

// journalT0 is a time the filter tests parse.
var journalT0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestParseJournalFilter(t *testing.T) {
	for _, tc := range []struct {
		query     string
		want      state.Filter
		wantCount bool
	}{
		{"", state.Filter{}, false},
		{"link=l1", state.Filter{Link: "l1"}, false},
		{"path=/links/*", state.Filter{Path: "/links/*"}, false},
		{"path=%2Flinks%2Fa%2Fb", state.Filter{Path: "/links/a/b"}, false},
		{"status=404", state.Filter{Status: 404}, false},
		{"status=100", state.Filter{Status: 100}, false},
		{"status=599", state.Filter{Status: 599}, false},
		{"status=499", state.Filter{Status: 499}, false},
		{"status=4xx", state.Filter{StatusClass: 4}, false},
		{"status=2XX", state.Filter{StatusClass: 2}, false},
		{"status=5xx", state.Filter{StatusClass: 5}, false},
		{"status=1xx", state.Filter{StatusClass: 1}, false},
		{"since=2025-01-02T03:04:05Z", state.Filter{Since: journalT0}, false},
		{"since=2025-01-02T04:04:05.5%2B01:00", state.Filter{Since: journalT0.Add(500 * time.Millisecond)}, false},
		{"since=0", state.Filter{}, false},
		{"since=42", state.Filter{SinceSeq: 42}, false},
		{"limit=10", state.Filter{Limit: 10}, false},
		{"count=true", state.Filter{}, true},
		{"count=false", state.Filter{}, false},
		{"count=1", state.Filter{}, true},
		{"link=&status=&since=&limit=&count=", state.Filter{}, false},
		{"link=l1&path=/links/l1/identity&status=2xx&since=3&limit=5&count=true&session=*&preflights=true",
			state.Filter{Link: "l1", Path: "/links/l1/identity", StatusClass: 2, SinceSeq: 3, Limit: 5}, true},
	} {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			f, count, err := parseJournalFilter(q)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !f.Since.Equal(tc.want.Since) {
				t.Errorf("Since = %v, want %v", f.Since, tc.want.Since)
			}
			f.Since, tc.want.Since = time.Time{}, time.Time{}
			if f != tc.want || count != tc.wantCount {
				t.Errorf("got %+v count=%v, want %+v count=%v", f, count, tc.want, tc.wantCount)
			}
		})
	}
}

func TestParseJournalFilterErrors(t *testing.T) {
	for _, tc := range []struct{ query, param string }{
		{"status=abc", "status"},
		{"status=6xx", "status"},
		{"status=0xx", "status"},
		{"status=4x", "status"},
		{"status=99", "status"},
		{"status=600", "status"},
		{"status=4040", "status"},
		{"status=-404", "status"},
		{"since=yesterday", "since"},
		{"since=2025-01-02", "since"},
		{"since=2025-01-02T03:04:05", "since"},
		{"since=-1", "since"},
		{"since=99999999999999999999999", "since"},
		{"limit=abc", "limit"},
		{"limit=0", "limit"},
		{"limit=-5", "limit"},
		{"limit=1.5", "limit"},
		{"count=maybe", "count"},
		{"link=l1&status=2xx&limit=x", "limit"},
		// Issue 13: a misspelled filter is a 400 naming it, not the whole journal.
		{"other=x", "other"},
		{"lnk=mk_a", "lnk"},
		{"link=mk_a&method=GET", "method"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			f, count, err := parseJournalFilter(q)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if ae.Status != http.StatusBadRequest || ae.Code != CodeValidationFailed {
				t.Errorf("error = %d %s, want 400 %s", ae.Status, ae.Code, CodeValidationFailed)
			}
			if len(ae.ValidationErrors) != 1 {
				t.Fatalf("validation errors = %+v, want one", ae.ValidationErrors)
			}
			if got, want := ae.ValidationErrors[0].Location, []any{"query", tc.param}; !reflect.DeepEqual(got, want) {
				t.Errorf("location = %v, want %v", got, want)
			}
			if ae.ValidationErrors[0].Message == "" || ae.ValidationErrors[0].Type == "" {
				t.Errorf("validation error lacks a message or type: %+v", ae.ValidationErrors[0])
			}
			if (f != state.Filter{}) || count {
				t.Errorf("on error got filter %+v count=%v, want zero values", f, count)
			}
		})
	}
}

// TestJournalConcurrentAdd runs adds from many goroutines, with readers and
// clears of an unrelated session alongside, under -race; every Seq must be
// given out once.

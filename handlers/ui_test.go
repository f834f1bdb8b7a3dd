package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/state"
)

func TestRootSendsBrowsersToTheDashboard(t *testing.T) {
	h := newServer(t, nil)
	const notFound = `{"error_code":"api_error.request.not_found","error_message":"No such route: /","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	for _, tc := range []struct {
		name, method, accept string
		redirect             bool
	}{
		{"browser", http.MethodGet, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
		{"browser HEAD", http.MethodHead, "text/html", true},
		{"curl", http.MethodGet, "*/*", false},
		{"SDK", http.MethodGet, "application/json", false},
		{"no Accept", http.MethodGet, "", false},
		{"POST from a browser", http.MethodPost, "text/html", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hd := map[string]string{}
			if tc.accept != "" {
				hd["Accept"] = tc.accept
			}
			rec := do(t, h, request{method: tc.method, path: "/", header: hd})
			if tc.redirect {
				if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/_mock/ui/" {
					t.Errorf("status %d, Location %q; want 302 to /_mock/ui/", rec.Code, rec.Header().Get("Location"))
				}
				return
			}
			wantError(t, rec, http.StatusNotFound, notFound)
		})
	}
}

func TestDashboardFiles(t *testing.T) {
	// With an admin token the files still load, and the API they call does not.
	h := newServer(t, func(c *handlers.Deps) { c.Config.AdminToken = "adm" })
	rec := do(t, h, request{path: "/_mock/ui/"})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), `<script type="module" src="app.js">`) {
		t.Fatalf("GET /_mock/ui/ = %d %q %.100s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	rec = do(t, h, request{path: "/_mock/ui/app.js"})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("GET app.js = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	// A revalidation is a 304.
	if rec2 := do(t, h, request{path: "/_mock/ui/app.js", header: map[string]string{"If-None-Match": rec.Header().Get("ETag")}}); rec2.Code != http.StatusNotModified {
		t.Errorf("revalidation = %d, want 304", rec2.Code)
	}
	if rec := do(t, h, request{path: "/_mock/ui"}); rec.Code != http.StatusFound || rec.Header().Get("Location") != "/_mock/ui/" {
		t.Errorf("GET /_mock/ui = %d to %q, want 302 to /_mock/ui/", rec.Code, rec.Header().Get("Location"))
	}
	// /_mock/uix is no dashboard file, so the guard applies to it.
	for _, path := range []string{"/_mock/ui/nope.js", "/_mock/ui/sub/", "/_mock/uix"} {
		rec := do(t, h, request{path: path, header: map[string]string{"Authorization": "Bearer adm"}})
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "api_error.request.not_found") {
			t.Errorf("GET %s = %d %s, want the JSON 404", path, rec.Code, rec.Body)
		}
	}
	for _, path := range []string{"/_mock/info", "/_mock/requests/stream", "/_mock/scenarios"} {
		if rec := do(t, h, request{path: path}); rec.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without the admin token = %d, want 401", path, rec.Code)
		}
	}
	if rec := do(t, h, request{path: "/_mock/info", header: map[string]string{"Authorization": "Bearer adm"}}); rec.Code != http.StatusOK {
		t.Errorf("GET /_mock/info with the admin token = %d", rec.Code)
	}
}

func TestInfo(t *testing.T) {
	rec := do(t, newServer(t, nil), request{path: "/_mock/info"})
	const want = `{"client_id":"test_client","static_token":"sandbox-token","seed":1,"version":"2023-02-18","personas":["business","household","international","no_phone"]}`
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Errorf("GET /_mock/info = %d\n%s\nwant\n%s", rec.Code, rec.Body, want)
	}
	// Without a static token, the client secret is how to call the data routes.
	rec = do(t, newServer(t, func(c *handlers.Deps) { c.Config.NoStaticToken = true; c.Config.Seed = 7 }), request{path: "/_mock/info"})
	const wantNoToken = `{"client_id":"test_client","client_secret":"test_secret","static_token":null,"seed":7,"version":"2023-02-18","personas":["business","household","international","no_phone"]}`
	if rec.Body.String() != wantNoToken {
		t.Errorf("without a static token:\n%s\nwant\n%s", rec.Body, wantNoToken)
	}
}

func TestClockPin(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := state.NewPinnedClock(start)
	h := newServer(t, func(c *handlers.Deps) { c.Clock = clock })
	type view struct {
		Now    time.Time `json:"now"`
		Pinned bool      `json:"pinned"`
	}
	post := func(body string) (int, view) {
		rec := admin(t, h, http.MethodPost, "/_mock/clock", "", body)
		if rec.Code != http.StatusOK {
			return rec.Code, view{}
		}
		return rec.Code, decode[view](t, rec.Body.Bytes())
	}

	// Un-pinned, it runs on from where it stood.
	if code, v := post(`{"pinned": false}`); code != 200 || v.Pinned || v.Now.Sub(start).Abs() > time.Second {
		t.Fatalf("un-pin = %d %+v", code, v)
	}
	time.Sleep(20 * time.Millisecond)
	if now := clock.Now(); !now.After(start) || clock.Pinned() {
		t.Errorf("un-pinned clock at %v (pinned %v), want it running past %v", now, clock.Pinned(), start)
	}
	// Pinned again with a move: it stands still at the moved time.
	code, v := post(`{"pinned": true, "advance": "1h"}`)
	if code != 200 || !v.Pinned || v.Now.Sub(start) < time.Hour {
		t.Fatalf("pin and advance = %d %+v", code, v)
	}
	time.Sleep(5 * time.Millisecond)
	if now := clock.Now(); !now.Equal(v.Now) {
		t.Errorf("pinned clock moved from %v to %v", v.Now, now)
	}
	// A bad request changes nothing, the pin included.
	for _, body := range []string{`{"pinned": false, "advance": "soon"}`, `{"pinned": false, "advance": "1h", "now": "2025-01-01T00:00:00Z"}`, `{"pinned": "no"}`, `{}`} {
		if code, _ := post(body); code != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", body, code)
		}
	}
	if !clock.Pinned() || !clock.Now().Equal(v.Now) {
		t.Errorf("after refused requests: pinned %v at %v, want pinned at %v", clock.Pinned(), clock.Now(), v.Now)
	}
	// Reset puts back the start: pinned, at the start time. A real clock
	// comes back running.
	post(`{"pinned": false}`)
	if rec := admin(t, h, http.MethodPost, "/_mock/reset", "", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("reset = %d", rec.Code)
	}
	if !clock.Pinned() || !clock.Now().Equal(start) {
		t.Errorf("after reset: pinned %v at %v, want pinned at %v", clock.Pinned(), clock.Now(), start)
	}
	real := state.NewRealClock()
	real.Pin(true)
	real.Reset()
	if real.Pinned() {
		t.Error("a real clock pinned and reset stays pinned")
	}
}

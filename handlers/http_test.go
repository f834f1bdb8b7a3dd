package handlers_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/handlers"
)

func TestUnknownRoute(t *testing.T) {
	h := newServer(t, nil)
	rec := get(t, h, "/links/mk_demo/nope")
	wantError(t, rec, http.StatusNotFound, `{"error_code":"api_error.request.not_found","error_message":"No such route: /links/mk_demo/nope","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`)
	rec = do(t, h, request{method: "DELETE", path: "/links/mk_demo/identity"})
	wantError(t, rec, http.StatusMethodNotAllowed, `{"error_code":"api_error.request.method_not_allowed","error_message":"Method not allowed on this route","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`)
	if got := rec.Header().Get("Allow"); got != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow = %q", got)
	}
}

func TestCORS(t *testing.T) {
	open := newServer(t, nil)
	restricted := newServer(t, func(c *handlers.Deps) { c.Config.CORSOrigins = []string{"http://localhost:3000"} })
	off := newServer(t, func(c *handlers.Deps) { c.Config.NoCORS = true })
	preflight := func(origin string) request {
		return request{method: "OPTIONS", path: "/links/mk_demo/identity", header: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization,moneykit-version"}}
	}
	for _, tc := range []struct {
		name       string
		h          http.Handler
		req        request
		status     int
		wantOrigin string
		wantVary   string
	}{
		{"preflight, any origin", open, preflight("http://localhost:5173"), 204, "http://localhost:5173", "Origin"},
		{"preflight on an unknown route", open, request{method: "OPTIONS", path: "/nope", header: map[string]string{"Origin": "http://a"}}, 204, "http://a", "Origin"},
		{"GET, any origin", open, request{path: "/links/mk_demo/identity", header: map[string]string{"Origin": "http://a", "Authorization": "Bearer " + staticToken}}, 200, "http://a", "Origin, Accept-Encoding"},
		{"401 still carries CORS headers", open, request{path: "/links/mk_demo/identity", header: map[string]string{"Origin": "http://a"}}, 401, "http://a", "Origin"},
		{"allowed origin", restricted, preflight("http://localhost:3000"), 204, "http://localhost:3000", "Origin"},
		{"GET, allowed origin", restricted, request{path: "/links/mk_demo", header: map[string]string{"Origin": "http://localhost:3000", "Authorization": "Bearer " + staticToken}}, 200, "http://localhost:3000", "Origin, Accept-Encoding"},
		{"other origin", restricted, preflight("http://evil.example"), 204, "", ""},
		{"CORS off", off, preflight("http://localhost:3000"), 204, "", ""},
		{"Stainless headers", open, request{method: "OPTIONS", path: "/links/mk_demo/identity", header: map[string]string{"Origin": "http://localhost:5173",
			"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization,moneykit-version,x-stainless-arch,x-stainless-lang,x-stainless-retry-count"}},
			204, "http://localhost:5173", "Origin"},
		{"no Origin, not a CORS request", open, request{path: "/links/mk_demo/identity", header: map[string]string{"Authorization": "Bearer " + staticToken}}, 200, "", "Accept-Encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, tc.h, tc.req)
			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			hd := rec.Header()
			if got := hd.Get("Access-Control-Allow-Origin"); got != tc.wantOrigin {
				t.Errorf("Allow-Origin = %q, want %q", got, tc.wantOrigin)
			}
			if got := hd.Get("Vary"); got != tc.wantVary {
				t.Errorf("Vary = %q, want %q", got, tc.wantVary)
			}
			if tc.wantOrigin == "" {
				return
			}
			if got, want := hd.Get("Access-Control-Expose-Headers"), "Retry-After, X-Request-Id"; got != want {
				t.Errorf("Expose-Headers = %q, want %q", got, want)
			}
			// An echoed origin, never *, so that credentials work.
			if got := hd.Get("Access-Control-Allow-Credentials"); got != "true" {
				t.Errorf("Allow-Credentials = %q, want true", got)
			}
			if tc.req.method == "OPTIONS" {
				want := "Authorization, Content-Type, Accept, MoneyKit-Version, X-Client-Id, X-Client-Secret, X-Request-Id, X-Mock-Session"
				if asked := tc.req.header["Access-Control-Request-Headers"]; asked != "" {
					want = asked // every header the browser asks for
				}
				if got := hd.Get("Access-Control-Allow-Headers"); got != want {
					t.Errorf("Allow-Headers = %q, want %q", got, want)
				}
				if got := hd.Get("Access-Control-Allow-Methods"); got != "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" {
					t.Errorf("Allow-Methods = %q", got)
				}
				if rec.Body.Len() != 0 {
					t.Errorf("preflight has a body: %q", rec.Body)
				}
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	h := newServer(t, nil)
	generated := regexp.MustCompile(`^req_[0-9a-f]{24}$`)
	seen := map[string]bool{}
	for _, path := range []string{"/links/mk_demo/identity", "/nope", "/auth/token"} {
		for range 3 {
			id := get(t, h, path).Header().Get("X-Request-Id")
			if !generated.MatchString(id) {
				t.Errorf("%s: X-Request-Id = %q", path, id)
			}
			if seen[id] {
				t.Errorf("request ID %q given twice", id)
			}
			seen[id] = true
		}
	}
	kept := do(t, h, request{path: "/nope", header: map[string]string{"X-Request-Id": "trace-42.a:b_c"}})
	if got := kept.Header().Get("X-Request-Id"); got != "trace-42.a:b_c" {
		t.Errorf("a plain caller ID was not kept: %q", got)
	}
	replaced := do(t, h, request{path: "/nope", header: map[string]string{"X-Request-Id": "<script>"}})
	if got := replaced.Header().Get("X-Request-Id"); !generated.MatchString(got) {
		t.Errorf("an unsafe caller ID was not replaced: %q", got)
	}
}

// TestLowercaseMethods: fetch sends a method as written, and the Stainless
// SDK writes "patch"; the preflight lists it as asked and the route answers.
func TestLowercaseMethods(t *testing.T) {
	h := newServer(t, nil)
	rec := do(t, h, request{method: "OPTIONS", path: "/links/mk_demo", header: map[string]string{"Origin": "http://a", "Access-Control-Request-Method": "patch"}})
	if got := rec.Header().Get("Access-Control-Allow-Methods"); got != "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, patch" {
		t.Errorf("Allow-Methods = %q", got)
	}
	rec = do(t, h, request{method: "patch", path: "/links/mk_demo", body: `{"link_tags":["x"]}`,
		header: map[string]string{"Authorization": "Bearer " + staticToken}})
	if rec.Code != 200 {
		t.Errorf("patch: %d %s", rec.Code, rec.Body)
	}
}

// TestTokenWantsAForm: a JSON body is a 400 naming the content type, not a
// misleading "invalid client credentials".
func TestTokenWantsAForm(t *testing.T) {
	h := newServer(t, nil)
	rec := do(t, h, request{method: "POST", path: "/auth/token", body: `{"client_id":"test_client"}`, header: map[string]string{"Content-Type": "application/json"}})
	if rec.Code != 400 || !regexp.MustCompile(`must be application/x-www-form-urlencoded`).MatchString(rec.Body.String()) {
		t.Errorf("JSON token request: %d %s", rec.Code, rec.Body)
	}
}

// TestAdminWrongMethod: a wrong method on a /_mock/ route is a 405 with
// Allow, as on the API's routes.
func TestAdminWrongMethod(t *testing.T) {
	h := newServer(t, nil)
	rec := do(t, h, request{method: "PUT", path: "/_mock/clock"})
	wantError(t, rec, http.StatusMethodNotAllowed, `{"error_code":"api_error.request.method_not_allowed","error_message":"Method not allowed on this route","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`)
	if got := rec.Header().Get("Allow"); got != "GET, HEAD, POST, OPTIONS" {
		t.Errorf("Allow = %q", got)
	}
	if rec := do(t, h, request{path: "/_mock/nope"}); rec.Code != 404 {
		t.Errorf("unknown /_mock/ path: %d", rec.Code)
	}
}

// TestErrorsAreNotCached: every error answer says Cache-Control: no-store
// (Chromium kept a bare 410 as fresh and stopped asking for the link), and a
// link's 200 is sent as it was, without the header.
func TestErrorsAreNotCached(t *testing.T) {
	h := newServer(t, nil)
	auth := map[string]string{"Authorization": "Bearer " + staticToken}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/links/mk_deleted/identity", 410, "no-store"},
		{"/links/mk_deleted", 410, "no-store"},
		{"/links/mk_not_found/accounts", 404, "no-store"},
		{"/nope", 404, "no-store"},
		{"/links/mk_demo/identity", 200, ""},
		{"/links/mk_demo", 200, ""},
	} {
		rec := do(t, h, request{path: tc.path, header: auth})
		if rec.Code != tc.status || rec.Header().Get("Cache-Control") != tc.want {
			t.Errorf("%s: %d Cache-Control %q, want %d %q", tc.path, rec.Code, rec.Header().Get("Cache-Control"), tc.status, tc.want)
		}
	}
	if rec := do(t, h, request{path: "/links/mk_demo/identity"}); rec.Code != 401 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("401: %d Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
}

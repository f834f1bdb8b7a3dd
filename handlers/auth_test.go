package handlers_test

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/state"
)

const (
	errMissing     = `{"error_code":"api_error.auth.unauthorized","error_message":"Missing credentials: send a bearer token in the Authorization header, or the X-Client-Id and X-Client-Secret headers","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	errInvalid     = `{"error_code":"api_error.auth.unauthorized","error_message":"Invalid access token","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	errBadClient   = `{"error_code":"api_error.auth.unauthorized","error_message":"Invalid client credentials","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	errExpired     = `{"error_code":"api_error.auth.expired_access_token","error_message":"Access token expired","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	errBadScheme   = `{"error_code":"api_error.auth.unauthorized","error_message":"The Authorization header must use the Bearer scheme","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	errBadGrant    = `{"error_code":"api_error.auth.unauthorized","error_message":"Invalid grant_type: only client_credentials is supported","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	formCredential = "client_id=" + testClientID + "&client_secret=" + testClientSecret
)

var tokenPattern = regexp.MustCompile(`^\{"access_token":"[0-9a-f]{48}","token_type":"bearer","expires_in":3600\}$`)

type tokenBody struct {
	AccessToken string `json:"access_token"`
}

// issue gets a token through POST /auth/token.
func issue(t *testing.T, h http.Handler) string {
	t.Helper()
	return issueWith(t, h, testClientSecret)
}

func issueWith(t *testing.T, h http.Handler, secret string) string {
	t.Helper()
	rec := do(t, h, request{method: "POST", path: "/auth/token",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		body:   "grant_type=client_credentials&client_id=" + testClientID + "&client_secret=" + secret})
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /auth/token: %d %s", rec.Code, rec.Body)
	}
	return decode[tokenBody](t, rec.Body.Bytes()).AccessToken
}

func TestTokenEndpoint(t *testing.T) {
	h := newServer(t, nil)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	basic := func(id, secret string) map[string]string {
		return map[string]string{"Content-Type": "application/x-www-form-urlencoded",
			"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}
	}
	for _, tc := range []struct {
		name     string
		header   map[string]string
		body     string
		status   int
		wantBody string // exact, unless the answer is a token
	}{
		{"form credentials", form, "grant_type=client_credentials&" + formCredential, 201, ""},
		{"grant_type may be left out", form, formCredential, 201, ""},
		{"HTTP Basic", basic(testClientID, testClientSecret), "grant_type=client_credentials", 201, ""},
		{"form and Basic, as SDK 0.2.3 sends with username set", basic(testClientID, testClientSecret), "grant_type=client_credentials&" + formCredential, 201, ""},
		{"scope is accepted", form, "grant_type=client_credentials&scope=identity%3Aread&" + formCredential, 201, ""},
		{"wrong secret", form, "grant_type=client_credentials&client_id=" + testClientID + "&client_secret=nope", 401, errBadClient},
		{"wrong Basic", basic(testClientID, "nope"), "grant_type=client_credentials", 401, errBadClient},
		{"no credentials", form, "grant_type=client_credentials", 401, errBadClient},
		{"password grant", form, "grant_type=password&" + formCredential, 400, errBadGrant},
		{"refresh_token grant is not issued here", form, "grant_type=refresh_token&" + formCredential, 400, errBadGrant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, request{method: "POST", path: "/auth/token", header: tc.header, body: tc.body})
			if tc.status != http.StatusCreated {
				wantError(t, rec, tc.status, tc.wantBody)
				return
			}
			if rec.Code != http.StatusCreated {
				t.Fatalf("status = %d, want 201: %s", rec.Code, rec.Body)
			}
			if !tokenPattern.Match(rec.Body.Bytes()) {
				t.Errorf("body = %s, want %s", rec.Body, tokenPattern)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		})
	}
	rec := do(t, h, request{path: "/auth/token"})
	wantError(t, rec, http.StatusMethodNotAllowed, `{"error_code":"api_error.request.method_not_allowed","error_message":"Method not allowed on this route","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`)
	if got := rec.Header().Get("Allow"); got != "POST, OPTIONS" {
		t.Errorf("Allow = %q", got)
	}
}

func TestDataAuth(t *testing.T) {
	clock := newFakeClock()
	h := newServer(t, func(c *handlers.Deps) { c.Clock = clock; c.Config.TokenTTL = time.Hour })
	tok := issue(t, h)
	otherSecret := issueWith(t, newServer(t, func(c *handlers.Deps) { c.Clock = clock; c.Config.ClientSecret = "rotated" }), "rotated")
	otherSeed := issue(t, newServer(t, func(c *handlers.Deps) { c.Clock = clock; c.Config.Seed = 7 }))
	replica := newServer(t, func(c *handlers.Deps) { c.Clock = clock })

	clientHeaders := map[string]string{"X-Client-Id": testClientID, "X-Client-Secret": testClientSecret}
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		body   string
	}{
		{"no credentials", nil, 401, errMissing},
		{"static token", map[string]string{"Authorization": "Bearer " + staticToken}, 200, ""},
		{"scheme is case-insensitive", map[string]string{"Authorization": "bearer " + staticToken}, 200, ""},
		{"issued token", map[string]string{"Authorization": "Bearer " + tok}, 200, ""},
		{"unknown token", map[string]string{"Authorization": "Bearer 52ea3d1b4f9a53fffb67"}, 401, errInvalid},
		{"token signed with another secret", map[string]string{"Authorization": "Bearer " + otherSecret}, 401, errInvalid},
		{"token of another seed", map[string]string{"Authorization": "Bearer " + otherSeed}, 401, errInvalid},
		{"Basic on a data route", map[string]string{"Authorization": "Basic eDp5"}, 401, errBadScheme},
		{"client headers", clientHeaders, 200, ""},
		{"client headers beside a bearer token", map[string]string{"Authorization": "Bearer " + tok, "X-Client-Id": testClientID, "X-Client-Secret": testClientSecret}, 200, ""},
		{"wrong client secret", map[string]string{"X-Client-Id": testClientID, "X-Client-Secret": "x"}, 401, errBadClient},
		{"client id alone", map[string]string{"X-Client-Id": testClientID}, 401, errBadClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, request{path: "/links/mk_demo/identity", header: tc.header})
			if tc.status == http.StatusOK {
				if rec.Code != http.StatusOK {
					t.Errorf("status = %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, tc.status, tc.body)
		})
	}

	// A replica with the same seed and credentials accepts the token too.
	if rec := do(t, replica, request{path: "/links/mk_demo/identity", header: map[string]string{"Authorization": "Bearer " + tok}}); rec.Code != 200 {
		t.Errorf("replica: status %d", rec.Code)
	}

	bearer := map[string]string{"Authorization": "Bearer " + tok}
	clock.Advance(time.Hour - time.Second)
	if rec := do(t, h, request{path: "/links/mk_demo/identity", header: bearer}); rec.Code != 200 {
		t.Errorf("a second before expiry: status %d", rec.Code)
	}
	clock.Advance(time.Second)
	wantError(t, do(t, h, request{path: "/links/mk_demo/identity", header: bearer}), 401, errExpired)
	// An expired token does not stop valid client headers.
	both := map[string]string{"Authorization": "Bearer " + tok, "X-Client-Id": testClientID, "X-Client-Secret": testClientSecret}
	if rec := do(t, h, request{path: "/links/mk_demo/identity", header: both}); rec.Code != 200 {
		t.Errorf("expired token with client headers: status %d", rec.Code)
	}
	// A new token works again.
	if rec := do(t, h, request{path: "/links/mk_demo/identity", header: map[string]string{"Authorization": "Bearer " + issue(t, h)}}); rec.Code != 200 {
		t.Errorf("fresh token: status %d", rec.Code)
	}
}

func TestStaticTokenDisabled(t *testing.T) {
	h := newServer(t, func(c *handlers.Deps) { c.Config.NoStaticToken = true })
	wantError(t, get(t, h, "/links/mk_demo/identity"), 401, errInvalid)
}

// TestTokenLivesItsWholeTTL: a token issued at a fraction of a second is
// still valid ttl later minus a little, and expired at ttl (the expiry is
// rounded up, never down).
func TestTokenLivesItsWholeTTL(t *testing.T) {
	clock := state.NewPinnedClock(time.Date(2025, 1, 2, 3, 4, 5, 900_000_000, time.UTC))
	h := newServer(t, func(d *handlers.Deps) { d.Clock = clock; d.Config.TokenTTL = 2 * time.Second })
	tok := issue(t, h)
	call := func() int {
		return do(t, h, request{path: "/links/mk_demo", header: map[string]string{"Authorization": "Bearer " + tok}}).Code
	}
	clock.Advance(1990 * time.Millisecond)
	if got := call(); got != 200 {
		t.Errorf("1.99 s after issue: %d, want 200", got)
	}
	clock.Advance(1200 * time.Millisecond)
	if got := call(); got != 401 {
		t.Errorf("3.19 s after issue: %d, want 401", got)
	}
}

// TestEmptyBearerToken: "Authorization: Bearer " with nothing after it (an
// empty shell variable) says so, not that the scheme is wrong.
func TestEmptyBearerToken(t *testing.T) {
	h := newServer(t, nil)
	for _, v := range []string{"Bearer ", "Bearer", "bearer  "} {
		rec := do(t, h, request{path: "/links/mk_demo", header: map[string]string{"Authorization": v}})
		wantError(t, rec, 401, `{"error_code":"api_error.auth.unauthorized","error_message":"The Authorization header has the Bearer scheme but an empty token","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`)
	}
}

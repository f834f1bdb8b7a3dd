package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// admin sends a /_mock/ request, in a session when one is named.
func admin(t *testing.T, h http.Handler, method, path, session, body string) *httptest.ResponseRecorder {
	t.Helper()
	hd := map[string]string{}
	if session != "" {
		hd["X-Mock-Session"] = session
	}
	return do(t, h, request{method: method, path: path, body: body, header: hd})
}

// call is an authenticated GET of a link's identity, in a session when named.
func call(t *testing.T, h http.Handler, link, session string) int {
	t.Helper()
	hd := map[string]string{"Authorization": "Bearer " + staticToken}
	if session != "" {
		hd["X-Mock-Session"] = session
	}
	return do(t, h, request{path: "/links/" + link + "/identity", header: hd}).Code
}

func TestRuntimeScenarios(t *testing.T) {
	h := newServer(t, nil)
	// mk_deleted answers 410 from the embedded catalogue.
	if got := call(t, h, "mk_deleted", ""); got != 410 {
		t.Fatalf("before: %d", got)
	}
	rec := admin(t, h, "PUT", "/_mock/scenarios/mk_deleted", "", `{"error":"not_found","times":1}`)
	if rec.Code != 200 {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if want := `{"pattern":"mk_deleted","match":"exact","source":"runtime","summary":"not_found, times 1","error":{"kind":"not_found","status":404,"error_code":"link_error.not_found","error_message":"Link not found."},"times":1}`; rec.Body.String() != want {
		t.Errorf("PUT answered\n%s\nwant\n%s", rec.Body, want)
	}
	// Run-time beats the file entry; then times: 1 lets the next call through.
	if got := call(t, h, "mk_deleted", ""); got != 404 {
		t.Errorf("first call: %d, want 404", got)
	}
	if got := call(t, h, "mk_deleted", ""); got != 200 {
		t.Errorf("second call: %d, want 200", got)
	}
	// It survives a file reload.
	h.(*handlers.Server).SetScenarios(scenarios.Default())
	if got := call(t, h, "mk_deleted", ""); got != 200 {
		t.Errorf("after a reload: %d, want the run-time entry's 200", got)
	}
	// The listing says where it came from.
	list := admin(t, h, "GET", "/_mock/scenarios", "", "").Body.String()
	if !strings.Contains(list, `{"pattern":"mk_deleted","match":"exact","source":"runtime"`) || strings.Count(list, `"pattern":"mk_deleted"`) != 1 {
		t.Errorf("the listing does not show the run-time entry in place of the file's:\n%s", list)
	}
	// DELETE puts the file entry back; a second DELETE is fine too.
	for range 2 {
		if rec := admin(t, h, "DELETE", "/_mock/scenarios/mk_deleted", "", ""); rec.Code != 204 {
			t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
		}
	}
	if got := call(t, h, "mk_deleted", ""); got != 410 {
		t.Errorf("after DELETE: %d, want the file's 410", got)
	}
}

func TestRuntimeScenarioValidation(t *testing.T) {
	h := newServer(t, nil)
	const prefix = `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":"https://docs.moneykit.com/api/reference/errors","validation_errors":[`
	for _, tc := range []struct{ name, path, body, want string }{
		{"every problem, each naming its field", "/_mock/scenarios/mk_x", `{"error":"bad_state","evry":2,"times":0}`,
			`{"location":["body"],"message":"error bad_state needs link_error_code (the link's error reason, e.g. auth_expired) (line 1, column 10)","type":"value_error"},` +
				`{"location":["body"],"message":"unknown key \"evry\" in entry \"mk_x\" (line 1, column 22)","type":"value_error"},` +
				`{"location":["body"],"message":"times must be an integer >= 1, got 0 (line 1, column 39)","type":"value_error"}`},
		{"unknown persona", "/_mock/scenarios/mk_x", `{"fixture":"nobody"}`,
			`{"location":["body","fixture"],"message":"fixture \"nobody\" is not a persona (known: business, household, international, no_phone)","type":"value_error"}`},
		{"empty body", "/_mock/scenarios/mk_x", ``,
			`{"location":["body"],"message":"the body must be a scenario entry such as {\"error\": \"deleted\"}","type":"missing"}`},
		{"a glob", "/_mock/scenarios/mk_x_%2A", `{"error":"deleted"}`,
			`{"location":["path","link"],"message":"run-time scenarios are for exact link IDs; put globs in a scenario file","type":"value_error"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, admin(t, h, "PUT", tc.path, "", tc.body), http.StatusBadRequest, prefix+tc.want+"]}")
		})
	}
	// Nothing was set.
	if got := call(t, h, "mk_x", ""); got != 200 {
		t.Errorf("a refused PUT changed mk_x: %d", got)
	}
}

func TestJournalThroughTheRouter(t *testing.T) {
	clock := state.NewPinnedClock(time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC))
	h := newServer(t, func(c *handlers.Deps) { c.Clock = clock; c.Config.JournalSize = 5 })
	do(t, h, request{path: "/links/mk_j/identity?account_ids=a&account_ids=b", header: map[string]string{
		"Authorization": "Bearer " + staticToken, "X-Client-Secret": "s3cret", "Cookie": "sid=1", "User-Agent": "OpenAPI-Generator/0.2.3/python"}})
	do(t, h, request{path: "/links/mk_deleted/identity", header: map[string]string{"Authorization": "Bearer " + staticToken}})
	admin(t, h, "GET", "/_mock/scenarios", "", "") // the mock's own routes are not journaled

	rec := admin(t, h, "GET", "/_mock/requests", "", "")
	if rec.Code != 200 {
		t.Fatalf("GET /_mock/requests: %d %s", rec.Code, rec.Body)
	}
	want := `{"requests":[` +
		`{"seq":1,"time":"2025-05-01T12:00:00Z","method":"GET","path":"/links/mk_j/identity","query":{"account_ids":["a","b"]},"link_id":"mk_j","status":200,"duration_ms":`
	if !strings.HasPrefix(rec.Body.String(), want) {
		t.Errorf("journal =\n%s\nwant it to start\n%s", rec.Body, want)
	}
	for _, s := range []string{`"Authorization":"Bearer [redacted]"`, `"X-Client-Secret":"[redacted]"`, `"Cookie":"[redacted]"`, `"User-Agent":"OpenAPI-Generator/0.2.3/python"`,
		`"seq":2`, `"scenario":"mk_deleted"`, `"status":410`} {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("journal lacks %s", s)
		}
	}
	if strings.Contains(rec.Body.String(), "s3cret") || strings.Contains(rec.Body.String(), "sandbox-token") {
		t.Errorf("a secret reached the journal: %s", rec.Body)
	}
	for query, want := range map[string]string{
		"count=true":                 `{"count":2}`,
		"count=true&link=mk_deleted": `{"count":1}`,
		"count=true&status=4xx":      `{"count":1}`,
		"count=true&status=200":      `{"count":1}`,
		"count=true&path=/links/*":   `{"count":2}`,
	} {
		if got := admin(t, h, "GET", "/_mock/requests?"+query, "", "").Body.String(); got != want {
			t.Errorf("?%s = %s, want %s", query, got, want)
		}
	}
	if rec := admin(t, h, "GET", "/_mock/requests?status=6xx", "", ""); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"location":["query","status"]`) {
		t.Errorf("bad status filter: %d %s", rec.Code, rec.Body)
	}
	// A bounded ring: 5 kept of 8.
	for range 6 {
		call(t, h, "mk_more", "")
	}
	if got := admin(t, h, "GET", "/_mock/requests?count=true", "", "").Body.String(); got != `{"count":5}` {
		t.Errorf("after 8 requests with size 5: %s", got)
	}
	if rec := admin(t, h, "DELETE", "/_mock/requests", "", ""); rec.Code != 204 {
		t.Errorf("DELETE /_mock/requests: %d", rec.Code)
	}
	if got := admin(t, h, "GET", "/_mock/requests?count=true", "", "").Body.String(); got != `{"count":0}` {
		t.Errorf("after DELETE: %s", got)
	}
}

func TestReset(t *testing.T) {
	clock := state.NewPinnedClock(time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC))
	h := newServer(t, func(c *handlers.Deps) { c.Clock = clock })
	setUp := func(session string) {
		admin(t, h, "PUT", "/_mock/scenarios/mk_r", session, `{"error":"deleted"}`)
		call(t, h, "mk_flaky", session) // counter at 1
		call(t, h, "mk_flaky", session) // counter at 2: the next call errors
	}
	setUp("")
	setUp("a")
	setUp("b")
	admin(t, h, "POST", "/_mock/clock", "", `{"advance":"1h"}`)

	// Resetting session a touches a alone.
	if rec := admin(t, h, "POST", "/_mock/reset", "a", ""); rec.Code != 204 {
		t.Fatalf("reset a: %d %s", rec.Code, rec.Body)
	}
	if got := call(t, h, "mk_r", "a"); got != 200 {
		t.Errorf("a's run-time scenario survived its reset: %d", got)
	}
	if got := call(t, h, "mk_flaky", "a"); got != 200 {
		t.Errorf("a's counter survived its reset: %d", got)
	}
	if got := call(t, h, "mk_r", "b"); got != 410 {
		t.Errorf("b lost its scenario: %d", got)
	}
	if got := call(t, h, "mk_flaky", "b"); got != 429 {
		t.Errorf("b lost its counter: %d", got)
	}
	if got := admin(t, h, "GET", "/_mock/requests?count=true", "a", "").Body.String(); got != `{"count":2}` {
		t.Errorf("a's journal after its reset: %s, want only the 2 calls since", got)
	}
	if got := admin(t, h, "GET", "/_mock/clock", "", "").Body.String(); !strings.Contains(got, "13:00:00Z") {
		t.Errorf("a session reset moved the clock: %s", got)
	}

	// A reset without a session puts everything back.
	admin(t, h, "POST", "/_mock/reset", "", "")
	if got := call(t, h, "mk_r", ""); got != 200 {
		t.Errorf("default run-time scenario survived: %d", got)
	}
	if got := call(t, h, "mk_r", "b"); got != 200 {
		t.Errorf("b's run-time scenario survived a full reset: %d", got)
	}
	if got := admin(t, h, "GET", "/_mock/clock", "", "").Body.String(); !strings.Contains(got, "12:00:00Z") {
		t.Errorf("the clock was not reset: %s", got)
	}
	if got := admin(t, h, "GET", "/_mock/requests?count=true", "b", "").Body.String(); got != `{"count":1}` {
		t.Errorf("b's journal after a full reset: %s, want only the call since", got)
	}
}

func TestAdminToken(t *testing.T) {
	h := newServer(t, func(c *handlers.Deps) { c.Config.AdminToken = "adm1n" })
	const want = `{"error_code":"api_error.auth.unauthorized","error_message":"This mock's /_mock/ routes need the admin token: Authorization: Bearer <admin token>","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`
	for _, path := range []string{"/_mock/scenarios", "/_mock/requests", "/_mock/clock", "/_mock/nope"} {
		wantError(t, admin(t, h, "GET", path, "", ""), 401, want)
		wantError(t, do(t, h, request{path: path, header: map[string]string{"Authorization": "Bearer sandbox-token"}}), 401, want)
	}
	if rec := do(t, h, request{path: "/_mock/scenarios", header: map[string]string{"Authorization": "Bearer adm1n"}}); rec.Code != 200 {
		t.Errorf("with the admin token: %d", rec.Code)
	}
	// Data routes are unaffected, and preflights still pass.
	if got := call(t, h, "mk_demo", ""); got != 200 {
		t.Errorf("data route: %d", got)
	}
	if rec := do(t, h, request{method: "OPTIONS", path: "/_mock/scenarios"}); rec.Code != 204 {
		t.Errorf("preflight: %d", rec.Code)
	}
}

func TestSessionsAreBounded(t *testing.T) {
	idle := newFakeClock()
	h := newServer(t, func(c *handlers.Deps) {
		c.Config.SessionClock = idle.Now
		c.Config.MaxSessions = 3
		c.Config.SessionIdle = time.Minute
	})
	for _, s := range []string{"s1", "s2", "s3"} {
		admin(t, h, "PUT", "/_mock/scenarios/mk_b", s, `{"error":"deleted"}`)
		idle.Advance(time.Second)
	}
	call(t, h, "mk_b", "s1") // s1 is now the most recently used
	admin(t, h, "PUT", "/_mock/scenarios/mk_b", "s4", `{"error":"deleted"}`)
	if got := call(t, h, "mk_b", "s2"); got != 200 {
		t.Errorf("s2, least recently used, should have been dropped for s4: %d", got)
	}
	if got := call(t, h, "mk_b", "s1"); got != 410 {
		t.Errorf("s1 was dropped: %d", got)
	}
	// The API's clock does not expire sessions; being idle does.
	admin(t, h, "POST", "/_mock/clock", "", `{"advance":"24h"}`)
	if got := call(t, h, "mk_b", "s1"); got != 410 {
		t.Errorf("moving the API clock expired a session: %d", got)
	}
	idle.Advance(61 * time.Second)
	if got := call(t, h, "mk_b", "s1"); got != 200 {
		t.Errorf("an idle session did not expire: %d", got)
	}
	if rec := do(t, h, request{path: "/links/mk_b/identity", header: map[string]string{"Authorization": "Bearer " + staticToken, "X-Mock-Session": "bad session!"}}); rec.Code != 400 {
		t.Errorf("invalid session name: %d", rec.Code)
	}
}

// TestParallelSessions gives one link ID a different scenario in each of many
// sessions at the same moment, and each session counts only its own calls.
func TestParallelSessions(t *testing.T) {
	h := newServer(t, nil)
	kinds := []struct {
		kind   string
		status int
	}{{"deleted", 410}, {"not_found", 404}, {"forbidden", 403}, {"unauthorized_access", 401}}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			session := fmt.Sprintf("test-%d", i)
			k := kinds[i%len(kinds)]
			if rec := admin(t, h, "PUT", "/_mock/scenarios/mk_shared", session, `{"error":"`+k.kind+`"}`); rec.Code != 200 {
				errs <- fmt.Sprintf("%s: PUT %d", session, rec.Code)
				return
			}
			calls := 3 + i%5
			for range calls {
				if got := call(t, h, "mk_shared", session); got != k.status {
					errs <- fmt.Sprintf("%s: %d, want %d", session, got, k.status)
				}
			}
			if got, want := admin(t, h, "GET", "/_mock/requests?count=true&link=mk_shared", session, "").Body.String(), fmt.Sprintf(`{"count":%d}`, calls); got != want {
				errs <- fmt.Sprintf("%s: journal %s, want %s", session, got, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	// The default session saw none of it.
	if got := call(t, h, "mk_shared", ""); got != 200 {
		t.Errorf("default session: %d", got)
	}
	// session=* sees everyone's calls; session=NAME one other session's.
	total := 1 // the default session's call just above
	for i := range 32 {
		total += 3 + i%5
	}
	if got, want := admin(t, h, "GET", "/_mock/requests?count=true&link=mk_shared&session=*", "", "").Body.String(), fmt.Sprintf(`{"count":%d}`, total); got != want {
		t.Errorf("session=*: %s, want %s", got, want)
	}
	if got := admin(t, h, "GET", "/_mock/requests?count=true&session=test-1", "", "").Body.String(); got != `{"count":4}` {
		t.Errorf("session=test-1: %s, want its 4 calls", got)
	}
	if rec := admin(t, h, "GET", "/_mock/requests?session=bad%20name", "", ""); rec.Code != 400 {
		t.Errorf("bad session filter: %d", rec.Code)
	}
}

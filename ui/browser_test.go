package ui_test

// Browser tests of the dashboard in a real headless Chromium (Debian's
// package, /usr/bin/chromium), driven over the DevTools protocol with
// chromedp, against the real server as the command builds it (mock.New) on
// 127.0.0.1. Screenshots of every view at 1280 and 390 px go to
// testdata/screenshots/ (gitignored), for a person to look at.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/moneykit-mock/moneykit-mock/mock"
	"github.com/moneykit-mock/moneykit-mock/ui"
)

// chromium finds the browser. CI (CI=true) must have it, since .ci/run
// installs it; elsewhere the test is skipped, saying why.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "chromium is not installed (apt-get install -y chromium; .ci/run installs it)"
	if os.Getenv("CI") == "true" {
		t.Fatal(why + ": CI=true, so the browser tests must run")
	}
	t.Skip(why)
	return ""
}

// page is one browser tab on the dashboard, with what it wrote to its console.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string // the server's URL

	mu     sync.Mutex
	errors []string // console.error calls and uncaught exceptions
}

// newPage starts Chromium with a new empty profile and opens a tab.
func newPage(t *testing.T, base string) *page {
	t.Helper()
	// Not t.TempDir: Chromium's helper processes may still be writing to the
	// profile for a moment after the browser has gone, and TempDir fails the
	// test when it cannot remove a folder.
	profile, err := os.MkdirTemp("", "moneykit-mock-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// chromedp logs protocol events it cannot decode (a newer Chromium than
	// its cdproto); they are noise here, and t.Logf must not be called after
	// the test ends.
	var done atomic.Bool
	quiet := func(format string, args ...any) {
		if !done.Load() && testing.Verbose() {
			t.Logf("chromedp: "+format, args...)
		}
	}
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(quiet), chromedp.WithLogf(quiet))
	t.Cleanup(func() {
		done.Store(true)
		_ = chromedp.Cancel(ctx) // closes the browser and waits for it
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 50; i++ {
			if err = os.RemoveAll(profile); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("left %s behind: %v", profile, err)
	})
	p := &page{t: t, ctx: ctx, base: base}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				p.addError("console.error: " + strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			// The browser's own errors: a Content-Security-Policy violation, a
			// module that fails to load. Network errors are left out: a 404
			// from /_mock/webhooks and a 401 before the admin token are expected.
			if e := ev.Entry; e.Level == cdplog.LevelError && e.Source != cdplog.SourceNetwork {
				p.addError(fmt.Sprintf("browser %s: %s (%s)", e.Source, e.Text, e.URL))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			p.addError(fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		}
	})
	// The first Run starts the browser and ties its life to the context it
	// is given: that must be ctx itself, not one of run's timeouts.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return p
}

func (p *page) addError(s string) {
	p.mu.Lock()
	p.errors = append(p.errors, s)
	p.mu.Unlock()
}

// noConsoleErrors fails the test if the page logged an error since the last call.
func (p *page) noConsoleErrors(view string) {
	p.t.Helper()
	p.mu.Lock()
	errs := p.errors
	p.errors = nil
	p.mu.Unlock()
	for _, e := range errs {
		p.t.Errorf("%s view: %s", view, e)
	}
}

// run runs actions with a deadline.
func (p *page) run(timeout time.Duration, actions ...chromedp.Action) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var loc string
		_ = chromedp.Run(p.ctx, chromedp.Location(&loc))
		p.t.Fatalf("at %s: %v", loc, err)
	}
}

// text is the text of the first element sel matches, once it is visible.
func (p *page) text(sel string) string {
	p.t.Helper()
	var s string
	p.run(5*time.Second, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// click clicks sel once it is visible.
func (p *page) click(sel string) {
	p.t.Helper()
	p.run(5*time.Second, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Click(sel, chromedp.ByQuery))
}

// setValue types value into the field sel, replacing what was there.
func (p *page) setValue(sel, value string) {
	p.t.Helper()
	p.run(5*time.Second, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.SetValue(sel, value, chromedp.ByQuery))
}

// screenshots saves the page at 1280 and 390 px wide as testdata/screenshots/NAME-WIDTH.png.
func (p *page) screenshots(name string) {
	p.t.Helper()
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	for _, w := range []int64{1280, 390} {
		var png []byte
		p.run(20*time.Second,
			chromedp.EmulateViewport(w, 900, chromedp.EmulateScale(1)),
			chromedp.Sleep(150*time.Millisecond), // let the layout settle at the new width
			chromedp.FullScreenshot(&png, 100))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
	p.run(5*time.Second, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))
}

// server starts the mock as the command builds it, with a pinned clock.
func server(t *testing.T, o mock.Options) *httptest.Server {
	t.Helper()
	m, err := mock.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m) // 127.0.0.1:0
	t.Cleanup(srv.Close)
	return srv
}

var clockStart = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// get calls the server as a plain HTTP client would (curl, say).
func get(t *testing.T, base, path string) (int, []byte) {
	t.Helper()
	return getIn(t, base, path, "")
}

// getIn is get in a session.
func getIn(t *testing.T, base, path, session string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if session != "" {
		req.Header.Set("X-Mock-Session", session)
	}
	req.Header.Set("Authorization", "Bearer "+mock.StaticToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// post sends a JSON body to the server.
func post(t *testing.T, base, path, body string) (int, []byte) {
	t.Helper()
	res, err := http.Post(base+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

type clockJSON struct {
	Now    time.Time `json:"now"`
	Pinned bool      `json:"pinned"`
}

func clockOf(t *testing.T, base string) clockJSON {
	t.Helper()
	code, b := get(t, base, "/_mock/clock")
	var c clockJSON
	if err := json.Unmarshal(b, &c); code != http.StatusOK || err != nil {
		t.Fatalf("GET /_mock/clock = %d %s (%v)", code, b, err)
	}
	return c
}

func TestDashboard(t *testing.T) {
	srv := server(t, mock.Options{Clock: clockStart})
	p := newPage(t, srv.URL)

	t.Run("catalogue", func(t *testing.T) {
		p.t = t
		// A browser opening / lands on the dashboard.
		p.run(15*time.Second, chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(`#catalogue tr[data-pattern="mk_deleted"]`, chromedp.ByQuery))
		var path string
		p.run(5*time.Second, chromedp.Evaluate(`location.pathname`, &path))
		if path != ui.Path {
			t.Errorf("after / the page is at %q, want %q", path, ui.Path)
		}
		row := p.text(`#catalogue tr[data-pattern="mk_deleted"]`)
		for _, want := range []string{"410", "link_error.deleted"} {
			if !strings.Contains(row, want) {
				t.Errorf("catalogue row of mk_deleted = %q, want it to contain %q", row, want)
			}
		}
		if row := p.text(`#catalogue tr[data-pattern="mk_household"]`); !strings.Contains(row, "200") {
			t.Errorf("catalogue row of mk_household = %q, want status 200", row)
		}
		p.screenshots("links")
		p.noConsoleErrors("links")

		// Keyboard: Tab reaches the catalogue's links, with a visible focus
		// ring, and Enter opens one.
		var reached bool
		var outline string
		for i := 0; i < 20 && !reached; i++ {
			p.run(5*time.Second, chromedp.KeyEvent("\t"),
				chromedp.Evaluate(`document.activeElement.matches('#catalogue a[href="#/links/mk_demo"]')`, &reached))
		}
		if !reached {
			t.Fatal("20 presses of Tab did not reach the catalogue's first link")
		}
		p.run(5*time.Second, chromedp.Evaluate(`getComputedStyle(document.activeElement).outlineStyle`, &outline))
		if outline == "none" {
			t.Error("the focused link shows no outline")
		}
		p.run(5*time.Second, chromedp.KeyEvent("\r"), chromedp.WaitVisible(`.owner-name`, chromedp.ByQuery))
		p.run(5*time.Second, chromedp.NavigateBack(), chromedp.WaitVisible(`#catalogue`, chromedp.ByQuery))
	})

	t.Run("link", func(t *testing.T) {
		p.t = t
		code, b := get(t, srv.URL, "/links/mk_demo/identity")
		var ident struct {
			Accounts []struct {
				Owners []struct {
					Names []string `json:"names"`
				} `json:"owners"`
			} `json:"accounts"`
		}
		if err := json.Unmarshal(b, &ident); code != http.StatusOK || err != nil || len(ident.Accounts) == 0 || len(ident.Accounts[0].Owners) == 0 {
			t.Fatalf("GET /links/mk_demo/identity = %d %.200s (%v)", code, b, err)
		}
		want := ident.Accounts[0].Owners[0].Names[0]

		p.click(`#catalogue a[href="#/links/mk_demo"]`)
		if got := p.text(`.owner-name`); !strings.Contains(got, want) {
			t.Errorf("first owner shown as %q, want %q as the JSON has it", got, want)
		}
		if got := p.text(`#raw-json`); !strings.Contains(got, `"link_id": "mk_demo"`) {
			t.Errorf("raw JSON lacks the link ID: %.200s", got)
		}
		if got, want := p.text(`#curl-line`), "curl -H 'Authorization: Bearer sandbox-token' "+srv.URL+"/links/mk_demo/identity"; got != want {
			t.Errorf("curl line = %q, want %q", got, want)
		}
		var avatar string
		p.run(5*time.Second, chromedp.AttributeValue(`.institution img`, "src", &avatar, nil, chromedp.ByQuery))
		if !strings.HasPrefix(avatar, "data:image/svg+xml") {
			t.Errorf("avatar src = %.60q, want the data: URL", avatar)
		}
		p.screenshots("link")
		p.noConsoleErrors("link")

		// An error scenario shows its envelope.
		p.run(5*time.Second, chromedp.Evaluate(`location.hash = '#/links/mk_deleted'`, nil))
		if got := p.text(`.problem`); !strings.Contains(got, "link_error.deleted") {
			t.Errorf("mk_deleted shown as %q, want its error", got)
		}
		p.noConsoleErrors("link (error)")
	})

	t.Run("requests", func(t *testing.T) {
		p.t = t
		p.click(`nav a[data-view="requests"]`)
		p.run(5*time.Second, chromedp.WaitVisible(`#stream-state[data-state="live"]`, chromedp.ByQuery))
		start := time.Now()
		if code, _ := get(t, srv.URL, "/links/mk_journal_probe/identity?account_ids=acc_x"); code != http.StatusOK {
			t.Fatalf("probe status %d", code)
		}
		row := `#journal tr[data-link="mk_journal_probe"]`
		ctx, cancel := context.WithTimeout(p.ctx, time.Second)
		err := chromedp.Run(ctx, chromedp.WaitVisible(row, chromedp.ByQuery))
		cancel()
		if err != nil {
			t.Fatalf("a request was not in the journal view within 1 s: %v", err)
		}
		t.Logf("request to journal view: %v", time.Since(start).Round(time.Millisecond))
		if got := p.text(row); !strings.Contains(got, "200") || !strings.Contains(got, "GET") || !strings.Contains(got, "default") {
			t.Errorf("journal row = %q, want GET, 200 and the default session", got)
		}
		p.click(row + ` button`)
		curl := p.text(`#details-curl`)
		if want := `"Authorization: Bearer $TOKEN" '` + srv.URL + `/links/mk_journal_probe/identity?account_ids=acc_x'`; !strings.Contains(curl, want) {
			t.Errorf("curl of the request = %q, want it to contain %q", curl, want)
		}
		if got := p.text(`#request-details table.headers`); !strings.Contains(got, "Bearer [redacted]") {
			t.Errorf("headers = %q, want the redacted Authorization", got)
		}
		p.screenshots("requests")
		p.noConsoleErrors("requests")

		// The filter lives in the address: a view opened by it shows only its link.
		p.run(5*time.Second, chromedp.Evaluate(`location.hash = '#/requests?link=mk_filter_a&status=2xx'`, nil),
			chromedp.WaitVisible(`#stream-state[data-state="live"]`, chromedp.ByQuery))
		get(t, srv.URL, "/links/mk_filter_b/identity")
		get(t, srv.URL, "/links/mk_filter_a/identity")
		p.run(5*time.Second, chromedp.WaitVisible(`#journal tr[data-link="mk_filter_a"]`, chromedp.ByQuery))
		var others int
		var linkField, statusField string
		p.run(5*time.Second,
			chromedp.Evaluate(`document.querySelectorAll('#journal tbody tr:not([data-link="mk_filter_a"])').length`, &others),
			chromedp.Value(`#f-link`, &linkField, chromedp.ByQuery),
			chromedp.Value(`#f-status`, &statusField, chromedp.ByQuery))
		if others != 0 || linkField != "mk_filter_a" || statusField != "2xx" {
			t.Errorf("filtered view: %d other rows, link field %q, status %q; want 0, mk_filter_a, 2xx", others, linkField, statusField)
		}
		// Changing a filter in the form writes it into the address.
		p.setValue(`#f-link`, "mk_filter_b")
		p.click(`form.filters button[type="submit"]`)
		var hash string
		p.run(5*time.Second, chromedp.WaitVisible(`#journal tr[data-link="mk_filter_b"]`, chromedp.ByQuery), chromedp.Evaluate(`location.hash`, &hash))
		if !strings.Contains(hash, "link=mk_filter_b") {
			t.Errorf("address after filtering = %q, want link=mk_filter_b in it", hash)
		}
		p.noConsoleErrors("requests (filtered)")
	})

	t.Run("steer", func(t *testing.T) {
		p.t = t
		if code, _ := get(t, srv.URL, "/links/mk_ui_steer/identity"); code != http.StatusOK {
			t.Fatalf("before: status %d, want 200", code)
		}
		p.click(`nav a[data-view="steer"]`)

		// A bad entry shows its validation errors with their positions.
		p.setValue(`#sc-link`, "mk_ui_steer")
		p.setValue(`#sc-body`, `{"error": "nope"}`)
		p.click(`#sc-set`)
		if got := p.text(`#sc-result .problem`); !strings.Contains(got, "line 1, column") {
			t.Errorf("validation problem shown as %q, want a line and column", got)
		}
		p.setValue(`#sc-body`, `{"error": "deleted"}`)
		p.click(`#sc-set`)
		p.text(`#sc-result .ok`)
		if code, _ := get(t, srv.URL, "/links/mk_ui_steer/identity"); code != http.StatusGone {
			t.Errorf("after setting deleted from the UI: status %d, want 410", code)
		}

		// Advancing the clock from the UI moves GET /_mock/clock.
		before := clockOf(t, srv.URL)
		p.setValue(`#clock-advance`, "2h")
		p.click(`#clock-advance-btn`)
		p.text(`#clock-result .ok`)
		if after := clockOf(t, srv.URL); after.Now.Sub(before.Now) != 2*time.Hour {
			t.Errorf("clock went from %v to %v, want +2h", before.Now, after.Now)
		}
		// Un-pin and pin again.
		if got := p.text(`#clock-pinned`); got != "pinned" {
			t.Errorf("clock shown as %q, want pinned", got)
		}
		for _, want := range []bool{false, true} {
			p.click(`#clock-pin`)
			for deadline := time.Now().Add(2 * time.Second); clockOf(t, srv.URL).Pinned != want; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("after clicking %q the clock is not pinned=%v", "#clock-pin", want)
				}
			}
			// The page shows it too before the next click: the button toggles
			// what the page shows (a click before that would be ignored).
			shown := map[bool]string{false: "running", true: "pinned"}[want]
			p.run(2*time.Second, chromedp.Poll(`document.getElementById('clock-pinned').textContent === '`+shown+`'`, nil))
		}

		// A refresh started from the UI ends when the clock passes its delay,
		// and the UI sees refreshed_at move.
		p.setValue(`#rf-link`, "mk_ui_refresh")
		p.click(`#refresh-form button[type="submit"]`)
		p.run(5*time.Second, chromedp.Poll(`document.getElementById('rf-state')?.textContent.startsWith('refreshing')`, nil))
		if code, _ := post(t, srv.URL, "/_mock/clock", `{"advance": "1m"}`); code != http.StatusOK {
			t.Fatalf("advance: %d", code)
		}
		p.run(5*time.Second, chromedp.Poll(`document.getElementById('rf-state')?.textContent === 'refreshed'`, nil))

		// Reset everything: the run-time scenario set above is gone.
		p.click(`#reset-all`)
		p.text(`#reset-result .ok`)
		if code, _ := get(t, srv.URL, "/links/mk_ui_steer/identity"); code != http.StatusOK {
			t.Errorf("after Reset everything: status %d, want 200", code)
		}

		// Mint a link with a persona; it opens as that persona.
		p.run(5*time.Second, chromedp.SetValue(`#mint-fixture`, "household", chromedp.ByQuery))
		p.click(`#mint-form button[type="submit"]`)
		minted := p.text(`#minted-link`)
		if !strings.HasPrefix(minted, "mk_") || len(minted) != 25 {
			t.Errorf("minted link %q, want mk_ and 22 characters", minted)
		}
		p.screenshots("steer")
		p.noConsoleErrors("steer")

		// The session picked at the top goes with every call: a scenario set
		// in it is that session's alone.
		p.setValue(`#session-input`, "ui-s1")
		p.click(`#session-form button[type="submit"]`)
		p.run(5*time.Second, chromedp.WaitVisible(`#reset-session:not([disabled])`, chromedp.ByQuery))
		p.setValue(`#sc-link`, "mk_ui_session")
		p.setValue(`#sc-body`, `{"error": "not_found"}`)
		p.click(`#sc-set`)
		p.text(`#sc-result .ok`)
		if code, _ := getIn(t, srv.URL, "/links/mk_ui_session/identity", "ui-s1"); code != http.StatusNotFound {
			t.Errorf("in session ui-s1: status %d, want 404", code)
		}
		if code, _ := get(t, srv.URL, "/links/mk_ui_session/identity"); code != http.StatusOK {
			t.Errorf("in the default session: status %d, want 200", code)
		}
		var hash string
		p.run(5*time.Second, chromedp.Evaluate(`location.hash`, &hash))
		if !strings.Contains(hash, "as=ui-s1") {
			t.Errorf("address %q does not carry the session", hash)
		}
		p.click(`#reset-session`)
		p.text(`#reset-result .ok`)
		if code, _ := getIn(t, srv.URL, "/links/mk_ui_session/identity", "ui-s1"); code != http.StatusOK {
			t.Errorf("after resetting session ui-s1: status %d, want 200", code)
		}
		p.run(5*time.Second, chromedp.Evaluate(`document.getElementById('session-input').value = ''`, nil))
		p.click(`#session-form button[type="submit"]`)
		p.run(5*time.Second, chromedp.WaitVisible(`#reset-session[disabled]`, chromedp.ByQuery))
		p.noConsoleErrors("steer (session)")
	})

	t.Run("webhooks", func(t *testing.T) {
		p.t = t
		p.click(`nav a[data-view="webhooks"]`)
		if got := p.text(`#webhooks-empty`); !strings.Contains(got, "Webhook deliveries appear here once webhooks are configured") {
			t.Errorf("webhooks view = %q, want the empty state", got)
		}
		p.screenshots("webhooks-empty")
		// A delivery: a link with a webhook on a receiver here, a test
		// webhook, and the view lists it with its attempt.
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer recv.Close()
		req, _ := http.NewRequest(http.MethodPatch, srv.URL+"/links/mk_ui_hook", strings.NewReader(`{"webhook":"`+recv.URL+`/hook"}`))
		req.Header.Set("Authorization", "Bearer "+mock.StaticToken)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("PATCH webhook: %v %v", res, err)
		}
		tr, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/test/link/mk_ui_hook", strings.NewReader(`{"webhook_event":"link.state_changed","webhook_idempotency_key":"ui-key"}`))
		tr.Header.Set("Authorization", "Bearer "+mock.StaticToken)
		if res, err := http.DefaultClient.Do(tr); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("test webhook: %v %v", res, err)
		}
		if code, b := getIn(t, srv.URL, "/_mock/webhooks?wait=5s&status=delivered", ""); code != http.StatusOK || !strings.Contains(string(b), "ui-key") {
			t.Fatalf("GET /_mock/webhooks: %d %s", code, b)
		}
		p.click(`#webhooks-refresh`)
		p.run(5*time.Second, chromedp.WaitVisible(`#deliveries tr[data-id]`, chromedp.ByQuery))
		p.click(`#deliveries tr[data-id] button`)
		if got := p.text(`#webhook-details`); !strings.Contains(got, "link.state_changed") || !strings.Contains(got, "delivered") || !strings.Contains(got, "ui-key") || !strings.Contains(got, "MoneyKit-Signature") || strings.Contains(got, "NaN") {
			t.Errorf("delivery details = %q", got)
		}
		p.screenshots("webhooks")
		p.noConsoleErrors("webhooks")
	})

	t.Run("size and time to interactive", func(t *testing.T) {
		p.t = t
		var m struct {
			Transfer, Body, Count    int
			DCL, Ready, HTML, Assets float64
		}
		p.run(15*time.Second, chromedp.Navigate(srv.URL+ui.Path+"#/links"),
			chromedp.WaitVisible(`#catalogue`, chromedp.ByQuery),
			chromedp.Evaluate(`(() => {
				const nav = performance.getEntriesByType('navigation')[0];
				// The icon is both favicon and header image: count each file once.
				const seen = new Set();
				const res = performance.getEntriesByType('resource')
					.filter(r => r.name.includes('/_mock/ui/') && !seen.has(r.name) && seen.add(r.name));
				return {
					transfer: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
					body: nav.encodedBodySize + res.reduce((s, r) => s + r.encodedBodySize, 0),
					count: 1 + res.length,
					html: nav.responseEnd,
					assets: Math.max(...res.map(r => r.responseEnd)),
					dcl: nav.domContentLoadedEventEnd,
					ready: performance.getEntriesByName('mk-ready')[0].startTime,
				};
			})()`, &m))
		var files, total int
		_ = fs.WalkDir(ui.Files(), ".", func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				info, _ := d.Info()
				files++
				total += int(info.Size())
			}
			return err
		})
		t.Logf("page: %d files, %d bytes of assets (%d embedded in %d files), %d bytes transferred with headers; "+
			"from navigation start: HTML in %.0f ms, last asset in %.0f ms, DOMContentLoaded %.0f ms, catalogue shown (interactive) %.0f ms",
			m.Count, m.Body, total, files, m.Transfer, m.HTML, m.Assets, m.DCL, m.Ready)
		if m.Body != total {
			t.Errorf("the page loaded %d bytes of assets, the embedded files are %d: a file is unused or loaded twice", m.Body, total)
		}
		if m.Body > 100<<10 {
			t.Errorf("assets are %d bytes, over the 100 KiB budget", m.Body)
		}
		p.noConsoleErrors("links (reload)")
	})
}

// TestDashboardAdminToken: with --admin-token the page still loads, asks
// for the token once in a form, keeps it for the tab, and shows the refusal
// of a wrong one.
func TestDashboardAdminToken(t *testing.T) {
	const token = "ui-admin-secret"
	srv := server(t, mock.Options{Clock: clockStart, AdminToken: token})
	p := newPage(t, srv.URL)
	p.run(15*time.Second, chromedp.Navigate(srv.URL+ui.Path), chromedp.WaitVisible(`#token-dialog[open] #token-input`, chromedp.ByQuery))
	p.screenshots("token")

	p.run(5*time.Second, chromedp.SendKeys(`#token-input`, "wrong", chromedp.ByQuery), chromedp.Click(`#token-form button[type="submit"]`, chromedp.ByQuery))
	if got := p.text(`#token-dialog[open] #token-error`); !strings.Contains(got, "refused") {
		t.Errorf("after a wrong token the form says %q, want it refused", got)
	}
	p.run(5*time.Second, chromedp.SendKeys(`#token-input`, token, chromedp.ByQuery), chromedp.Click(`#token-form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#catalogue tr[data-pattern="mk_deleted"]`, chromedp.ByQuery))
	var open bool
	var stored string
	p.run(5*time.Second, chromedp.Evaluate(`document.getElementById('token-dialog').open`, &open),
		chromedp.Evaluate(`sessionStorage.getItem('moneykit-mock.admin-token')`, &stored))
	if open || stored != token {
		t.Errorf("after the right token: dialog open %v, stored %q", open, stored)
	}

	// The tab keeps it: a reload and the stream need no second asking.
	p.run(15*time.Second, chromedp.Navigate(srv.URL+ui.Path+"#/requests"),
		chromedp.WaitVisible(`#stream-state[data-state="live"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('token-dialog').open`, &open))
	if open {
		t.Error("the token was asked for again after a reload")
	}
	p.noConsoleErrors("token")
}

package handlers_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// delivery is one webhook a test receiver got.
type delivery struct {
	header http.Header
	body   []byte
}

// receiver is a webhook receiver on 127.0.0.1 that answers fail(n) for the
// n-th delivery attempt it sees (200 by default) and keeps every delivery.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []delivery
	fail func(n int) int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{header: r.Header.Clone(), body: b})
		n := len(rc.got)
		fail := rc.fail
		rc.mu.Unlock()
		if fail != nil {
			w.WriteHeader(fail(n))
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// waitDelivered asks GET /_mock/webhooks to wait until n deliveries of the
// session are final, and returns the listing.
func waitDelivered(t *testing.T, h http.Handler, n int, query string) []map[string]any {
	t.Helper()
	rec := do(t, h, request{path: fmt.Sprintf("/_mock/webhooks?wait=5s&min=%d%s", n, query)})
	if rec.Code != 200 {
		t.Fatalf("GET /_mock/webhooks: %d %s", rec.Code, rec.Body)
	}
	list := decode[struct {
		Deliveries []map[string]any `json:"deliveries"`
	}](t, rec.Body.Bytes()).Deliveries
	if len(list) < n {
		t.Fatalf("%d deliveries after waiting, want %d: %s", len(list), n, rec.Body)
	}
	return list
}

// verifySignature checks a delivery with golang-jwt, an implementation
// independent of the mock's, against the JWKS the mock serves: ES256 only,
// claims exactly iss, iat and request_body_sha256, and the body's hash.
func verifySignature(t *testing.T, jwks []byte, d delivery) {
	t.Helper()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer("https://api.moneykit.com"), jwt.WithIssuedAt()).
		Parse(d.header.Get("MoneyKit-Signature"), func(tok *jwt.Token) (any, error) {
			for _, k := range set.Keys {
				if k["kid"] == tok.Header["kid"] && k["use"] == "sig" && k["kty"] == "EC" && k["crv"] == "P-256" {
					x, _ := base64.RawURLEncoding.DecodeString(k["x"])
					y, _ := base64.RawURLEncoding.DecodeString(k["y"])
					return &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}, nil
				}
			}
			return nil, errors.New("kid not in the JWKS")
		})
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	claims := tok.Claims.(jwt.MapClaims)
	if len(claims) != 3 {
		t.Errorf("claims = %v, want exactly iss, iat, request_body_sha256", claims)
	}
	sum := sha256.Sum256(d.body)
	if claims["request_body_sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("request_body_sha256 does not match the body")
	}
}

// TestWebhooks runs the webhooks of a link's life against a real receiver:
// a refresh sends in_progress at once and completed when the clock passes
// its end, the test trigger sends what it is asked with the key given, a
// delete sends link.state_changed; every delivery verifies against the JWKS
// route, which needs no credentials.
func TestWebhooks(t *testing.T) {
	rc := newReceiver(t)
	clock := state.NewPinnedClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	var srv *handlers.Server
	h := newServer(t, func(d *handlers.Deps) { d.Clock = clock })
	srv = h.(*handlers.Server)
	t.Cleanup(func() { srv.Close(t.Context()) })

	if res := api(t, h, "PATCH", "/links/mk_hook", "", `{"webhook":"`+rc.URL+`/hook","link_tags":["t1"]}`); res.code != 200 {
		t.Fatalf("patch: %d %s", res.code, res.body)
	}
	if res := api(t, h, "POST", "/links/mk_hook/products", "", `{"products":["identity"]}`); res.code != 202 {
		t.Fatalf("refresh: %d %s", res.code, res.body)
	}
	waitDelivered(t, h, 1, "&status=delivered")
	if res := do(t, h, request{method: "POST", path: "/_mock/clock", body: `{"advance":"10s"}`}); res.Code != 200 {
		t.Fatalf("advance: %d", res.Code)
	}
	waitDelivered(t, h, 2, "&status=delivered")
	res := api(t, h, "POST", "/webhooks/test/link/mk_hook", "", `{"webhook_event":"transactions.updates_available","webhook_idempotency_key":"my-key"}`)
	if res.code != 200 {
		t.Fatalf("test trigger: %d %s", res.code, res.body)
	}
	token := decode[map[string]string](t, res.body)["delivery_token"]
	waitDelivered(t, h, 3, "&status=delivered")
	if res := api(t, h, "DELETE", "/links/mk_hook", "", ""); res.code != 204 {
		t.Fatalf("delete: %d", res.code)
	}
	list := waitDelivered(t, h, 4, "&status=delivered")

	jwks := do(t, h, request{path: "/.well-known/jwks.json"}) // no credentials
	if jwks.Code != 200 {
		t.Fatalf("jwks: %d %s", jwks.Code, jwks.Body)
	}
	got := rc.deliveries()
	if len(got) != 4 {
		t.Fatalf("the receiver got %d deliveries, want 4", len(got))
	}
	var events []string
	for _, d := range got {
		verifySignature(t, jwks.Body.Bytes(), d)
		for _, hd := range []string{"MoneyKit-Signature", "MoneyKit-Delivery-Token", "MoneyKit-Delivery-Attempt"} {
			if d.header.Get(hd) == "" {
				t.Errorf("delivery lacks %s", hd)
			}
		}
		var b map[string]any
		json.Unmarshal(d.body, &b)
		if b["link_id"] != "mk_hook" || fmt.Sprint(b["link_tags"]) != "[t1]" || b["webhook_major_version"] != 1.0 {
			t.Errorf("envelope: %s", d.body)
		}
		ev := fmt.Sprint(b["webhook_event"])
		if s, ok := b["state"]; ok {
			ev += " " + fmt.Sprint(s)
		}
		events = append(events, ev)
	}
	want := "link.product_refresh in_progress, link.product_refresh completed, transactions.updates_available, link.state_changed deleted"
	if strings.Join(events, ", ") != want {
		t.Errorf("events = %s\nwant     %s", strings.Join(events, ", "), want)
	}
	if !strings.Contains(string(got[2].body), `"webhook_idempotency_key":"my-key"`) || got[2].header.Get("MoneyKit-Delivery-Token") != token {
		t.Errorf("test trigger delivery: token %q vs %q, body %s", got[2].header.Get("MoneyKit-Delivery-Token"), token, got[2].body)
	}
	if att, _ := list[0]["attempts"].([]any); len(att) != 1 {
		t.Errorf("listing: %v", list[0])
	}
	// A link without a webhook cannot be sent a test webhook.
	wantError(t, do(t, h, request{method: "POST", path: "/webhooks/test/link/mk_demo", body: `{"webhook_event":"link.state_changed","webhook_idempotency_key":"k"}`,
		header: map[string]string{"Authorization": "Bearer " + staticToken}}), 400,
		`{"error_code":"link_error.bad_config","error_message":"Link missing webhook configuration","documentation_url":"https://docs.moneykit.com/api/reference/link-errors"}`)
	// Bad webhook URLs are refused where they are set.
	if res := api(t, h, "PATCH", "/links/mk_demo", "", `{"webhook":"ftp://example.com/x"}`); res.code != 400 || !strings.Contains(string(res.body), `"location":["body","webhook"]`) {
		t.Errorf("bad webhook: %d %s", res.code, res.body)
	}
	// Unknown filters are errors.
	if rec := do(t, h, request{path: "/_mock/webhooks?lnk=x"}); rec.Code != 400 {
		t.Errorf("unknown filter: %d", rec.Code)
	}
}

// TestWebhookRetries checks retries at the mock's level: a receiver that
// fails twice sees the same body, key and timestamp, with attempts 1, 2, 3.
func TestWebhookRetries(t *testing.T) {
	rc := newReceiver(t)
	rc.fail = func(n int) int {
		if n <= 2 {
			return 503
		}
		return 200
	}
	h := newServer(t, func(d *handlers.Deps) { d.Config.WebhookBackoff = time.Millisecond })
	t.Cleanup(func() { h.(*handlers.Server).Close(t.Context()) })
	api(t, h, "PATCH", "/links/mk_retry", "", `{"webhook":"`+rc.URL+`"}`)
	api(t, h, "POST", "/webhooks/test/link/mk_retry", "", `{"webhook_event":"link.state_changed","webhook_idempotency_key":"k1"}`)
	list := waitDelivered(t, h, 1, "&status=delivered")
	got := rc.deliveries()
	if len(got) != 3 || len(list[0]["attempts"].([]any)) != 3 {
		t.Fatalf("receiver got %d attempts, listing shows %v", len(got), list[0]["attempts"])
	}
	for i, d := range got {
		if string(d.body) != string(got[0].body) || d.header.Get("MoneyKit-Delivery-Attempt") != fmt.Sprint(i+1) {
			t.Errorf("attempt %d: header %q, body %s", i+1, d.header.Get("MoneyKit-Delivery-Attempt"), d.body)
		}
	}
}

// TestScenarioStateChangeWebhook: a run-time scenario that puts a link in
// another state sends link.state_changed; one that changes nothing visible
// sends nothing.
func TestScenarioStateChangeWebhook(t *testing.T) {
	rc := newReceiver(t)
	h := newServer(t, nil)
	t.Cleanup(func() { h.(*handlers.Server).Close(t.Context()) })
	api(t, h, "PATCH", "/links/mk_flip", "", `{"webhook":"`+rc.URL+`"}`)
	do(t, h, request{method: "PUT", path: "/_mock/scenarios/mk_flip", body: `{"link":{"state":"error","error_code":"auth_expired"}}`})
	do(t, h, request{method: "PUT", path: "/_mock/scenarios/mk_flip", body: `{"delay":"1ms","link":{"state":"error","error_code":"auth_expired"}}`})
	waitDelivered(t, h, 1, "") // deliveries of separate events may cross, as MoneyKit's do
	do(t, h, request{method: "DELETE", path: "/_mock/scenarios/mk_flip"})
	waitDelivered(t, h, 2, "")
	var got []string
	for _, d := range rc.deliveries() {
		var b map[string]any
		json.Unmarshal(d.body, &b)
		got = append(got, fmt.Sprint(b["webhook_event"], " ", b["state"], " ", b["error"]))
	}
	if want := "link.state_changed error auth_expired, link.state_changed connected <nil>"; strings.Join(got, ", ") != want {
		t.Errorf("deliveries = %s, want %s", strings.Join(got, ", "), want)
	}
}

// TestTransactionsRefreshWebhook: a transactions refresh that succeeds also
// says that updates are available.
func TestTransactionsRefreshWebhook(t *testing.T) {
	rc := newReceiver(t)
	clock := state.NewPinnedClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	h := newServer(t, func(d *handlers.Deps) { d.Clock = clock })
	t.Cleanup(func() { h.(*handlers.Server).Close(t.Context()) })
	api(t, h, "PATCH", "/links/mk_tx", "", `{"webhook":"`+rc.URL+`"}`)
	api(t, h, "POST", "/links/mk_tx/products", "", `{"products":["transactions"]}`)
	waitDelivered(t, h, 1, "")
	do(t, h, request{method: "POST", path: "/_mock/clock", body: `{"advance":"10s"}`})
	waitDelivered(t, h, 3, "")
	var got []string
	for _, d := range rc.deliveries() {
		var b map[string]any
		json.Unmarshal(d.body, &b)
		got = append(got, fmt.Sprint(b["webhook_event"]))
	}
	if want := "link.product_refresh, link.product_refresh, transactions.updates_available"; strings.Join(got, ", ") != want {
		t.Errorf("events = %s, want %s", strings.Join(got, ", "), want)
	}
}

// TestWebhookDeliveriesPerSession: deliveries belong to the session whose
// request made them, and a reset forgets them like the journal.
func TestWebhookDeliveriesPerSession(t *testing.T) {
	rc := newReceiver(t)
	h := newServer(t, nil)
	t.Cleanup(func() { h.(*handlers.Server).Close(t.Context()) })
	api(t, h, "PATCH", "/links/mk_s", "s1", `{"webhook":"`+rc.URL+`"}`)
	api(t, h, "POST", "/webhooks/test/link/mk_s", "s1", `{"webhook_event":"link.state_changed","webhook_idempotency_key":"k"}`)
	count := func(session, query string) string {
		hd := map[string]string{}
		if session != "" {
			hd["X-Mock-Session"] = session
		}
		return do(t, h, request{path: "/_mock/webhooks?count=true" + query, header: hd}).Body.String()
	}
	do(t, h, request{path: "/_mock/webhooks?wait=5s&session=s1"})
	if got := count("s1", ""); got != `{"count":1}` {
		t.Errorf("s1 sees %s", got)
	}
	if got := count("", ""); got != `{"count":0}` {
		t.Errorf("the default session sees %s", got)
	}
	if got := count("", "&session=*"); got != `{"count":1}` {
		t.Errorf("session=* sees %s", got)
	}
	do(t, h, request{method: "POST", path: "/_mock/reset", header: map[string]string{"X-Mock-Session": "s1"}})
	if got := count("s1", ""); got != `{"count":0}` {
		t.Errorf("after the reset s1 sees %s", got)
	}
}

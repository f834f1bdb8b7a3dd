package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// chaosRun refreshes one link whose runtime scenario has the given webhooks
// key, lets the refresh end, and returns what the receiver got (events with
// their states, in arrival order) and the mock's listing.
func chaosRun(t *testing.T, chaos string, n int) (got []delivery, events []string, list []map[string]any) {
	t.Helper()
	rc := newReceiver(t)
	clock := state.NewPinnedClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	h := newServer(t, func(d *handlers.Deps) { d.Clock = clock })
	t.Cleanup(func() { h.(*handlers.Server).Close(t.Context()) })
	if rec := do(t, h, request{method: "PUT", path: "/_mock/scenarios/mk_chaos", body: `{"webhook":"` + rc.URL + `","webhooks":` + chaos + `}`}); rec.Code != 200 {
		t.Fatalf("PUT scenario: %d %s", rec.Code, rec.Body)
	}
	if res := api(t, h, "POST", "/links/mk_chaos/products", "", `{"products":["identity","accounts"]}`); res.code != 202 {
		t.Fatalf("refresh: %d %s", res.code, res.body)
	}
	// The refresh's first events are final (sent, or held back by chaos)
	// before it ends, as they would be in real time.
	if !strings.Contains(chaos, "reorder") { // reorder sends nothing before the end
		do(t, h, request{path: fmt.Sprintf("/_mock/webhooks?wait=5s&min=%d", n/2)})
	}
	do(t, h, request{method: "POST", path: "/_mock/clock", body: `{"advance":"10s"}`})
	rec := do(t, h, request{path: fmt.Sprintf("/_mock/webhooks?wait=5s&min=%d", n)})
	list = decode[struct {
		Deliveries []map[string]any `json:"deliveries"`
	}](t, rec.Body.Bytes()).Deliveries
	got = rc.deliveries()
	for _, d := range got {
		var b map[string]any
		json.Unmarshal(d.body, &b)
		events = append(events, fmt.Sprint(b["product"], " ", b["state"]))
	}
	return got, events, list
}

// TestWebhookChaos checks each delivery-chaos key of a scenario: it does what
// it says, and the same again on a second server with the same seed.
func TestWebhookChaos(t *testing.T) {
	natural := []string{"identity in_progress", "accounts in_progress", "identity completed", "accounts completed"}
	t.Run("none", func(t *testing.T) {
		_, events, _ := chaosRun(t, `{}`, 4)
		if !slices.Equal(events, natural) {
			t.Errorf("events = %v, want %v", events, natural)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		got, events, _ := chaosRun(t, `{"duplicate": 2}`, 12)
		if len(got) != 12 {
			t.Fatalf("got %d deliveries, want 4 × 3", len(got))
		}
		keys := map[string]int{}
		for _, d := range got {
			var b map[string]any
			json.Unmarshal(d.body, &b)
			keys[fmt.Sprint(b["webhook_idempotency_key"])]++
		}
		for k, n := range keys {
			if n != 3 {
				t.Errorf("key %s delivered %d times, want 3", k, n)
			}
		}
		_ = events
	})
	t.Run("drop", func(t *testing.T) {
		_, events, list := chaosRun(t, `{"drop": ["completed"]}`, 4)
		if !slices.Equal(events, natural[:2]) {
			t.Errorf("events = %v, want only %v", events, natural[:2])
		}
		dropped := 0
		for _, d := range list {
			if d["status"] == "dropped" {
				dropped++
			}
		}
		if dropped != 2 {
			t.Errorf("%d deliveries listed as dropped, want 2", dropped)
		}
	})
	t.Run("reorder", func(t *testing.T) {
		_, a, _ := chaosRun(t, `{"reorder": true}`, 4)
		_, b, _ := chaosRun(t, `{"reorder": true}`, 4)
		if len(a) != 4 || slices.Equal(a, natural) {
			t.Errorf("events = %v, want the four in another order than %v", a, natural)
		}
		// Each product's pair arrives together at the end, in a seeded order.
		var id, ac []string
		for _, e := range a {
			if strings.HasPrefix(e, "identity") {
				id = append(id, e)
			} else {
				ac = append(ac, e)
			}
		}
		if want := []string{"accounts completed", "identity completed", "accounts in_progress", "identity in_progress"}; !slices.Equal(a, want) {
			t.Errorf("reordered events = %v, want %v", a, want)
		}
		if !slices.Equal(a, b) {
			t.Errorf("the same seed reordered differently: %v and %v", a, b)
		}
	})
	t.Run("fail_signature", func(t *testing.T) {
		got, _, _ := chaosRun(t, `{"fail_signature": "wrong_hash"}`, 4)
		if len(got) != 4 {
			t.Fatalf("got %d deliveries", len(got))
		}
		for _, d := range got {
			tt := &testing.T{}
			verifySignatureTo(tt, d)
			if !tt.Failed() {
				t.Errorf("a delivery with fail_signature verified")
			}
		}
	})
	t.Run("delay", func(t *testing.T) {
		_, _, list := chaosRun(t, `{"delay": "20ms..40ms"}`, 4)
		_, _, again := chaosRun(t, `{"delay": "20ms..40ms"}`, 4)
		for i, d := range list {
			ns, _ := d["delay_ns"].(float64)
			if ns < float64(20*time.Millisecond) || ns > float64(40*time.Millisecond) {
				t.Errorf("delivery %d: delay %v, want 20ms..40ms", i, time.Duration(ns))
			}
			if i < len(again) && again[i]["delay_ns"] != d["delay_ns"] {
				t.Errorf("delivery %d: delay %v, then %v for the same seed", i, d["delay_ns"], again[i]["delay_ns"])
			}
		}
	})
}

// verifySignatureTo verifies d against a JWKS of the seed-1 mock.
func verifySignatureTo(t *testing.T, d delivery) {
	h := newServer(t, nil)
	jwks := do(t, h, request{path: "/.well-known/jwks.json"}).Body.Bytes()
	defer func() { recover() }() // t.Fatalf on a bare testing.T panics; the failure is recorded first
	verifySignature(t, jwks, d)
}

// TestScenarioWebhookKey checks the webhook key: the link's answers show it.
func TestScenarioWebhookKey(t *testing.T) {
	h := newServer(t, nil)
	do(t, h, request{method: "PUT", path: "/_mock/scenarios/mk_w", body: `{"webhook":"https://hooks.example.com/x"}`})
	if b := get(t, h, "/links/mk_w").Body.String(); !strings.Contains(b, `"webhook":"https://hooks.example.com/x"`) {
		t.Errorf("link: %s", b)
	}
	rec := do(t, h, request{method: "PUT", path: "/_mock/scenarios/mk_w", body: `{"webhooks":{"drop":["nope"],"duplicate":99}}`})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "webhooks.drop item") || !strings.Contains(rec.Body.String(), "webhooks.duplicate") {
		t.Errorf("bad webhooks key: %d %s", rec.Code, rec.Body)
	}
	_ = http.StatusOK
}

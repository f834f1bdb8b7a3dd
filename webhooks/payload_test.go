package webhooks_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

func TestPayloadBytes(t *testing.T) {
	b := webhooks.Builder{Seed: 7}
	base := webhooks.Base{LinkID: "mk_x", Seq: 1, Time: time.Date(2025, 5, 1, 14, 0, 0, 123456789, time.FixedZone("X", 2*3600))}
	key := webhooks.IdempotencyKey(7, "mk_x", webhooks.EventLinkProductRefresh, 1)
	env := func(ev webhooks.Event, key string) string {
		return `{"webhook_major_version":1,"webhook_minor_version":0,"webhook_idempotency_key":"` + key +
			`","webhook_timestamp":"2025-05-01T12:00:00.123456Z","link_id":"mk_x","link_tags":[],"webhook_event":"` + string(ev) + `",`
	}
	pr, err := b.ProductRefresh(base, "identity", "completed", time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	want := env(webhooks.EventLinkProductRefresh, key) +
		`"product":"identity","state":"completed","state_changed_at":"2025-05-01T12:00:00.000000Z","error_message":null}`
	if string(pr.Body) != want {
		t.Errorf("product refresh body\n got %s\nwant %s", pr.Body, want)
	}
	if pr.IdempotencyKey != key || pr.Event != webhooks.EventLinkProductRefresh || pr.State != "completed" || pr.LinkID != "mk_x" {
		t.Errorf("payload meta %+v", pr)
	}

	base.LinkTags = []string{"<a&b>"}
	sc, err := b.LinkStateChanged(base, "error", "auth_expired", "Log in again")
	if err != nil {
		t.Fatal(err)
	}
	want = strings.Replace(env(webhooks.EventLinkStateChanged, webhooks.IdempotencyKey(7, "mk_x", webhooks.EventLinkStateChanged, 1)),
		`"link_tags":[]`, `"link_tags":["<a&b>"]`, 1) + `"state":"error","error":"auth_expired","error_message":"Log in again"}`
	if string(sc.Body) != want {
		t.Errorf("state changed body (no HTML escaping)\n got %s\nwant %s", sc.Body, want)
	}

	base.LinkTags = nil
	base.Key = "chosen-by-caller"
	tu, err := b.TransactionsUpdatesAvailable(base, true)
	if err != nil {
		t.Fatal(err)
	}
	want = env(webhooks.EventTransactionsUpdatesAvailable, "chosen-by-caller") + `"has_history":true}`
	if string(tu.Body) != want {
		t.Errorf("transactions body\n got %s\nwant %s", tu.Body, want)
	}
	for _, p := range []webhooks.Payload{pr, sc, tu} {
		if !json.Valid(p.Body) {
			t.Errorf("invalid JSON %s", p.Body)
		}
	}
}

func TestPayloadRejectsUnknownValues(t *testing.T) {
	b := webhooks.Builder{Seed: 1}
	base := webhooks.Base{LinkID: "mk_x", Time: t0}
	for name, err := range map[string]error{
		"state": func() error { _, err := b.LinkStateChanged(base, "done", "", ""); return err }(),
		"error": func() error { _, err := b.LinkStateChanged(base, "error", "payment_error", ""); return err }(),
		"product": func() error {
			_, err := b.ProductRefresh(base, "balances", "completed", t0, "")
			return err
		}(),
		"product state": func() error { _, err := b.ProductRefresh(base, "identity", "done", t0, ""); return err }(),
		"no link":       func() error { _, err := b.TransactionsUpdatesAvailable(webhooks.Base{}, false); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:] {
			t.Errorf("%s: error %q is not lower-case", name, err)
		}
	}
}

func TestIdempotencyKeyDeterministic(t *testing.T) {
	k := webhooks.IdempotencyKey(1, "mk_a", webhooks.EventLinkStateChanged, 1)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(k) {
		t.Errorf("key %q is not UUID-shaped", k)
	}
	if k != webhooks.IdempotencyKey(1, "mk_a", webhooks.EventLinkStateChanged, 1) {
		t.Error("same inputs, different keys")
	}
	seen := map[string]bool{k: true}
	for _, o := range []string{
		webhooks.IdempotencyKey(2, "mk_a", webhooks.EventLinkStateChanged, 1),
		webhooks.IdempotencyKey(1, "mk_b", webhooks.EventLinkStateChanged, 1),
		webhooks.IdempotencyKey(1, "mk_a", webhooks.EventLinkProductRefresh, 1),
		webhooks.IdempotencyKey(1, "mk_a", webhooks.EventLinkStateChanged, 2),
	} {
		if seen[o] {
			t.Errorf("key %q repeated for different inputs", o)
		}
		seen[o] = true
	}
}

package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

func TestDeliveryVerifies(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, webhooks.Config{Seed: 3})
	p := refresh(t, 3, "mk_a", 1, "completed")
	r, err := d.Enqueue(webhooks.Target{Session: "s1", URL: rc.URL + "/webhook-handler"}, p, webhooks.Chaos{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "whd_00000001" || r.Status != webhooks.StatusPending || r.DeliveryToken == "" {
		t.Errorf("enqueued record %+v", r)
	}
	got := waitN(t, d, webhooks.Filter{Session: "s1"}, 1)[0]
	if got.Status != webhooks.StatusDelivered || len(got.Attempts) != 1 || got.Attempts[0].Status != 200 ||
		got.Attempts[0].Response != `{"debug_handled":true}` {
		t.Fatalf("record %+v", got)
	}
	req := rc.Requests()[0]
	if req.Method != http.MethodPost || req.Path != "/webhook-handler" || string(req.Body) != string(p.Body) {
		t.Errorf("request %s %s %s", req.Method, req.Path, req.Body)
	}
	for h, want := range map[string]string{
		"Content-Type":              "application/json",
		"User-Agent":                webhooks.DefaultUserAgent,
		"MoneyKit-Delivery-Token":   r.DeliveryToken,
		"MoneyKit-Delivery-Attempt": "1",
	} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if kid, err := verify(d.Keys().JWKSJSON(), req.Header.Get("MoneyKit-Signature"), req.Body); err != nil || kid != d.Keys().Current().KID() {
		t.Errorf("verify: kid %q: %v", kid, err)
	}
	if got.Attempts[0].Headers["MoneyKit-Signature"] != req.Header.Get("MoneyKit-Signature") {
		t.Error("the record does not hold the signature sent")
	}
	var body map[string]any
	json.Unmarshal(got.Body, &body)
	if body["link_id"] != "mk_a" {
		t.Errorf("record body %s", got.Body)
	}
}

func TestRetriesKeepBodyKeyAndTimestamp(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 3 {
			http.Error(w, "not yet", http.StatusInternalServerError)
		}
	})
	clock := newFakeClock()
	d := newDispatcher(t, webhooks.Config{Clock: clock})
	p := refresh(t, 0, "mk_a", 1, "pending")
	d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, p, webhooks.Chaos{})
	got := waitN(t, d, webhooks.Filter{}, 1)[0]
	if got.Status != webhooks.StatusDelivered || len(got.Attempts) != 4 {
		t.Fatalf("record %+v", got)
	}
	reqs := rc.Requests()
	for i, req := range reqs {
		if a := req.Header.Get("MoneyKit-Delivery-Attempt"); a != fmt.Sprint(i+1) {
			t.Errorf("request %d: attempt header %q", i, a)
		}
		if string(req.Body) != string(p.Body) {
			t.Errorf("request %d: body changed: %s", i, req.Body)
		}
		if req.Header.Get("MoneyKit-Delivery-Token") != got.DeliveryToken {
			t.Errorf("request %d: delivery token changed", i)
		}
		if _, err := verify(d.Keys().JWKSJSON(), req.Header.Get("MoneyKit-Signature"), req.Body); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
		if got.Attempts[i].Number != i+1 {
			t.Errorf("attempt %d numbered %d", i, got.Attempts[i].Number)
		}
	}
	if st := []int{got.Attempts[0].Status, got.Attempts[1].Status, got.Attempts[2].Status, got.Attempts[3].Status}; !slices.Equal(st, []int{500, 500, 500, 200}) {
		t.Errorf("statuses %v", st)
	}
	if w := clock.Waits(); !slices.Equal(w, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}) {
		t.Errorf("backoff waits %v", w)
	}
	// Each attempt is signed at its own time.
	var iat1, iat4 map[string]any
	decodeSeg(strings.Split(reqs[0].Header.Get("MoneyKit-Signature"), ".")[1], &iat1)
	decodeSeg(strings.Split(reqs[3].Header.Get("MoneyKit-Signature"), ".")[1], &iat4)
	if iat4["iat"].(float64)-iat1["iat"].(float64) != 1 { // 1.4 s later, whole seconds
		t.Errorf("iat %v then %v", iat1["iat"], iat4["iat"])
	}
}

func TestRetriesGiveUp(t *testing.T) {
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	clock := newFakeClock()
	d := newDispatcher(t, webhooks.Config{Clock: clock, Retry: webhooks.Retry{Initial: time.Second, Factor: 3, Max: 5 * time.Second, MaxAttempts: 4}})
	d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", 1, "pending"), webhooks.Chaos{})
	got := waitN(t, d, webhooks.Filter{}, 1)[0]
	if got.Status != webhooks.StatusFailed || len(got.Attempts) != 4 || got.Error != "4 attempts failed; last: receiver answered 503" {
		t.Errorf("record %+v", got)
	}
	if w := clock.Waits(); !slices.Equal(w, []time.Duration{time.Second, 3 * time.Second, 5 * time.Second}) {
		t.Errorf("waits %v", w)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	other := newReceiver(t, nil)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
	})
	d := newDispatcher(t, webhooks.Config{Retry: webhooks.Retry{MaxAttempts: 2}})
	d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", 1, "pending"), webhooks.Chaos{})
	got := waitN(t, d, webhooks.Filter{}, 1)[0]
	if got.Status != webhooks.StatusFailed || got.Attempts[0].Status != 302 || !strings.Contains(got.Error, "not followed") {
		t.Errorf("record %+v", got)
	}
	if n := len(other.Requests()); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

func TestResponseBodyBounded(t *testing.T) {
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(strings.Repeat("x", 1<<20)))
	})
	d := newDispatcher(t, webhooks.Config{})
	d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", 1, "pending"), webhooks.Chaos{})
	a := waitN(t, d, webhooks.Filter{}, 1)[0].Attempts[0]
	if len(a.Response) != webhooks.DefaultResponseLimit || !a.Truncated {
		t.Errorf("kept %d bytes, truncated %v", len(a.Response), a.Truncated)
	}
}

func TestAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rc := newReceiver(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	d := newDispatcher(t, webhooks.Config{Timeout: 100 * time.Millisecond, Retry: webhooks.Retry{MaxAttempts: 1}})
	start := time.Now()
	d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", 1, "pending"), webhooks.Chaos{})
	got := waitN(t, d, webhooks.Filter{}, 1)[0]
	if got.Status != webhooks.StatusFailed || !strings.Contains(got.Attempts[0].Error, "no answer within 100ms") {
		t.Errorf("record %+v", got)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
}

func TestQueueFullDropsWithoutBlocking(t *testing.T) {
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	rc := newReceiver(t, func(_ int, _ http.ResponseWriter, _ *http.Request) {
		entered <- struct{}{}
		<-release
	})
	d := newDispatcher(t, webhooks.Config{Workers: 1, QueueSize: 1})
	tgt := webhooks.Target{Session: "s", URL: rc.URL}
	if _, err := d.Enqueue(tgt, refresh(t, 0, "mk_a", 1, "pending"), webhooks.Chaos{}); err != nil {
		t.Fatal(err)
	}
	<-entered // the worker is busy with the first
	if _, err := d.Enqueue(tgt, refresh(t, 0, "mk_a", 2, "pending"), webhooks.Chaos{}); err != nil {
		t.Fatal(err) // waits in the queue
	}
	start := time.Now()
	r, err := d.Enqueue(tgt, refresh(t, 0, "mk_a", 3, "pending"), webhooks.Chaos{})
	if time.Since(start) > 100*time.Millisecond {
		t.Error("Enqueue blocked")
	}
	if !errors.Is(err, webhooks.ErrQueueFull) || r.Status != webhooks.StatusDropped ||
		r.Error != "webhook queue full (capacity 1): delivery dropped" {
		t.Errorf("third: err %v, record %+v", err, r)
	}
	close(release)
	got := waitN(t, d, webhooks.Filter{}, 3)
	if st := []webhooks.Status{got[0].Status, got[1].Status, got[2].Status}; !slices.Equal(st,
		[]webhooks.Status{webhooks.StatusDelivered, webhooks.StatusDelivered, webhooks.StatusDropped}) {
		t.Errorf("statuses %v", st)
	}
}

func TestRotationSignsWithNewKey(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, webhooks.Config{Seed: 8})
	old := d.Keys().Current().KID()
	next, _ := webhooks.DeriveKey(8, "2")
	d.Keys().Rotate(next)
	d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 8, "mk_a", 1, "pending"), webhooks.Chaos{})
	waitN(t, d, webhooks.Filter{}, 1)
	req := rc.Requests()[0]
	kid, err := verify(d.Keys().JWKSJSON(), req.Header.Get("MoneyKit-Signature"), req.Body)
	if err != nil || kid != next.KID() || kid == old {
		t.Errorf("kid %q (old %q): %v", kid, old, err)
	}
	var set webhooks.JWKSet
	json.Unmarshal(d.Keys().JWKSJSON(), &set)
	if len(set.Keys) != 2 || set.Keys[1].KID != old {
		t.Errorf("jwks %s", d.Keys().JWKSJSON())
	}
}

// chaosRun sends a refresh's four events through a dispatcher with seed and
// chaos, and returns what the receiver got and the records.
func chaosRun(t *testing.T, seed uint64, c webhooks.Chaos) ([]received, []webhooks.Record, *webhooks.Dispatcher, *fakeClock) {
	t.Helper()
	rc := newReceiver(t, nil)
	clock := newFakeClock()
	d := newDispatcher(t, webhooks.Config{Seed: seed, Clock: clock})
	var ps []webhooks.Payload
	for i, st := range []string{"pending", "in_progress", "completed", "failed"} {
		ps = append(ps, refresh(t, seed, "mk_a", uint64(i+1), st))
	}
	recs, err := d.EnqueueBatch(webhooks.Target{Session: "s", URL: rc.URL}, ps, c)
	if err != nil {
		t.Fatal(err)
	}
	waitN(t, d, webhooks.Filter{}, len(recs))
	return rc.Requests(), d.List(webhooks.Filter{}), d, clock
}

func states(t *testing.T, reqs []received) []string {
	t.Helper()
	var out []string
	for _, r := range reqs {
		var b struct{ State string }
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.State)
	}
	return out
}

// sameRun checks that two runs sent exactly the same requests: bodies and
// headers, signatures included (the fake clock fixes iat).
func sameRun(t *testing.T, a, b []received) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("runs sent %d and %d requests", len(a), len(b))
	}
	for i := range a {
		if string(a[i].Body) != string(b[i].Body) {
			t.Errorf("request %d bodies differ", i)
		}
		for _, h := range []string{"MoneyKit-Signature", "MoneyKit-Delivery-Token", "MoneyKit-Delivery-Attempt"} {
			if a[i].Header.Get(h) != b[i].Header.Get(h) {
				t.Errorf("request %d: %s differs", i, h)
			}
		}
	}
}

func TestChaosNaturalOrder(t *testing.T) {
	reqs, _, _, _ := chaosRun(t, 1, webhooks.Chaos{})
	if got := states(t, reqs); !slices.Equal(got, []string{"pending", "in_progress", "completed", "failed"}) {
		t.Errorf("order %v", got)
	}
}

func TestChaosReorder(t *testing.T) {
	natural := []string{"pending", "in_progress", "completed", "failed"}
	for seed := uint64(1); seed <= 20; seed++ {
		a, _, _, _ := chaosRun(t, seed, webhooks.Chaos{Reorder: true})
		if got := states(t, a); slices.Equal(got, natural) || len(got) != 4 {
			t.Errorf("seed %d: order %v", seed, got)
		}
		if seed <= 2 {
			b, _, _, _ := chaosRun(t, seed, webhooks.Chaos{Reorder: true})
			sameRun(t, a, b)
			t.Logf("seed %d: %v", seed, states(t, a))
		}
	}
}

func TestChaosDuplicate(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, webhooks.Config{Seed: 4})
	p := refresh(t, 4, "mk_a", 1, "completed")
	r, err := d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, p, webhooks.Chaos{Duplicate: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := waitN(t, d, webhooks.Filter{}, 3)
	reqs := rc.Requests()
	if len(reqs) != 3 || len(got) != 3 {
		t.Fatalf("%d requests, %d records", len(reqs), len(got))
	}
	tokens := map[string]bool{}
	for i, req := range reqs {
		if string(req.Body) != string(p.Body) {
			t.Errorf("copy %d: body differs", i)
		}
		tokens[req.Header.Get("MoneyKit-Delivery-Token")] = true
	}
	if len(tokens) != 3 {
		t.Errorf("delivery tokens %v, want 3 distinct", tokens)
	}
	if got[0].ID != r.ID || got[1].DuplicateOf != r.ID || got[2].DuplicateOf != r.ID || got[0].DuplicateOf != "" {
		t.Errorf("records %+v", got)
	}
}

func TestChaosDrop(t *testing.T) {
	reqs, recs, _, _ := chaosRun(t, 1, webhooks.Chaos{Drop: []string{"in_progress", "failed"}})
	if got := states(t, reqs); !slices.Equal(got, []string{"pending", "completed"}) {
		t.Errorf("sent %v", got)
	}
	var dropped []string
	for _, r := range recs {
		if r.Status == webhooks.StatusDropped {
			dropped = append(dropped, r.State+": "+r.Error)
		}
	}
	if !slices.Equal(dropped, []string{"in_progress: dropped by scenario: state in_progress", "failed: dropped by scenario: state failed"}) {
		t.Errorf("dropped %v", dropped)
	}
	reqs, _, _, _ = chaosRun(t, 1, webhooks.Chaos{Drop: []string{"link.product_refresh"}})
	if len(reqs) != 0 {
		t.Errorf("event drop sent %d", len(reqs))
	}
}

func TestChaosDelay(t *testing.T) {
	_, recs, _, clock := chaosRun(t, 1, webhooks.Chaos{Delay: 3 * time.Second})
	for _, r := range recs {
		if r.Delay != 3*time.Second {
			t.Errorf("delay %v", r.Delay)
		}
	}
	if w := clock.Waits(); len(w) != 4 || w[0] != 3*time.Second {
		t.Errorf("waits %v", w)
	}
	c := webhooks.Chaos{Delay: time.Second, DelayMax: 10 * time.Second}
	reqsA, a, _, _ := chaosRun(t, 5, c)
	reqsB, b, _, _ := chaosRun(t, 5, c)
	_, other, _, _ := chaosRun(t, 6, c)
	distinct := map[time.Duration]bool{}
	for i := range a {
		if a[i].Delay < time.Second || a[i].Delay > 10*time.Second {
			t.Errorf("delay %v out of range", a[i].Delay)
		}
		if a[i].Delay != b[i].Delay {
			t.Errorf("same seed, delays %v and %v", a[i].Delay, b[i].Delay)
		}
		distinct[a[i].Delay] = true
		distinct[other[i].Delay] = true
	}
	if len(distinct) < 2 {
		t.Errorf("delays never vary: %v", distinct)
	}
	sameRun(t, reqsA, reqsB)
}

func TestChaosFailSignature(t *testing.T) {
	for _, mode := range []webhooks.SignMode{webhooks.SignWrongKey, webhooks.SignWrongHash} {
		reqs, _, d, _ := chaosRun(t, 1, webhooks.Chaos{FailSignature: mode})
		for _, req := range reqs {
			kid, err := verify(d.Keys().JWKSJSON(), req.Header.Get("MoneyKit-Signature"), req.Body)
			if err == nil || kid != d.Keys().Current().KID() {
				t.Errorf("%v: kid %q, err %v; want a rejected token naming the current kid", mode, kid, err)
			}
		}
		again, _, _, _ := chaosRun(t, 1, webhooks.Chaos{FailSignature: mode})
		sameRun(t, reqs, again)
	}
}

func TestSameSeedSameDeliveries(t *testing.T) {
	c := webhooks.Chaos{Reorder: true, Duplicate: 1, Delay: time.Second, DelayMax: 2 * time.Second, Drop: []string{"failed"}}
	a, ra, _, _ := chaosRun(t, 11, c)
	b, rb, _, _ := chaosRun(t, 11, c)
	sameRun(t, a, b)
	for i := range ra {
		if ra[i].ID != rb[i].ID || ra[i].Status != rb[i].Status || ra[i].Delay != rb[i].Delay || ra[i].DeliveryToken != rb[i].DeliveryToken {
			t.Errorf("record %d differs", i)
		}
	}
	c2, _, _, _ := chaosRun(t, 12, c)
	if slices.EqualFunc(a, c2, func(x, y received) bool { return string(x.Body) == string(y.Body) }) {
		t.Error("seeds 11 and 12 sent the same bodies")
	}
}

func TestStoreListFilterAndBounds(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n%2 == 0 {
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	d := newDispatcher(t, webhooks.Config{MaxPerSession: 3, Retry: webhooks.Retry{MaxAttempts: 1}, Workers: 1})
	for i := 1; i <= 5; i++ {
		d.Enqueue(webhooks.Target{Session: "a", URL: rc.URL}, refresh(t, 0, fmt.Sprintf("mk_%d", i%2), uint64(i), "pending"), webhooks.Chaos{})
		waitN(t, d, webhooks.Filter{Session: "a", Since: uint64(i - 1)}, 1) // one at a time: a fixed status pattern
	}
	d.Enqueue(webhooks.Target{Session: "b", URL: rc.URL}, refresh(t, 0, "mk_b", 1, "pending"), webhooks.Chaos{})
	waitN(t, d, webhooks.Filter{Session: "b"}, 1)

	ids := func(rs []webhooks.Record) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.ID)
		}
		return strings.Join(s, ",")
	}
	for name, tc := range map[string]struct {
		f    webhooks.Filter
		want string
	}{
		"session a keeps the newest 3": {webhooks.Filter{Session: "a"}, "whd_00000003,whd_00000004,whd_00000005"},
		"all sessions":                 {webhooks.Filter{}, "whd_00000003,whd_00000004,whd_00000005,whd_00000006"},
		"link":                         {webhooks.Filter{LinkID: "mk_1"}, "whd_00000003,whd_00000005"},
		"delivered":                    {webhooks.Filter{Session: "a", Status: webhooks.StatusDelivered}, "whd_00000003,whd_00000005"},
		"failed":                       {webhooks.Filter{Status: webhooks.StatusFailed}, "whd_00000004,whd_00000006"},
		"since":                        {webhooks.Filter{Since: 4}, "whd_00000005,whd_00000006"},
		"limit keeps newest":           {webhooks.Filter{Limit: 2}, "whd_00000005,whd_00000006"},
		"event":                        {webhooks.Filter{Event: webhooks.EventLinkStateChanged}, ""},
	} {
		if got := ids(d.List(tc.f)); got != tc.want {
			t.Errorf("%s: %s, want %s", name, got, tc.want)
		}
	}
	if n := d.Count(webhooks.Filter{Session: "a", Limit: 1}); n != 3 {
		t.Errorf("Count = %d", n)
	}
	if _, ok := d.Get("whd_00000001"); ok {
		t.Error("an evicted record is still there")
	}
	if r, ok := d.Get("whd_00000006"); !ok || r.Session != "b" {
		t.Errorf("Get: %+v %v", r, ok)
	}
	d.Reset("a")
	if got := ids(d.List(webhooks.Filter{})); got != "whd_00000006" {
		t.Errorf("after Reset(a): %s", got)
	}
	d.ResetAll()
	if n := d.Count(webhooks.Filter{}); n != 0 {
		t.Errorf("after ResetAll: %d", n)
	}
}

func TestStoreBytesBound(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, webhooks.Config{MaxSessionBytes: 3000, MaxTotalBytes: 4000, Workers: 1})
	for i := 1; i <= 10; i++ {
		d.Enqueue(webhooks.Target{Session: fmt.Sprint("s", i%2), URL: rc.URL}, refresh(t, 0, "mk_a", uint64(i), "pending"), webhooks.Chaos{})
	}
	waitN(t, d, webhooks.Filter{Since: 9}, 1)
	all := d.List(webhooks.Filter{})
	if len(all) == 0 || len(all) >= 10 || all[len(all)-1].ID != "whd_00000010" {
		t.Errorf("kept %d records, last %v", len(all), all[len(all)-1].ID)
	}
	for _, s := range []string{"s0", "s1"} {
		if d.Count(webhooks.Filter{Session: s}) == 0 {
			t.Errorf("session %s lost every record", s)
		}
	}
}

func TestRedeliver(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, webhooks.Config{})
	first, _ := d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", 1, "pending"), webhooks.Chaos{FailSignature: webhooks.SignWrongKey})
	waitN(t, d, webhooks.Filter{}, 1)
	again, err := d.Redeliver(first.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := waitN(t, d, webhooks.Filter{}, 2)
	if again.ID == first.ID || got[1].RedeliveryOf != first.ID || got[1].DeliveryToken == first.DeliveryToken ||
		got[1].IdempotencyKey != first.IdempotencyKey || string(got[1].Body) != string(got[0].Body) {
		t.Errorf("redelivery %+v", got[1])
	}
	reqs := rc.Requests()
	if _, err := verify(d.Keys().JWKSJSON(), reqs[1].Header.Get("MoneyKit-Signature"), reqs[1].Body); err != nil {
		t.Errorf("redelivery signature: %v", err)
	}
	if _, err := d.Redeliver("whd_nope"); err == nil {
		t.Error("Redeliver of an unknown ID: no error")
	}
}

func TestWaitBlocksUntilFinal(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(_ int, _ http.ResponseWriter, _ *http.Request) { <-release })
	d := newDispatcher(t, webhooks.Config{})
	done := make(chan []webhooks.Record)
	go func() {
		recs, _ := d.Wait(context.Background(), webhooks.Filter{Session: "s", Status: webhooks.StatusDelivered}, 2)
		done <- recs
	}()
	for i := 1; i <= 2; i++ {
		d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", uint64(i), "pending"), webhooks.Chaos{})
	}
	select {
	case <-done:
		t.Fatal("Wait returned before the deliveries ended")
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if recs, err := d.Wait(ctx, webhooks.Filter{Session: "s"}, 1); !errors.Is(err, context.DeadlineExceeded) || len(recs) != 0 {
		t.Errorf("Wait with a deadline: %v, %d records", err, len(recs))
	}
	close(release)
	select {
	case recs := <-done:
		if len(recs) != 2 {
			t.Errorf("Wait returned %d records", len(recs))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return")
	}
}

func TestCloseJoinsWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	entered := make(chan struct{}, 1)
	rc := newReceiver(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done()
	})
	failing := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
	ks, _ := webhooks.DeriveKeyset(1)
	d, err := webhooks.New(webhooks.Config{Keys: ks, Policy: &webhooks.Policy{AllowPrivate: true},
		Workers: 3, Clock: &stuckClock{fakeClock{now: t0}}})
	if err != nil {
		t.Fatal(err)
	}
	inFlight, _ := d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", 1, "pending"), webhooks.Chaos{})
	<-entered
	backoff, _ := d.Enqueue(webhooks.Target{Session: "s", URL: failing.URL}, refresh(t, 0, "mk_a", 2, "pending"), webhooks.Chaos{})
	delayed, _ := d.Enqueue(webhooks.Target{Session: "s", URL: failing.URL}, refresh(t, 0, "mk_a", 3, "pending"), webhooks.Chaos{Delay: time.Hour})
	// Let the second reach its backoff wait, which never ends.
	for wait := time.Now().Add(5 * time.Second); len(failing.Requests()) == 0; runtime.Gosched() {
		if time.Now().After(wait) {
			t.Fatal("the failing receiver got no request")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for id, want := range map[string]string{
		inFlight.ID: "failed",
		backoff.ID:  "failed",
		delayed.ID:  "dropped",
	} {
		r, _ := d.Get(id)
		if string(r.Status) != want || !strings.Contains(r.Error, "closed") {
			t.Errorf("%s: %s %q, want %s after close", id, r.Status, r.Error, want)
		}
	}
	if _, err := d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL}, refresh(t, 0, "mk_a", 4, "pending"), webhooks.Chaos{}); !errors.Is(err, webhooks.ErrClosed) {
		t.Errorf("Enqueue after Close: %v", err)
	}
	if err := d.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	rc.Close()
	failing.Close()
	// Idle connections and servers wind down asynchronously; give them a
	// bounded moment.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

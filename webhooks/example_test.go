package webhooks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

// Example shows the whole path the mock takes: a policy for where it
// listens, a keyset from the seed, a dispatcher, one payload, and a wait for
// its record.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"debug_handled":true}`))
	}))
	defer srv.Close()

	policy, _ := webhooks.NewPolicy("127.0.0.1:8080", nil)
	fmt.Println(policy.Describe())
	keys, _ := webhooks.DeriveKeyset(1)
	d, _ := webhooks.New(webhooks.Config{Keys: keys, Policy: policy, Seed: 1})
	defer d.Close(context.Background())

	now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	p, _ := webhooks.Builder{Seed: 1}.LinkStateChanged(
		webhooks.Base{LinkID: "mk_x", Seq: 1, Time: now}, "connected", "", "")
	if err := policy.ValidateURL(srv.URL); err != nil {
		fmt.Println(err)
		return
	}
	r, _ := d.Enqueue(webhooks.Target{Session: "default", URL: srv.URL}, p, webhooks.Chaos{})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, _ := d.Wait(ctx, webhooks.Filter{Session: "default"}, 1)
	fmt.Println(r.ID, recs[0].Status, recs[0].Attempts[0].Status)
	// Output:
	// webhook targets: public, loopback and private addresses
	// whd_00000001 delivered 200
}

package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// TestReloadNeverMixesSets replaces the scenario and persona set while a
// request is inside its scenario's delay, after the request has matched its
// entry and before its data is made. The request must be answered wholly
// from the set it started with (the persona's old name), and the next
// request wholly from the new one.
func TestReloadNeverMixesSets(t *testing.T) {
	load := func(name string) *scenarios.Set {
		t.Helper()
		set, err := scenarios.LoadWith(scenarios.Sources{
			ScenarioFiles: []scenarios.File{{Name: "s.yaml", Data: []byte("links:\n  mk_snap: {fixture: ada, delay: 1ms}\n")}},
			FixtureFiles:  []scenarios.File{{Name: "p.yaml", Data: []byte("personas:\n  ada:\n    owners:\n      - names: [" + name + "]\n")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	before, after := load("Ada One"), load("Ada Two")
	var srv *handlers.Server
	reloaded := false
	h := newServer(t, func(d *handlers.Deps) {
		d.Scenarios = before
		d.Config.Sleep = func(context.Context, time.Duration) error {
			if !reloaded {
				reloaded = true
				srv.SetScenarios(after) // a reload lands while the request waits
			}
			return nil
		}
	})
	srv = h.(*handlers.Server)
	for i, want := range []string{"Ada One", "Ada Two"} {
		rec := get(t, h, "/links/mk_snap/identity")
		if rec.Code != 200 {
			t.Fatalf("request %d: status %d: %s", i+1, rec.Code, rec.Body)
		}
		for _, name := range []string{"Ada One", "Ada Two"} {
			if got := strings.Contains(rec.Body.String(), `"names":["`+name+`"]`); got != (name == want) {
				t.Errorf("request %d: shows %s = %v, want only %s", i+1, name, got, want)
			}
		}
	}
	if !reloaded {
		t.Fatal("the reload never happened")
	}
}

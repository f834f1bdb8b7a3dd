package webhooks_test

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

func TestValidateURL(t *testing.T) {
	public := &webhooks.Policy{}
	private := &webhooks.Policy{AllowPrivate: true}
	for _, tc := range []struct {
		url             string
		public, private string // "" = accepted, else a substring of the error
	}{
		{"https://example.com/hook", "", ""},
		{"http://example.com:8080/hook?x=1", "", ""},
		{"https://8.8.8.8/hook", "", ""},
		{"http://localhost:9999/hook", "", ""}, // names are checked at dial time
		{"http://127.0.0.1:9999/hook", "loopback", ""},
		{"http://[::1]/hook", "loopback", ""},
		{"http://[::ffff:127.0.0.1]/hook", "loopback", ""},
		{"http://10.1.2.3/hook", "not public", ""},
		{"http://169.254.169.254/latest/meta-data", "not public", ""},
		{"http://100.64.0.1/", "not public", ""},
		{"http://0.0.0.0:80/", "not a unicast", "not a unicast"},
		{"http://224.0.0.1/", "not a unicast", "not a unicast"},
		{"", "empty", "empty"},
		{"ftp://example.com/", "http or https", "http or https"},
		{"example.com/hook", "http or https", "http or https"},
		{"https://user:pw@example.com/", "user name or password", "user name or password"},
		{"https:///hook", "no host", "no host"},
		{"https://example.com:0/", "bad port", "bad port"},
		{"https://example.com:99999/", "bad port", "bad port"},
		{"http://exa mple.com/", "not a valid url", "not a valid url"},
		{"https:example.com", "scheme://host", "scheme://host"},
		{"https://example.com/" + strings.Repeat("a", webhooks.MaxURLLength), "longer than", "longer than"},
	} {
		for _, c := range []struct {
			p    *webhooks.Policy
			want string
		}{{public, tc.public}, {private, tc.private}} {
			err := c.p.ValidateURL(tc.url)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("ValidateURL(%.60q) private=%v: %v", tc.url, c.p.AllowPrivate, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("ValidateURL(%.60q) private=%v: %v, want an error with %q", tc.url, c.p.AllowPrivate, err, c.want)
			}
		}
	}
}

func TestNewPolicy(t *testing.T) {
	for addr, private := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:8080": true, "[::1]:8080": true, "127.0.0.2:1": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "192.168.1.5:8080": false, "": false,
	} {
		p, err := webhooks.NewPolicy(addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.AllowPrivate != private {
			t.Errorf("NewPolicy(%q).AllowPrivate = %v", addr, p.AllowPrivate)
		}
	}
	p, err := webhooks.NewPolicy(":8080", []string{"hooks.internal", "10.0.0.0/8", " 192.168.1.7 ", ""})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Describe(); got != "webhook targets: public addresses only (loopback and private refused); "+
		"allowed hosts: hooks.internal; allowed ranges: 10.0.0.0/8, 192.168.1.7/32" {
		t.Errorf("Describe() = %q", got)
	}
	for u, ok := range map[string]bool{
		"http://10.9.9.9/": true, "http://192.168.1.7/": true, "http://192.168.1.8/": false,
		"http://hooks.internal/": true, "http://127.0.0.1/": false,
	} {
		if err := p.ValidateURL(u); (err == nil) != ok {
			t.Errorf("ValidateURL(%q) = %v", u, err)
		}
	}
	if _, err := webhooks.NewPolicy(":8080", []string{"10.0.0.0/99"}); err == nil {
		t.Error("a bad CIDR: no error")
	}
	lp, _ := webhooks.NewPolicy("127.0.0.1:0", nil)
	if !strings.Contains(lp.Describe(), "loopback and private addresses") {
		t.Errorf("Describe() = %q", lp.Describe())
	}
}

// FuzzValidateURL checks that ValidateURL never panics and that what it
// accepts is an absolute http(s) URL with a host, no user info, within the
// length bound, and, for an IP host, not loopback under the public policy.
func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"https://example.com/hook", "http://127.0.0.1:1/", "http://[::1]/",
		"https://u:p@x/", "http://[fe80::1%25eth0]/", "http://x:0/", "javascript:alert(1)", "http://%41/",
		"http://0x7f.1/", "http://2130706433/", "HTTP://EXAMPLE.COM"} {
		f.Add(s)
	}
	p := &webhooks.Policy{}
	f.Fuzz(func(t *testing.T, s string) {
		if p.ValidateURL(s) != nil {
			return
		}
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse: %v", s, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || len(s) > webhooks.MaxURLLength {
			t.Fatalf("accepted %q", s)
		}
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && (a.Unmap().IsLoopback() || a.Unmap().IsPrivate()) {
			t.Fatalf("accepted %q: a non-public address", s)
		}
	})
}

func TestDialRefusesNameResolvingToLoopback(t *testing.T) {
	rc := newReceiver(t, nil)
	port := rc.URL[strings.LastIndex(rc.URL, ":"):]
	d := newDispatcher(t, webhooks.Config{Policy: &webhooks.Policy{}, Retry: webhooks.Retry{MaxAttempts: 1}})

	// An IP literal is refused when the URL is checked.
	r, err := d.Enqueue(webhooks.Target{Session: "s", URL: rc.URL + "/hook"}, refresh(t, 1, "mk_a", 1, "pending"), webhooks.Chaos{})
	if !errors.Is(err, webhooks.ErrRefused) || r.Status != webhooks.StatusFailed {
		t.Errorf("loopback literal: err %v, status %s", err, r.Status)
	}
	// A name passes the URL check but is refused at dial, after DNS: the
	// same path a rebinding name would take.
	r, err = d.Enqueue(webhooks.Target{Session: "s", URL: "http://localhost" + port + "/hook"}, refresh(t, 1, "mk_a", 2, "pending"), webhooks.Chaos{})
	if err != nil {
		t.Fatal(err)
	}
	got := waitN(t, d, webhooks.Filter{Session: "s"}, 2)
	last := got[len(got)-1]
	if last.ID != r.ID || last.Status != webhooks.StatusFailed || !strings.Contains(last.Error, "loopback, refused by the webhook policy") {
		t.Errorf("localhost: %+v", last)
	}
	if n := len(rc.Requests()); n != 0 {
		t.Errorf("receiver got %d requests", n)
	}

	// The same name on the allow-list is dialled.
	allow := newDispatcher(t, webhooks.Config{Policy: &webhooks.Policy{AllowHosts: []string{"localhost"}}})
	allow.Enqueue(webhooks.Target{Session: "s", URL: "http://localhost" + port + "/hook"}, refresh(t, 1, "mk_a", 3, "pending"), webhooks.Chaos{})
	// And so is a loopback address in an allowed range.
	cidr, _ := webhooks.NewPolicy("0.0.0.0:80", []string{"127.0.0.0/8"})
	byRange := newDispatcher(t, webhooks.Config{Policy: cidr})
	byRange.Enqueue(webhooks.Target{Session: "s", URL: rc.URL + "/hook"}, refresh(t, 1, "mk_a", 4, "pending"), webhooks.Chaos{})
	for _, d := range []*webhooks.Dispatcher{allow, byRange} {
		if got := waitN(t, d, webhooks.Filter{}, 1); got[0].Status != webhooks.StatusDelivered {
			t.Errorf("allowed target: %+v", got[0])
		}
	}
}

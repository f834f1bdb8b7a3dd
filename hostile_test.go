package main

// Tests of hostile input and faults (issue 14), each through the real program
// on 127.0.0.1:0 and bounded in time.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// call makes one request with the headers given as name, value pairs and
// returns the status and the body.
func call(t *testing.T, method, url, body string, headers ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestClockRange checks that the clock accepts only instants from
// 1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z, from POST /_mock/clock
// (a 400 naming the field, the clock unmoved) and from --clock (exit 2).
func TestClockRange(t *testing.T) {
	p := startRun(t, "--clock", "2025-01-02T00:00:00Z")
	clock := p.base + "/_mock/clock"
	now := func() string {
		t.Helper()
		_, b := call(t, "GET", clock, "")
		var v struct{ Now string }
		json.Unmarshal([]byte(b), &v)
		return v.Now
	}
	for _, tc := range []struct {
		body  string
		code  int
		field string // the field a 400 names
		now   string // the clock afterwards
	}{
		{`{"now": "0000-01-01T00:00:00Z"}`, 400, `"location":["body","now"]`, "2025-01-02T00:00:00Z"},
		{`{"now": "0001-01-01T00:00:00Z"}`, 400, `"location":["body","now"]`, "2025-01-02T00:00:00Z"},
		{`{"now": "1969-12-31T23:59:59Z"}`, 400, `"location":["body","now"]`, "2025-01-02T00:00:00Z"},
		{`{"now": "9999-12-31T23:59:59Z"}`, 400, `"location":["body","now"]`, "2025-01-02T00:00:00Z"},
		{`{"now": "2262-01-01T00:00:00Z"}`, 400, `"location":["body","now"]`, "2025-01-02T00:00:00Z"},
		{`{"now": "1970-01-01T00:00:00Z"}`, 200, "", "1970-01-01T00:00:00Z"},
		{`{"advance": "-1s"}`, 400, `"location":["body","advance"]`, "1970-01-01T00:00:00Z"},
		{`{"now": "2261-12-31T23:59:59Z"}`, 200, "", "2261-12-31T23:59:59Z"},
		{`{"advance": "1s"}`, 400, `"location":["body","advance"]`, "2261-12-31T23:59:59Z"},
		{`{"now": "2025-01-02T00:00:00Z"}`, 200, "", "2025-01-02T00:00:00Z"},
		// The largest steps a duration holds (2562047h is 292 years): the
		// clock never wraps backwards, it refuses the step that would leave
		// the range.
		{`{"advance": "1000000h"}`, 200, "", "2139-01-31T16:00:00Z"},
		{`{"advance": "1000000h"}`, 200, "", "2253-03-01T08:00:00Z"},
		{`{"advance": "1000000h"}`, 400, `"location":["body","advance"]`, "2253-03-01T08:00:00Z"},
		{`{"advance": "2562047h47m16.854775807s"}`, 400, `"location":["body","advance"]`, "2253-03-01T08:00:00Z"},
		{`{"advance": "-2562047h47m16.854775808s"}`, 400, `"location":["body","advance"]`, "2253-03-01T08:00:00Z"},
		{`{"advance": "9999999h"}`, 400, `"location":["body","advance"]`, "2253-03-01T08:00:00Z"},
	} {
		code, b := call(t, "POST", clock, tc.body)
		if code != tc.code || !strings.Contains(b, tc.field) {
			t.Errorf("POST %s: %d %s, want %d naming %s", tc.body, code, b, tc.code, tc.field)
		}
		if tc.code == 400 && !strings.Contains(b, "1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z") && !strings.Contains(b, "duration") {
			t.Errorf("POST %s: the message does not say the range: %s", tc.body, b)
		}
		if got := now(); got != tc.now {
			t.Errorf("after POST %s the clock reads %s, want %s", tc.body, got, tc.now)
		}
	}

	// Bounded: a run that wrongly starts serving is stopped after 5s.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, v := range []string{"0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-01-01T00:00:00Z", "1969-12-31T23:59:59Z"} {
		err := run(ctx, []string{"--addr", "127.0.0.1:0", "--clock", v}, env(nil), io.Discard)
		var ee exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "outside the clock's range, 1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z") {
			t.Errorf("--clock %s: %v, want exit 2 naming the range", v, err)
		}
		err = run(ctx, []string{"--addr", "127.0.0.1:0"}, env(map[string]string{"MOCK_CLOCK": v}), io.Discard)
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "MOCK_CLOCK") {
			t.Errorf("MOCK_CLOCK=%s: %v, want exit 2 naming the variable", v, err)
		}
	}
}

// TestTokenExpiryAcrossTheRange issues a token at both ends of the clock's
// range and after 2106 (where a 4-byte expiry wrapped): it is valid at once,
// still valid a second before its hour is up, and expired after it.
func TestTokenExpiryAcrossTheRange(t *testing.T) {
	p := startRun(t, "--clock", "2025-01-02T00:00:00Z")
	for _, at := range []string{"1970-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "2106-02-07T06:28:15Z", "2107-01-01T00:00:00Z", "2261-12-31T22:00:00Z"} {
		if code, b := call(t, "POST", p.base+"/_mock/clock", `{"now": "`+at+`"}`); code != 200 {
			t.Fatalf("set the clock to %s: %d %s", at, code, b)
		}
		code, b := call(t, "POST", p.base+"/auth/token", "client_id=mock_client_id&client_secret=mock_client_secret",
			"Content-Type", "application/x-www-form-urlencoded")
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if code != 201 || json.Unmarshal([]byte(b), &tok) != nil {
			t.Fatalf("token at %s: %d %s", at, code, b)
		}
		identity := func() (int, string) {
			return call(t, "GET", p.base+"/links/mk_demo/identity", "", "Authorization", "Bearer "+tok.AccessToken)
		}
		if code, b := identity(); code != 200 {
			t.Errorf("a fresh token at %s: %d %s", at, code, b)
		}
		call(t, "POST", p.base+"/_mock/clock", `{"advance": "59m59s"}`)
		if code, b := identity(); code != 200 {
			t.Errorf("a token at %s, 59m59s later: %d %s", at, code, b)
		}
		call(t, "POST", p.base+"/_mock/clock", `{"advance": "1s"}`)
		if code, b := identity(); code != 401 || !strings.Contains(b, "api_error.auth.expired_access_token") {
			t.Errorf("a token at %s, 1h later: %d %s, want 401 expired", at, code, b)
		}
	}
}

// TestSecretsAreNeverKept sends a secret in every place a client could put
// one (Authorization, Proxy-Authorization, X-Client-Secret, headers named
// like secrets, a cookie, the query of data routes and of POST /auth/token,
// its form body and its Basic auth) and then searches every output for it:
// GET /_mock/requests and the log, in text and in JSON.
func TestSecretsAreNeverKept(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			p := startRun(t, "--log-format", format)
			const secret = "hush-7f3a9c" // never the mock's own credentials, which start-up logs on purpose
			n := 0
			s := func() string { n++; return secret + "-" + string(rune('a'+n)) }
			data := p.base + "/links/mk_demo/identity?account_ids=acc_x&client_secret=" + s() + "&access_token=" + s() +
				"&api_key=" + s() + "&password=" + s() + "&Client%5FSecret=" + s()
			if code, b := call(t, "GET", data, "", "Authorization", "Bearer sandbox-token", "X-Client-Secret", s(),
				"X-Api-Key", s(), "X-Upstream-Secret-Thing", s(), "Cookie", "session="+s(), "Proxy-Authorization", "Basic "+s(),
				"X-Refresh-Token", s(), "X-Password", s()); code != 200 {
				t.Fatalf("GET identity: %d %s", code, b)
			}
			if code, _ := call(t, "GET", p.base+"/links/mk_demo?token="+s(), "", "Authorization", "Bearer "+s()); code != 401 {
				t.Errorf("a bad bearer token: %d, want 401", code)
			}
			form := "grant_type=client_credentials&client_id=mock_client_id&client_secret=" + s() + "&password=" + s()
			if code, _ := call(t, "POST", p.base+"/auth/token?client_secret="+s()+"&client_id=mock_client_id", form,
				"Content-Type", "application/x-www-form-urlencoded"); code != 401 {
				t.Errorf("a bad form secret: %d, want 401", code)
			}
			req, _ := http.NewRequest("POST", p.base+"/auth/token?access_token="+s(), strings.NewReader("grant_type=client_credentials"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("mock_client_id", s())
			if resp, err := http.DefaultClient.Do(req); err != nil {
				t.Fatal(err)
			} else {
				resp.Body.Close()
			}
			if code, _ := call(t, "POST", p.base+"/links/mk_demo/products?api_key="+s(), `{"products": ["identity"]}`,
				"Authorization", "Bearer sandbox-token", "Content-Type", "application/json", "X-Client-Secret", s()); code != 202 {
				t.Errorf("refresh: %d, want 202", code)
			}

			code, journal := call(t, "GET", p.base+"/_mock/requests?session=*", "")
			if code != 200 || !strings.Contains(journal, `"account_ids":["acc_x"]`) || !strings.Contains(journal, `"client_secret":["[redacted]"]`) {
				t.Fatalf("journal: %d %s", code, journal)
			}
			if strings.Contains(journal, secret) {
				t.Errorf("GET /_mock/requests shows a secret:\n%s", journal)
			}
			for _, want := range []string{`"Authorization":"Bearer [redacted]"`, `"X-Api-Key":"[redacted]"`, `"Proxy-Authorization":"Basic [redacted]"`,
				`"X-Upstream-Secret-Thing":"[redacted]"`, `"Authorization":"Basic [redacted]"`} {
				if !strings.Contains(journal, want) {
					t.Errorf("the journal lacks %s:\n%s", want, journal)
				}
			}
			if err := p.stop(); err != nil {
				t.Fatal(err)
			}
			logs := p.logs.String()
			if !strings.Contains(logs, "/links/mk_demo/identity") || !strings.Contains(logs, "/auth/token") {
				t.Fatalf("the requests were not logged:\n%s", logs)
			}
			if strings.Contains(logs, secret) {
				t.Errorf("the %s log shows a secret:\n%s", format, logs)
			}
		})
	}
}

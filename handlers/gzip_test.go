package handlers_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

// TestGzip checks that a client accepting gzip gets the very bytes a client
// that does not gets, compressed, with the right headers, on every GET link
// route and its cached, shaped, filtered and refreshing forms; and that
// "gzip;q=0" is a refusal.
func TestGzip(t *testing.T) {
	h := newServer(t, nil)
	auth := "Bearer " + staticToken
	var paths []string
	for i := range 50 {
		paths = append(paths, fmt.Sprintf("/links/mk_gz_%d/identity", i), fmt.Sprintf("/links/mk_gz_%d", i))
	}
	paths = append(paths, "/links/mk_big/identity", "/links/mk_link_error", "/links/mk_no_accounts/identity",
		"/links/mk_gz_0/identity?account_ids=nope", "/links/mk_deleted/identity")
	var accounts struct {
		Accounts []struct {
			AccountID string `json:"account_id"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(get(t, h, "/links/mk_gz_0/accounts").Body.Bytes(), &accounts); err != nil || len(accounts.Accounts) == 0 {
		t.Fatalf("accounts of mk_gz_0: %v", err)
	}
	first := accounts.Accounts[0].AccountID
	for i := range 5 {
		paths = append(paths, fmt.Sprintf("/links/mk_gz_%d/accounts", i), fmt.Sprintf("/links/mk_gz_%d/accounts/numbers", i))
	}
	paths = append(paths, "/links/mk_gz_0/accounts/"+first, "/links/mk_gz_0/accounts?account_ids="+first,
		"/links/mk_gz_0/accounts/numbers?account_ids="+first, "/links/mk_gz_0/accounts/acc_nope", "/links/mk_deleted/accounts")
	for _, path := range paths {
		for round := range 2 { // the second round is served from the cache
			plain := do(t, h, request{path: path, header: map[string]string{"Authorization": auth}})
			for _, ae := range []string{"gzip", "br, gzip;q=0.5", "*"} {
				zipped := do(t, h, request{path: path, header: map[string]string{"Authorization": auth, "Accept-Encoding": ae}})
				name := fmt.Sprintf("%s (round %d, Accept-Encoding %q)", path, round, ae)
				if zipped.Code != plain.Code {
					t.Fatalf("%s: status %d, plain %d", name, zipped.Code, plain.Code)
				}
				if got := zipped.Header().Get("Vary"); got != "Accept-Encoding" {
					t.Errorf("%s: Vary = %q", name, got)
				}
				if got := plain.Header().Get("Vary"); got != "Accept-Encoding" {
					t.Errorf("%s: plain Vary = %q", name, got)
				}
				if plain.Code != http.StatusOK {
					continue // error envelopes are small and sent as they are
				}
				if got := zipped.Header().Get("Content-Encoding"); got != "gzip" {
					t.Fatalf("%s: Content-Encoding = %q", name, got)
				}
				if got, want := zipped.Header().Get("Content-Length"), fmt.Sprint(zipped.Body.Len()); got != want {
					t.Errorf("%s: Content-Length = %s, body %s bytes", name, got, want)
				}
				if got := gunzip(t, zipped.Body.Bytes()); !bytes.Equal(got, plain.Body.Bytes()) {
					t.Fatalf("%s: gunzipped body differs from the plain one", name)
				}
			}
			if got := plain.Header().Get("Content-Encoding"); got != "" {
				t.Errorf("%s: a plain answer has Content-Encoding %q", path, got)
			}
			refused := do(t, h, request{path: path, header: map[string]string{"Authorization": auth, "Accept-Encoding": "gzip;q=0, br"}})
			if refused.Header().Get("Content-Encoding") != "" || !bytes.Equal(refused.Body.Bytes(), plain.Body.Bytes()) {
				t.Errorf("%s: gzip;q=0 still got a gzip answer", path)
			}
		}
	}
	// A link in the middle of a refresh is made for each request.
	do(t, h, request{method: "POST", path: "/links/mk_gz_1/products", body: `{"products":["identity"]}`, header: map[string]string{"Authorization": auth}})
	plain := get(t, h, "/links/mk_gz_1/identity")
	zipped := do(t, h, request{path: "/links/mk_gz_1/identity", header: map[string]string{"Authorization": auth, "Accept-Encoding": "gzip"}})
	if got := gunzip(t, zipped.Body.Bytes()); !bytes.Equal(got, plain.Body.Bytes()) {
		t.Errorf("refreshing link: gunzipped body differs from the plain one")
	}
}

// TestHead checks HEAD on every GET route through a real net/http server:
// the status and headers GET has (Content-Length included), and no body;
// and that a 405 lists HEAD where it lists GET.
func TestHead(t *testing.T) {
	srv := httptest.NewServer(newServer(t, nil))
	defer srv.Close()
	send := func(method, path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+staticToken)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		tr := &http.Transport{DisableCompression: true}
		defer tr.CloseIdleConnections()
		res, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	for _, path := range []string{"/links/mk_demo/identity", "/links/mk_demo", "/links/mk_deleted/identity", "/_mock/scenarios", "/_mock/clock", "/_mock/requests", "/nope"} {
		for _, hdr := range []map[string]string{nil, {"Accept-Encoding": "gzip"}} {
			g, gb := send("GET", path, hdr)
			hd, hb := send("HEAD", path, hdr)
			name := fmt.Sprintf("HEAD %s %v", path, hdr)
			if hd.StatusCode != g.StatusCode {
				t.Errorf("%s: status %d, GET %d", name, hd.StatusCode, g.StatusCode)
			}
			if len(hb) != 0 {
				t.Errorf("%s: a body of %d bytes", name, len(hb))
			}
			if g.StatusCode == http.StatusOK && g.Header.Get("Content-Length") != fmt.Sprint(len(gb)) {
				t.Errorf("GET %s: Content-Length %s, body %d", path, g.Header.Get("Content-Length"), len(gb))
			}
			for k := range g.Header {
				if k == "Date" || k == "X-Request-Id" {
					continue
				}
				if got, want := hd.Header.Values(k), g.Header.Values(k); !slices.Equal(got, want) {
					t.Errorf("%s: %s = %q, GET has %q", name, k, got, want)
				}
			}
			for k := range hd.Header {
				if _, ok := g.Header[k]; !ok {
					t.Errorf("%s: header %s that GET does not have", name, k)
				}
			}
		}
	}
	res, _ := send("HEAD", "/links/mk_demo/products", nil)
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST, OPTIONS" {
		t.Errorf("HEAD on a POST route: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

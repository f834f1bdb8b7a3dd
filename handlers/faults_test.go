package handlers_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// faultServer serves set (nil: the embedded catalogue) on 127.0.0.1:0, with
// a sleep that only records.
func faultServer(t *testing.T, set *scenarios.Set) (*httptest.Server, *handlers.Server, *sleeps) {
	t.Helper()
	h, _, sl := scenarioServer(t, set)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h, sl
}

// rawGet sends one GET on a fresh connection and returns every byte the
// server sent before it closed, and the read error (nil for a clean close).
func rawGet(t *testing.T, srv *httptest.Server, path string) ([]byte, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second)) // a bound, not a timing assertion
	req := "GET " + path + " HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer " + staticToken + "\r\nX-Request-Id: req_fault\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server neither answered nor closed: %q", b)
	}
	return b, err
}

var garbageBytes = regexp.MustCompile(`^[a-z0-9\]\[';./]{36}$`)

// TestFaultsOnTheWire asserts the bytes each fault of the catalogue puts on
// the wire.
func TestFaultsOnTheWire(t *testing.T) {
	srv, _, _ := faultServer(t, nil)

	t.Run("empty", func(t *testing.T) {
		b, err := rawGet(t, srv, "/links/mk_fault_empty/identity")
		if len(b) != 0 || err != nil {
			t.Errorf("got %q, %v; want no byte and a clean close (FIN)", b, err)
		}
	})
	t.Run("reset", func(t *testing.T) {
		b, err := rawGet(t, srv, "/links/mk_fault_reset_x/identity")
		if len(b) != 0 || !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("got %q, %v; want no byte and ECONNRESET (RST)", b, err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		b, err := rawGet(t, srv, "/links/mk_fault_garbage/identity")
		if err != nil || !garbageBytes.Match(b) {
			t.Errorf("got %q, %v; want 36 bytes of garbage and a clean close", b, err)
		}
		// The same seed, link and call give the same bytes; the next call others.
		srv2, _, _ := faultServer(t, nil)
		b2, _ := rawGet(t, srv2, "/links/mk_fault_garbage/identity")
		b3, _ := rawGet(t, srv2, "/links/mk_fault_garbage/identity")
		if !bytes.Equal(b, b2) || bytes.Equal(b2, b3) {
			t.Errorf("garbage not reproducible from the seed: %q, %q, then %q", b, b2, b3)
		}
	})
	t.Run("malformed_chunk", func(t *testing.T) {
		b, err := rawGet(t, srv, "/links/mk_fault_malformed_chunk/identity")
		head, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
		if err != nil || !ok {
			t.Fatalf("got %q, %v; want a head, then garbage", b, err)
		}
		if !bytes.HasPrefix(head, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.Contains(head, []byte("\r\nTransfer-Encoding: chunked")) ||
			!bytes.Contains(head, []byte("\r\nX-Request-Id: req_fault")) {
			t.Errorf("head = %q, want 200, chunked and the request ID", head)
		}
		if !garbageBytes.Match(body) {
			t.Errorf("body = %q, want 36 bytes of garbage where a chunk size belongs", body)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		b, err := rawGet(t, srv, "/links/mk_fault_truncated/identity")
		resp, rerr := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
		if err != nil || rerr != nil {
			t.Fatalf("got %q, %v, %v", b, err, rerr)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.ContentLength <= int64(len(body)) || !bytes.HasPrefix(body, []byte(`{"link_id":"mk_fault_truncated",`)) {
			t.Errorf("status %d, Content-Length %d, body %q; want 200 and fewer bytes than promised", resp.StatusCode, resp.ContentLength, body)
		}
	})
}

// TestFaultsToGoClient asserts the error net/http's client returns for each
// fault, on a fresh connection (a reused one makes Transport retry a GET
// whose connection died before any byte, once: see the README).
func TestFaultsToGoClient(t *testing.T) {
	srv, _, _ := faultServer(t, nil)
	get := func(t *testing.T, id string) (*http.Response, error) {
		t.Helper()
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		req, _ := http.NewRequest("GET", srv.URL+"/links/"+id+"/identity", nil)
		req.Header.Set("Authorization", "Bearer "+staticToken)
		return c.Do(req)
	}
	for _, tc := range []struct {
		id   string
		want func(error) bool
		text string
	}{
		{"mk_fault_empty", func(err error) bool { return errors.Is(err, io.EOF) }, "EOF"},
		{"mk_fault_reset", func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }, "connection reset by peer"},
		{"mk_fault_garbage", func(err error) bool { return strings.Contains(err.Error(), "malformed HTTP response") }, "malformed HTTP response"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			resp, err := get(t, tc.id)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("status %d, want an error", resp.StatusCode)
			}
			if !tc.want(err) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %v, want %s", err, tc.text)
			}
		})
	}
	for _, tc := range []struct{ id, text string }{
		{"mk_fault_malformed_chunk", "unexpected EOF"}, // no CRLF ends the chunk-size line
		{"mk_fault_truncated", "unexpected EOF"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			resp, err := get(t, tc.id)
			if err != nil {
				t.Fatalf("err = %v, want the status first", err)
			}
			defer resp.Body.Close()
			_, err = io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || err == nil || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("status %d, body read error %v; want 200, then %s", resp.StatusCode, err, tc.text)
			}
			if tc.id == "mk_fault_truncated" && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want io.ErrUnexpectedEOF", err)
			}
		})
	}
}

// TestDribble: the real body, in 5 slices after a pause each of over/5.
func TestDribble(t *testing.T) {
	srv, _, sl := faultServer(t, nil)
	c := &http.Client{Timeout: 5 * time.Second}
	body := func(id string) []byte {
		req, _ := http.NewRequest("GET", srv.URL+"/links/"+id+"/identity", nil)
		req.Header.Set("Authorization", "Bearer "+staticToken)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		return b
	}
	b := body("mk_dribble")
	got := sl.take()
	if want := slices.Repeat([]time.Duration{200 * time.Millisecond}, 5); !slices.Equal(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
	// On the wire: one ordinary answer with its Content-Length, the same
	// bytes as without the dribble's pauses.
	raw, err := rawGet(t, srv, "/links/mk_dribble/identity")
	head, rawBody, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if err != nil || !bytes.HasPrefix(head, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.Contains(head, []byte("\r\nContent-Length: "+strconv.Itoa(len(b)))) || !bytes.Equal(rawBody, b) {
		t.Errorf("raw answer %q, %v; want 200 with the body's Content-Length and the same body", head, err)
	}
	var v struct {
		Link struct {
			LinkID string `json:"link_id"`
		} `json:"link"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Link.LinkID != "mk_dribble" {
		t.Errorf("body = %.80q (%v), want the link's identity", b, err)
	}
}

// TestFaultsCount: a fault follows every, after and times as an error does,
// and the journal records the broken calls with status 0 and the scenario.
func TestFaultsCount(t *testing.T) {
	set := loadScenarios(t, "links:\n  mk_c: {fault: empty, every: 2, after: 1, times: 2}\n  mk_d: {dribble: {chunks: 2, over: 1s}, times: 1}\n")
	srv, h, sl := faultServer(t, set)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	call := func(id string) string {
		req, _ := http.NewRequest("GET", srv.URL+"/links/"+id+"/identity", nil)
		req.Header.Set("Authorization", "Bearer "+staticToken)
		resp, err := c.Do(req)
		if err != nil {
			return "F"
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return "."
	}
	var got string
	for range 8 {
		got += call("mk_c")
	}
	// every: 2, after: 1, times: 2: calls 3 and 5, as the error table says.
	if want := "..F.F..."; got != want {
		t.Errorf("calls 1..8 = %s, want %s", got, want)
	}
	call("mk_d")
	call("mk_d")
	if got := len(sl.take()); got != 2 {
		t.Errorf("dribble with times: 1 slept %d times over two calls, want 2 (one call)", got)
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/_mock/requests?link=mk_c&status=200", nil))
	var ok struct{ Requests []json.RawMessage }
	json.Unmarshal(rec.Body.Bytes(), &ok)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/_mock/requests?link=mk_c", nil))
	var all struct {
		Requests []struct {
			Status   int    `json:"status"`
			Scenario string `json:"scenario"`
		}
	}
	json.Unmarshal(rec.Body.Bytes(), &all)
	var statuses []int
	for _, r := range all.Requests {
		statuses = append(statuses, r.Status)
		if r.Scenario != "mk_c" {
			t.Errorf("scenario = %q, want mk_c", r.Scenario)
		}
	}
	if want := []int{200, 200, 0, 200, 0, 200, 200, 200}; !slices.Equal(statuses, want) || len(ok.Requests) != 6 {
		t.Errorf("journal statuses = %v, want %v", statuses, want)
	}
}

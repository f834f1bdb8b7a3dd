package main

// Protocol edges through the real program, on raw loopback sockets.

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rawExchange writes req on a new connection, shuts the write side when
// halfClose is set, and returns everything the server wrote until it closed
// the connection, or until wait passed (then "<open>" is appended).
func rawExchange(t *testing.T, base, req string, halfClose bool, wait time.Duration) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	if halfClose {
		conn.(*net.TCPConn).CloseWrite()
	}
	conn.SetReadDeadline(time.Now().Add(wait))
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return string(b) + "<open>"
	}
	return string(b)
}

// TestInvalidPutHalfClosed sends invalid PUT /_mock/scenarios/... requests
// and shuts the write side at once, with whole bodies and with bodies that
// end before their Content-Length. Every one is a 400 in MoneyKit's
// envelope: net/http cancels the request's context as soon as it reads the
// end of the stream, and that once made the entry log 499 and write nothing,
// which net/http sent as 200 with an empty body.
func TestInvalidPutHalfClosed(t *testing.T) {
	p := startRun(t)
	bodies := []string{`{"error":"nope"}`, `{"evry":3}`, `not json`, ``, `{"error": "deleted", "every": -1}`,
		strings.Repeat("x", 70_000), `{"error":"deleted"`, `[]`, `null`}
	for _, body := range bodies {
		for _, short := range []int{0, 10} { // bytes missing from the body
			req := fmt.Sprintf("PUT /_mock/scenarios/mk_x HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body)+short, body)
			got := rawExchange(t, p.base, req, true, 5*time.Second)
			if !strings.HasPrefix(got, "HTTP/1.1 400 ") || !strings.Contains(got, `"error_code":"api_error.request.validation_failed"`) {
				t.Errorf("body %.20q, %d bytes short: %.300q, want 400 validation_failed", body, short, got)
			}
		}
	}
	// A whole valid entry, half-closed, is still a 200 with the entry.
	body := `{"error": "deleted"}`
	got := rawExchange(t, p.base, fmt.Sprintf("PUT /_mock/scenarios/mk_x HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body), true, 5*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 200 ") || !strings.Contains(got, `"pattern":"mk_x"`) {
		t.Errorf("a valid entry, half-closed: %.300q", got)
	}
}

// TestHalfClosedDelayIsNotA200 half-closes during a scenario delay: net/http
// takes that for a client that left, so the delay ends and the request is
// logged 499; the connection is closed with no answer rather than a made-up
// "200 OK" with an empty body.
func TestHalfClosedDelayIsNotA200(t *testing.T) {
	file := t.TempDir() + "/s.yaml"
	writeFile(t, file, "links:\n  mk_wait:\n    delay: 30s\n")
	p := startRun(t, "--scenarios", file)
	got := rawExchange(t, p.base, "GET /links/mk_wait/identity HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-token\r\n\r\n", true, 10*time.Second)
	if got != "" {
		t.Errorf("got %.300q, want the connection closed with no answer", got)
	}
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(p.logs.String(), "status=499"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no 499 in the log:\n%s", p.logs.String())
		}
	}
}

// TestTransferEncodingAndContentLength sends a chunked request that also has
// a Content-Length, followed by the bytes of a second request. The first is
// answered with Connection: close and the connection closed (RFC 9112
// §6.1), so the second is never served.
func TestTransferEncodingAndContentLength(t *testing.T) {
	p := startRun(t)
	smuggled := "GET /links/mk_demo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-token\r\n\r\n"
	for _, tc := range []struct{ name, req string }{
		{"token", "POST /auth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n0\r\n\r\n"},
		{"content-length first", "POST /links/mk_demo/products HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer sandbox-token\r\n\r\n0\r\n\r\n"},
		{"not found", "POST /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rawExchange(t, p.base, tc.req+smuggled, false, 5*time.Second)
			if strings.HasSuffix(got, "<open>") {
				t.Errorf("the connection stayed open: %.400q", got)
			}
			if n := strings.Count(got, "HTTP/1.1 "); n != 1 {
				t.Errorf("%d answers, want 1 (the bytes after the body were served as a request): %.600q", n, got)
			}
			if !strings.Contains(got, "\r\nConnection: close\r\n") || !strings.Contains(got, `"error_code":"`) {
				t.Errorf("want an envelope with Connection: close: %.400q", got)
			}
		})
	}
}

// TestConnect checks that CONNECT gets a 405 in MoneyKit's envelope, not a
// redirect to //example.com:443/.
func TestConnect(t *testing.T) {
	p := startRun(t)
	got := rawExchange(t, p.base, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", false, 5*time.Second)
	for _, want := range []string{"HTTP/1.1 405 Method Not Allowed\r\n", "\r\nAllow: GET, POST, PUT, DELETE, OPTIONS\r\n", "\r\nConnection: close\r\n",
		`"error_code":"api_error.request.method_not_allowed"`, "CONNECT is not supported"} {
		if !strings.Contains(got, want) {
			t.Errorf("CONNECT answer lacks %q: %.400q", want, got)
		}
	}
	if strings.Contains(got, "Location") || strings.HasSuffix(got, "<open>") {
		t.Errorf("CONNECT: %.400q", got)
	}
}

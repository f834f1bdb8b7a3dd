package handlers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
)

// smallBuffers makes a socket's kernel buffers as small as Linux allows, so a
// test fills them with a few kilobytes instead of megabytes.
func smallBuffers(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		if serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4096); serr == nil {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// TestRequestStreamDropsSlowClients: a client that does not read is dropped
// once a write blocks for the write timeout, instead of being buffered for.
// (Linux only for the socket options; the stream itself is not.)
func TestRequestStreamDropsSlowClients(t *testing.T) {
	old := streamWriteTimeout.Swap(int64(100 * time.Millisecond))
	defer streamWriteTimeout.Store(old)

	s := New(Deps{Config: config.Config{Seed: 1, StaticToken: "tok"}})
	done := make(chan struct{}, 1)
	ln, err := (&net.ListenConfig{Control: smallBuffers}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r)
		done <- struct{}{}
	}))
	srv.Listener.Close()
	srv.Listener = ln // accepted connections inherit its buffer sizes
	srv.Start()
	defer srv.Close()

	// 200 entries of 4 KiB of headers: 800 KiB, far more than the buffers hold.
	pad := strings.Repeat("x", 4<<10)
	for i := 0; i < 200; i++ {
		r := httptest.NewRequest(http.MethodGet, "/links/mk_big/identity", nil)
		r.Header.Set("X-Pad", pad)
		s.ServeHTTP(httptest.NewRecorder(), r)
	}
	conn, err := (&net.Dialer{Control: smallBuffers}).Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /_mock/requests/stream HTTP/1.1\r\nHost: x\r\n\r\n")
	select { // never reading
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a client that does not read was not dropped")
	}
}

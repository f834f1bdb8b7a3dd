package handlers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
)

// benchLive serves h on 127.0.0.1 with net/http's real server and sends
// pre-formatted keep-alive requests over one raw connection, reading each
// answer into a reused buffer. So allocs/op counts what the server process
// allocates per request (net/http's own share included), as a live mock
// sees it, and almost nothing of the client's.
func benchLive(b *testing.B, h http.Handler, paths []string, extra string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	reqs := make([][]byte, len(paths))
	for i, p := range paths {
		reqs[i] = fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer %s\r\nMoneyKit-Version: 2023-02-18\r\n%s\r\n", p, staticToken, extra)
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	buf := make([]byte, 64<<10)
	roundTrip := func(req []byte) {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		n := -1
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if len(line) <= 2 {
				break
			}
			if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
				n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
			}
		}
		if n < 0 {
			b.Fatal("no Content-Length")
		}
		if _, err := io.ReadFull(br, buf[:n]); err != nil {
			b.Fatal(err)
		}
	}
	for _, r := range reqs {
		roundTrip(r) // warm the cache
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		roundTrip(reqs[i%len(reqs)])
		i++
	}
}

// BenchmarkLiveIdentity is the warm hot path through a real net/http server:
// 10,000 cached links.
func BenchmarkLiveIdentity(b *testing.B) {
	benchLive(b, newServer(b, nil), benchIDs, "")
}

// BenchmarkLiveBare is the floor through the same server: a handler writing
// one precomputed body.
func BenchmarkLiveBare(b *testing.B) {
	body := get(b, newServer(b, nil), benchIDs[0]).Body.Bytes()
	cl := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Header()["Content-Length"] = []string{cl}
		w.Write(body)
	})
	benchLive(b, h, benchIDs, "")
}

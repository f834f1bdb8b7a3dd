// Command rate is an open-loop, fixed-rate HTTP load generator for loopback
// servers, in the manner of wrk2.
//
// Request i is due at start + i/rate whether or not earlier requests have been
// answered. Its latency is measured from that intended send time, not from
// when it was actually written, so a server that stalls is charged for every
// request that had to wait behind the stall (coordinated omission corrected).
// Due requests go to whichever of the -conns persistent keep-alive
// connections is free; when all are busy they wait in order, and the wait
// counts in their latency. Nothing is dropped: a request that has not been
// answered when the run ends is reported as unfinished.
//
// Each connection is one goroutine with a raw net.Conn and a minimal
// HTTP/1.1 client: the requests are formatted once, bodies are skipped
// without copying, and latencies go to a fixed log-linear histogram with
// atomic counters, so the generator allocates nothing per request and leaves
// as much CPU as possible to the server it shares the machine with.
//
// Only loopback targets are accepted (127.0.0.0/8, ::1, localhost); any other
// host is refused with exit status 2. After a completed run the exit status is
// 0 whatever the figures are: this is a measurement tool, not a gate. The last
// line of the output is PASS (p99 < -p99 with no errors, non-2xx or
// unfinished requests) or FAIL.
//
// Usage:
//
//	rate -url-template 'http://127.0.0.1:18080/links/mk_load_%05d/identity' -rate 5000 -duration 10s
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	maxDuration  = 120 * time.Second // hard cap on -duration
	maxWarmup    = 60 * time.Second
	drainTimeout = 5 * time.Second // after the last intended send time
	maxIDs       = 100_000         // requests are preformatted, one per ID
	maxConns     = 1000
	maxRate      = 1_000_000
)

var defaultHeaders = []string{
	"Authorization: Bearer sandbox-token",
	"MoneyKit-Version: 2023-02-18",
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// headerFlag is a repeatable -header "K: V" flag.
type headerFlag []string

func (h *headerFlag) String() string { return strings.Join(*h, "; ") }
func (h *headerFlag) Set(v string) error {
	*h = append(*h, v)
	return nil
}

type config struct {
	urlTemplate string
	ids         int
	rate        float64
	duration    time.Duration
	warmup      time.Duration
	conns       int
	headers     []string
	p99         time.Duration
}

// run parses args, runs the measurement and prints the report. It returns
// the process exit status: 2 for bad flags or a refused target, 1 when no
// connection could be opened before the start, 0 after a completed run.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var headers headerFlag
	fs.StringVar(&cfg.urlTemplate, "url-template", "http://127.0.0.1:8080/links/mk_load_%05d/identity",
		"request URL with one integer verb (e.g. %05d) for the ID number; loopback hosts only")
	fs.IntVar(&cfg.ids, "ids", 10000, fmt.Sprintf("distinct IDs to rotate through (1..%d)", maxIDs))
	fs.Float64Var(&cfg.rate, "rate", 5000, "intended requests per second")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured duration (at most 2m)")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "unrecorded warm-up at the same rate before the measured part")
	fs.IntVar(&cfg.conns, "conns", 50, "persistent keep-alive connections")
	fs.Var(&headers, "header", `request header "K: V", repeatable; when given, replaces the defaults (`+
		strings.Join(defaultHeaders, ", ")+`)`)
	fs.DurationVar(&cfg.p99, "p99", 2*time.Millisecond, "PASS when p99 is under this (and nothing failed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "rate: unexpected arguments: %q\n", fs.Args())
		return 2
	}
	cfg.headers = defaultHeaders
	if len(headers) > 0 {
		cfg.headers = headers
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "rate: %v\n", err)
		return 2
	}
	tgt, err := buildTarget(cfg.urlTemplate, cfg.ids, cfg.headers)
	if err != nil {
		fmt.Fprintf(stderr, "rate: %v\n", err)
		return 2
	}
	res, err := measure(cfg, tgt)
	if err != nil {
		fmt.Fprintf(stderr, "rate: %v\n", err)
		return 1
	}
	res.print(stdout, cfg, tgt)
	return 0
}

func (c *config) validate() error {
	switch {
	case c.ids < 1 || c.ids > maxIDs:
		return fmt.Errorf("-ids must be between 1 and %d, got %d", maxIDs, c.ids)
	case !(c.rate > 0) || c.rate > maxRate:
		return fmt.Errorf("-rate must be > 0 and <= %d, got %v", maxRate, c.rate)
	case c.duration <= 0 || c.duration > maxDuration:
		return fmt.Errorf("-duration must be > 0 and <= %v, got %v", maxDuration, c.duration)
	case c.warmup < 0 || c.warmup > maxWarmup:
		return fmt.Errorf("-warmup must be between 0 and %v, got %v", maxWarmup, c.warmup)
	case c.conns < 1 || c.conns > maxConns:
		return fmt.Errorf("-conns must be between 1 and %d, got %d", maxConns, c.conns)
	case c.p99 <= 0:
		return fmt.Errorf("-p99 must be > 0, got %v", c.p99)
	}
	return nil
}

// ---- target ----------------------------------------------------------------

// target is where the load goes: one loopback host:port and one preformatted
// HTTP/1.1 request per ID.
type target struct {
	host     string // as written in the URL, for the report and the Host header
	dialAddr string // host:port to dial
	reqs     [][]byte
}

// checkLoopback returns the host:port to dial for u, or an error unless u is
// a plain http URL whose host is a loopback address (127.0.0.0/8, ::1) or
// "localhost".
func checkLoopback(u *url.URL) (string, error) {
	if u.Scheme != "http" {
		return "", fmt.Errorf("refusing %q: only http:// URLs are supported", u.Redacted())
	}
	host := u.Hostname()
	if !isLoopbackHost(host) {
		return "", fmt.Errorf("refusing %q: host %q is not a loopback address (127.0.0.0/8, ::1, localhost)",
			u.Redacted(), host)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(host, port), nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// buildTarget formats the URL template for every ID, checks that each URL is
// a loopback http URL on one and the same host, and preformats the requests.
func buildTarget(tmpl string, ids int, headers []string) (*target, error) {
	var hdr strings.Builder
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || strings.ContainsAny(h, "\r\n") || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("bad -header %q: want \"Name: value\"", h)
		}
		if strings.EqualFold(k, "Host") || strings.EqualFold(k, "Connection") ||
			strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Transfer-Encoding") {
			return nil, fmt.Errorf("-header %q: %s is set by the tool", h, k)
		}
		hdr.WriteString(k + ": " + v + "\r\n")
	}
	t := &target{reqs: make([][]byte, ids)}
	for k := 0; k < ids; k++ {
		raw := fmt.Sprintf(tmpl, k)
		if strings.Contains(raw, "%!") {
			return nil, fmt.Errorf("bad -url-template %q: it needs exactly one integer verb such as %%05d", tmpl)
		}
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("bad URL %q: %v", raw, err)
		}
		addr, err := checkLoopback(u)
		if err != nil {
			return nil, err
		}
		if k == 0 {
			t.host, t.dialAddr = u.Host, addr
		} else if u.Host != t.host {
			return nil, fmt.Errorf("bad -url-template %q: the host must not depend on the ID", tmpl)
		}
		t.reqs[k] = []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
			"\r\nUser-Agent: moneykit-mock-rate\r\n" + hdr.String() + "\r\n")
	}
	return t, nil
}

// ---- histogram ---------------------------------------------------------------

// histogram is a log-linear (HDR-style) latency histogram in whole
// microseconds from 0 to 10 s: exact below 2048 µs, then 1024 buckets per
// power of two (relative error under 0.1%). Counters are atomic, so any
// goroutine may record without locks or allocation.
type histogram struct {
	counts [histBuckets]atomic.Uint64
	total  atomic.Uint64
	over   atomic.Uint64 // values above histMaxUS, recorded as histMaxUS
	maxNS  atomic.Int64  // exact maximum
}

const (
	histSubBits   = 11
	histSubCount  = 1 << histSubBits // exact buckets 0..2047 µs
	histHalfCount = histSubCount / 2
	histMaxUS     = 10_000_000 // 10 s
	// bucketIndex(histMaxUS)+1: 2^23 <= 1e7 < 2^24, so e = 13 there.
	histBuckets = histSubCount + 12*histHalfCount + histMaxUS>>13 - histHalfCount + 1
)

// bucketIndex maps a value in µs (<= histMaxUS) to its bucket.
func bucketIndex(us uint64) int {
	if us < histSubCount {
		return int(us)
	}
	e := bits.Len64(us) - histSubBits // >= 1: us>>e is in [1024, 2047]
	return histSubCount + (e-1)*histHalfCount + int(us>>e) - histHalfCount
}

// bucketHigh is the highest µs value that falls into bucket idx.
func bucketHigh(idx int) uint64 {
	if idx < histSubCount {
		return uint64(idx)
	}
	k := idx - histSubCount
	e := uint(k/histHalfCount + 1)
	m := uint64(k%histHalfCount + histHalfCount)
	return (m+1)<<e - 1
}

func (h *histogram) record(d time.Duration) {
	ns := int64(d)
	if ns < 0 {
		ns = 0
	}
	for {
		cur := h.maxNS.Load()
		if ns <= cur || h.maxNS.CompareAndSwap(cur, ns) {
			break
		}
	}
	us := uint64(ns / 1000)
	if us > histMaxUS {
		us = histMaxUS
		h.over.Add(1)
	}
	h.counts[bucketIndex(us)].Add(1)
	h.total.Add(1)
}

func (h *histogram) count() uint64      { return h.total.Load() }
func (h *histogram) max() time.Duration { return time.Duration(h.maxNS.Load()) }

// percentile returns the value at or below which p percent of the recorded
// values fall: the highest value of the bucket holding that rank, never above
// the exact maximum. 0 when nothing was recorded.
func (h *histogram) percentile(p float64) time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	// The epsilon keeps e.g. 99.9% of 1000 at rank 999 despite float rounding.
	rank := uint64(math.Ceil(p*float64(n)/100 - 1e-9))
	rank = min(max(rank, 1), n)
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if cum >= rank {
			return min(time.Duration(bucketHigh(i))*time.Microsecond, h.max())
		}
	}
	return h.max()
}

// ---- HTTP/1.1 response reading -----------------------------------------------

var (
	errStatusLine  = errors.New("malformed status line")
	errHeaderLine  = errors.New("malformed header line")
	errChunk       = errors.New("malformed chunked body")
	errUpgrade     = errors.New("unexpected 101 Switching Protocols")
	errHeaderLarge = errors.New("response header line too long")
)

// readResponse reads one response from br and skips its body. mustClose is
// true when the connection cannot carry another request.
func readResponse(br *bufio.Reader) (status int, mustClose bool, err error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, true, lineErr(err)
		}
		line = trimEOL(line)
		// "HTTP/1.1 200 OK"
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
			(len(line) > 12 && line[12] != ' ') {
			return 0, true, errStatusLine
		}
		status = 0
		for _, c := range line[9:12] {
			if c < '0' || c > '9' {
				return 0, true, errStatusLine
			}
			status = status*10 + int(c-'0')
		}
		mustClose = line[7] == '0' // HTTP/1.0 closes unless told otherwise
		contentLength := int64(-1)
		chunked := false
		for {
			line, err = br.ReadSlice('\n')
			if err != nil {
				return 0, true, lineErr(err)
			}
			line = trimEOL(line)
			if len(line) == 0 {
				break
			}
			colon := bytes.IndexByte(line, ':')
			if colon <= 0 {
				return 0, true, errHeaderLine
			}
			name, val := line[:colon], bytes.TrimSpace(line[colon+1:])
			switch {
			case asciiEqualFold(name, "content-length"):
				n, ok := parseUint(val, 10)
				if !ok {
					return 0, true, errHeaderLine
				}
				contentLength = n
			case asciiEqualFold(name, "transfer-encoding"):
				chunked = hasToken(val, "chunked")
			case asciiEqualFold(name, "connection"):
				if hasToken(val, "close") {
					mustClose = true
				} else if hasToken(val, "keep-alive") {
					mustClose = false
				}
			}
		}
		switch {
		case status == 101:
			return 0, true, errUpgrade
		case status >= 100 && status < 200: // interim response; the real one follows
			continue
		case status == 204 || status == 304:
			return status, mustClose, nil
		case chunked:
			return status, mustClose, discardChunked(br)
		case contentLength >= 0:
			_, err = br.Discard(int(contentLength))
			return status, mustClose, err
		default: // body runs to EOF
			_, err = io.Copy(io.Discard, br)
			return status, true, err
		}
	}
}

func lineErr(err error) error {
	if errors.Is(err, bufio.ErrBufferFull) {
		return errHeaderLarge
	}
	return err
}

func discardChunked(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return lineErr(err)
		}
		line = trimEOL(line)
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, ok := parseUint(bytes.TrimSpace(line), 16)
		if !ok || n > 1<<31 {
			return errChunk
		}
		if n == 0 { // last chunk, then optional trailers and an empty line
			for {
				line, err = br.ReadSlice('\n')
				if err != nil {
					return lineErr(err)
				}
				if len(trimEOL(line)) == 0 {
					return nil
				}
			}
		}
		if _, err := br.Discard(int(n)); err != nil {
			return err
		}
		line, err = br.ReadSlice('\n')
		if err != nil {
			return lineErr(err)
		}
		if len(trimEOL(line)) != 0 {
			return errChunk
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// asciiEqualFold reports whether b equals the lower-case ASCII string s,
// ignoring case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list v contains tok (ASCII,
// case-insensitive).
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		var part []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			part, v = v[:i], v[i+1:]
		} else {
			part, v = v, nil
		}
		if asciiEqualFold(bytes.TrimSpace(part), tok) {
			return true
		}
	}
	return false
}

func parseUint(b []byte, base uint64) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		var d uint64
		switch {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		n = n*base + d
	}
	return int64(n), true
}

// ---- the run -------------------------------------------------------------------

type result struct {
	lat, svc, lag histogram // from intended send time; from actual send time; send lateness
	intended      int64     // requests due in the measured window
	ok, non2xx    atomic.Int64
	errs          atomic.Int64
	warmErrs      atomic.Int64
	lastDone      atomic.Int64 // offset from start of the last measured completion (ns)
	measureFrom   time.Duration
	measureTo     time.Duration
	firstErrOnce  sync.Once
	firstErr      string
	reconnects    atomic.Int64
	sleepFallback bool
}

func (r *result) noteErr(err error) {
	r.firstErrOnce.Do(func() { r.firstErr = err.Error() })
}

type runner struct {
	t            *target
	res          *result
	rate         float64
	nWarm        int64 // requests [0, nWarm) are warm-up, not recorded
	nTotal       int64
	next         atomic.Int64
	start        time.Time
	hardDeadline time.Time
	dialer       net.Dialer
}

// due is request i's intended send time as an offset from the start.
func (r *runner) due(i int64) time.Duration {
	return time.Duration(float64(i) * 1e9 / r.rate)
}

type worker struct {
	r    *runner
	conn net.Conn
	br   *bufio.Reader
	used bool // the connection has carried a complete exchange
	sl   *sleeper
}

func measure(cfg config, t *target) (*result, error) {
	res := &result{}
	r := &runner{
		t:     t,
		res:   res,
		rate:  cfg.rate,
		nWarm: int64(math.Ceil(cfg.warmup.Seconds() * cfg.rate)),
	}
	r.nTotal = int64(math.Ceil((cfg.warmup + cfg.duration).Seconds() * cfg.rate))
	res.intended = r.nTotal - r.nWarm
	res.measureFrom = r.due(r.nWarm)
	res.measureTo = cfg.warmup + cfg.duration
	r.dialer = net.Dialer{
		Timeout: 2 * time.Second,
		// Belt and braces: whatever a name resolves to, only loopback is dialled.
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil || !isLoopbackHost(host) {
				return fmt.Errorf("refusing to connect to non-loopback address %s", address)
			}
			return nil
		},
	}

	// Open every connection before the clock starts.
	workers := make([]*worker, cfg.conns)
	for k := range workers {
		sl, fallback := newSleeper()
		res.sleepFallback = res.sleepFallback || fallback
		w := &worker{r: r, sl: sl}
		if err := w.dial(time.Now().Add(5 * time.Second)); err != nil {
			sl.close()
			for _, o := range workers[:k] {
				o.close()
			}
			return nil, fmt.Errorf("connection %d to %s: %v", k+1, t.dialAddr, err)
		}
		workers[k] = w
	}

	r.start = time.Now()
	r.hardDeadline = r.start.Add(cfg.warmup + cfg.duration + drainTimeout)
	var wg sync.WaitGroup
	for _, w := range workers {
		_ = w.conn.SetDeadline(r.hardDeadline)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.close()
			w.loop()
		}()
	}
	wg.Wait()
	return res, nil
}

func (w *worker) dial(deadline time.Time) error {
	d := w.r.dialer
	d.Deadline = deadline
	c, err := d.Dial("tcp", w.r.t.dialAddr)
	if err != nil {
		return err
	}
	w.conn = c
	if w.br == nil {
		w.br = bufio.NewReaderSize(c, 32<<10)
	} else {
		w.br.Reset(c)
	}
	w.used = false
	return nil
}

func (w *worker) close() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn = nil
	}
	if w.sl != nil {
		w.sl.close()
		w.sl = nil
	}
}

func (w *worker) loop() {
	r, res := w.r, w.r.res
	for {
		i := r.next.Add(1) - 1
		if i >= r.nTotal {
			return
		}
		due := r.due(i)
		if d := due - time.Since(r.start); d > 0 {
			w.sl.sleep(d)
		}
		if time.Now().After(r.hardDeadline) {
			return // this and every later request stay unfinished
		}
		sent := time.Since(r.start)
		status, err := w.do(r.t.reqs[i%int64(len(r.t.reqs))])
		done := time.Since(r.start)
		if i < r.nWarm {
			if err != nil {
				res.warmErrs.Add(1)
				res.noteErr(err)
			}
			continue
		}
		if err != nil {
			res.errs.Add(1)
			res.noteErr(err)
			continue
		}
		res.lat.record(done - due)
		res.svc.record(done - sent)
		res.lag.record(sent - due)
		if status >= 200 && status < 300 {
			res.ok.Add(1)
		} else {
			res.non2xx.Add(1)
		}
		for {
			cur := res.lastDone.Load()
			if int64(done) <= cur || res.lastDone.CompareAndSwap(cur, int64(done)) {
				break
			}
		}
	}
}

// do sends one request and reads its response, reconnecting as needed. A
// request that met a keep-alive connection the server had already closed
// (nothing came back) is retried once on a new connection, as net/http does.
func (w *worker) do(req []byte) (int, error) {
	for attempt := 0; ; attempt++ {
		if w.conn == nil {
			if err := w.dial(w.r.hardDeadline); err != nil {
				return 0, err
			}
			_ = w.conn.SetDeadline(w.r.hardDeadline)
			w.r.res.reconnects.Add(1)
		}
		reused := w.used
		status, mustClose, err := w.exchange(req)
		if err == nil {
			w.used = true
			if mustClose {
				_ = w.conn.Close()
				w.conn = nil
			}
			return status, nil
		}
		_ = w.conn.Close()
		w.conn = nil
		if attempt == 0 && reused && staleConn(err) {
			continue
		}
		return 0, err
	}
}

type noResponseError struct{ err error }

func (e *noResponseError) Error() string { return e.err.Error() }
func (e *noResponseError) Unwrap() error { return e.err }

func (w *worker) exchange(req []byte) (status int, mustClose bool, err error) {
	if _, err := w.conn.Write(req); err != nil {
		return 0, true, &noResponseError{err}
	}
	if _, err := w.br.Peek(1); err != nil {
		return 0, true, &noResponseError{err}
	}
	return readResponse(w.br)
}

// staleConn: the server closed the connection before answering anything.
func staleConn(err error) bool {
	var nr *noResponseError
	return errors.As(err, &nr) &&
		(errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE))
}

// ---- report ----------------------------------------------------------------------

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) + " ms" }

func (res *result) print(w io.Writer, cfg config, t *target) {
	count := int64(res.lat.count())
	errs, non2xx := res.errs.Load(), res.non2xx.Load()
	unfinished := res.intended - count - errs
	window := time.Duration(res.lastDone.Load()) - res.measureFrom
	if window < res.measureTo-res.measureFrom {
		window = res.measureTo - res.measureFrom
	}
	achieved := 0.0
	if window > 0 {
		achieved = float64(count) / window.Seconds()
	}
	p99 := res.lat.percentile(99)

	fmt.Fprintf(w, "target: GET %s (%d IDs), %d connections, open loop\n", cfg.urlTemplate, cfg.ids, cfg.conns)
	fmt.Fprintf(w, "schedule: %g req/s for %v after %v warm-up (latency from intended send time)\n",
		cfg.rate, cfg.duration, cfg.warmup)
	fmt.Fprintf(w, "rate: %.1f req/s achieved (target %g)\n", achieved, cfg.rate)
	fmt.Fprintf(w, "count: %d of %d intended\n", count, res.intended)
	fmt.Fprintf(w, "errors: %d\n", errs)
	fmt.Fprintf(w, "non-2xx: %d\n", non2xx)
	fmt.Fprintf(w, "unfinished: %d\n", unfinished)
	fmt.Fprintf(w, "p50: %s\n", ms(res.lat.percentile(50)))
	fmt.Fprintf(w, "p90: %s\n", ms(res.lat.percentile(90)))
	fmt.Fprintf(w, "p99: %s\n", ms(p99))
	fmt.Fprintf(w, "p99.9: %s\n", ms(res.lat.percentile(99.9)))
	fmt.Fprintf(w, "max: %s\n", ms(res.lat.max()))
	fmt.Fprintf(w, "service time (from actual send; excludes queueing): p50 %s, p99 %s, max %s\n",
		ms(res.svc.percentile(50)), ms(res.svc.percentile(99)), ms(res.svc.max()))
	fmt.Fprintf(w, "send lag (actual minus intended send time): p50 %s, p99 %s, max %s\n",
		ms(res.lag.percentile(50)), ms(res.lag.percentile(99)), ms(res.lag.max()))
	if n := res.reconnects.Load(); n > 0 {
		fmt.Fprintf(w, "reconnects: %d\n", n)
	}
	if n := res.warmErrs.Load(); n > 0 {
		fmt.Fprintf(w, "warm-up errors (not counted): %d\n", n)
	}
	if res.firstErr != "" {
		fmt.Fprintf(w, "first error: %s\n", res.firstErr)
	}
	if n := res.lat.over.Load(); n > 0 {
		fmt.Fprintf(w, "latencies above 10 s (histogram clamps them): %d\n", n)
	}
	if res.sleepFallback {
		fmt.Fprintln(w, "note: precise timer unavailable; sends may start up to ~1 ms late (counted in latency)")
	}
	pass := count > 0 && errs == 0 && non2xx == 0 && unfinished == 0 && p99 < cfg.p99
	fmt.Fprintf(w, "verdict: p99 %s vs < %s, %d errors, %d non-2xx, %d unfinished\n",
		ms(p99), ms(cfg.p99), errs, non2xx, unfinished)
	if pass {
		fmt.Fprintln(w, "PASS")
	} else {
		fmt.Fprintln(w, "FAIL")
	}
}

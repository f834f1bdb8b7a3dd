package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssMB reads a process's resident set size from /proc, in MB.
func rssMB(t *testing.T, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1000
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// TestJournalMemoryBounded is the bounded process test of the journal's
// memory: 1,100 requests each carrying a 256 KB header (net/http takes up to
// 1 MB of headers) into the command, then GET /_mock/requests?limit=5 and
// DELETE /_mock/requests. It logs the RSS at each step (go test -v -run
// TestJournalMemoryBounded .) and fails if the journal is not bounded.
func TestJournalMemoryBounded(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("a process test of RSS, on Linux")
	}
	p := startProc(t)
	pid := p.cmd.Process.Pid
	idle := rssMB(t, pid)

	big := strings.Repeat("x", 256<<10)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{}).DialContext, MaxIdleConnsPerHost: 4}}
	for i := range 1100 {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/links/mk_rss_%d/identity", p.base, i), nil)
		req.Header.Set("Authorization", "Bearer sandbox-token")
		req.Header.Set("X-Big", big)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	full := rssMB(t, pid)

	code, last5 := call(t, "GET", p.base+"/_mock/requests?limit=5", "")
	if code != 200 || strings.Count(last5, `"seq":`) != 5 {
		t.Fatalf("limit=5: %d %.300s", code, last5)
	}
	_, count := call(t, "GET", p.base+"/_mock/requests?count=true", "")
	if code, _ := call(t, "DELETE", p.base+"/_mock/requests", ""); code != 204 {
		t.Fatalf("DELETE: %d", code)
	}
	_, after := call(t, "GET", p.base+"/_mock/requests?count=true", "")
	cleared := rssMB(t, pid)
	t.Logf("RSS: idle %.1f MB, after 1,100 requests with a 256 KB header %.1f MB, after DELETE %.1f MB; limit=5 is %d bytes; count %s, after DELETE %s",
		idle, full, cleared, len(last5), count, after)

	if len(last5) > 64<<10 {
		t.Errorf("limit=5 is %d bytes, want at most 64 KiB", len(last5))
	}
	if count != `{"count":1000}` || after != `{"count":0}` {
		t.Errorf("count before and after DELETE: %s %s", count, after)
	}
	if !raceEnabled && full-idle > 150 {
		t.Errorf("RSS grew by %.1f MB, want the journal bounded (8 MiB) and the rest garbage", full-idle)
	}
}

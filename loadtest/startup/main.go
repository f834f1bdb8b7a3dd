// Command startup measures time from process start to the first HTTP 200.
//
// It execs a server binary N times on a fixed loopback address, starts a
// clock right before cmd.Start(), polls one URL every -poll (1 ms by default)
// until it answers 200, records the elapsed time, then kills exactly that
// child process and waits for it. It prints each run and min/median/max.
//
// Usage:
//
//	startup -bin ./mock -addr 127.0.0.1:18082 -n 10 -- --log-format text
//
// Arguments after "--" are passed to the server after "<addr-flag> <addr>".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"sync"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "", "server binary to exec (required)")
	addr := flag.String("addr", "127.0.0.1:18082", "loopback address the server is told to listen on")
	addrFlag := flag.String("addr-flag", "--addr", "flag name used to pass the address")
	path := flag.String("path", "/links/mk_demo/identity", "path polled until it answers 200")
	token := flag.String("token", "sandbox-token", "bearer token sent with each poll (empty: none)")
	version := flag.String("api-version", "2023-02-18", "MoneyKit-Version header (empty: none)")
	n := flag.Int("n", 10, "number of runs")
	poll := flag.Duration("poll", time.Millisecond, "poll interval")
	timeout := flag.Duration("timeout", 5*time.Second, "give up on a run after this long")
	logFile := flag.String("log", "", "append the server's stdout/stderr to this file (default: discard)")
	flag.Parse()

	if *bin == "" {
		fmt.Fprintln(os.Stderr, "startup: -bin is required")
		os.Exit(2)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(os.Stderr, "startup: -addr must be a loopback host:port, got %q\n", *addr)
		os.Exit(2)
	}

	var out io.Writer = io.Discard
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "startup: %v\n", err)
			os.Exit(2)
		}
		defer f.Close()
		out = f
	}

	// Kill the current child (only the one we started) if we are interrupted.
	var mu sync.Mutex
	var current *exec.Cmd
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		mu.Lock()
		if current != nil && current.Process != nil {
			_ = current.Process.Kill()
		}
		mu.Unlock()
		os.Exit(130)
	}()

	client := &http.Client{
		Timeout: 500 * time.Millisecond,
		// A fresh connection per poll: a refused dial returns at once.
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	url := "http://" + *addr + *path

	var results []time.Duration
	failed := 0
	for i := 1; i <= *n; i++ {
		if err := waitPortFree(*addr, 3*time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "startup: run %d: %v\n", i, err)
			os.Exit(1)
		}
		args := append([]string{*addrFlag, *addr}, flag.Args()...)
		cmd := exec.Command(*bin, args...)
		cmd.Stdout, cmd.Stderr = out, out

		mu.Lock()
		current = cmd
		t0 := time.Now()
		err := cmd.Start()
		mu.Unlock()
		if err != nil {
			fmt.Fprintf(os.Stderr, "startup: run %d: start: %v\n", i, err)
			os.Exit(1)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()

		d, err := firstOK(client, url, *token, *version, t0, *poll, *timeout, exited)

		_ = cmd.Process.Kill()
		<-exited
		mu.Lock()
		current = nil
		mu.Unlock()

		if err != nil {
			failed++
			fmt.Printf("run %2d: FAILED: %v\n", i, err)
			continue
		}
		results = append(results, d)
		fmt.Printf("run %2d: %7.2f ms (pid %d)\n", i, ms(d), cmd.Process.Pid)
	}

	if len(results) == 0 {
		fmt.Println("startup: no successful run")
		os.Exit(1)
	}
	sort.Slice(results, func(a, b int) bool { return results[a] < results[b] })
	median := results[len(results)/2]
	if len(results)%2 == 0 {
		median = (results[len(results)/2-1] + results[len(results)/2]) / 2
	}
	fmt.Printf("start-to-first-200: min %.2f ms  median %.2f ms  max %.2f ms  (%d ok, %d failed)\n",
		ms(results[0]), ms(median), ms(results[len(results)-1]), len(results), failed)
	if failed > 0 {
		os.Exit(1)
	}
}

func firstOK(c *http.Client, url, token, version string, t0 time.Time, poll, timeout time.Duration, exited <-chan struct{}) (time.Duration, error) {
	deadline := t0.Add(timeout)
	lastStatus := 0
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return 0, errors.New("server exited before answering 200")
		default:
		}
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if version != "" {
			req.Header.Set("MoneyKit-Version", version)
		}
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0), nil
			}
			lastStatus = resp.StatusCode
		}
		time.Sleep(poll)
	}
	if lastStatus != 0 {
		return 0, fmt.Errorf("no 200 within %v (last status %d)", timeout, lastStatus)
	}
	return 0, fmt.Errorf("no 200 within %v", timeout)
}

// waitPortFree waits until nothing accepts connections on addr, so a run
// never measures a leftover or foreign server.
func waitPortFree(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return nil
		}
		conn.Close()
		if time.Now().After(deadline) {
			return fmt.Errorf("something is already listening on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

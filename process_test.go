package main

// Process tests: the test binary runs itself as the command (main, signals,
// exit status and all) and the test signals it, bounded in time.

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainArgsEnv carries the command's arguments to the child, one a line.
const mainArgsEnv = "MOCK_TEST_RUN_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainArgsEnv); ok {
		os.Unsetenv(mainArgsEnv)
		os.Args = append([]string{"moneykit-mock"}, strings.Split(args, "\n")...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// proc is the command running as a child process.
type proc struct {
	cmd  *exec.Cmd
	base string      // http://127.0.0.1:PORT
	logs *syncBuffer // its stderr
	done chan struct{}
	err  error // Wait's, once done is closed
}

// startProc starts the command with args after --addr 127.0.0.1:0 and waits
// for its address in the start-up log; the test's clean-up kills it if it
// is still running.
func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+strings.Join(append([]string{"--addr", "127.0.0.1:0"}, args...), "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		addrRE := regexp.MustCompile(`addr=(http://127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.logs.Write([]byte(sc.Text() + "\n"))
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.base = <-addr:
		return p
	case <-p.done:
		t.Fatalf("the command exited before listening: %v\n%s", p.err, p.logs.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("no address in the start-up log within 10s:\n%s", p.logs.String())
	}
	return nil
}

// signal sends sig to the command.
func (p *proc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait waits at most d for the command to exit and returns its exit status
// (-1 when a signal ended it).
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("the command did not exit within %s:\n%s", d, p.logs.String())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// running reports whether the command has not exited.
func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// TestSIGHUPWithoutFiles checks that SIGHUP never kills a server started
// without --scenarios or --fixtures: it logs that there is nothing to reload
// and keeps serving.
func TestSIGHUPWithoutFiles(t *testing.T) {
	p := startProc(t)
	for n := 1; n <= 2; n++ { // one at a time: signals sent together may merge
		p.signal(t, syscall.SIGHUP)
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(p.logs.String(), "SIGHUP: nothing to reload") < n {
			if !p.running() || time.Now().After(deadline) {
				t.Fatalf("SIGHUP %d was not handled (running: %v, exit: %v):\n%s", n, p.running(), p.err, p.logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if code := status(t, p.base+"/links/mk_demo/identity"); code != 200 {
		t.Errorf("after SIGHUP: %d", code)
	}
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, p.logs.String())
	}
}

// delayed writes a request for mk_wait on a raw connection and returns a
// channel that gets the status line of the answer, or the read error.
func delayed(t *testing.T, base string) <-chan string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, "GET /links/mk_wait/identity HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-token\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	out := make(chan string, 1)
	go func() {
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			line = "error: " + err.Error()
		}
		out <- strings.TrimSpace(line)
	}()
	return out
}

// shutdownServer starts the command with a scenario that delays mk_wait by
// delay, and a drain of drain.
func shutdownServer(t *testing.T, delay, drain string) *proc {
	t.Helper()
	file := filepath.Join(t.TempDir(), "s.yaml")
	writeFile(t, file, "links:\n  mk_wait:\n    delay: "+delay+"\n")
	return startProc(t, "--scenarios", file, "--shutdown-timeout", drain)
}

// inFlight gives the server time to read a request just written. The
// scenario's delay runs on the real clock in another process, so there is no
// clock to inject; the delays below are several times this.
const inFlight = 300 * time.Millisecond

// TestShutdownDrains sends SIGTERM while a request is delayed by its
// scenario: the request is answered, then the command exits 0.
func TestShutdownDrains(t *testing.T) {
	p := shutdownServer(t, "1500ms", "10s")
	answer := delayed(t, p.base)
	time.Sleep(inFlight)
	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	if got := <-answer; got != "HTTP/1.1 200 OK" {
		t.Errorf("the delayed request got %q, want 200", got)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, p.logs.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("exit took %s", d)
	}
	for _, want := range []string{"shutting down", "shutdown_timeout=10s", "shut down: every request finished"} {
		if !strings.Contains(p.logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, p.logs.String())
		}
	}
}

// TestShutdownTimeout gives a drain shorter than the delay: the request is
// cut off when the drain ends, and the command says so and exits 1.
func TestShutdownTimeout(t *testing.T) {
	p := shutdownServer(t, "5s", "200ms")
	answer := delayed(t, p.base)
	time.Sleep(inFlight)
	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, 4*time.Second); code != 1 {
		t.Errorf("exit status %d, want 1:\n%s", code, p.logs.String())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("exit took %s, want about the 200ms drain", d)
	}
	if got := <-answer; strings.HasPrefix(got, "HTTP/") {
		t.Errorf("the cut-off request got %q", got)
	}
	if !strings.Contains(p.logs.String(), "in-flight requests cut off after --shutdown-timeout 200ms") {
		t.Errorf("the log does not say requests were cut off:\n%s", p.logs.String())
	}
}

// TestSecondSignalExitsAtOnce sends SIGINT twice while a request is
// delayed for longer than the test waits: the second exits at once.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	p := shutdownServer(t, "20s", "30s")
	delayed(t, p.base)
	time.Sleep(inFlight)
	p.signal(t, os.Interrupt)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.logs.String(), "shutting down") {
		if time.Now().After(deadline) {
			t.Fatalf("the first signal was not handled:\n%s", p.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !p.running() {
		t.Fatalf("the first signal did not wait for the delayed request:\n%s", p.logs.String())
	}
	p.signal(t, os.Interrupt)
	if code := p.wait(t, 5*time.Second); code != 1 {
		t.Errorf("exit status %d, want 1:\n%s", code, p.logs.String())
	}
	if !strings.Contains(p.logs.String(), "second interrupt: exiting at once") {
		t.Errorf("the log does not say why:\n%s", p.logs.String())
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gatedWriter is a writer whose writes wait until the gate opens; entered
// counts the writes begun.
type gatedWriter struct {
	gate    chan struct{}
	entered atomic.Int64
	mu      sync.Mutex
	out     bytes.Buffer
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.entered.Add(1)
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.Write(p)
}

// TestLogBufferKeepsEveryLine writes lines from many goroutines through a
// writer that stalls: every line comes out whole, once, in each writer's
// order, and lines written after run returns go straight out.
func TestLogBufferKeepsEveryLine(t *testing.T) {
	g := &gatedWriter{gate: make(chan struct{})}
	b := newLogBuffer(g)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.run(ctx) }()
	go func() { time.Sleep(50 * time.Millisecond); close(g.gate) }() // a stall, then a normal writer
	const writers, lines = 8, 4_000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				line := fmt.Sprintf("w=%d i=%d %s\n", w, i, strings.Repeat("x", i%300))
				b.Write([]byte(line))
			}
		}()
	}
	wg.Wait()
	cancel()
	<-done
	b.Write([]byte("after\n"))
	next := make([]int, writers)
	n := 0
	for _, line := range strings.Split(strings.TrimSuffix(g.out.String(), "\n"), "\n") {
		if line == "after" {
			n++
			continue
		}
		var w, i int
		var pad string
		if _, err := fmt.Sscanf(line, "w=%d i=%d %s", &w, &i, &pad); err != nil && i%300 != 0 {
			t.Fatalf("a broken line: %q", line)
		}
		if i != next[w] || len(pad) != i%300 {
			t.Fatalf("writer %d: line %d (pad %d) where %d was next", w, i, len(pad), next[w])
		}
		next[w]++
		n++
	}
	if n != writers*lines+1 {
		t.Errorf("%d lines out of %d", n, writers*lines+1)
	}
}

// TestLogBufferDoesNotWaitForASlowWriter checks that while the writer is
// stuck in a write, lines keep being taken up to a buffer's worth, and that
// the next line then waits for the writer: the buffers are bounded.
func TestLogBufferDoesNotWaitForASlowWriter(t *testing.T) {
	g := &gatedWriter{gate: make(chan struct{})}
	b := newLogBuffer(g)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.run(ctx) }()
	var open sync.Once
	openGate := func() { open.Do(func() { close(g.gate) }) }
	defer func() { openGate(); cancel(); <-done }()
	line := []byte(strings.Repeat("y", 199) + "\n")
	// Fill the first buffer and hand it to the writer, which then waits on
	// the gate; a second buffer's worth must still be taken.
	wrote := make(chan struct{})
	go func() {
		for range 2 * (logBufSize / len(line)) { // two buffers' worth of whole lines
			b.Write(line)
		}
		close(wrote)
	}()
	select {
	case <-wrote:
	case <-time.After(10 * time.Second): // a hang detector, not a timing check
		t.Fatal("Write waited for a stalled writer while a buffer had room")
	}
	if g.entered.Load() == 0 {
		t.Fatal("two buffers' worth taken and none handed to the writer: the buffer is not bounded")
	}
	// Both buffers are full now: one more line waits until the writer is
	// back, and is then taken.
	third := make(chan struct{})
	go func() { b.Write(line); close(third) }()
	select {
	case <-third:
		t.Fatal("a line was taken while both buffers were full")
	case <-time.After(100 * time.Millisecond):
	}
	openGate()
	select {
	case <-third:
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting line was not taken once the writer was back")
	}
}

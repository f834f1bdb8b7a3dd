package main

import (
	"bufio"
	"context"
	"io"
	"sync"
	"time"
)

// logBuffer batches log writes: one write(2) per request line would cost as
// much as answering the request, and the per-request log is the mock's
// busiest output. Lines reach the underlying writer within flushEvery, when
// the buffer fills, or at Close. Each slog record is one Write, so lines are
// never split.
type logBuffer struct {
	mu sync.Mutex
	w  *bufio.Writer
}

const flushEvery = 100 * time.Millisecond

func newLogBuffer(w io.Writer) *logBuffer {
	return &logBuffer{w: bufio.NewWriterSize(w, 64<<10)}
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is buffered.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// run flushes every flushEvery until ctx is done, then once more.
func (b *logBuffer) run(ctx context.Context) {
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-ctx.Done():
			b.Flush()
			return
		}
	}
}

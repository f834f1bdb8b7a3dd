package main

import (
	"context"
	"io"
	"sync"
	"time"
)

// logBuffer batches log writes: one write(2) per request line would cost as
// much as answering the request, and the per-request log is the mock's
// busiest output. Each slog record is one Write, so lines are never split.
//
// It has two buffers. Requests append their lines to one while a goroutine
// of its own (run) writes the other out, so that a slow write (a disk in
// writeback, a terminal, a pipe read slowly) never holds a request up while
// there is room: requests wait only when both buffers are full, that is
// when the output cannot take the log as fast as it is made. Lines reach the
// underlying writer within flushEvery, when a buffer fills, or at the end
// of run.
type logBuffer struct {
	mu sync.Mutex
	// returned is signalled, with mu, when the writer gives a buffer back.
	returned sync.Cond
	w        io.Writer
	// buf holds the lines not yet handed to the writer. spare is the other
	// buffer while the writer is idle, nil while it has it (in out, or
	// being written).
	buf, spare []byte
	out        chan []byte
	// closed is set when run has returned: later lines are written at once.
	closed bool
}

const (
	flushEvery = 100 * time.Millisecond
	// logBufSize is each buffer's size: at 30,000 lines a second (about
	// 5 MB/s) one fills in about 50 ms, so a write may take that long
	// before a request waits for it.
	logBufSize = 256 << 10
)

func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{
		w:     w,
		buf:   make([]byte, 0, logBufSize),
		spare: make([]byte, 0, logBufSize),
		out:   make(chan []byte, 1),
	}
	b.returned.L = &b.mu
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.closed {
		defer b.mu.Unlock()
		return b.w.Write(p)
	}
	for len(b.buf) > 0 && len(b.buf)+len(p) > logBufSize {
		if b.spare == nil {
			b.returned.Wait() // both full: wait for the writer
			continue
		}
		b.handOff()
	}
	b.buf = append(b.buf, p...) // a line longer than a buffer grows it
	b.mu.Unlock()
	return len(p), nil
}

// handOff gives buf to the writer and takes the spare. b.mu is held and
// the writer is idle (spare is not nil), so out is empty.
func (b *logBuffer) handOff() {
	b.out <- b.buf
	b.buf, b.spare = b.spare[:0], nil
}

// write writes p out, then gives it back as the spare.
func (b *logBuffer) write(p []byte) {
	b.w.Write(p) // a log that cannot be written has nowhere to say so
	if cap(p) > 4*logBufSize {
		p = make([]byte, 0, logBufSize) // a huge line grew it: let that go
	}
	b.mu.Lock()
	b.spare = p[:0]
	b.returned.Broadcast()
	b.mu.Unlock()
}

// run writes the buffers out as they fill and every flushEvery until ctx is
// done, then writes out what is left and returns; lines written after that
// go straight to the writer.
func (b *logBuffer) run(ctx context.Context) {
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case p := <-b.out:
			b.write(p)
		case <-t.C:
			b.mu.Lock()
			if len(b.buf) > 0 && b.spare != nil {
				b.handOff() // written by the next turn of the loop
			}
			b.mu.Unlock()
		case <-ctx.Done():
			select {
			case p := <-b.out:
				b.write(p)
			default:
			}
			b.mu.Lock()
			b.w.Write(b.buf)
			b.buf = b.buf[:0]
			b.closed = true
			b.mu.Unlock()
			return
		}
	}
}

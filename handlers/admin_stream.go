package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/moneykit-mock/moneykit-mock/state"
)

// Timings of GET /_mock/requests/stream. They are variables so that tests can
// shorten them; atomics because a test's server goroutines read them.
var (
	// streamHeartbeat is how often an idle stream gets a comment line, so
	// proxies and browsers keep the connection and a client that has gone is
	// noticed by a failed write.
	streamHeartbeat atomic.Int64
	// streamWriteTimeout is how long one write to a stream may block. A
	// client that does not read for that long is dropped: the stream never
	// buffers entries for it (each wake-up reads what is new straight from
	// the journal's bounded ring), so a slow client costs nothing but a
	// blocked write, and then not even that.
	streamWriteTimeout atomic.Int64
)

// streamChunk is about how many bytes a stream writes at once.
const streamChunk = 32 << 10

// streamTiming is v, or def while a test has not set v.
func streamTiming(v *atomic.Int64, def time.Duration) time.Duration {
	if d := v.Load(); d > 0 {
		return time.Duration(d)
	}
	return def
}

// handleStreamRequests handles "GET /_mock/requests/stream": the request
// journal as server-sent events (text/event-stream). It takes the filters of
// GET /_mock/requests (link, status, path, session with *, since); it first
// sends the matching entries the journal holds (the newest limit= of them,
// when given), then each new one as it is recorded, every entry as
//
//	id: <seq>
//	data: <the entry's JSON, as GET /_mock/requests writes it>
//
// A reconnecting client's Last-Event-ID header works as since=<seq>. An idle
// stream gets a comment line (": heartbeat") every 15 s. The stream ends when
// the client goes, or is dropped when a write blocks for 10 s.
func (s *Server) handleStreamRequests(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	q, err := requestsFilter(r, ri)
	if err != nil {
		return err
	}
	f := q.Filter
	if q.count {
		return journalQueryError("count", "count=true is not available on the stream; use GET /_mock/requests", "value_error")
	}
	if v := header(r, "Last-Event-Id"); v != "" {
		seq, perr := strconv.ParseUint(v, 10, 64)
		if perr != nil {
			return errValidation(http.StatusBadRequest, []any{"header", "last-event-id"}, "Last-Event-ID must be a seq number", "int_parsing")
		}
		// An ID beyond the last seq comes from before a restart (seqs start
		// again at 1): that client has seen none of this process's entries.
		if seq <= s.store.Journal().LastSeq() {
			f.SinceSeq = max(f.SinceSeq, seq)
		}
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold events back
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)

	// send writes buf and flushes it within the write timeout.
	var buf bytes.Buffer
	send := func() error {
		if err := rc.SetWriteDeadline(time.Now().Add(streamTiming(&streamWriteTimeout, 10*time.Second))); err != nil && err != http.ErrNotSupported {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
		buf.Reset()
		return rc.Flush()
	}

	buf.WriteString(": moneykit-mock request journal\nretry: 1000\n\n")
	heartbeat := time.NewTicker(streamTiming(&streamHeartbeat, 15*time.Second))
	defer heartbeat.Stop()
	for backlog := true; ; {
		wake := s.store.Journal().Changed()
		var entries []state.Request
		if backlog {
			q.Filter = f
			entries, backlog = q.list(s.store.Journal()), false // limit= applies to the backlog only
		} else {
			entries = s.store.Journal().After(f)
			if last := len(entries) - 1; last >= 0 && !q.preflights {
				f.SinceSeq = entries[last].Seq // past the preflights too
				entries = dropPreflights(entries)
			}
		}
		for i := range entries {
			b, err := marshal(entries[i])
			if err != nil {
				return nil // the stream is under way: nothing better to do than end it
			}
			buf.WriteString("id: ")
			buf.WriteString(strconv.FormatUint(entries[i].Seq, 10))
			buf.WriteString("\ndata: ")
			buf.Write(b) // JSON from marshal has no newline in it
			buf.WriteString("\n\n")
			f.SinceSeq = entries[i].Seq
			// A backlog goes out in pieces, so that the buffer stays small and
			// a client that does not read is found out early.
			if buf.Len() >= streamChunk {
				if err := send(); err != nil {
					return nil
				}
			}
		}
		if buf.Len() > 0 {
			if err := send(); err != nil {
				return nil // the client is gone or too slow; the answer has started
			}
		}
		select {
		case <-wake:
		case <-heartbeat.C:
			buf.WriteString(": heartbeat\n\n")
		case <-r.Context().Done():
			return nil
		}
	}
}

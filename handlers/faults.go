package handlers

import (
	"bufio"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// StatusFault is the pseudo-status the journal and the log record for a
// request whose connection a scenario's fault broke: no status line was
// sent (or, for malformed_chunk and truncated, a 200 whose body never
// completes), so no real status fits. The request's scenario names the fault.
const StatusFault = 0

// faultError is what enterLink returns for a call its entry's fault picks;
// writeError hands it to writeFault instead of writing an answer.
type faultError struct {
	fault scenarios.Fault
	id    string // the link ID, for the seeded bytes and the truncated body
	call  int    // the call number, for the seeded bytes
}

func (e *faultError) Error() string { return "scenario fault " + string(e.fault) }

// garbageLen is how many bytes garbage and malformed_chunk send, as WireMock's
// "lskdu018973t09sylgasjkfg1][]'./.sdlv".
const garbageLen = 36

// garbage is garbageLen bytes that are not HTTP, the same for the same seed,
// link ID and call: lower-case letters, digits and punctuation, so they can
// never start with "HTTP/" and hold no CR or LF.
func garbage(seed uint64, id string, call int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789][';./"
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%d", seed, id, call)
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x6d6b5f6661756c74)) // "mk_fault"
	b := make([]byte, garbageLen)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

// writeFault breaks the request's connection as fe's fault says, through
// http.Hijacker (reached by http.ResponseController through reqInfo's
// Unwrap). A connection that cannot be hijacked (HTTP/2, a recorder in a
// test) gets a 500 naming the fault instead.
func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, fe *faultError) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		s.log.ErrorContext(r.Context(), "fault needs an HTTP/1 connection", "fault", fe.fault, "err", err)
		b, _ := (&APIError{Status: http.StatusInternalServerError, Code: CodeInternal,
			Message: "scenario fault " + string(fe.fault) + " needs a plain HTTP/1.1 connection"}).MarshalJSON()
		writeJSON(w, http.StatusInternalServerError, b)
		return
	}
	defer conn.Close()
	// Bytes of the next request already read stay unread: the connection dies.
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	out := buf.Writer
	switch fe.fault {
	case scenarios.FaultEmpty:
		// Close with nothing sent: a FIN before any byte.
	case scenarios.FaultReset:
		if tc, ok := netConn(conn).(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // Close sends RST instead of FIN
		}
	case scenarios.FaultGarbage:
		out.Write(garbage(s.cfg.Seed, fe.id, fe.call))
	case scenarios.FaultMalformedChunk:
		writeHead(out, w.Header(), "Transfer-Encoding", "chunked")
		out.Write(garbage(s.cfg.Seed, fe.id, fe.call)) // where a chunk-size line belongs
	case scenarios.FaultTruncated:
		part := []byte(`{"link_id":` + strconv.Quote(fe.id) + `,"accounts":[`)
		writeHead(out, w.Header(), "Content-Length", strconv.Itoa(2*len(part)+64))
		out.Write(part)
	}
	_ = out.Flush()
}

// writeHead writes a 200 status line, the response's headers so far (the
// request ID), a JSON content type and one framing header.
func writeHead(out *bufio.Writer, h http.Header, framing, value string) {
	out.WriteString("HTTP/1.1 200 OK\r\n")
	h = h.Clone()
	h.Set("Content-Type", "application/json")
	h.Set(framing, value)
	h.Write(out)
	out.WriteString("\r\n")
}

// netConn is the TCP connection under a TLS one.
func netConn(c net.Conn) net.Conn {
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok {
		return nc.NetConn()
	}
	return c
}

// dribbleWriter sends each Write in d.Chunks equal slices (the remainder in
// the last), sleeping d.Over/d.Chunks before each and flushing after it, as
// WireMock's chunked dribble delay does; so the status line and headers
// leave with the first slice. The body is the real one: only its pace changes.
type dribbleWriter struct {
	http.ResponseWriter
	ctx   context.Context
	sleep func(context.Context, time.Duration) error
	d     scenarios.Dribble
}

func (dw *dribbleWriter) Write(b []byte) (int, error) {
	chunks := dw.d.Chunks
	if chunks > len(b) {
		chunks = len(b)
	}
	if chunks < 1 {
		return dw.ResponseWriter.Write(b)
	}
	interval, size := dw.d.Over/time.Duration(chunks), len(b)/chunks
	rc := http.NewResponseController(dw.ResponseWriter)
	n := 0
	for i := range chunks {
		if err := dw.sleep(dw.ctx, interval); err != nil {
			return n, err
		}
		end := n + size
		if i == chunks-1 {
			end = len(b)
		}
		m, err := dw.ResponseWriter.Write(b[n:end])
		n += m
		if err != nil {
			return n, err
		}
		_ = rc.Flush() // a recorder cannot flush; the slices still arrive
	}
	return n, nil
}

// Unwrap lets http.ResponseController reach the connection.
func (dw *dribbleWriter) Unwrap() http.ResponseWriter { return dw.ResponseWriter }

package handlers

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moneykit-mock/moneykit-mock/internal/reqlog"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// reqInfo is everything the mock knows about one request, made once at entry
// and passed to the handler as an argument. It is also the request's
// ResponseWriter, remembering the status for the journal and the log.
type reqInfo struct {
	http.ResponseWriter

	id      string    // X-Request-Id
	start   time.Time // by the wall clock, for the duration
	arrived time.Time // by the mock's clock, for the journal
	// admin is whether the path is one of the mock's own /_mock/ routes.
	admin bool
	// set is the scenario and persona set the whole request uses: taken once,
	// so a reload racing the request never mixes two sets.
	set *scenarios.Set
	// session is the X-Mock-Session header, read and checked once;
	// sessionErr is why it is invalid.
	session    string
	sessionErr error
	// vars are the route's path variables (nil for a route hotRoute
	// answered), and linkVar the {id} one, raw.
	vars    map[string]string
	linkVar string
	// get is whether the method is GET or HEAD, and head whether it is
	// HEAD: HEAD is answered as GET is, without the body.
	get, head bool
	// gzip is whether the client accepts a gzip body (Accept-Encoding).
	gzip bool

	// linkID and scenario are for the journal and the log: the link the path
	// names, and the pattern of the scenario entry that answered.
	linkID, scenario string
	status           int
	wrote            bool

	// idv and clv back the X-Request-Id and Content-Length header values,
	// so that setting them allocates no slice.
	idv, clv [1]string
}

// contentLength is the Content-Length header value for n bytes.
func (ri *reqInfo) contentLength(n int) []string {
	ri.clv[0] = strconv.Itoa(n)
	return ri.clv[:]
}

func (ri *reqInfo) WriteHeader(code int) {
	if !ri.wrote {
		ri.status, ri.wrote = code, true
	}
	ri.ResponseWriter.WriteHeader(code)
}

func (ri *reqInfo) Write(b []byte) (int, error) {
	ri.wrote = true
	return ri.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (ri *reqInfo) Unwrap() http.ResponseWriter { return ri.ResponseWriter }

// enter makes a request's info and sets its X-Request-Id header.
func (s *Server) enter(w http.ResponseWriter, r *http.Request) *reqInfo {
	ri := &reqInfo{
		ResponseWriter: w,
		id:             requestID(r),
		start:          time.Now(),
		arrived:        s.clock.Now(),
		admin:          strings.HasPrefix(r.URL.Path, "/_mock/"),
		set:            s.scenarios.Load(),
		status:         http.StatusOK,
		linkID:         pathLinkID(r), // linkpath.go: 401s and preflights name their link too
	}
	ri.session, ri.sessionErr = sessionName(r)
	ri.head = r.Method == http.MethodHead
	ri.get = ri.head || r.Method == http.MethodGet
	ri.gzip = acceptsGzip(header(r, "Accept-Encoding"))
	ri.idv[0] = ri.id
	w.Header()[headerRequestID] = ri.idv[:]
	return ri
}

// sessionState returns the state of the request's session, starting the
// session when it is new; a bad X-Mock-Session header is the error.
func (s *Server) sessionState(ri *reqInfo) (state.Session, error) {
	if ri.sessionErr != nil {
		return nil, ri.sessionErr
	}
	return s.store.Session(ri.session), nil
}

// headerSession names the session a request belongs to. Requests without it
// share the default session.
const headerSession = "X-Mock-Session"

// maxSessionNameLen bounds session names.
const maxSessionNameLen = 128

// sessionName reads a request's session, checking it is a plain token.
func sessionName(r *http.Request) (string, error) {
	name := header(r, headerSession)
	if name == "" {
		return "", nil
	}
	if !validSessionName(name) {
		return "", errValidation(http.StatusBadRequest, []any{"header", "x-mock-session"},
			"X-Mock-Session must be 1 to 128 letters, digits or - _ . :", "value_error")
	}
	return name, nil
}

func validSessionName(name string) bool {
	return len(name) <= maxSessionNameLen && plainToken(name)
}

// record adds a finished request to the journal. The mock's own /_mock/
// routes are left out, so that "was identity called twice?" counts only the
// calls an app or SDK made.
func (s *Server) record(r *http.Request, ri *reqInfo, d time.Duration) {
	if ri.admin {
		return
	}
	s.store.Journal().Add(state.Request{
		Time:       ri.arrived,
		Session:    ri.session,
		Method:     r.Method,
		Path:       r.URL.Path,
		LinkID:     ri.linkID,
		Status:     ri.status,
		Scenario:   ri.scenario,
		DurationMS: float64(d.Microseconds()) / 1000,
		RawQuery:   r.URL.RawQuery,
		RawHeader:  r.Header,
	})
}

// logRequest writes the one line each request gets, through reqlog.Log:
// when the logger's handler is main's (a *reqlog.Handler) it writes the line
// itself, byte for byte as slog would; any other handler is given the
// record as an ordinary slog.Record. The fields and their form are the same
// either way (TestTextLogs, TestJSONRequestLog, internal/reqlog's tests).
func (s *Server) logRequest(r *http.Request, ri *reqInfo, end time.Time, d time.Duration) {
	level := slog.LevelInfo
	if ri.status >= 500 {
		level = slog.LevelError
	}
	h := s.log.Handler()
	ctx := r.Context()
	if !h.Enabled(ctx, level) {
		return
	}
	reqlog.Log(ctx, h, &reqlog.Line{
		Time:     end,
		Level:    level,
		ID:       ri.id,
		Method:   r.Method,
		Path:     r.URL.Path,
		LinkID:   ri.linkID,
		Scenario: ri.scenario,
		Status:   ri.status,
		Duration: d,
	})
}

// headerRequestID is in canonical form so that it can be set without allocating.
const headerRequestID = "X-Request-Id"

// header returns the first value of a request header whose name is given in
// canonical form. It indexes the map directly: net/http canonicalizes the
// names of incoming headers, and Header.Get would check the name again on
// every call, six times a request.
func header(r *http.Request, canonicalName string) string {
	if v := r.Header[canonicalName]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// requestIDs numbers the IDs this process makes; requestIDPrefix, random per
// process, keeps them apart from other processes' (replicas, restarts).
var (
	requestIDs atomic.Uint64
	// requestIDPrefix is "req_" and the 12 hex digits of this process.
	requestIDPrefix = func() (p [16]byte) {
		copy(p[:], "req_")
		for i, x := 0, rand.Uint64(); i < 12; i, x = i+1, x>>4 {
			p[4+i] = hexDigits[x&15]
		}
		return p
	}()
)

const hexDigits = "0123456789abcdef"

// requestID keeps a caller's X-Request-Id when it is short and plain (so logs on
// both sides line up), and makes one otherwise: req_ and 24 hex digits, 12 of
// the process's prefix and 12 of a counter.
func requestID(r *http.Request) string {
	if v := header(r, headerRequestID); v != "" && len(v) <= 128 && plainToken(v) {
		return v
	}
	var b [4 + 24]byte
	copy(b[:], requestIDPrefix[:])
	for i, x := 27, requestIDs.Add(1); i >= 16; i, x = i-1, x>>4 {
		b[i] = hexDigits[x&15]
	}
	return string(b[:])
}

func plainToken(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:", c) >= 0) {
			return false
		}
	}
	return true
}

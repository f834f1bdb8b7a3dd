// Package reqlog writes the mock's per-request log line.
//
// Every request gets one line, and formatting it through log/slog's
// TextHandler or JSONHandler is a noticeable share of the server's CPU
// (Record.AddAttrs, needsQuoting, time formatting). Handler is the one
// mechanism that makes it cheap: a slog.Handler that wraps the standard
// TextHandler or JSONHandler, to which every other log call is delegated
// unchanged, and that in addition writes the request line itself. For the
// request line it appends the very bytes the standard handler would write
// into a pooled buffer and hands them to the writer in one Write, as slog
// does.
//
// The fast path covers only what it can write byte for byte as slog would:
// the two levels a request line has (INFO, ERROR), string values of plain
// printable ASCII that neither handler quotes or escapes (and the empty
// string, which text writes as ""), and a time in years 1 to 9999. Anything
// else — a path with a space, a quote, '=', a backslash, a control or
// non-ASCII character; a handler made with ReplaceAttr or AddSource — goes
// through the standard handler as an ordinary slog.Record, so the output is
// the same either way. Handlers derived with WithAttrs or WithGroup are the
// standard handler's own and never take the fast path.
//
// Tests compare the two paths' bytes for many and fuzzed inputs (see
// reqlog_test.go); if a Go release changes slog's format, they fail.
package reqlog

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Line is one request line's content, in the order its fields are logged.
type Line struct {
	Time     time.Time
	Level    slog.Level
	ID       string // request_id
	Method   string
	Path     string
	LinkID   string // link_id
	Scenario string
	Status   int
	Duration time.Duration // written as milliseconds with three decimals: "0.123ms"
}

// message is the request line's msg.
const message = "request"

// appendDuration appends d as the line writes it: milliseconds, to the
// microsecond, with three decimals and "ms".
func appendDuration(b []byte, d time.Duration) []byte {
	b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 3, 64)
	return append(b, "ms"...)
}

// appendDurationFast is appendDuration by integer arithmetic, for the fast
// path: below a million seconds, float64(us)/1000 is close enough to the
// decimal us/1000 that AppendFloat's three decimals are exactly its digits.
// Longer durations take appendDuration (above 2^53 µs they differ).
func appendDurationFast(b []byte, d time.Duration) []byte {
	us := d.Microseconds()
	if us <= -1e12 || us >= 1e12 {
		return appendDuration(b, d)
	}
	if us < 0 {
		b = append(b, '-')
		us = -us
	}
	b = strconv.AppendInt(b, us/1000, 10)
	frac := us % 1000
	return append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10), 'm', 's')
}

// Record is the line as a slog.Record: what any handler but ours is given.
func (l *Line) Record() slog.Record {
	var dur [24]byte
	rec := slog.NewRecord(l.Time, l.Level, message, 0)
	rec.AddAttrs(
		slog.String("request_id", l.ID),
		slog.String("method", l.Method),
		slog.String("path", l.Path),
		slog.String("link_id", l.LinkID),
		slog.String("scenario", l.Scenario),
		slog.Int("status", l.Status),
		slog.String("duration", string(appendDuration(dur[:0], l.Duration))),
	)
	return rec
}

// Log writes l to h if h is enabled at l's level: itself when h is a
// *Handler that can write it exactly, and otherwise as l.Record() through
// h.Handle. It hands the record to the handler directly rather than through
// Logger.LogAttrs, which asks runtime.Callers for the caller's PC on every
// call for a source location the request line never has.
func Log(ctx context.Context, h slog.Handler, l *Line) error {
	if !h.Enabled(ctx, l.Level) {
		return nil
	}
	if fh, ok := h.(*Handler); ok && fh.fast {
		if done, err := fh.write(l); done {
			return err
		}
	}
	return h.Handle(ctx, l.Record())
}

// Handler is log/slog's TextHandler or JSONHandler, with a fast path for the
// request line (Log). Enabled, Handle, WithAttrs and WithGroup are the
// standard handler's.
type Handler struct {
	inner slog.Handler
	json  bool
	// fast is whether the options leave the standard form alone: no
	// ReplaceAttr, no AddSource.
	fast bool
	// w is the writer both paths write to: the fast path's lines and the
	// standard handler's records are serialized by the same mutex.
	w *lockedWriter
	// stamp is the time's formatting for the latest second seen.
	stamp atomic.Pointer[stamp]
}

// NewText is slog.NewTextHandler(w, opts) with the fast path.
func NewText(w io.Writer, opts *slog.HandlerOptions) *Handler {
	return newHandler(w, opts, false)
}

// NewJSON is slog.NewJSONHandler(w, opts) with the fast path.
func NewJSON(w io.Writer, opts *slog.HandlerOptions) *Handler {
	return newHandler(w, opts, true)
}

func newHandler(w io.Writer, opts *slog.HandlerOptions, json bool) *Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	h := &Handler{json: json, fast: opts.ReplaceAttr == nil && !opts.AddSource, w: &lockedWriter{w: w}}
	if json {
		h.inner = slog.NewJSONHandler(h.w, opts)
	} else {
		h.inner = slog.NewTextHandler(h.w, opts)
	}
	return h
}

func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *Handler) Handle(ctx context.Context, r slog.Record) error { return h.inner.Handle(ctx, r) }

func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.inner.WithAttrs(attrs) }

func (h *Handler) WithGroup(name string) slog.Handler { return h.inner.WithGroup(name) }

// lockedWriter serializes Writes: the standard handler locks its own mutex
// around each Write, which the fast path cannot share.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (lw *lockedWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.w.Write(p)
}

// bufPool holds the fast path's line buffers.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// maxPooled bounds the buffers returned to the pool, as slog does, so one
// huge line does not pin its buffer.
const maxPooled = 16 << 10

// write writes l by the fast path, in one Write; done is false, with
// nothing written, when l needs the standard handler.
func (h *Handler) write(l *Line) (done bool, err error) {
	bp := bufPool.Get().(*[]byte)
	b, ok := h.appendLine((*bp)[:0], l)
	if ok {
		_, err = h.w.Write(b)
	}
	if cap(b) <= maxPooled {
		*bp = b
		bufPool.Put(bp)
	}
	return ok, err
}

// appendLine appends l as the standard handler would write it, newline
// included; ok is false when that needs the standard handler.
func (h *Handler) appendLine(b []byte, l *Line) (_ []byte, ok bool) {
	var level string
	switch l.Level {
	case slog.LevelInfo:
		level = "INFO"
	case slog.LevelError:
		level = "ERROR"
	default:
		return b, false
	}
	plain := &textPlain
	if h.json {
		plain = &jsonPlain
	}
	for _, s := range [...]string{l.ID, l.Method, l.Path, l.LinkID, l.Scenario} {
		for i := 0; i < len(s); i++ {
			if !plain[s[i]] {
				return b, false
			}
		}
	}
	if l.Time.IsZero() { // slog leaves the time out
		return b, false
	}
	st := h.stampFor(l.Time)
	if st == nil {
		return b, false
	}
	if h.json {
		b = append(b, `{"time":"`...)
		b = st.appendJSON(b, l.Time)
		b = append(b, `","level":"`...)
		b = append(b, level...)
		b = append(b, `","msg":"`+message+`","request_id":"`...)
		b = append(b, l.ID...)
		b = append(b, `","method":"`...)
		b = append(b, l.Method...)
		b = append(b, `","path":"`...)
		b = append(b, l.Path...)
		b = append(b, `","link_id":"`...)
		b = append(b, l.LinkID...)
		b = append(b, `","scenario":"`...)
		b = append(b, l.Scenario...)
		b = append(b, `","status":`...)
		b = strconv.AppendInt(b, int64(l.Status), 10)
		b = append(b, `,"duration":"`...)
		b = appendDurationFast(b, l.Duration)
		return append(b, "\"}\n"...), true
	}
	b = append(b, "time="...)
	b = st.appendText(b, l.Time)
	b = append(b, " level="...)
	b = append(b, level...)
	b = append(b, " msg="+message+" request_id="...)
	b = appendText(b, l.ID)
	b = append(b, " method="...)
	b = appendText(b, l.Method)
	b = append(b, " path="...)
	b = appendText(b, l.Path)
	b = append(b, " link_id="...)
	b = appendText(b, l.LinkID)
	b = append(b, " scenario="...)
	b = appendText(b, l.Scenario)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.Status), 10)
	b = append(b, " duration="...)
	b = appendDurationFast(b, l.Duration)
	return append(b, '\n'), true
}

// appendText appends a string checked against textPlain: as it is, or ""
// when it is empty (slog quotes the empty string).
func appendText(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	return append(b, s...)
}

// textPlain and jsonPlain are the bytes the fast path writes as they are.
// They are a subset of what slog leaves alone — printable ASCII — and
// leave out everything slog changes and a little more, to stay clear of
// its edge cases:
//
//   - text (TextHandler, needsQuoting): a value is quoted when it is empty or
//     has a space, '"', '=', a control or a non-ASCII character; the fast
//     path also leaves out '\\' and DEL, which slog (today) writes bare.
//   - JSON (JSONHandler, appendEscapedJSONString, with HTML escaping off):
//     '"', '\\' and control characters are escaped, invalid UTF-8 and
//     U+2028/U+2029 replaced; the fast path takes ' ' to '~' but for '"'
//     and '\\'.
var textPlain, jsonPlain = func() (text, json [256]bool) {
	for c := '!'; c <= '~'; c++ {
		text[c] = c != '"' && c != '=' && c != '\\'
	}
	for c := ' '; c <= '~'; c++ {
		json[c] = c != '"' && c != '\\'
	}
	return
}()

// stamp is the formatting of one second of time at one UTC offset: the
// date and time up to the seconds, "2006-01-02T15:04:05", and the offset,
// "Z07:00" ("Z" or "+01:00"), as time.RFC3339Nano writes them. The
// fraction in between is the line's own. A second is cached: requests in
// the same second reuse it.
type stamp struct {
	unix   int64
	offset int
	prefix []byte // up to the seconds
	zone   []byte
}

// stampFor returns the stamp for t's second and offset, nil for a year
// outside 1 to 9999 (where slog's forms differ: JSON adds an error).
func (h *Handler) stampFor(t time.Time) *stamp {
	unix := t.Unix()
	_, offset := t.Zone()
	if st := h.stamp.Load(); st != nil && st.unix == unix && st.offset == offset {
		return st
	}
	if y := t.Year(); y < 1 || y > 9999 {
		return nil
	}
	// The whole seconds, formatted as slog formats times: with no fraction,
	// RFC3339Nano writes none, and the 19 bytes before the offset are the
	// date and the time of day.
	s := t.Truncate(time.Second).AppendFormat(make([]byte, 0, 32), time.RFC3339Nano)
	const prefixLen = len("2006-01-02T15:04:05")
	st := &stamp{unix: unix, offset: offset, prefix: s[:prefixLen:prefixLen], zone: s[prefixLen:]}
	h.stamp.Store(st)
	return st
}

// appendText appends t as TextHandler writes it (appendRFC3339Millis): to
// the millisecond, truncated, always three digits.
func (st *stamp) appendText(b []byte, t time.Time) []byte {
	b = append(b, st.prefix...)
	ms := t.Nanosecond() / 1e6
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, st.zone...)
}

// appendJSON appends t as JSONHandler writes it (RFC3339Nano, unquoted):
// nanoseconds with the trailing zeros trimmed, no fraction at all for a
// whole second.
func (st *stamp) appendJSON(b []byte, t time.Time) []byte {
	b = append(b, st.prefix...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := len(frac)
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, st.zone...)
}

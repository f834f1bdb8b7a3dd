package handlers_test

import (
	"bytes"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/handlers"
	"github.com/moneykit-mock/moneykit-mock/internal/reqlog"
)

// TestRequestLogSameThroughEitherHandler: the server's request lines are
// the same through reqlog's handler (the command's) as through slog's own
// (a library user's), in text and JSON, for plain paths and for paths and
// IDs that slog quotes or escapes. Only the times and durations, which
// differ from run to run, are masked.
func TestRequestLogSameThroughEitherHandler(t *testing.T) {
	mask := regexp.MustCompile(`time=\S+|"time":"[^"]*"|duration=\S+|"duration":"[^"]*"`)
	reqs := []request{
		{path: "/links/mk_demo/identity", header: map[string]string{"Authorization": "Bearer " + staticToken, "X-Request-Id": "req_fixed"}},
		{path: "/links/mk_demo/accounts", header: map[string]string{"Authorization": "Bearer " + staticToken}},
		{path: "/links/mk_demo/identity"}, // 401
		{path: "/links/mk%20spaced/identity", header: map[string]string{"Authorization": "Bearer " + staticToken}},
		{path: "/links/mk_%C3%A9/identity", header: map[string]string{"Authorization": "Bearer " + staticToken}},
		{path: "/links/mk_q%22uote=/identity", header: map[string]string{"Authorization": "Bearer " + staticToken}},
		{path: "/links/mk_back%5Cslash/identity", header: map[string]string{"Authorization": "Bearer " + staticToken}},
		{path: "/nowhere", header: map[string]string{"Authorization": "Bearer " + staticToken}},
		{method: "POST", path: "/links/mk_demo/products", header: map[string]string{"Authorization": "Bearer " + staticToken}},
		{method: "HEAD", path: "/links/mk_demo/identity", header: map[string]string{"Authorization": "Bearer " + staticToken}},
	}
	for _, json := range []bool{false, true} {
		lines := func(lh func(io.Writer) slog.Handler) string {
			var buf bytes.Buffer
			h := newServer(t, func(d *handlers.Deps) { d.Config.Logger = slog.New(lh(&buf)) })
			for _, r := range reqs {
				do(t, h, r)
			}
			// Made request IDs count up process-wide; mask them too.
			return regexp.MustCompile(`req_[0-9a-f]{24}`).ReplaceAllString(mask.ReplaceAllString(buf.String(), "T"), "req_N")
		}
		var ours, std func(io.Writer) slog.Handler
		if json {
			ours = func(w io.Writer) slog.Handler { return reqlog.NewJSON(w, nil) }
			std = func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }
		} else {
			ours = func(w io.Writer) slog.Handler { return reqlog.NewText(w, nil) }
			std = func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }
		}
		got, want := lines(ours), lines(std)
		if got != want {
			t.Errorf("json=%v: through reqlog:\n%s\nthrough slog:\n%s", json, got, want)
		}
		if n := strings.Count(want, "request"); n < len(reqs) {
			t.Errorf("json=%v: %d request lines, want %d:\n%s", json, n, len(reqs), want)
		}
	}
}

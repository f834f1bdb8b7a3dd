package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// streamServer serves a fresh Server on 127.0.0.1; done gets a value each
// time a stream's handler returns.
func streamServer(t *testing.T) (s *Server, url string, done chan struct{}) {
	t.Helper()
	s = New(Deps{Config: config.Config{Seed: 1, StaticToken: "tok"}})
	done = make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r)
		if r.URL.Path == "/_mock/requests/stream" {
			done <- struct{}{}
		}
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL, done
}

// hit makes a data request through the server, as a client would.
func hit(t *testing.T, s *Server, path, session string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Authorization", "Bearer tok")
	if session != "" {
		r.Header.Set("X-Mock-Session", session)
	}
	s.ServeHTTP(httptest.NewRecorder(), r)
}

type event struct {
	id, data, comment string
}

// stream is one open GET /_mock/requests/stream.
type stream struct {
	t      *testing.T
	events chan event
	cancel context.CancelFunc
}

func openStream(t *testing.T, url, query string, header map[string]string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/_mock/requests/stream"+query, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream answered %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	st := &stream{t: t, events: make(chan event, 1000), cancel: cancel}
	go func() {
		defer res.Body.Close()
		defer close(st.events)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 1<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				st.events <- ev
				ev = event{}
			case strings.HasPrefix(line, ":"):
				ev.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "data: "):
				ev.data += line[6:]
			}
		}
	}()
	return st
}

// next returns the next event with data, skipping comments and retry lines.
func (st *stream) next() state.Request {
	st.t.Helper()
	timeout := time.After(2 * time.Second)
	for {
		select {
		case ev, ok := <-st.events:
			if !ok {
				st.t.Fatal("stream ended")
			}
			if ev.data == "" {
				continue
			}
			var e struct {
				Seq     uint64 `json:"seq"`
				LinkID  string `json:"link_id"`
				Session string `json:"session"`
				Status  int    `json:"status"`
			}
			if err := json.Unmarshal([]byte(ev.data), &e); err != nil {
				st.t.Fatalf("data is not JSON: %v: %s", err, ev.data)
			}
			if ev.id != fmt.Sprint(e.Seq) {
				st.t.Errorf("id: %s for an entry with seq %d", ev.id, e.Seq)
			}
			return state.Request{Seq: e.Seq, LinkID: e.LinkID, Session: e.Session, Status: e.Status}
		case <-timeout:
			st.t.Fatal("no event within 2s")
			return state.Request{}
		}
	}
}

// quiet checks that no entry arrives for a while.
func (st *stream) quiet(d time.Duration) {
	st.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev := <-st.events:
			if ev.data != "" {
				st.t.Errorf("unexpected entry %s", ev.data)
			}
		case <-deadline:
			return
		}
	}
}

func TestRequestStream(t *testing.T) {
	s, url, _ := streamServer(t)
	hit(t, s, "/links/mk_a/identity", "")
	hit(t, s, "/links/mk_b/identity", "")
	hit(t, s, "/links/mk_a", "")

	// The backlog first, filtered, then new entries as they come.
	st := openStream(t, url, "?link=mk_a", nil)
	if e := st.next(); e.Seq != 1 || e.LinkID != "mk_a" {
		t.Errorf("first = %+v, want seq 1 of mk_a", e)
	}
	if e := st.next(); e.Seq != 3 {
		t.Errorf("second = %+v, want seq 3", e)
	}
	hit(t, s, "/links/mk_b/identity", "")
	hit(t, s, "/links/mk_deleted_x/identity", "")
	hit(t, s, "/links/mk_a/identity", "")
	if e := st.next(); e.Seq != 6 || e.LinkID != "mk_a" {
		t.Errorf("live = %+v, want seq 6 of mk_a", e)
	}

	// Last-Event-ID resumes after that entry; status= and limit= filter.
	st2 := openStream(t, url, "", map[string]string{"Last-Event-ID": "4"})
	if e := st2.next(); e.Seq != 5 {
		t.Errorf("after Last-Event-ID 4: %+v, want seq 5", e)
	}
	// An ID from before a restart (beyond the last seq) is no resume point.
	st5 := openStream(t, url, "?link=mk_a", map[string]string{"Last-Event-ID": "9999"})
	if e := st5.next(); e.Seq != 1 {
		t.Errorf("after Last-Event-ID 9999: %+v, want the backlog from seq 1", e)
	}
	st3 := openStream(t, url, "?status=4xx", nil)
	if e := st3.next(); e.Seq != 5 || e.Status != http.StatusGone {
		t.Errorf("status=4xx: %+v, want seq 5 (410)", e)
	}
	st4 := openStream(t, url, "?limit=1", nil)
	if e := st4.next(); e.Seq != 6 {
		t.Errorf("limit=1: %+v, want only the newest, seq 6", e)
	}
	hit(t, s, "/links/mk_c/identity", "")
	hit(t, s, "/links/mk_c/identity", "")
	if a, b := st4.next(), st4.next(); a.Seq != 7 || b.Seq != 8 {
		t.Errorf("after the backlog, limit= no longer applies: got %d, %d", a.Seq, b.Seq)
	}

	// Sessions: a stream sees its own session's, or all with session=*.
	mine := openStream(t, url, "", map[string]string{"X-Mock-Session": "s1"})
	all := openStream(t, url, "?session=*&link=mk_s", nil)
	def := openStream(t, url, "?link=mk_s", nil)
	hit(t, s, "/links/mk_s/identity", "s1")
	if e := mine.next(); e.Session != "s1" || e.LinkID != "mk_s" {
		t.Errorf("own session: %+v", e)
	}
	if e := all.next(); e.Session != "s1" {
		t.Errorf("session=*: %+v", e)
	}
	def.quiet(100 * time.Millisecond)
}

func TestRequestStreamRefusals(t *testing.T) {
	_, url, _ := streamServer(t)
	for _, q := range []string{"?count=true", "?status=99", "?session=a%20b"} {
		res, err := http.Get(url + "/_mock/requests/stream" + q)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", q, res.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/_mock/requests/stream", nil)
	req.Header.Set("Last-Event-ID", "x")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("Last-Event-ID: x = %d, want 400", res.StatusCode)
	}
}

func TestRequestStreamHeartbeatAndEnd(t *testing.T) {
	old := streamHeartbeat.Swap(int64(30 * time.Millisecond))
	defer streamHeartbeat.Store(old)
	_, url, done := streamServer(t)
	st := openStream(t, url, "", nil)
	timeout := time.After(2 * time.Second)
	for beats := 0; beats < 2; {
		select {
		case ev := <-st.events:
			if ev.comment == "heartbeat" {
				beats++
			}
		case <-timeout:
			t.Fatal("no heartbeats")
		}
	}
	// The client goes: the handler ends.
	st.cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the stream's handler is still running after its client went")
	}
}

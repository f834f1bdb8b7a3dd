package handlers

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/moneykit-mock/moneykit-mock/config"
	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
	"github.com/moneykit-mock/moneykit-mock/state"
	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

// webhookSender owns the webhook dispatcher and the scheduler of refresh
// completions. Both start on first use, so a server that never sends a
// webhook (most test servers) runs no goroutine; Close stops and joins them.
type webhookSender struct {
	keys   *webhooks.Keyset
	policy *webhooks.Policy
	cfg    webhooks.Config
	clock  *state.Clock

	mu    sync.Mutex
	d     *webhooks.Dispatcher
	sched *scheduler
}

// newWebhookSender keeps the keys and policy mock.New made (or, when nil,
// the seed's key and the policy for the configured address).
func newWebhookSender(c config.Config, clock *state.Clock, keys *webhooks.Keyset, policy *webhooks.Policy) *webhookSender {
	if keys == nil {
		keys = DefaultWebhookKeys(c.Seed, c.WebhookRotate)
	}
	if policy == nil {
		var err error
		if policy, err = webhooks.NewPolicy(c.Addr, c.WebhookAllow); err != nil {
			policy = &webhooks.Policy{} // public addresses only
		}
	}
	return &webhookSender{keys: keys, policy: policy, clock: clock, cfg: webhooks.Config{
		Keys:   keys,
		Policy: policy,
		Seed:   c.Seed,
		Retry:  webhooks.Retry{Initial: c.WebhookBackoff, Factor: 2, MaxAttempts: c.WebhookAttempts},
		Logger: c.Logger,
	}}
}

func (ws *webhookSender) start() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.d != nil {
		return
	}
	d, err := webhooks.New(ws.cfg)
	if err != nil {
		panic("handlers: webhooks.New with a keyset: " + err.Error()) // only a nil keyset fails
	}
	ws.d, ws.sched = d, newScheduler(ws.clock)
}

// running returns the dispatcher and scheduler, nil when not started.
func (ws *webhookSender) running() (*webhooks.Dispatcher, *scheduler) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.d, ws.sched
}

// dispatcher returns the dispatcher, starting it when it is not yet.
func (ws *webhookSender) dispatcher() *webhooks.Dispatcher {
	ws.start()
	d, _ := ws.running()
	return d
}

// scheduler returns the scheduler, starting it when it is not yet.
func (ws *webhookSender) scheduler() *scheduler { ws.start(); _, sc := ws.running(); return sc }

// reset forgets the deliveries of one session (all of them with all), when
// any were made.
func (ws *webhookSender) reset(session string, all bool) {
	d, _ := ws.running()
	switch {
	case d == nil:
	case all:
		d.ResetAll()
	default:
		d.Reset(hookSession(session))
	}
}

// close stops and joins what start started.
func (ws *webhookSender) close(ctx context.Context) error {
	ws.mu.Lock()
	d, sc := ws.d, ws.sched
	ws.d, ws.sched = nil, nil
	ws.mu.Unlock()
	if d == nil {
		return nil
	}
	sc.close()
	return d.Close(ctx)
}

// DefaultWebhookKeys is the seed's webhook signing keys: one key, or with
// rotate a second one that signs while the first stays in the JWKS.
func DefaultWebhookKeys(seed uint64, rotate bool) *webhooks.Keyset {
	first, err := webhooks.DeriveKey(seed, "1")
	if err != nil {
		panic("handlers: derive webhook key: " + err.Error()) // derivation does not fail
	}
	ks := webhooks.NewKeyset(first)
	if rotate {
		second, err := webhooks.DeriveKey(seed, "2")
		if err != nil {
			panic("handlers: derive webhook key: " + err.Error())
		}
		ks.Rotate(second)
	}
	return ks
}

// WebhookPolicy is where webhooks may be sent, for the start-up log.
func (s *Server) WebhookPolicy() *webhooks.Policy { return s.hooks.policy }

// Close stops the background work the server owns: the webhook scheduler
// and the dispatcher's workers, waiting for deliveries in flight until ctx
// is done.
func (s *Server) Close(ctx context.Context) error { return s.hooks.close(ctx) }

// checkWebhookURL checks a webhook URL where it is set, with the policy
// that dialing it will be held to.
func (s *Server) checkWebhookURL(u string) error { return s.hooks.policy.ValidateURL(u) }

// chaosOf is the delivery chaos a link's scenario entry asks for.
func chaosOf(e *scenarios.Entry) webhooks.Chaos {
	if e == nil || e.Webhooks == nil {
		return webhooks.Chaos{}
	}
	w := e.Webhooks
	c := webhooks.Chaos{Delay: w.Delay.Min, DelayMax: w.Delay.Max, Duplicate: w.Duplicate, Reorder: w.Reorder, Drop: w.Drop}
	switch w.FailSignature {
	case "wrong_key":
		c.FailSignature = webhooks.SignWrongKey
	case "wrong_hash":
		c.FailSignature = webhooks.SignWrongHash
	}
	return c
}

// hookTarget is where a link's webhooks go: its webhook, in its session.
type hookTarget struct {
	session string
	url     string
	linkID  string
	tags    []string
	chaos   webhooks.Chaos
}

// target is the webhook target of a link as its data shows it; ok is false
// when the link has no webhook.
func (s *Server) target(lr linkRequest, l *fixtures.Link) (hookTarget, bool) {
	if l.Webhook == nil || *l.Webhook == "" {
		return hookTarget{}, false
	}
	return hookTarget{session: hookSession(lr.sess.Name()), url: *l.Webhook, linkID: lr.id, tags: l.LinkTags, chaos: chaosOf(lr.entry)}, true
}

// base is the envelope of the link's next webhook, made at the clock time at.
func (s *Server) base(sess state.Session, t hookTarget, at time.Time) webhooks.Base {
	var seq uint64
	sess.UpdateRuntime(t.linkID, func(rt *fixtures.Runtime) { rt.Events++; seq = rt.Events })
	tags := t.tags
	if tags == nil {
		tags = []string{}
	}
	return webhooks.Base{LinkID: t.linkID, LinkTags: tags, Seq: seq, Time: at}
}

// send queues payloads for t; errors are recorded in the delivery records,
// which is where a test looks for them.
func (s *Server) send(t hookTarget, ps ...webhooks.Payload) {
	tg := webhooks.Target{Session: t.session, URL: t.url}
	if len(ps) == 1 {
		s.hooks.dispatcher().Enqueue(tg, ps[0], t.chaos)
		return
	}
	s.hooks.dispatcher().EnqueueBatch(tg, ps, t.chaos)
}

// stateChanged sends link.state_changed for a link whose state changed.
func (s *Server) stateChanged(lr linkRequest, l *fixtures.Link, msg string) {
	t, ok := s.target(lr, l)
	if !ok {
		return
	}
	linkErr := ""
	if l.ErrorCode != nil {
		linkErr = *l.ErrorCode
	}
	p, err := s.build.LinkStateChanged(s.base(lr.sess, t, s.clock.Now()), l.State, linkErr, msg)
	if err == nil {
		s.send(t, p)
	}
}

// refreshEvents sends link.product_refresh for each refreshed product:
// in_progress at once, then completed or failed when the refresh ends by
// the mock's clock (a pinned clock ends it when it is moved past the end).
// The events of one refresh go as one batch, in product order, so they
// arrive in that order; with the scenario's reorder, all of them go
// together at the end in reverse order (each completed or failed before its
// in_progress), the order a receiver must survive.
func (s *Server) refreshEvents(lr linkRequest, l *fixtures.Link, products []string) {
	t, ok := s.target(lr, l)
	if !ok {
		return
	}
	now := s.clock.Now()
	var started []webhooks.Payload
	var ends time.Time
	type ending struct {
		product, state, msg string
		done                time.Time
	}
	var endings []ending
	for _, product := range products {
		r, ok := lr.rt.Refreshes[product]
		if !ok {
			continue
		}
		p, err := s.build.ProductRefresh(s.base(lr.sess, t, now), product, "in_progress", r.Requested, "")
		if err != nil {
			continue
		}
		started = append(started, p)
		e := ending{product: product, state: "completed", done: r.Done}
		if r.Fail != "" {
			e.state, e.msg = "failed", fixtures.RefreshFailedMessage
		}
		endings = append(endings, e)
		ends = r.Ends
	}
	if len(started) == 0 {
		return
	}
	if !t.chaos.Reorder {
		s.send(t, started...)
	}
	sess := lr.sess
	s.hooks.scheduler().add(ends, func() {
		var ended []webhooks.Payload
		for _, e := range endings {
			if p, err := s.build.ProductRefresh(s.base(sess, t, ends), e.product, e.state, e.done, e.msg); err == nil {
				ended = append(ended, p)
			}
			// New transactions can be synced once their refresh succeeds.
			if e.product == "transactions" && e.state == "completed" {
				if p, err := s.build.TransactionsUpdatesAvailable(s.base(sess, t, ends), true); err == nil {
					ended = append(ended, p)
				}
			}
		}
		if t.chaos.Reorder {
			ended = append(slices.Clone(started), ended...) // the natural order, then reversed
			slices.Reverse(ended)
			t.chaos.Reorder = false // the batch is in the order wanted; do not shuffle it
		}
		s.send(t, ended...)
	})
}

// scheduler runs work when the mock's clock reaches a time: on a real clock
// by a timer, on a pinned one when the clock is moved. It is bounded; its
// goroutine is stopped and joined by close.
type scheduler struct {
	clock *state.Clock
	mu    sync.Mutex
	items []scheduled // sorted by at
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

type scheduled struct {
	at   time.Time
	fire func()
}

// maxScheduled bounds the work waiting for its time; past it, the soonest
// due work is run at once rather than the queue growing.
const maxScheduled = 10_000

func newScheduler(c *state.Clock) *scheduler {
	sc := &scheduler{clock: c, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go sc.run()
	return sc
}

func (sc *scheduler) add(at time.Time, fire func()) {
	sc.mu.Lock()
	i := sort.Search(len(sc.items), func(i int) bool { return sc.items[i].at.After(at) })
	sc.items = append(sc.items, scheduled{})
	copy(sc.items[i+1:], sc.items[i:])
	sc.items[i] = scheduled{at: at, fire: fire}
	var overflow func()
	if len(sc.items) > maxScheduled {
		overflow, sc.items = sc.items[0].fire, sc.items[1:]
	}
	sc.mu.Unlock()
	if overflow != nil {
		overflow()
	}
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

func (sc *scheduler) run() {
	defer close(sc.done)
	for {
		changed := sc.clock.Changed() // before reading the time, so no move is missed
		now := sc.clock.Now()
		sc.mu.Lock()
		n := sort.Search(len(sc.items), func(i int) bool { return sc.items[i].at.After(now) })
		due := append([]scheduled(nil), sc.items[:n]...)
		sc.items = sc.items[n:]
		var next time.Time
		if len(sc.items) > 0 {
			next = sc.items[0].at
		}
		sc.mu.Unlock()
		for _, it := range due {
			it.fire()
		}
		var t *time.Timer
		var timer <-chan time.Time
		if !next.IsZero() && !sc.clock.Pinned() {
			t = time.NewTimer(next.Sub(now))
			timer = t.C
		}
		select {
		case <-timer:
		case <-changed:
		case <-sc.wake:
		case <-sc.stop:
			return
		}
		if t != nil {
			t.Stop()
		}
	}
}

func (sc *scheduler) close() {
	sc.once.Do(func() { close(sc.stop) })
	<-sc.done
}

// handleJWKS handles "GET /.well-known/jwks.json": the public keys webhooks
// are signed with. It needs no credentials, as SDK 0.2.3 sends none.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, s.hooks.keys.JWKSJSON())
	return nil
}

// testEvents are the webhook_event values of WebhookLinkTestEvent.
var testEvents = []string{"link.state_changed", "transactions.updates_available", "product.state_changed", "link.product_refresh"}

// handleTestWebhook handles "POST /webhooks/test/link/{id}": it sends the
// link the webhook event asked for, with the idempotency key given, and
// answers 200 {delivery_token}. A link without a webhook is a 400
// link_error.bad_config. product.state_changed sends link.product_refresh,
// the payload that name stands for.
func (s *Server) handleTestWebhook(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	id, err := linkID(ri)
	if err != nil {
		return err
	}
	var req struct {
		Event *string `json:"webhook_event"`
		Key   *string `json:"webhook_idempotency_key"`
	}
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	var problems []ValidationError
	switch {
	case req.Event == nil:
		problems = append(problems, ValidationError{Location: []any{"body", "webhook_event"}, Message: "Field required", Type: "missing"})
	case !contains(testEvents, *req.Event):
		problems = append(problems, ValidationError{Location: []any{"body", "webhook_event"}, Message: "Input should be " + quotedList(testEvents), Type: "enum"})
	}
	if req.Key == nil {
		problems = append(problems, ValidationError{Location: []any{"body", "webhook_idempotency_key"}, Message: "Field required", Type: "missing"})
	}
	if len(problems) > 0 {
		return &APIError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Message: MsgValidation, ValidationErrors: problems}
	}
	lr, err := s.enterLink(r, ri, id)
	if err != nil {
		return err
	}
	l := s.data(ri, lr).Link
	t, ok := s.target(lr, &l)
	if !ok {
		return &APIError{Status: http.StatusBadRequest, Code: CodeBadConfig, Message: MsgBadConfig}
	}
	now := s.clock.Now()
	base := s.base(lr.sess, t, now)
	base.Key = *req.Key
	var p webhooks.Payload
	switch *req.Event {
	case "link.state_changed":
		linkErr := ""
		if l.ErrorCode != nil {
			linkErr = *l.ErrorCode
		}
		p, err = s.build.LinkStateChanged(base, l.State, linkErr, "")
	case "transactions.updates_available":
		p, err = s.build.TransactionsUpdatesAvailable(base, true)
	default:
		p, err = s.build.ProductRefresh(base, "identity", "completed", now, "")
	}
	if err != nil {
		return err
	}
	rec, err := s.hooks.dispatcher().Enqueue(webhooks.Target{Session: t.session, URL: t.url}, p, t.chaos)
	if err != nil && rec.ID == "" {
		return err
	}
	return s.writeValue(w, http.StatusOK, struct {
		DeliveryToken string `json:"delivery_token"`
	}{rec.DeliveryToken})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// maxWebhookWait bounds GET /_mock/webhooks?wait=.
const maxWebhookWait = 30 * time.Second

// handleListWebhooks handles "GET /_mock/webhooks": the webhook deliveries of
// the caller's session (or, with session=, another's or, with *, all),
// oldest first, each with its event, link, URL, body, the headers sent and
// every attempt. Filters: link, event, status (pending, delivered, failed,
// dropped or final), since (a seq), limit; count=true answers {"count": N}.
// wait=5s blocks until min (default 1) matching deliveries are final, or the
// wait ends, so a test can wait for "delivered" without sleeping.
func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	q := r.URL.Query()
	if err := onlyParams(q, "link", "event", "status", "since", "limit", "count", "session", "wait", "min"); err != nil {
		return err
	}
	if ri.sessionErr != nil {
		return ri.sessionErr
	}
	f := webhooks.Filter{Session: hookSession(ri.session), LinkID: q.Get("link"), Event: webhooks.Event(q.Get("event"))}
	switch v := q.Get("session"); {
	case v == "*":
		f.Session = "" // every session
	case v != "":
		if !validSessionName(v) {
			return errValidation(http.StatusBadRequest, []any{"query", "session"}, "session must be * or a session name", "value_error")
		}
		f.Session = v
	}
	if v := q.Get("status"); v != "" {
		st := webhooks.Status(v)
		if !contains([]string{"pending", "delivered", "failed", "dropped", "final"}, v) {
			return errValidation(http.StatusBadRequest, []any{"query", "status"}, "status must be pending, delivered, failed, dropped or final", "enum")
		}
		f.Status = st
	}
	var err error
	if v := q.Get("since"); v != "" {
		if f.Since, err = parseUint(v); err != nil {
			return errValidation(http.StatusBadRequest, []any{"query", "since"}, "since must be a seq number", "int_parsing")
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := parseUint(v)
		if err != nil || n < 1 {
			return errValidation(http.StatusBadRequest, []any{"query", "limit"}, "limit must be a whole number of at least 1", "int_parsing")
		}
		f.Limit = int(min(n, 1<<20))
	}
	count := false
	if v := q.Get("count"); v != "" {
		if count, err = parseBool(v); err != nil {
			return errValidation(http.StatusBadRequest, []any{"query", "count"}, "count must be true or false", "bool_parsing")
		}
	}
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > maxWebhookWait {
			return errValidation(http.StatusBadRequest, []any{"query", "wait"}, "wait must be a duration from 0s to 30s", "duration_parsing")
		}
		n := uint64(1)
		if v := q.Get("min"); v != "" {
			if n, err = parseUint(v); err != nil || n < 1 || n > 10_000 {
				return errValidation(http.StatusBadRequest, []any{"query", "min"}, "min must be a whole number from 1 to 10000", "int_parsing")
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		wf := f
		wf.Limit = 0
		if wf.Status == "" {
			wf.Status = "final"
		}
		s.hooks.dispatcher().Wait(ctx, wf, int(n)) // a timeout is not an error: the answer says what arrived
		cancel()
	}
	if count {
		return s.writeValue(w, http.StatusOK, struct {
			Count int `json:"count"`
		}{s.hooks.dispatcher().Count(f)})
	}
	list := s.hooks.dispatcher().List(f)
	for i := range list {
		if list[i].Session == defaultHookSession {
			list[i].Session = ""
		}
	}
	if list == nil {
		list = []webhooks.Record{}
	}
	return s.writeValue(w, http.StatusOK, struct {
		Deliveries []webhooks.Record `json:"deliveries"`
	}{Deliveries: list})
}

// handleRedeliver handles "POST /_mock/webhooks/{delivery}/redeliver": it
// sends a delivery's body again as a new delivery, and answers 201 with it.
func (s *Server) handleRedeliver(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	id := ri.vars["delivery"]
	rec, ok := s.hooks.dispatcher().Get(id)
	if !ok || rec.Session != hookSession(ri.session) {
		return &APIError{Status: http.StatusNotFound, Code: CodeRouteNotFound, Message: "No such webhook delivery: " + clip(id, 40)}
	}
	next, err := s.hooks.dispatcher().Redeliver(id)
	if err != nil && next.ID == "" {
		return err
	}
	if next.Session == defaultHookSession {
		next.Session = ""
	}
	return s.writeValue(w, http.StatusCreated, next)
}

// defaultHookSession is the dispatcher's name for the mock's default
// session: the dispatcher's empty session filter means every session, and
// this name cannot be an X-Mock-Session (parentheses are not allowed).
const defaultHookSession = "(default)"

func hookSession(name string) string {
	if name == "" {
		return defaultHookSession
	}
	return name
}

func parseUint(v string) (uint64, error) { return strconv.ParseUint(v, 10, 64) }

func parseBool(v string) (bool, error) { return strconv.ParseBool(v) }

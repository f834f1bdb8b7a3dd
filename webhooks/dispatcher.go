package webhooks

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The defaults of Config, written once here.
const (
	DefaultQueueSize       = 256
	DefaultWorkers         = 4
	DefaultTimeout         = 5 * time.Second
	DefaultInitialBackoff  = 200 * time.Millisecond
	DefaultBackoffFactor   = 2.0
	DefaultMaxAttempts     = 5
	DefaultResponseLimit   = 4 << 10
	DefaultMaxPerSession   = 1000
	DefaultMaxSessionBytes = 8 << 20
	DefaultMaxTotalBytes   = 64 << 20
	// DefaultUserAgent is sent as User-Agent. No source publishes the one
	// MoneyKit uses, so this is a plain, product-like name (unverified).
	DefaultUserAgent = "MoneyKit-Webhooks/1.0"
)

// Clock is the time source of a Dispatcher: Now stamps attempts and their
// signatures' iat, After waits out backoffs and chaos delays. Tests pass a
// clock whose After fires at once, so nothing sleeps.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Retry is the retry schedule: the wait after attempt n (n = 1, 2…) is
// Initial × Factor^(n-1), capped at Max when Max > 0, for at most
// MaxAttempts attempts in all.
type Retry struct {
	Initial     time.Duration
	Factor      float64
	Max         time.Duration
	MaxAttempts int
}

// Backoff returns the wait after attempt n.
func (r Retry) Backoff(n int) time.Duration {
	d := float64(r.Initial)
	for i := 1; i < n; i++ {
		d *= r.Factor
		if r.Max > 0 && d >= float64(r.Max) {
			return r.Max
		}
	}
	if r.Max > 0 && d > float64(r.Max) {
		return r.Max
	}
	return time.Duration(d)
}

// Config configures a Dispatcher. Zero fields take the Default… values.
type Config struct {
	// Keys signs every attempt; required.
	Keys *Keyset
	// Policy checks every target; nil means the zero Policy (public
	// addresses only).
	Policy *Policy
	// Seed drives delivery tokens and chaos draws.
	Seed uint64
	// QueueSize bounds the deliveries (or batches) waiting for a worker.
	QueueSize int
	// Workers bounds the concurrent deliveries.
	Workers int
	// Timeout bounds one attempt: connect, request and response.
	Timeout time.Duration
	// Retry is the retry schedule; zero fields take the defaults (5
	// attempts, waits of 200ms, 400ms, 800ms, 1.6s).
	Retry Retry
	// ResponseLimit bounds how much of a receiver's body is read and kept.
	ResponseLimit int
	// UserAgent is the User-Agent header.
	UserAgent string
	// Clock is the time source; nil is the wall clock.
	Clock Clock
	// MaxPerSession, MaxSessionBytes and MaxTotalBytes bound the records:
	// per session by count and bytes, and over all sessions by bytes; the
	// oldest records go first.
	MaxPerSession, MaxSessionBytes, MaxTotalBytes int
	// Logger gets one debug line per attempt; nil discards.
	Logger *slog.Logger
	// TLSConfig, when not nil, is used for https targets (tests trust
	// httptest's certificate with it).
	TLSConfig *tls.Config
}

// Target is where a delivery goes and whom it belongs to.
type Target struct {
	Session string // the mock session (records are kept per session)
	URL     string // the link's webhook URL
}

// Chaos alters one delivery (or batch) for a test. Draws come from the
// dispatcher's seed and the payloads' idempotency keys, so the same seed and
// the same payloads behave the same way.
type Chaos struct {
	// Delay waits before the first attempt; with DelayMax > Delay the wait
	// is drawn from [Delay, DelayMax].
	Delay, DelayMax time.Duration
	// Duplicate sends each delivery this many extra times: the same body and
	// idempotency key, each copy its own record and delivery token.
	Duplicate int
	// Reorder sends a batch in a seeded shuffled order that is never the
	// natural one (when the batch has two or more distinct payloads).
	Reorder bool
	// Drop lists events ("link.product_refresh") and states ("completed")
	// that are never sent; their records are dropped by scenario.
	Drop []string
	// FailSignature, when not SignValid, signs so that verification fails.
	FailSignature SignMode
}

func (c Chaos) drops(p Payload) bool {
	return slices.Contains(c.Drop, string(p.Event)) || (p.State != "" && slices.Contains(c.Drop, p.State))
}

// Errors Enqueue wraps; the delivery is recorded in each case.
var (
	ErrQueueFull = errors.New("webhook queue full")
	ErrClosed    = errors.New("webhook dispatcher closed")
	ErrRefused   = errors.New("webhook target refused")
)

// Dispatcher delivers webhooks: a bounded queue feeding a bounded pool of
// workers, each delivery retried with backoff and kept as a Record. New
// starts the workers, Close stops and joins them. Safe for concurrent use.
type Dispatcher struct {
	cfg     Config
	clock   Clock
	policy  *Policy
	log     *slog.Logger
	client  *http.Client
	store   *store
	queue   chan []*Record
	quit    chan struct{}
	ctx     context.Context // canceled by Close: aborts attempts in flight
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.RWMutex // guards closed against sends on queue
	closed  bool
	closing sync.Once
}

// New returns a running Dispatcher.
func New(cfg Config) (*Dispatcher, error) {
	if cfg.Keys == nil {
		return nil, errors.New("webhooks: Config.Keys is nil")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.QueueSize, DefaultQueueSize)
	def(&cfg.Workers, DefaultWorkers)
	def(&cfg.ResponseLimit, DefaultResponseLimit)
	def(&cfg.Retry.MaxAttempts, DefaultMaxAttempts)
	def(&cfg.MaxPerSession, DefaultMaxPerSession)
	def(&cfg.MaxSessionBytes, DefaultMaxSessionBytes)
	def(&cfg.MaxTotalBytes, DefaultMaxTotalBytes)
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retry.Initial <= 0 {
		cfg.Retry.Initial = DefaultInitialBackoff
	}
	if cfg.Retry.Factor < 1 {
		cfg.Retry.Factor = DefaultBackoffFactor
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	d := &Dispatcher{cfg: cfg, clock: cfg.Clock, policy: cfg.Policy, log: cfg.Logger,
		store: newStore(cfg.MaxPerSession, cfg.MaxSessionBytes, cfg.MaxTotalBytes),
		queue: make(chan []*Record, cfg.QueueSize), quit: make(chan struct{})}
	if d.clock == nil {
		d.clock = realClock{}
	}
	if d.policy == nil {
		d.policy = &Policy{}
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.client = &http.Client{
		Transport: &http.Transport{
			Proxy:               nil, // never a proxy: it would dial for us, past the policy
			DialContext:         d.policy.DialContext(cfg.Timeout),
			TLSClientConfig:     cfg.TLSConfig,
			TLSHandshakeTimeout: cfg.Timeout,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        cfg.Workers,
			IdleConnTimeout:     30 * time.Second,
		},
		// A 3xx is the receiver's answer, and a failure; following it would
		// let a public URL bounce the mock to a private one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.wg.Add(cfg.Workers)
	for range cfg.Workers {
		go d.work()
	}
	return d, nil
}

// Policy returns the target policy in force.
func (d *Dispatcher) Policy() *Policy { return d.policy }

// Keys returns the keyset that signs.
func (d *Dispatcher) Keys() *Keyset { return d.cfg.Keys }

// Enqueue queues p for t and returns its record (the first, when chaos
// duplicates it). It never blocks: when the queue is full the delivery is
// recorded as dropped and the error wraps ErrQueueFull; a target the policy
// refuses is recorded as failed (ErrRefused); after Close, dropped
// (ErrClosed). A delivery dropped by chaos is not an error.
func (d *Dispatcher) Enqueue(t Target, p Payload, c Chaos) (Record, error) {
	recs, err := d.EnqueueBatch(t, []Payload{p}, c)
	if len(recs) == 0 {
		return Record{}, err
	}
	return recs[0], err
}

// EnqueueBatch queues the payloads of one change (a refresh's state
// events, say) as one job that a single worker sends in order: the natural
// order, or with c.Reorder a seeded shuffle of it. It returns the records in
// sending order, each followed by its duplicates. Errors as Enqueue.
func (d *Dispatcher) EnqueueBatch(t Target, ps []Payload, c Chaos) ([]Record, error) {
	if len(ps) == 0 {
		return nil, errors.New("webhooks: empty batch")
	}
	for _, p := range ps {
		if len(p.Body) == 0 || p.LinkID == "" {
			return nil, errors.New("webhooks: payload not built (empty body or link id)")
		}
	}
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	if c.Reorder {
		order = d.shuffle(ps)
	}
	now := d.clock.Now()
	var job, all []*Record
	for _, i := range order {
		p := ps[i]
		for copyN := 0; copyN <= max(c.Duplicate, 0); copyN++ {
			r := &Record{Session: t.Session, Event: p.Event, LinkID: p.LinkID, State: p.State,
				URL: t.URL, IdempotencyKey: p.IdempotencyKey, Body: slices.Clone(p.Body),
				Created: now, Status: StatusPending, SignMode: c.FailSignature,
				Attempts: []Attempt{}}
			r.Delay = d.delay(c, p, copyN)
			d.store.add(r)
			d.store.update(r, func(r *Record) {
				r.DeliveryToken = deliveryToken(d.cfg.Seed, r.ID)
				if copyN > 0 {
					r.DuplicateOf = all[len(all)-copyN].ID
				}
			})
			all = append(all, r)
			if c.drops(p) {
				d.finish(r, StatusDropped, "dropped by scenario: "+droppedWhy(c, p))
				continue
			}
			job = append(job, r)
		}
	}
	err := d.submit(t, job)
	return d.snapshot(all), err
}

// Redeliver sends the body of delivery id again as a new delivery: a new
// record, ID and delivery token, the same body, idempotency key and
// timestamp, a valid signature and no chaos, with RedeliveryOf set to id.
// The old record is kept unchanged.
func (d *Dispatcher) Redeliver(id string) (Record, error) {
	old, ok := d.store.get(id)
	if !ok {
		return Record{}, fmt.Errorf("webhooks: no delivery %q", id)
	}
	r := &Record{Session: old.Session, Event: old.Event, LinkID: old.LinkID, State: old.State,
		URL: old.URL, IdempotencyKey: old.IdempotencyKey, Body: slices.Clone(old.Body),
		Created: d.clock.Now(), Status: StatusPending, RedeliveryOf: old.ID, Attempts: []Attempt{}}
	d.store.add(r)
	d.store.update(r, func(r *Record) { r.DeliveryToken = deliveryToken(d.cfg.Seed, r.ID) })
	err := d.submit(Target{Session: old.Session, URL: old.URL}, []*Record{r})
	rec, _ := d.store.get(r.ID)
	if rec.ID == "" {
		rec = r.clone()
	}
	return rec, err
}

// submit checks the target and queues job without blocking.
func (d *Dispatcher) submit(t Target, job []*Record) error {
	if len(job) == 0 {
		return nil
	}
	if err := d.policy.ValidateURL(t.URL); err != nil {
		for _, r := range job {
			d.finish(r, StatusFailed, err.Error())
		}
		return fmt.Errorf("%w: %v", ErrRefused, err)
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		for _, r := range job {
			d.finish(r, StatusDropped, ErrClosed.Error())
		}
		return ErrClosed
	}
	select {
	case d.queue <- job:
		return nil
	default:
		msg := fmt.Sprintf("%s (capacity %d): delivery dropped", ErrQueueFull, cap(d.queue))
		for _, r := range job {
			d.finish(r, StatusDropped, msg)
		}
		return fmt.Errorf("%w (capacity %d): delivery dropped", ErrQueueFull, cap(d.queue))
	}
}

func droppedWhy(c Chaos, p Payload) string {
	if slices.Contains(c.Drop, string(p.Event)) {
		return "event " + string(p.Event)
	}
	return "state " + p.State
}

func (d *Dispatcher) snapshot(rs []*Record) []Record {
	out := make([]Record, len(rs))
	for i, r := range rs {
		d.store.mu.Lock()
		out[i] = r.clone()
		d.store.mu.Unlock()
	}
	return out
}

// delay draws the chaos delay of the copyN'th copy of p.
func (d *Dispatcher) delay(c Chaos, p Payload, copyN int) time.Duration {
	if c.DelayMax <= c.Delay {
		return max(c.Delay, 0)
	}
	h := hashParts(d.cfg.Seed, "delay", p.IdempotencyKey, strconv.Itoa(copyN))
	r := rand.New(rand.NewPCG(u64(h[:8]), u64(h[8:16])))
	return c.Delay + time.Duration(r.Int64N(int64(c.DelayMax-c.Delay)+1))
}

// shuffle returns a seeded permutation of ps's indexes that differs from the
// natural order whenever two payloads differ.
func (d *Dispatcher) shuffle(ps []Payload) []int {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.IdempotencyKey + "\x00" + string(p.Body)
	}
	natural := func(o []int) bool {
		for i := range o {
			if string(ps[o[i]].Body) != string(ps[i].Body) {
				return false
			}
		}
		return true
	}
	order := make([]int, len(ps))
	for try := 0; ; try++ {
		h := hashParts(d.cfg.Seed, "reorder", strconv.Itoa(try), strings.Join(keys, "\x01"))
		r := rand.New(rand.NewPCG(u64(h[:8]), u64(h[8:16])))
		for i := range order {
			order[i] = i
		}
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		if !natural(order) || try >= 16 {
			break
		}
	}
	if natural(order) { // all payloads equal, or 16 unlucky draws
		slices.Reverse(order)
	}
	return order
}

func u64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// deliveryToken is the MoneyKit-Delivery-Token of delivery id.
func deliveryToken(seed uint64, id string) string {
	h := hashParts(seed, "delivery-token", id)
	return uuidFrom(h)
}

// work is one worker: it takes jobs until Close.
func (d *Dispatcher) work() {
	defer d.wg.Done()
	for {
		select {
		case <-d.quit:
			return
		case job := <-d.queue:
			for _, r := range job {
				d.deliver(r)
			}
		}
	}
}

// sleep waits dur on the clock; false when the dispatcher closes first.
func (d *Dispatcher) sleep(dur time.Duration) bool {
	if dur <= 0 {
		return true
	}
	select {
	case <-d.clock.After(dur):
		return true
	case <-d.quit:
		return false
	}
}

func (d *Dispatcher) closedNow() bool {
	select {
	case <-d.quit:
		return true
	default:
		return false
	}
}

// deliver runs r's attempts to a final status.
func (d *Dispatcher) deliver(r *Record) {
	if d.closedNow() || !d.sleep(r.Delay) {
		d.finish(r, StatusDropped, ErrClosed.Error()+" before the first attempt")
		return
	}
	limit := d.cfg.Retry.MaxAttempts
	for n := 1; ; n++ {
		a := d.attempt(r, n)
		d.store.update(r, func(r *Record) { r.Attempts = append(r.Attempts, a) })
		d.log.Debug("webhook attempt", "delivery", r.ID, "session", r.Session, "event", r.Event,
			"link_id", r.LinkID, "attempt", n, "status", a.Status, "error", a.Error, "latency", a.Latency)
		if a.Error == "" {
			d.finish(r, StatusDelivered, "")
			return
		}
		if n >= limit {
			d.finish(r, StatusFailed, fmt.Sprintf("%d attempts failed; last: %s", n, a.Error))
			return
		}
		if !d.sleep(d.cfg.Retry.Backoff(n)) {
			d.finish(r, StatusFailed, fmt.Sprintf("%s after attempt %d; last: %s", ErrClosed, n, a.Error))
			return
		}
	}
}

func (d *Dispatcher) finish(r *Record, st Status, why string) {
	now := d.clock.Now()
	d.store.update(r, func(r *Record) {
		r.Status, r.Error, r.Finished = st, why, now
	})
}

// attempt makes attempt n of r. The body is r's, unchanged; the signature is
// made afresh with iat = the attempt's start, so a late retry still passes a
// receiver's age check; only MoneyKit-Delivery-Attempt, the signature and
// its iat change between attempts.
func (d *Dispatcher) attempt(r *Record, n int) Attempt {
	a := Attempt{Number: n, Start: d.clock.Now()}
	sig, err := d.cfg.Keys.Sign(r.Body, a.Start, r.SignMode)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	a.Headers = map[string]string{
		"Content-Type":        "application/json",
		"User-Agent":          d.cfg.UserAgent,
		SignatureHeader:       sig,
		DeliveryTokenHeader:   r.DeliveryToken,
		DeliveryAttemptHeader: strconv.Itoa(n),
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		a.Error = "build request: " + err.Error()
		return a
	}
	for k, v := range a.Headers {
		req.Header.Set(k, v)
	}
	t0 := time.Now() // latency is wall time whatever the clock
	resp, err := d.client.Do(req)
	if err != nil {
		a.Latency = time.Since(t0)
		a.Error = attemptError(ctx, err, d.cfg.Timeout)
		return a
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, int64(d.cfg.ResponseLimit)+1))
	resp.Body.Close()
	a.Latency = time.Since(t0)
	a.Status = resp.StatusCode
	if len(body) > d.cfg.ResponseLimit {
		body, a.Truncated = body[:d.cfg.ResponseLimit], true
	}
	a.Response = strings.ToValidUTF8(string(body), string(utf8.RuneError))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		a.Error = fmt.Sprintf("receiver answered %d (redirect to %q not followed)", resp.StatusCode, resp.Header.Get("Location"))
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		a.Error = fmt.Sprintf("receiver answered %d", resp.StatusCode)
	case rerr != nil:
		// A 2xx whose body broke off still acknowledged the delivery.
	}
	return a
}

func attemptError(ctx context.Context, err error, timeout time.Duration) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s: %v", timeout, errors.Unwrap(err))
	}
	if u := errors.Unwrap(err); u != nil {
		err = u // drop url.Error's `Post "…":` prefix, the URL is in the record
	}
	return err.Error()
}

// List returns the records matching f, oldest first (newest last), at most
// f.Limit of the newest when f.Limit > 0.
func (d *Dispatcher) List(f Filter) []Record { return d.store.list(f) }

// Count returns how many records match f (f.Limit is ignored).
func (d *Dispatcher) Count(f Filter) int { f.Limit = 0; return d.store.count(f) }

// Get returns the record with the given ID.
func (d *Dispatcher) Get(id string) (Record, bool) { return d.store.get(id) }

// Reset forgets the records of session. Deliveries in flight go on, unseen.
func (d *Dispatcher) Reset(session string) { d.store.reset(session, false) }

// ResetAll forgets every record.
func (d *Dispatcher) ResetAll() { d.store.reset("", true) }

// Wait blocks until n records matching f are final and returns them (all
// that match, oldest first), or returns ctx's error with those final so
// far. f.Status narrows which final status counts; "" or pending means any
// final status. It sleeps on a broadcast from the store, never polls.
func (d *Dispatcher) Wait(ctx context.Context, f Filter, n int) ([]Record, error) {
	return d.store.wait(ctx, f, n)
}

// Close stops taking deliveries, aborts the attempts in flight, joins the
// workers and records what was still queued as dropped. It returns ctx's
// error if the workers have not stopped by then. Calling it again waits
// again.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.closing.Do(func() {
		d.mu.Lock()
		d.closed = true
		d.mu.Unlock()
		close(d.quit)
		d.cancel()
	})
	done := make(chan struct{})
	go func() { // owned by Close; ends with the last worker
		d.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("close webhook dispatcher: %w", ctx.Err())
	}
	for {
		select {
		case job := <-d.queue:
			for _, r := range job {
				d.finish(r, StatusDropped, ErrClosed.Error()+" before the first attempt")
			}
		default:
			d.client.CloseIdleConnections()
			return nil
		}
	}
}

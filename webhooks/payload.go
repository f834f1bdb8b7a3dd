package webhooks

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Event is a webhook_event value.
type Event string

// The webhook events MoneyKit sends (py-sdk 0.2.3 payload models). The
// test-trigger enum also lists "product.state_changed", but no payload model
// carries it, so it is not an Event here: a trigger for it should send
// EventLinkProductRefresh.
const (
	EventLinkStateChanged             Event = "link.state_changed"
	EventLinkProductRefresh           Event = "link.product_refresh"
	EventTransactionsUpdatesAvailable Event = "transactions.updates_available"
)

// TimeLayout is how webhook_timestamp and state_changed_at are written, in
// UTC: microseconds and a "Z", the layout the rest of the mock uses for
// date-times.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// The enums a payload is checked against (moneykit-api.md §8); unexported so
// that nothing can change them.
var (
	// linkStates are the PublicLinkState values of link.state_changed.
	linkStates = []string{"connecting", "awaiting_token_exchange", "connected", "deleted", "error"}
	// linkErrors are the PublicLinkError values of link.state_changed's error.
	linkErrors = []string{"system_error", "provider_error", "institution_error", "user_error",
		"auth_expired", "no_accounts", "user_setup_required", "invalid_credentials",
		"user_oauth_denied", "user_input_incorrect", "incomplete"}
	// products are the Product values of link.product_refresh.
	products = []string{"accounts", "account_numbers", "identity", "transactions", "investments", "enrichment"}
	// productStates are the LinkProductState values of link.product_refresh.
	productStates = []string{"pending", "in_progress", "completed", "failed"}
)

// Time is a date-time that marshals in TimeLayout, in UTC.
type Time time.Time

// MarshalJSON writes t as a JSON string in TimeLayout, in UTC.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// Envelope is the part every webhook body shares. The field order is the one
// of the example body in moneykit-flows.md §A.2; webhook_event comes last and
// the event's own fields follow it.
type Envelope struct {
	WebhookMajorVersion   int      `json:"webhook_major_version"`
	WebhookMinorVersion   int      `json:"webhook_minor_version"`
	WebhookIdempotencyKey string   `json:"webhook_idempotency_key"`
	WebhookTimestamp      Time     `json:"webhook_timestamp"`
	LinkID                string   `json:"link_id"`
	LinkTags              []string `json:"link_tags"` // required: [] when none, never null
	WebhookEvent          Event    `json:"webhook_event"`
}

// LinkStateChanged is the body of link.state_changed
// (AppLinkStateChangedWebhook). Note the field is "error" here, not
// "error_code" as on the link.
type LinkStateChanged struct {
	Envelope
	State        string  `json:"state"`
	Error        *string `json:"error"`
	ErrorMessage *string `json:"error_message"`
}

// ProductRefresh is the body of link.product_refresh
// (ProductStateChangedWebhook).
type ProductRefresh struct {
	Envelope
	Product        string  `json:"product"`
	State          string  `json:"state"`
	StateChangedAt Time    `json:"state_changed_at"`
	ErrorMessage   *string `json:"error_message"`
}

// TransactionsUpdatesAvailable is the body of transactions.updates_available
// (TransactionUpdatesAvailableWebhook).
type TransactionsUpdatesAvailable struct {
	Envelope
	HasHistory bool `json:"has_history"`
}

// Payload is one webhook body, built and marshalled, with what the
// dispatcher and the records need to know about it. Body is never changed
// after building: retries and duplicates send the same bytes.
type Payload struct {
	Event          Event
	LinkID         string
	State          string // the state of link.state_changed or link.product_refresh; "" otherwise
	IdempotencyKey string
	Timestamp      time.Time
	Body           []byte
}

// Base is what every payload is built from. Seq tells apart payloads of the
// same link and event (1, 2, 3… per link, say); together with the seed it
// makes the idempotency key, so the same inputs give the same bytes.
type Base struct {
	LinkID   string
	LinkTags []string
	Seq      uint64
	Time     time.Time // becomes webhook_timestamp; pass the mock clock's time
	// Key, when not "", is the idempotency key to send instead of the derived
	// one: POST /webhooks/test/link/{id} lets the caller choose it.
	Key string
}

// Builder builds payloads for one seed. Building never reads the wall clock
// and never draws random numbers.
type Builder struct {
	Seed uint64
}

// IdempotencyKey returns the webhook_idempotency_key for (seed, link, event,
// seq): a SHA-256 of the four, shaped like a version-4 UUID because real
// keys look like opaque UUIDs to a client.
func IdempotencyKey(seed uint64, linkID string, event Event, seq uint64) string {
	return uuidFrom(hashParts(seed, "idempotency", linkID, string(event), fmt.Sprint(seq)))
}

// LinkStateChanged builds a link.state_changed payload. linkErr and msg may
// be "" (sent as null).
func (b Builder) LinkStateChanged(base Base, state, linkErr, msg string) (Payload, error) {
	if !slices.Contains(linkStates, state) {
		return Payload{}, fmt.Errorf("link.state_changed: unknown state %q", state)
	}
	if linkErr != "" && !slices.Contains(linkErrors, linkErr) {
		return Payload{}, fmt.Errorf("link.state_changed: unknown error %q", linkErr)
	}
	v := LinkStateChanged{Envelope: b.envelope(base, EventLinkStateChanged), State: state,
		Error: nullable(linkErr), ErrorMessage: nullable(msg)}
	return b.payload(base, EventLinkStateChanged, state, v)
}

// ProductRefresh builds a link.product_refresh payload. msg may be "" (sent
// as null).
func (b Builder) ProductRefresh(base Base, product, state string, changedAt time.Time, msg string) (Payload, error) {
	if !slices.Contains(products, product) {
		return Payload{}, fmt.Errorf("link.product_refresh: unknown product %q", product)
	}
	if !slices.Contains(productStates, state) {
		return Payload{}, fmt.Errorf("link.product_refresh: unknown state %q", state)
	}
	v := ProductRefresh{Envelope: b.envelope(base, EventLinkProductRefresh), Product: product,
		State: state, StateChangedAt: Time(changedAt), ErrorMessage: nullable(msg)}
	return b.payload(base, EventLinkProductRefresh, state, v)
}

// TransactionsUpdatesAvailable builds a transactions.updates_available
// payload.
func (b Builder) TransactionsUpdatesAvailable(base Base, hasHistory bool) (Payload, error) {
	v := TransactionsUpdatesAvailable{Envelope: b.envelope(base, EventTransactionsUpdatesAvailable),
		HasHistory: hasHistory}
	return b.payload(base, EventTransactionsUpdatesAvailable, "", v)
}

func (b Builder) envelope(base Base, ev Event) Envelope {
	tags := base.LinkTags
	if tags == nil {
		tags = []string{}
	}
	return Envelope{
		WebhookMajorVersion:   1,
		WebhookMinorVersion:   0,
		WebhookIdempotencyKey: b.key(base, ev),
		WebhookTimestamp:      Time(base.Time),
		LinkID:                base.LinkID,
		LinkTags:              tags,
		WebhookEvent:          ev,
	}
}

func (b Builder) key(base Base, ev Event) string {
	if base.Key != "" {
		return base.Key
	}
	return IdempotencyKey(b.Seed, base.LinkID, ev, base.Seq)
}

func (b Builder) payload(base Base, ev Event, state string, v any) (Payload, error) {
	if base.LinkID == "" {
		return Payload{}, fmt.Errorf("%s: empty link id", ev)
	}
	body, err := marshal(v)
	if err != nil {
		return Payload{}, fmt.Errorf("%s: %w", ev, err)
	}
	return Payload{Event: ev, LinkID: base.LinkID, State: state,
		IdempotencyKey: b.key(base, ev),
		Timestamp:      base.Time.UTC(), Body: body}, nil
}

// marshal is json.Marshal without HTML escaping (a link tag "<a&b>" is sent
// as written, as a Python server would) and without the trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// hashParts hashes the seed and the parts, each length-prefixed so that
// ("ab","c") and ("a","bc") differ.
func hashParts(seed uint64, parts ...string) [32]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], seed)
	h.Write([]byte("moneykit-mock/webhooks\x00"))
	h.Write(n[:])
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// uuidFrom formats the first 16 bytes of h as a version-4, RFC 4122 variant
// UUID.
func uuidFrom(h [32]byte) string {
	u := h[:16]
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	s := hex.EncodeToString(u)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

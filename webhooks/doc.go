// Package webhooks builds, signs and delivers MoneyKit webhooks for the
// mock, and keeps a record of every delivery for tests to watch.
//
// It owns:
//
//   - the payloads (Builder): link.state_changed, link.product_refresh and
//     transactions.updates_available, with the envelope every body shares
//     (webhook_major_version 1, webhook_minor_version 0,
//     webhook_idempotency_key, webhook_timestamp, link_id, link_tags).
//     Building is deterministic: the idempotency key is a hash of (seed,
//     link, event, seq) and the timestamp is the time passed in.
//   - signing (Key, Keyset): an ES256 JWT in the MoneyKit-Signature header,
//     header {alg, kid, typ}, claims exactly {iss, iat, request_body_sha256},
//     iss = Issuer; keys derived from the seed (DeriveKey) or read from PEM
//     (ParseKeyPEM, LoadKeyFile); the JWKS (Keyset.JWKSJSON) lists the
//     current key and, after Rotate, the previous one.
//   - the target policy (Policy): which webhook URLs may be called, checked
//     when a URL is set and again on every dial, after DNS.
//   - delivery (Dispatcher): a bounded queue and worker pool, retries with
//     exponential backoff, chaos per delivery (Chaos), and a bounded store of
//     Records per session with List, Count, Get, Reset, Redeliver and Wait.
//
// It does not register HTTP routes or read scenario files: the handlers
// serve Keyset.JWKSJSON at /.well-known/jwks.json and call Enqueue; the
// scenarios turn their YAML into a Chaos. At run time it imports the
// standard library only.
//
// Defaults (Config): a queue of 256 jobs, 4 workers, 5 s per attempt,
// 5 attempts with waits of 200 ms, 400 ms, 800 ms and 1.6 s between them
// (small, for tests; MoneyKit publishes no schedule beyond "exponential
// backoff, up to two hours"), 4 KiB of each response kept, at most 1000
// records and 8 MiB per session and 64 MiB in all, User-Agent
// DefaultUserAgent. The default Policy (NewPolicy) allows loopback and
// private targets only when the mock listens on loopback.
//
// Decisions worth knowing:
//
//   - Retries send the same body, idempotency key, timestamp and delivery
//     token; the MoneyKit-Delivery-Attempt header counts 1, 2, 3…, and each
//     attempt is signed afresh with iat = its start time (ECDSA is RFC 6979
//     deterministic here, so a fixed clock gives fixed tokens).
//   - Redeliver makes a new delivery (new ID and token) of the same body.
//   - Chaos duplicates are separate deliveries of the same body and key.
//   - A 3xx is a failed attempt; redirects are never followed, and no proxy
//     is ever used, since either would dial past the policy.
package webhooks

package webhooks_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

// t0 is the fake clock's start: in the past, so iat passes "not in the
// future" checks.
var t0 = time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)

// fakeClock's After fires at once and moves the clock on, so retries and
// delays take no wall time; it records each wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// stuckClock's After never fires.
type stuckClock struct{ fakeClock }

func (c *stuckClock) After(time.Duration) <-chan time.Time { return nil }

// received is one request a receiver got.
type received struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// receiver is an httptest server on 127.0.0.1 that records requests and
// answers with reply(n, w), n counting from 1.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

func newReceiver(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, received{r.Method, r.URL.Path, r.Header.Clone(), body})
		n := len(rc.reqs)
		rc.mu.Unlock()
		if reply != nil {
			reply(n, w, r)
			return
		}
		w.Write([]byte(`{"debug_handled":true}`))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) Requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.reqs)
}

// newDispatcher starts a dispatcher that may call loopback, with a fake
// clock, and closes it at the end of the test.
func newDispatcher(t *testing.T, cfg webhooks.Config) *webhooks.Dispatcher {
	t.Helper()
	if cfg.Keys == nil {
		ks, err := webhooks.DeriveKeyset(cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Keys = ks
	}
	if cfg.Policy == nil {
		cfg.Policy = &webhooks.Policy{AllowPrivate: true}
	}
	if cfg.Clock == nil {
		cfg.Clock = newFakeClock()
	}
	d, err := webhooks.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// waitN waits (at most 5 s) for n final records matching f.
func waitN(t *testing.T, d *webhooks.Dispatcher, f webhooks.Filter, n int) []webhooks.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := d.Wait(ctx, f, n)
	if err != nil {
		t.Fatalf("Wait(%+v, %d): %v; have %d", f, n, err, len(recs))
	}
	return recs
}

// refresh builds a link.product_refresh payload.
func refresh(t *testing.T, seed uint64, link string, seq uint64, state string) webhooks.Payload {
	t.Helper()
	p, err := webhooks.Builder{Seed: seed}.ProductRefresh(
		webhooks.Base{LinkID: link, Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second)},
		"identity", state, t0.Add(time.Duration(seq)*time.Second), "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// verify checks a delivery the way a careful MoneyKit client would, with an
// independent JWT library (golang-jwt) and the key from the JWKS JSON: alg
// ES256 only, header exactly {alg, kid, typ:"JWT"}, a JWK with use "sig",
// claims exactly {iss, iat, request_body_sha256}, iss MoneyKit's, iat not in
// the future (5 min leeway, like the Python example), and the body's hash.
// It returns the kid used.
func verify(jwksJSON []byte, token string, body []byte) (string, error) {
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(jwksJSON, &set); err != nil {
		return "", fmt.Errorf("jwks: %w", err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("token is not a compact JWS")
	}
	var hdr map[string]any
	if err := decodeSeg(parts[0], &hdr); err != nil {
		return "", err
	}
	if keys := sortedKeys(hdr); !slices.Equal(keys, []string{"alg", "kid", "typ"}) {
		return "", fmt.Errorf("header keys %v", keys)
	}
	if hdr["typ"] != "JWT" || hdr["alg"] != "ES256" {
		return "", fmt.Errorf("header %v", hdr)
	}
	var kid string
	p := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuedAt(),
		jwt.WithIssuer(webhooks.Issuer), jwt.WithLeeway(5*time.Minute))
	tok, err := p.Parse(token, func(tok *jwt.Token) (any, error) {
		kid, _ = tok.Header["kid"].(string)
		for _, k := range set.Keys {
			if k["kid"] != kid || k["use"] != "sig" {
				continue
			}
			if k["kty"] != "EC" || k["crv"] != "P-256" || k["alg"] != "ES256" {
				return nil, fmt.Errorf("jwk %v", k)
			}
			x, err1 := base64.RawURLEncoding.DecodeString(k["x"].(string))
			y, err2 := base64.RawURLEncoding.DecodeString(k["y"].(string))
			if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
				return nil, fmt.Errorf("jwk coordinates %v", k)
			}
			pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
			if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
				return nil, errors.New("jwk point not on curve")
			}
			return pub, nil
		}
		return nil, fmt.Errorf("kid %q not in jwks", kid)
	})
	if err != nil {
		return kid, err
	}
	claims := tok.Claims.(jwt.MapClaims)
	if keys := sortedKeys(claims); !slices.Equal(keys, []string{"iat", "iss", "request_body_sha256"}) {
		return kid, fmt.Errorf("claim keys %v", keys)
	}
	if _, ok := claims["iat"].(float64); !ok {
		return kid, fmt.Errorf("iat %v is not a number", claims["iat"])
	}
	sum := sha256.Sum256(body)
	if claims["request_body_sha256"] != hex.EncodeToString(sum[:]) {
		return kid, fmt.Errorf("request_body_sha256 %v does not match the body", claims["request_body_sha256"])
	}
	return kid, nil
}

func decodeSeg(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func sortedKeys[V any](m map[string]V) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

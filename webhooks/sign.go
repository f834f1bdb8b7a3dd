package webhooks

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"sync"
	"time"
)

// Issuer is the iss claim of every signature: the value in the token printed
// on MoneyKit's webhook guide (moneykit-flows.md §A.4). It is MoneyKit's own
// URL, not the mock's, so a client that checks the issuer accepts the mock.
const Issuer = "https://api.moneykit.com"

// SignatureHeader, DeliveryTokenHeader and DeliveryAttemptHeader are the
// headers of every delivery attempt.
const (
	SignatureHeader       = "MoneyKit-Signature"
	DeliveryTokenHeader   = "MoneyKit-Delivery-Token"
	DeliveryAttemptHeader = "MoneyKit-Delivery-Attempt"
)

// Key is a P-256 signing key and its kid.
type Key struct {
	priv *ecdsa.PrivateKey
	kid  string
}

// DeriveKey returns the P-256 key for (seed, label): the scalar is SHA-256 of
// the pair, counter-extended until it lies in [1, N-1]. Labels name key
// generations ("1", "2"… for rotation). The key is derived by hand because
// ecdsa.GenerateKey ignores its reader since Go 1.26, and
// ecdsa.ParseRawPrivateKey needs Go 1.25.
func DeriveKey(seed uint64, label string) (*Key, error) {
	n := elliptic.P256().Params().N
	for i := 0; i < 64; i++ {
		h := hashParts(seed, "signing-key", label, fmt.Sprint(i))
		d := new(big.Int).SetBytes(h[:])
		if d.Sign() == 0 || d.Cmp(n) >= 0 {
			continue // probability about 2^-32 each
		}
		return keyFromScalar(h[:])
	}
	return nil, errors.New("derive key: no scalar in range")
}

// keyFromScalar builds the key whose private scalar is the 32 big-endian
// bytes d; crypto/ecdh computes the public point.
func keyFromScalar(d []byte) (*Key, error) {
	ek, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return nil, fmt.Errorf("build key: %w", err)
	}
	pub := ek.PublicKey().Bytes() // 0x04 || X || Y
	priv := &ecdsa.PrivateKey{
		PublicKey: ecdsa.PublicKey{Curve: elliptic.P256(),
			X: new(big.Int).SetBytes(pub[1:33]), Y: new(big.Int).SetBytes(pub[33:65])},
		D: new(big.Int).SetBytes(d),
	}
	return newKey(priv)
}

// ParseKeyPEM reads a P-256 private key from PEM: "PRIVATE KEY" (PKCS#8) or
// "EC PRIVATE KEY" (SEC 1). Other blocks before the key are skipped.
func ParseKeyPEM(data []byte) (*Key, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("parse key: no PRIVATE KEY or EC PRIVATE KEY block")
		}
		var (
			k   any
			err error
		)
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("parse key: %w", err)
		}
		ek, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("parse key: %T is not an ECDSA key", k)
		}
		if ek.Curve != elliptic.P256() {
			return nil, fmt.Errorf("parse key: curve %s is not P-256", ek.Curve.Params().Name)
		}
		return newKey(ek)
	}
}

// LoadKeyFile reads a key with ParseKeyPEM from the file at path.
func LoadKeyFile(path string) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	k, err := ParseKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func newKey(priv *ecdsa.PrivateKey) (*Key, error) {
	k := &Key{priv: priv}
	j := k.jwkCoords()
	// kid: the RFC 7638 thumbprint (SHA-256 of the canonical JWK), base64url,
	// cut to 40 characters like the kid in MoneyKit's sample header.
	canon := `{"crv":"P-256","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`
	sum := sha256.Sum256([]byte(canon))
	k.kid = base64.RawURLEncoding.EncodeToString(sum[:])[:40]
	return k, nil
}

// KID returns the key's kid.
func (k *Key) KID() string { return k.kid }

// Public returns the public key.
func (k *Key) Public() *ecdsa.PublicKey { return &k.priv.PublicKey }

// MarshalPEM returns the private key as a PKCS#8 "PRIVATE KEY" PEM block, so
// a derived key can be saved and loaded again with ParseKeyPEM.
func (k *Key) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return nil, fmt.Errorf("marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// JWK is one public key of a JWKS, with the fields MoneyKit clients read: the
// Ruby example keeps only keys with use "sig".
type JWK struct {
	KID string `json:"kid"`
	Use string `json:"use"`
	KTY string `json:"kty"`
	CRV string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Alg string `json:"alg"`
}

// JWKSet is the body of GET /.well-known/jwks.json.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// JWK returns the public key as a JWK.
func (k *Key) JWK() JWK {
	j := k.jwkCoords()
	j.KID = k.kid
	return j
}

func (k *Key) jwkCoords() JWK {
	var x, y [32]byte
	k.priv.X.FillBytes(x[:])
	k.priv.Y.FillBytes(y[:])
	return JWK{Use: "sig", KTY: "EC", CRV: "P-256", Alg: "ES256",
		X: base64.RawURLEncoding.EncodeToString(x[:]), Y: base64.RawURLEncoding.EncodeToString(y[:])}
}

// SignMode says how to sign; anything but SignValid makes a signature a
// correct client must reject.
type SignMode int

// The sign modes.
const (
	// SignValid signs correctly.
	SignValid SignMode = iota
	// SignWrongKey signs with an unrelated key but names the current kid, so
	// the signature check fails.
	SignWrongKey
	// SignWrongHash signs correctly a request_body_sha256 that is not the
	// body's, so the body check fails.
	SignWrongHash
)

// Sign returns the compact JWS for body: header {"alg":"ES256","kid","typ":"JWT"},
// claims exactly {"iss","iat","request_body_sha256"} (no exp, aud, sub or
// jti, as in MoneyKit's sample), and the 64-byte R||S signature. ECDSA here
// is deterministic (RFC 6979), so the same key, body and iat give the same
// token.
func (k *Key) Sign(body []byte, iat time.Time) (string, error) {
	return sign(k.priv, k.kid, bodyHash(body), iat)
}

func bodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func sign(priv *ecdsa.PrivateKey, kid, hash string, iat time.Time) (string, error) {
	hdr, err := marshal(struct {
		Alg string `json:"alg"`
		KID string `json:"kid"`
		Typ string `json:"typ"`
	}{"ES256", kid, "JWT"})
	if err != nil {
		return "", err
	}
	claims, err := marshal(struct {
		Iss  string `json:"iss"`
		Iat  int64  `json:"iat"`
		Hash string `json:"request_body_sha256"`
	}{Issuer, iat.Unix(), hash})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hdr) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	// A nil reader selects RFC 6979 deterministic signatures (Go >= 1.24).
	der, err := priv.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	raw, err := derToRaw(der)
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(raw), nil
}

// derToRaw turns an ASN.1 ECDSA signature into JWS's R||S, each left-padded
// to 32 bytes.
func derToRaw(der []byte) ([]byte, error) {
	// SEQUENCE { INTEGER r, INTEGER s }, short lengths only (P-256 fits).
	readInt := func(b []byte) (*big.Int, []byte, error) {
		if len(b) < 2 || b[0] != 0x02 || int(b[1]) > len(b)-2 {
			return nil, nil, errors.New("sign: bad ASN.1 integer")
		}
		return new(big.Int).SetBytes(b[2 : 2+b[1]]), b[2+b[1]:], nil
	}
	if len(der) < 2 || der[0] != 0x30 || int(der[1]) != len(der)-2 {
		return nil, errors.New("sign: bad ASN.1 signature")
	}
	r, rest, err := readInt(der[2:])
	if err != nil {
		return nil, err
	}
	s, rest, err := readInt(rest)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("sign: bad ASN.1 signature")
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}

// Keyset holds the current signing key and, after a rotation, the previous
// one. It signs with the current key; its JWKS lists both, so clients that
// cached the old kid keep verifying while they refetch. Safe for concurrent
// use.
type Keyset struct {
	mu       sync.RWMutex
	current  *Key
	previous *Key
	wrong    *Key // the unrelated key of SignWrongKey
}

// NewKeyset returns a keyset whose current key is k.
func NewKeyset(k *Key) *Keyset {
	wrong, err := DeriveKey(0, "unrelated:"+k.kid)
	if err != nil {
		panic(err) // unreachable: 64 tries each fail with p ~ 2^-32
	}
	return &Keyset{current: k, wrong: wrong}
}

// DeriveKeyset returns the keyset of DeriveKey(seed, "1").
func DeriveKeyset(seed uint64) (*Keyset, error) {
	k, err := DeriveKey(seed, "1")
	if err != nil {
		return nil, err
	}
	return NewKeyset(k), nil
}

// Rotate makes next the current key and the current key the previous one;
// the key before that leaves the JWKS.
func (ks *Keyset) Rotate(next *Key) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.previous, ks.current = ks.current, next
}

// Current returns the key that signs.
func (ks *Keyset) Current() *Key {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return ks.current
}

// JWKS returns the public keys, current first.
func (ks *Keyset) JWKS() JWKSet {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	set := JWKSet{Keys: []JWK{ks.current.JWK()}}
	if ks.previous != nil && ks.previous.kid != ks.current.kid {
		set.Keys = append(set.Keys, ks.previous.JWK())
	}
	return set
}

// JWKSJSON returns JWKS() marshalled, the exact bytes to serve.
func (ks *Keyset) JWKSJSON() []byte {
	b, err := marshal(ks.JWKS())
	if err != nil {
		panic(err) // unreachable: only strings
	}
	return b
}

// Sign signs body with the current key in the given mode.
func (ks *Keyset) Sign(body []byte, iat time.Time, mode SignMode) (string, error) {
	cur := ks.Current()
	switch mode {
	case SignValid:
		return cur.Sign(body, iat)
	case SignWrongKey:
		return sign(ks.wrong.priv, cur.kid, bodyHash(body), iat)
	case SignWrongHash:
		h := bodyHash(append([]byte("not the body:"), body...))
		return sign(cur.priv, cur.kid, h, iat)
	}
	return "", fmt.Errorf("sign: unknown mode %d", mode)
}

// MarshalText writes the mode's name, as in a Record's JSON.
func (m SignMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// String names the mode.
func (m SignMode) String() string {
	switch m {
	case SignValid:
		return "valid"
	case SignWrongKey:
		return "wrong_key"
	case SignWrongHash:
		return "wrong_hash"
	}
	return fmt.Sprintf("SignMode(%d)", int(m))
}

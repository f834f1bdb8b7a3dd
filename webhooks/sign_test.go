package webhooks_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/webhooks"
)

func TestSignVerifies(t *testing.T) {
	ks, err := webhooks.DeriveKeyset(42)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"link_id":"mk_x"}`)
	tok, err := ks.Sign(body, t0, webhooks.SignValid)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := verify(ks.JWKSJSON(), tok, body)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if kid != ks.Current().KID() {
		t.Errorf("kid %q, want %q", kid, ks.Current().KID())
	}
	if _, err := verify(ks.JWKSJSON(), tok, []byte(`{"link_id":"mk_y"}`)); err == nil {
		t.Error("a changed body verified")
	}
	// Deterministic: same key, body and iat give the same token.
	again, _ := ks.Sign(body, t0, webhooks.SignValid)
	if again != tok {
		t.Error("signing twice gave different tokens")
	}
	var claims map[string]any
	if err := decodeSeg(strings.Split(tok, ".")[1], &claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != "https://api.moneykit.com" || claims["iat"] != float64(t0.Unix()) {
		t.Errorf("claims %v", claims)
	}
}

func TestSignFailModes(t *testing.T) {
	ks, _ := webhooks.DeriveKeyset(42)
	body := []byte(`{"a":1}`)
	for _, mode := range []webhooks.SignMode{webhooks.SignWrongKey, webhooks.SignWrongHash} {
		tok, err := ks.Sign(body, t0, mode)
		if err != nil {
			t.Fatal(err)
		}
		kid, err := verify(ks.JWKSJSON(), tok, body)
		if err == nil {
			t.Errorf("%v: verified", mode)
		}
		if kid != ks.Current().KID() {
			t.Errorf("%v: kid %q, want the current one", mode, kid)
		}
		t.Logf("%v: %v", mode, err)
	}
}

func TestDeriveKey(t *testing.T) {
	a, _ := webhooks.DeriveKey(1, "1")
	b, _ := webhooks.DeriveKey(1, "1")
	c, _ := webhooks.DeriveKey(2, "1")
	d, _ := webhooks.DeriveKey(1, "2")
	if a.KID() != b.KID() || !a.Public().Equal(b.Public()) {
		t.Error("same seed, different keys")
	}
	if a.KID() == c.KID() || a.KID() == d.KID() {
		t.Error("different seeds or labels, same kid")
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{40}$`).MatchString(a.KID()) {
		t.Errorf("kid %q is not 40 base64url characters", a.KID())
	}
	if !a.Public().Curve.IsOnCurve(a.Public().X, a.Public().Y) {
		t.Error("public key not on the curve")
	}
}

func TestJWKSAndRotation(t *testing.T) {
	ks, _ := webhooks.DeriveKeyset(5)
	old := ks.Current()
	var set map[string][]map[string]string
	if err := json.Unmarshal(ks.JWKSJSON(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set["keys"]) != 1 {
		t.Fatalf("jwks %s", ks.JWKSJSON())
	}
	if got := sortedKeys(set["keys"][0]); strings.Join(got, ",") != "alg,crv,kid,kty,use,x,y" {
		t.Errorf("jwk fields %v", got)
	}
	body := []byte(`{}`)
	oldTok, _ := ks.Sign(body, t0, webhooks.SignValid)

	next, _ := webhooks.DeriveKey(5, "2")
	ks.Rotate(next)
	if err := json.Unmarshal(ks.JWKSJSON(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set["keys"]) != 2 || set["keys"][0]["kid"] != next.KID() || set["keys"][1]["kid"] != old.KID() {
		t.Fatalf("after rotation, jwks %s", ks.JWKSJSON())
	}
	tok, _ := ks.Sign(body, t0, webhooks.SignValid)
	kid, err := verify(ks.JWKSJSON(), tok, body)
	if err != nil || kid != next.KID() {
		t.Errorf("new token: kid %q, err %v; want the new kid", kid, err)
	}
	if _, err := verify(ks.JWKSJSON(), oldTok, body); err != nil {
		t.Errorf("a token of the previous key no longer verifies: %v", err)
	}
	third, _ := webhooks.DeriveKey(5, "3")
	ks.Rotate(third)
	if _, err := verify(ks.JWKSJSON(), oldTok, body); err == nil {
		t.Error("a key two rotations old still verifies")
	}
}

func TestParseKeyPEM(t *testing.T) {
	derived, _ := webhooks.DeriveKey(9, "1")
	pkcs8, err := derived.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	random, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalECPrivateKey(random)
	sec1 := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	// openssl ecparam -genkey writes an EC PARAMETERS block first.
	withParams := append(pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}}), sec1...)

	for name, data := range map[string][]byte{"pkcs8": pkcs8, "sec1": sec1, "sec1 after params": withParams} {
		k, err := webhooks.ParseKeyPEM(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		ks := webhooks.NewKeyset(k)
		tok, _ := ks.Sign([]byte("x"), t0, webhooks.SignValid)
		if _, err := verify(ks.JWKSJSON(), tok, []byte("x")); err != nil {
			t.Errorf("%s: verify: %v", name, err)
		}
	}
	if k, _ := webhooks.ParseKeyPEM(pkcs8); k.KID() != derived.KID() {
		t.Error("PKCS#8 round trip changed the kid")
	}

	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der384, _ := x509.MarshalPKCS8PrivateKey(p384)
	for name, data := range map[string][]byte{
		"p384":    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der384}),
		"garbage": []byte("not pem"),
		"cert":    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}),
		"broken":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}),
	} {
		if _, err := webhooks.ParseKeyPEM(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}

	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pkcs8, 0o600); err != nil {
		t.Fatal(err)
	}
	if k, err := webhooks.LoadKeyFile(path); err != nil || k.KID() != derived.KID() {
		t.Errorf("LoadKeyFile: %v", err)
	}
	if _, err := webhooks.LoadKeyFile(path + ".missing"); err == nil {
		t.Error("LoadKeyFile of a missing file: no error")
	}
}

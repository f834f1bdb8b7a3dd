package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Access tokens are stateless: 16 hex digits of the expiry (Unix seconds as a
// signed 64-bit number, masked so that tokens look opaque) and 32 of an
// HMAC-SHA256 over it (128 bits of it), keyed by the seed and the client
// credentials.
// So the mock keeps no token store that a long-running demo could grow, a token
// survives a restart, and any replica started with the same seed and credentials
// accepts it. Changing the secret revokes every token, as rotating it would.
//
// The expiry is 8 bytes, not 4, so that expiry is right at any instant the
// clock accepts (config.ClockMin to config.ClockMax): a 4-byte one wrapped in
// 2106. The token is 48 hex digits long, as the 4-byte format's were, but
// those (8 digits of expiry and 40 of HMAC, keyed "v1") are refused as invalid.
const tokenLen = 16 + 32

type tokens struct {
	key  []byte
	mask uint64
	ttl  time.Duration
}

func newTokens(seed uint64, clientID, clientSecret string, ttl time.Duration) tokens {
	h := sha256.New()
	h.Write([]byte("moneykit-mock token v2\x00"))
	h.Write(binary.BigEndian.AppendUint64(nil, seed))
	h.Write([]byte(clientID + "\x00" + clientSecret))
	key := h.Sum(nil)
	return tokens{key: key, mask: binary.BigEndian.Uint64(key), ttl: ttl}
}

func (t tokens) mac(expiry int64) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(expiry)))
	return m.Sum(nil)[:16]
}

// issue returns a token that expires ttl after now.
func (t tokens) issue(now time.Time) string {
	// The expiry is rounded up to the second, so that a token lives at
	// least expires_in seconds.
	end := now.Add(t.ttl)
	exp := end.Unix()
	if end.Nanosecond() > 0 {
		exp++
	}
	return hex.EncodeToString(binary.BigEndian.AppendUint64(nil, uint64(exp)^t.mask)) + hex.EncodeToString(t.mac(exp))
}

type tokenState int

const (
	tokenInvalid tokenState = iota
	tokenValid
	tokenExpired
)

// check tells whether tok was issued here, and whether it is still valid at now.
func (t tokens) check(tok string, now time.Time) tokenState {
	if len(tok) != tokenLen {
		return tokenInvalid
	}
	var raw [tokenLen / 2]byte
	if _, err := hex.Decode(raw[:], []byte(tok)); err != nil {
		return tokenInvalid
	}
	exp := int64(binary.BigEndian.Uint64(raw[:8]) ^ t.mask)
	if !hmac.Equal(raw[8:], t.mac(exp)) {
		return tokenInvalid
	}
	if !now.Before(time.Unix(exp, 0)) {
		return tokenExpired
	}
	return tokenValid
}

// authenticate checks a data request's credentials: a bearer token issued here
// (until it expires), the static token, or the X-Client-Id and X-Client-Secret
// headers. Any one valid credential is enough. When none is, a bearer token that
// has expired is reported as such, so clients can refresh it as MoneyKit's
// examples do; everything else is api_error.auth.unauthorized.
func (s *Server) authenticate(r *http.Request) *APIError {
	var fail *APIError
	if h := header(r, "Authorization"); h != "" {
		tok, ok := bearer(h)
		switch {
		case strings.EqualFold(strings.TrimSpace(h), "bearer") || ok && tok == "":
			// net/http trims "Bearer " to "Bearer": the scheme came, the token
			// did not (an empty $TOKEN in a shell, say).
			fail = errUnauthorized(MsgEmptyToken)
		case !ok:
			fail = errUnauthorized("The Authorization header must use the Bearer scheme")
		case s.cfg.StaticToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.StaticToken)) == 1:
			return nil
		default:
			switch s.tokens.check(tok, s.clock.Now()) {
			case tokenValid:
				return nil
			case tokenExpired:
				fail = &APIError{Status: http.StatusUnauthorized, Code: CodeExpiredToken, Message: MsgExpiredToken}
			default:
				fail = errUnauthorized(MsgInvalidToken)
			}
		}
	}
	id, secret := header(r, "X-Client-Id"), header(r, "X-Client-Secret")
	if id != "" || secret != "" {
		if s.validClient(id, secret) {
			return nil
		}
		if fail == nil {
			fail = errUnauthorized(MsgBadClient)
		}
	}
	if fail == nil {
		fail = errUnauthorized(MsgMissingCredentials)
	}
	return fail
}

func (s *Server) validClient(id, secret string) bool {
	okID := subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID))
	okSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret))
	return okID&okSecret == 1
}

// bearer returns the token of an "Authorization: Bearer <token>" header; the
// scheme is case-insensitive (RFC 6750).
func bearer(h string) (string, bool) {
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// authed wraps a data handler with the credential check.
func (s *Server) authed(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
		if err := s.authenticate(r); err != nil {
			return err
		}
		return h(w, r, ri)
	}
}

// maxFormBytes bounds the token request body.
const maxFormBytes = 64 << 10

// tokenResponse is CreateAccessTokenResponse.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// handleToken handles "POST /auth/token": OAuth2 client credentials in the form
// body or in HTTP Basic auth. It answers 201, not 200, because the Python SDK
// maps only 201 to the token model and returns None for any other 2xx.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	if ct := header(r, "Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return errValidation(http.StatusBadRequest, []any{"header", "content-type"},
			"the token request must be application/x-www-form-urlencoded (grant_type, client_id, client_secret), got "+clip(ct, 60), "value_error")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errValidation(http.StatusBadRequest, []any{"body"}, "the body must be application/x-www-form-urlencoded and at most 64 KiB", "value_error")
	}
	if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "client_credentials" {
		return &APIError{Status: http.StatusBadRequest, Code: CodeUnauthorized, Message: MsgBadGrantType}
	}
	ok := false
	if id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"); id != "" || secret != "" {
		ok = s.validClient(id, secret)
	}
	if id, secret, basic := r.BasicAuth(); basic && !ok {
		ok = s.validClient(id, secret)
	}
	if !ok {
		return errUnauthorized(MsgBadClient)
	}
	b, _ := marshal(tokenResponse{
		AccessToken: s.tokens.issue(s.clock.Now()),
		TokenType:   "bearer",
		ExpiresIn:   int(s.tokens.ttl / time.Second),
	})
	w.Header()["Cache-Control"] = noStore
	writeJSON(w, http.StatusCreated, b)
	return nil
}

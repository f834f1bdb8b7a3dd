package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// Error codes of MoneyKit's API (reference §8.9) that the handlers answer
// with themselves, plus the few the mock needs for things the reference does
// not cover (an unknown route, a wrong method, an internal fault); those are
// marked "mock". The codes and default messages of the scenario error kinds
// (deleted, not_found, ...) are scenarios' one table (scenarios.Kinds); the
// handlers read them from there (kindError).
const (
	CodeExpiredToken     = "api_error.auth.expired_access_token"
	CodeUnauthorized     = "api_error.auth.unauthorized"
	CodeValidationFailed = "api_error.request.validation_failed"
	CodeBadConfig        = "link_error.bad_config"
	CodeInvalidExchange  = "link_session_error.invalid_token_exchange"
	CodeRouteNotFound    = "api_error.request.not_found"          // mock
	CodeMethodNotAllowed = "api_error.request.method_not_allowed" // mock
	CodeInternal         = "api_error.internal_server_error"      // mock
)

// Messages are MoneyKit's defaults where the reference gives one.
const (
	MsgExpiredToken       = "Access token expired"
	MsgMissingCredentials = "Missing credentials: send a bearer token in the Authorization header, or the X-Client-Id and X-Client-Secret headers"
	MsgInvalidToken       = "Invalid access token"
	MsgEmptyToken         = "The Authorization header has the Bearer scheme but an empty token"
	MsgBadClient          = "Invalid client credentials"
	MsgBadGrantType       = "Invalid grant_type: only client_credentials is supported"
	MsgValidation         = "Request validation error"
	MsgBadConfig          = "Link missing webhook configuration"
	MsgInvalidExchange    = "The exchangeable token is unknown or was already exchanged"
	MsgRouteNotFound      = "No such route"
	MsgMethodNotAllowed   = "Method not allowed on this route"
	MsgInternal           = "Internal server error"
)

const (
	docsErrors     = "https://docs.moneykit.com/api/reference/errors"
	docsLinkErrors = "https://docs.moneykit.com/api/reference/link-errors"
	docsRateLimits = "https://docs.moneykit.com/api/reference/rate-limits"
)

// APIError is an error answer in MoneyKit's envelope. Handlers return one; only
// writeError turns it into bytes.
type APIError struct {
	Status  int
	Code    string
	Message string
	// LinkErrorCode is required on 422 link_error.bad_state.
	LinkErrorCode string
	// ValidationErrors go with api_error.request.validation_failed.
	ValidationErrors []ValidationError
	// RetryAfter, when > 0, is sent as the Retry-After header (seconds).
	RetryAfter int
}

// ValidationError is one item of validation_errors (FastAPI's loc/msg/type).
type ValidationError struct {
	Location []any  `json:"location"`
	Message  string `json:"message"`
	Type     string `json:"type"`
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// envelope is the JSON envelope; the optional keys appear only where MoneyKit has them.
type envelope struct {
	ErrorCode        string            `json:"error_code"`
	ErrorMessage     string            `json:"error_message"`
	DocumentationURL string            `json:"documentation_url"`
	LinkErrorCode    *string           `json:"link_error_code,omitempty"`
	ValidationErrors []ValidationError `json:"validation_errors,omitempty"`
}

func (e *APIError) docsURL() string {
	switch {
	case e.Code == kindCode(scenarios.RateLimited):
		return docsRateLimits
	case len(e.Code) > 11 && e.Code[:11] == "link_error.":
		return docsLinkErrors
	}
	return docsErrors
}

// MarshalJSON writes the envelope.
func (e *APIError) MarshalJSON() ([]byte, error) {
	b := envelope{ErrorCode: e.Code, ErrorMessage: e.Message, DocumentationURL: e.docsURL(), ValidationErrors: e.ValidationErrors}
	if e.Code == kindCode(scenarios.BadState) {
		b.LinkErrorCode = &e.LinkErrorCode
	}
	return marshal(b)
}

func errUnauthorized(msg string) *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: msg}
}

func errValidation(status int, loc []any, msg, typ string) *APIError {
	return &APIError{Status: status, Code: CodeValidationFailed, Message: MsgValidation,
		ValidationErrors: []ValidationError{{Location: loc, Message: msg, Type: typ}}}
}

// writeError writes err in MoneyKit's envelope. An *APIError anywhere in err's
// chain is written as it is; anything else is a 500 whose cause goes only to
// the log, never to the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if fe := (*faultError)(nil); errors.As(err, &fe) {
		s.writeFault(w, r, fe) // a scenario's fault: break the connection instead
		return
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = &APIError{Status: http.StatusInternalServerError, Code: CodeInternal, Message: MsgInternal}
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	// A 410 (or 404, 405) without caching headers may be kept by a browser
	// as fresh: Chromium did, and sent no more requests for a deleted link,
	// so after a reset or a scenario change a browser test saw the old
	// answer. Errors must be asked for again every time.
	w.Header()["Cache-Control"] = noStore
	b, _ := ae.MarshalJSON()
	writeJSON(w, ae.Status, b)
}

var noStore = []string{"no-store"}

// kindCode is the error_code of a scenario error kind, from scenarios' table.
func kindCode(k scenarios.Kind) string {
	ki, _ := k.Info()
	return ki.Code
}

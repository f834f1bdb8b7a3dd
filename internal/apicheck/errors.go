package apicheck

import (
	"encoding/json"
	"slices"
	"strconv"
)

const (
	codeBadState         = "link_error.bad_state"
	codeValidationFailed = "api_error.request.validation_failed"
)

// errorCodes are the documented error_code values (reference §8.9, and the
// link-session errors of the flows notes §B).
var errorCodes = []string{
	"api_error.auth.expired_access_token",
	"api_error.auth.unauthorized",
	"api_error.rate_limit_exceeded",
	codeValidationFailed,
	"link_error.unauthorized_access",
	"link_error.forbidden_action",
	"link_error.not_found",
	"link_error.deleted",
	codeBadState,
	"link_error.bad_config",
	"institution_error.not_found",
	"link_session_error.forbidden_config",
	"link_session_error.invalid_token_exchange",
}

// The error models are the same in every SDK generation (one error_code
// value each, error_message required where noted in reference §6), so Error
// has no per-generation variant. (SDK 0.0.1 even tests error_code with a
// substring match, a generator bug that only makes it more lenient.)

// Error checks an error envelope: {error_code, error_message,
// documentation_url} with error_code == wantCode (and one of the documented
// codes of reference §8.9), error_message a non-empty string and
// documentation_url a string or null. The only other keys allowed are
// link_error_code (required, a non-empty string, only when wantCode is
// link_error.bad_state) and validation_errors (only for
// api_error.request.validation_failed: an array of {location: [string|int…],
// message: string, type: string}).
func Error(body []byte, wantCode string) []string {
	var c checker
	v, ok := c.decode(body)
	if !ok || !c.is("", v, kObject) {
		return c.problems
	}
	m := v.(map[string]any)
	required := []string{"error_code", "error_message", "documentation_url"}
	var optional []string
	switch wantCode {
	case codeBadState:
		required = append(required, "link_error_code")
	case codeValidationFailed:
		optional = append(optional, "validation_errors")
	}
	c.fields("", m, required, optional)

	if v, ok := m["error_code"]; ok && c.is("error_code", v, kString) {
		code := v.(string)
		if code != wantCode {
			c.addf("error_code", "got %q, want %q", code, wantCode)
		}
		if !slices.Contains(errorCodes, code) {
			c.addf("error_code", "%q is not a documented MoneyKit error code", code)
		}
	}
	if v, ok := m["error_message"]; ok {
		c.nonEmptyString("error_message", v)
	}
	c.optional("", m, "documentation_url", kString|kNull)
	if v, ok := m["link_error_code"]; ok && wantCode == codeBadState {
		c.nonEmptyString("link_error_code", v)
	}
	if v, ok := m["validation_errors"]; ok && wantCode == codeValidationFailed && c.is("validation_errors", v, kArray) {
		for i, e := range v.([]any) {
			c.validationError(path("validation_errors").idx(i), e)
		}
	}
	return c.problems
}

// validationError checks one item of validation_errors (FastAPI's loc, msg
// and type, renamed; reference §6.7).
func (c *checker) validationError(p path, v any) {
	if !c.is(p, v, kObject) {
		return
	}
	e := v.(map[string]any)
	c.fields(p, e, []string{"location", "message", "type"}, nil)
	if loc, ok := e["location"]; ok && c.is(p.key("location"), loc, kArray) {
		list := loc.([]any)
		if len(list) == 0 {
			c.addf(p.key("location"), "must not be empty")
		}
		for i, item := range list {
			ip := p.key("location").idx(i)
			if n, isNum := item.(json.Number); isNum {
				if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
					c.addf(ip, "want string or integer, got %s", n)
				}
				continue
			}
			if kindOf(item) != kString {
				c.addf(ip, "want string or integer, got %s", kindOf(item))
			}
		}
	}
	c.optional(p, e, "message", kString)
	c.optional(p, e, "type", kString)
}

package scenarios

import "slices"

// KindInfo is what the mock answers for an error kind: the HTTP status and
// MoneyKit's error_code, and the error_message sent when the entry gives no
// message of its own.
type KindInfo struct {
	Kind          Kind
	Status        int
	Code, Message string
}

// kinds is the one table of error kinds, in the order messages and docs list
// them. It is unexported so that nothing can change it; Kinds and Kind.Info
// hand out copies. The statuses are written as numbers because this package
// knows nothing of HTTP.
var kinds = [...]KindInfo{
	{Deleted, 410, "link_error.deleted", "This link was deleted at some earlier time."},
	{NotFound, 404, "link_error.not_found", "Link not found."},
	{Forbidden, 403, "link_error.forbidden_action", "Identity access not permitted"},
	{BadState, 422, "link_error.bad_state", "The link is in a state that does not allow this request"},
	{RateLimited, 429, "api_error.rate_limit_exceeded", "Rate limit exceeded. Use the value of the Retry-After header as guidance for when to retry the request."},
	{UnauthorizedAccess, 401, "link_error.unauthorized_access", "Unauthorized link access."},
}

// Info returns the status, error_code and default error_message of k, and
// false when k is not an error kind (as for "", a success).
func (k Kind) Info() (KindInfo, bool) {
	for _, ki := range kinds {
		if ki.Kind == k {
			return ki, true
		}
	}
	return KindInfo{}, false
}

// Kinds returns every error kind with its answer, in the order above. The
// slice is the caller's.
func Kinds() []KindInfo { return slices.Clone(kinds[:]) }

// kindNames returns the names of the error kinds, in order: what the error
// key of an entry allows.
func kindNames() []string {
	names := make([]string, len(kinds))
	for i, ki := range kinds {
		names[i] = string(ki.Kind)
	}
	return names
}

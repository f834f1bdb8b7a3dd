package scenarios

import (
	"slices"
	"testing"
)

// TestKinds pins the table of error kinds, checks that Info finds each, and
// that Kinds hands out a copy.
func TestKinds(t *testing.T) {
	want := []KindInfo{
		{Deleted, 410, "link_error.deleted", "This link was deleted at some earlier time."},
		{NotFound, 404, "link_error.not_found", "Link not found."},
		{Forbidden, 403, "link_error.forbidden_action", "Identity access not permitted"},
		{BadState, 422, "link_error.bad_state", "The link is in a state that does not allow this request"},
		{RateLimited, 429, "api_error.rate_limit_exceeded", "Rate limit exceeded. Use the value of the Retry-After header as guidance for when to retry the request."},
		{UnauthorizedAccess, 401, "link_error.unauthorized_access", "Unauthorized link access."},
	}
	got := Kinds()
	if !slices.Equal(got, want) {
		t.Fatalf("Kinds() =\n%v\nwant\n%v", got, want)
	}
	for _, w := range want {
		if ki, ok := w.Kind.Info(); !ok || ki != w {
			t.Errorf("%s.Info() = %v, %v; want %v, true", w.Kind, ki, ok, w)
		}
	}
	for _, k := range []Kind{"", "delted"} {
		if ki, ok := k.Info(); ok || ki != (KindInfo{}) {
			t.Errorf("%q.Info() = %v, %v; want nothing", k, ki, ok)
		}
	}
	got[0].Status = 200
	if ki, _ := Deleted.Info(); ki.Status != 410 {
		t.Error("changing what Kinds returned changed the table")
	}
}

package apicheck

import (
	"testing"
)

func TestErrorSeedBodies(t *testing.T) {
	// testdata/seed_newer_errors.json holds the six error bodies of the "newer"
	// seed doc (shared/seeds/001_1fc289acc69b5eca.txt), with the bare `string`
	// placeholders replaced: documentation_url by a docs URL, the 422
	// error_message by a sentence and its link_error_code by "auth_expired".
	bodies := decodeJSON(t, readTestdata(t, "seed_newer_errors.json")).([]any)
	if len(bodies) != 6 {
		t.Fatalf("got %d seed error bodies, want 6", len(bodies))
	}
	for _, b := range bodies {
		code := b.(map[string]any)["error_code"].(string)
		t.Run(code, func(t *testing.T) {
			checkProblems(t, Error(encodeJSON(t, b), code), nil)
		})
	}
}

func TestError(t *testing.T) {
	const (
		notFound   = `{"error_code":"link_error.not_found","error_message":"Link not found.","documentation_url":null}`
		badState   = `{"error_code":"link_error.bad_state","error_message":"Link needs attention.","documentation_url":null,"link_error_code":"auth_expired"}`
		validation = `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":null,` +
			`"validation_errors":[{"location":["query","account_ids",0],"message":"unknown account","type":"value_error"}]}`
	)
	for _, tc := range []struct {
		name, body, code string
		want             []string
	}{
		{"not found", notFound, "link_error.not_found", nil},
		{"documentation_url string", `{"error_code":"api_error.auth.unauthorized","error_message":"Accounts access not permitted","documentation_url":"https://docs.moneykit.com/api/reference/errors"}`,
			"api_error.auth.unauthorized", nil},
		{"bad state", badState, "link_error.bad_state", nil},
		{"validation", validation, "api_error.request.validation_failed", nil},
		{"validation without details", `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":null}`,
			"api_error.request.validation_failed", nil},

		{"wrong code", notFound, "link_error.deleted",
			[]string{`error_code: got "link_error.not_found", want "link_error.deleted"`}},
		{"undocumented code", `{"error_code":"api_error.not_found","error_message":"Not found","documentation_url":null}`, "api_error.not_found",
			[]string{`error_code: "api_error.not_found" is not a documented MoneyKit error code`}},
		{"code missing", `{"error_message":"Link not found.","documentation_url":null}`, "link_error.not_found",
			[]string{"error_code: missing required key"}},
		{"code number", `{"error_code":404,"error_message":"Link not found.","documentation_url":null}`, "link_error.not_found",
			[]string{"error_code: want string, got number"}},
		{"message missing", `{"error_code":"link_error.not_found","documentation_url":null}`, "link_error.not_found",
			[]string{"error_message: missing required key"}},
		{"message empty", `{"error_code":"link_error.not_found","error_message":"","documentation_url":null}`, "link_error.not_found",
			[]string{"error_message: must not be empty"}},
		{"message null", `{"error_code":"link_error.not_found","error_message":null,"documentation_url":null}`, "link_error.not_found",
			[]string{"error_message: want string, got null"}},
		{"documentation_url missing", `{"error_code":"link_error.not_found","error_message":"Link not found."}`, "link_error.not_found",
			[]string{"documentation_url: missing required key"}},
		{"documentation_url number", `{"error_code":"link_error.not_found","error_message":"Link not found.","documentation_url":5}`, "link_error.not_found",
			[]string{"documentation_url: want string or null, got number"}},
		{"extra key", `{"error_code":"link_error.not_found","error_message":"Link not found.","documentation_url":null,"detail":"x"}`, "link_error.not_found",
			[]string{"detail: unknown key"}},
		{"link_error_code outside bad_state", `{"error_code":"link_error.not_found","error_message":"Link not found.","documentation_url":null,"link_error_code":"x"}`, "link_error.not_found",
			[]string{"link_error_code: unknown key"}},
		{"bad_state without link_error_code", `{"error_code":"link_error.bad_state","error_message":"Link needs attention.","documentation_url":null}`, "link_error.bad_state",
			[]string{"link_error_code: missing required key"}},
		{"bad_state link_error_code empty", `{"error_code":"link_error.bad_state","error_message":"Link needs attention.","documentation_url":null,"link_error_code":""}`, "link_error.bad_state",
			[]string{"link_error_code: must not be empty"}},
		{"bad_state link_error_code null", `{"error_code":"link_error.bad_state","error_message":"Link needs attention.","documentation_url":null,"link_error_code":null}`, "link_error.bad_state",
			[]string{"link_error_code: want string, got null"}},
		{"validation_errors outside validation_failed", `{"error_code":"link_error.not_found","error_message":"Link not found.","documentation_url":null,"validation_errors":[]}`, "link_error.not_found",
			[]string{"validation_errors: unknown key"}},
		{"validation_errors object", `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":null,"validation_errors":{}}`,
			"api_error.request.validation_failed", []string{"validation_errors: want array, got object"}},
		{"validation item string", `{"error_code":"api_error.request.validation_failed","error_message":"Request validation error","documentation_url":null,"validation_errors":["bad"]}`,
			"api_error.request.validation_failed", []string{"validation_errors[0]: want object, got string"}},
		{"location empty", mutateString(t, validation, set("validation_errors[0].location", `[]`)), "api_error.request.validation_failed",
			[]string{"validation_errors[0].location: must not be empty"}},
		{"location bool", mutateString(t, validation, set("validation_errors[0].location[1]", `true`)), "api_error.request.validation_failed",
			[]string{"validation_errors[0].location[1]: want string or integer, got boolean"}},
		{"location fraction", mutateString(t, validation, set("validation_errors[0].location[2]", `1.5`)), "api_error.request.validation_failed",
			[]string{"validation_errors[0].location[2]: want string or integer, got 1.5"}},
		{"location string", mutateString(t, validation, set("validation_errors[0].location", `"query"`)), "api_error.request.validation_failed",
			[]string{"validation_errors[0].location: want array, got string"}},
		{"message missing in item", mutateString(t, validation, del("validation_errors[0].message")), "api_error.request.validation_failed",
			[]string{"validation_errors[0].message: missing required key"}},
		{"type number", mutateString(t, validation, set("validation_errors[0].type", `5`)), "api_error.request.validation_failed",
			[]string{"validation_errors[0].type: want string, got number"}},
		{"FastAPI names in item", mutateString(t, validation, set("validation_errors[0].msg", `"x"`)), "api_error.request.validation_failed",
			[]string{"validation_errors[0].msg: unknown key"}},
		{"raw FastAPI body", `{"detail":[{"loc":["query","account_ids"],"msg":"field required","type":"value_error.missing"}]}`, "api_error.request.validation_failed",
			[]string{"error_code: missing required key", "error_message: missing required key", "documentation_url: missing required key", "detail: unknown key"}},
		{"array", `[]`, "link_error.not_found", []string{"(root): want object, got array"}},
		{"trailing", notFound + notFound, "link_error.not_found", []string{"(root): unexpected data after the JSON value"}},
		{"plain text", `Not Found`, "link_error.not_found", []string{"(root): invalid JSON: invalid character 'N' looking for beginning of value"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, Error([]byte(tc.body), tc.code), tc.want)
		})
	}
}

func mutateString(t *testing.T, body string, muts ...mutation) string {
	t.Helper()
	return string(mutate(t, []byte(body), muts...))
}

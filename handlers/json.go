package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// marshal is json.Marshal without HTML escaping: the mock answers APIs, not
// pages, and "Smith & Sons" should read as written, not "Smith \u0026 Sons".
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// mustJSON marshals the response types, which marshal by construction.
func mustJSON(v any) []byte {
	b, err := marshal(v)
	if err != nil {
		panic(err) // a programming error: the types cannot fail to marshal
	}
	return b
}

// writeValue writes v as JSON.
func (s *Server) writeValue(w http.ResponseWriter, status int, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	writeJSON(w, status, b)
	return nil
}

// writeLinkValue is writeValue for the GET link routes: gzip for a client
// that accepts it, and no body to a HEAD, as identity and the link object
// (writeBody) are written.
func (s *Server) writeLinkValue(w http.ResponseWriter, ri *reqInfo, status int, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	writeEncoded(w, ri, status, b)
	return nil
}

// writeJSON writes a JSON body with its length.
func writeJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}

// contentTypeJSON is shared, read-only, so that writing the header allocates nothing.
var contentTypeJSON = []string{"application/json"}

// decodeStrict reads a JSON object body into v; an unknown key, a wrong type
// or trailing data is a 400 naming the problem. An empty body is {}.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := readBody(w, r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errValidation(http.StatusBadRequest, []any{"body"}, jsonProblem(err), "json_invalid")
	}
	if dec.More() {
		return errValidation(http.StatusBadRequest, []any{"body"}, "the body must hold one JSON object", "json_invalid")
	}
	return nil
}

// readBody reads a JSON body of at most maxJSONBytes (64 KiB). A longer one
// is a 400 too_long; one that ends before its Content-Length (the client shut
// its write side early) or cannot be read is a 400 saying so.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		var tooLong *http.MaxBytesError
		if errors.As(err, &tooLong) {
			return nil, errValidation(http.StatusBadRequest, []any{"body"}, "the body must be at most 64 KiB", "too_long")
		}
		return nil, errValidation(http.StatusBadRequest, []any{"body"}, "the body ended before its Content-Length, or could not be read", "body_incomplete")
	}
	return data, nil
}

// jsonProblem words a JSON decoding error for a client, without Go's type names.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return "field " + typeErr.Field + " has the wrong type"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "the body is not valid JSON"
}

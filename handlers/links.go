package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// handleGetLink handles "GET /links/{id}": the link object, identical to the
// link in the same link's identity answer.
func (s *Server) handleGetLink(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	lr, err := s.link(r, ri)
	if err != nil {
		return err
	}
	s.writeBody(w, ri, lr, linkPart)
	return nil
}

// refreshRequest is RefreshProductsRequest.
type refreshRequest struct {
	Products json.RawMessage `json:"products"`
}

// maxJSONBytes bounds the JSON bodies the mock reads.
const maxJSONBytes = 64 << 10

// handleRefreshProducts handles "POST /links/{id}/products": it asks for a
// refresh of the listed products and answers 202 with the link object, as SDKs
// from 0.1.10 on expect (the Python SDK maps only 202 for this call). Each
// product's last_attempted_at moves to now at once; the refresh ends
// refresh_delay later (a scenario's, or the server's default), successfully
// unless the link's scenario gives that product an error_code.
func (s *Server) handleRefreshProducts(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	id, err := linkID(ri)
	if err != nil {
		return err
	}
	products, err := readProducts(w, r)
	if err != nil {
		return err
	}
	lr, err := s.enterLink(r, ri, id)
	if err != nil {
		return err
	}
	e := lr.entry
	delay := s.cfg.RefreshDelay
	if e != nil && e.RefreshDelay > 0 {
		delay = e.RefreshDelay
	}
	failFor := func(product string) string {
		if e != nil && e.Link != nil {
			return e.Link.Products[product].ErrorCode
		}
		return ""
	}
	current := s.data(ri, lr).Link
	now := s.clock.Now()
	lr.sess.UpdateRuntime(id, func(rt *fixtures.Runtime) {
		touch(rt, now)
		rt.RequestRefresh(&current, products, now, delay, failFor)
	})
	lr.rt, lr.hasRT = lr.sess.Runtime(id)
	link := s.data(ri, lr).Link
	s.refreshEvents(lr, &link, products)
	writeJSON(w, http.StatusAccepted, mustJSON(&link))
	return nil
}

// readProducts reads {"products": [...]}, with FastAPI-style validation
// errors naming each problem's location.
func readProducts(w http.ResponseWriter, r *http.Request) ([]string, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errValidation(http.StatusBadRequest, []any{"body"}, "the body must be at most 64 KiB", "too_long")
		}
		return nil, errValidation(http.StatusBadRequest, []any{"body"}, "the body could not be read", "value_error")
	}
	var req refreshRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return nil, errValidation(http.StatusBadRequest, []any{"body"}, "the body must be a JSON object such as {\"products\": [\"identity\"]}", "json_invalid")
	}
	if len(req.Products) == 0 || string(req.Products) == "null" {
		return nil, errValidation(http.StatusBadRequest, []any{"body", "products"}, "Field required", "missing")
	}
	var names []any
	if err := json.Unmarshal(req.Products, &names); err != nil {
		return nil, errValidation(http.StatusBadRequest, []any{"body", "products"}, "Input should be a valid list", "list_type")
	}
	if len(names) == 0 {
		return nil, errValidation(http.StatusBadRequest, []any{"body", "products"}, "List should have at least 1 item", "too_short")
	}
	var out []string
	var problems []ValidationError
	for i, v := range names {
		name, ok := v.(string)
		if !ok || !fixtures.IsProduct(name) {
			problems = append(problems, ValidationError{
				Location: []any{"body", "products", i},
				Message:  "Input should be " + quotedList(fixtures.ProductNames()),
				Type:     "enum",
			})
			continue
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if len(problems) > 0 {
		return nil, &APIError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Message: MsgValidation, ValidationErrors: problems}
	}
	return out, nil
}

// quotedList writes 'a', 'b' or 'c', as FastAPI words an enum error.
func quotedList(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = "'" + it + "'"
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

package apicheck

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goodLinkID is the link_id of testdata/good_identity.json.
const goodLinkID = "mk_P542taTHRdeyVPkm9XVvWv"

// decodeJSON decodes text the way the checker does (numbers as json.Number).
func decodeJSON(t *testing.T, text []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %.40q: %v", text, err)
	}
	return v
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodeJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutation changes a decoded document and returns the (possibly new) root.
type mutation func(t *testing.T, doc any) any

var (
	stepPattern  = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)?((?:\[[0-9]+\])*)$`)
	indexPattern = regexp.MustCompile(`[0-9]+`)
)

// steps splits a path in the problem-message syntax (accounts[0].owners[1])
// into string keys and int indexes.
func steps(t *testing.T, p string) []any {
	t.Helper()
	var out []any
	for _, seg := range strings.Split(p, ".") {
		m := stepPattern.FindStringSubmatch(seg)
		if m == nil || seg == "" {
			t.Fatalf("bad mutation path %q", p)
		}
		if m[1] != "" {
			out = append(out, m[1])
		}
		for _, ix := range indexPattern.FindAllString(m[2], -1) {
			n, _ := strconv.Atoi(ix)
			out = append(out, n)
		}
	}
	return out
}

// update replaces the value at steps below cur with leaf(old, exists); leaf
// returns keep == false to delete it. An index equal to the array length
// appends.
func update(t *testing.T, cur any, st []any, leaf func(old any, exists bool) (v any, keep bool)) any {
	t.Helper()
	switch s := st[0].(type) {
	case string:
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("mutation: %q: parent is %T, not an object", s, cur)
		}
		if len(st) == 1 {
			old, exists := m[s]
			if v, keep := leaf(old, exists); keep {
				m[s] = v
			} else {
				delete(m, s)
			}
			return m
		}
		m[s] = update(t, m[s], st[1:], leaf)
		return m
	case int:
		a, ok := cur.([]any)
		if !ok || s > len(a) {
			t.Fatalf("mutation: [%d]: parent is %T of length %d", s, cur, len(a))
		}
		if len(st) == 1 {
			var old any
			if s < len(a) {
				old = a[s]
			}
			v, keep := leaf(old, s < len(a))
			switch {
			case !keep:
				return slices.Delete(a, s, s+1)
			case s == len(a):
				return append(a, v)
			default:
				a[s] = v
				return a
			}
		}
		a[s] = update(t, a[s], st[1:], leaf)
		return a
	}
	panic("unreachable")
}

// set replaces (or adds) the value at p with the JSON value js.
func set(p, js string) mutation {
	return func(t *testing.T, doc any) any {
		v := decodeJSON(t, []byte(js))
		return update(t, doc, steps(t, p), func(any, bool) (any, bool) { return v, true })
	}
}

// del deletes the key (or array element) at p, which must exist.
func del(p string) mutation {
	return func(t *testing.T, doc any) any {
		return update(t, doc, steps(t, p), func(_ any, exists bool) (any, bool) {
			if !exists {
				t.Fatalf("del %s: no such key", p)
			}
			return nil, false
		})
	}
}

// cp copies a deep copy of the value at src to dst.
func cp(dst, src string) mutation {
	return func(t *testing.T, doc any) any {
		var v any
		update(t, doc, steps(t, src), func(old any, exists bool) (any, bool) {
			if !exists {
				t.Fatalf("cp from %s: no such key", src)
			}
			v = decodeJSON(t, encodeJSON(t, old))
			return old, true
		})
		return update(t, doc, steps(t, dst), func(any, bool) (any, bool) { return v, true })
	}
}

// mutate applies muts to a fresh decode of base and re-encodes the result.
func mutate(t *testing.T, base []byte, muts ...mutation) []byte {
	t.Helper()
	doc := decodeJSON(t, base)
	for _, m := range muts {
		doc = m(t, doc)
	}
	return encodeJSON(t, doc)
}

// checkProblems fails unless got is exactly want (nil and empty are equal).
func checkProblems(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

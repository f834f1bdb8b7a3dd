package state

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// scanHeaderName is headerName without its switch of the usual names: the
// scan every other name gets, and what the switch must agree with.
func scanHeaderName(k string) (string, int) {
	k = http.CanonicalHeaderKey(k)
	return k, headerKind(k)
}

// entryBytes is what an entry's query and headers take, as MaxJournalEntry
// bounds them.
func entryBytes(e Request) int {
	total := 0
	for k, v := range e.Headers {
		total += len(k) + len(v)
	}
	for k, vs := range e.Query {
		for _, v := range vs {
			total += len(k) + len(v)
		}
	}
	return total
}

// headerNameCases returns the names in the cases of headerName's switch, read
// from its source, so that a name added there is checked without being
// listed here too.
func headerNameCases(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "journal.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "headerName" {
			continue
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						names = append(names, s)
					}
				}
			}
			return true
		})
	}
	if len(names) < 10 {
		t.Fatalf("found %d names in headerName's switch: %q", len(names), names)
	}
	return names
}

// TestHeaderName checks that each name headerName decides by its switch is
// canonical and gets the redaction the scan would give it, and that other
// names, in any case, get the scan's answer.
func TestHeaderName(t *testing.T) {
	names := headerNameCases(t)
	for _, k := range names {
		if got, _ := headerName(k); got != k || http.CanonicalHeaderKey(k) != k {
			t.Errorf("headerName(%q) = %q: the switch holds only canonical names", k, got)
		}
	}
	for _, k := range append(names, "authorization", "PROXY-AUTHORIZATION", "x-client-secret", "x-api-key",
		"X-Api-Token", "Set-Cookie", "X-Password", "X-Custom", "accept", "X-Authorization-Hint", "Bad Header",
		"X_Under_score", "Ünicode", "", "-") {
		gotK, gotKind := headerName(k)
		wantK, wantKind := scanHeaderName(k)
		if gotK != wantK || gotKind != wantKind {
			t.Errorf("headerName(%q) = %q, %d; the scan gives %q, %d", k, gotK, gotKind, wantK, wantKind)
		}
	}
}

// TestCanonicalKeyExhaustive checks canonicalKey's table against net/http on
// every pair of bytes, alone, inside a name and around a dash.
func TestCanonicalKeyExhaustive(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			ab := string([]byte{byte(a), byte(b)})
			for _, k := range []string{ab, "X-" + ab + "y", ab[:1] + "-" + ab[1:], "Ab" + ab} {
				if got, want := canonicalKey(k), http.CanonicalHeaderKey(k); got != want {
					t.Fatalf("canonicalKey(%q) = %q, want %q", k, got, want)
				}
			}
		}
	}
}

// TestRedactCredentialsBearer checks the quick case of redactCredentials
// against the rule it shortens: a first word of letters is kept.
func TestRedactCredentialsBearer(t *testing.T) {
	for v, want := range map[string]string{
		"Bearer tok":      "Bearer [redacted]",
		"Bearer ":         "Bearer [redacted]",
		"Bearer a b":      "Bearer [redacted]",
		"Bearer  x":       "Bearer [redacted]",
		"bearer tok":      "bearer [redacted]",
		"Bearer":          "[redacted]",
		"Bearer\ttok":     "[redacted]",
		"Bearer_x tok":    "[redacted]",
		"BearerX tok":     "BearerX [redacted]",
		"Basic dXNlcg==":  "Basic [redacted]",
		"Digest u=1, r=2": "Digest [redacted]",
		"":                "",
	} {
		if got := redactCredentials(v); got != want {
			t.Errorf("redactCredentials(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestJournalSwitchedSecretsNotKept records a secret in each header that
// headerName's switch decides is secret: neither the bytes the journal keeps
// nor what it lists hold the secret.
func TestJournalSwitchedSecretsNotKept(t *testing.T) {
	const secret = "S3CRET-VALUE"
	for _, k := range headerNameCases(t) {
		if _, kind := scanHeaderName(k); kind == plainHeader {
			continue
		}
		j := newJournal(2)
		j.Add(Request{Method: "GET", Path: "/x", RawHeader: http.Header{k: {"Bearer " + secret}, "Accept": {"*/*"}}})
		if sl := j.ring[0]; sl.data == nil || strings.Contains(string(*sl.data), secret) {
			t.Errorf("%s: the journal keeps %q", k, *sl.data)
		}
		b, _ := json.Marshal(j.List(Filter{}))
		if strings.Contains(string(b), secret) || !strings.Contains(string(b), `"`+k+`":"`) {
			t.Errorf("%s: listed as %s", k, b)
		}
	}
}

// referenceQuery is what List shows of an unclipped raw query: url.ParseQuery's
// parameters, a secret name's non-empty values redacted.
func referenceQuery(raw string) map[string][]string {
	q, _ := url.ParseQuery(raw)
	for k, vs := range q {
		if secretName(k) {
			for i, v := range vs {
				if v != "" {
					vs[i] = redacted
				}
			}
		}
	}
	return q
}

// FuzzJournalEntry checks what Add keeps of a request against a plain
// reference, redactHeaders and referenceQuery: for an entry within the
// bounds, List gives exactly what they give; for any entry, the bounds hold.
// Headers are given as lines of name:value; a value starting with * is the
// rest repeated rep times, to reach the bounds.
func FuzzJournalEntry(f *testing.F) {
	f.Add("account_ids=a1&account_ids=a2", "Authorization:Bearer tok\nAccept:application/json\nMoneykit-Version:2023-02-18", uint16(1))
	f.Add("client_secret=x&a=%zz&b=1;2&c+d=e&token=&x=%E2%82%AC&client%5Fsecret=y&=v&k=&&", "authorization:Basic abc\nx-api-key:k\nCookie:a\nCookie:b", uint16(1))
	f.Add("big=*x&z=1", "X-A:*é\nProxy-Authorization:tok more\nAuthorization:\nX-Client-Secret:", uint16(600))
	f.Add("a+b=1&pass+word=2&%41=3", "Bad Header:x\nX-Under_score:1\nÜ:2\n-x:3\nX--Y:4\nx-request-id:r", uint16(3))
	f.Add("*k=v&", "X-Many:*b\nX-Many:*c\nX-Other:*d", uint16(900))
	f.Fuzz(func(t *testing.T, q, hs string, rep uint16) {
		n := int(rep % 3000)
		if rest, ok := strings.CutPrefix(q, "*"); ok {
			q = strings.Repeat(rest, n)
		}
		h := http.Header{}
		if hs != "" {
			for _, line := range strings.Split(hs, "\n") {
				k, v, _ := strings.Cut(line, ":")
				if rest, ok := strings.CutPrefix(v, "*"); ok {
					v = strings.Repeat(rest, n)
				}
				h[k] = append(h[k], v)
			}
		}
		spellings := map[string]bool{}
		for k := range h {
			if spellings[http.CanonicalHeaderKey(k)] {
				// Two spellings of one name are merged in map order, which
				// no reference can predict (net/http never makes them).
				return
			}
			spellings[http.CanonicalHeaderKey(k)] = true
		}
		j := newJournal(2)
		j.Add(Request{Method: "GET", Path: "/x", RawQuery: q, RawHeader: h})
		e := j.List(Filter{})[0]
		if total := entryBytes(e); total > MaxJournalEntry {
			t.Fatalf("the entry takes %d bytes", total)
		}
		if e.Clipped {
			return
		}
		if want := redactHeaders(h); !reflect.DeepEqual(e.Headers, want) && len(e.Headers)+len(want) > 0 {
			t.Errorf("headers = %q, want %q", e.Headers, want)
		}
		if want := referenceQuery(q); !reflect.DeepEqual(e.Query, want) && len(e.Query)+len(want) > 0 {
			t.Errorf("query = %q, want %q", e.Query, want)
		}
	})
}

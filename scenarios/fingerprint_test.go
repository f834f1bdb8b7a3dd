package scenarios

import (
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"
)

// fingerprintByHand is Entry.Fingerprint as it was written before it was
// derived from the struct: the values handlers key their caches and counters
// by must not change.
func fingerprintByHand(e *Entry) uint64 {
	h := newHasher()
	h.str(string(e.Error))
	h.str(e.Message)
	h.str(e.LinkErrorCode)
	h.int(int(e.RetryAfter))
	h.int(int(e.Delay.Min))
	h.int(int(e.Delay.Max))
	h.int(e.Every)
	h.int(e.After)
	h.int(e.Times)
	h.bool(e.RateLimit != nil)
	if rl := e.RateLimit; rl != nil {
		h.int(rl.Requests)
		h.int(int(rl.Per))
	}
	h.bool(e.Link != nil)
	if l := e.Link; l != nil {
		h.str(l.State)
		h.str(l.ErrorCode)
		h.int(len(l.Products))
		for _, name := range slices.Sorted(maps.Keys(l.Products)) {
			p := l.Products[name]
			h.str(name)
			h.str(p.ErrorCode)
			h.str(p.ErrorMessage)
			h.str(p.Unavailable)
		}
	}
	h.bool(e.Accounts != nil)
	if e.Accounts != nil {
		h.int(*e.Accounts)
	}
	h.bool(e.Institution != nil)
	if in := e.Institution; in != nil {
		h.str(in.InstitutionID)
		h.str(in.InstitutionName)
		h.str(in.InstitutionAvatar)
		h.str(in.Provider)
	}
	h.str(e.Fixture)
	h.int(int(e.RefreshDelay))
	h.uint(e.PersonaHash)
	// The fields added since, hashed only when set.
	if e.Webhook != nil {
		h.bool(true)
		h.str(*e.Webhook)
	}
	if w := e.Webhooks; w != nil {
		h.bool(true)
		h.int(int(w.Delay.Min))
		h.int(int(w.Delay.Max))
		h.int(w.Duplicate)
		h.bool(w.Reorder)
		h.int(len(w.Drop))
		for _, d := range w.Drop {
			h.str(d)
		}
		h.str(w.FailSignature)
	}
	if e.Fault != "" {
		h.str(string(e.Fault))
	}
	if d := e.Dribble; d != nil {
		h.bool(true)
		h.int(d.Chunks)
		h.int(int(d.Over))
	}
	return h.sum()
}

// fullEntry sets every field of an Entry.
func fullEntry() *Entry {
	three := 3
	hook := "https://example.com/hook"
	return &Entry{
		Pattern: "mk_*", Source: "s.yaml", Line: 2, Col: 3,
		Error: BadState, Message: "m", LinkErrorCode: "auth_expired", RetryAfter: 2 * time.Second,
		Delay: Delay{time.Millisecond, time.Second}, Every: 2, After: 1, Times: 4,
		RateLimit: &RateLimit{Requests: 5, Per: time.Minute},
		Link: &LinkShape{State: "error", ErrorCode: "auth_expired", Products: map[string]ProductShape{
			"identity": {ErrorCode: "timeout", ErrorMessage: "x", Unavailable: "y"}, "accounts": {},
		}},
		Accounts:     &three,
		Institution:  &InstitutionShape{InstitutionID: "chase", InstitutionName: "Chase", InstitutionAvatar: "a", Provider: "mx"},
		Fixture:      "ada",
		RefreshDelay: time.Minute,
		PersonaHash:  42,
		Webhook:      &hook,
		Webhooks:     &WebhookChaos{Delay: Delay{time.Millisecond, time.Second}, Duplicate: 2, Reorder: true, Drop: []string{"completed"}, FailSignature: "wrong_key"},
		Fault:        FaultReset,
		Dribble:      &Dribble{Chunks: 5, Over: time.Second},
	}
}

// TestFingerprintValues checks the derived fingerprint against the hand-kept
// one on every entry of the embedded catalogue, the good test file and a
// full entry, and that sealed entries return the same value.
func TestFingerprintValues(t *testing.T) {
	good, err := Parse("testdata/good.yaml", readFile(t, "testdata/good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	entries := append(Default().Entries(), good...)
	entries = append(entries, fullEntry(), &Entry{})
	for _, e := range entries {
		want := fingerprintByHand(e)
		if got := e.Fingerprint(); got != want {
			t.Errorf("%s: Fingerprint() = %#x, want %#x", e.Pattern, got, want)
		}
		c := *e
		c.seal()
		if c.fp != want || c.Fingerprint() != want {
			t.Errorf("%s: sealed fingerprint = %#x, want %#x", e.Pattern, c.fp, want)
		}
	}
	for _, e := range Default().Entries() {
		if e.fp == 0 {
			t.Errorf("%s: an entry of a Set is not sealed", e.Pattern)
		}
	}
}

// TestFingerprintCoversEveryField changes each field of a full entry in turn:
// the fingerprint must change for every field but the ones that say where the
// entry is. A new field of Entry fails here until it is either covered (the
// default) or tagged fingerprint:"-" and added to where below.
func TestFingerprintCoversEveryField(t *testing.T) {
	where := []string{"Pattern", "Source", "Line", "Col"}
	base := fullEntry().Fingerprint()
	typ := reflect.TypeFor[Entry]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		e := fullEntry()
		changeValue(t, f.Name, reflect.ValueOf(e).Elem().Field(i))
		changed := e.Fingerprint() != base
		switch {
		case slices.Contains(where, f.Name) && changed:
			t.Errorf("changing %s changed the fingerprint; it says where the entry is, not what it does", f.Name)
		case !slices.Contains(where, f.Name) && !changed:
			t.Errorf("changing %s did not change the fingerprint", f.Name)
		}
		if got, want := f.Tag.Get("fingerprint") == "-", slices.Contains(where, f.Name); got != want {
			t.Errorf("%s: tagged fingerprint:\"-\" = %v, want %v", f.Name, got, want)
		}
	}
}

// changeValue changes a non-zero value of v, and one field inside it.
func changeValue(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Pointer:
		changeValue(t, name, v.Elem())
	case reflect.Struct:
		changeValue(t, name, v.Field(v.NumField()-1))
	case reflect.Map:
		v.SetMapIndex(reflect.ValueOf("transactions"), reflect.Zero(v.Type().Elem()))
	default:
		t.Fatalf("%s: no way to change a %s; teach changeValue", name, v.Type())
	}
}

// TestBindSeals: the copy Bind makes has its fingerprint, with the persona.
func TestBindSeals(t *testing.T) {
	set := Default()
	e, err := ParseEntry("runtime", "mk_rt", []byte(`{"fixture": "business"}`))
	if err != nil {
		t.Fatal(err)
	}
	b := set.Bind(e)
	if b.fp == 0 || b.fp != fingerprintByHand(b) || b.fp == e.Fingerprint() {
		t.Errorf("Bind's copy: fp = %#x, want %#x (and not %#x)", b.fp, fingerprintByHand(b), e.Fingerprint())
	}
}

package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLookup shows that looking up a link ID costs the same with 100
// or 10,000 exact IDs: exact IDs are a map, and only the 50 globs are
// scanned. Ten of the globs have no literal prefix past "mk_", so a miss
// runs path.Match on them.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{100, 10000} {
		set := benchSet(b, n)
		for _, tc := range []struct{ name, id string }{
			{"exact", fmt.Sprintf("mk_bench_%05d", n/2)},
			{"glob", "mk_g25_some_link"},
			{"miss", "mk_eqkWN34UeeN6WYiBg2Tr7Z"},
		} {
			b.Run(fmt.Sprintf("exact=%d/%s", n, tc.name), func(b *testing.B) {
				if e := set.Lookup(tc.id); (e == nil) != (tc.name == "miss") {
					b.Fatalf("Lookup(%q) = %v", tc.id, e)
				}
				for b.Loop() {
					set.Lookup(tc.id)
				}
			})
		}
	}
}

// benchSet builds a Set of n exact IDs and 50 globs through Parse.
func benchSet(b *testing.B, n int) *Set {
	b.Helper()
	var y strings.Builder
	y.WriteString("links:\n")
	for i := range n {
		fmt.Fprintf(&y, "  mk_bench_%05d: {error: deleted}\n", i)
	}
	for i := range 40 {
		fmt.Fprintf(&y, "  \"mk_g%02d_*\": {error: not_found}\n", i)
	}
	for i := range 10 {
		fmt.Fprintf(&y, "  \"mk_*_s%02d\": {error: forbidden}\n", i)
	}
	entries, err := Parse("bench.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	return newSet(entries, nil)
}

package mirror

import (
	"fmt"
	"strings"
	"testing"
)

// TestStringSlab checks that strings cut from a slab keep their value
// while later ones fill it and the next blocks.
func TestStringSlab(t *testing.T) {
	var sl stringSlab
	var got, want []string
	for i := range 1000 {
		w := fmt.Sprintf("%040x", i*7919)
		got = append(got, sl.string([]byte(w)))
		want = append(want, w)
	}
	long := strings.Repeat("L", slabSize)
	got, want = append(got, sl.string([]byte(long))), append(want, long)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d is %q, want %q", i, got[i], want[i])
		}
	}
}

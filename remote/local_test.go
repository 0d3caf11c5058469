package remote

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitIndex checks splitIndex against strings.Split at every depth,
// within the entry's inline array and beyond it, and that an index that
// fits takes no allocation of its own.
func TestSplitIndex(t *testing.T) {
	rel := ""
	for depth := 1; depth <= 9; depth++ {
		if rel != "" {
			rel += "/"
		}
		rel += strings.Repeat("n", depth)
		var box entryBox
		got := splitIndex(box.ix[:0], rel)
		if want := strings.Split(rel, "/"); !slices.Equal(got, want) {
			t.Errorf("splitIndex(%q) = %q, want %q", rel, got, want)
		}
		inline := depth <= len(box.ix)
		if (&got[0] == &box.ix[0]) != inline {
			t.Errorf("depth %d: held in the entry's array: %v, want %v", depth, &got[0] == &box.ix[0], inline)
		}
	}
	for _, root := range []string{".", ""} {
		if got := splitIndex(nil, root); got == nil || len(got) != 0 {
			t.Errorf("splitIndex(%q) = %#v, want an empty index", root, got)
		}
	}
	box := new(entryBox)
	if n := testing.AllocsPerRun(100, func() { splitIndex(box.ix[:0], "a/bb/ccc/dddd") }); n != 0 {
		t.Errorf("splitIndex allocates %v times for a path of depth 4", n)
	}
}

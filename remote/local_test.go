package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// TestLocalSourceCancelled: a walk stopped by its context ends the stream
// with the cancellation, never with io.EOF, which would say the tree was
// all read.
func TestLocalSourceCancelled(t *testing.T) {
	dir := t.TempDir()
	for d := range 20 {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", d))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d", f)), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := NewLocalSource(dir, LocalOptions{})
	defer s.Close()
	s.Start(ctx)
	if err := s.Begin(ctx, BeginOptions{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := s.Next(context.Background())
		if err == nil {
			if n++; n == 10 {
				cancel()
			}
			continue
		}
		if errors.Is(err, io.EOF) || !errors.Is(err, context.Canceled) {
			t.Fatalf("after %d entries of a cancelled walk: %v, want the cancellation", n, err)
		}
		if n >= 20*101+1 {
			t.Fatalf("the whole tree (%d entries) came before the cancellation", n)
		}
		return
	}
}

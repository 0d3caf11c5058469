package metadata

import (
	"reflect"
	"testing"
)

func TestParseGetent(t *testing.T) {
	for _, c := range []struct {
		out  string
		want []string
	}{
		{"alice:x:1000:1000:Alice:/home/alice:/bin/sh\n", []string{"alice", "x", "1000", "1000", "Alice", "/home/alice", "/bin/sh"}},
		{"staff:x:50:alice,bob\nextra:x:51:\n", []string{"staff", "x", "50", "alice,bob"}}, // first line only
		{"", nil},
		{"\n", nil},
		{":x:1000:\n", nil},             // no name
		{"alice:x:\n", nil},             // no id
		{"alice:x:-1:\n", nil},          // not an id
		{"alice:x:99999999999:\n", nil}, // past 32 bits
		{"alice\n", nil},
	} {
		if got := parseGetent([]byte(c.out)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseGetent(%q) = %q, want %q", c.out, got, c.want)
		}
	}
}

package selection

import (
	"maps"
	"strings"
	"testing"
)

func TestParseMountinfo(t *testing.T) {
	table := `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
36 22 0:32 / /dev/shm rw,nosuid,nodev shared:2 - tmpfs tmpfs rw
40 36 0:40 / /dev/shm/with\040space rw - tmpfs tmpfs rw
41 36 0:41 / /dev/shm/back\134slash\012nl rw - tmpfs tmpfs rw
42 36 0:42 / /dev/shm/odd\9 rw - tmpfs tmpfs rw
`
	got, err := parseMountinfo(strings.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/", "/dev/shm", "/dev/shm/with space", "/dev/shm/back\\slash\nnl", `/dev/shm/odd\9`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("mount points %q, want %q", got, want)
	}
	if _, err := parseMountinfo(strings.NewReader("1 2 3\n")); err == nil {
		t.Error("a short line is accepted")
	}
}

func TestMountsBelow(t *testing.T) {
	points := []string{"/", "/srv", "/srv/data", "/srv/data/a/mnt", "/srv/data/top", "/srv/database/x", "/other"}
	for _, c := range []struct {
		canon, base, prefix string
		want                map[string]map[string]bool
	}{
		{"/srv/data", "/srv/data", "/srv/data/", map[string]map[string]bool{
			"/srv/data":   {"top": true},
			"/srv/data/a": {"mnt": true},
		}},
		// A relative root (the walk's names) whose real path is /srv/data.
		{"/srv/data", "data", "data/", map[string]map[string]bool{
			"data":   {"top": true},
			"data/a": {"mnt": true},
		}},
		{"/", "/", "/", map[string]map[string]bool{
			"/":             {"srv": true, "other": true},
			"/srv":          {"data": true, "database": false},
			"/srv/data":     {"top": true},
			"/srv/data/a":   {"mnt": true},
			"/srv/database": {"x": true},
		}},
		{"/nowhere", "/nowhere", "/nowhere/", nil},
	} {
		got := mountsBelow(points, c.canon, c.base, c.prefix)
		for dir, names := range c.want {
			for name, is := range names {
				if got[dir][name] != is {
					t.Errorf("root %s: %s/%s a mount point: %v, want %v", c.base, dir, name, got[dir][name], is)
				}
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("root %s: %d directories hold mount points (%v), want %d", c.base, len(got), slicesOf(got), len(c.want))
		}
	}
}

func slicesOf(m map[string]map[string]bool) []string {
	var out []string
	for k := range maps.Keys(m) {
		out = append(out, k)
	}
	return out
}

// FuzzMountinfo: any table either parses or is refused, without a panic,
// and every mount point it yields is a path of at least one byte.
func FuzzMountinfo(f *testing.F) {
	f.Add("36 22 0:32 / /dev/shm rw - tmpfs tmpfs rw\n")
	f.Add("40 36 0:40 / /a\\040b rw - tmpfs tmpfs rw\n40 36 0:40 / /a\\777 rw - x y z\n")
	f.Add("1 2 3\n")
	f.Fuzz(func(t *testing.T, table string) {
		points, err := parseMountinfo(strings.NewReader(table))
		if err != nil {
			return
		}
		for _, p := range points {
			if p == "" {
				t.Fatalf("empty mount point from %q", table)
			}
		}
	})
}

package selection

import (
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestListingFastPath lists one directory with the scheduler-bypassing
// calls and with the ordinary ones: the names, lstats and errors must be
// the same. It runs on the test's temporary directory and, where there is
// one, on a tmpfs (the file systems the fast path is for).
func TestListingFastPath(t *testing.T) {
	dirs := []string{t.TempDir()}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "gordiff-listing-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			dirs = append(dirs, d)
		}
	}
	for _, dir := range dirs {
		for _, name := range []string{"b", "a", "ccc", "é long name with spaces"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("nowhere", filepath.Join(dir, "link")); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(dir)
		if err != nil {
			t.Fatal(err)
		}
		dev, _ := deviceOf(fi)
		list := func(local bool) *listing {
			k := &fsKinds{}
			k.local.Store(dev, local)
			l := &listing{dir: dir, kinds: k, dev: dev, hasDev: true}
			l.fetch()
			if l.err != nil {
				t.Fatalf("%s (local %v): %v", dir, local, l.err)
			}
			return l
		}
		fast, slow := list(true), list(false)
		if len(fast.names) != 7 || len(fast.names) != len(slow.names) {
			t.Fatalf("%s: %d names fast, %d slow, want 7: %q", dir, len(fast.names), len(slow.names), fast.names)
		}
		for i, name := range fast.names {
			if slow.names[i] != name {
				t.Fatalf("%s: name %d is %q fast, %q slow", dir, i, name, slow.names[i])
			}
			a, b := fast.infos[i], slow.infos[i]
			if a == nil || b == nil {
				t.Fatalf("%s/%s: no lstat (fast %v, slow %v)", dir, name, fast.errs, slow.errs)
			}
			sa, sb := a.Sys().(*syscall.Stat_t), b.Sys().(*syscall.Stat_t)
			sa2, sb2 := *sa, *sb
			sa2.Atim, sb2.Atim = syscall.Timespec{}, syscall.Timespec{} // the only field that may move
			if sa2 != sb2 {
				t.Errorf("%s/%s: lstat differs:\nfast %+v\nslow %+v", dir, name, *sa, *sb)
			}
			want, err := os.Lstat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if a.Name() != name || a.Mode() != want.Mode() || a.Size() != want.Size() || !a.ModTime().Equal(want.ModTime()) {
				t.Errorf("%s/%s: fast lstat gives %v %d %v, os.Lstat %v %d %v", dir, name, a.Mode(), a.Size(), a.ModTime(), want.Mode(), want.Size(), want.ModTime())
			}
		}
	}
}

// TestFSKinds checks which file systems take the fast path: a tmpfs does,
// /proc does not, and the answer is learnt once per device.
func TestFSKinds(t *testing.T) {
	for _, c := range []struct {
		dir   string
		local bool
	}{{"/dev/shm", true}, {"/proc", false}, {"/sys", false}} {
		f, err := os.Open(c.dir)
		if err != nil {
			t.Logf("%s: %v", c.dir, err)
			continue
		}
		var st syscall.Statfs_t
		if err := syscall.Fstatfs(int(f.Fd()), &st); err != nil {
			t.Fatal(err)
		}
		if c.local && uint32(st.Type) != 0x01021994 {
			f.Close()
			continue // /dev/shm is not a tmpfs here
		}
		k := &fsKinds{}
		if k.isLocal(7) {
			t.Fatal("an unknown device counts as local")
		}
		if got := k.learn(7, int(f.Fd())); got != c.local {
			t.Errorf("%s: learn says local %v, want %v", c.dir, got, c.local)
		}
		f.Close()
		if got := k.isLocal(7); got != c.local {
			t.Errorf("%s: isLocal after learning says %v, want %v", c.dir, got, c.local)
		}
		if got := k.learn(7, -1); got != c.local { // no second statfs: fd -1 would fail
			t.Errorf("%s: learnt again: %v", c.dir, got)
		}
	}
}

// TestWalkReusedListings walks a tree of directories of very different
// sizes, so that each listing's memory is reused by listings longer and
// shorter than the last one, and checks every entry against os.Lstat and
// the tree's own names: nothing stale may come back from an earlier
// directory, nothing may be missed.
func TestWalkReusedListings(t *testing.T) {
	root := t.TempDir()
	want := map[string]os.FileInfo{}
	sizes := []int{1, 40, 3, 0, 17, 2, 90, 5, 1, 33}
	for d, n := range sizes {
		dir := filepath.Join(root, fmt.Sprintf("d%02d", d))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			name := filepath.Join(dir, fmt.Sprintf("f%03d-%s", i, strings.Repeat("x", (i*7+d)%23)))
			if err := os.WriteFile(name, make([]byte, i+d), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if d%3 == 0 { // and some depth, listed ahead or by the walk
			if err := os.MkdirAll(filepath.Join(dir, "deep", "er"), 0o700); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		want[rel] = fi
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, ahead := range []int{0, 64} {
		func() {
			defer func(n int) { maxAhead = n }(maxAhead)
			maxAhead = ahead
			seen := 0
			err := Walk(context.Background(), root, nil, func(rel string, fi fs.FileInfo, err error) error {
				if err != nil {
					return err
				}
				w, ok := want[rel]
				if !ok {
					return fmt.Errorf("walk yields %q, which is not in the tree", rel)
				}
				seen++
				if fi.Mode() != w.Mode() || fi.Size() != w.Size() || (rel != "." && fi.Name() != w.Name()) {
					t.Errorf("maxAhead %d: %s: walk gives %v %d %q, os.Lstat %v %d %q", ahead, rel, fi.Mode(), fi.Size(), fi.Name(), w.Mode(), w.Size(), w.Name())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen != len(want) {
				t.Errorf("maxAhead %d: walk yields %d entries, the tree has %d", ahead, seen, len(want))
			}
		}()
	}
}

// TestDirentNames reads a real directory's getdents64 records and checks
// that appendDirentNames finds the names x/sys/unix's parser finds.
func TestDirentNames(t *testing.T) {
	dir := t.TempDir()
	for i := range 300 { // more than one getdents buffer's worth
		name := fmt.Sprintf("%03d%s", i, strings.Repeat("n", i%50))
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	var arena []byte
	var ends []int
	var want []string
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		arena, ends = appendDirentNames(arena, ends, buf[:n])
		_, _, want = unix.ParseDirent(buf[:n], -1, want)
	}
	var got []string
	from := 0
	for _, end := range ends {
		got = append(got, string(arena[from:end]))
		from = end
	}
	if len(want) != 300 || !slices.Equal(got, want) {
		t.Fatalf("appendDirentNames found %d names, x/sys/unix %d:\n%q\n%q", len(got), len(want), got, want)
	}
}

// FuzzDirentNames feeds appendDirentNames arbitrary bytes: it must never
// panic nor read past a record, and whatever it finds must be a name
// (no NUL, no slash, neither "." nor "..").
func FuzzDirentNames(f *testing.F) {
	rec := func(name string) []byte {
		b := make([]byte, 19, 19+len(name)+8)
		b = append(b, name...)
		b = append(b, 0)
		for len(b)%8 != 0 {
			b = append(b, 0)
		}
		binary.NativeEndian.PutUint16(b[16:], uint16(len(b)))
		return b
	}
	f.Add(append(append(rec("."), rec("..")...), rec("a file")...))
	f.Add(rec("x"))
	f.Add([]byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, buf []byte) {
		arena, ends := appendDirentNames(nil, nil, buf)
		from := 0
		for _, end := range ends {
			if end < from || end > len(arena) {
				t.Fatalf("bad end %d after %d in %d bytes", end, from, len(arena))
			}
			name := string(arena[from:end])
			if name == "." || name == ".." || strings.IndexByte(name, 0) >= 0 {
				t.Fatalf("found %q", name)
			}
			from = end
		}
	})
}

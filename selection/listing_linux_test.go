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
		list := func(fast bool) *listing {
			l := &listing{dir: dir, dev: dev, hasDev: true}
			if fast { // as if on a memory file system, whatever dir is on
				l.kinds = &fsKinds{base: dir, prefix: dir + "/"}
				l.kinds.memory.Store(dev, true)
			}
			l.fetch()
			if l.err != nil {
				t.Fatalf("%s (fast %v): %v", dir, fast, l.err)
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

// TestFSKinds checks which directories' listings may bypass the
// scheduler: a tmpfs's may, a disk file system's and /proc's may not, and
// the answer is learnt once per device.
func TestFSKinds(t *testing.T) {
	for _, c := range []struct {
		dir    string
		memory bool
	}{{"/dev/shm", true}, {t.TempDir(), false}, {"/proc", false}} {
		f, err := os.Open(c.dir)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var sfs syscall.Statfs_t
		if err := syscall.Fstatfs(int(f.Fd()), &sfs); err != nil {
			t.Fatal(err)
		}
		if uint32(sfs.Type) == unix.TMPFS_MAGIC && !c.memory {
			continue // the test's temporary directory is on a tmpfs here
		}
		if c.memory && uint32(sfs.Type) != unix.TMPFS_MAGIC {
			t.Logf("%s is no tmpfs here: nothing to check for it", c.dir)
			continue
		}
		k := &fsKinds{}
		if got := k.inMemory(int(f.Fd()), 0, false); got != c.memory {
			t.Errorf("%s: inMemory says %v, want %v", c.dir, got, c.memory)
		}
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		dev, _ := deviceOf(fi)
		if v, ok := k.memory.Load(dev); !ok || v.(bool) != c.memory {
			t.Errorf("%s: device %d learnt as %v (%v), want %v", c.dir, dev, v, ok, c.memory)
		}
		// A device its lstat gave and known not to be in memory settles
		// it, whatever the descriptor's own device (here, the real one).
		k.memory.Store(^uint64(0), false)
		if got := k.inMemory(int(f.Fd()), ^uint64(0), true); got {
			t.Errorf("%s: a directory whose lstat's device is known not in memory is taken for in memory", c.dir)
		}
		if got := k.inMemory(int(f.Fd()), ^uint64(0)-1, true); got != c.memory {
			t.Errorf("%s: a device not yet known does not defer to the descriptor's (%v)", c.dir, got)
		}
	}
}

// TestRawLstatSpared lists a tmpfs directory holding a file, a symbolic
// link, a subdirectory, a mount point and a file bind-mounted from a disk
// file system: only the file and the link may be lstat'ed bypassing the
// scheduler, since the others answer from whatever is mounted there.
func TestRawLstatSpared(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount")
	}
	dir, err := os.MkdirTemp("/dev/shm", "gordiff-mounts-")
	if err != nil {
		t.Skipf("no /dev/shm to make a tmpfs tree in: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var sfs syscall.Statfs_t
	if err := syscall.Statfs(dir, &sfs); err != nil || uint32(sfs.Type) != unix.TMPFS_MAGIC {
		t.Skipf("/dev/shm is not a tmpfs here (%v)", err)
	}
	for _, p := range []string{"sub", "mnt"} {
		if err := os.Mkdir(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"file", "bound"} {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("file", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	disk := filepath.Join(t.TempDir(), "on-disk")
	if err := os.WriteFile(disk, []byte("disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", filepath.Join(dir, "mnt"), "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount here: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(filepath.Join(dir, "mnt"), unix.MNT_DETACH) })
	if err := unix.Mount(disk, filepath.Join(dir, "bound"), "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind mount: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(filepath.Join(dir, "bound"), unix.MNT_DETACH) })

	var raw []string
	rawLstatHook = func(d, name string) { raw = append(raw, name) }
	defer func() { rawLstatHook = nil }()
	seen := map[string]syscall.Stat_t{} // copies: fi is only valid during the call
	err = Walk(context.Background(), dir, nil, func(rel string, fi fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		seen[rel] = *fi.Sys().(*syscall.Stat_t)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(raw)
	if !slices.Equal(raw, []string{"file", "link"}) {
		t.Errorf("lstat'ed bypassing the scheduler: %q, want only the file and the link", raw)
	}
	// And the lstats are the mounted things', as os.Lstat sees them.
	for _, rel := range []string{"mnt", "bound", "file", "link", "sub"} {
		var want syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(dir, rel), &want); err != nil {
			t.Fatal(err)
		}
		got, ok := seen[rel]
		if !ok {
			t.Errorf("%s not walked", rel)
			continue
		}
		if got.Dev != want.Dev || got.Ino != want.Ino || got.Mode != want.Mode {
			t.Errorf("%s: walk gives device %d inode %d mode %o, lstat %d %d %o", rel, got.Dev, got.Ino, got.Mode, want.Dev, want.Ino, want.Mode)
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
// that appendDirents finds the names x/sys/unix's parser finds, with the
// right types.
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
	if err := os.Mkdir(filepath.Join(dir, "zdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	var arena []byte
	var ents []dirent
	var want []string
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		arena, ents = appendDirents(arena, ents, buf[:n])
		_, _, want = unix.ParseDirent(buf[:n], -1, want)
	}
	var got []string
	from := 0
	for _, e := range ents {
		name := string(arena[from:e.end])
		got = append(got, name)
		from = e.end
		if wantType := uint8(unix.DT_REG); name == "zdir" && e.typ != unix.DT_DIR || name != "zdir" && e.typ != wantType && e.typ != unix.DT_UNKNOWN {
			t.Errorf("%s has type %d", name, e.typ)
		}
	}
	if len(want) != 301 || !slices.Equal(got, want) {
		t.Fatalf("appendDirents found %d names, x/sys/unix %d:\n%q\n%q", len(got), len(want), got, want)
	}
}

// FuzzDirentNames feeds appendDirents arbitrary bytes: it must never
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
		arena, ents := appendDirents(nil, nil, buf)
		from := 0
		for _, e := range ents {
			end := e.end
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

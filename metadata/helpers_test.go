//go:build linux

package metadata

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// needTool skips the test when a program is not installed.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// backup runs the real rdiff-backup for session time tm.
func backup(t *testing.T, src, repo, tm string) {
	t.Helper()
	needTool(t, "rdiff-backup")
	run(t, "rdiff-backup", "--current-time", tm, "backup", src, repo)
}

// dataFiles lists the data-directory files whose names start with prefix,
// sorted by name.
func dataFiles(t *testing.T, repo, prefix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", prefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}

func oneDataFile(t *testing.T, repo, prefix string) string {
	t.Helper()
	m := dataFiles(t, repo, prefix)
	if len(m) != 1 {
		t.Fatalf("want one %s file in %s, got %v", prefix, repo, m)
	}
	return m[0]
}

// content returns a data file's bytes, gunzipped when needed.
func content(t *testing.T, path string) []byte {
	t.Helper()
	rc, err := OpenDataFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

type node struct {
	path string
	kind string // file, dir, sym, hard, fifo, sock, cdev, bdev
	data string // content, link target or hard link source
	mode uint32
	uid  int
	gid  int
	// mtime, when non-zero, is set in nanoseconds since the epoch.
	mtime int64
}

// oddTree is a source tree with every file type and awkward names.
var oddTree = []node{
	{path: "dir", kind: "dir", mode: 0o755},
	{path: "dir/sub", kind: "dir", mode: 0o750},
	{path: "dir/sub/f", kind: "file", data: "sub file\n", mode: 0o640},
	{path: "a.txt", kind: "file", data: "hello\n", mode: 0o4755},
	{path: "sgid", kind: "file", data: "x", mode: 0o2711},
	{path: "sticky", kind: "dir", mode: 0o1777},
	{path: "empty", kind: "file", mode: 0o644, uid: 1234, gid: 5678},
	{path: "h1", kind: "file", data: "abc", mode: 0o600},
	{path: "dir/h2", kind: "hard", data: "h1"},
	{path: "zz h3", kind: "hard", data: "h1"},
	{path: "dir/badlink", kind: "sym", data: "../nonexistent target"},
	{path: "dir/odd\nlink", kind: "sym", data: "back\\slash\nnew"},
	{path: "fifo", kind: "fifo", mode: 0o644},
	{path: "sock", kind: "sock", mode: 0o755},
	{path: "cdev", kind: "cdev", mode: 0o620},
	{path: "bdev", kind: "bdev", mode: 0o660},
	{path: "new\nline", kind: "file", data: "n", mode: 0o644},
	{path: "back\\slash", kind: "file", data: "b", mode: 0o644},
	{path: "lat\xe9n", kind: "file", data: "l", mode: 0o644},
	{path: "\x01ctl", kind: "file", data: "c", mode: 0o644},
	{path: "sp ace", kind: "dir", mode: 0o555},
	{path: "sp ace/f=1", kind: "file", data: "eq", mode: 0o444},
	{path: "a b", kind: "file", data: "ab", mode: 0o644},
	{path: "a-b", kind: "file", data: "ab", mode: 0o644},
	{path: "a", kind: "dir", mode: 0o700},
	{path: "a/b", kind: "file", data: "ab", mode: 0o644},
	{path: "A", kind: "file", data: "A", mode: 0o644},
	{path: "_x", kind: "file", data: "_", mode: 0o644},
	{path: "tab\there", kind: "file", data: "t", mode: 0o644},
	{path: "big", kind: "file", data: strings.Repeat("0123456789", 20000), mode: 0o644},
	{path: "noname", kind: "file", data: "nn", mode: 0o600, uid: 4242, gid: 4343},
	{path: "almost", kind: "file", mode: 0o644, mtime: 1700000000_999999999},
	{path: "neg", kind: "file", mode: 0o644, mtime: -1_500000000},
	{path: "old", kind: "dir", mode: 0o755, mtime: 86400_000000000},
}

// makeTree creates nodes under root (parents first), then fixes modes and
// owners of directories last so that read-only directories can be filled.
func makeTree(t *testing.T, root string, nodes []node) {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	var dirs []node
	for _, n := range nodes {
		p := filepath.Join(root, n.path)
		var err error
		switch n.kind {
		case "dir":
			err = os.MkdirAll(p, 0o755)
			dirs = append(dirs, n)
		case "file":
			err = os.WriteFile(p, []byte(n.data), 0o644)
		case "sym":
			err = os.Symlink(n.data, p)
		case "hard":
			err = os.Link(filepath.Join(root, n.data), p)
		case "fifo":
			err = unix.Mkfifo(p, 0o644)
		case "sock":
			err = unix.Mknod(p, unix.S_IFSOCK|0o644, 0)
		case "cdev":
			err = unix.Mknod(p, unix.S_IFCHR|0o644, int(unix.Mkdev(1, 3)))
		case "bdev":
			err = unix.Mknod(p, unix.S_IFBLK|0o644, int(unix.Mkdev(7, 200)))
		}
		if err != nil {
			t.Fatalf("creating %q: %v", n.path, err)
		}
		if n.kind != "sym" && n.kind != "hard" && n.kind != "dir" {
			setAttrs(t, p, n)
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		setAttrs(t, filepath.Join(root, dirs[i].path), dirs[i])
	}
}

func setAttrs(t *testing.T, p string, n node) {
	t.Helper()
	if n.uid != 0 || n.gid != 0 {
		if err := os.Lchown(p, n.uid, n.gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Chmod(p, n.mode); err != nil {
		t.Fatal(err)
	}
	if n.mtime != 0 {
		ts := []unix.Timespec{unix.NsecToTimespec(n.mtime), unix.NsecToTimespec(n.mtime)}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
	}
}

// needRoot skips tests that create devices or chown.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create devices and change owners")
	}
}

// readAll parses a mirror_metadata content and fails on any warning.
func readAll(t *testing.T, data []byte, name string) []*Record {
	t.Helper()
	rd := NewReader(bufio.NewReader(bytes.NewReader(data)), name)
	rd.Warn = func(err error) { t.Errorf("warning: %v", err) }
	var out []*Record
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

func writeAll(t *testing.T, recs []*Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// firstDiff shows where two byte strings start to differ.
func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return "got ...\n" + string(a[lo:min(len(a), i+80)]) + "\nwant ...\n" + string(b[lo:min(len(b), i+80)])
}

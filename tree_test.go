//go:build linux

package gordiff_test

// Trees as data: a source tree (or the changes made to it between two
// sessions) is declared as a list of nodes and ops, created on disk, and
// any tree on disk (a source, a mirror, a restore) is snapshotted into a
// comparable description. Two descriptions compare with a readable diff.
//
// Helpers shared by the backup tests live here too: running the real
// rdiff-backup, skipping without it or without root.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// kind is the type of a declared node.
type kind int

const (
	kindDir kind = iota
	kindFile
	kindSymlink
	kindHardlink
	kindFifo
	kindSocket
	kindCharDev
	kindBlockDev
)

// baseMtime is the default modification time of declared nodes.
const baseMtime = 1600000000

// node is one entry of a declared tree. Parents that are not declared are
// created 0755 with the time they get.
type node struct {
	path    string // relative to the tree's root; "." is the root itself
	kind    kind
	content string // regular files: the bytes (written at offset 0)
	size    int64  // regular files: when > len(content), a sparse file of this size ending in "END"
	mode    uint32 // permission bits incl. setuid/setgid/sticky; 0: 0644 files, 0755 dirs, 0600 specials
	mtime   int64  // 0: baseMtime
	uid     int    // owner; -1 with gid -1: left as created (root)
	gid     int
	target  string // symlink target, or the existing path a hard link points to
	major   uint32 // device numbers
	minor   uint32
}

type nodeOpt func(*node)

func withMode(m uint32) nodeOpt  { return func(n *node) { n.mode = m } }
func withMtime(t int64) nodeOpt  { return func(n *node) { n.mtime = t } }
func withOwner(u, g int) nodeOpt { return func(n *node) { n.uid, n.gid = u, g } }

func mk(path string, k kind, opts []nodeOpt) node {
	n := node{path: path, kind: k, uid: -1, gid: -1}
	for _, o := range opts {
		o(&n)
	}
	return n
}

func tDir(path string, opts ...nodeOpt) node { return mk(path, kindDir, opts) }
func tFile(path, content string, opts ...nodeOpt) node {
	n := mk(path, kindFile, opts)
	n.content = content
	return n
}

// tSparse is a sparse file of size bytes: "START", a hole, "END".
func tSparse(path string, size int64, opts ...nodeOpt) node {
	n := tFile(path, "START", opts...)
	n.size = size
	return n
}
func tSym(path, target string, opts ...nodeOpt) node {
	n := mk(path, kindSymlink, opts)
	n.target = target
	return n
}

// tLink is a hard link at path to the existing file at existing (both
// relative to the root).
func tLink(path, existing string) node {
	n := mk(path, kindHardlink, nil)
	n.target = existing
	return n
}
func tFifo(path string, opts ...nodeOpt) node { return mk(path, kindFifo, opts) }
func tSock(path string, opts ...nodeOpt) node { return mk(path, kindSocket, opts) }
func tChr(path string, major, minor uint32, opts ...nodeOpt) node {
	n := mk(path, kindCharDev, opts)
	n.major, n.minor = major, minor
	return n
}
func tBlk(path string, major, minor uint32, opts ...nodeOpt) node {
	n := mk(path, kindBlockDev, opts)
	n.major, n.minor = major, minor
	return n
}

// randString returns n deterministic pseudo-random bytes.
func randString(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return string(b)
}

// makeTree creates the nodes under root, in order. A node replaces
// whatever is at its path unless both are directories (then only the
// attributes change). Directory times are applied last, deepest first, so
// that creating their contents does not move them.
func makeTree(t testing.TB, root string, nodes ...node) {
	t.Helper()
	var dirs []node
	for _, n := range nodes {
		p := filepath.Join(root, n.path)
		if n.path != "." {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		fi, err := os.Lstat(p)
		if err == nil && !(n.kind == kindDir && fi.IsDir()) {
			if err := os.RemoveAll(p); err != nil {
				t.Fatal(err)
			}
		}
		switch n.kind {
		case kindDir:
			err = os.Mkdir(p, 0o755)
			if errors.Is(err, fs.ErrExist) {
				err = nil
			}
			dirs = append(dirs, n)
		case kindFile:
			err = writeNewFile(p, n)
		case kindSymlink:
			err = os.Symlink(n.target, p)
		case kindHardlink:
			err = os.Link(filepath.Join(root, n.target), p)
		case kindFifo:
			err = unix.Mkfifo(p, 0o600)
		case kindSocket:
			err = makeSocket(p)
		case kindCharDev:
			err = unix.Mknod(p, unix.S_IFCHR|0o600, int(unix.Mkdev(n.major, n.minor)))
		case kindBlockDev:
			err = unix.Mknod(p, unix.S_IFBLK|0o600, int(unix.Mkdev(n.major, n.minor)))
		}
		if err != nil {
			t.Fatalf("creating %s: %v", n.path, err)
		}
		if n.kind != kindDir && n.kind != kindHardlink {
			if err := applyAttrs(p, n); err != nil {
				t.Fatalf("attributes of %s: %v", n.path, err)
			}
		}
	}
	slices.SortStableFunc(dirs, func(a, b node) int { return strings.Count(b.path, "/") - strings.Count(a.path, "/") })
	for _, n := range dirs {
		if err := applyAttrs(filepath.Join(root, n.path), n); err != nil {
			t.Fatalf("attributes of %s: %v", n.path, err)
		}
	}
}

func writeNewFile(p string, n node) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(n.content)
	if err == nil && n.size > int64(len(n.content)) {
		_, err = f.WriteAt([]byte("END"), n.size-3)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// makeSocket leaves a unix socket file at p (bound, then closed without
// unlinking).
func makeSocket(p string) error {
	if len(p) >= 108 {
		return fmt.Errorf("socket path too long for sockaddr_un: %s", p)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Bind(fd, &unix.SockaddrUnix{Name: p})
}

// applyAttrs gives p the node's owner, mode and mtime (symlinks: owner
// only, mtime without following).
func applyAttrs(p string, n node) error {
	if n.uid >= 0 || n.gid >= 0 {
		if err := os.Lchown(p, n.uid, n.gid); err != nil {
			return err
		}
	}
	if n.kind != kindSymlink {
		mode := n.mode
		if mode == 0 {
			switch n.kind {
			case kindDir:
				mode = 0o755
			case kindFile:
				mode = 0o644
			default:
				mode = 0o600
			}
		}
		if err := unix.Chmod(p, mode); err != nil {
			return err
		}
	}
	mt := n.mtime
	if mt == 0 {
		mt = baseMtime
	}
	return setTimes(p, mt)
}

func setTimes(p string, mtime int64) error {
	ts := []unix.Timespec{{Sec: mtime}, {Sec: mtime}}
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// op is one change made to a tree between two sessions.
type op struct {
	desc string
	do   func(root string) error
}

func applyOps(t testing.TB, root string, ops []op) {
	t.Helper()
	for _, o := range ops {
		if err := o.do(root); err != nil {
			t.Fatalf("%s: %v", o.desc, err)
		}
	}
}

// create (re)creates nodes: additions and type changes. makeTree fails
// the test itself.
func create(t testing.TB, nodes ...node) op {
	return op{"create", func(root string) error { makeTree(t, root, nodes...); return nil }}
}

func remove(paths ...string) op {
	return op{"remove " + strings.Join(paths, " "), func(root string) error {
		for _, p := range paths {
			if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
				return err
			}
		}
		return nil
	}}
}

// rewrite overwrites a file in place (same inode) and sets its mtime.
func rewrite(path, content string, mtime int64) op {
	return op{"rewrite " + path, func(root string) error {
		p := filepath.Join(root, path)
		if err := os.WriteFile(p, []byte(content), 0); err != nil {
			return err
		}
		return setTimes(p, mtime)
	}}
}

// writeAt writes data at off inside an existing file.
func writeAt(path string, off int64, data string, mtime int64) op {
	return op{"write into " + path, func(root string) error {
		p := filepath.Join(root, path)
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if _, err := f.WriteAt([]byte(data), off); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return setTimes(p, mtime)
	}}
}

func appendTo(path, data string, mtime int64) op {
	return op{"append to " + path, func(root string) error {
		p := filepath.Join(root, path)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(data); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return setTimes(p, mtime)
	}}
}

func truncate(path string, size, mtime int64) op {
	return op{"truncate " + path, func(root string) error {
		p := filepath.Join(root, path)
		if err := os.Truncate(p, size); err != nil {
			return err
		}
		return setTimes(p, mtime)
	}}
}

func chmod(path string, mode uint32) op {
	return op{"chmod " + path, func(root string) error { return unix.Chmod(filepath.Join(root, path), mode) }}
}

// chown changes the owner; setuid/setgid bits that chown clears are put
// back so that the change is an owner-only change.
func chown(path string, uid, gid int) op {
	return op{"chown " + path, func(root string) error {
		p := filepath.Join(root, path)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return nil
		}
		return unix.Chmod(p, unixPerm(fi.Mode()))
	}}
}

func touch(path string, mtime int64) op {
	return op{"touch " + path, func(root string) error { return setTimes(filepath.Join(root, path), mtime) }}
}

// setXattr sets an extended attribute on an entry.
func setXattr(path, name, value string) op {
	return op{"setxattr " + path, func(root string) error {
		return unix.Lsetxattr(filepath.Join(root, path), name, []byte(value), 0)
	}}
}

// unixPerm converts the permission part of an os.FileMode to st_mode bits.
func unixPerm(m fs.FileMode) uint32 {
	p := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		p |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		p |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		p |= unix.S_ISVTX
	}
	return p
}

// entry is the comparable description of one path of a tree.
type entry struct {
	typ     string // dir reg sym fifo sock chr blk
	mode    uint32 // 07777 bits (not for symlinks)
	uid     uint32
	gid     uint32
	mtime   int64 // seconds; not for symlinks and devices (rdiff-backup keeps none)
	mtimeNs int64 // only in exact snapshots
	size    int64
	sha1    string
	text    string // the content when it is short and printable, for diffs
	target  string
	dev     string // "1,3"
	links   string // the hard-link group (all paths, sorted), "" when alone
	blocks  int64  // allocated bytes, only in exact snapshots
}

func (e entry) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", e.typ)
	if e.typ != "sym" {
		fmt.Fprintf(&b, " %04o", e.mode)
	}
	fmt.Fprintf(&b, " %d:%d", e.uid, e.gid)
	if e.typ != "sym" && e.typ != "chr" && e.typ != "blk" {
		fmt.Fprintf(&b, " mtime=%d", e.mtime)
	}
	switch e.typ {
	case "reg":
		fmt.Fprintf(&b, " size=%d", e.size)
		if e.text != "" || e.size == 0 {
			fmt.Fprintf(&b, " %q", e.text)
		} else {
			fmt.Fprintf(&b, " sha1=%.12s", e.sha1)
		}
	case "sym":
		fmt.Fprintf(&b, " -> %q", e.target)
	case "chr", "blk":
		fmt.Fprintf(&b, " dev=%s", e.dev)
	}
	if e.links != "" {
		fmt.Fprintf(&b, " links=[%s]", e.links)
	}
	return b.String()
}

// treeSnap describes a tree: relative path ("." for the root) -> entry.
type treeSnap map[string]entry

// snapOpts tune snapshotTree.
type snapOpts struct {
	exact bool     // nanosecond mtimes and allocated blocks (to detect any change)
	skip  []string // relative paths left out with everything below them
}

// snapshotTree describes the tree at root.
func snapshotTree(t testing.TB, root string, o snapOpts) treeSnap {
	t.Helper()
	s, err := snapshotTreeErr(root, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func snapshotTreeErr(root string, o snapOpts) (treeSnap, error) {
	snap := treeSnap{}
	inodes := map[[2]uint64][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if slices.Contains(o.skip, rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		e := entry{mode: st.Mode & 0o7777, uid: st.Uid, gid: st.Gid, mtime: st.Mtim.Sec}
		if o.exact {
			e.mtimeNs = st.Mtim.Nano()
			e.blocks = st.Blocks * 512
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			e.typ = "dir"
		case unix.S_IFREG:
			e.typ = "reg"
			e.size = st.Size
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha1.Sum(data)
			e.sha1 = hex.EncodeToString(sum[:])
			if len(data) <= 48 && utf8.Valid(data) {
				e.text = string(data)
			}
			if st.Nlink > 1 {
				k := [2]uint64{st.Dev, st.Ino}
				inodes[k] = append(inodes[k], rel)
			}
		case unix.S_IFLNK:
			e.typ = "sym"
			e.mode, e.mtime, e.mtimeNs = 0, 0, 0
			if e.target, err = os.Readlink(p); err != nil {
				return err
			}
		case unix.S_IFIFO:
			e.typ = "fifo"
		case unix.S_IFSOCK:
			e.typ = "sock"
		case unix.S_IFCHR, unix.S_IFBLK:
			e.typ = "chr"
			if st.Mode&unix.S_IFMT == unix.S_IFBLK {
				e.typ = "blk"
			}
			e.dev = fmt.Sprintf("%d,%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
			if !o.exact {
				e.mtime = 0
			}
		}
		snap[rel] = e
		return nil
	})
	for _, paths := range inodes {
		if len(paths) < 2 {
			continue
		}
		slices.Sort(paths)
		group := strings.Join(paths, ",")
		for _, p := range paths {
			e := snap[p]
			e.links = group
			snap[p] = e
		}
	}
	return snap, err
}

// clone returns a copy of a snapshot.
func (s treeSnap) clone() treeSnap {
	c := make(treeSnap, len(s))
	for k, v := range s {
		c[k] = v
	}
	return c
}

// diffTrees lists the differences between two snapshots, one line per
// path, at most 60 lines; "" when they are equal.
func diffTrees(want, got treeSnap) string {
	paths := make([]string, 0, len(want)+len(got))
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	var lines []string
	for _, p := range paths {
		w, inW := want[p]
		g, inG := got[p]
		switch {
		case !inG:
			lines = append(lines, fmt.Sprintf("  - %q missing (want %s)", p, w))
		case !inW:
			lines = append(lines, fmt.Sprintf("  + %q unexpected (%s)", p, g))
		case w != g:
			lines = append(lines, fmt.Sprintf("  ~ %q: %s", p, fieldDiff(w, g)))
		}
	}
	if len(lines) > 60 {
		count := map[byte]int{}
		for _, l := range lines[60:] {
			count[l[2]]++
		}
		lines = append(lines[:60], fmt.Sprintf("  ... and %d more: %d missing (-), %d unexpected (+), %d different (~)",
			len(lines)-60, count['-'], count['+'], count['~']))
	}
	return strings.Join(lines, "\n")
}

func fieldDiff(w, g entry) string {
	var d []string
	add := func(name string, a, b any) {
		if a != b {
			d = append(d, fmt.Sprintf("%s want %v got %v", name, a, b))
		}
	}
	add("type", w.typ, g.typ)
	add("mode", fmt.Sprintf("%04o", w.mode), fmt.Sprintf("%04o", g.mode))
	add("owner", fmt.Sprintf("%d:%d", w.uid, w.gid), fmt.Sprintf("%d:%d", g.uid, g.gid))
	add("mtime", w.mtime, g.mtime)
	add("mtime_ns", w.mtimeNs, g.mtimeNs)
	add("size", w.size, g.size)
	if w.sha1 != g.sha1 {
		d = append(d, fmt.Sprintf("content want %q got %q", short(w), short(g)))
	}
	add("target", w.target, g.target)
	add("dev", w.dev, g.dev)
	add("links", "["+w.links+"]", "["+g.links+"]")
	add("allocated", w.blocks, g.blocks)
	return strings.Join(d, "; ")
}

func short(e entry) string {
	if e.text != "" || e.size == 0 {
		return e.text
	}
	return "sha1:" + e.sha1[:12]
}

// requireSameTree fails the test when got differs from want.
func requireSameTree(t testing.TB, what string, want, got treeSnap) {
	t.Helper()
	if d := diffTrees(want, got); d != "" {
		t.Errorf("%s differs from what was expected:\n%s", what, d)
	}
}

// allocated returns the bytes allocated to a file on disk.
func allocated(t testing.TB, p string) int64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}

// copyTree copies a tree exactly (cp -a keeps special files, owners,
// times and hard links).
func copyTree(t testing.TB, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s %s: %v\n%s", from, to, err, out)
	}
}

// ---- privileges and the real rdiff-backup ----

// needRoot skips a test that needs root: owners other than the caller's
// (CAP_CHOWN), device nodes (CAP_MKNOD), reading any file.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_CHOWN for foreign owners, CAP_MKNOD for device nodes)")
	}
}

// needRdiffBackup skips a test when rdiff-backup is not installed.
func needRdiffBackup(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("rdiff-backup"); err != nil {
		t.Skip("rdiff-backup is not installed (exec.LookPath: " + err.Error() + "); it is the oracle of this test")
	}
}

// rdiffBackupCode runs rdiff-backup and returns its combined output and
// exit code.
func rdiffBackupCode(t testing.TB, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "rdiff-backup", args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("rdiff-backup %s: %v", strings.Join(args, " "), err)
	}
	return string(out), 0
}

// rdiffBackup runs rdiff-backup and fails the test unless it exits 0.
func rdiffBackup(t testing.TB, args ...string) string {
	t.Helper()
	out, code := rdiffBackupCode(t, args...)
	if code != 0 {
		t.Fatalf("rdiff-backup %s: exit code %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// rdiffBackupAt backs src up into repo with the real rdiff-backup at a
// fixed session time.
func rdiffBackupAt(t testing.TB, src, repo string, at int64) {
	t.Helper()
	rdiffBackup(t, "--current-time", strconv.FormatInt(at, 10), "backup", src, repo)
}

// restoreCheck restores every session of want with the real rdiff-backup
// (two at a time) and compares each result with its snapshot.
func restoreCheck(t testing.TB, repo, workDir string, want map[int64]treeSnap) {
	t.Helper()
	times := make([]int64, 0, len(want))
	for at := range want {
		times = append(times, at)
	}
	slices.Sort(times)
	start := time.Now()
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for _, at := range times {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out := filepath.Join(workDir, fmt.Sprintf("restore-%d-%d", at, time.Now().UnixNano()))
			msg := restoreOne(repo, out, at, want[at])
			os.RemoveAll(out)
			if msg != "" {
				mu.Lock()
				failures = append(failures, msg)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("rdiff-backup restored %d sessions of %s in %v", len(times), filepath.Base(repo), time.Since(start).Round(time.Millisecond))
	slices.Sort(failures)
	for _, f := range failures {
		t.Error(f)
	}
}

func restoreOne(repo, out string, at int64, want treeSnap) string {
	cmd := exec.Command("rdiff-backup", "restore", "--at", strconv.FormatInt(at, 10), repo, out)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Sprintf("rdiff-backup restore --at %d %s: %v\n%s", at, repo, err, b)
	}
	got, err := snapshotTreeErr(out, snapOpts{})
	if err != nil {
		return fmt.Sprintf("snapshot of the restore at %d: %v", at, err)
	}
	if d := diffTrees(want, got); d != "" {
		return fmt.Sprintf("rdiff-backup's restore of session %d (%s) differs from that session's source:\n%s", at, time.Unix(at, 0).UTC().Format(time.RFC3339), d)
	}
	return ""
}

// readDataFile returns a data-directory file's content, gunzipped if it
// is gzip.
func readDataFile(t testing.TB, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	return string(data)
}

// markers lists the current_mirror markers of a repository.
func markers(t testing.TB, repo string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "current_mirror.*"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// timeString renders a session time the way the repository names it (UTC).
func timeString(at int64) string {
	return time.Unix(at, 0).UTC().Format("2006-01-02T15:04:05Z")
}

// scenarioBothRepos writes every session of the scenario from dir/src into
// dir/gordiff with gordiff and into dir/rdiff with rdiff-backup, at
// sessionTime(0), (1), ...; it returns the source (in its last state) and
// the scenario's steps.
func scenarioBothRepos(t *testing.T, dir string) (src string, steps [][]op) {
	t.Helper()
	src = filepath.Join(dir, "src")
	makeTree(t, src, scenarioTree()...)
	steps = scenarioSteps(t)
	for k := range len(steps) + 1 {
		if k > 0 {
			applyOps(t, src, steps[k-1])
		}
		gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(k))
		rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(k))
	}
	return src, steps
}

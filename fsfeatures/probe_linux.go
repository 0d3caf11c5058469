//go:build linux

package fsfeatures

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ScratchPrefix starts the name of the temporary subdirectory that Probe
// creates (and removes) in the probed directory, as rdiff-backup names its own.
const ScratchPrefix = "rdiff-backup.tmp."

// caseDeletionWait bounds how long Probe waits for a deletion made under one
// case to show under the other (FUSE file systems cache lookups).
const caseDeletionWait = 2 * time.Second

// Probe finds out what the file system of dir (an existing directory) can
// store, by creating test entries in a new scratch subdirectory of dir and
// removing it afterwards. It is the probe rdiff-backup runs on the
// repository side (it calls it on rdiff-backup-data); the returned Features
// has Writable set.
func Probe(dir string) (f Features, err error) {
	if err := checkDir(dir); err != nil {
		return f, err
	}
	scratch, err := os.MkdirTemp(dir, ScratchPrefix)
	if err != nil {
		return f, fmt.Errorf("probe %s: %w", dir, err)
	}
	defer func() {
		if rerr := os.RemoveAll(scratch); rerr != nil && err == nil {
			err = fmt.Errorf("probe %s: remove scratch directory: %w", dir, rerr)
		}
	}()
	p := &prober{dir: scratch}
	f = Features{Path: dir, Writable: true}
	steps := []func(*Features) error{
		p.extendedFilenames,
		p.winReserved,
		p.caseSensitive,
		p.ownership,
		p.hardLinks,
		p.fsyncDirs,
		p.eas,
		p.acls,
		p.dirIncPerms,
		p.highPerms,
		p.symlinks,
		p.specialFiles,
		p.dosDevices,
		p.trailingSpaces,
		p.refusedBytes,
		p.nameMax,
		p.mtimeResolution,
	}
	for _, step := range steps {
		if err := step(&f); err != nil {
			return Features{}, fmt.Errorf("probe %s: %w", dir, err)
		}
	}
	return f, nil
}

// ProbeReadOnly finds out what it can about dir's file system without
// writing: extended attributes and ACLs (readable), case sensitivity (from
// an existing name containing a letter, searched recursively; sensitive when
// none is found), DOS devices, trailing dots, and the statfs name limit. It
// is the probe rdiff-backup runs on a backup's source.
func ProbeReadOnly(dir string) (Features, error) {
	if err := checkDir(dir); err != nil {
		return Features{}, err
	}
	p := &prober{dir: dir}
	f := Features{Path: dir}
	f.EAs = p.canListEAs()
	f.ACLs = p.canReadACL()
	f.CaseSensitive = caseSensitiveReadOnly(dir)
	f.EscapeDOSDevices = p.dosDevicePresent()
	f.EscapeTrailingSpaces = trailingSpacesReadOnly(dir)
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Features{}, fmt.Errorf("probe %s: statfs: %w", dir, err)
	}
	f.NameMax = int(st.Namelen)
	return f, nil
}

func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("probe %s: not a directory", dir)
	}
	return nil
}

type prober struct{ dir string }

func (p *prober) path(name string) string { return filepath.Join(p.dir, name) }

func (p *prober) touch(name string) error {
	fd, err := os.OpenFile(p.path(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	return fd.Close()
}

// exists reports whether name can be lstat'ed; ENOENT means no, any other
// error is returned.
func (p *prober) exists(name string) (bool, error) {
	_, err := os.Lstat(p.path(name))
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}

func (p *prober) remove(name string) error { return os.Remove(p.path(name)) }

func (p *prober) extendedFilenames(f *Features) error {
	const ordinary = "5-_ a.snapshot.gz"
	if err := p.touch(ordinary); err != nil {
		return fmt.Errorf("file with ordinary name cannot be created: %w", err)
	}
	if err := p.remove(ordinary); err != nil {
		return err
	}
	// "uni" followed by U+00E1 U+0084 U+0089, UTF-8 encoded.
	const extended = "uni\u00e1\u0084\u0089"
	if err := p.touch(extended); err != nil {
		_ = p.remove(extended) // in case it half exists
		f.ExtendedFilenames = false
		return nil
	}
	if err := p.remove(extended); err != nil {
		return fmt.Errorf("cannot delete the extended file name test file (a CIFS share mapping characters to '?'): %w", err)
	}
	f.ExtendedFilenames = true
	return nil
}

func (p *prober) winReserved(f *Features) error {
	const name = ":\\\""
	if err := p.touch(name); err != nil {
		_ = p.remove(name)
		f.WinReservedFilenames = true
		return nil
	}
	f.WinReservedFilenames = p.remove(name) != nil
	return nil
}

func (p *prober) caseSensitive(f *Features) error {
	if err := p.touch("A"); err != nil {
		return err
	}
	lower, err := p.exists("a")
	if err != nil {
		return err
	}
	if !lower {
		f.CaseSensitive = true
		return p.remove("A")
	}
	if err := p.remove("a"); err != nil {
		return err
	}
	deadline := time.Now().Add(caseDeletionWait)
	for {
		upper, err := p.exists("A")
		if err != nil {
			return err
		}
		if !upper {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: deleting %q leaves %q in place", ErrUnreliableFS, p.path("a"), p.path("A"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.CaseSensitive = false
	return nil
}

func (p *prober) ownership(f *Features) error {
	const name = "foo"
	if err := p.touch(name); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Lstat(p.path(name), &st); err != nil {
		return fmt.Errorf("lstat %s: %w", p.path(name), err)
	}
	f.Ownership = unix.Lchown(p.path(name), int(st.Uid/2+1), int(st.Gid/2+1)) == nil &&
		unix.Lchown(p.path(name), int(st.Uid), int(st.Gid)) == nil
	return p.remove(name)
}

func (p *prober) hardLinks(f *Features) error {
	if err := p.touch("hardlinked_file1"); err != nil {
		return err
	}
	if err := os.Mkdir(p.path("hl"), 0o700); err != nil {
		return err
	}
	f.HardLinks = false
	if os.Link(p.path("hardlinked_file1"), p.path("hl/hardlinked_file2")) == nil {
		a, err1 := os.Lstat(p.path("hardlinked_file1"))
		b, err2 := os.Lstat(p.path("hl/hardlinked_file2"))
		f.HardLinks = err1 == nil && err2 == nil && os.SameFile(a, b)
	}
	return os.RemoveAll(p.path("hl"))
}

func (p *prober) fsyncDirs(f *Features) error {
	d, err := os.Open(p.dir)
	if err != nil {
		return err
	}
	f.FsyncDirs = d.Sync() == nil
	return d.Close()
}

func (p *prober) canListEAs() bool {
	_, err := unix.Listxattr(p.dir, nil)
	return err == nil
}

func (p *prober) eas(f *Features) error {
	f.EAs = false
	if !p.canListEAs() {
		return nil
	}
	want := []byte("test val")
	if unix.Setxattr(p.dir, "user.test", want, 0) != nil {
		return nil
	}
	buf := make([]byte, 64)
	n, err := unix.Getxattr(p.dir, "user.test", buf)
	rerr := unix.Removexattr(p.dir, "user.test")
	f.EAs = err == nil && rerr == nil && bytes.Equal(buf[:n], want)
	return nil
}

func (p *prober) canReadACL() bool {
	_, err := unix.Getxattr(p.dir, "system.posix_acl_access", nil)
	return err == nil || errors.Is(err, unix.ENODATA)
}

func (p *prober) acls(f *Features) error {
	f.ACLs = p.canReadACL()
	return nil
}

func (p *prober) perms(name string) (uint32, error) {
	var st unix.Stat_t
	if err := unix.Lstat(p.path(name), &st); err != nil {
		return 0, fmt.Errorf("lstat %s: %w", p.path(name), err)
	}
	return st.Mode & 0o7777, nil
}

func (p *prober) dirIncPerms(f *Features) error {
	const name = "dir_inc_check"
	if err := p.touch(name); err != nil {
		return err
	}
	f.DirIncPerms = false
	if unix.Chmod(p.path(name), 0o7777) == nil {
		m, err := p.perms(name)
		if err != nil {
			return err
		}
		f.DirIncPerms = m == 0o7777 || m == 0o6777
	}
	return p.remove(name)
}

func (p *prober) highPerms(f *Features) error {
	names := []string{"high_perms_file", "high_perms_dir"}
	f.HighPerms = true
	for _, n := range names {
		if err := p.touch(n); err != nil {
			return err
		}
		if unix.Chmod(p.path(n), 0o7000) != nil || unix.Chmod(p.path(n), 0o7777) != nil {
			f.HighPerms = false
		}
		if err := p.remove(n); err != nil {
			return err
		}
	}
	return nil
}

func (p *prober) symlinks(f *Features) error {
	if err := p.touch("symlinked_file1"); err != nil {
		return err
	}
	f.Symlinks, f.SymlinkPerms = false, false
	if os.Symlink("symlinked_file1", p.path("symlinked_file2")) == nil {
		target, err := os.Readlink(p.path("symlinked_file2"))
		f.Symlinks = err == nil && target == "symlinked_file1"
		m, err := p.perms("symlinked_file2")
		f.SymlinkPerms = err == nil && m == 0o700
		if err := p.remove("symlinked_file2"); err != nil {
			return err
		}
	}
	return p.remove("symlinked_file1")
}

func (p *prober) specialFiles(f *Features) error {
	try := func(name string, mode uint32, dev int) (bool, error) {
		if unix.Mknod(p.path(name), mode|0o600, dev) != nil {
			return false, nil
		}
		return true, p.remove(name)
	}
	var err error
	if f.Fifos, err = try("fifo", unix.S_IFIFO, 0); err != nil {
		return err
	}
	if f.Sockets, err = try("socket", unix.S_IFSOCK, 0); err != nil {
		return err
	}
	f.Devices, err = try("chardev", unix.S_IFCHR, int(unix.Mkdev(1, 3)))
	return err
}

func (p *prober) dosDevicePresent() bool {
	ok, err := p.exists("con")
	return ok || err != nil
}

func (p *prober) dosDevices(f *Features) error {
	f.EscapeDOSDevices = p.dosDevicePresent()
	return nil
}

func (p *prober) trailingSpaces(f *Features) error {
	if ok, err := p.exists("foo."); err != nil || ok {
		return fmt.Errorf("test file %s exists where it should not", p.path("foo."))
	}
	if err := p.touch("foo"); err != nil {
		return err
	}
	aliased, err := p.exists("foo.")
	if err != nil {
		return err
	}
	switch {
	case aliased:
		f.EscapeTrailingSpaces = true
	case p.touch("foo.") != nil:
		f.EscapeTrailingSpaces = true
	default:
		ok, err := p.exists("foo.")
		if err != nil {
			return err
		}
		f.EscapeTrailingSpaces = !ok
		if ok {
			if err := p.remove("foo."); err != nil {
				return err
			}
		}
	}
	if ok, _ := p.exists("foo"); ok {
		return p.remove("foo")
	}
	return nil
}

func (p *prober) refusedBytes(f *Features) error {
	for c := 1; c < 256; c++ {
		if c == '/' {
			continue
		}
		name := string([]byte{'x', byte(c), 'x'})
		if err := p.touch(name); err != nil {
			f.RefusedBytes.Add(byte(c))
			continue
		}
		if err := p.remove(name); err != nil {
			return err
		}
	}
	return nil
}

// fitsName creates and removes a name of n bytes, relative to the scratch
// directory so that only the name length counts.
func fitsName(dirfd, n int) (bool, error) {
	name := strings.Repeat("a", n)
	fd, err := unix.Openat(dirfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return false, nil
	}
	unix.Close(fd)
	if err := unix.Unlinkat(dirfd, name, 0); err != nil {
		return false, fmt.Errorf("unlink %d-byte test name: %w", n, err)
	}
	return true, nil
}

func (p *prober) nameMax(f *Features) error {
	dirfd, err := unix.Open(p.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", p.dir, err)
	}
	defer unix.Close(dirfd)
	const limit = unix.PathMax - 1
	var st unix.Statfs_t
	if unix.Fstatfs(dirfd, &st) == nil && st.Namelen > 0 && st.Namelen < limit {
		n := int(st.Namelen)
		ok, err := fitsName(dirfd, n)
		if err != nil {
			return err
		}
		over, err := fitsName(dirfd, n+1)
		if err != nil {
			return err
		}
		if ok && !over {
			f.NameMax = n
			return nil
		}
	}
	if ok, err := fitsName(dirfd, 1); err != nil || !ok {
		return fmt.Errorf("cannot create a one-byte name in %s", p.dir)
	}
	lo, hi := 1, limit // lo fits; find the largest fitting length
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		ok, err := fitsName(dirfd, mid)
		if err != nil {
			return err
		}
		if ok {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	f.NameMax = lo
	return nil
}

var mtimeSteps = []time.Duration{
	time.Nanosecond, 100 * time.Nanosecond, time.Microsecond, time.Millisecond,
	10 * time.Millisecond, time.Second, 2 * time.Second,
}

func (p *prober) mtimeResolution(f *Features) error {
	const name = "mtime"
	if err := p.touch(name); err != nil {
		return err
	}
	want := time.Unix(1700000001, 123456789)
	ts := []unix.Timespec{unix.NsecToTimespec(want.UnixNano()), unix.NsecToTimespec(want.UnixNano())}
	if err := unix.UtimesNano(p.path(name), ts); err != nil {
		return fmt.Errorf("set times of %s: %w", p.path(name), err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(p.path(name), &st); err != nil {
		return fmt.Errorf("lstat %s: %w", p.path(name), err)
	}
	got := time.Unix(st.Mtim.Unix())
	f.MtimeResolution = mtimeResolution(want, got)
	return p.remove(name)
}

// mtimeResolution infers the granularity from a time set (want) and read
// back (got): the smallest step that got is a multiple of and that is
// larger than the truncation.
func mtimeResolution(want, got time.Time) time.Duration {
	diff := want.Sub(got)
	ns := got.UnixNano()
	for _, s := range mtimeSteps {
		if ns%int64(s) == 0 && diff >= 0 && diff < s {
			return s
		}
	}
	if diff < 0 {
		diff = -diff
	}
	for _, s := range mtimeSteps {
		if diff < s {
			return s
		}
	}
	return diff
}

func sortedNames(dir string) []string {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil
	}
	sort.Strings(names)
	return names
}

func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// caseSensitiveReadOnly looks for an existing name with an ASCII letter
// (recursing into subdirectories, in sorted order) and checks whether the
// name with swapped case is another entry or the same one.
func caseSensitiveReadOnly(dir string) bool {
	var find func(d string) (string, []string, string, bool)
	find = func(d string) (string, []string, string, bool) {
		names := sortedNames(d)
		for _, n := range names {
			if swapCase(n) != n {
				return d, names, n, true
			}
			if fi, err := os.Lstat(filepath.Join(d, n)); err == nil && fi.IsDir() {
				if rd, rn, rf, ok := find(filepath.Join(d, n)); ok {
					return rd, rn, rf, true
				}
			}
		}
		return "", nil, "", false
	}
	d, names, name, ok := find(dir)
	if !ok {
		return true
	}
	swapped := swapCase(name)
	for _, n := range names {
		if n == swapped {
			return true
		}
	}
	_, err := os.Lstat(filepath.Join(d, swapped))
	return err != nil
}

// trailingSpacesReadOnly checks whether the existing names of dir show that
// "name." is an alias of "name".
func trailingSpacesReadOnly(dir string) bool {
	names := sortedNames(dir)
	present := make(map[string]bool, len(names))
	for _, n := range names {
		present[n] = true
	}
	for _, n := range names {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			continue
		}
		if strings.HasSuffix(n, ".") || strings.HasSuffix(n, " ") {
			return false
		}
		if present[n+"."] {
			return false
		}
		if _, err := os.Lstat(filepath.Join(dir, n+".")); err == nil {
			return true
		}
	}
	return false
}

// ProbeMetadata tells, cheaply and without writing, whether the file system
// of dir lets extended attributes be listed and POSIX ACLs be read: what a
// backup needs to know of its source to decide whether it keeps EA and ACL
// snapshots. Unlike ProbeReadOnly it does not search the tree.
func ProbeMetadata(dir string) (eas, acls bool, err error) {
	if err := checkDir(dir); err != nil {
		return false, false, err
	}
	p := &prober{dir: dir}
	return p.canListEAs(), p.canReadACL(), nil
}

//go:build linux

package fsfeatures

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// probeClean probes dir and checks that nothing was left behind.
func probeClean(t *testing.T, dir string) Features {
	t.Helper()
	before := listDir(t, dir)
	f, err := Probe(dir)
	if err != nil {
		t.Fatalf("Probe(%s): %v", dir, err)
	}
	if after := listDir(t, dir); !reflect.DeepEqual(before, after) {
		t.Fatalf("Probe left entries: before %v, after %v", before, after)
	}
	t.Logf("%s: %+v refused=%v", dir, f, f.RefusedBytes.String())
	if !f.Writable || f.Path != dir {
		t.Errorf("Writable %v Path %q", f.Writable, f.Path)
	}
	return f
}

func fsMagic(t *testing.T, dir string) int64 {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Type)
}

func TestProbeLocal(t *testing.T) {
	dir := t.TempDir()
	f := probeClean(t, dir)
	if !f.CaseSensitive || !f.ExtendedFilenames || f.WinReservedFilenames ||
		f.EscapeDOSDevices || f.EscapeTrailingSpaces || !f.RefusedBytes.Empty() {
		t.Errorf("names on a Linux file system: %+v", f)
	}
	if !f.HardLinks || !f.Symlinks || !f.Fifos || !f.Sockets || !f.FsyncDirs {
		t.Errorf("entry kinds on a Linux file system: %+v", f)
	}
	if f.NameMax != 255 {
		t.Errorf("NameMax %d", f.NameMax)
	}
	if os.Geteuid() == 0 && (!f.Ownership || !f.Devices || !f.HighPerms || !f.DirIncPerms) {
		t.Errorf("root privileges not seen: %+v", f)
	}
	if magic := fsMagic(t, dir); magic == unix.EXT4_SUPER_MAGIC || magic == unix.TMPFS_MAGIC {
		if !f.EAs || !f.HighResMtimes() || f.MtimeResolution != time.Nanosecond {
			t.Errorf("ext4/tmpfs: EAs %v, mtime resolution %v", f.EAs, f.MtimeResolution)
		}
	}
	if err := exec.Command("getfacl", "-p", dir).Run(); err == nil && !f.ACLs {
		t.Error("getfacl reads an ACL, Probe says no ACLs")
	}
	r, err := ProbeReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Writable || !r.CaseSensitive || r.EscapeTrailingSpaces || r.EscapeDOSDevices || r.NameMax != 255 || r.EAs != f.EAs || r.ACLs != f.ACLs {
		t.Errorf("read-only probe: %+v", r)
	}
	if len(SuggestCharsToQuote(r, f)) != 0 || SuggestSpecialEscapes(r, f) != (SpecialEscapes{}) {
		t.Error("quoting suggested between two Linux directories")
	}
}

func TestProbeErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Probe(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing dir: %v", err)
	}
	file := filepath.Join(dir, "file")
	writeFiles(t, dir, "file")
	if _, err := ProbeReadOnly(file); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("file: %v", err)
	}
}

func TestProbeReadOnlyFindsCase(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "123/456/abc", "trail.", "x")
	f, err := ProbeReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !f.CaseSensitive || f.EscapeTrailingSpaces {
		t.Errorf("%+v", f)
	}
}

// mountOrSkip runs a mount command for a test and unmounts at cleanup.
func mountOrSkip(t *testing.T, mnt string, name string, args ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Skipf("%s %v failed (no privilege or kernel support): %v %s", name, args, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
}

func TestProbeTmpfs(t *testing.T) {
	mnt := t.TempDir()
	mountOrSkip(t, mnt, "mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt)
	f := probeClean(t, mnt)
	if !f.CaseSensitive || !f.ExtendedFilenames || f.WinReservedFilenames || !f.HardLinks || !f.Symlinks ||
		f.NameMax != 255 || f.MtimeResolution != time.Nanosecond || !f.RefusedBytes.Empty() {
		t.Errorf("tmpfs: %+v", f)
	}
}

func makeImage(t *testing.T, mkfs string, size int64) string {
	t.Helper()
	if _, err := exec.LookPath(mkfs); err != nil {
		t.Skipf("%s not installed (dosfstools / exfatprogs)", mkfs)
	}
	img := filepath.Join(t.TempDir(), "fs.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, size); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mkfs, img).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", mkfs, err, out)
	}
	return img
}

// winReserved are the bytes every FAT-like file system refuses.
const winReserved = "\"*:<>?\\|"

func checkFATLike(t *testing.T, f Features) {
	t.Helper()
	if f.CaseSensitive || !f.WinReservedFilenames || f.Symlinks || f.HardLinks || f.Fifos || f.Ownership || f.EAs {
		t.Errorf("FAT-like: %+v", f)
	}
	for _, c := range []byte(winReserved + "\x01\x1f") {
		if !f.RefusedBytes.Has(c) {
			t.Errorf("byte %#x accepted; refused %v", c, f.RefusedBytes.String())
		}
	}
	if f.RefusedBytes.Has('a') || f.RefusedBytes.Has(';') || f.RefusedBytes.Has(' ') {
		t.Errorf("ordinary bytes refused: %v", f.RefusedBytes.String())
	}
	if f.HighResMtimes() && f.MtimeResolution < time.Millisecond {
		t.Errorf("mtime resolution %v", f.MtimeResolution)
	}
}

// exFAT through FUSE (no vfat in this kernel): case-insensitive, Windows
// characters refused, UTF-8 names allowed.
func TestProbeExfat(t *testing.T) {
	img := makeImage(t, "mkfs.exfat", 8<<20)
	if os.Geteuid() != 0 {
		t.Skip("losetup needs root")
	}
	out, err := exec.Command("losetup", "-f", "--show", img).Output()
	if err != nil {
		t.Skipf("losetup: %v (no loop devices)", err)
	}
	loop := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("losetup", "-d", loop).Run() })
	mnt := t.TempDir()
	mountOrSkip(t, mnt, "mount.exfat-fuse", loop, mnt)
	f := probeClean(t, mnt)
	checkFATLike(t, f)
	if !f.ExtendedFilenames || f.NameMax != 255 {
		t.Errorf("exFAT: %+v", f)
	}
	src, err := ProbeReadOnly(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := "A-Z\x00-\x1f\"*/:<>?\\\\|\x7f;"
	if got := string(SuggestCharsToQuote(src, f)); got != want {
		t.Errorf("chars_to_quote for exFAT %q, want %q", got, want)
	}
	q, err := NewQuoter([]byte(want), SuggestSpecialEscapes(src, f))
	if err != nil {
		t.Fatal(err)
	}
	// Every name quoted for the destination can be stored there and read back.
	for _, name := range []string{"Mixed", "co:lon", "a*b?c", "back\\slash", "x\x01y", "caf\xc3\xa9", "semi;colon"} {
		stored := string(q.Quote([]byte(name)))
		writeFiles(t, mnt, stored)
		back, err := q.Unquote([]byte(stored))
		if err != nil || string(back) != name {
			t.Errorf("%q -> %q -> %q, %v", name, stored, back, err)
		}
	}
	if !UsesCompatibleTimestamps([]byte(want)) {
		t.Error("':' quoted without compatible timestamps")
	}
}

// vfat through FUSE (fusefat): also refuses non-UTF-8 and non-ASCII names.
func TestProbeFusefat(t *testing.T) {
	img := makeImage(t, "mkfs.vfat", 8<<20)
	mnt := t.TempDir()
	mountOrSkip(t, mnt, "fusefat", "-o", "rw+", img, mnt)
	f := probeClean(t, mnt)
	checkFATLike(t, f)
	if f.ExtendedFilenames {
		t.Errorf("fusefat accepts UTF-8 names: %+v", f)
	}
	src, err := ProbeReadOnly(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := "A-Z\x00-\x1f\x80-\xff\"*/:<>?\\\\|\x7f;"
	if got := string(SuggestCharsToQuote(src, f)); got != want {
		t.Errorf("chars_to_quote for vfat %q, want %q", got, want)
	}
}

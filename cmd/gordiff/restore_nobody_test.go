//go:build linux

package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// envRunCLI makes the test binary run the command line it is given, so
// that a test can run gordiff as another user.
const envRunCLI = "GORDIFF_TEST_RUN_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(envRunCLI) == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestRestoreAsNobody: a repository written by rdiff-backup as root
// (foreign owners, a device, a fifo, a setuid file, hard links, a private
// directory), handed to user nobody, is restored by nobody with
// rdiff-backup and with gordiff at both sessions: the same exit code and
// messages, the same tree (the device an empty file, as rdiff-backup
// leaves it), everything owned by nobody: recorded owners are not applied
// and not fatal.
func TestRestoreAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make foreign owners and a device, then drop to nobody")
	}
	for _, tool := range []string{"setpriv", "rdiff-backup"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	started := time.Now().Unix()
	dir := t.TempDir()
	for p := dir; p != "/" && strings.HasPrefix(p, os.TempDir()+"/"); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "gordiff.test")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	outBin, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(outBin, in)
	in.Close()
	if cerr := outBin.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	src, repo, targets := filepath.Join(dir, "src"), filepath.Join(dir, "repo"), filepath.Join(dir, "t")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	file := func(p, s string, mode os.FileMode, uid int) {
		p = filepath.Join(src, p)
		must(os.WriteFile(p, []byte(s), 0o600))
		must(os.Chown(p, uid, uid))
		must(os.Chmod(p, mode))
		must(os.Chtimes(p, time.Unix(1600000000, 0), time.Unix(1600000000, 0)))
	}
	must(os.MkdirAll(filepath.Join(src, "private"), 0o700))
	must(os.Mkdir(targets, 0o755))
	must(os.Chown(targets, 65534, 65534))
	file("a", "a\n", 0o644, 1234)
	file("setuid", "x\n", 0o4755, 0)
	file("private/p", "p\n", 0o600, 1234)
	file("h1", "linked\n", 0o640, 0)
	must(os.Link(filepath.Join(src, "h1"), filepath.Join(src, "h2")))
	must(unix.Mknod(filepath.Join(src, "cdev"), unix.S_IFCHR|0o644, int(unix.Mkdev(1, 3))))
	must(unix.Mkfifo(filepath.Join(src, "fifo"), 0o640))
	must(os.Symlink("a", filepath.Join(src, "sym")))
	for k, at := range []string{"1000000", "2000000"} {
		if k == 1 {
			file("a", "a, longer now\n", 0o600, 1234)
		}
		if code, _, e := rdiffBackupRun(t, dir, "--current-time", at, "backup", src, repo); code != 0 {
			t.Fatalf("backup: exit %d\n%s", code, e)
		}
	}
	must(filepath.Walk(repo, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 65534, 65534)
	}))
	asNobody := func(env []string, args ...string) (int, string) {
		cmd := exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", "--"}, args...)...)
		cmd.Env = append(os.Environ(), append(env, "TZ=UTC", "LC_ALL=C.UTF-8")...)
		cmd.Dir = dir
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(b)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(b)
	}
	for _, at := range []string{"1000000", "2000000"} {
		rOut, gOut := filepath.Join(targets, "r"+at), filepath.Join(targets, "g"+at)
		rCode, rMsg := asNobody(nil, "rdiff-backup", "restore", "--at", at, repo, rOut)
		gCode, gMsg := asNobody([]string{envRunCLI + "=1"}, bin, "restore", "--at", at, repo, gOut)
		if rCode != gCode || messageLines(rMsg) != messageLines(gMsg) {
			t.Errorf("at %s: rdiff-backup exit %d\n%s\ngordiff exit %d\n%s", at, rCode, rMsg, gCode, gMsg)
		}
		// A device restored as nobody becomes an empty file made at the
		// time of the restore; the two restores may fall in different
		// seconds.
		if r, g := restoreTimeMasked(treeSummary(t, rOut), started), restoreTimeMasked(treeSummary(t, gOut), started); r != g {
			t.Errorf("at %s: the trees restored as nobody differ\nrdiff-backup:\n%s\ngordiff:\n%s", at, r, g)
		}
		must(filepath.Walk(gOut, func(p string, fi os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65534 || st.Gid != 65534 {
				t.Errorf("at %s: %s is owned by %d:%d", at, p, st.Uid, st.Gid)
			}
			return nil
		}))
		if l1, l2 := inode(t, filepath.Join(gOut, "h1")), inode(t, filepath.Join(gOut, "h2")); l1 != l2 {
			t.Errorf("at %s: h1 and h2 are not linked in gordiff's restore", at)
		}
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// restoreTimeMasked replaces in a treeSummary the mtimes from since on
// (entries made by the restore itself) with "mtime=restore".
func restoreTimeMasked(summary string, since int64) string {
	return mtimeField.ReplaceAllStringFunc(summary, func(m string) string {
		if v, err := strconv.ParseInt(m[len("mtime="):], 10, 64); err == nil && v >= since {
			return "mtime=restore"
		}
		return m
	})
}

var mtimeField = regexp.MustCompile(`mtime=-?[0-9]+`)

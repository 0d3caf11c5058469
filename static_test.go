//go:build linux

package gordiff_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestStaticBuildOwnerNames: gordiff is released built without cgo (see
// the README). That binary must be static, and must still write the owner
// names rdiff-backup writes for users and groups that only the system's
// other name sources know: here the extrausers NSS module, a real one,
// through a real /etc/nsswitch.conf.
func TestStaticBuildOwnerNames(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	if mods, _ := filepath.Glob("/usr/lib*/libnss_extrausers.so.2"); len(mods) == 0 {
		more, _ := filepath.Glob("/usr/lib/*/libnss_extrausers.so.2")
		if len(more) == 0 {
			t.Skip("libnss-extrausers is not installed: no NSS source besides the files to test with")
		}
	}
	const uid, gid = 48213, 48214
	replaceFile(t, "/var/lib/extrausers/passwd", "gdnssuser:x:48213:48214::/nonexistent:/usr/sbin/nologin\n")
	replaceFile(t, "/var/lib/extrausers/group", "gdnssgroup:x:48214:\n")
	conf, err := os.ReadFile("/etc/nsswitch.conf")
	if err != nil {
		t.Fatal(err)
	}
	withExtra := regexp.MustCompile(`(?m)^((passwd|group):.*)$`).ReplaceAllString(string(conf), "$1 extrausers")
	replaceFile(t, "/etc/nsswitch.conf", withExtra)
	if out, err := exec.Command("getent", "passwd", strconv.Itoa(uid)).Output(); err != nil || !strings.HasPrefix(string(out), "gdnssuser:") {
		t.Fatalf("getent passwd %d after adding extrausers to nsswitch.conf: %q, %v", uid, out, err)
	}
	if pw, _ := os.ReadFile("/etc/passwd"); strings.Contains(string(pw), ":48213:") {
		t.Fatal("uid 48213 is in /etc/passwd: the test needs a user only NSS knows")
	}

	bin := filepath.Join(t.TempDir(), "gordiff")
	build := exec.Command("go", "build", "-o", bin, "./cmd/gordiff")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: not a static binary", bin)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v: not a static binary", bin, libs)
	}
	f.Close()

	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tDir("."), tFile("nss", "owned by an NSS-only user\n"), tFile("local", "owned by root\n"))
	if err := os.Lchown(filepath.Join(src, "nss"), uid, gid); err != nil {
		t.Fatal(err)
	}
	// An ACL entry naming the NSS-only user: written by name, and mapped
	// back to its uid on restore.
	if _, err := exec.LookPath("setfacl"); err != nil {
		t.Skip("setfacl (acl) is not installed")
	}
	if out, err := exec.Command("setfacl", "-m", "u:48213:r", filepath.Join(src, "local")).CombinedOutput(); err != nil {
		t.Skipf("setfacl on the test file system: %v\n%s", err, out)
	}
	repoG, repoR := filepath.Join(dir, "gordiff"), filepath.Join(dir, "rdiff")
	at := strconv.FormatInt(sessionTime(0), 10)
	if out, err := exec.Command(bin, "--current-time", at, "backup", src, repoG).CombinedOutput(); err != nil {
		t.Fatalf("gordiff backup: %v\n%s", err, out)
	}
	rdiffBackup(t, "--current-time", at, "backup", src, repoR)
	record := func(repo string) string {
		snaps, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "mirror_metadata.*.snapshot*"))
		if len(snaps) != 1 {
			t.Fatalf("%s: snapshots %v", repo, snaps)
		}
		text := readDataFile(t, snaps[0])
		i := strings.Index(text, "File nss\n")
		if i < 0 {
			t.Fatalf("%s: no record of nss in\n%s", snaps[0], text)
		}
		rec, _, _ := strings.Cut(text[i+1:], "\nFile ")
		return "F" + rec
	}
	got, want := record(repoG), record(repoR)
	if !strings.Contains(got, "\n  Uname gdnssuser\n") || !strings.Contains(got, "\n  Gname gdnssgroup\n") {
		t.Errorf("the static gordiff recorded\n%s\nwithout the NSS names gdnssuser / gdnssgroup", got)
	}
	if got != want {
		t.Errorf("the static gordiff recorded\n%s\nrdiff-backup\n%s", got, want)
	}
	acls := func(repo string) string {
		files, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "access_control_lists.*"))
		if len(files) != 1 {
			t.Fatalf("%s: ACL files %v", repo, files)
		}
		return readDataFile(t, files[0])
	}
	if g, r := acls(repoG), acls(repoR); !strings.Contains(g, "user:gdnssuser:r--") || g != r {
		t.Errorf("the static gordiff's ACL file\n%s\nrdiff-backup's\n%s", g, r)
	}
	out := filepath.Join(dir, "restored")
	if b, err := exec.Command(bin, "restore", repoG, out).CombinedOutput(); err != nil {
		t.Fatalf("gordiff restore: %v\n%s", err, b)
	}
	if b, err := exec.Command("getfacl", "-n", "-c", filepath.Join(out, "local")).Output(); err != nil || !strings.Contains(string(b), "user:48213:r--") {
		t.Errorf("getfacl -n of the restored file: %q, %v; want the entry of uid 48213", b, err)
	}
	if fi, err := os.Lstat(filepath.Join(out, "nss")); err != nil {
		t.Error(err)
	} else if st := fi.Sys().(*syscall.Stat_t); st.Uid != uid || st.Gid != gid {
		t.Errorf("restored nss is owned by %d:%d, want %d:%d", st.Uid, st.Gid, uid, gid)
	}
}

// replaceFile writes content to path for the test's duration and puts
// back what was there (or removes it) afterwards.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	old, err := os.ReadFile(path)
	existed := err == nil
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if existed {
			os.WriteFile(path, old, 0o644)
		} else {
			os.Remove(path)
		}
	})
}

//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// attrDump lists the extended attributes (every namespace the caller can
// read, ACLs included) and the ACLs of a tree, relative to it.
func attrDump(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{{"getfattr", "-R", "-h", "-d", "-m", "-", "."}, {"getfacl", "-R", "-p", "-n", "."}} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s in %s: %v", strings.Join(args, " "), root, err)
		}
		b.Write(out)
	}
	return b.String()
}

// TestRestoreEAsAndACLs: extended attributes (a binary value, one on a
// directory) and ACLs (named users and groups, by id and by name, a
// default ACL) recorded by rdiff-backup over two sessions are restored by
// gordiff at each session as rdiff-backup restores them; --no-eas and
// --no-acls leave them out as rdiff-backup does.
func TestRestoreEAsAndACLs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: ACL entries for other users, trusted attributes")
	}
	for _, tool := range []string{"rdiff-backup", "setfattr", "getfattr", "setfacl", "getfacl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	t.Parallel()
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"a", "b", "d/c"} {
		if err := os.WriteFile(filepath.Join(src, f), []byte(f+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a", filepath.Join(src, "sym")); err != nil {
		t.Fatal(err)
	}
	run("setfattr", "-n", "user.one", "-v", "hello", src+"/a")
	run("setfattr", "-n", "user.bin", "-v", "0x00ff10", src+"/a")
	run("setfattr", "-n", "trusted.t", "-v", "root only", src+"/b")
	run("setfattr", "-n", "user.dir", "-v", "on a dir", src+"/d")
	run("setfacl", "-m", "u:1234:r,g:1234:rw,u:nobody:rwx", src+"/b")
	run("setfacl", "-m", "d:u:1234:rx,u:4321:r", src+"/d")
	rdiffBackupRun(t, dir, "--current-time", "1000000", "backup", src, repo)
	run("setfattr", "-x", "user.one", src+"/a")
	run("setfattr", "-n", "user.two", "-v", "second", src+"/a")
	run("setfacl", "-x", "g:1234", src+"/b")
	run("setfacl", "-b", src+"/d")
	run("setfacl", "-m", "u:1234:rw", src+"/d/c")
	if code, _, e := rdiffBackupRun(t, dir, "--current-time", "2000000", "backup", src, repo); code != 0 {
		t.Fatalf("backup: %d\n%s", code, e)
	}
	for _, c := range [][]string{
		{"--at", "1000000"}, {"--at", "2000000"}, {"--at", "1000000", "--no-eas"}, {"--at", "1000000", "--no-acls"},
	} {
		rOut, gOut := filepath.Join(dir, "r"), filepath.Join(dir, "g")
		os.RemoveAll(rOut)
		os.RemoveAll(gOut)
		args := append(append([]string{"restore"}, c...), repo)
		rCode, _, rErr := rdiffBackupRun(t, dir, append(args, rOut)...)
		gCode, _, gErr := runGordiff(t, "", append(args, gOut)...)
		if rCode != gCode || messageLines(rErr) != messageLines(gErr) {
			t.Errorf("%v: rdiff-backup exit %d\n%s\ngordiff exit %d\n%s", c, rCode, rErr, gCode, gErr)
		}
		if r, g := attrDump(t, rOut), attrDump(t, gOut); r != g {
			t.Errorf("%v: attributes and ACLs differ\nrdiff-backup:\n%s\ngordiff:\n%s", c, r, g)
		}
		if r, g := treeSummary(t, rOut), treeSummary(t, gOut); r != g {
			t.Errorf("%v: trees differ\nrdiff-backup:\n%s\ngordiff:\n%s", c, r, g)
		}
	}
}

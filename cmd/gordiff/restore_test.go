//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rdiffBackupRun runs the real rdiff-backup and returns its exit code,
// stdout and stderr.
func rdiffBackupRun(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "rdiff-backup", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		t.Fatalf("rdiff-backup %s: %v", strings.Join(args, " "), err)
	}
	return 0, out.String(), errb.String()
}

// treeSummary describes a tree (or a single file) for comparison: type,
// permissions, size, content hash, mtime of non-directories, link target.
// "absent" when nothing is there.
func treeSummary(t *testing.T, root string) string {
	t.Helper()
	if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
		return "absent"
	}
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		line := fmt.Sprintf("%s %v", rel, fi.Mode())
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha1.Sum(b)
			line += fmt.Sprintf(" %d %s mtime=%d", fi.Size(), hex.EncodeToString(h[:]), fi.ModTime().Unix())
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// restoreRepo builds a repository with rdiff-backup: three sessions in
// which files change, a directory gains a file and then goes, a file is
// new in the second session.
func restoreRepo(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "src")
	repo := filepath.Join(dir, "repo")
	write := func(p, s string, mtime int64) {
		p = filepath.Join(src, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, time.Unix(mtime, 0), time.Unix(mtime, 0)); err != nil {
			t.Fatal(err)
		}
	}
	backup := func(at int64) {
		if code, _, e := rdiffBackupRun(t, dir, "--current-time", strconv.FormatInt(at, 10), "backup", src, repo); code != 0 {
			t.Fatalf("backup at %d: exit %d\n%s", at, code, e)
		}
	}
	write("f", "one\n", 900000)
	write("d/x", "a\n", 900000)
	write("d/sub/s", "sub\n", 900000)
	backup(1000000)
	write("f", "two two\n", 1900000)
	write("d/x", "bb\n", 1900000)
	write("d/y", "new\n", 1900000)
	backup(2000000)
	if err := os.RemoveAll(filepath.Join(src, "d")); err != nil {
		t.Fatal(err)
	}
	write("f", "three three three\n", 2900000)
	backup(3000000)
	return repo
}

// TestRestoreCommandsMatchRdiffBackup: each restore command line, run by
// rdiff-backup and then by gordiff into the same target (prepared the same
// way), exits with the same code, prints the same error and warning lines
// and leaves the same tree; the repository is unchanged by either.
func TestRestoreCommandsMatchRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	dir := t.TempDir()
	repo := restoreRepo(t, dir)
	inc := filepath.Join(repo, "rdiff-backup-data", "increments")
	t1, t2 := "1970-01-12T13:46:40Z", "1970-01-24T03:33:20Z"
	// A repository whose last backup did not finish: two markers, the
	// newer naming a process that cannot exist.
	failed := filepath.Join(dir, "failed")
	if b, err := exec.Command("cp", "-a", repo, failed).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, b)
	}
	if err := os.WriteFile(filepath.Join(failed, "rdiff-backup-data", "current_mirror."+t2+".data"), []byte("PID 4194305\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	type prep func(t *testing.T)
	nonEmpty := func(t *testing.T) {
		for p, s := range map[string]string{"extra": "1", "d/deep/q": "q", "f": "old", "keep/k": "k"} {
			p = filepath.Join(out, p)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(s), 0o644)
			os.Chtimes(p, time.Unix(5000000, 0), time.Unix(5000000, 0))
		}
	}
	aFile := func(t *testing.T) {
		os.WriteFile(out, []byte("x"), 0o644)
		os.Chtimes(out, time.Unix(5000000, 0), time.Unix(5000000, 0))
	}
	cases := []struct {
		name string
		args []string
		prep prep
	}{
		{"increment diff", []string{"restore", inc + "/f." + t1 + ".diff.gz", out}, nil},
		{"increment diff --increment", []string{"restore", "--increment", inc + "/f." + t1 + ".diff.gz", out}, nil},
		{"legacy --restore", []string{"--restore", inc + "/f." + t2 + ".diff.gz", out}, nil},
		{"legacy -r", []string{"-r", "1000000", repo + "/f", out}, nil},
		{"legacy --restore-as-of", []string{"--restore-as-of", "2000000", repo, out}, nil},
		{"dir increment 1", []string{"restore", inc + "/d." + t1 + ".dir", out}, nil},
		{"dir increment 2", []string{"restore", inc + "/d." + t2 + ".dir", out}, nil},
		{"missing increment", []string{"restore", inc + "/d/y." + t1 + ".missing", out}, nil},
		{"snapshot increment", []string{"restore", inc + "/d/x." + t2 + ".snapshot.gz", out}, nil},
		{"root increment", []string{"restore", repo + "/rdiff-backup-data/increments." + t1 + ".dir", out}, nil},
		{"nonexistent increment file", []string{"restore", inc + "/nothing." + t1 + ".diff.gz", out}, nil},
		{"increment and a time", []string{"restore", "--at", "1000000", inc + "/f." + t1 + ".diff.gz", out}, nil},
		{"legacy -r and an increment", []string{"-r", "1000000", inc + "/f." + t1 + ".diff.gz", out}, nil},
		{"--increment without one", []string{"restore", "--increment", repo + "/f", out}, nil},
		{"increment-like outside the data dir", []string{"restore", repo + "/f." + t1 + ".diff.gz", out}, nil},
		{"no --at", []string{"restore", repo, out}, nil},
		{"path absent at the session", []string{"restore", "--at", "1000000", repo + "/d/y", out}, nil},
		{"path never there", []string{"restore", repo + "/nothing", out}, nil},
		{"sub-directory", []string{"restore", "--at", "2000000", repo + "/d", out}, nil},
		{"garbage time", []string{"restore", "--at", "garbage", repo, out}, nil},
		{"time before the first session", []string{"restore", "--at", "10", repo, out}, nil},
		{"non-empty target", []string{"restore", repo, out}, nonEmpty},
		{"non-empty target --force", []string{"--force", "restore", "--at", "2000000", repo, out}, nonEmpty},
		{"non-empty target --force, garbage time", []string{"--force", "restore", "--at", "garbage", repo, out}, nonEmpty},
		{"file target", []string{"restore", repo, out}, aFile},
		{"file target --force", []string{"--force", "restore", repo, out}, aFile},
		{"file over a directory --force", []string{"--force", "restore", repo + "/f", out}, nonEmpty},
		{"--force with an exclude", []string{"--force", "restore", "--at", "2000000", "--exclude", out + "/extra", "--exclude", out + "/d/sub", repo, out}, nonEmpty},
		{"--force, included and excluded extras", []string{"--force", "restore", "--at", "2000000", "--include", out + "/keep/k", "--include", out + "/d/sub/s", "--exclude", "**", repo, out}, nonEmpty},
		{"--force, a sub-path over extras", []string{"--force", "restore", "--at", "2000000", repo + "/d", out}, nonEmpty},
		{"exclude based on the repository", []string{"restore", "--exclude", repo + "/d", repo, out}, nil},
		{"include and exclude", []string{"restore", "--at", "2000000", "--include", out + "/d/x", "--exclude", out + "/d", repo, out}, nil},
		{"include below an exclude", []string{"restore", "--at", "2000000", "--include", out + "/d/sub/s", "--exclude", "**", repo, out}, nil},
		{"sub-path and a file selection", []string{"restore", "--exclude", out + "/x", repo + "/d", out}, nil},
		{"missing parent", []string{"restore", repo, out + "/a/b"}, nil},
		{"missing parent --create-full-path", []string{"restore", "--create-full-path", repo, out + "/a/b"}, nil},
		{"not a repository", []string{"restore", dir + "/src", out}, nil},
		{"failed last backup", []string{"restore", failed, out}, nil},
		{"failed last backup, sub-path", []string{"restore", "--at", "1000000", failed + "/d", out}, nil},
	}
	sum := checksumTree(t, repo)
	for _, c := range cases {
		var results [2]struct {
			code           int
			msgs, out, log string
		}
		for k, prog := range []string{"rdiff-backup", "gordiff"} {
			os.RemoveAll(out)
			if c.prep != nil {
				c.prep(t)
			}
			logBefore := restoreLogs(failed, repo)
			var code int
			var stdout, stderr string
			if prog == "rdiff-backup" {
				code, stdout, stderr = rdiffBackupRun(t, dir, c.args...)
			} else {
				var b []byte
				code, b, stderr = runGordiff(t, "", c.args...)
				stdout = string(b)
			}
			results[k].code = code
			results[k].msgs = messageLines(stdout + stderr)
			results[k].out = treeSummary(t, out)
			results[k].log = logGain(logBefore, restoreLogs(failed, repo))
		}
		r, g := results[0], results[1]
		if r.code != g.code || r.msgs != g.msgs {
			t.Errorf("%s: %v\nrdiff-backup: exit %d\n%s\ngordiff: exit %d\n%s", c.name, c.args, r.code, r.msgs, g.code, g.msgs)
		}
		if r.log != g.log {
			t.Errorf("%s: %v: restore.log gained\nfrom rdiff-backup:\n%s\nfrom gordiff:\n%s", c.name, c.args, r.log, g.log)
		}
		if r.out != g.out {
			t.Errorf("%s: %v: the targets differ\nrdiff-backup:\n%s\ngordiff:\n%s", c.name, c.args, r.out, g.out)
		}
		if now := checksumTree(t, repo); now != sum {
			t.Fatalf("%s: the repository changed", c.name)
		}
	}
}

// restoreLogs returns the restore.log files of the repositories.
func restoreLogs(repos ...string) []string {
	var out []string
	for _, r := range repos {
		l, _ := os.ReadFile(filepath.Join(r, "rdiff-backup-data", "restore.log"))
		out = append(out, string(l))
	}
	return out
}

// logGain returns the message lines the logs gained since before.
func logGain(before, after []string) string {
	var b strings.Builder
	for i := range after {
		b.WriteString(messageLines(strings.TrimPrefix(after[i], before[i])))
	}
	return b.String()
}

// messageLines keeps the ERROR and WARNING lines of an output, minus the
// legacy syntax's deprecation notice; a Python traceback becomes one line.
func messageLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "ERROR:") || strings.HasPrefix(l, "Fatal Error:") || strings.HasPrefix(l, "WARNING:") && !strings.Contains(l, "deprecated") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// checksumTree hashes every file name and content under root, skipping the
// logs rdiff-backup appends to.
func checksumTree(t *testing.T, root string) string {
	t.Helper()
	h := sha1.New()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".log") {
			return nil
		}
		fmt.Fprintf(h, "%s\x00", p)
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

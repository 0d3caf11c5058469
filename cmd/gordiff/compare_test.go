//go:build linux

package main

import (
	"crypto/sha1"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The read actions compare and verify, run through the command line next
// to the real rdiff-backup on the same repositories and trees: standard
// output, standard error and exit code must be the same bytes.

func needRdiffBackup(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("rdiff-backup"); err != nil {
		t.Skip("rdiff-backup is not installed; it is the oracle of this test")
	}
}

// probeNoise matches what rdiff-backup prints at verbosity 5 about its
// probe of the file systems and its clean-up: gordiff does not probe that
// way and says nothing of it.
var probeNoise = regexp.MustCompile(`^(\* (Unable to import win32security|Could not determine if source directory|-{20,}|Backup: escape_|Cleaning up)|Detected abilities for |  [A-Z][A-Za-z ]+ {5,}(On|Off)$|-{20,}$)`)

func dropNoise(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if !probeNoise.MatchString(strings.TrimSuffix(l, "\n")) {
			b.WriteString(l)
		}
	}
	return b.String()
}

// treeState describes every file under root (type, mode, size, mtime,
// content digest), to show that a read action wrote nothing.
func treeState(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v %d %d", p, fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", sha1.Sum(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sameAsRdiffBackup runs args with gordiff and with rdiff-backup and
// requires the same exit code, standard output and standard error (both
// without rdiff-backup's probe noise), and an unchanged repository.
func sameAsRdiffBackup(t *testing.T, repo string, args ...string) {
	t.Helper()
	before := treeState(t, repo)
	wantCode, wantOut, wantErr := rdiffBackupRun(t, "", args...)
	gotCode, gotOut, gotErr := runGordiff(t, "", args...)
	if gotCode != wantCode || string(gotOut) != dropNoise(wantOut) || gotErr != dropNoise(wantErr) {
		t.Errorf("%s:\ngordiff exit %d\nstdout %q\nstderr %q\nrdiff-backup exit %d\nstdout %q\nstderr %q",
			strings.Join(args, " "), gotCode, gotOut, gotErr, wantCode, dropNoise(wantOut), dropNoise(wantErr))
	}
	if after := treeState(t, repo); after != before {
		t.Errorf("%s changed the repository", strings.Join(args, " "))
	}
}

// sameFailure is sameAsRdiffBackup for failures whose text differs by
// design (rdiff-backup prints a traceback, or its own wording of the time
// spec forms): the same exit code, gordiff's last line naming the failed
// step, and what must appear in gordiff's message.
func sameFailure(t *testing.T, repo, step, mention string, args ...string) {
	t.Helper()
	before := treeState(t, repo)
	wantCode, _, wantErr := rdiffBackupRun(t, "", args...)
	gotCode, gotOut, gotErr := runGordiff(t, "", args...)
	action := "compare"
	if line := strings.Join(args, " "); strings.Contains(line, "verify") {
		action = "verify"
	}
	last := fmt.Sprintf("ERROR: Action %s failed on step %s\n", action, step)
	if gotCode != wantCode || len(gotOut) != 0 || !strings.HasSuffix(gotErr, last) || !strings.Contains(gotErr, mention) {
		t.Errorf("%s:\ngordiff exit %d, stdout %q, stderr %q\nrdiff-backup exit %d, stderr %q\nwant gordiff's stderr to end %q and mention %q",
			strings.Join(args, " "), gotCode, gotOut, gotErr, wantCode, wantErr, last, mention)
	}
	if after := treeState(t, repo); after != before {
		t.Errorf("%s changed the repository", strings.Join(args, " "))
	}
}

// readTree builds the test's source: regular files, a hard-link pair, a
// directory, a symlink and a fifo, with fixed times.
func readTree(t *testing.T, src string) {
	t.Helper()
	mtime := time.Unix(1600000000, 0)
	for _, d := range []string{src, src + "/d"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{"a": strings.Repeat("a line\n", 300), "b": "bb\n", "d/e": "eee\n", "d/f": "ffff\n"} {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(src, "b"), filepath.Join(src, "c")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a", filepath.Join(src, "l")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(src, "p"), 0o640); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{src + "/d", src} {
		if err := os.Chtimes(d, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCompareAndVerifyCommandLines: on repositories of two sessions written
// by rdiff-backup and by gordiff, compare (every method, every syntax, a
// sub-path, a selection, verbosity 3 and 5) and verify (every session,
// a sub-path, damage in the mirror and in an increment) print what
// rdiff-backup prints and exit as it exits; bad input fails as it fails.
func TestCompareAndVerifyCommandLines(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	readTree(t, src)
	t0, t1 := "1600000000", "1600003600"
	rb, gd := filepath.Join(dir, "rdiff"), filepath.Join(dir, "gordiff")
	backup := func(at string) {
		t.Helper()
		if code, _, errs := rdiffBackupRun(t, "", "--current-time", at, "backup", src, rb); code != 0 {
			t.Fatalf("rdiff-backup backup: exit %d\n%s", code, errs)
		}
		if code, _, errs := runGordiff(t, "", "--current-time", at, "backup", src, gd); code != 0 {
			t.Fatalf("gordiff backup: exit %d\n%s", code, errs)
		}
	}
	backup(t0)
	later := time.Unix(1600000100, 0)
	if err := os.WriteFile(filepath.Join(src, "a"), []byte(strings.Repeat("a line\n", 300)+"more\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(src, "a"), later, later); err != nil {
		t.Fatal(err)
	}
	backup(t1)

	for _, repo := range []string{rb, gd} {
		// The source is as the last session left it.
		for _, args := range [][]string{
			{"compare", src, repo},
			{"compare", "--method", "hash", src, repo},
			{"compare", "--method", "full", src, repo},
			{"--compare-full", src, repo},
			{"-v5", "compare", "--method", "full", src, repo},
			{"compare", "--at", t0, src, repo},
			{"--compare-hash-at-time", t0, src, repo},
			{"--compare-full-at-time", "1B", src, repo},
			{"compare", filepath.Join(src, "d"), filepath.Join(repo, "d")},
			{"verify", repo},
			{"--verify", repo},
			{"verify", "--at", t0, repo},
			{"--verify-at-time", t0, repo},
			{"-v5", "verify", "--at", "1B", repo},
			{"verify", filepath.Join(repo, "d")},
			{"verify", filepath.Join(repo, "c")},
		} {
			sameAsRdiffBackup(t, repo, args...)
		}
	}

	// The source changes: one of each kind of difference.
	if err := os.WriteFile(filepath.Join(src, "d", "e"), []byte("EEE\n"), 0o644); err != nil { // same size
		t.Fatal(err)
	}
	mtime := time.Unix(1600000000, 0)
	if err := os.Chtimes(filepath.Join(src, "d", "e"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	for _, step := range []error{
		os.Chmod(filepath.Join(src, "d", "f"), 0o600),
		os.Remove(filepath.Join(src, "l")),
		os.Symlink("b", filepath.Join(src, "l")),
		os.WriteFile(filepath.Join(src, "new"), []byte("new\n"), 0o644),
		os.Remove(filepath.Join(src, "p")),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	for _, repo := range []string{rb, gd} {
		for _, args := range [][]string{
			{"compare", src, repo},
			{"--compare", src, repo},
			{"compare", "--method", "hash", src, repo},
			{"compare", "--method", "full", src, repo},
			{"-v5", "compare", "--method", "hash", src, repo},
			{"-v5", "compare", src, repo},
			{"compare", "--method", "full", "--at", t0, src, repo},
			{"--compare-at-time", t0, src, repo},
			{"compare", "--exclude", filepath.Join(src, "d"), src, repo},
			{"compare", "--exclude", "**/new", "--method", "hash", src, repo},
			{"compare", src, filepath.Join(repo, "d")},
			{"compare", filepath.Join(src, "d"), filepath.Join(repo, "d")},
			{"compare", src, filepath.Join(repo, "nonexist")},
			{"compare", filepath.Join(dir, "nonexist"), repo},
			{"compare", src, src},
			{"compare", filepath.Join(dir, "nonexist"), src},
			{"compare", filepath.Join(src, "a"), filepath.Join(repo, "a")},
			{"verify", filepath.Join(dir, "nonexist")},
			{"verify", src},
		} {
			sameAsRdiffBackup(t, repo, args...)
		}
		sameFailure(t, repo, "setup", "garbage", "verify", "--at", "garbage", repo)
		sameFailure(t, repo, "setup", "garbage", "compare", "--at", "garbage", src, repo)
	}

	// Damage: a mirror file, then an increment altered, then truncated.
	for _, repo := range []string{rb, gd} {
		damaged := repo + "-damaged"
		if out, err := exec.Command("cp", "-a", repo, damaged).CombinedOutput(); err != nil {
			t.Fatalf("cp -a: %v %s", err, out)
		}
		if err := os.WriteFile(filepath.Join(damaged, "d", "f"), []byte("FFFF\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"verify", damaged},
			{"-v5", "verify", damaged},
			{"verify", "--at", t0, damaged},
			{"verify", filepath.Join(damaged, "d")},
			{"--verify", filepath.Join(damaged, "a")},
			{"compare", "--method", "full", src, damaged},
			{"compare", "--method", "hash", src, damaged},
		} {
			sameAsRdiffBackup(t, damaged, args...)
		}
		incs, err := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "increments", "a.*.diff.gz"))
		if err != nil || len(incs) != 1 {
			t.Fatalf("the increment of a: %v %v", incs, err)
		}
		inc := filepath.Join(damaged, "rdiff-backup-data", "increments", filepath.Base(incs[0]))
		data, err := os.ReadFile(inc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(inc, data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		sameFailure(t, damaged, "run", inc, "verify", "--at", t0, damaged)
		// a's sizes differ, so compare does not need the increment.
		sameAsRdiffBackup(t, damaged, "compare", "--method", "full", "--at", t0, src, damaged)
		sameAsRdiffBackup(t, damaged, "verify", "--at", t1, damaged) // the current mirror does not need it

		meta, err := filepath.Glob(filepath.Join(damaged, "rdiff-backup-data", "mirror_metadata.*.snapshot.gz"))
		if err != nil || len(meta) != 1 {
			t.Fatalf("the metadata snapshot: %v %v", meta, err)
		}
		data, err = os.ReadFile(meta[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(meta[0], data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		sameFailure(t, damaged, "run", meta[0], "verify", damaged)
		sameFailure(t, damaged, "run", meta[0], "compare", src, damaged)
	}
}

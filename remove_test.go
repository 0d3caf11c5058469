//go:build linux

package gordiff_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gordiff/gordiff"
)

// TestRemoveIncrementsMatchesRdiffBackup: on copies of one repository of
// six sessions, the last of which changed nothing (so the one before
// leaves no increments.<T>.dir marker), written by rdiff-backup and by gordiff,
// RemoveIncrements and `rdiff-backup remove increments` with and without
// --size, for --older-than specs of every outcome: both refuse the same
// cases (nothing older: exit 2; several without --force: exit 1), list the
// same sessions (and sizes) in their messages, and leave the same files.
// What gordiff leaves, rdiff-backup restores at every remaining session
// as the source was then; what rdiff-backup leaves, gordiff restores.
func TestRemoveIncrementsMatchesRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	snaps := map[int64]treeSnap{}
	for k := range 6 {
		names := []string{"a", "d/b", "f" + strconv.Itoa(k)}
		content := strconv.Itoa(k)
		if k == 5 {
			names = nil
		}
		for _, name := range names {
			if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			// Same size: only the mtime tells the programs it changed.
			if err := os.Chtimes(filepath.Join(src, name), time.Unix(sessionTime(k), 0), time.Unix(sessionTime(k), 0)); err != nil {
				t.Fatal(err)
			}
		}
		rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(k))
		gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(k))
		snaps[sessionTime(k)] = snapshotTree(t, src, snapOpts{})
	}
	if _, err := os.Stat(filepath.Join(dir, "rdiff", "rdiff-backup-data", "increments."+timeString(sessionTime(4))+".dir")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the last session was meant to leave no root marker: %v", err)
	}
	now := time.Unix(sessionTime(5)+60, 0)
	outcomes := map[int]int{}
	for _, name := range []string{"rdiff", "gordiff"} {
		for _, size := range []bool{false, true} {
			for _, c := range []struct {
				spec  string
				force bool
			}{
				{"9B", false}, {"5B", false}, {"4B", false}, {"1B", false}, {"1B", true}, {"0B", true},
				{"now", true}, {strconv.FormatInt(sessionTime(2)+1, 10), true}, {strconv.FormatInt(sessionTime(4)+1, 10), true},
			} {
				what := fmt.Sprintf("%s size=%v %s force=%v", name, size, c.spec, c.force)
				ours, theirs := filepath.Join(dir, "ours"), filepath.Join(dir, "theirs")
				for _, d := range []string{ours, theirs} {
					os.RemoveAll(d)
					copyTree(t, filepath.Join(dir, name), d)
				}
				res, err := gordiff.RemoveIncrements(context.Background(), gordiff.RemoveOptions{Repository: ours, OlderThan: c.spec, Force: c.force, Size: size, Now: now})
				args := []string{"--current-time", strconv.FormatInt(now.Unix(), 10)}
				if c.force {
					args = append(args, "--force")
				}
				args = append(args, "remove", "increments", "--older-than", c.spec)
				if size {
					args = append(args, "--size")
				}
				out, code := rdiffBackupCode(t, append(args, theirs)...)
				wantCode := map[error]int{nil: 0, gordiff.ErrNothingToRemove: 2, gordiff.ErrSeveralToRemove: 1}
				if code != wantCode[err] {
					t.Fatalf("%s: gordiff %v, rdiff-backup exit %d\n%s", what, err, code, out)
				}
				outcomes[code]++
				switch lines := gordiff.FormatRemovalTimes(res, time.UTC); code {
				case 0: // the note, then nothing
					if want := "NOTE: " + gordiff.FormatRemoval(res, time.UTC) + "\n"; out != want {
						t.Errorf("%s: rdiff-backup printed\n%s\ngordiff's note is\n%s", what, out, want)
					}
				case 1: // the sessions between the error's first line and its advice
					got := strings.Split(out, "\n")
					if len(got) != len(lines)+4 || !slices.Equal(got[1:1+len(lines)], lines) {
						t.Errorf("%s: rdiff-backup printed\n%s\ngordiff's sessions are\n%s", what, out, strings.Join(lines, "\n"))
					}
				}
				if w, g := fileList(t, theirs), fileList(t, ours); !slices.Equal(w, g) {
					t.Errorf("%s: files differ:\nrdiff-backup: %v\ngordiff:      %v", what, w, g)
				}
				if err != nil || (c.spec != "now" && c.spec != "1B") {
					continue
				}
				// Every session left: rdiff-backup restores gordiff's result,
				// gordiff restores rdiff-backup's.
				left := map[int64]treeSnap{}
				for at, snap := range snaps {
					if !slices.Contains(res.Sessions, at) && at > res.Sessions[len(res.Sessions)-1] {
						left[at] = snap
					}
				}
				restoreCheck(t, ours, dir, left)
				for at, snap := range left {
					out := filepath.Join(dir, fmt.Sprintf("gordiff-restore-%d", at))
					if _, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: theirs, Target: out, At: strconv.FormatInt(at, 10)}); err != nil {
						t.Fatalf("%s: gordiff restore --at %d of rdiff-backup's result: %v", what, at, err)
					}
					requireSameTree(t, fmt.Sprintf("%s: gordiff's restore at %d of rdiff-backup's result", what, at), snap, snapshotTree(t, out, snapOpts{}))
					os.RemoveAll(out)
				}
			}
		}
	}
	if outcomes[0] == 0 || outcomes[1] == 0 || outcomes[2] == 0 {
		t.Errorf("the cases did not cover every outcome: %v", outcomes)
	}
}

// fileList lists a tree's paths, without the logs (their wording is not
// compared here).
func fileList(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && filepath.Ext(p) != ".log" {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// buildGordiff builds the command into a temporary directory, for tests of
// what it prints and returns.
func buildGordiff(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gordiff")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/gordiff").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBoth runs rdiff-backup and gordiff with the same arguments in dir
// and returns their combined outputs and exit codes.
func runBoth(t *testing.T, bin, dir string, args ...string) (rbOut string, rbCode int, gdOut string, gdCode int) {
	t.Helper()
	code := func(err error) int {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	for _, prog := range []string{"rdiff-backup", bin} {
		cmd := exec.Command(prog, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
		out, err := cmd.CombinedOutput()
		if prog == bin {
			gdOut, gdCode = string(out), code(err)
		} else {
			rbOut, rbCode = string(out), code(err)
		}
	}
	return
}

// TestBadInputMatchesRdiffBackup: list files (--at, --changed-since),
// list increments and remove increments (with --size or not) given a
// garbage time, a sub-path that is not in the repository, a path that is
// not a repository (missing, a file, an empty or a non-empty directory,
// with and without --force), or a repository whose newest mirror_metadata
// is truncated: gordiff exits as rdiff-backup does and prints the same
// messages (for a bad time the first and last lines: the help between
// them is in gordiff's words; for the truncated file rdiff-backup crashes
// with a traceback, gordiff names the file), and neither changes the
// repository (but for the remove.log both write).
func TestBadInputMatchesRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	bin := buildGordiff(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for k := range 3 {
		if err := os.WriteFile(filepath.Join(src, "d", "f"+strconv.Itoa(k)), []byte(strconv.Itoa(k)), 0o644); err != nil {
			t.Fatal(err)
		}
		rdiffBackupAt(t, src, filepath.Join(dir, "repo"), sessionTime(k))
	}
	if err := os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyTree(t, filepath.Join(dir, "repo"), filepath.Join(dir, "trunc"))
	metas, _ := filepath.Glob(filepath.Join(dir, "trunc", "rdiff-backup-data", "mirror_metadata.*.snapshot.gz"))
	if len(metas) != 1 {
		t.Fatalf("snapshots: %v", metas)
	}
	data, err := os.ReadFile(metas[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(metas[0], data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}

	const timeHelp, exact, crash = 1, 2, 3
	type tc struct {
		args []string
		how  int
	}
	var cases []tc
	for _, opt := range [][]string{{"--at"}, {"--changed-since"}} {
		cases = append(cases,
			tc{[]string{"list", "files", opt[0], "garbage", "repo"}, timeHelp},
			tc{[]string{"list", "files", opt[0], "1B", "repo/nowhere"}, exact},
			tc{[]string{"list", "files", opt[0], "1B", "repo/d/nowhere"}, exact},
			tc{[]string{"list", "files", opt[0], "1B", "nowhere"}, exact},
			tc{[]string{"list", "files", opt[0], "1B", "src"}, exact},
			tc{[]string{"list", "files", opt[0], "0B", "trunc"}, crash},
			tc{[]string{"list", "files", opt[0], "1B", "trunc"}, crash},
		)
	}
	cases = append(cases, tc{[]string{"list", "increments", "repo/nowhere"}, exact}, tc{[]string{"list", "increments", "nowhere"}, exact})
	for _, size := range [][]string{nil, {"--size"}} {
		rm := append([]string{"remove", "increments"}, size...)
		cases = append(cases, tc{append(slices.Clone(rm), "--older-than", "garbage", "repo"), timeHelp})
		for _, force := range [][]string{nil, {"--force"}} {
			for _, p := range []string{"nowhere", "afile", "empty", "src", "repo/d", "repo/d/f0"} {
				cases = append(cases, tc{append(slices.Concat(force, rm), "--older-than", "1B", p), exact})
			}
		}
	}
	before := map[string]treeSnap{}
	for _, r := range []string{"repo", "trunc"} {
		before[r] = snapshotTree(t, filepath.Join(dir, r), snapOpts{exact: true})
	}
	for _, c := range cases {
		rb, rbCode, gd, gdCode := runBoth(t, bin, dir, c.args...)
		if rbCode != gdCode {
			t.Errorf("%q: rdiff-backup exits %d, gordiff %d\nrdiff-backup:\n%sgordiff:\n%s", c.args, rbCode, gdCode, rb, gd)
			continue
		}
		switch c.how {
		case exact:
			if rb != gd {
				t.Errorf("%q:\nrdiff-backup:\n%sgordiff:\n%s", c.args, rb, gd)
			}
		case timeHelp:
			r, g := strings.Split(strings.TrimSuffix(rb, "\n"), "\n"), strings.Split(strings.TrimSuffix(gd, "\n"), "\n")
			if r[0] != g[0] || r[len(r)-1] != g[len(g)-1] || !strings.HasPrefix(r[0], "ERROR: Time string 'garbage'") {
				t.Errorf("%q:\nrdiff-backup:\n%sgordiff:\n%s", c.args, rb, gd)
			}
		case crash:
			if rbCode != 1 || !strings.Contains(rb, "Traceback") || !strings.Contains(gd, "ERROR: ") || !strings.Contains(gd, filepath.Base(metas[0])) {
				t.Errorf("%q:\nrdiff-backup:\n%sgordiff:\n%s", c.args, rb, gd)
			}
		}
	}
	for r, snap := range before {
		after := snapshotTree(t, filepath.Join(dir, r), snapOpts{exact: true})
		// Both programs open remove.log before they check the time.
		delete(after, "rdiff-backup-data/remove.log")
		after["rdiff-backup-data"] = snap["rdiff-backup-data"]
		requireSameTree(t, r+" after the bad commands", snap, after)
	}
}

//go:build linux

package gordiff_test

// The backup engine's compatibility suite: sessions written by gordiff over
// a tree with every type of entry and every kind of change, checked with
// the real rdiff-backup 2.2 (list, verify, restore of every session), and
// gordiff's answers to bad input.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/mirror"
)

// t0 is the first session's time; session k (0-based) is an hour later per k.
const t0 = 1700000000

func sessionTime(k int) int64 { return t0 + int64(k)*3600 }

// scenarioTree is the source of the first session: every type of entry,
// special permission bits, foreign owners with and without names, hard-link
// groups of 2 and 3, and names that need care in metadata.
func scenarioTree() []node {
	return []node{
		tDir(".", withMode(0o755)),
		tFile("empty", ""),
		tSparse("sparse", 4<<20),
		tFile("large", randString(1, 3<<20+123), withMtime(baseMtime+1)),
		tFile("setuid", "#!/bin/sh\necho hi\n", withMode(0o4755)),
		tFile("setgid", "setgid\n", withMode(0o2750)),
		tDir("sticky", withMode(0o1777)),
		tFile("sticky/f", "in a sticky dir\n"),
		tDir("ro", withMode(0o555)),
		tFile("ro/f", "read only\n", withMode(0o444)),
		tDir("ro/sub", withMode(0o555)),
		tFile("ro/sub/g", "g\n"),
		tDir("dir"),
		tFile("dir/a", "a\n"),
		tDir("dir/sub"),
		tFile("dir/sub/b", "b\n"),
		tDir("tree"), tDir("tree/x"), tDir("tree/x/y"),
		tFile("tree/x/y/z", "z\n"), tFile("tree/x/w", "w\n"), tSym("tree/x/s", "w"), tFifo("tree/x/p"),
		tSym("link", "dir/a"),
		tSym("dangling", "../nowhere at all"),
		tSym("retarget", "empty"),
		tSym("sym2file", "dir/a"),
		tFile("file2sym", "becomes a symlink\n"),
		tFile("file2dir", "becomes a directory\n"),
		tDir("dir2file"), tFile("dir2file/c", "c\n"), tDir("dir2file/d"), tFile("dir2file/d/e", "e\n"),
		tFifo("fifo"), tFifo("fifo2dir", withMode(0o640)),
		tSock("sock", withMode(0o755)),
		tChr("chardev", 1, 3, withMode(0o666)), tBlk("blockdev", 7, 0, withMode(0o660)),
		tFile("hl2a", "two links\n"), tLink("hl2b", "hl2a"),
		tFile("hl3a", "three links\n"), tLink("dir/hl3b", "hl3a"), tLink("hl3c", "hl3a"),
		tFile("brk1", "broken later\n"), tLink("brk2", "brk1"),
		tDir("own"),
		tFile("own/named", "daemon\n", withOwner(1, 1)),
		tFile("own/nobody", "nobody\n", withOwner(65534, 65534)),
		tFile("own/numeric", "numeric\n", withOwner(1234, 5678)),
		tDir("own/numdir", withOwner(1234, 5678), withMode(0o750)),
		tSym("own/symlink", "named", withOwner(1234, 5678)),
		tFifo("own/fifo", withOwner(1, 1234)),
		tDir("mut"),
		tFile("mut/samesize", "aaaa\n"),
		tFile("mut/append", "line 1\n"),
		tFile("mut/truncate", "to be emptied\n"),
		tFile("mut/modeonly", "mode\n"),
		tFile("mut/owneronly", "owner\n"),
		tFile("mut/mtimeonly", "mtime\n"),
		tFile("with space", "sp\n"),
		tFile("back\\slash", "bs\n"),
		tFile("new\nline", "nl\n"),
		tFile("lat\xe9n", "latin-1 name\n"),
	}
}

// scenarioSteps are the changes made before sessions 2, 3, 4 and 5.
func scenarioSteps(t testing.TB) [][]op {
	const m = baseMtime
	return [][]op{
		{ // before session 2
			rewrite("mut/samesize", "bbbb\n", m+100),
			appendTo("mut/append", "line 2\n", m+100),
			appendTo("large", randString(2, 64<<10), m+100),
			truncate("mut/truncate", 0, m+100),
			chmod("mut/modeonly", 0o600),
			chown("mut/owneronly", 1234, 5678),
			touch("mut/mtimeonly", m+5000),
			remove("dir/a", "tree"),
			create(t, tFile("new-file", "new\n"), tDir("new-dir", withMode(0o700)),
				tDir("new-tree"), tDir("new-tree/a"), tFile("new-tree/a/b", "b\n"), tSym("new-tree/s", "a/b")),
			create(t, tDir("file2dir"), tFile("file2dir/inside", "inside\n")),
			create(t, tFile("dir2file", "was a directory\n")),
			create(t, tSym("file2sym", "setuid")),
			create(t, tFile("sym2file", "was a symlink\n")),
			create(t, tSym("retarget", "large")),
			create(t, tDir("fifo2dir", withMode(0o750))),
			create(t, tChr("chardev", 1, 5, withMode(0o666))),
			remove("hl3c"),                   // group of 3 becomes 2
			create(t, tLink("hl2c", "hl2a")), // group of 2 becomes 3
			create(t, tFile("brk2", "rewritten as a new file\n", withMtime(m+100))), // link broken
			rewrite("ro/sub/g", "g2\n", m+100),
		},
		{ // before session 3
			create(t, tFile("file2dir", "a file again\n")),
			create(t, tDir("dir2file"), tFile("dir2file/again", "again\n")),
			remove("sock"),
			create(t, tSock("new-dir/sock2")),
			chown("dir", 1234, 5678),
			chmod("sticky", 0o1755),
			truncate("large", 1<<20, m+200),
			writeAt("sparse", 2<<20, "MIDDLE", m+200),
			rewrite("empty", "not empty anymore\n", m+200),
			create(t, tSym("dangling", "still nowhere")),
			create(t, tChr("blockdev", 1, 7)),
			chown("hl2b", 1, 1), // the whole group of 3
			create(t, tFile("ro/new", "added in a read-only dir\n")),
			chmod("setuid", 0o755),
			create(t, tFifo("new-fifo")),
		},
		{ // before session 4
			remove("hl2a"), // the group's first path goes
			create(t, tLink("mut/modeonly", "hl3a")),
			remove("fifo"),
			appendTo("mut/append", "line 3\n", m+300),
			chmod("ro", 0o500),
			remove("own/numdir"),
			create(t, tDir("fifo2dir/sub"), tFile("fifo2dir/sub/f", "f\n")),
		},
		{ // before session 5
			remove("dir2file", "brk1", "brk2", "new-tree"),
			rewrite("mut/samesize", "cccc\n", m+400),
			create(t, tSym("sym2file", "dir")),
			create(t, tBlk("blockdev", 7, 1, withMode(0o640))),
			create(t, tFile("last", "last session\n")),
			chmod("setgid", 0o2700),
			chmod(".", 0o750),
		},
	}
}

// writer writes one session into repo.
type writer func(t *testing.T, src, repo string, at int64)

func gordiffWriter(t *testing.T, src, repo string, at int64) {
	t.Helper()
	res, err := gordiff.Backup(context.Background(), gordiff.BackupOptions{Source: src, Repository: repo, Time: at, Location: time.UTC})
	if err != nil {
		t.Fatalf("gordiff backup at %d: %v", at, err)
	}
	if res.Time != at || res.Regressed || res.FileErrors != 0 {
		t.Errorf("gordiff backup at %d: result %+v, want Time %d, no regress, no file errors", at, *res, at)
	}
}

func rdiffWriter(t *testing.T, src, repo string, at int64) {
	t.Helper()
	rdiffBackupAt(t, src, repo, at)
}

// runScenario writes the five sessions with the given writers and checks
// after each that the mirror is the source; it returns each session's
// source snapshot.
func runScenario(t *testing.T, dir string, writers []writer) (repo string, want map[int64]treeSnap) {
	src := filepath.Join(dir, "src")
	repo = filepath.Join(dir, "repo")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	makeTree(t, src, scenarioTree()...)
	steps := scenarioSteps(t)
	want = map[int64]treeSnap{}
	for k, w := range writers {
		if k > 0 {
			applyOps(t, src, steps[k-1])
		}
		at := sessionTime(k)
		snap := snapshotTree(t, src, snapOpts{})
		w(t, src, repo, at)
		if got := markers(t, repo); !slices.Equal(got, []string{"current_mirror." + timeString(at) + ".data"}) {
			t.Fatalf("after session %d the markers are %v", k+1, got)
		}
		requireSameTree(t, "the mirror after session "+strconv.Itoa(k+1), snap, snapshotTree(t, repo, snapOpts{skip: []string{"rdiff-backup-data"}}))
		if a := allocated(t, filepath.Join(repo, "sparse")); a > 1<<20 {
			t.Errorf("session %d: the mirror's sparse file (4 MiB, 3 short runs of data) has %d bytes allocated: holes were filled", k+1, a)
		}
		want[at] = snap
	}
	return repo, want
}

// checkWithRdiffBackup lists, verifies and restores every session of repo
// with the real rdiff-backup.
func checkWithRdiffBackup(t *testing.T, dir, repo string, want map[int64]treeSnap) {
	t.Helper()
	out := rdiffBackup(t, "--parsable-output", "list", "increments", repo)
	var listed []int64
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatalf("rdiff-backup list increments: unexpected line %q in\n%s", line, out)
		}
		listed = append(listed, n)
	}
	var times []int64
	for at := range want {
		times = append(times, at)
	}
	slices.Sort(times)
	if !slices.Equal(listed, times) {
		t.Errorf("rdiff-backup list increments lists %v, want the sessions %v\n%s", listed, times, out)
	}
	if out, code := rdiffBackupCode(t, "verify", repo); code != 0 {
		t.Errorf("rdiff-backup verify: exit code %d\n%s", code, out)
	}
	restoreCheck(t, repo, dir, want)
}

// TestBackupSessions: five gordiff sessions over every type of entry and
// every kind of change; the real rdiff-backup lists, verifies and restores
// each session exactly.
func TestBackupSessions(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	g := gordiffWriter
	repo, want := runScenario(t, dir, []writer{g, g, g, g, g})
	checkNoTemporaries(t, repo)
	checkWithRdiffBackup(t, dir, repo, want)
}

// checkNoTemporaries fails when a finished session left temporary files.
func checkNoTemporaries(t *testing.T, repo string) {
	t.Helper()
	filepath.WalkDir(repo, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "rdiff-backup.tmp.") {
			t.Errorf("a completed session left a temporary file: %s", p)
		}
		return nil
	})
}

// exactSnap is a snapshot that sees every change (nanosecond times,
// allocation), for "nothing changed" checks.
func exactSnap(t testing.TB, root string) treeSnap {
	return snapshotTree(t, root, snapOpts{exact: true})
}

func requireUnchanged(t *testing.T, what string, before treeSnap, root string) {
	t.Helper()
	if d := diffTrees(before, exactSnap(t, root)); d != "" {
		t.Errorf("%s changed the repository:\n%s", what, d)
	}
}

// smallRepo makes a source with a few files and a repository with one
// gordiff session.
func smallRepo(t *testing.T) (src, repo string) {
	dir := t.TempDir()
	src, repo = filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, tDir("."), tFile("a", "a\n"), tDir("d"), tFile("d/b", "b\n"), tSym("l", "a"))
	gordiffWriter(t, src, repo, t0)
	return src, repo
}

// corruptibleRepo is a repository of one session whose metadata is long
// enough (400 records) that a reader meets a corruption in its middle only
// after many entries.
func corruptibleRepo(t *testing.T) (src, repo string) {
	dir := t.TempDir()
	src, repo = filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	nodes := []node{tDir(".")}
	for d := range 4 {
		nodes = append(nodes, tDir(strconv.Itoa(d)))
		for f := range 100 {
			nodes = append(nodes, tFile(strconv.Itoa(d)+"/"+strconv.Itoa(f), randString(uint64(d*100+f), 64)))
		}
	}
	makeTree(t, src, nodes...)
	gordiffWriter(t, src, repo, t0)
	return src, repo
}

// corruptibleChanges changes every file of corruptibleRepo's source.
func corruptibleChanges() []op {
	var ops []op
	for d := range 4 {
		for f := range 100 {
			ops = append(ops, appendTo(strconv.Itoa(d)+"/"+strconv.Itoa(f), "more\n", baseMtime+7))
		}
	}
	return ops
}

// TestBackupBadInput: bad sources and destinations give clear errors and
// leave the repository as it was.
func TestBackupBadInput(t *testing.T) {
	ctx := context.Background()
	t.Run("non-repository destination", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
		makeTree(t, src, tDir("."), tFile("a", "a\n"))
		makeTree(t, dst, tDir("."), tFile("precious", "do not touch\n"), tDir("sub"), tFile("sub/x", "x\n"))
		before := exactSnap(t, dst)
		_, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: dst, Time: t0})
		if !errors.Is(err, mirror.ErrNotRepository) {
			t.Errorf("backup into a non-empty non-repository directory: err = %v, want mirror.ErrNotRepository", err)
		}
		if err != nil && !strings.Contains(err.Error(), dst) {
			t.Errorf("the error does not name the destination %s: %v", dst, err)
		}
		requireUnchanged(t, "a refused backup", before, dst)
	})
	t.Run("missing source", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		src, dst := filepath.Join(dir, "nosuch"), filepath.Join(dir, "dst")
		_, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: dst, Time: t0})
		if !errors.Is(err, gordiff.ErrSource) || !strings.Contains(err.Error(), src) {
			t.Errorf("missing source: err = %v, want gordiff.ErrSource naming %s", err, src)
		}
		if _, err := os.Lstat(dst); err == nil {
			t.Errorf("a backup from a missing source created the destination %s", dst)
		}
	})
	t.Run("source is a file", func(t *testing.T) {
		t.Parallel()
		src, repo := smallRepo(t)
		file := filepath.Join(src, "a")
		before := exactSnap(t, repo)
		_, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: file, Repository: repo, Time: t0 + 10})
		if !errors.Is(err, gordiff.ErrSource) || !strings.Contains(err.Error(), file) {
			t.Errorf("source is a file: err = %v, want gordiff.ErrSource naming %s", err, file)
		}
		requireUnchanged(t, "a backup from a file", before, repo)
	})
	t.Run("repository inside the source", func(t *testing.T) {
		needRdiffBackup(t)
		t.Parallel()
		dir := t.TempDir()
		src := filepath.Join(dir, "src")
		makeTree(t, src, tDir("."), tFile("a", "a\n"), tDir("d"), tFile("d/b", "b\n"), tDir("backups"))
		repo := filepath.Join(src, "backups", "repo")
		want := map[int64]treeSnap{}
		for k := range 2 {
			if k == 1 {
				makeTree(t, src, tFile("c", "c\n"))
			}
			snap := snapshotTree(t, src, snapOpts{skip: []string{"backups/repo"}})
			// The directory holding the repository changes while the
			// backup runs: its time in the mirror is whatever it was
			// when the walk saw it; leave it out of the comparison.
			delete(snap, "backups")
			res, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: repo, Time: sessionTime(k), Location: time.UTC})
			if err != nil {
				t.Fatalf("session %d with the repository inside the source: %v", k+1, err)
			}
			if res.FileErrors != 0 {
				t.Errorf("session %d: %d file errors", k+1, res.FileErrors)
			}
			if _, err := os.Lstat(filepath.Join(repo, "backups", "repo")); err == nil {
				t.Fatalf("session %d: the repository was backed up into itself (%s exists)", k+1, filepath.Join(repo, "backups", "repo"))
			}
			want[sessionTime(k)] = snap
		}
		// Restore and compare, ignoring the repository's parent directory.
		for at, snap := range want {
			out := filepath.Join(dir, "out-"+strconv.FormatInt(at, 10))
			rdiffBackup(t, "restore", "--at", strconv.FormatInt(at, 10), repo, out)
			got := snapshotTree(t, out, snapOpts{})
			if e, ok := got["backups"]; !ok || e.typ != "dir" {
				t.Errorf("restore at %d: backups/ should be restored (empty), got %v", at, got["backups"])
			}
			delete(got, "backups")
			requireSameTree(t, "the restore at "+strconv.FormatInt(at, 10), snap, got)
		}
	})
	t.Run("relative repository inside the source", func(t *testing.T) {
		dir := t.TempDir()
		makeTree(t, dir, tDir("src"), tFile("src/a", "a\n"))
		t.Chdir(dir)
		_, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: "src", Repository: "src/repo", Time: t0})
		if err != nil {
			t.Fatalf("backup of src into src/repo: %v", err)
		}
		_, err = gordiff.Backup(ctx, gordiff.BackupOptions{Source: "./src/", Repository: "src/repo", Time: t0 + 1})
		if err != nil {
			t.Fatalf("second backup of ./src/ into src/repo: %v", err)
		}
		if _, err := os.Lstat(filepath.Join(dir, "src/repo/repo")); err == nil {
			t.Errorf("the repository src/repo was backed up into itself")
		}
	})
	t.Run("corrupted metadata", func(t *testing.T) {
		for _, c := range []struct {
			name    string
			corrupt func([]byte) []byte
		}{
			{"not gzip", func([]byte) []byte { return []byte("this is not a gzip stream\n") }},
			{"truncated gzip", func(b []byte) []byte { return b[:len(b)/2] }},
			{"garbled gzip", func(b []byte) []byte {
				b = slices.Clone(b)
				for i := 20; i < len(b)-8; i += 7 {
					b[i] ^= 0x5a
				}
				return b
			}},
		} {
			// Found before the first change (every file changed), or only
			// at the listing's end (nothing changed): either way nothing
			// of the repository may change.
			for _, changes := range []string{"changed", "unchanged"} {
				t.Run(c.name+"/"+changes, func(t *testing.T) {
					t.Parallel()
					src, repo := corruptibleRepo(t)
					snaps, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "mirror_metadata.*.snapshot*"))
					if len(snaps) != 1 {
						t.Fatalf("want one metadata snapshot, found %v", snaps)
					}
					data, err := os.ReadFile(snaps[0])
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(snaps[0], c.corrupt(data), 0o600); err != nil {
						t.Fatal(err)
					}
					if changes == "changed" {
						applyOps(t, src, corruptibleChanges())
					}
					before := exactSnap(t, repo)
					_, err = gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: repo, Time: t0 + 3600})
					if err == nil {
						t.Fatalf("a backup over a corrupted metadata file (%s) succeeded", c.name)
					}
					if !strings.Contains(err.Error(), filepath.Base(snaps[0])) {
						t.Errorf("the error does not name the corrupted file %s: %v", filepath.Base(snaps[0]), err)
					}
					requireUnchanged(t, "a backup that failed on corrupted metadata", before, repo)
				})
			}
		}
	})
	t.Run("interrupted before any change", func(t *testing.T) {
		// A session stopped while nothing differed yet is undone on
		// the spot: no marker for the next session to regress, no
		// data file, the repository as it was.
		t.Parallel()
		src, repo := corruptibleRepo(t)
		before := exactSnap(t, repo)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		_, err := gordiff.Backup(cctx, gordiff.BackupOptions{Source: src, Repository: repo, Time: t0 + 3600,
			Progress: func(p gordiff.Progress) {
				if p.Entries == 50 {
					cancel()
				}
			}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		requireUnchanged(t, "a backup interrupted before any change", before, repo)
	})
	t.Run("two backups at once", func(t *testing.T) {
		t.Parallel()
		testConcurrentBackups(t)
	})
	t.Run("unreadable source file", func(t *testing.T) {
		needRdiffBackup(t)
		t.Parallel()
		testUnreadableFile(t)
	})
}

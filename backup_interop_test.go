//go:build linux

package gordiff_test

// Interoperability with the real rdiff-backup: a repository written in
// turns by both programs, and the repository gordiff writes compared file
// by file with the one rdiff-backup writes from the same source.

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBackupInterop: rdiff-backup writes sessions 1 and 2, gordiff
// continues its repository with sessions 3 and 4, rdiff-backup writes
// session 5 over gordiff's; rdiff-backup lists, verifies and restores all
// five exactly.
func TestBackupInterop(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	r, g := rdiffWriter, gordiffWriter
	repo, want := runScenario(t, dir, []writer{r, r, g, g, r})
	checkNoTemporaries(t, repo)
	checkWithRdiffBackup(t, dir, repo, want)
}

// TestBackupSameRepository: each session of the scenario is written from
// the same source by gordiff into one repository and by rdiff-backup into
// another; the data directories must hold the same files: the same
// increments (name, kind, compression, type, attributes), the same
// metadata (decompressed, byte for byte), the same snapshots of old
// content. Delta bytes, statistics, markers and logs may differ. A last
// session changes nothing that counts.
func TestBackupSameRepository(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src, repoG, repoR := filepath.Join(dir, "src"), filepath.Join(dir, "gordiff"), filepath.Join(dir, "rdiff")
	makeTree(t, src, scenarioTree()...)
	// The scenario's sessions, then one that changes nothing (no
	// increment at all, an empty uncompressed metadata diff): rdiff-backup
	// ignores the owner of symlinks when it looks for changes, and an
	// unchanged entry keeps its previous record.
	steps := append(scenarioSteps(t), []op{chown("own/symlink", 1, 1)})
	for k := range len(steps) + 1 {
		if k > 0 {
			applyOps(t, src, steps[k-1])
		}
		at := sessionTime(k)
		gordiffWriter(t, src, repoG, at)
		rdiffBackupAt(t, src, repoR, at)
		want, got := dataDirListing(t, repoR), dataDirListing(t, repoG)
		if d := diffTrees(want, got); d != "" {
			t.Errorf("after session %d, gordiff's data directory differs from rdiff-backup's (- only rdiff-backup's, + only gordiff's):\n%s%s",
				k+1, d, metadataDiffs(t, repoR, repoG, want, got))
		}
		if w, g := fileStatLines(t, repoR), fileStatLines(t, repoG); w != g {
			t.Errorf("after session %d, file_statistics differ (path changed source-size mirror-size increment-or-NA):\nrdiff-backup:\n%s\ngordiff:\n%s", k+1, w, g)
		}
	}
}

// fileStatLines renders the newest file_statistics of a repository without
// the increment sizes, which depend on each program's gzip (only whether
// one was recorded is kept).
func fileStatLines(t *testing.T, repo string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "file_statistics.*"))
	slices.Sort(matches)
	if len(matches) == 0 {
		t.Fatalf("no file_statistics in %s", repo)
	}
	newest, newestTime := "", int64(-1)
	for _, m := range matches {
		n, err := increments.ParseName(filepath.Base(m))
		if err == nil && n.Time > newestTime {
			newest, newestTime = m, n.Time
		}
	}
	rc, err := metadata.OpenDataFile(newest)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r := metadata.NewFileStatsReader(rc, newest, false)
	var b strings.Builder
	for {
		fs, err := r.Next()
		if err != nil {
			break
		}
		inc := "inc"
		if fs.IncrementSize == metadata.NA {
			inc = "NA"
		}
		fmt.Fprintf(&b, "%s %v %d %d %s\n", fs.Index.String(), fs.Changed, fs.SourceSize, fs.MirrorSize, inc)
	}
	return b.String()
}

// TestBackupSameRepositoryAsNobody: the same comparison with both programs
// run as an unprivileged user over a tree that user owns, meeting what such
// a backup meets: a directory it cannot write (0555), a file its owner
// cannot read (mode 000), a directory its owner cannot list (0311), device
// nodes it cannot create, a root-owned file it cannot read. Both repositories then restore (as root) to the source
// as recorded.
func TestBackupSameRepositoryAsNobody(t *testing.T) {
	needRdiffBackup(t)
	dir, bin := nobodyWorkDir(t)
	t.Parallel()
	nb := withOwner(nobody, nobody)
	src, repos := filepath.Join(dir, "src"), filepath.Join(dir, "r")
	repoG, repoR := filepath.Join(repos, "gordiff"), filepath.Join(repos, "rdiff")
	makeTree(t, repos, tDir(".", nb))
	makeTree(t, src, tDir(".", nb), tFile("a", "a\n", nb), tDir("ro", nb, withMode(0o555)), tFile("ro/f", "f\n", nb),
		tFile("noperm", "private\n", nb), tChr("cdev", 1, 3, nb, withMode(0o644)), tFifo("fifo", nb), tSym("sym", "a", nb),
		tFile("hl1", "linked\n", nb), tLink("hl2", "hl1"), tDir("d", nb), tFile("d/x", "x\n", nb),
		tDir("nolist", nb, withMode(0o311)), tFile("nolist/f", "in a dir its owner cannot list\n", nb))
	applyOps(t, src, []op{chmod("noperm", 0)})
	steps := [][]op{
		{
			rewrite("ro/f", "f2\n", baseMtime+10),
			rewrite("noperm", "private 2\n", baseMtime+10),
			appendTo("a", "more\n", baseMtime+10),
			remove("cdev"),
			create(t, tFile("d/secret", "root's\n", withOwner(0, 0), withMode(0o600))),
		},
		{
			chown("d/secret", nobody, nobody), chmod("d/secret", 0o644),
			create(t, tBlk("bdev", 7, 0, nb)),
			chmod("ro", 0o755),
			remove("hl2"),
		},
	}
	wantR, wantG := map[int64]treeSnap{}, map[int64]treeSnap{}
	for k := range len(steps) + 1 {
		if k > 0 {
			applyOps(t, src, steps[k-1])
		}
		at := sessionTime(k)
		snap := snapshotTree(t, src, snapOpts{})
		delete(snap, "nolist/f") // the directory is kept, what it holds is unknown
		if k == 1 {
			delete(snap, "d/secret") // unreadable: not backed up
		}
		wantR[at], wantG[at] = snap, snap
		backupInChild(t, child{src: src, repo: repoG, at: at, asNobody: bin})
		cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
			"rdiff-backup", "--current-time", strconv.FormatInt(at, 10), "backup", src, repoR)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 2) {
			t.Fatalf("rdiff-backup as nobody, session %d: %v\n%s", k+1, err, out)
		}
		want, got := dataDirListing(t, repoR), dataDirListing(t, repoG)
		// The permissions of a dir marker are a fallback (repository-format
		// 3.8); as non-root rdiff-backup copies them from its mirror
		// directory, which it keeps at 0700|mode while it works.
		for _, l := range []treeSnap{want, got} {
			for p, e := range l {
				if strings.HasSuffix(p, ".dir") {
					e.mode = 0
					l[p] = e
				}
			}
		}
		if d := diffTrees(want, got); d != "" {
			t.Errorf("after session %d as nobody, gordiff's data directory differs from rdiff-backup's (- only rdiff-backup's, + only gordiff's):\n%s%s",
				k+1, d, metadataDiffs(t, repoR, repoG, want, got))
		}
	}
	restoreCheck(t, repoR, dir, wantR)
	restoreCheck(t, repoG, dir, wantG)
}

// TestBackupUnlistableDirectoryKept: a directory that a non-root backup
// could list last time and cannot now keeps what it held in the mirror and
// the metadata, and the session says so in error_log and in its exit
// status; rdiff-backup drops its contents as if they were deleted. Once it
// can be listed again, the session after picks up its changes.
func TestBackupUnlistableDirectoryKept(t *testing.T) {
	needRdiffBackup(t)
	dir, bin := nobodyWorkDir(t)
	t.Parallel()
	nb := withOwner(nobody, nobody)
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "r")
	makeTree(t, dir, tDir(".", withMode(0o755)), tDir("r", nb))
	makeTree(t, src, tDir(".", nb), tFile("a", "a\n", nb), tDir("d", nb), tFile("d/x", "x\n", nb), tDir("d/sub", nb), tFile("d/sub/y", "y\n", nb))
	steps := [][]op{
		{chmod("d", 0o311), appendTo("a", "more\n", baseMtime+10)},
		{chmod("d", 0o755), rewrite("d/x", "x2\n", baseMtime+20)},
	}
	want := map[int64]treeSnap{}
	for k := range len(steps) + 1 {
		if k > 0 {
			applyOps(t, src, steps[k-1])
		}
		at := sessionTime(k)
		want[at] = snapshotTree(t, src, snapOpts{}) // as root: d's content as it is, unchanged in session 2
		res := backupInChild(t, child{src: src, repo: repo, at: at, asNobody: bin})
		if wantErrs := map[bool]int{true: 1, false: 0}[k == 1]; res.FileErrors != wantErrs {
			t.Errorf("session %d: %d file errors, want %d", k+1, res.FileErrors, wantErrs)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "error_log."+timeString(sessionTime(1))+".data*"))
	if len(logs) != 1 || !strings.Contains(readDataFile(t, logs[0]), "ListError: '"+src+"/d'") {
		t.Errorf("error_log of session 2 (%v) does not name %s/d", logs, src)
	}
	incs, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "increments", "d", "*"))
	for _, inc := range incs {
		if strings.Contains(inc, timeString(sessionTime(0))) {
			t.Errorf("session 2 wrote an increment of d's content: %s", inc)
		}
	}
	checkWithRdiffBackup(t, dir, repo, want)
}

// metadataDiffs details, record by record, the mirror_metadata files that
// differ between two listings of dataDirListing.
func metadataDiffs(t *testing.T, repoWant, repoGot string, want, got treeSnap) string {
	var b strings.Builder
	for p, w := range want {
		g, ok := got[p]
		if !ok || w == g || !strings.HasPrefix(p, "mirror_metadata.") {
			continue
		}
		rw := metadataRecords(readDataFile(t, filepath.Join(repoWant, "rdiff-backup-data", p)))
		rg := metadataRecords(readDataFile(t, filepath.Join(repoGot, "rdiff-backup-data", p)))
		var paths []string
		for k := range rw {
			paths = append(paths, k)
		}
		for k := range rg {
			if _, ok := rw[k]; !ok {
				paths = append(paths, k)
			}
		}
		slices.Sort(paths)
		fmt.Fprintf(&b, "\n  records of %s that differ:", p)
		n := 0
		for _, k := range paths {
			if rw[k] == rg[k] {
				continue
			}
			if n++; n > 8 {
				b.WriteString("\n    ...")
				break
			}
			fmt.Fprintf(&b, "\n    rdiff-backup: %q\n    gordiff:      %q", rw[k], rg[k])
		}
	}
	return b.String()
}

// metadataRecords splits a mirror_metadata text into its records by path.
func metadataRecords(text string) map[string]string {
	recs := map[string]string{}
	for _, r := range strings.Split("\n"+text, "\nFile ")[1:] {
		path, _, _ := strings.Cut(r, "\n")
		recs[path] = "File " + r
	}
	return recs
}

// dataDirListing describes a data directory for comparison with another
// written from the same source at the same session times: the content of
// compressed files is compared decompressed, and what legitimately
// differs (creation times, process ids, delta encodings, statistics, logs)
// is left out.
func dataDirListing(t *testing.T, repo string) treeSnap {
	t.Helper()
	data := filepath.Join(repo, "rdiff-backup-data")
	snap := snapshotTree(t, data, snapOpts{})
	out := treeSnap{}
	for p, e := range snap {
		name := filepath.Base(p)
		top := !strings.Contains(p, "/")
		if strings.HasSuffix(name, ".log") {
			continue
		}
		if e.typ == "dir" {
			e.mtime = 0 // made when the session ran
		}
		if e.typ == "reg" {
			if strings.HasSuffix(name, ".gz") {
				content := readDataFile(t, filepath.Join(data, p))
				sum := sha1.Sum([]byte(content))
				e.sha1, e.size, e.text = hex.EncodeToString(sum[:]), int64(len(content)), ""
				if len(content) <= 48 {
					e.text = content
				}
			}
			blankContent := false
			switch {
			case top && (strings.HasPrefix(name, "current_mirror.") || strings.HasPrefix(name, "session_statistics.") ||
				strings.HasPrefix(name, "file_statistics.") || strings.HasPrefix(name, "error_log.")):
				// error_log: the name (compressed or empty) must match,
				// the wording of the messages need not.
				blankContent = true
			case !top && (strings.HasSuffix(name, ".diff") || strings.HasSuffix(name, ".diff.gz")):
				blankContent = true // any valid delta will do
			}
			if blankContent {
				e.sha1, e.size, e.text = "", 0, ""
			}
			if top || strings.HasSuffix(name, ".missing") || e.mtime > sessionClock {
				// Written at the time of the session: a marker, or the
				// snapshot of an entry whose record has no time (the
				// empty stand-in a non-root backup keeps for a device).
				// The test trees' own times are all years old.
				e.mtime = 0
			}
		}
		out[p] = e
	}
	return out
}

// sessionClock: a file time after it was set by a session's own clock, not
// copied from the test tree.
var sessionClock = time.Now().Add(-time.Hour).Unix()

// TestBackupSnapshotCarriedOver: a session writes its metadata snapshot
// only from the first record that differs from the last session's (and an
// unchanged session copies the last compressed snapshot), and takes the
// sealed members of gordiff's last snapshot whose records come again
// without reading them (the listing here takes several members; mirror's
// TestSealedRuns counts the members taken and read). Differences at the
// very end, at the very start, in the middle, in attributes only, in a
// hard link, and none at all must each give rdiff-backup's data directory.
func TestBackupSnapshotCarriedOver(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src, repoG, repoR := filepath.Join(dir, "src"), filepath.Join(dir, "gordiff"), filepath.Join(dir, "rdiff")
	nodes := []node{tDir("."), tDir("d")}
	const n = 1200
	name := func(i int) string { return fmt.Sprintf("d/a-file-with-a-longer-name-%04d", i) }
	for i := range n {
		nodes = append(nodes, tFile(name(i), fmt.Sprintf("file %d\n", i)))
	}
	makeTree(t, src, nodes...)
	steps := [][]op{
		{}, // nothing at all
		{rewrite(name(n-1), "last\n", baseMtime+5)}, // only the last record
		{remove(name(0))},               // the first file record goes
		{touch(name(n/2), baseMtime+7)}, // the middle
		{create(t, tFile("e", "new at the end\n"))},
		{},
		{setXattr(name(n/3), "user.gordiff", "x")}, // attributes only, in the middle
		{create(t, tLink("d/link", name(2*n/3)))},  // a hard link
		{},
	}
	for k := range len(steps) + 1 {
		if k > 0 {
			applyOps(t, src, steps[k-1])
		}
		at := sessionTime(k)
		gordiffWriter(t, src, repoG, at)
		rdiffBackupAt(t, src, repoR, at)
		want, got := dataDirListing(t, repoR), dataDirListing(t, repoG)
		if d := diffTrees(want, got); d != "" {
			t.Errorf("after session %d, gordiff's data directory differs from rdiff-backup's (- only rdiff-backup's, + only gordiff's):\n%s%s",
				k+1, d, metadataDiffs(t, repoR, repoG, want, got))
		}
	}
}

// TestBackupSnapshotCopiedFromRdiffBackup: an unchanged session over a
// repository rdiff-backup wrote takes rdiff-backup's compressed snapshot
// behind a header of its own; rdiff-backup must read the result.
func TestBackupSnapshotCopiedFromRdiffBackup(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, tDir("."), tFile("a", "a\n"), tDir("d"), tFile("d/b", "b\n"), tSym("l", "a"))
	rdiffBackupAt(t, src, repo, sessionTime(0))
	data := filepath.Join(repo, "rdiff-backup-data")
	old, _ := filepath.Glob(filepath.Join(data, "mirror_metadata.*.snapshot.gz"))
	if len(old) != 1 {
		t.Fatalf("rdiff-backup left snapshots %v", old)
	}
	want := readDataFile(t, old[0])
	gordiffWriter(t, src, repo, sessionTime(1))
	snaps, _ := filepath.Glob(filepath.Join(data, "mirror_metadata.*.snapshot.gz"))
	if len(snaps) != 1 || snaps[0] == old[0] {
		t.Fatalf("snapshots after the unchanged session: %v", snaps)
	}
	if got := readDataFile(t, snaps[0]); got != want {
		t.Errorf("the unchanged session's snapshot reads\n%s\nwant rdiff-backup's\n%s", got, want)
	}
	if out, err := exec.Command("gzip", "-t", snaps[0]).CombinedOutput(); err != nil {
		t.Errorf("gzip -t %s: %v\n%s", snaps[0], err, out)
	}
	if out, err := exec.Command("rdiff-backup", "verify", repo).CombinedOutput(); err != nil {
		t.Errorf("rdiff-backup verify after the copied snapshot: %v\n%s", err, out)
	}
	rdiffBackupAt(t, src, repo, sessionTime(2))
}

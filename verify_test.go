//go:build linux

package gordiff_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/increments"
)

// verifyOut keeps, of a verify run at verbosity 5, the per-file lines:
// what gordiff produces (rdiff-backup adds its file system probe and, on
// a missing file, a long warning of its own wording).
var verifyOut = regexp.MustCompile(`^(\* Verified SHA1 digest of file |WARNING: Computed SHA1 digest of file |WARNING: Cannot find SHA1 digest for file )`)

// gordiffVerify runs gordiff.Verify and renders its per-file messages as
// the CLI prints them at verbosity 5, standard output then standard error.
func gordiffVerify(t testing.TB, opts gordiff.VerifyOptions) (stdout, stderr string, res *gordiff.VerifyResult, err error) {
	t.Helper()
	var out, errb strings.Builder
	opts.Message = cliMessages(&out, &errb)
	res, err = gordiff.Verify(context.Background(), opts)
	return keepLines(out.String(), verifyOut), keepLines(errb.String(), verifyOut), res, err
}

// checkVerify runs `rdiff-backup -v5 verify [--at at] path` and
// gordiff.Verify on the same path and compares the per-file lines and the
// outcome: exit 2 exactly when gordiff finds corrupted files, 0 otherwise.
func checkVerify(t *testing.T, what, path, at string) *gordiff.VerifyResult {
	t.Helper()
	args := []string{"-v5", "verify", path}
	if at != "" {
		args = []string{"-v5", "verify", "--at", at, path}
	}
	wantOut, wantErr, code := rdiffBackupStreams(t, args...)
	gotOut, gotErr, res, err := gordiffVerify(t, gordiff.VerifyOptions{Path: path, At: at})
	if err != nil {
		t.Errorf("%s: %v (rdiff-backup exit %d)", what, err, code)
		return nil
	}
	if w := keepLines(wantOut, verifyOut); gotOut != w {
		t.Errorf("%s: standard output\n got %q\nwant %q", what, gotOut, w)
	}
	if w := keepLines(wantErr, verifyOut); gotErr != w {
		t.Errorf("%s: warnings\n got %q\nwant %q", what, gotErr, w)
	}
	wantCode := 0
	if res.Corrupted > 0 {
		wantCode = 2
	}
	if code != wantCode {
		t.Errorf("%s: gordiff found %d corrupted files, rdiff-backup exit %d\n%s", what, res.Corrupted, code, wantErr)
	}
	return res
}

// TestVerifyMatchesRdiffBackup: on repositories written by rdiff-backup
// and by gordiff (hard links included), Verify finds what `rdiff-backup
// verify` finds, with the same messages: nothing on an intact repository,
// the damaged file after one is changed in the mirror, and only what is
// under a sub-path when given one.
func TestVerifyMatchesRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tFile("a", "1\n"), tFile("b", "22\n"), tLink("c", "b"), tDir("d"), tFile("d/e", "333\n"))
	rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(0))
	gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(0))

	for _, name := range []string{"rdiff", "gordiff"} {
		repo := filepath.Join(dir, name)
		checkVerify(t, name+" intact", repo, "")
		checkVerify(t, name+" sub-path, intact", filepath.Join(repo, "d"), "")
		checkVerify(t, name+" sub-path c (a later hard link alone)", filepath.Join(repo, "c"), "")
		if err := os.WriteFile(filepath.Join(repo, "d", "e"), []byte("damaged\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if res := checkVerify(t, name+" damaged d/e", repo, "now"); res != nil && res.Corrupted != 1 {
			t.Errorf("%s damaged d/e: %d corrupted files, want 1", name, res.Corrupted)
		}
		checkVerify(t, name+" sub-path, damaged d/e", filepath.Join(repo, "d"), "")
		checkVerify(t, name+" sub-path a, damaged d/e", filepath.Join(repo, "a"), "")
		checkVerify(t, name+" missing sub-path", filepath.Join(repo, "nonexist"), "")
	}
}

// TestVerifyEverySession: every session of the scenario (every entry type
// and mutation, hard-link groups that grow, shrink and lose their first
// path), backed up by gordiff and by rdiff-backup, verifies as rdiff-backup
// verifies it, as a whole and for sub-paths; then damage in the mirror
// shows in the sessions that share the damaged content and in no other.
func TestVerifyEverySession(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	_, steps := scenarioBothRepos(t, dir)
	for _, name := range []string{"gordiff", "rdiff"} {
		repo := filepath.Join(dir, name)
		for k := range len(steps) + 1 {
			at := strconv.FormatInt(sessionTime(k), 10)
			for _, sub := range []string{"", "dir", "hl2b", "mut/samesize"} {
				res := checkVerify(t, name+" session "+strconv.Itoa(k+1)+" "+sub, filepath.Join(repo, sub), at)
				if res != nil && res.Corrupted != 0 {
					t.Errorf("%s session %d %s: %d corrupted files in an intact repository", name, k+1, sub, res.Corrupted)
				}
			}
		}
		// Damage the mirror's mut/samesize: sessions 5 only has this
		// content; older sessions rebuild theirs from it through the
		// increments, so they show the damage too.
		if err := os.WriteFile(filepath.Join(repo, "mut", "samesize"), []byte("XXXX\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for k := range len(steps) + 1 {
			checkVerify(t, name+" damaged mirror, session "+strconv.Itoa(k+1), repo, strconv.FormatInt(sessionTime(k), 10))
		}
	}
}

// TestVerifyCorruption: damage of every kind, in repositories written by
// both programs, is found as rdiff-backup finds it: an increment whose
// delta was altered makes the older session's file mismatch (exit 2)
// while the current mirror still verifies; a truncated increment or
// truncated metadata fails the verification (exit 1) with an error naming
// the damaged file; a mirror file gone is checked as empty (a mismatch);
// a digest gone from the metadata is warned about, not counted as damage.
// The repository is never written to.
func TestVerifyCorruption(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tFile("a", strings.Repeat("first version of a\n", 200)), tFile("b", "b\n"), tDir("d"), tFile("d/e", "e\n"))
	for _, name := range []string{"rdiff", "gordiff"} {
		if name == "rdiff" {
			rdiffBackupAt(t, src, filepath.Join(dir, name), sessionTime(0))
		} else {
			gordiffWriter(t, src, filepath.Join(dir, name), sessionTime(0))
		}
	}
	applyOps(t, src, []op{appendTo("a", "second version\n", baseMtime+100), rewrite("d/e", "E\n", baseMtime+100)})
	for _, name := range []string{"rdiff", "gordiff"} {
		if name == "rdiff" {
			rdiffBackupAt(t, src, filepath.Join(dir, name), sessionTime(1))
		} else {
			gordiffWriter(t, src, filepath.Join(dir, name), sessionTime(1))
		}
	}
	first := strconv.FormatInt(sessionTime(0), 10)

	for _, name := range []string{"rdiff", "gordiff"} {
		fresh := func(what string) string {
			t.Helper()
			repo := filepath.Join(dir, name+"-"+what)
			copyTree(t, filepath.Join(dir, name), repo)
			return repo
		}
		incOf := func(repo, base string) string {
			t.Helper()
			m, err := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "increments", base+".*.diff*"))
			if err != nil || len(m) != 1 {
				t.Fatalf("%s: the increments of %s: %v %v", repo, base, m, err)
			}
			return m[0]
		}

		// An altered delta: a literal byte changed, the file still valid.
		repo := fresh("altered-increment")
		inc := incOf(repo, "a")
		delta := []byte(readDataFile(t, inc))
		i := bytes.LastIndex(delta, []byte("first version"))
		if i < 0 {
			t.Fatalf("%s: no literal data in the delta %q", inc, delta)
		}
		delta[i] = 'F'
		writeLike(t, inc, delta)
		if res := checkVerify(t, name+" altered increment, first session", repo, first); res != nil && res.Corrupted != 1 {
			t.Errorf("%s altered increment: %d corrupted files at the first session, want 1", name, res.Corrupted)
		}
		checkVerify(t, name+" altered increment, current mirror", repo, "")

		// A truncated delta: rdiff-backup fails (exit 1, a traceback).
		repo = fresh("truncated-increment")
		inc = incOf(repo, "a")
		data, err := os.ReadFile(inc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(inc, data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		failing(t, name+" truncated increment", repo, first, inc)

		// A mirror file gone: checked as an empty file, in every session
		// that rebuilds from it.
		repo = fresh("missing-mirror-file")
		if err := os.Remove(filepath.Join(repo, "d", "e")); err != nil {
			t.Fatal(err)
		}
		checkVerify(t, name+" missing mirror file, now", repo, "")
		checkVerify(t, name+" missing mirror file, first session", repo, first)

		// A digest gone from the metadata: warned, not damage.
		repo = fresh("no-digest")
		meta, err := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "mirror_metadata.*.snapshot*"))
		if err != nil || len(meta) != 1 {
			t.Fatalf("%s: the metadata snapshot: %v %v", repo, meta, err)
		}
		var kept []string
		record := ""
		for _, l := range strings.SplitAfter(readDataFile(t, meta[0]), "\n") {
			if strings.HasPrefix(l, "File ") {
				record = l
			}
			if record != "File b\n" || !strings.HasPrefix(l, "  SHA1Digest ") {
				kept = append(kept, l)
			}
		}
		writeLike(t, meta[0], []byte(strings.Join(kept, "")))
		if res := checkVerify(t, name+" digest gone", repo, ""); res != nil && res.NoHash != 1 {
			t.Errorf("%s digest gone: %d files without a digest, want 1", name, res.NoHash)
		}

		// Truncated metadata: rdiff-backup fails (exit 1, a traceback).
		repo = fresh("truncated-metadata")
		meta, _ = filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "mirror_metadata.*.snapshot*"))
		data, err = os.ReadFile(meta[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(meta[0], data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		failing(t, name+" truncated metadata", repo, "", meta[0])
	}
}

// failing checks that rdiff-backup verify exits 1 on repo and that
// gordiff.Verify fails with an error naming the damaged file, writing
// nothing into the repository.
func failing(t *testing.T, what, repo, at, damaged string) {
	t.Helper()
	args := []string{"verify", repo}
	if at != "" {
		args = []string{"verify", "--at", at, repo}
	}
	if _, stderr, code := rdiffBackupStreams(t, args...); code != 1 {
		t.Errorf("%s: rdiff-backup exit %d, want 1\n%s", what, code, stderr)
	}
	before := snapshotTree(t, repo, snapOpts{})
	_, err := gordiff.Verify(context.Background(), gordiff.VerifyOptions{Path: repo, At: at})
	if err == nil || !strings.Contains(err.Error(), damaged) {
		t.Errorf("%s: Verify returned %v, want an error naming %s", what, err, damaged)
	}
	requireSameTree(t, what+": the repository after verify", before, snapshotTree(t, repo, snapOpts{}))
}

// writeLike writes data into a data-directory file, gzipped if the file
// was.
func writeLike(t *testing.T, path string, data []byte) {
	t.Helper()
	if strings.HasSuffix(path, ".gz") {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		data = b.Bytes()
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyBadInput: a garbage time spec, a path outside any repository
// and a repository whose last backup failed are errors, and leave the
// repository as it was.
func TestVerifyBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tFile("a", "a\n"))
	repo := filepath.Join(dir, "repo")
	gordiffWriter(t, src, repo, sessionTime(0))
	before := snapshotTree(t, repo, snapOpts{})
	ctx := context.Background()
	if _, err := gordiff.Verify(ctx, gordiff.VerifyOptions{Path: repo, At: "garbage"}); !errors.Is(err, increments.ErrBadTimeSpec) {
		t.Errorf("garbage time spec: %v", err)
	}
	if _, err := gordiff.Verify(ctx, gordiff.VerifyOptions{Path: src}); !errors.Is(err, gordiff.ErrNoRepository) {
		t.Errorf("not a repository: %v", err)
	}
	requireSameTree(t, "the repository after failed verifies", before, snapshotTree(t, repo, snapOpts{}))
}

//go:build linux

package gordiff_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/selection"
)

// rdiffBackupStreams runs rdiff-backup and returns its standard output,
// standard error and exit code apart.
func rdiffBackupStreams(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "rdiff-backup", args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("rdiff-backup %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// compareLine keeps, of a compare run's standard output at verbosity 5,
// the report lines and the per-path successes: what gordiff produces
// (rdiff-backup adds its file system probe around them).
var compareLine = regexp.MustCompile(`^(\* Successfully compared path |(new|deleted|changed|metadata (changed|the same), data (changed|the same)): )`)

func keepLines(s string, re *regexp.Regexp) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if re.MatchString(l) {
			b.WriteString(l)
		}
	}
	return b.String()
}

// gordiffCompare runs gordiff.Compare and renders its standard output at
// verbosity 5 as the CLI prints it, and its warnings.
func gordiffCompare(t testing.TB, opts gordiff.CompareOptions) (stdout, warnings string, res *gordiff.CompareResult, err error) {
	t.Helper()
	var out, warn strings.Builder
	opts.Report = func(r gordiff.CompareReport) { out.WriteString(r.String() + "\n") }
	opts.Message = cliMessages(&out, &warn)
	res, err = gordiff.Compare(context.Background(), opts)
	// The same filter as rdiff-backup's output gets, so that a name with
	// a newline in it is cut the same way on both sides.
	return keepLines(out.String(), compareLine), warn.String(), res, err
}

// TestCompareEverySession: the scenario (every entry type and mutation,
// five sessions) backed up by gordiff and by rdiff-backup, then changed
// once more; the source is compared with every session by each method, as
// a whole and for a sub-directory, and gordiff reports the same lines
// (and, at verbosity 5, the same successes, in the same order) as
// `rdiff-backup compare`, with differences exactly when rdiff-backup
// exits 1.
func TestCompareEverySession(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src, steps := scenarioBothRepos(t, dir)
	const m = baseMtime
	applyOps(t, src, []op{
		rewrite("mut/samesize", "dddd\n", m+400), // same size and mtime: only the data differ
		rewrite("with space", "sp2\n", m+900),    // size, mtime and data
		chmod("mut/truncate", 0o600),             // metadata only
		remove("dir/sub/b"),
		create(t, tFile("dir/later", "later\n")),
		touch("dir/sub", m+999),
	})
	for _, name := range []string{"gordiff", "rdiff"} {
		for k := range len(steps) + 1 {
			at := strconv.FormatInt(sessionTime(k), 10)
			for _, method := range []string{"meta", "hash", "full"} {
				for _, sub := range []string{"", "dir"} {
					if sub != "" && method != "meta" {
						continue
					}
					srcPath, repo := filepath.Join(src, sub), filepath.Join(dir, name, sub)
					wantOut, wantErr, code := rdiffBackupStreams(t, "-v5", "compare", "--method", method, "--at", at, srcPath, repo)
					if code != 0 && code != 1 {
						t.Fatalf("rdiff-backup compare --method %s --at %s %s %s: exit %d\n%s", method, at, srcPath, repo, code, wantErr)
					}
					got, warnings, res, err := gordiffCompare(t, gordiff.CompareOptions{Source: srcPath, Path: repo, Method: method, At: at})
					what := name + " session " + strconv.Itoa(k+1) + " --method " + method + " " + sub
					if err != nil {
						t.Errorf("%s: %v", what, err)
						continue
					}
					if want := keepLines(wantOut, compareLine); got != want {
						t.Errorf("%s:\n got %q\nwant %q", what, got, want)
					}
					if (res.Differences > 0) != (code == 1) {
						t.Errorf("%s: %d differences, rdiff-backup exit %d", what, res.Differences, code)
					}
					if w := keepLines(wantErr, regexp.MustCompile(`^WARNING: `)); warnings != w {
						t.Errorf("%s: warnings\n got %q\nwant %q", what, warnings, w)
					}
				}
			}
		}
	}
}

// TestCompareExtendedAttributesAndACLs: a change of extended attributes
// or ACL alone is a difference, as for rdiff-backup; a repository kept
// without them compares the source's against none, with rdiff-backup's
// warnings.
func TestCompareExtendedAttributesAndACLs(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tFile("a", "a\n"), tFile("b", "b\n"), tFile("c", "c\n"), tFile("d", "d\n"), tDir("e"))
	setxattr := func(name, attr, value string) {
		t.Helper()
		if out, err := exec.Command("setfattr", "-n", attr, "-v", value, filepath.Join(src, name)).CombinedOutput(); err != nil {
			t.Skipf("setfattr on the test's file system: %v %s", err, out)
		}
	}
	setfacl := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command("setfacl", append(args, filepath.Join(src, name))...).CombinedOutput(); err != nil {
			t.Skipf("setfacl on the test's file system: %v %s", err, out)
		}
	}
	setxattr("c", "user.k", "v1")
	setfacl("d", "-m", "u:nobody:r")
	rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(0))
	gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(0))
	rdiffBackup(t, "--current-time", strconv.FormatInt(sessionTime(0), 10), "backup", "--no-eas", "--no-acls", src, filepath.Join(dir, "bare"))

	check := func(when string) {
		t.Helper()
		for _, name := range []string{"rdiff", "gordiff", "bare"} {
			for _, method := range []string{"meta", "hash"} {
				repo := filepath.Join(dir, name)
				wantOut, wantErr, code := rdiffBackupStreams(t, "-v5", "compare", "--method", method, src, repo)
				got, warnings, res, err := gordiffCompare(t, gordiff.CompareOptions{Source: src, Path: repo, Method: method})
				if err != nil {
					t.Fatalf("%s %s %s: %v", when, name, method, err)
				}
				if want := keepLines(wantOut, compareLine); got != want || (res.Differences > 0) != (code == 1) {
					t.Errorf("%s, %s, %s: got %q (%d differences)\nrdiff-backup %q exit %d", when, name, method, got, res.Differences, want, code)
				}
				if w := keepLines(wantErr, regexp.MustCompile(`^WARNING: `)); warnings != w {
					t.Errorf("%s, %s, %s: warnings\n got %q\nwant %q", when, name, method, warnings, w)
				}
			}
		}
	}
	check("unchanged")
	setxattr("a", "user.k", "v1")      // a new attribute
	setxattr("c", "user.k", "v2")      // a changed value
	setfacl("b", "-m", "u:nobody:rw")  // a new ACL
	setfacl("e", "-d", "-m", "u:1:rx") // a new default ACL
	setfacl("d", "-x", "u:nobody")     // an ACL gone
	check("changed")
}

// TestCompareSelection: selection options filter the source side only; an
// excluded entry the backup has is reported deleted.
func TestCompareSelection(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tFile("a", "a\n"), tFile("b.log", "b\n"), tDir("d"), tFile("d/x", "x\n"), tFile("d/y.log", "y\n"), tDir("e"), tFile("e/z", "z\n"))
	repo := filepath.Join(dir, "repo")
	rdiffBackupAt(t, src, repo, sessionTime(0))
	makeTree(t, src, tFile("new.log", "n\n"), tFile("d/new", "n\n"))
	for _, sel := range [][]string{
		{"--exclude", filepath.Join(src, "a")},
		{"--exclude", filepath.Join(src, "d")},
		{"--exclude", "**.log"},
		{"--include", filepath.Join(src, "d"), "--exclude", "**"},
		{"--exclude-regexp", `/[xz]$`},
	} {
		for _, method := range []string{"meta", "hash"} {
			args := append(append([]string{"-v5", "compare", "--method", method}, sel...), src, repo)
			wantOut, _, code := rdiffBackupStreams(t, args...)
			var opts []selection.Option
			for i := 0; i < len(sel); i += 2 {
				k, _, ok := selection.KindFromFlag(strings.TrimPrefix(sel[i], "--"))
				if !ok {
					t.Fatalf("selection option %s", sel[i])
				}
				opts = append(opts, selection.Option{Kind: k, Arg: sel[i+1]})
			}
			got, _, res, err := gordiffCompare(t, gordiff.CompareOptions{Source: src, Path: repo, Method: method, Selection: opts})
			if err != nil {
				t.Fatalf("%v: %v", sel, err)
			}
			if want := keepLines(wantOut, compareLine); got != want || (res.Differences > 0) != (code == 1) {
				t.Errorf("%v %s: got %q (%d differences)\nrdiff-backup %q exit %d", sel, method, got, res.Differences, want, code)
			}
		}
	}
}

// TestCompareBadInput: a missing source, a path outside any repository, a
// garbage time spec, an unknown method and truncated metadata are errors
// (rdiff-backup fails on each), and the repository is left as it was.
func TestCompareBadInput(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tFile("a", "a\n"))
	repo := filepath.Join(dir, "repo")
	gordiffWriter(t, src, repo, sessionTime(0))
	before := snapshotTree(t, repo, snapOpts{})
	ctx := context.Background()
	for _, c := range []struct {
		what string
		opts gordiff.CompareOptions
		want error
	}{
		{"missing source", gordiff.CompareOptions{Source: filepath.Join(dir, "nonexist"), Path: repo}, gordiff.ErrSource},
		{"not a repository", gordiff.CompareOptions{Source: src, Path: src}, gordiff.ErrNoRepository},
		{"garbage time", gordiff.CompareOptions{Source: src, Path: repo, At: "garbage"}, increments.ErrBadTimeSpec},
		{"unknown method", gordiff.CompareOptions{Source: src, Path: repo, Method: "sha1"}, gordiff.ErrBadMethod},
		{"bad selection", gordiff.CompareOptions{Source: src, Path: repo, Selection: []selection.Option{{Kind: selection.KindExcludeRegexp, Arg: "("}}}, selection.ErrInvalid},
	} {
		if _, err := gordiff.Compare(ctx, c.opts); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.what, err, c.want)
		}
	}
	requireSameTree(t, "the repository after failed compares", before, snapshotTree(t, repo, snapOpts{}))

	// Truncated metadata: rdiff-backup exits 1 (a traceback); gordiff
	// fails naming the file.
	meta, err := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "mirror_metadata.*"))
	if err != nil || len(meta) != 1 {
		t.Fatalf("mirror_metadata files: %v %v", meta, err)
	}
	data, err := os.ReadFile(meta[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(meta[0], data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, code := rdiffBackupStreams(t, "compare", src, repo); code != 1 {
		t.Errorf("rdiff-backup compare on truncated metadata: exit %d, want 1", code)
	}
	before = snapshotTree(t, repo, snapOpts{})
	_, err = gordiff.Compare(ctx, gordiff.CompareOptions{Source: src, Path: repo})
	if err == nil || !strings.Contains(err.Error(), filepath.Base(meta[0])) {
		t.Errorf("compare on truncated metadata: %v, want an error naming %s", err, meta[0])
	}
	requireSameTree(t, "the repository after a compare on truncated metadata", before, snapshotTree(t, repo, snapOpts{}))
}

// TestCompareDamagedRepository: a mirror file altered is found by the
// full method only (hash trusts the recorded digest, as rdiff-backup
// does); a mirror file gone compares as an empty file, with a warning
// naming it; a truncated increment fails the full method's compare with
// an error naming it when its content is needed. Reports and outcomes are
// rdiff-backup's.
func TestCompareDamagedRepository(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, tFile("a", strings.Repeat("a line\n", 300)), tFile("b", "bb\n"), tDir("d"), tFile("d/e", "eee\n"))
	for _, name := range []string{"rdiff", "gordiff"} {
		repo := filepath.Join(dir, name)
		if name == "rdiff" {
			rdiffBackupAt(t, src, repo, sessionTime(0))
		} else {
			gordiffWriter(t, src, repo, sessionTime(0))
		}
	}
	applyOps(t, src, []op{rewrite("a", strings.Repeat("a line\n", 299)+"A line\n", baseMtime+100)})
	for _, name := range []string{"rdiff", "gordiff"} {
		repo := filepath.Join(dir, name)
		if name == "rdiff" {
			rdiffBackupAt(t, src, repo, sessionTime(1))
		} else {
			gordiffWriter(t, src, repo, sessionTime(1))
		}
		if err := os.WriteFile(filepath.Join(repo, "b"), []byte("XX\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(repo, "d", "e")); err != nil {
			t.Fatal(err)
		}
		first := strconv.FormatInt(sessionTime(0), 10)
		for _, method := range []string{"meta", "hash", "full"} {
			for _, at := range []string{"now", first} {
				wantOut, _, code := rdiffBackupStreams(t, "-v5", "compare", "--method", method, "--at", at, src, repo)
				got, warnings, res, err := gordiffCompare(t, gordiff.CompareOptions{Source: src, Path: repo, Method: method, At: at})
				if err != nil {
					t.Fatalf("%s %s --at %s: %v", name, method, at, err)
				}
				if want := keepLines(wantOut, compareLine); got != want || (res.Differences > 0) != (code == 1) {
					t.Errorf("%s %s --at %s: got %q (%d differences)\nrdiff-backup %q exit %d", name, method, at, got, res.Differences, want, code)
				}
				if method == "full" && !strings.Contains(warnings, filepath.Join(repo, "d", "e")) {
					t.Errorf("%s %s --at %s: warnings %q do not name the missing %s", name, method, at, warnings, filepath.Join(repo, "d", "e"))
				}
			}
		}
		incs, err := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "increments", "a.*.diff.gz"))
		if err != nil || len(incs) != 1 {
			t.Fatalf("the increment of a: %v %v", incs, err)
		}
		data, err := os.ReadFile(incs[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(incs[0], data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, code := rdiffBackupStreams(t, "compare", "--method", "full", "--at", first, src, repo); code != 1 {
			t.Errorf("%s: rdiff-backup compare with a truncated increment: exit %d, want 1", name, code)
		}
		_, err = gordiff.Compare(context.Background(), gordiff.CompareOptions{Source: src, Path: repo, Method: "full", At: first})
		if err == nil || !strings.Contains(err.Error(), incs[0]) {
			t.Errorf("%s: compare with a truncated increment: %v, want an error naming %s", name, err, incs[0])
		}
	}
}

// cliMessages renders an action's messages as the CLI prints them at
// verbosity 5: level 5 into out behind "* ", warnings into warn behind
// "WARNING: ".
func cliMessages(out, warn *strings.Builder) func(gordiff.Level, string) {
	return func(l gordiff.Level, m string) {
		switch l {
		case 5:
			out.WriteString("* " + m + "\n")
		case 2:
			warn.WriteString("WARNING: " + m + "\n")
		}
	}
}

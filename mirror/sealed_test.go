package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/remote"
	"golang.org/x/sys/unix"
)

// sealedTree makes a tree whose listing takes several sealed members.
func sealedTree(t *testing.T, root string) {
	t.Helper()
	for d := range 6 {
		dir := filepath.Join(root, fmt.Sprintf("dir%d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range 250 {
			p := filepath.Join(dir, fmt.Sprintf("a-file-with-a-rather-long-name-%04d.txt", f))
			if err := os.WriteFile(p, fmt.Appendf(nil, "content %d/%d\n", d, f), 0o644); err != nil {
				t.Fatal(err)
			}
			mt := time.Unix(1600000000+int64(f), 0)
			if err := os.Chtimes(p, mt, mt); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// members returns the record count of each member of a sealed listing.
func members(t *testing.T, path string) []int {
	t.Helper()
	br, err := metadata.OpenBlocks(path)
	if err != nil || br == nil {
		t.Fatalf("%s is not a sealed listing (%v)", path, err)
	}
	defer br.Close()
	var n []int
	var b metadata.Block
	for {
		err := br.Next(&b)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		n = append(n, int(b.Header.Info.Records))
	}
}

// listing returns the records of a listing, as text, in order.
func listing(t *testing.T, path string) []string {
	t.Helper()
	rd, err := metadata.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var out []string
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(metadata.AppendRecord(nil, rec, true)))
	}
}

func lastSnapshot(t *testing.T, repo string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "mirror_metadata.*.snapshot.gz"))
	if len(m) == 0 {
		t.Fatalf("no snapshot in %s", repo)
	}
	slices.Sort(m) // one in nine sessions keeps its snapshot
	return m[len(m)-1]
}

func sealedBackup(t *testing.T, src, repo string, at int64) (*Result, error) {
	return sealedBackupOpts(t, src, repo, Options{Time: at})
}

func sealedBackupOpts(t *testing.T, src, repo string, o Options) (*Result, error) {
	t.Helper()
	ls := remote.NewLocalSource(src, remote.LocalOptions{EAs: true})
	defer ls.Close()
	o.SourceName, o.NoFsync, o.EAs = src, true, true
	return Backup(context.Background(), repo, ls, o)
}

// TestSealedRuns: a session over a sealed last listing takes each member
// whose records come again whole, without inflating it, and reads the
// others record by record; what it writes is what it would write reading
// every record.
func TestSealedRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	sealedTree(t, src)
	at := int64(1700000000)
	if _, err := sealedBackup(t, src, repo, at); err != nil {
		t.Fatal(err)
	}
	if n := len(members(t, lastSnapshot(t, repo))); n < 4 {
		t.Fatalf("the listing of %d entries has %d members; the test needs 4 or more", 6*251+1, n)
	}
	xattrs := unix.Lsetxattr(src, "user.probe", []byte("1"), 0) == nil
	if xattrs {
		if err := unix.Lremovexattr(src, "user.probe"); err != nil {
			t.Fatal(err)
		}
	}
	type step struct {
		name   string
		change func(fileIn func(k int) string)
		taken  int  // members taken whole (-1: all, -2: all but the last, -3: not checked)
		least  int  // at least that many
		none   bool // no member read

		noHardLinks bool
	}
	steps := []step{
		{"nothing changed", func(func(int) string) {}, -1, 0, true, false},
		{"a file of the last member touched", func(fileIn func(int) string) {
			mt := time.Unix(1650000000, 0)
			os.Chtimes(fileIn(-1), mt, mt)
		}, -2, 0, false, false},
		{"a file of the first member rewritten", func(fileIn func(int) string) {
			os.WriteFile(fileIn(0), []byte("other content, other size\n"), 0o644)
		}, 0, 0, false, false},
		{"a file added inside member 1", func(fileIn func(int) string) {
			p := fileIn(1)
			keepDirTime(t, filepath.Dir(p), func() { os.WriteFile(p+"-new", []byte("new\n"), 0o644) })
		}, 1, 0, false, false},
		{"nothing changed", func(func(int) string) {}, -1, 0, true, false},
		// More new entries than a member holds, inside member 1: the
		// snapshot written after them is cut into members afresh.
		{"600 files added inside member 1", func(fileIn func(int) string) {
			p := fileIn(1)
			keepDirTime(t, filepath.Dir(p), func() {
				for i := range 600 {
					os.WriteFile(fmt.Sprintf("%s-more-%03d", p, i), []byte("more\n"), 0o644)
				}
			})
		}, 1, 0, false, false},
		{"a file of member 2 removed", func(fileIn func(int) string) {
			p := fileIn(2)
			keepDirTime(t, filepath.Dir(p), func() { os.Remove(p) })
		}, 2, 0, false, false},
		{"nothing changed again", func(func(int) string) {}, -1, 0, true, false},
	}
	var withEA string // the file given an extended attribute
	if xattrs {
		steps = append(steps, step{name: "an extended attribute set in member 2", change: func(fileIn func(int) string) {
			withEA = fileIn(2)
			if err := unix.Lsetxattr(withEA, "user.gordiff", []byte("x"), 0); err != nil {
				t.Fatal(err)
			}
		}, taken: -3, least: 2})
	}
	steps = append(steps,
		step{name: "a hard link made to a file of member 3", change: func(fileIn func(int) string) {
			p := fileIn(3)
			keepDirTime(t, filepath.Dir(p), func() {
				if err := os.Link(p, p+"-link"); err != nil {
					t.Fatal(err)
				}
			})
		}, taken: -3, least: 3},
		step{name: "nothing changed, with hard links", change: func(func(int) string) {}, taken: -3, least: 3},
		step{name: "nothing changed, with --no-hard-links", change: func(func(int) string) {}, taken: -3, noHardLinks: true},
		step{name: "nothing changed, --no-hard-links again", change: func(func(int) string) {}, taken: -1, none: true, noHardLinks: true},
	)
	for _, st := range steps {
		at += 3600
		snap := lastSnapshot(t, repo)
		counts, before := members(t, snap), listing(t, snap)
		start := []int{0}
		for _, n := range counts {
			start = append(start, start[len(start)-1]+n)
		}
		if start[len(counts)] != len(before) {
			t.Fatalf("members hold %d records, the listing %d", start[len(counts)], len(before))
		}
		fileIn := func(k int) string { // a regular file of member k (-1: the last), not its first record
			if k < 0 {
				k += len(counts)
			}
			for i := start[k] + 1; i < start[k+1]; i++ {
				line, _, _ := strings.Cut(before[i], "\n")
				if p := strings.TrimPrefix(line, "File "); strings.HasSuffix(p, ".txt") {
					return filepath.Join(src, p)
				}
			}
			t.Fatalf("no file in member %d", k)
			return ""
		}
		st.change(fileIn)
		res, err := sealedBackupOpts(t, src, repo, Options{Time: at, NoHardLinks: st.noHardLinks})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		t.Logf("%s: %d members taken whole, %d read, of %d", st.name, res.membersTaken, res.membersRead, len(counts))
		want := st.taken
		switch want {
		case -1:
			want = len(counts)
		case -2:
			want = len(counts) - 1
		}
		if (want >= 0 && res.membersTaken != want) || res.membersTaken < st.least {
			t.Errorf("%s: %d members taken whole, want %d (at least %d) of %d", st.name, res.membersTaken, want, st.least, len(counts))
		}
		if res.membersTaken+res.membersRead != len(counts) || (st.none && res.membersRead != 0) {
			t.Errorf("%s: %d members taken and %d read, of %d", st.name, res.membersTaken, res.membersRead, len(counts))
		}
		// The snapshot is the one a full read gives: the records of the
		// tree, with every SHA1 the last snapshot had for an unchanged file.
		got := listing(t, lastSnapshot(t, repo))
		checkSnapshot(t, st.name, src, before, got)
		if st.none && !slices.Equal(got, before) {
			t.Errorf("%s: the snapshot changed", st.name)
		}
		if withEA != "" {
			checkEA(t, st.name, repo, strings.TrimPrefix(withEA, src+"/"))
		}
	}
	if _, err := exec.LookPath("rdiff-backup"); err == nil {
		if out, err := exec.Command("rdiff-backup", "verify", repo).CombinedOutput(); err != nil {
			t.Errorf("rdiff-backup verify: %v\n%s", err, out)
		}
	}
}

// checkEA checks that the last extended_attributes snapshot gives path
// its user.gordiff attribute.
func checkEA(t *testing.T, what, repo, path string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "extended_attributes.*.snapshot*"))
	slices.Sort(m)
	if len(m) == 0 {
		t.Fatalf("%s: no extended_attributes snapshot", what)
	}
	r, err := metadata.OpenEAReader(m[len(m)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err != nil {
			t.Errorf("%s: %s has no user.gordiff in %s (%v)", what, path, m[len(m)-1], err)
			return
		}
		if rec.Index.String() == path {
			for _, a := range rec.Attrs {
				if a.Name == "user.gordiff" && string(a.Value) == "x" {
					return
				}
			}
		}
	}
}

// keepDirTime runs change and gives dir its mtime back: the directory's
// record, in an earlier member than its entries, stays the same.
func keepDirTime(t *testing.T, dir string, change func()) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	change()
	if err := os.Chtimes(dir, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
}

// checkSnapshot checks a new snapshot against the source tree (one record
// per entry, with the entry's size and mtime) and against the last one
// (the same SHA1 wherever size and mtime are the same).
func checkSnapshot(t *testing.T, what, src string, before, got []string) {
	t.Helper()
	old := map[string]string{}
	for _, r := range before {
		line, _, _ := strings.Cut(r, "\n")
		old[line] = r
	}
	n := 0
	filepath.WalkDir(src, func(string, os.DirEntry, error) error { n++; return nil })
	if len(got) != n {
		t.Errorf("%s: the snapshot has %d records for %d entries", what, len(got), n)
	}
	for _, r := range got {
		line, _, _ := strings.Cut(r, "\n")
		p := filepath.Join(src, strings.TrimPrefix(line, "File "))
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: a record for %s, which is not in the source", what, p)
			continue
		}
		if fi.Mode().IsRegular() {
			if !strings.Contains(r, fmt.Sprintf("\n  Size %d\n", fi.Size())) || !strings.Contains(r, fmt.Sprintf("\n  ModTime %d\n", fi.ModTime().Unix())) {
				t.Errorf("%s: record\n%sdoes not match %s (size %d, mtime %d)", what, r, p, fi.Size(), fi.ModTime().Unix())
			}
			if !strings.Contains(r, "\n  SHA1Digest ") && !strings.Contains(r, "\n  NumHardLinks ") {
				t.Errorf("%s: record without SHA1:\n%s", what, r)
			}
		}
		if o, ok := old[line]; ok && sansSHA1(o) == sansSHA1(r) && o != r {
			t.Errorf("%s: unchanged record\n%swas\n%s", what, r, o)
		}
	}
}

func sansSHA1(r string) string {
	var b strings.Builder
	for l := range strings.Lines(r) {
		if !strings.HasPrefix(l, "  SHA1Digest ") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestSealedRunDamaged: a member whose compressed data or trailer does not
// match its header's CRC makes the session fail naming the listing, before
// anything changed: when nothing in the source changed and the member would
// have been taken whole, and when a change comes before the damaged member
// (the whole listing is checked, by its members' CRCs, before it).
func TestSealedRunDamaged(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"data", "trailer", "data, with a change before it"} {
		dir := t.TempDir()
		src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
		sealedTree(t, src)
		if _, err := sealedBackup(t, src, repo, 1700000000); err != nil {
			t.Fatal(err)
		}
		snap := lastSnapshot(t, repo)
		data, err := os.ReadFile(snap)
		if err != nil {
			t.Fatal(err)
		}
		h, err := metadata.ParseMemberHeader(data)
		if err != nil || !h.Sealed {
			t.Fatalf("first member: %+v, %v", h, err)
		}
		second := h.Len + int(h.Info.RawLen) + 8
		h2, err := metadata.ParseMemberHeader(data[second:])
		if err != nil || !h2.Sealed {
			t.Fatalf("second member: %+v, %v", h2, err)
		}
		if strings.HasPrefix(where, "data") { // a byte in the middle of the second member's compressed data
			data[second+h2.Len+int(h2.Info.RawLen)/2] ^= 0x20
		} else { // a bit of its text's CRC
			data[second+h2.Len+int(h2.Info.RawLen)+1] ^= 0x01
		}
		if err := os.WriteFile(snap, data, 0o600); err != nil {
			t.Fatal(err)
		}
		entries := func() []string {
			var l []string
			filepath.WalkDir(repo, func(p string, d os.DirEntry, err error) error {
				fi, _ := d.Info()
				l = append(l, fmt.Sprintf("%s %d %d", p, fi.Size(), fi.ModTime().UnixNano()))
				return nil
			})
			return l
		}
		if strings.HasSuffix(where, "before it") {
			// The first change comes in member 1: the listing is
			// checked whole before the mirror changes (beforeChange).
			p := filepath.Join(src, "dir0", "a-file-with-a-rather-long-name-0003.txt")
			if err := os.WriteFile(p, []byte("changed, and longer\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		pre := entries()
		_, err = sealedBackup(t, src, repo, 1700003600)
		if err == nil || !strings.Contains(err.Error(), snap) || !strings.Contains(err.Error(), "member 2") {
			t.Fatalf("backup over a damaged member (%s): %v; want an error naming %s and its member 2", where, err, snap)
		}
		if post := entries(); !slices.Equal(pre, post) {
			t.Errorf("damaged %s: the repository changed:\nbefore %v\nafter  %v", where, pre, post)
		}
	}
}

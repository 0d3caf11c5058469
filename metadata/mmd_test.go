//go:build linux

package metadata

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

const (
	t1 = "1700000000"
	t2 = "1700003600"
	t3 = "1700007200"
)

func timeName(sec string) string {
	var s int64
	fmt.Sscan(sec, &s)
	return time.Unix(s, 0).UTC().Format("2006-01-02T15:04:05Z07:00")
}

func metaFile(t *testing.T, repo, sec, kind string) []byte {
	t.Helper()
	return content(t, oneDataFile(t, repo, "mirror_metadata."+timeName(sec)+"."+kind))
}

func TestSnapshotRoundTripAndOrder(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, oddTree)
	backup(t, src, repo, t1)

	want := metaFile(t, repo, t1, "snapshot")
	recs := readAll(t, want, "snapshot")
	if len(recs) != len(oddTree)+1 {
		t.Errorf("parsed %d records, tree has %d entries plus the root", len(recs), len(oddTree))
	}
	if got := writeAll(t, recs); !bytes.Equal(got, want) {
		t.Fatalf("round trip differs:\n%s", firstDiff(got, want))
	}

	// CompareIndex sorts like rdiff-backup.
	shuffled := append([]*Record(nil), recs...)
	rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	sort.Slice(shuffled, func(i, j int) bool { return CompareIndex(shuffled[i].Index, shuffled[j].Index) < 0 })
	for i := range recs {
		if !recs[i].Index.Equal(shuffled[i].Index) {
			t.Fatalf("order %d: rdiff-backup has %q, CompareIndex gives %q", i, recs[i].Index, shuffled[i].Index)
		}
	}

	// Every path of the tree was parsed back to its raw name.
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.Index.String()] = true
	}
	for _, n := range oddTree {
		if !seen[n.path] {
			t.Errorf("no record for %q", n.path)
		}
	}
}

func TestFromLstatMatchesRdiffBackup(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, oddTree)
	backup(t, src, repo, t1)
	for _, want := range readAll(t, metaFile(t, repo, t1, "snapshot"), "snapshot") {
		got, err := FromLstat(src, want.Index)
		if err != nil {
			t.Fatal(err)
		}
		got.SHA1 = want.SHA1 // computed by the copier, not by FromLstat
		g, w := AppendRecord(nil, got, true), AppendRecord(nil, want, true)
		if !bytes.Equal(g, w) {
			t.Errorf("FromLstat(%q):\n%s\nrdiff-backup:\n%s", want.Index, g, w)
		}
	}
	if _, err := FromLstat(src, Index{"missing"}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing entry: got %v, want ErrNotExist", err)
	}
}

func readerOf(t *testing.T, data []byte) *Reader {
	rd := NewReader(bytes.NewReader(data), "mem")
	rd.Warn = func(err error) { t.Errorf("warning: %v", err) }
	return rd
}

func diffBytes(t *testing.T, newer, older []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := DiffRecords(readerOf(t, newer), readerOf(t, older), w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func patchedBytes(t *testing.T, files ...[]byte) []byte {
	t.Helper()
	var srcs []RecordSource
	for _, f := range files {
		srcs = append(srcs, readerOf(t, f))
	}
	p := NewPatchedReader(srcs...)
	var recs []*Record
	for {
		r, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return writeAll(t, recs)
}

func TestDiffsAndChainAgainstRdiffBackup(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, oddTree)
	backup(t, src, repo, t1)
	s1 := metaFile(t, repo, t1, "snapshot")

	// Session 2: content, mode, owner, mtime, type and link-count changes,
	// a new entry and deleted ones.
	p := func(s string) string { return filepath.Join(src, s) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(p("a.txt"), []byte("changed content\n"), 0o644))
	must(os.Remove(p("h1")))
	must(os.WriteFile(p("new file"), []byte("new"), 0o644))
	must(os.Chmod(p("dir/sub/f"), 0o600))
	must(os.RemoveAll(p("a")))
	must(os.Remove(p("fifo")))
	must(os.WriteFile(p("fifo"), nil, 0o644))
	must(os.Chtimes(p("A"), time.Unix(1500000000, 0), time.Unix(1500000000, 0)))
	must(os.Lchown(p("dir/badlink"), 1234, 1234))
	backup(t, src, repo, t2)
	d1 := metaFile(t, repo, t1, "diff")
	s2 := metaFile(t, repo, t2, "snapshot")
	if len(d1) == 0 {
		t.Fatal("rdiff-backup wrote an empty diff")
	}
	if got := writeAll(t, readAll(t, d1, "diff")); !bytes.Equal(got, d1) {
		t.Fatalf("diff round trip differs:\n%s", firstDiff(got, d1))
	}
	if got := diffBytes(t, s2, s1); !bytes.Equal(got, d1) {
		t.Fatalf("DiffRecords differs from rdiff-backup's diff:\n%s", firstDiff(got, d1))
	}
	if got := patchedBytes(t, s2, d1); !bytes.Equal(got, s1) {
		t.Fatalf("snapshot+diff differs from the old snapshot:\n%s", firstDiff(got, s1))
	}

	// Session 3 makes a chain of two diffs; session 4 changes nothing and
	// gets an empty, uncompressed diff.
	must(os.Remove(p("dir/h2")))
	must(os.WriteFile(p("big"), []byte("small now"), 0o644))
	must(os.Symlink("elsewhere", p("a")))
	backup(t, src, repo, t3)
	d2 := metaFile(t, repo, t2, "diff")
	s3 := metaFile(t, repo, t3, "snapshot")
	if got := diffBytes(t, s3, s2); !bytes.Equal(got, d2) {
		t.Fatalf("second DiffRecords differs:\n%s", firstDiff(got, d2))
	}
	if got := patchedBytes(t, s3, d2, d1); !bytes.Equal(got, s1) {
		t.Fatalf("chain to session 1 differs:\n%s", firstDiff(got, s1))
	}
	if got := patchedBytes(t, s3, d2); !bytes.Equal(got, s2) {
		t.Fatalf("chain to session 2 differs:\n%s", firstDiff(got, s2))
	}
	if got := patchedBytes(t, s3); !bytes.Equal(got, s3) {
		t.Fatalf("snapshot alone differs:\n%s", firstDiff(got, s3))
	}

	backup(t, src, repo, "1700010800")
	empty := oneDataFile(t, repo, "mirror_metadata."+timeName(t3)+".diff")
	if strings.HasSuffix(empty, ".gz") {
		t.Fatalf("no-change session: expected an uncompressed empty diff, got %s", empty)
	}
	if got := diffBytes(t, metaFile(t, repo, "1700010800", "snapshot"), s3); len(got) != 0 {
		t.Fatalf("DiffRecords of identical snapshots wrote %q", got)
	}
}

func TestWriterRefusesDisorder(t *testing.T) {
	for _, tc := range [][2]Index{
		{{"a", "b"}, {"a"}},
		{{"a b"}, {"a", "b"}},
		{{"b"}, {"a"}},
		{{"a"}, {"a"}},
		{{"x"}, {}},
	} {
		w := NewWriter(io.Discard)
		if err := w.Write(&Record{Index: tc[0], Type: TypeReg}); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&Record{Index: tc[1], Type: TypeReg}); !errors.Is(err, ErrOutOfOrder) {
			t.Errorf("%q then %q: got %v, want ErrOutOfOrder", tc[0], tc[1], err)
		}
	}
}

func TestReaderTolerance(t *testing.T) {
	// Shapes the format description says a reader must accept or skip.
	in := "File .\n" +
		"Type dir\n" + // no indentation
		"      ModTime 5\n" + // many spaces
		"  Uid 0\n  Uname None\n  Gid 0\n  Gname :\n  Permissions 493\n" +
		"  Frobnicate yes\n" + // unknown field: warning, ignored
		"File bad\n  Type reg\n  Size many\n" + // bad record: skipped
		"File notype\n  Size 3\n" + // no Type: skipped
		"File ok\n  Permissions 420\n  Type reg\n  Size 3\n  Uid 1\n  Gid 2\n" + // any order
		"File sym\n  Type sym\n  SymData x\\\\y\\nz\\q\n  Uid 0\n  Gid 0\n"
	rd := NewReader(strings.NewReader(in), "hand")
	var warns []string
	rd.Warn = func(err error) {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("warning %v is not a *ParseError", err)
		}
		warns = append(warns, err.Error())
	}
	var recs []*Record
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 3 || len(recs[0].Index) != 0 || recs[1].Index.String() != "ok" || recs[2].Index.String() != "sym" {
		t.Fatalf("records: %+v", recs)
	}
	if r := recs[0]; r.Type != TypeDir || r.ModTime != 5 || r.Uname != "" || r.Gname != "" || r.Permissions != 0o755 {
		t.Errorf("root record: %+v", r)
	}
	if r := recs[1]; r.Type != TypeReg || r.Size != 3 || r.Uid != 1 || r.Gid != 2 || r.Permissions != 0o644 {
		t.Errorf("ok record: %+v", r)
	}
	if got := recs[2].SymData; got != "x\\y\nz\\q" {
		t.Errorf("SymData unquoted to %q", got)
	}
	if len(warns) != 3 || rd.Skipped != 2 {
		t.Errorf("warnings %q, skipped %d", warns, rd.Skipped)
	}
	for _, w := range warns {
		if !strings.HasPrefix(w, "hand:") {
			t.Errorf("warning without file name: %s", w)
		}
	}
}

func TestOpenDataFileGzipDetection(t *testing.T) {
	dir := t.TempDir()
	rec := &Record{Index: Index{"f"}, Type: TypeReg, Size: 1, Permissions: 0o644}
	text := AppendRecord(nil, rec, true)
	// Compressed, written through DataFile, under the name it chose.
	d := CreateDataFile(filepath.Join(dir, "mirror_metadata.x.snapshot"), true)
	if _, err := d.Write(text); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(d.Path(), ".snapshot.gz") {
		t.Fatalf("compressed file named %s", d.Path())
	}
	if got := content(t, d.Path()); !bytes.Equal(got, text) {
		t.Fatalf("read back %q", got)
	}
	// gzip data under a plain name is still detected.
	plain := filepath.Join(dir, "renamed")
	if err := os.Rename(d.Path(), plain); err != nil {
		t.Fatal(err)
	}
	if got := content(t, plain); !bytes.Equal(got, text) {
		t.Fatalf("magic detection: read %q", got)
	}
	// Nothing written: empty file without .gz.
	e := CreateDataFile(filepath.Join(dir, "mirror_metadata.y.diff"), true)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "mirror_metadata.y.diff")); err != nil || fi.Size() != 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("empty data file: %v %v", fi, err)
	}
	// A .gz name with non-gzip content is an error.
	bad := filepath.Join(dir, "bad.gz")
	if err := os.WriteFile(bad, []byte("File x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDataFile(bad); err == nil {
		t.Fatal("non-gzip .gz file accepted")
	}
}

func TestIndexValidation(t *testing.T) {
	// Indexes that would leave the root, or not read back the same, are
	// refused by the writers and skipped by the readers.
	for _, ix := range []Index{{".."}, {"a", ".", "b"}, {"a", ""}, {"a/b"}, {"nul\x00"}} {
		if err := NewWriter(io.Discard).Write(&Record{Index: ix, Type: TypeReg}); !errors.Is(err, ErrBadIndex) {
			t.Errorf("Writer accepted %q: %v", ix, err)
		}
		if err := NewEAWriter(io.Discard).Write(&EARecord{Index: ix, Attrs: []XAttr{{Name: "user.x"}}}); !errors.Is(err, ErrBadIndex) {
			t.Errorf("EAWriter accepted %q: %v", ix, err)
		}
		if err := NewFileStatsWriter(io.Discard, false).Write(&FileStat{Index: ix}); !errors.Is(err, ErrBadIndex) {
			t.Errorf("FileStatsWriter accepted %q: %v", ix, err)
		}
	}
	rd := NewReader(strings.NewReader("File ../etc/passwd\n  Type reg\nFile a//b\n  Type reg\nFile ok\n  Type fifo\n"), "evil")
	r, err := rd.Next()
	if err != nil || r.Index.String() != "ok" || rd.Skipped != 2 {
		t.Fatalf("got %v %v, skipped %d", r, err, rd.Skipped)
	}
	ea := NewEAReader(strings.NewReader("# file: ..\nuser.x=0sAA==\n# file: x/\\056\\056/y\nuser.x\n"), "evil")
	if r, err := ea.Next(); err != io.EOF || ea.Skipped() != 2 {
		t.Fatalf("EA reader: %v %v, skipped %d", r, err, ea.Skipped())
	}
}

//go:build linux

package metadata

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds returns the inputs of a fuzz target's committed corpus.
func fuzzSeeds(t *testing.T, target string) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, v, ok := strings.Cut(strings.TrimSpace(string(b)), "\n")
		if !ok {
			t.Fatalf("%s: not a fuzz corpus file", f)
		}
		v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(v, "[]byte("), "string("), ")")
		s, err := strconv.Unquote(v)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, []byte(s))
	}
	if len(out) == 0 {
		t.Fatalf("no corpus for %s", target)
	}
	return out
}

// oddSnapshot has the shapes the fast paths treat apart from the common one.
var oddSnapshot = "garbage before\n\nFile .\n  Type dir\n  ModTime 1700000000\n  Uid 0\n  Uname root\n  Gid 0\n  Gname root\n  Permissions 493\n" +
	"File back\\\\slash\\nnew\\q/x\\\\\n  Type reg\n  Size 0\n  ModTime 0\n  Uid 0\n  Uname None\n  Gid 0\n  Gname :\n  Permissions 0\n" +
	"File lat\xe9n/\xff\xfe\n  Type reg\n  Size 18446744073709551616\n" + // overflow: skipped
	"File n/big\n  Type reg\n  Size 999999999999999999\n  NumHardLinks 9223372036854775807\n  Inode 18446744073709551615\n  DeviceLoc +0\n  ModTime -9223372036854775808\n  Uid +12\n  Gid -0\n  Permissions 0_7\n" +
	"File n/inode\n  Type reg\n  Inode -0\n  DeviceLoc 1_000\n  Size  \t12\r\n  ModTime 00000000000000000000000012\n" +
	"File n/neg\n  Type reg\n  Inode -1\n" + // skipped
	"File n/perm\n  Type dir\n  Permissions 4096\n" + // skipped
	"File n/perm2\n  Type dir\n  Permissions -1\n" + // skipped
	"File n/under\n  Type fifo\n  Uid 1__0\n" + // skipped
	"File n/sign\n  Type fifo\n  Uid -\n" + // skipped
	"File n/sign2\n  Type fifo\n  Gid +-1\n" + // skipped
	"File n/twice\n  Type sock\n  Type fifo\n  Uname a\n  Uname None\n  Gname b\n  SHA1Digest abc\n  SHA1Digest :\n  File n/twice2\n  SymData a\\nb\n  SymData c\\\\d\\e\n" +
	"File n/type\n  Type :\n" +
	"File n/type2\n  Type None\n" +
	"File n/type3\n  Type Reg\n" + // skipped
	"File n/unknown\n  Type reg\n  Frob 1\n  Frob\n  9x 1\n  -x 1\n    \n" +
	"File n/z dev\n  Type dev\n  DeviceNum c 1 3\n  Uid 0\n" +
	"File n/z dev2\n  Type dev\n  DeviceNum x 1 3\n" + // skipped
	"File n/z dev3\n  Type dev\n  DeviceNum b  1 3\n" + // skipped
	"File n/zz\n  Type reg\n  ResourceFork None\n  CarbonFile \xff\\n\n  AlternateMirrorName 12\n  AlternateIncrementName 13\n" +
	"File n/zz2\n  Type dir\n  AlternateIncrementName 14\n" +
	"File ./a\n  Type reg\n" + // skipped
	"File a//b\n  Type reg\n" + // skipped
	"File a/\n  Type reg\n" + // skipped
	"File \n  Type reg\n" + // skipped
	"File nul\x00\n  Type reg\n" + // skipped
	"File ..\n  Type reg\n" + // skipped
	"File nosep\n  Type reg\n  Size 3"

// longSnapshot has lines longer than the line reader's buffer.
var longSnapshot = "File long\n  Type reg\n  SHA1Digest " + strings.Repeat("0123456789abcdef", 9000) + "\n" +
	"File " + strings.Repeat("\\n", 50000) + "\n  Type reg\n  SymData " + strings.Repeat("x\\\\", 40000) + "\n"

// TestReaderMatchesReference checks the allocation-saving Reader against
// the plain parser it replaced, on rdiff-backup's own files (the fuzz
// corpus), the benchmark listing, odd and broken shapes, and a few thousand
// random texts made of plausible lines.
func TestReaderMatchesReference(t *testing.T) {
	_, plain, _ := benchCorpus()
	sameAsReference(t, plain)
	sameAsReference(t, []byte(seedSnapshot))
	sameAsReference(t, []byte(oddSnapshot))
	sameAsReference(t, []byte(longSnapshot+oddSnapshot))
	for _, s := range fuzzSeeds(t, "FuzzReader") {
		sameAsReference(t, s)
	}
	for i := 0; i <= len(oddSnapshot); i += 7 {
		sameAsReference(t, []byte(oddSnapshot[:i]))
	}
	rnd := rand.New(rand.NewSource(3))
	names := []string{"File", "Type", "Size", "NumHardLinks", "Inode", "DeviceLoc", "SHA1Digest", "SymData", "DeviceNum",
		"ModTime", "Uid", "Uname", "Gid", "Gname", "Permissions", "AlternateMirrorName", "AlternateIncrementName",
		"ResourceFork", "CarbonFile", "Other"}
	values := []string{"0", "1", "-1", "+1", "-0", "+0", "007", "1_0", "_1", "1_", "18446744073709551615", "18446744073709551616",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999", " 5 ", "5\r", "\t5",
		"None", ":", "reg", "dir", "sym", "dev", "fifo", "sock", "c 1 2", "b 3 4", "d 1 2", "4095", "4096", "a", "a/b",
		"a\\nb", "a\\\\b", "a\\", "\\", ".", "..", "a/./b", "\xff", "root", "", "x y"}
	for range 3000 {
		var b strings.Builder
		for range rnd.Intn(40) {
			switch rnd.Intn(10) {
			case 0:
				b.WriteString("File " + values[rnd.Intn(len(values))] + "\n")
			case 1:
				b.WriteString(values[rnd.Intn(len(values))] + "\n")
			default:
				b.WriteString(strings.Repeat(" ", rnd.Intn(4)) + names[rnd.Intn(len(names))] + " " + values[rnd.Intn(len(values))] + "\n")
			}
		}
		sameAsReference(t, []byte(b.String()))
	}
}

// TestWritersMatchReference checks AppendRecord and FileStatsWriter against
// the writers they replaced, for records of every type and field.
func TestWritersMatchReference(t *testing.T) {
	recs, _, _ := benchCorpus()
	recs = append(recs[:len(recs):len(recs)], readRef([]byte(oddSnapshot)).recs...)
	long := strings.Repeat("\xffx\\\n", 30000)
	for _, ty := range []FileType{TypeNone, TypeReg, TypeDir, TypeSym, TypeDev, TypeFifo, TypeSock} {
		recs = append(recs, []*Record{
			{Index: Index{}, Type: ty},
			{Index: Index{"a\nb", "c\\d", "\xe9"}, Type: ty, Size: -1, NumHardLinks: 2, Inode: 1 << 63, DeviceLoc: 1<<64 - 1,
				SHA1: "None", SymData: "x\n\\y", DevKind: 'b', DevMajor: -3, DevMinor: 1 << 40, ModTime: -1 << 63,
				Uid: 1<<63 - 1, Gid: -1, Uname: ":", Gname: "g g", Permissions: 0o7777, AlternateMirrorName: "1",
				AlternateIncrementName: "2", ResourceFork: "None", CarbonFile: "c"},
			{Index: Index{long}, Type: ty, NumHardLinks: 1, SymData: long, AlternateIncrementName: long, Permissions: 1 << 20},
		}...)
	}
	for _, r := range recs {
		sameRecordText(t, r)
	}

	for _, nullSep := range []bool{false, true} {
		var got, want bytes.Buffer
		w := NewFileStatsWriter(&got, nullSep)
		ref := &FileStatsWriter{sep: w.sep}
		want.WriteString(FileStatsHeader)
		if nullSep {
			want.Reset()
			want.WriteString(strings.ReplaceAll(FileStatsHeader, "\n", "\x00"))
		}
		for i, r := range recs {
			if r.Index.Validate() != nil {
				continue
			}
			s := &FileStat{Index: r.Index, Changed: i%3 == 0, SourceSize: r.Size, MirrorSize: int64(i) - 5, IncrementSize: NA}
			if i%5 == 0 {
				s.IncrementSize = 1 << 62
			}
			if err := w.Write(s); err != nil {
				t.Fatal(err)
			}
			want.Write(refFileStatLine(ref, s))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("file_statistics (null %v) differs from the reference:\n%s", nullSep, firstDiff(got.Bytes(), want.Bytes()))
		}
	}
}

// TestCompareIndexMatchesReference checks CompareIndex against the plain
// comparison on every pair of a set of awkward indexes and on neighbours
// in the benchmark listing.
func TestCompareIndexMatchesReference(t *testing.T) {
	comps := []string{"", "a", "a ", "a\x00", "a\xff", "ab", "b", "\x01", "\xff", "\xe9", "A", "a-b", "a.b", "a/b", "aa", "abc"}
	var set []Index
	set = append(set, nil, Index{})
	for _, a := range comps {
		set = append(set, Index{a})
		for _, b := range comps[:6] {
			set = append(set, Index{a, b}, Index{b, a, b})
		}
	}
	for _, a := range set {
		for _, b := range set {
			if got, want := CompareIndex(a, b), refCompareIndex(a, b); got != want {
				t.Fatalf("CompareIndex(%q, %q) = %d, reference %d", a, b, got, want)
			}
			if a.Equal(b) != (refCompareIndex(a, b) == 0) {
				t.Fatalf("Equal(%q, %q) wrong", a, b)
			}
		}
	}
	recs, _, _ := benchCorpus()
	rnd := rand.New(rand.NewSource(5))
	for i := 1; i < len(recs); i++ {
		a, b := recs[i-1].Index, recs[rnd.Intn(len(recs))].Index
		if got, want := CompareIndex(a, b), refCompareIndex(a, b); got != want {
			t.Fatalf("CompareIndex(%q, %q) = %d, reference %d", a, b, got, want)
		}
		if got := CompareIndex(a, recs[i].Index); got != -1 {
			t.Fatalf("CompareIndex(%q, %q) = %d", a, recs[i].Index, got)
		}
	}
}

// TestOpenReaderAhead checks the listing readers that decompress on their
// own goroutine: same records as the plain file, the same error for a
// damaged stream as a direct read, and no goroutine left behind by a Close
// in the middle.
func TestOpenReaderAhead(t *testing.T) {
	_, plain, gz := benchCorpus()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	readPath := func(path string) readResult {
		var res readResult
		rd, err := OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		rd.Warn = func(err error) { res.warns = append(res.warns, err.Error()) }
		for {
			r, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				res.err = err.Error()
				break
			}
			res.recs = append(res.recs, r)
		}
		return res
	}
	want := readFast(plain, false)
	got := readPath(write("s.gz", gz))
	if got.err != "" || len(got.warns) != 0 || !reflect.DeepEqual(got.recs, want.recs) {
		t.Fatalf("gzip listing: %d records, err %q, warnings %q; plain: %d records", len(got.recs), got.err, got.warns, len(want.recs))
	}
	for _, cut := range []int{len(gz) - 4, len(gz) / 2, 20} {
		bad := append([]byte(nil), gz[:cut]...)
		p := write(fmt.Sprintf("cut%d.gz", cut), bad)
		got := readPath(p)
		in, err := OpenDataFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rd := NewReader(in, p)
		var direct readResult
		for {
			r, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				direct.err = err.Error()
				break
			}
			direct.recs = append(direct.recs, r)
		}
		in.Close()
		if got.err == "" || got.err != direct.err || !reflect.DeepEqual(got.recs, direct.recs) {
			t.Fatalf("cut at %d: err %q after %d records; direct read: err %q after %d", cut, got.err, len(got.recs), direct.err, len(direct.recs))
		}
	}
	before := runtime.NumGoroutine()
	p := filepath.Join(dir, "s.gz")
	for range 20 {
		rd, err := OpenReader(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
		if err := rd.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines before, %d after closing readers", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFullPathMatchesJoin checks FullPath against filepath.Join for odd
// roots and indexes, valid or not.
func TestFullPathMatchesJoin(t *testing.T) {
	roots := []string{"", ".", "./", "/", "//", "/..", "..", "../x", "a/..", "src", "src/", "/tmp//src/./", "/a/b/../c", "x/./y/"}
	indexes := []Index{{}, {"a"}, {"a", "b c", "\xff\n"}, {"..."}, {".a", "b."}, {".."}, {"a", "."}, {""}, {"a", ""}, {"a/b"}, {"a/../.."}, {"nul\x00"}}
	for _, r := range roots {
		for _, ix := range indexes {
			want := r
			if len(ix) > 0 {
				want = filepath.Join(append([]string{r}, ix...)...)
			}
			if got := FullPath(r, ix); got != want {
				t.Errorf("FullPath(%q, %q) = %q, filepath.Join gives %q", r, ix, got, want)
			}
		}
	}
}

//go:build linux

package metadata

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// blockRecords makes n records of every kind, some with SHA1s and hard
// links, with names long enough for several members.
func blockRecords(n int) []*Record {
	recs := []*Record{{Index: Index{}, Type: TypeDir, ModTime: 1600000000, Permissions: 0o755, Uname: "root", Gname: "root"}}
	for i := range n {
		r := &Record{Index: Index{"d", fmt.Sprintf("file-%06d-with-a-name", i)}, Type: TypeReg, Size: int64(i), ModTime: 1600000000 + int64(i), Uid: 1000, Gid: 1000, Uname: "user", Permissions: 0o644}
		switch i % 5 {
		case 0:
			r.SHA1 = fmt.Sprintf("%040x", i)
		case 1:
			r.NumHardLinks, r.Inode, r.DeviceLoc = 2, uint64(i), 7
			r.SHA1 = fmt.Sprintf("%040x", i+1)
		case 2:
			r.Type, r.Size, r.SymData = TypeSym, 0, "target\nwith newline"
		case 3:
			r.Type, r.Size, r.DevKind, r.DevMajor, r.DevMinor = TypeDev, 0, 'c', 1, 3
		}
		recs = append(recs, r)
	}
	recs = append([]*Record{recs[0], {Index: Index{"d"}, Type: TypeDir, Permissions: 0o700}}, recs[1:]...)
	return recs
}

// writeSealed writes recs as a sealed snapshot and as a plain one.
func writeSealed(t *testing.T, dir string, recs []*Record) (sealed, plain string) {
	t.Helper()
	for i, blocks := range []bool{true, false} {
		df := CreateDataFile(filepath.Join(dir, fmt.Sprintf("mirror_metadata.%d.snapshot", i)), true)
		df.Blocks = blocks
		df.NoSync = true
		df.Now = func() time.Time { return time.Unix(1700000000, 0) }
		w := NewWriter(df)
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := df.Close(); err != nil {
			t.Fatal(err)
		}
		if blocks {
			sealed = df.Path()
		} else {
			plain = df.Path()
		}
	}
	return sealed, plain
}

// TestSealedSnapshot: a snapshot written in sealed members is the same
// listing to every gzip reader, and each member says truly what it holds.
func TestSealedSnapshot(t *testing.T) {
	dir := t.TempDir()
	recs := blockRecords(3000)
	sealed, plain := writeSealed(t, dir, recs)
	text := content(t, plain)
	if got := content(t, sealed); !bytes.Equal(got, text) {
		t.Fatalf("the sealed snapshot reads differently: %s", firstDiff(text, got))
	}
	if gz, err := exec.LookPath("gzip"); err == nil {
		out, err := exec.Command(gz, "-dc", sealed).Output()
		if err != nil || !bytes.Equal(out, text) {
			t.Errorf("gzip -dc of the sealed snapshot: %v, same text %v", err, bytes.Equal(out, text))
		}
	}
	if py, err := exec.LookPath("python3"); err == nil { // rdiff-backup's reader
		out, err := exec.Command(py, "-c", "import gzip,sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())", sealed).Output()
		if err != nil || !bytes.Equal(out, text) {
			t.Errorf("Python's gzip module on the sealed snapshot: %v, same text %v", err, bytes.Equal(out, text))
		}
	}

	br, err := OpenBlocks(sealed)
	if err != nil || br == nil {
		t.Fatalf("OpenBlocks: %v, %v", br, err)
	}
	defer br.Close()
	var (
		b        Block
		all      []byte
		n, lines int
		members  int
	)
	rd := NewReader(bytes.NewReader(text), plain)
	for {
		err := br.Next(&b)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		members++
		info := b.Header.Info
		if (members == 1) != (string(b.Header.Name) == "mirror_metadata.0.snapshot") || b.Header.MTime != 1700000000 {
			t.Errorf("member %d: name %q, mtime %d", members, b.Header.Name, b.Header.MTime)
		}
		got, err := b.Inflate(nil)
		if err != nil {
			t.Fatalf("member %d: %v", members, err)
		}
		if int(info.Lines) != bytes.Count(got, []byte{'\n'}) {
			t.Errorf("member %d: header says %d lines, text has %d", members, info.Lines, bytes.Count(got, []byte{'\n'}))
		}
		if members > 1 && len(got) > BlockTextSize+1000 {
			t.Errorf("member %d holds %d bytes of text", members, len(got))
		}
		// Its texts are NextText's, and its digest is that of its
		// records formatted without SHA1 (the source's side of it).
		ends, firsts := SplitRecords(got, lines+1, nil, nil)
		if len(ends) != int(info.Records) {
			t.Errorf("member %d: header says %d records, text has %d", members, info.Records, len(ends))
		}
		d := NewBlockDigest()
		from := 0
		for i, end := range ends {
			want, line, err := rd.NextText(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[from:end], want) || firsts[i] != line {
				t.Fatalf("member %d, text %d: %q at line %d, NextText gives %q at line %d", members, i, got[from:end], firsts[i], want, line)
			}
			r := *recs[n+i]
			r.SHA1 = ""
			d.Add(AppendRecord(nil, &r, true))
			from = end
		}
		if !d.Matches(&info) {
			t.Errorf("member %d: the digest of its records without SHA1 does not match", members)
		}
		d.Reset()
		d.Add([]byte("File x\n  Type reg\n"))
		if d.Matches(&info) {
			t.Errorf("member %d: another text matches its digest", members)
		}
		n += len(ends)
		lines += int(info.Lines)
		all = append(all, got...)
	}
	if members < 4 || n != len(recs) || !bytes.Equal(all, text) {
		t.Errorf("%d members with %d records in all (want 4 or more members, %d records), same text %v", members, n, len(recs), bytes.Equal(all, text))
	}
	if br, err := OpenBlocks(plain); br != nil || err != nil {
		t.Errorf("OpenBlocks of a plain snapshot: %v, %v; want nil, nil", br, err)
	}
}

// TestSealedSnapshotDamaged: a member cut short, one whose data does not
// match its CRC, one without gordiff's header after a sealed one: each is
// an error naming the file and the member.
func TestSealedSnapshotDamaged(t *testing.T) {
	dir := t.TempDir()
	sealed, plain := writeSealed(t, dir, blockRecords(2000))
	good, err := os.ReadFile(sealed)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseMemberHeader(good)
	if err != nil || !h.Sealed {
		t.Fatal(h, err)
	}
	second := h.Len + int(h.Info.RawLen) + 8
	h2, err := ParseMemberHeader(good[second:])
	if err != nil || !h2.Sealed {
		t.Fatal(h2, err)
	}
	third := second + h2.Len + int(h2.Info.RawLen) + 8
	plainData, _ := os.ReadFile(plain)
	cases := []struct {
		what, want string
		data       []byte
	}{
		{"cut in member 2's data", "member 2: it claims", good[:second+100]},
		{"cut in member 2's header", "member 2: header cut short", good[:second+5]},
		{"member 1's data", "member 1: compressed data does not match the header's CRC", flip(good, h.Len+3)},
		{"member 1's trailer", "member 1: compressed data does not match the header's CRC", flip(good, second-3)},
		{"member 2's data", "member 2: compressed data does not match the header's CRC", flip(good, second+h.Len+10)},
		{"member 2's length", "member 2: it claims", flip(good, second+28)},
		{"member 3's data", "member 3: compressed data does not match the header's CRC", flip(good, third+h2.Len+20)},
		{"a plain member after a sealed one", "member 2: no block header", append(append([]byte(nil), good[:second]...), plainData...)},
		{"garbage after a sealed member", "member 2: not a gzip member header", append(append([]byte(nil), good[:second]...), "garbage, and no gzip header"...)},
	}
	for _, c := range cases {
		p := filepath.Join(dir, "damaged")
		if err := os.WriteFile(p, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		br, err := OpenBlocks(p)
		if err != nil || br == nil {
			t.Fatalf("%s: OpenBlocks: %v %v", c.what, br, err)
		}
		var b Block
		for err == nil {
			err = br.Next(&b)
		}
		br.Close()
		if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.what, err, c.want)
		}
	}
	// A member whose text is not what its trailer says.
	br, _ := OpenBlocks(sealed)
	defer br.Close()
	var b Block
	if err := br.Next(&b); err != nil {
		t.Fatal(err)
	}
	b.CRC ^= 1
	if _, err := b.Inflate(nil); err == nil {
		t.Error("Inflate of a member with a wrong CRC succeeded")
	}
	b.CRC ^= 1
	b.Size--
	if _, err := b.Inflate(nil); err == nil {
		t.Error("Inflate of a member longer than its trailer says succeeded")
	}
}

func flip(b []byte, at int) []byte {
	c := append([]byte(nil), b...)
	c[at] ^= 0x40
	return c
}

// TestMemberHeader: AppendMemberHeader and ParseMemberHeader agree, and
// every prefix of a header is ErrShortHeader.
func TestMemberHeader(t *testing.T) {
	info := BlockInfo{Records: 7, Lines: 70, RawLen: 1234, RawCRC: 0xdeadbeef}
	copy(info.Digest[:], "0123456789abcdef0123456789abcdef")
	for _, c := range []struct {
		extra []byte
		name  string
	}{
		{appendBlockExtra(nil, &info), "mirror_metadata.x.snapshot"},
		{appendBlockExtra(nil, &info), ""},
		{append([]byte{'A', 'B', 2, 0, 1, 2}, appendBlockExtra(nil, &info)...), "n"}, // another subfield first
		{nil, "plain"},
	} {
		hdr := AppendMemberHeader(nil, 42, c.extra, c.name)
		h, err := ParseMemberHeader(append(hdr, "data"...))
		if err != nil || h.Len != len(hdr) || string(h.Name) != c.name || h.MTime != 42 || !bytes.Equal(h.Extra, c.extra) {
			t.Errorf("%q %q: %+v, %v", c.extra, c.name, h, err)
		}
		if h.Sealed != (c.extra != nil) || (h.Sealed && h.Info != info) {
			t.Errorf("%q: sealed %v, info %+v", c.extra, h.Sealed, h.Info)
		}
		for i := range len(hdr) {
			if _, err := ParseMemberHeader(hdr[:i]); !errors.Is(err, ErrShortHeader) && !(i >= 10 && err == nil) {
				t.Errorf("%q %q: prefix %d: %v", c.extra, c.name, i, err)
			}
		}
	}
	if _, err := ParseMemberHeader([]byte("not a gzip header at all")); err == nil || errors.Is(err, ErrShortHeader) {
		t.Errorf("garbage: %v", err)
	}
}

func FuzzMemberHeader(f *testing.F) {
	info := BlockInfo{Records: 1, Lines: 9, RawLen: 10, RawCRC: 1}
	f.Add(AppendMemberHeader(nil, 1, appendBlockExtra(nil, &info), "mirror_metadata.snapshot"))
	f.Add(AppendMemberHeader(nil, 1, nil, ""))
	f.Add([]byte{0x1f, 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, 3, 2, 0, 'G', 'D'})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseMemberHeader(b)
		if err != nil {
			return
		}
		if h.Len < 10 || h.Len > len(b) {
			t.Fatalf("header length %d of %d bytes", h.Len, len(b))
		}
		again, err := ParseMemberHeader(AppendMemberHeader(nil, h.MTime, h.Extra, string(h.Name)))
		if err != nil || again.Sealed != h.Sealed || again.Info != h.Info || !bytes.Equal(again.Extra, h.Extra) {
			t.Fatalf("%+v written again parses as %+v, %v", h, again, err)
		}
	})
}

// FuzzBlockReader: whatever a file holds, reading it member by member and
// inflating each member ends in io.EOF or an error, without a panic and
// without allocating more than the file could justify.
func FuzzBlockReader(f *testing.F) {
	dir := f.TempDir()
	sealed, _ := writeSealed(&testing.T{}, dir, blockRecords(300))
	good, err := os.ReadFile(sealed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	h, _ := ParseMemberHeader(good)
	f.Add(good[:h.Len+int(h.Info.RawLen)+8]) // one member
	f.Add(good[:h.Len+10])
	f.Fuzz(func(t *testing.T, data []byte) {
		br := newBlockReader(bytes.NewReader(data), int64(len(data)), "fuzz")
		if br == nil {
			return
		}
		var b Block
		for range 1000 {
			if err := br.Next(&b); err != nil {
				return
			}
			if len(b.Raw) > len(data) {
				t.Fatalf("a member of %d bytes in a file of %d", len(b.Raw), len(data))
			}
			text, err := b.Inflate(nil)
			if err != nil {
				continue
			}
			if uint32(len(text)) != b.Size {
				t.Fatalf("inflated %d bytes, the trailer says %d", len(text), b.Size)
			}
			SplitRecords(text, 1, nil, nil)
		}
	})
}

// TestCutSHA1: the SHA1 line cut out of a record's text, and texts that
// have none (or only the start of one) left whole.
func TestCutSHA1(t *testing.T) {
	for _, c := range []struct {
		text, before, sha, after string
		found                    bool
	}{
		{"File a\n  Type reg\n  Size 1\n  SHA1Digest abc\n  ModTime 5\n", "File a\n  Type reg\n  Size 1\n", "abc", "  ModTime 5\n", true},
		{"File d\n  Type dir\n  ModTime 5\n", "File d\n  Type dir\n  ModTime 5\n", "", "", false},
		{"File a\n  Type reg\n  SHA1Digest abc", "File a\n  Type reg\n  SHA1Digest abc", "", "", false},
	} {
		before, sha, after, found := CutSHA1([]byte(c.text))
		if string(before) != c.before || string(sha) != c.sha || string(after) != c.after || found != c.found {
			t.Errorf("CutSHA1(%q) = %q, %q, %q, %v", c.text, before, sha, after, found)
		}
	}
}

package metadata

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

const seedSnapshot = "File .\n  Type dir\n  ModTime 1700000000\n  Uid 0\n  Uname root\n  Gid 0\n  Gname root\n  Permissions 493\n" +
	"File dir/h\n  Type reg\n  Size 3\n  NumHardLinks 2\n  Inode 99\n  DeviceLoc 65024\n  SHA1Digest da39a3ee5e6b4b0d3255bfef95601890afd80709\n  ModTime -5\n  Uid 1234\n  Uname :\n  Gid 5678\n  Gname :\n  Permissions 2541\n" +
	"File l\n  Type sym\n  SymData a\\\\b\\nc\n  Uid 0\n  Uname root\n  Gid 0\n  Gname root\n  Permissions 511\n" +
	"File new\\nline\n  Type None\n" +
	"File z\n  Type dev\n  DeviceNum b 7 0\n  Uid 0\n  Uname root\n  Gid 0\n  Gname root\n  Permissions 420\n  AlternateMirrorName 1\n"

// FuzzReader checks that any input parses without panicking, exactly as the
// reference parser parses it, and that every record parsed is stable under
// write -> parse -> write.
func FuzzReader(f *testing.F) {
	f.Add([]byte(seedSnapshot))
	f.Add([]byte("garbage\nFile x\n  Type reg\n  Size 1_0\n  Frob 1\nFile y\n  Type fifo\n  ModTime  +7 \r\n"))
	f.Add([]byte("File \n  Type reg\n  ResourceFork None\n  CarbonFile None\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsReference(t, data)
		sameAsText(t, data)
		rd := NewReader(bytes.NewReader(data), "fuzz")
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := NewWriter(io.Discard).Write(rec); err != nil {
				continue // records the writer refuses (device without kind)
			}
			once := AppendRecord(nil, rec, true)
			again := NewReader(bytes.NewReader(once), "again")
			again.Warn = func(err error) { t.Fatalf("re-reading %q: %v", once, err) }
			rec2, err := again.Next()
			if err != nil {
				t.Fatalf("re-reading %q: %v", once, err)
			}
			if twice := AppendRecord(nil, rec2, true); !bytes.Equal(once, twice) {
				t.Fatalf("unstable record:\n%q\n%q", once, twice)
			}
			if _, err := again.Next(); err != io.EOF {
				t.Fatalf("%q parsed as more than one record", once)
			}
		}
	})
}

// FuzzEAReader checks EA parsing and write stability.
func FuzzEAReader(f *testing.F) {
	f.Add([]byte("# file: \\001ctl\nuser.k=0sdg==\n# file: a\\040b\nuser.k=0sdg==\nuser.empty\n# file: sp\\040ace/f\\0751\nuser.with\\075eq=0sbGluZTEKbGluZTI=\n"))
	f.Add([]byte("junk\n# file: .\n  user.x=0sAP8Q  \n\n# file: y\nuser.bad=0x00\n# file: z\n# nested\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewEAReader(bytes.NewReader(data), "fuzz")
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			once := AppendEARecord(nil, rec)
			again := NewEAReader(bytes.NewReader(once), "again")
			again.SetWarn(func(err error) { t.Fatalf("re-reading %q: %v", once, err) })
			rec2, err := again.Next()
			if err != nil {
				t.Fatalf("re-reading %q: %v", once, err)
			}
			twice := AppendEARecord(nil, rec2)
			third, err := NewEAReader(bytes.NewReader(twice), "third").Next()
			if err != nil {
				t.Fatal(err)
			}
			if thrice := AppendEARecord(nil, third); !bytes.Equal(twice, thrice) {
				t.Fatalf("unstable record:\n%q\n%q", twice, thrice)
			}
		}
	})
}

// FuzzACLReader checks ACL parsing and write stability.
func FuzzACLReader(f *testing.F) {
	f.Add([]byte("# file: dir\nuser::rwx\ngroup::r-x\nother::r-x\ndefault:user::rwx\ndefault:user:1234:rwx\ndefault:group::r-x\ndefault:mask::rwx\ndefault:other::r-x\n# file: dir/sub/f\nuser::rw-\nuser:1234:r-x\ngroup::r--\ngroup:5678:rw-\nmask::rwx\nother::r--\n"))
	f.Add([]byte("# file: x\n  user:root:rw-  # comment\n\nbogus\n# file: y\ngroup:1_0:---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewACLReader(bytes.NewReader(data), "fuzz")
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			once := AppendACLRecord(nil, rec)
			again := NewACLReader(bytes.NewReader(once), "again")
			again.SetWarn(func(err error) { t.Fatalf("re-reading %q: %v", once, err) })
			rec2, err := again.Next()
			if err != nil {
				t.Fatalf("re-reading %q: %v", once, err)
			}
			if twice := AppendACLRecord(nil, rec2); !bytes.Equal(once, twice) {
				t.Fatalf("unstable record:\n%q\n%q", once, twice)
			}
		}
	})
}

// FuzzFileStats checks file_statistics parsing and write stability.
func FuzzFileStats(f *testing.F) {
	f.Add([]byte(FileStatsHeader + ". 1 0 0 NA\na.txt 1 12 6 64\nback\\\\slash 1 1 1 65\nwith space 1 NA 1 62\nnew\\nline 0 NA NA NA\n"))
	f.Add([]byte("x 2 1 1 1\n y  1 1 1 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewFileStatsReader(bytes.NewReader(data), "fuzz", false)
		for {
			st, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				return // a malformed line ends the file for this reader
			}
			var buf bytes.Buffer
			w := NewFileStatsWriter(&buf, false)
			if err := w.Write(st); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if want := FileStatsHeader + string(refFileStatLine(w, st)); buf.String() != want {
				t.Fatalf("wrote %q, reference %q", buf.Bytes(), want)
			}
			st2, err := NewFileStatsReader(bytes.NewReader(buf.Bytes()), "again", false).Next()
			if err != nil {
				t.Fatalf("re-reading %q: %v", buf.Bytes(), err)
			}
			if !st2.Index.Equal(st.Index) || st2.Changed != st.Changed || st2.SourceSize != st.SourceSize ||
				st2.MirrorSize != st.MirrorSize || st2.IncrementSize != st.IncrementSize {
				t.Fatalf("%+v became %+v", st, st2)
			}
		}
	})
}

// FuzzSessionStats checks that session_statistics parsing never panics and
// that what Format writes parses again.
func FuzzSessionStats(f *testing.F) {
	f.Add([]byte("StartTime 1700003600.00 (Tue Nov 14 23:13:20 2023)\nEndTime 1795626067.21 (x)\nElapsedTime 95622467.21 (y)\nSourceFiles 22\nSourceFileSize 1108613 (1.06 MB)\nTotalDestinationSizeChange 60468 (59.1 KB)\nErrors 0\n"))
	f.Add([]byte("Errors 1e3\nNewFiles -4\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSessionStats(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		out := s.Format(nil)
		if _, err := ParseSessionStats(bytes.NewReader(out), "again"); err != nil {
			t.Fatalf("re-reading %q: %v", out, err)
		}
	})
}

// FuzzQuoting checks both quoting schemes round-trip and keep records on
// one line.
func FuzzQuoting(f *testing.F) {
	for _, s := range []string{"a b", "new\nline", `back\slash`, "lat\xe9n", "\x01ctl", "f=1", `\n`, `\\040`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := QuotePath(s)
		if strings.Contains(q, "\n") || UnquotePath(q) != s {
			t.Fatalf("QuotePath(%q) = %q, unquotes to %q", s, q, UnquotePath(q))
		}
		o := OctalQuote(s)
		if strings.ContainsAny(o, " \t\n\r\v\f=") || OctalUnquote(o) != s {
			t.Fatalf("OctalQuote(%q) = %q, unquotes to %q", s, o, OctalUnquote(o))
		}
		if q != refQuotePath(s) || string(appendQuoted(nil, s)) != q ||
			string(appendQuotedIndex(nil, Index{s})) != q {
			t.Fatalf("QuotePath(%q) = %q, reference %q", s, q, refQuotePath(s))
		}
		if u := string(appendUnquoted(nil, []byte(s))); u != UnquotePath(s) || u != refUnquotePath(s) {
			t.Fatalf("unquoting %q: %q, UnquotePath %q, reference %q", s, u, UnquotePath(s), refUnquotePath(s))
		}
		a, b := ParseIndex(s), ParseIndex(q)
		if CompareIndex(a, b) != refCompareIndex(a, b) || CompareIndex(b, a) != refCompareIndex(b, a) {
			t.Fatalf("CompareIndex(%q, %q) = %d, reference %d", a, b, CompareIndex(a, b), refCompareIndex(a, b))
		}
		if string(appendQuotedIndex(nil, a)) != refQuotePath(a.String()) {
			t.Fatalf("quoting index %q: %q, reference %q", a, appendQuotedIndex(nil, a), refQuotePath(a.String()))
		}
	})
}

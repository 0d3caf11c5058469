//go:build linux

package metadata

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
)

// eaTree sets extended attributes and ACLs on oddTree with the real tools.
func eaTree(t *testing.T, src string) {
	t.Helper()
	needTool(t, "setfattr")
	needTool(t, "setfacl")
	p := func(s string) string { return filepath.Join(src, s) }
	run(t, "setfattr", "-n", "user.comment", "-v", "hello world", p("a.txt"))
	run(t, "setfattr", "-n", "user.second", "-v", "0x000102ff", p("a.txt"))
	run(t, "setfattr", "-n", "user.bin", "-v", "0sAP8Q", p("dir"))
	run(t, "setfattr", "-n", "user.empty", p("dir/sub/f"))
	run(t, "setfattr", "-n", "user.with=eq", "-v", "line1\nline2", p("sp ace/f=1"))
	run(t, "setfattr", "-n", "user.k", "-v", "v", p("\x01ctl"))
	run(t, "setfattr", "-n", "user.k", "-v", "v", p("a b"))
	run(t, "setfattr", "-n", "user.lat1", "-v", "1", p("lat\xe9n"))
	run(t, "setfattr", "-n", "user.nl", "-v", "n", p("new\nline"))
	run(t, "setfacl", "-m", "u:1234:r-x,g:5678:rw-,u:root:r--", p("dir/sub/f"))
	run(t, "setfacl", "-d", "-m", "u:1234:rwx", p("dir"))
	run(t, "setfacl", "-d", "-m", "g:root:r-x", p("sp ace"))
	run(t, "setfacl", "-m", "u:4242:---", p("lat\xe9n"))
	run(t, "setfacl", "-m", "g:0:rwx", p("bdev"))
}

func readEAs(t *testing.T, data []byte) []*EARecord {
	t.Helper()
	rd := NewEAReader(bytes.NewReader(data), "ea")
	rd.SetWarn(func(err error) { t.Errorf("warning: %v", err) })
	var out []*EARecord
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

func readACLs(t *testing.T, data []byte) []*ACLRecord {
	t.Helper()
	rd := NewACLReader(bytes.NewReader(data), "acl")
	rd.SetWarn(func(err error) { t.Errorf("warning: %v", err) })
	var out []*ACLRecord
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

func TestEAAndACLAgainstRdiffBackup(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, oddTree)
	eaTree(t, src)
	backup(t, src, repo, t1)

	wantEA := content(t, oneDataFile(t, repo, "extended_attributes."))
	wantACL := content(t, oneDataFile(t, repo, "access_control_lists."))
	if len(wantEA) == 0 || len(wantACL) == 0 {
		t.Fatalf("rdiff-backup wrote no EA (%d bytes) or ACL (%d bytes) records", len(wantEA), len(wantACL))
	}

	// Parse and write back.
	var buf bytes.Buffer
	ew := NewEAWriter(&buf)
	eas := readEAs(t, wantEA)
	for _, r := range eas {
		if err := ew.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := ew.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), wantEA) {
		t.Fatalf("EA round trip differs:\n%s", firstDiff(buf.Bytes(), wantEA))
	}
	for _, r := range eas {
		if r.Index.String() == "sp ace/f=1" {
			if len(r.Attrs) != 1 || r.Attrs[0].Name != "user.with=eq" || string(r.Attrs[0].Value) != "line1\nline2" {
				t.Errorf("escaped EA parsed as %+v", r.Attrs)
			}
		}
	}
	buf.Reset()
	aw := NewACLWriter(&buf)
	for _, r := range readACLs(t, wantACL) {
		if err := aw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := aw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), wantACL) {
		t.Fatalf("ACL round trip differs:\n%s", firstDiff(buf.Bytes(), wantACL))
	}

	// Read from the live source tree, write, compare.
	var eaBuf, aclBuf bytes.Buffer
	ew, aw = NewEAWriter(&eaBuf), NewACLWriter(&aclBuf)
	for _, want := range readAll(t, metaFile(t, repo, t1, "snapshot"), "snapshot") {
		rec, err := FromLstat(src, want.Index)
		if err != nil {
			t.Fatal(err)
		}
		ea, err := ReadEA(src, rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := ew.Write(ea); err != nil {
			t.Fatal(err)
		}
		acl, err := ReadACL(src, rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := aw.Write(acl); err != nil {
			t.Fatal(err)
		}
	}
	if err := ew.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := aw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(eaBuf.Bytes(), wantEA) {
		t.Errorf("ReadEA differs:\n%s", firstDiff(eaBuf.Bytes(), wantEA))
	}
	if !bytes.Equal(aclBuf.Bytes(), wantACL) {
		t.Errorf("ReadACL differs:\n%s", firstDiff(aclBuf.Bytes(), wantACL))
	}
}

func TestACLEntryText(t *testing.T) {
	// Entry syntax of getfacl, as listed in the format description.
	for _, s := range []string{"user::rwx", "user:1234:r-x", "user:root:rw-", "group::r--", "group:5678:rw-", "mask::rwx", "other::---"} {
		e, err := ParseACLEntry(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if e.String() != s {
			t.Errorf("%s renders as %s", s, e.String())
		}
	}
	for _, s := range []string{"user:rwx", "mask:x:rwx", "other::rwxx", "other::xwr", "bogus::rwx", "user::r-x:"} {
		if _, err := ParseACLEntry(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestOctalQuoting(t *testing.T) {
	// Examples of the format description.
	for in, want := range map[string]string{"a b": `a\040b`, "f=1": `f\0751`, "\x01ctl": `\001ctl`, "a\xe9b": `a\351b`, `x\y`: `x\134y`, "t\x7f": `t\177`} {
		if got := OctalQuote(in); got != want {
			t.Errorf("OctalQuote(%q) = %q, want %q", in, got, want)
		}
		if got := OctalUnquote(want); got != in {
			t.Errorf("OctalUnquote(%q) = %q, want %q", want, got, in)
		}
	}
	// A backslash not followed by three octal digits is kept; raw high bytes
	// are accepted.
	for in, want := range map[string]string{`a\08b`: `a\08b`, `end\07`: `end\07`, "r\xe9": "r\xe9", `\\040`: "\\ "} {
		if got := OctalUnquote(in); got != want {
			t.Errorf("OctalUnquote(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReadEAACLMatchesSeparateReads: the single-listing reader gives what
// ReadEA and ReadACL give, on entries with and without EAs and ACLs.
func TestReadEAACLMatchesSeparateReads(t *testing.T) {
	needTool(t, "setfacl")
	needTool(t, "setfattr")
	dir := t.TempDir()
	run(t, "mkdir", "-p", dir+"/d", dir+"/plain")
	run(t, "sh", "-c", "echo x > "+dir+"/f; echo y > "+dir+"/g; ln -s f "+dir+"/l; mkfifo "+dir+"/p")
	run(t, "setfattr", "-n", "user.a", "-v", "1", dir+"/f")
	run(t, "setfacl", "-m", "u:1234:r", dir+"/g")
	run(t, "setfacl", "-d", "-m", "g:5678:rx", dir+"/d")
	for _, name := range []string{"", "d", "plain", "f", "g", "l", "p"} {
		ix := ParseIndex(name)
		if name == "" {
			ix = Index{}
		}
		rec, err := FromLstat(dir, ix)
		if err != nil {
			t.Fatal(err)
		}
		ea1, err := ReadEA(dir, rec)
		if err != nil {
			t.Fatal(err)
		}
		acl1, err := ReadACL(dir, rec)
		if err != nil {
			t.Fatal(err)
		}
		ea2, acl2, err := ReadEAACL(dir, rec, true, true)
		if err != nil {
			t.Fatal(err)
		}
		if string(AppendEARecord(nil, ea1)) != string(AppendEARecord(nil, ea2)) {
			t.Errorf("%q: EAs differ: %+v vs %+v", name, ea1, ea2)
		}
		if string(AppendACLRecord(nil, acl1)) != string(AppendACLRecord(nil, acl2)) {
			t.Errorf("%q: ACLs differ: %+v vs %+v", name, acl1, acl2)
		}
	}
}

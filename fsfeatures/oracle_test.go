package fsfeatures

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rdiffBackup runs the real rdiff-backup in dir and returns its combined output.
func rdiffBackup(t *testing.T, dir string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("rdiff-backup")
	if err != nil {
		t.Skip("rdiff-backup not installed: cannot compare with the real program")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rdiff-backup %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func writeFiles(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("data of "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// metadataAlternates reads the first session's mirror_metadata snapshot and
// returns, per File name, the Alternate...Name kind it records.
func metadataAlternates(t *testing.T, dataDir string) map[string]LongName {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dataDir, "mirror_metadata.*.snapshot.gz"))
	if len(m) != 1 {
		t.Fatalf("mirror_metadata snapshots: %v", m)
	}
	f, err := os.Open(m[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]LongName{}
	var cur string
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "File "):
			cur = strings.TrimPrefix(line, "File ")
			kinds[cur] = NormalName
		case strings.HasPrefix(line, "  AlternateMirrorName "):
			kinds[cur] = AlternateMirror
		case strings.HasPrefix(line, "  AlternateIncrementName "):
			kinds[cur] = AlternateIncrement
		}
	}
	return kinds
}

func TestQuotingMatchesRdiffBackup(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	long500 := strings.Repeat("q", 100) + strings.Repeat("Q", 100)
	long210 := strings.Repeat("c", 210)
	long205 := strings.Repeat("b", 205)
	top := []string{"semi;colon", "co:lon", "trail.", "aux.txt", "UPPER lower", "\x01ctl",
		"caf\xc3\xa9", "raw\xe9", "a*b?c", long500, long210, long205, "Dir"}
	writeFiles(t, src, append(top[:len(top)-1:len(top)-1], "Dir/File")...)

	const override = "A-Z:"
	out := rdiffBackup(t, tmp, "--current-time", "1700000000", "--chars-to-quote", override, "backup", "src", "repo")
	repo := filepath.Join(tmp, "repo")
	data := filepath.Join(repo, "rdiff-backup-data")

	// What gordiff would decide and write on the same file systems.
	srcF, err := ProbeReadOnly(src)
	if err != nil {
		t.Fatal(err)
	}
	dstF, err := Probe(data)
	if err != nil {
		t.Fatal(err)
	}
	suggested := SuggestCharsToQuote(srcF, dstF)
	if len(suggested) != 0 {
		t.Fatalf("suggested %q on a Linux file system", suggested)
	}
	d, err := DecideCharsToQuote("repo/rdiff-backup-data/chars_to_quote",
		CharsToQuoteInput{Suggested: suggested, Override: []byte(override), HaveOverride: true})
	if err != nil || !d.WriteFile || !d.OverrideNote {
		t.Fatalf("decision %+v, %v", d, err)
	}
	if note := "NOTE: " + OverrideNote("repo/rdiff-backup-data/chars_to_quote", suggested, d.CharsToQuote); !strings.Contains(out, note+"\n") {
		t.Errorf("rdiff-backup output lacks %q:\n%s", note, out)
	}
	mine := t.TempDir()
	se := SuggestSpecialEscapes(srcF, dstF)
	if err := WriteCharsToQuote(mine, d.CharsToQuote); err != nil {
		t.Fatal(err)
	}
	if err := WriteSpecialEscapes(mine, se); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{CharsToQuoteFile, SpecialEscapesFile} {
		theirs, err1 := os.ReadFile(filepath.Join(data, name))
		ours, err2 := os.ReadFile(filepath.Join(mine, name))
		if err1 != nil || err2 != nil || !bytes.Equal(theirs, ours) {
			t.Errorf("%s: rdiff-backup wrote %q, we write %q (%v %v)", name, theirs, ours, err1, err2)
		}
		st1, _ := os.Stat(filepath.Join(data, name))
		st2, _ := os.Stat(filepath.Join(mine, name))
		if st1.Mode() != st2.Mode() {
			t.Errorf("%s: mode %v, ours %v", name, st1.Mode(), st2.Mode())
		}
	}

	q, err := NewQuoter(d.CharsToQuote, se)
	if err != nil {
		t.Fatal(err)
	}
	kinds := metadataAlternates(t, data)
	for _, name := range top {
		kind := q.DecideLongName([]byte(name), dstF.NameMax)
		if kinds[name] != kind {
			t.Errorf("%.20q...: rdiff-backup chose %v, we %v", name, kinds[name], kind)
		}
		stored := filepath.Join(repo, string(q.Quote([]byte(name))))
		if got := exists(stored); got != (kind != AlternateMirror) {
			t.Errorf("mirror name %.40q exists=%v, our decision %v", stored, got, kind)
		}
	}
	if !exists(filepath.Join(repo, ";068ir", ";070ile")) {
		t.Error("Dir/File not stored as ;068ir/;070ile")
	}

	// Names in the data directory: compatible time strings, then quoting.
	if !UsesCompatibleTimestamps(d.CharsToQuote) {
		t.Fatal("':' quoted but no compatible timestamps")
	}
	for _, n := range []string{"current_mirror.2023-11-14T22-13-20Z.data", "mirror_metadata.2023-11-14T22-13-20Z.snapshot.gz"} {
		if p := filepath.Join(data, string(q.Quote([]byte(n)))); !exists(p) {
			t.Errorf("%s missing", p)
		}
	}
	entries, err := os.ReadDir(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := q.Unquote([]byte(e.Name())); err != nil {
			t.Errorf("data dir name %q: %v", e.Name(), err)
		}
	}

	// long_filename_data: stand-ins and next_free.
	lfd := filepath.Join(data, LongNameDir)
	nf, err := os.ReadFile(filepath.Join(lfd, NextFreeFile))
	if err != nil {
		t.Fatal(err)
	}
	next, err := ParseNextFree(nf)
	if err != nil || next != 3 || !bytes.Equal(FormatNextFree(next), nf) {
		t.Errorf("next_free %q parsed as %d, %v; want 3", nf, next, err)
	}
	var names []string
	ls, _ := os.ReadDir(lfd)
	for _, e := range ls {
		names = append(names, e.Name())
	}
	if got := ScanNextFree(names); got != next {
		t.Errorf("ScanNextFree(%v) = %d, next_free says %d", names, got, next)
	}
	if !exists(filepath.Join(lfd, StandInName(2))) {
		t.Errorf("stand-in 2 for the 500-byte quoted name missing: %v", names)
	}
}

func TestDefaultQuotingMatchesRdiffBackup(t *testing.T) {
	tmp := t.TempDir()
	writeFiles(t, filepath.Join(tmp, "src"), "Mixed Case", "co:lon", "semi;colon")
	rdiffBackup(t, tmp, "--current-time", "1700000000", "backup", "src", "repo")
	data := filepath.Join(tmp, "repo", "rdiff-backup-data")
	srcF, err := ProbeReadOnly(filepath.Join(tmp, "src"))
	if err != nil {
		t.Fatal(err)
	}
	dstF, err := Probe(data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecideCharsToQuote("x", CharsToQuoteInput{Suggested: SuggestCharsToQuote(srcF, dstF)})
	if err != nil {
		t.Fatal(err)
	}
	theirs, _ := os.ReadFile(filepath.Join(data, CharsToQuoteFile))
	if !bytes.Equal(theirs, d.CharsToQuote) || len(theirs) != 0 {
		t.Errorf("chars_to_quote: rdiff-backup %q, we %q", theirs, d.CharsToQuote)
	}
	theirs, _ = os.ReadFile(filepath.Join(data, SpecialEscapesFile))
	if ours := SuggestSpecialEscapes(srcF, dstF).MarshalFile(); !bytes.Equal(theirs, ours) {
		t.Errorf("special_escapes: rdiff-backup %q, we %q", theirs, ours)
	}
	// A second run finds the file and keeps it; a different override is refused by both.
	prev, found, err := ReadCharsToQuote(data)
	if err != nil || !found {
		t.Fatal(found, err)
	}
	if _, err := DecideCharsToQuote("x", CharsToQuoteInput{Previous: prev, HavePrevious: true, Override: []byte("A-Z"), HaveOverride: true}); err == nil {
		t.Error("changing the quoting of an existing repository was accepted")
	}
	bin, _ := exec.LookPath("rdiff-backup")
	cmd := exec.Command(bin, "--current-time", "1700003600", "--chars-to-quote", "A-Z", "backup", "src", "repo")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "would need to be migrated") {
		t.Errorf("rdiff-backup accepted a quoting change: %v\n%s", err, out)
	}
}

// Special escapes can only be turned on by editing special_escapes on Linux,
// as repository-format.md 6.3 did; both sessions then use them.
func TestSpecialEscapesMatchRdiffBackup(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	writeFiles(t, src, "x")
	rdiffBackup(t, tmp, "--current-time", "1700000000", "--chars-to-quote", "*", "backup", "src", "repo")
	data := filepath.Join(tmp, "repo", "rdiff-backup-data")
	esc := SpecialEscapes{DOSDevices: true, TrailingSpaces: true}
	if err := WriteSpecialEscapes(data, esc); err != nil {
		t.Fatal(err)
	}
	names := []string{"aux", "con.txt", "lpt1", "com10", "trail.", "space ", "PRN.a.b", "a*b", "nul.", "Com3"}
	writeFiles(t, src, names...)
	rdiffBackup(t, tmp, "--current-time", "1700003600", "backup", "src", "repo")
	ctq, _, err := ReadCharsToQuote(data)
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := ReadSpecialEscapes(data)
	if err != nil || !found || got != esc {
		t.Fatalf("special_escapes read back as %+v %v %v", got, found, err)
	}
	q, err := NewQuoter(ctq, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if p := filepath.Join(tmp, "repo", string(q.Quote([]byte(n)))); !exists(p) {
			ls, _ := os.ReadDir(filepath.Join(tmp, "repo"))
			t.Errorf("%q: %s not in the mirror (%v)", n, p, ls)
		}
	}
}

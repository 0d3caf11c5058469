//go:build linux

package metadata

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// genSource yields n sorted records without holding them.
type genSource struct {
	n, i int
	tag  string
}

func (g *genSource) Next() (*Record, error) {
	if g.i >= g.n {
		return nil, io.EOF
	}
	g.i++
	return &Record{
		Index: Index{fmt.Sprintf("d%04d", g.i/1000), fmt.Sprintf("f%06d", g.i)},
		Type:  TypeReg, Size: int64(g.i), SHA1: g.tag, ModTime: 1700000000, Permissions: 0o644,
		Uname: "root", Gname: "root",
	}, nil
}

// pipeReader streams a generated listing through Writer and Reader.
func pipeReader(t *testing.T, src RecordSource) *Reader {
	pr, pw := io.Pipe()
	go func() {
		w := NewWriter(pw)
		for {
			r, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if err := w.Write(r); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(w.Flush())
	}()
	rd := NewReader(pr, "pipe")
	rd.Warn = func(err error) { t.Errorf("warning: %v", err) }
	return rd
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestStreamingMemory pushes 200k records through the writer, reader, diff
// and patch code and checks the heap does not grow with the count.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	const n = 200000
	before := heapInUse()
	var peak uint64
	count := 0
	err := DiffRecords(pipeReader(t, &genSource{n: n, tag: "new"}), pipeReader(t, &genSource{n: n, tag: "old"}), func(r *Record) error {
		count++
		if count%50000 == 0 {
			peak = max(peak, heapInUse())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("diff has %d records, want %d", count, n)
	}
	p := NewPatchedReader(pipeReader(t, &genSource{n: n, tag: "new"}), pipeReader(t, &genSource{n: n / 2, tag: "old"}))
	count = 0
	for {
		r, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
		if want := map[bool]string{true: "old", false: "new"}[count <= n/2]; r.SHA1 != want {
			t.Fatalf("record %d from %q, want %q", count, r.SHA1, want)
		}
		if count%50000 == 0 {
			peak = max(peak, heapInUse())
		}
	}
	if count != n {
		t.Fatalf("patched listing has %d records, want %d", count, n)
	}
	t.Logf("heap in use: %d before, %d at peak", before, peak)
	// 200k records take tens of MB if held; allow a few MB of buffers.
	if peak > before+8<<20 {
		t.Errorf("heap grew from %d to %d bytes", before, peak)
	}
}

// TestRdiffBackupReadsOurSnapshot replaces rdiff-backup's snapshot by the one
// written through Writer and DataFile and checks rdiff-backup still lists
// and verifies the repository the same way.
func TestRdiffBackupReadsOurSnapshot(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, oddTree)
	backup(t, src, repo, t1)
	list := func() string {
		return run(t, "rdiff-backup", "list", "files", "--at", "now", repo)
	}
	before := list()
	if len(before) < 100 {
		t.Fatalf("rdiff-backup lists too little:\n%s", before)
	}

	orig := oneDataFile(t, repo, "mirror_metadata.")
	recs := readAll(t, content(t, orig), orig)
	if err := os.Remove(orig); err != nil {
		t.Fatal(err)
	}
	base := orig[:len(orig)-len(".gz")]
	d := CreateDataFile(base, true)
	w := NewWriter(d)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if d.Path() != orig {
		t.Fatalf("wrote %s, want %s", d.Path(), orig)
	}
	if after := list(); after != before {
		t.Fatalf("rdiff-backup lists differently:\n%s\nbefore:\n%s", after, before)
	}
	cmd := exec.Command("rdiff-backup", "verify", repo)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rdiff-backup verify: %v\n%s", err, out)
	}
}

//go:build linux

package gordiff_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/rsync"
)

// mutate returns b edited at random: bytes overwritten, inserted, deleted,
// and moved, so that deltas copy from everywhere in their basis.
func mutate(r *rand.Rand, b []byte) []byte {
	out := append([]byte(nil), b...)
	for range 1 + r.IntN(6) {
		pos := 0
		if len(out) > 0 {
			pos = r.IntN(len(out) + 1)
		}
		switch r.IntN(5) {
		case 0: // overwrite
			for i := pos; i < min(len(out), pos+r.IntN(3000)); i++ {
				out[i] = byte(r.Uint32())
			}
		case 1: // insert
			ins := make([]byte, r.IntN(5000))
			for i := range ins {
				ins[i] = byte(r.Uint32())
			}
			out = append(out[:pos], append(ins, out[pos:]...)...)
		case 2: // delete
			end := min(len(out), pos+r.IntN(8000))
			out = append(out[:pos], out[end:]...)
		case 3: // move a chunk to the front
			end := min(len(out), pos+r.IntN(20000))
			chunk := append([]byte(nil), out[pos:end]...)
			out = append(chunk, append(out[:pos], out[end:]...)...)
		case 4: // truncate or grow
			if r.IntN(2) == 0 {
				out = out[:pos]
			} else {
				out = append(out, out[:min(len(out), 10000)]...)
			}
		}
	}
	return out
}

func writeInc(t *testing.T, path string, data []byte, gz bool) {
	t.Helper()
	var buf bytes.Buffer
	if gz {
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
	} else {
		buf.Write(data)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func reverseDelta(t *testing.T, newer, older []byte) []byte {
	t.Helper()
	sig, err := rsync.ComputeSignature(bytes.NewReader(newer), rsync.RdiffBackupSigParams(int64(len(newer))))
	if err != nil {
		t.Fatal(err)
	}
	var d bytes.Buffer
	if err := rsync.WriteDelta(&d, sig, bytes.NewReader(older)); err != nil {
		t.Fatal(err)
	}
	return d.Bytes()
}

// TestOpenVersionRandomChains: on random chains of reverse deltas mixed
// with snapshots (compressed or not) and missing markers, every session's
// version read through openVersion (which composes the deltas) equals the
// version rebuilt step by step with rsync.Patch, with the literals in
// memory and spilled to a temporary file.
func TestOpenVersionRandomChains(t *testing.T) {
	// Not parallel: it changes the literal memory limit of every restore.
	for seed := range uint64(12) {
		r := rand.New(rand.NewPCG(seed, 7))
		root := t.TempDir()
		incDir := filepath.Join(root, "rdiff-backup-data", "increments")
		if err := os.MkdirAll(incDir, 0o700); err != nil {
			t.Fatal(err)
		}
		n := 3 + r.IntN(12)
		base := int64(1_600_000_000)
		now := base + int64(n)*1000
		cur := make([]byte, 20000+r.IntN(200000))
		for i := range cur {
			cur[i] = byte(r.Uint32() % 16) // repetitive enough to match in odd places
		}
		if err := os.WriteFile(filepath.Join(root, "f"), cur, 0o600); err != nil {
			t.Fatal(err)
		}
		// versions[k] is the content at session base+k*1000; nil: missing.
		versions := make([][]byte, n+1)
		versions[n] = cur
		newer := cur
		for k := n - 1; k >= 0; k-- {
			at := base + int64(k)*1000
			name := filepath.Join(incDir, "f."+timeString(at))
			choice := r.IntN(10)
			switch {
			case newer == nil || choice == 0:
				v := mutate(r, cur)
				gz := r.IntN(2) == 0
				if gz {
					writeInc(t, name+".snapshot.gz", v, true)
				} else {
					writeInc(t, name+".snapshot", v, false)
				}
				versions[k], newer = v, v
			case choice == 1 && k > 0:
				writeInc(t, name+".missing", nil, false)
				versions[k], newer = nil, nil
			default:
				v := mutate(r, newer)
				writeInc(t, name+".diff.gz", reverseDelta(t, newer, v), true)
				versions[k], newer = v, v
			}
		}
		data := filepath.Join(root, "rdiff-backup-data")
		for _, mem := range []int{32 << 20, 1000} {
			old := gordiff.SetLiteralMemory(mem)
			for k, want := range versions {
				at := base + int64(k)*1000
				rc, err := gordiff.OpenVersion(root, data, metadata.Index{"f"}, at, now)
				if want == nil {
					if err == nil {
						rc.Close()
						t.Errorf("seed %d session %d: no error for a missing version", seed, k)
					}
					continue
				}
				if err != nil {
					t.Fatalf("seed %d session %d: %v", seed, k, err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Fatalf("seed %d session %d: %v", seed, k, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("seed %d session %d of %d (literal memory %d): %d bytes differ from the %d bytes rebuilt step by step", seed, k, n, mem, len(got), len(want))
				}
			}
			gordiff.SetLiteralMemory(old)
		}
		// Closing a reader early stops its patch.
		rc, err := gordiff.OpenVersion(root, data, metadata.Index{"f"}, base+int64(n-1)*1000, now)
		if err == nil {
			io.CopyN(io.Discard, rc, 10)
			if err := rc.Close(); err != nil && !strings.Contains(err.Error(), "closed") {
				t.Errorf("early close: %v", err)
			}
		}
	}
}

// TestRestoreLongChain: a file changed in each of 14 sessions backed up by
// rdiff-backup is restored at every session by gordiff and by rdiff-backup;
// both equal the source of that session, and gordiff's restores write no
// temporary file while going back through up to 13 reverse deltas.
func TestRestoreLongChain(t *testing.T) {
	needRdiffBackup(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	repo := filepath.Join(dir, "repo")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(42, 42))
	content := make([]byte, 300000)
	for i := range content {
		content[i] = byte(r.Uint32() % 32)
	}
	const sessions = 14
	var want [][]byte
	for k := range sessions {
		if k > 0 {
			content = mutate(r, content)
		}
		if err := os.WriteFile(filepath.Join(src, "f"), content, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(src, "f"), time.Unix(sessionTime(k)-10, 0), time.Unix(sessionTime(k)-10, 0)); err != nil {
			t.Fatal(err)
		}
		rdiffBackupAt(t, src, repo, sessionTime(k))
		want = append(want, append([]byte(nil), content...))
	}
	diffs, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "increments", "f.*.diff.gz"))
	if len(diffs) != sessions-1 {
		t.Fatalf("rdiff-backup wrote %d reverse deltas of f, want %d", len(diffs), sessions-1)
	}
	for k := range sessions {
		at := strconv.FormatInt(sessionTime(k), 10)
		gOut := filepath.Join(dir, "g"+strconv.Itoa(k))
		rOut := filepath.Join(dir, "r"+strconv.Itoa(k))
		if _, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: filepath.Join(repo, "f"), Target: gOut, At: at}); err != nil {
			t.Fatalf("session %d: %v", k, err)
		}
		rdiffBackup(t, "restore", "--at", at, filepath.Join(repo, "f"), rOut)
		g, err := os.ReadFile(gOut)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := os.ReadFile(rOut)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(g, want[k]) || !bytes.Equal(rb, want[k]) {
			t.Errorf("session %d: gordiff's restore equal to the source: %v, rdiff-backup's: %v", k, bytes.Equal(g, want[k]), bytes.Equal(rb, want[k]))
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("session %d: gordiff left %d entries in TMPDIR (%s)", k, len(left), left[0].Name())
		}
	}
}

// TestRestoreLongNames: files whose names leave no room for an increment
// suffix keep their increments under long_filename_data by a stand-in
// name recorded in the metadata. rdiff-backup writes such a repository
// over three sessions; gordiff restores every session equal to its source.
func TestRestoreLongNames(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	repo := filepath.Join(dir, "repo")
	long := strings.Repeat("n", 240)
	longer := strings.Repeat("m", 250)
	makeTree(t, src, tDir("."), tFile(long, "one\n", withMtime(baseMtime)), tDir("d"), tFile("d/"+longer, "first\n", withMtime(baseMtime)))
	steps := [][]op{nil,
		{rewrite(long, "two, longer\n", baseMtime+10), rewrite("d/"+longer, "second version\n", baseMtime+10)},
		{rewrite(long, "three\n", baseMtime+20), remove("d/" + longer)},
	}
	var want []treeSnap
	for k, ops := range steps {
		applyOps(t, src, ops)
		rdiffBackupAt(t, src, repo, sessionTime(k))
		want = append(want, snapshotTree(t, src, snapOpts{}))
	}
	if m, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "long_filename_data", "*.diff.gz")); len(m) == 0 {
		t.Fatal("rdiff-backup wrote no increment under long_filename_data: the test tests nothing")
	}
	for k := range steps {
		at := strconv.FormatInt(sessionTime(k), 10)
		out := filepath.Join(dir, "out"+at)
		if _, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: repo, Target: out, At: at}); err != nil {
			t.Fatal(err)
		}
		requireSameTree(t, "the restore of session "+strconv.Itoa(k+1), want[k], snapshotTree(t, out, snapOpts{}))
	}
	// The seam for callers that hold the record reads the same bytes.
	rec := &metadata.Record{Index: metadata.Index{long}, Type: metadata.TypeReg, AlternateIncrementName: ""}
	data := filepath.Join(repo, "rdiff-backup-data")
	snap := readDataFile(t, filepath.Join(data, "mirror_metadata."+timeString(sessionTime(2))+".snapshot.gz"))
	if i := strings.Index(snap, "File "+long+"\n"); i >= 0 {
		body := snap[i:]
		if j := strings.Index(body[1:], "\nFile "); j >= 0 {
			body = body[:j+1]
		}
		if _, alt, ok := strings.Cut(body, "AlternateIncrementName "); ok {
			rec.AlternateIncrementName, _, _ = strings.Cut(alt, "\n")
		}
	}
	if rec.AlternateIncrementName == "" {
		t.Fatalf("no AlternateIncrementName for the long name in the current metadata")
	}
	rc, err := gordiff.OpenRecordVersion(repo, data, rec, sessionTime(0), sessionTime(2), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(got) != "one\n" {
		t.Errorf("OpenRecordVersion at session 1: %q, %v", got, err)
	}
}

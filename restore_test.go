//go:build linux

package gordiff_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gordiff/gordiff"
)

// TestRestoreEverySession: the scenario's sessions (every entry type and
// mutation), backed up by gordiff and by rdiff-backup, are restored by
// gordiff.Restore for every session, each equal to that session's source
// (content, type, mode, owner, mtime, link target, device numbers,
// hard-link groups); a sub-path restores alone; a non-empty target needs
// Force.
func TestRestoreEverySession(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, scenarioTree()...)
	steps := scenarioSteps(t)
	var want []treeSnap
	for k := range len(steps) + 1 {
		if k > 0 {
			applyOps(t, src, steps[k-1])
		}
		gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(k))
		rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(k))
		want = append(want, snapshotTree(t, src, snapOpts{}))
	}
	for _, name := range []string{"gordiff", "rdiff"} {
		repo := filepath.Join(dir, name)
		for k := range want {
			out := filepath.Join(dir, "out-"+name+strconv.Itoa(k))
			_, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: repo, Target: out, At: strconv.FormatInt(sessionTime(k), 10)})
			if err != nil {
				t.Fatalf("%s session %d: %v", name, k+1, err)
			}
			if d := diffTrees(want[k], snapshotTree(t, out, snapOpts{})); d != "" {
				t.Errorf("%s: the restore of session %d differs from its source:\n%s", name, k+1, d)
			}
		}
	}
	// A sub-path, and the Force rule.
	repo := filepath.Join(dir, "gordiff")
	out := filepath.Join(dir, "sub")
	if _, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: filepath.Join(repo, "dir"), Target: out, At: "now"}); err != nil {
		t.Fatal(err)
	}
	wantSub := treeSnap{}
	for p, e := range want[len(want)-1] {
		if rel, err := filepath.Rel("dir", p); err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != "../") {
			wantSub[rel] = e
		}
	}
	gotSub := snapshotTree(t, out, snapOpts{})
	for p, e := range gotSub {
		if w, ok := wantSub[p]; !ok || w.typ != e.typ || w.sha1 != e.sha1 {
			t.Errorf("sub-path restore: %q is %+v, want %+v", p, e, w)
		}
	}
	_, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: repo, Target: out, At: "now"})
	if !errors.Is(err, gordiff.ErrTargetExists) {
		t.Errorf("restore into a non-empty target without Force: %v", err)
	}
	if _, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: repo, Target: out, At: "now", Force: true}); err != nil {
		t.Errorf("restore with Force: %v", err)
	}
	_ = os.RemoveAll(out)
}

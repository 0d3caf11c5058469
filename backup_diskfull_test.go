//go:build linux

package gordiff_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gordiff/gordiff"
)

// TestBackupDiskFull: the repository's file system fills up in the middle
// of a session. The session must fail with an error naming a path and the
// cause, leave nothing that a later session cannot undo, and the next
// session, with room again, must regress it and complete; rdiff-backup then
// verifies the repository and restores every complete session exactly.
func TestBackupDiskFull(t *testing.T) {
	needRoot(t)
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (mount: %v): %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })

	src, repo := filepath.Join(dir, "src"), filepath.Join(mnt, "repo")
	nodes := []node{tDir("."), tDir("d")}
	for i := range 20 {
		nodes = append(nodes, tFile(fmt.Sprintf("d/f%02d", i), randString(uint64(i), 4096)))
	}
	makeTree(t, src, nodes...)
	gordiffWriter(t, src, repo, sessionTime(0))
	want := map[int64]treeSnap{sessionTime(0): snapshotTree(t, src, snapOpts{})}

	// Changes that need increments, and a new file that cannot fit.
	applyOps(t, src, []op{rewrite("d/f03", randString(99, 4096), baseMtime+5), remove("d/f07")})
	makeTree(t, src, tFile("big", randString(7, 3<<20)))
	ctx := context.Background()
	res, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: repo, Time: sessionTime(1), Location: time.UTC})
	t.Logf("the session that filled the file system: %v", err)
	switch {
	case err != nil:
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), mnt) {
			t.Errorf("backup into a full file system: %v; want ENOSPC with a path under %s", err, mnt)
		}
	case res.FileErrors == 0:
		t.Fatalf("backup into a full file system succeeded without a file error: %+v", *res)
	}

	if out, err := exec.Command("mount", "-o", "remount,size=64m", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount with room: %v\n%s", err, out)
	}
	res, err = gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: repo, Time: sessionTime(2), Location: time.UTC})
	if err != nil {
		t.Fatalf("backup with room again: %v", err)
	}
	t.Logf("the session after the full one: regressed %v, file errors %d", res.Regressed, res.FileErrors)
	want[sessionTime(2)] = snapshotTree(t, src, snapOpts{})

	// Full from the start: the new session cannot even write its marker
	// or metadata. The same again: an error, then a clean next session.
	filler := filepath.Join(mnt, "filler")
	fill, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = fill.Write(make([]byte, 64<<10))
	}
	fill.Close()
	applyOps(t, src, []op{rewrite("d/f05", randString(98, 4096), baseMtime+6)})
	if _, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: repo, Time: sessionTime(3), Location: time.UTC}); !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), mnt) {
		t.Errorf("backup into a file system full from the start: %v; want ENOSPC with a path under %s", err, mnt)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := gordiff.Backup(ctx, gordiff.BackupOptions{Source: src, Repository: repo, Time: sessionTime(4), Location: time.UTC}); err != nil {
		t.Fatalf("backup once the filler is gone: %v", err)
	}
	want[sessionTime(4)] = snapshotTree(t, src, snapOpts{})
	if out, code := rdiffBackupCode(t, "verify", repo); code != 0 {
		t.Errorf("rdiff-backup verify after the full session: exit %d\n%s", code, out)
	}
	restoreCheck(t, repo, dir, want)
}

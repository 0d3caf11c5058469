//go:build linux

package gordiff_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/metadata"
)

// TestBackupSessionTimeBeforeWalk: the source walk starts while the
// repository opens, so the session's time must be fixed before it: a
// session time later than a file's lstat would let the next session take
// an extended attribute changed in between for unchanged (its ctime test
// compares with the last session's time) and miss it for good. Here any
// reading of the clock after the first changes the attribute and says the
// change is over a second old: whatever the session does, the session
// after must record the attribute's last value.
func TestBackupSessionTimeBeforeWalk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(src, "a") // first in the walk
	if err := os.WriteFile(f, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Lsetxattr(f, "user.v", []byte("one"), 0); err != nil {
		t.Skipf("no user extended attributes here: %v", err)
	}
	for i := range 20 {
		os.WriteFile(filepath.Join(src, "f"+strings.Repeat("x", i)), []byte("f\n"), 0o644)
	}
	time.Sleep(1100 * time.Millisecond) // the files' ctimes before session 1
	now := time.Now().Unix()
	backup := func(o gordiff.BackupOptions) {
		t.Helper()
		o.Source, o.Repository, o.Location = src, repo, time.UTC
		if _, err := gordiff.Backup(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	backup(gordiff.BackupOptions{Time: now})
	reads, want := 0, "one"
	backup(gordiff.BackupOptions{Clock: func() time.Time {
		if reads++; reads == 2 { // after the walk began, if read again
			time.Sleep(100 * time.Millisecond) // the walk has lstat'ed a by now
			if err := unix.Lsetxattr(f, "user.v", []byte("two"), 0); err != nil {
				t.Error(err)
			}
			want = "two"
		}
		return time.Now().Add(1500 * time.Millisecond)
	}})
	// Session 3 at the real time: a last session in the future is not
	// trusted for the ctime test.
	for time.Now().Unix() <= now+3 {
		time.Sleep(100 * time.Millisecond)
	}
	backup(gordiff.BackupOptions{})
	m, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "extended_attributes.*.snapshot*"))
	if len(m) == 0 {
		t.Fatal("no extended_attributes snapshot")
	}
	last := m[len(m)-1]
	r, err := metadata.OpenEAReader(last)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("%s has no user.v for a (%v)", last, err)
		}
		if rec.Index.String() != "a" {
			continue
		}
		for _, x := range rec.Attrs {
			if x.Name == "user.v" {
				if string(x.Value) != want {
					t.Fatalf("%s: user.v=%q for a, want %q (the clock was read %d times)", last, x.Value, want, reads)
				}
				return
			}
		}
	}
}

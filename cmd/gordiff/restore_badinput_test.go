//go:build linux

package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreDamagedRepository: restores from repositories with one
// damaged file each, by rdiff-backup and gordiff. A damaged increment
// fails that file only: gordiff names the increment, writes the rest
// (equal to rdiff-backup's), leaves the file out and exits 4, where
// rdiff-backup writes an empty file and exits 0 (or, for a truncated gzip
// stream, stops with a traceback, exit 1); sessions that do not need
// the increment restore normally. A truncated metadata file stops both
// (exit 1), gordiff naming it. Neither program changes the repository.
func TestRestoreDamagedRepository(t *testing.T) {
	needRdiffBackup(t)
	dir := t.TempDir()
	good := restoreRepo(t, dir)
	t1 := "1970-01-12T13:46:40Z"
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	cases := []struct {
		name    string
		damaged string // path in the repository
		damage  func(old []byte) []byte
		at      string
		lost    string // the entry of the target that cannot be restored
	}{
		{"garbage diff", "rdiff-backup-data/increments/d/x." + t1 + ".diff.gz", func([]byte) []byte { return []byte("garbage") }, "1000000", "d/x"},
		{"truncated diff", "rdiff-backup-data/increments/f." + t1 + ".diff.gz", func(b []byte) []byte { return b[:len(b)/2] }, "1000000", "f"},
		{"bad delta magic", "rdiff-backup-data/increments/f." + t1 + ".diff.gz", func([]byte) []byte { return gz([]byte("rs\x02\x37junk")) }, "1000000", "f"},
		{"delta copying past its basis", "rdiff-backup-data/increments/f." + t1 + ".diff.gz", func([]byte) []byte { return gz([]byte("rs\x02\x36\x45\x00\xff\x00")) }, "1000000", "f"},
		{"not needed by the session", "rdiff-backup-data/increments/f." + t1 + ".diff.gz", func([]byte) []byte { return []byte("garbage") }, "2000000", ""},
		{"truncated metadata", "rdiff-backup-data/mirror_metadata.1970-02-04T17:20:00Z.snapshot.gz", func(b []byte) []byte { return b[:len(b)/2] }, "now", ""},
	}
	for i, c := range cases {
		repo := filepath.Join(dir, "bad"+string(rune('a'+i)))
		if out, err := exec.Command("cp", "-a", good, repo).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
		p := filepath.Join(repo, c.damaged)
		old, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, c.damage(old), 0o600); err != nil {
			t.Fatal(err)
		}
		sum := checksumTree(t, repo)
		rOut, gOut := filepath.Join(dir, "r"+string(rune('a'+i))), filepath.Join(dir, "g"+string(rune('a'+i)))
		rCode, _, rErr := rdiffBackupRun(t, dir, "restore", "--at", c.at, repo, rOut)
		gCode, _, gErr := runGordiff(t, "", "restore", "--at", c.at, repo, gOut)
		if checksumTree(t, repo) != sum {
			t.Errorf("%s: the repository changed", c.name)
		}
		switch {
		case c.name == "truncated metadata":
			if rCode != 1 || gCode != 1 || !strings.Contains(gErr, p) || !strings.Contains(gErr, "Action restore failed on step run") {
				t.Errorf("%s: rdiff-backup exit %d, gordiff exit %d:\n%s", c.name, rCode, gCode, gErr)
			}
			continue
		case c.lost == "":
			if rCode != 0 || gCode != 0 {
				t.Errorf("%s: rdiff-backup exit %d, gordiff exit %d:\n%s", c.name, rCode, gCode, gErr)
			}
			if r, g := treeSummary(t, rOut), treeSummary(t, gOut); r != g {
				t.Errorf("%s: the restored trees differ\nrdiff-backup:\n%s\ngordiff:\n%s", c.name, r, g)
			}
			continue
		}
		// rdiff-backup substitutes an empty file and exits 0, or (a
		// truncated gzip stream) stops with a traceback and exit 1.
		rdiffCompleted := rCode == 0
		if rdiffCompleted {
			if fi, err := os.Stat(filepath.Join(rOut, c.lost)); err != nil || fi.Size() != 0 {
				t.Errorf("%s: rdiff-backup's %s: %v, %v (an empty file expected)", c.name, c.lost, fi, err)
			}
		} else {
			t.Logf("%s: rdiff-backup exits %d (%d bytes of messages)", c.name, rCode, len(rErr))
		}
		if gCode != exitFileError || !strings.Contains(gErr, p) || !strings.Contains(gErr, filepath.Join(gOut, c.lost)) ||
			!strings.Contains(gErr, "WARNING: Action restore failed on one or more files") {
			t.Errorf("%s: gordiff exit %d (want %d, the message naming %s and %s):\n%s", c.name, gCode, exitFileError, p, c.lost, gErr)
		}
		if _, err := os.Lstat(filepath.Join(gOut, c.lost)); err == nil {
			t.Errorf("%s: gordiff left %s in the target", c.name, c.lost)
		}
		if !rdiffCompleted {
			continue
		}
		os.Remove(filepath.Join(rOut, c.lost))
		if r, g := treeSummary(t, rOut), treeSummary(t, gOut); r != g {
			t.Errorf("%s: apart from %s, the restored trees differ\nrdiff-backup:\n%s\ngordiff:\n%s", c.name, c.lost, r, g)
		}
	}
}

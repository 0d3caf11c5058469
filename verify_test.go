//go:build linux

package gordiff_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gordiff/gordiff"
)

// TestVerifyMatchesRdiffBackup: on repositories written by rdiff-backup
// and by gordiff (hard links included), Verify finds what `rdiff-backup
// verify` finds, with the same warnings: nothing on an intact repository,
// the damaged file after one is changed in the mirror, and only what is
// under a sub-path when given one.
func TestVerifyMatchesRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"a": "1\n", "b": "22\n", "d/e": "333\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(src, "b"), filepath.Join(src, "c")); err != nil {
		t.Fatal(err)
	}
	rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(0))
	gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(0))

	for _, name := range []string{"rdiff", "gordiff"} {
		repo := filepath.Join(dir, name)
		check := func(path, when string) {
			t.Helper()
			var msgs []string
			res, err := gordiff.Verify(context.Background(), gordiff.VerifyOptions{Path: path, Message: func(l gordiff.Level, m string) {
				msgs = append(msgs, fmt.Sprintf("WARNING: %s", m))
			}})
			if err != nil {
				t.Fatalf("%s %s: %v", name, when, err)
			}
			cmd := exec.Command("rdiff-backup", "verify", path)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err = cmd.Run()
			rbCorrupt := err != nil
			var rbWarnings []string
			for _, line := range strings.Split(stderr.String(), "\n") {
				if strings.HasPrefix(line, "WARNING: Computed") || strings.HasPrefix(line, "WARNING: Cannot find") || strings.HasPrefix(line, "WARNING: Hash for") {
					rbWarnings = append(rbWarnings, line)
				}
			}
			if strings.Join(msgs, "\n") != strings.Join(rbWarnings, "\n") || (res.Corrupted > 0) != rbCorrupt {
				t.Errorf("%s %s: gordiff found %d corrupted, said %q; rdiff-backup exit %v, said %q", name, when, res.Corrupted, msgs, err, rbWarnings)
			}
		}
		check(repo, "intact")
		check(filepath.Join(repo, "d"), "sub-path, intact")
		if err := os.WriteFile(filepath.Join(repo, "d", "e"), []byte("damaged\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		check(repo, "damaged d/e")
		check(filepath.Join(repo, "d"), "sub-path, damaged d/e")
		check(filepath.Join(repo, "a"), "sub-path a, damaged d/e")
	}
}

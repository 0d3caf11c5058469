//go:build linux

package gordiff_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gordiff/gordiff"
)

// TestCalculateMatchesRdiffBackup: the average of 1, 2 and 3 session
// statistics files, from repositories written by rdiff-backup and by
// gordiff, is printed exactly as `rdiff-backup calculate` prints it.
func TestCalculateMatchesRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, content := range []string{"1", "22", "333333"} {
		if err := os.WriteFile(filepath.Join(src, "a"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "n"+content), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(k))
		gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(k))
	}
	for _, name := range []string{"rdiff", "gordiff"} {
		files, _ := filepath.Glob(filepath.Join(dir, name, "rdiff-backup-data", "session_statistics.*"))
		slices.Sort(files)
		if len(files) != 3 {
			t.Fatalf("%s: %d statistics files", name, len(files))
		}
		for n := 1; n <= 3; n++ {
			want, err := exec.Command("rdiff-backup", append([]string{"calculate"}, files[:n]...)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			got, err := gordiff.CalculateAverage(files[:n])
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s, %d files:\n got %q\nwant %q", name, n, got, want)
			}
		}
	}
	if _, err := gordiff.CalculateAverage([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing statistics file gave no error")
	}
}

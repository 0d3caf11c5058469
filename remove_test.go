//go:build linux

package gordiff_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gordiff/gordiff"
)

// TestRemoveIncrementsMatchesRdiffBackup: on copies of one repository of
// five sessions (written by rdiff-backup, and one written by gordiff),
// RemoveIncrements and `rdiff-backup remove increments` leave the same
// files for every --older-than of cli.md 4.5's table, refuse the same
// cases (nothing older; several without --force), and the result still
// verifies and restores.
func TestRemoveIncrementsMatchesRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for k := range 5 {
		for _, name := range []string{"a", "d/b", "f" + strconv.Itoa(k)} {
			if err := os.WriteFile(filepath.Join(src, name), []byte(strconv.Itoa(k)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		rdiffBackupAt(t, src, filepath.Join(dir, "rdiff"), sessionTime(k))
		gordiffWriter(t, src, filepath.Join(dir, "gordiff"), sessionTime(k))
	}
	now := time.Unix(sessionTime(4)+60, 0)
	for _, name := range []string{"rdiff", "gordiff"} {
		for _, c := range []struct {
			spec  string
			force bool
			want  error
		}{
			{"4B", false, gordiff.ErrNothingToRemove},
			{"3B", false, nil},
			{"1B", false, gordiff.ErrSeveralToRemove},
			{"1B", true, nil},
			{"now", true, nil},
			{strconv.FormatInt(sessionTime(2)+1, 10), true, nil},
		} {
			ours, theirs := filepath.Join(dir, "ours"), filepath.Join(dir, "theirs")
			for _, d := range []string{ours, theirs} {
				os.RemoveAll(d)
				if out, err := exec.Command("cp", "-a", filepath.Join(dir, name), d).CombinedOutput(); err != nil {
					t.Fatalf("cp: %v %s", err, out)
				}
			}
			_, err := gordiff.RemoveIncrements(context.Background(), gordiff.RemoveOptions{Repository: ours, OlderThan: c.spec, Force: c.force, Now: now})
			if !errors.Is(err, c.want) {
				t.Fatalf("%s %s force=%v: %v, want %v", name, c.spec, c.force, err, c.want)
			}
			args := []string{"--current-time", strconv.FormatInt(now.Unix(), 10)}
			if c.force {
				args = append(args, "--force")
			}
			args = append(args, "remove", "increments", "--older-than", c.spec, theirs)
			rb := exec.Command("rdiff-backup", args...)
			rbErr := rb.Run()
			if (rbErr == nil) != (c.want == nil) {
				t.Fatalf("%s %s force=%v: rdiff-backup %v, gordiff %v", name, c.spec, c.force, rbErr, err)
			}
			if w, g := fileList(t, theirs), fileList(t, ours); !slices.Equal(w, g) {
				t.Errorf("%s %s force=%v: files differ:\nrdiff-backup: %v\ngordiff:      %v", name, c.spec, c.force, w, g)
			}
			if out, err := exec.Command("rdiff-backup", "verify", ours).CombinedOutput(); err != nil {
				t.Errorf("%s %s: verify after removal: %v\n%s", name, c.spec, err, out)
			}
		}
	}
}

// fileList lists a tree's paths, without the logs (their wording is not
// compared here).
func fileList(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && filepath.Ext(p) != ".log" {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

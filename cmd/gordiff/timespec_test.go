//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// timeSpecRepo makes a repository with rdiff-backup whose file "f" says
// which session it is from, one session per time given (oldest first).
func timeSpecRepo(t *testing.T, dir string, times []int64) string {
	t.Helper()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, at := range times {
		p := filepath.Join(src, "f")
		if err := os.WriteFile(p, []byte(strings.Repeat("session ", k+1)+strconv.Itoa(k+1)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, time.Unix(at-60, 0), time.Unix(at-60, 0)); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("rdiff-backup", "--current-time", strconv.FormatInt(at, 10), "backup", src, repo)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("backup at %d: %v\n%s", at, err, out)
		}
	}
	return repo
}

// pickedBy restores repo/f with spec by one program and returns which
// session came out ("session N"), or the exit code when it failed.
func pickedBy(t *testing.T, prog, repo, out, spec string) string {
	args := []string{"restore", "--at", spec, repo + "/f", out}
	var code int
	var msg string
	if prog == "rdiff-backup" {
		cmd := exec.Command("rdiff-backup", args...)
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Error(err)
		}
		msg = string(b)
	} else {
		code, _, msg = runGordiff(t, "", args...)
	}
	if code != 0 {
		return fmt.Sprintf("exit %d", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return fmt.Sprintf("exit 0 and no file: %v %s", err, msg)
	}
	f := strings.Fields(string(b))
	return "session " + f[len(f)-1]
}

// compareTimeSpecs runs every spec through both programs (rdiff-backup two
// at a time) and reports the specs on which they pick different sessions.
func compareTimeSpecs(t *testing.T, dir, repo string, specs []string) {
	t.Helper()
	got := make([][2]string, len(specs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, spec := range specs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// Each rdiff-backup restore in a directory of its own: two
			// restoring a single file into one directory race for the
			// same rdiff-backup.tmp.N name there and one fails.
			parent := filepath.Join(dir, fmt.Sprintf("r%d", i))
			if err := os.Mkdir(parent, 0o755); err != nil {
				t.Error(err)
				return
			}
			got[i][0] = pickedBy(t, "rdiff-backup", repo, filepath.Join(parent, "f"), spec)
		}()
	}
	for i, spec := range specs {
		got[i][1] = pickedBy(t, "gordiff", repo, filepath.Join(dir, fmt.Sprintf("g%d", i)), spec)
	}
	wg.Wait()
	var lines []string
	for i, spec := range specs {
		if got[i][0] != got[i][1] {
			t.Errorf("--at %q: rdiff-backup gives %s, gordiff %s", spec, got[i][0], got[i][1])
		}
		lines = append(lines, fmt.Sprintf("%q→%s", spec, got[i][1]))
	}
	t.Log(strings.Join(lines, ", "))
}

// TestRestoreTimeSpecsAbsolute: on the repository of cli.md 4.2 (sessions
// at 10:00Z on 1, 2, 4, 8 and 15 Nov 2026), each absolute form of the
// table, and the bad ones, make gordiff restore the session rdiff-backup
// restores (or fail with its exit code). Session counts are included:
// they do not depend on the clock either.
func TestRestoreTimeSpecsAbsolute(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	day := func(d int) int64 { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC).Unix() }
	repo := timeSpecRepo(t, dir, []int64{day(1), day(2), day(4), day(8), day(15)})
	specs := []string{
		"0B", "1B", "2B", "3B", "4B", "5B", "9B",
		"1793613600", "1793613599", "0",
		"20261102", "2026-11-02T10:00:00", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00+01:00", "2026-11-02T10-00-00Z",
		"2026:11:02T10:00:00Z", "2026-11-02T09:59:59", "2026-11-02T10:00:00+01:00",
		"2026-11-02", "2026/11/02", "11/02/2026", "11-02-2026", "2026-11-2", "2026-11/02", "11/2/2026",
		"Mon Nov  2 10:00:00 2026", "Mon Nov 2 10:00:00 2026", "2026-11-03T00:00:00-14:00",
		"2099-01-01", "1901-01-01", "2026-02-31T00:00:00Z",
		"1H", "1d", "1w", "1y", "2d3", "h", "", "1s2", "10B3", "B", "2026-13-01", "01/02/03", "2026-11-02T10:00",
		"2026-11-02T10:00:00+0100", "2026-11-02 10:00:00", "2100-01-01", "1900-01-01", " 1D", "1D ",
		"2026-11-02t10:00:00Z", "2026-11-02T10:00:00.5Z", "-1D", "garbage",
	}
	compareTimeSpecs(t, dir, repo, specs)
}

// TestRestoreTimeSpecsRelative: intervals count back from the clock, so
// the sessions are placed relative to it (30, 20, 10, 5 and 1 days and 3
// hours ago, then one minute ago): every interval of the table then lands
// hours away from any session, and the seconds the test takes cannot
// change which session both programs pick.
func TestRestoreTimeSpecsRelative(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	dir := t.TempDir()
	now := time.Now().Unix()
	const d, h = 86400, 3600
	repo := timeSpecRepo(t, dir, []int64{now - 30*d - 3*h, now - 20*d - 3*h, now - 10*d - 3*h, now - 5*d - 3*h, now - 1*d - 3*h, now - 60})
	specs := []string{
		"now", "0B", "1h", "1m", "5m3s", "10s", "1D", "2D", "3D", "1D3h", "1D2h", "6D", "6D23h", "7D", "1W", "7D1h",
		"11D", "2W", "3W", "4W", "1M", "2M", "1Y", "100Y", "29D21h", "30D4h", "1B",
	}
	compareTimeSpecs(t, dir, repo, specs)
}

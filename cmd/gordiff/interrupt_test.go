//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBackupInterrupted stops a second backup session with SIGINT (and
// another with SIGTERM) as it adds a large new subtree: gordiff must
// exit 1 naming the signal rather than a cancelled context, leave the
// repository for the next backup to regress, and that backup must
// complete into a repository rdiff-backup verifies, whose first session
// still restores exactly.
func TestBackupInterrupted(t *testing.T) {
	needRdiffBackup(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(src, "small"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := os.WriteFile(filepath.Join(src, "small", fmt.Sprint(i)), bytes.Repeat([]byte{byte(i)}, 100*i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gordiff := func(args ...string) *exec.Cmd {
		cmd := exec.Command(self, args...)
		cmd.Env = append(os.Environ(), envRunCLI+"=1")
		return cmd
	}
	if out, err := gordiff("backup", src, repo).CombinedOutput(); err != nil {
		t.Fatalf("first backup: %v\n%s", err, out)
	}
	first := filepath.Join(dir, "first")
	if out, err := exec.Command("cp", "-a", src, first).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	// Enough new files that the session is still copying when the signal
	// comes, right after its first message.
	for d := range 10 {
		sub := filepath.Join(src, "big", fmt.Sprint(d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 400 {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprint(i)), bytes.Repeat([]byte{byte(i)}, 1024), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// SIGINT comes as the session starts, maybe before it changed
	// anything (it may then leave no trace); SIGTERM once the new
	// directory is in the mirror, so that the session must be regressed.
	for _, c := range []struct {
		sig   syscall.Signal
		name  string
		after string
	}{{syscall.SIGINT, "SIGINT", ""}, {syscall.SIGTERM, "SIGTERM", filepath.Join(repo, "big")}} {
		time.Sleep(1100 * time.Millisecond) // a session per second
		cmd := gordiff("backup", src, repo)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "NOTE: Starting increment operation") {
				for deadline := time.Now().Add(10 * time.Second); c.after != "" && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
					if _, err := os.Lstat(c.after); err == nil {
						break
					}
				}
				if err := cmd.Process.Signal(c.sig); err != nil {
					t.Fatal(err)
				}
			}
		}
		err = cmd.Wait()
		lines := strings.Split(strings.TrimSuffix(errBuf.String(), "\n"), "\n")
		var exit *exec.ExitError
		// 1, or 3 when it first regressed the session SIGINT cut short.
		if !errors.As(err, &exit) || exit.ExitCode()&^2 != 1 {
			t.Fatalf("%s: gordiff backup ended with %v, want exit status 1 (or 3):\n%s", c.name, err, strings.Join(lines, "\n"))
		}
		want := "ERROR: Interrupted by " + c.name + ": the session is incomplete"
		if len(lines) < 2 || !strings.HasPrefix(lines[len(lines)-2], want) || lines[len(lines)-1] != "ERROR: Action backup failed on step run" {
			t.Errorf("%s: gordiff backup says:\n%s\nwant its last two lines to be %q... and the failed step", c.name, strings.Join(lines, "\n"), want)
		}
		if strings.Contains(strings.Join(lines, "\n"), "context canceled") {
			t.Errorf("%s: the cancelled context shows through:\n%s", c.name, strings.Join(lines, "\n"))
		}
	}
	time.Sleep(1100 * time.Millisecond)
	// Regressing first, it warns, and exits 2 as rdiff-backup does.
	out, err := gordiff("backup", src, repo).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "WARNING: Previous backup seems to have failed, regressing destination now") {
		t.Fatalf("backup after the interruptions: %v, want exit status 2 after regressing:\n%s", err, out)
	}
	if out, err := exec.Command("rdiff-backup", "verify", repo).CombinedOutput(); err != nil {
		t.Fatalf("rdiff-backup verify: %v\n%s", err, out)
	}
	restored := filepath.Join(dir, "restored")
	if out, err := exec.Command("rdiff-backup", "restore", "--at", "2B", repo, restored).CombinedOutput(); err != nil {
		t.Fatalf("rdiff-backup restore --at 2B: %v\n%s", err, out)
	}
	if out, err := exec.Command("diff", "-r", first, restored).CombinedOutput(); err != nil {
		t.Fatalf("the first session does not restore exactly: %v\n%s", err, out)
	}
}

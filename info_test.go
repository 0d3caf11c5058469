//go:build linux

package gordiff_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/gordiff/gordiff"
)

// TestInfoMatchesRdiffBackup: `info` is rdiff-backup's YAML document byte
// for byte, for command lines whose words need every kind of YAML
// quoting (plain, single-quoted, double-quoted with escapes, folded past
// 80 columns) and for --api-version, except where the values must be
// gordiff's: the python section becomes a go section, and the platform
// loses rdiff-backup's "-with-glibc" tail (gordiff links no C library).
func TestInfoMatchesRdiffBackup(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	exe, err := exec.LookPath("rdiff-backup")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("word ", 30)
	words := []string{
		"plain", "a b: c", "yes", "On", "y", "1:20", "0x1F", "1e3", "1.5", ".inf", "~", "null", "=", "<<",
		"2002-04-26", "2002-4-26 1:02:03", "#x", "a #b", "a#b", "", " lead", "trail ", "- a", "-", "--x", "?x", "? x",
		"it's", "\xe9\tz", "\xff bytes", "a\nb", "a\n\nb", "a \nb", "x  y", "---doc", "...end", "!tag", "*alias", "&a", "%p", "a@b", "`b",
		long, "it's " + long, strings.Repeat("x", 120), "\t" + long, "\xe9" + long + "\"\\",
	}
	for k, w := range words {
		opt := []string{"--remote-schema", "--remote-tempdir"}[k%2]
		args := []string{opt, w, "info"}
		if strings.HasPrefix(w, "-") && !strings.Contains(w, " ") {
			args = []string{opt + "=" + w, "info"} // else an option to argparse
		}
		want, code := rdiffBackupCode(t, args...)
		if code != 0 {
			t.Fatalf("rdiff-backup %q: exit %d\n%s", args, code, want)
		}
		check(t, args, exe, 0, want)
	}
	for _, api := range []string{"200", "201"} {
		args := []string{"--api-version", api, "--terminal-verbosity", "4", "info"}
		want, _ := rdiffBackupCode(t, args...)
		check(t, args, exe, map[string]int{"200": 200, "201": 201}[api], want)
	}
}

func check(t *testing.T, args []string, exe string, api int, want string) {
	t.Helper()
	info, err := gordiff.Info(context.Background(), gordiff.InfoOptions{Argv: append([]string{exe}, args...), APIVersion: api, Version: "2.2.2", GordiffVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got := info.Format()
	// The sections that must differ: python/go, and the platform's tail.
	section := func(doc, name string) string {
		i := strings.Index(doc, "\n"+name+":\n")
		if i < 0 {
			t.Fatalf("no %s section in\n%s", name, doc)
		}
		j := strings.Index(doc[i+1:], "\nsystem:\n")
		return doc[i+1 : i+1+j+1]
	}
	goSection := section(got, "go")
	if want := "go:\n  compiler: gc\n  executable: "; !strings.HasPrefix(goSection, want) || !strings.Contains(goSection, "\n  version: go1.") {
		t.Errorf("go section:\n%s", goSection)
	}
	want = strings.Replace(want, section(want, "python"), goSection, 1)
	const key = "\n  platform: "
	i := strings.Index(want, key)
	j := strings.Index(want[i+len(key):], "-with-")
	k := strings.Index(want[i+len(key):], "\n")
	if i < 0 || j < 0 || j > k {
		t.Fatalf("rdiff-backup's platform line is not System-release-machine-with-libc:\n%s", want)
	}
	want = want[:i+len(key)+j] + want[i+len(key)+k:]
	if got != want {
		t.Errorf("info %q:\n got %q\nwant %q", args, got, want)
	}
}

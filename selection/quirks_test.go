//go:build unix

package selection

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// quirkTree holds names that exercise byte-level matching and the odd
// corners of rdiff-backup's rules.
var quirkTree = []node{
	{path: "a/b/f", kind: 'f', size: 1},
	{path: "a/c/f", kind: 'f', size: 1},
	{path: "a/d", kind: 'f', size: 1},
	{path: "foo\n", kind: 'f', size: 1},
	{path: "\xc3\xa9", kind: 'f', size: 1},
	{path: "lat\xe9", kind: 'f', size: 1},
	{path: "Abc", kind: 'f', size: 1},
	{path: "etc/hosts", kind: 'f', size: 1},
	{path: "etc-x", kind: 'f', size: 1},
	{path: "dev/null", kind: 'c'},
	{path: "dev/zero", kind: 'f', size: 300},
	{path: "locked/.nobackup", kind: 'f'},
	{path: "locked/f", kind: 'f', size: 1},
	{path: "marks/.keep", kind: 'l', target: "nowhere"},
	{path: "marks/sub/x", kind: 'f', size: 1},
	{path: "marks/y", kind: 'f', size: 1},
	{path: "home/ben/z/foo.py", kind: 'f', size: 1},
	{path: "home/ann/foo.py", kind: 'f', size: 1},
	{path: "]x", kind: 'f', size: 1},
	{path: "bigdir/huge", kind: 'f', size: 5000},
	{path: "biglink", kind: 'l', target: "bigdir/huge"},
}

func TestQuirks(t *testing.T) {
	t.Chdir(t.TempDir())
	buildTree(t, "src", quirkTree)
	if err := os.Chmod("src/locked", 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod("src/locked", 0o755) })
	writeFile(t, "Q1", "- src/a/b\n+ src/a/c\n")
	writeFile(t, "Q2", "src/a/c\n- src/a\n")
	writeFile(t, "Q3", "src/a/c/f\n+ src/a/c/f\n- src/a/c/f\n")
	writeFile(t, "Q4", "src/a/b\n")
	var bad strings.Builder
	for i := range 8 {
		fmt.Fprintf(&bad, "x%d\n", i)
	}
	writeFile(t, "BAD", bad.String()+"src/a\n")
	writeFile(t, "GQ", "+ src/home/**.py\r\n- src/a/*\r\nsrc/etc\r\n")
	ex, in := "--exclude", "--include"
	cases := []oracleCase{
		{name: "filelist-exclude-before-include", args: a("--include-filelist", "Q1", ex, "**")},
		{name: "filelist-exclude-ancestor", args: a("--include-filelist", "Q2", ex, "**")},
		{name: "filelist-both-ways", args: a("--include-filelist", "Q3", ex, "**")},
		{name: "filelist-exclude-list", args: a("--exclude-filelist", "Q4")},
		{name: "filelist-prefix-warnings", args: a("--include-filelist", "BAD", ex, "**")},
		{name: "globbing-filelist-crlf", args: a("--include-globbing-filelist", "GQ", ex, "**")},
		{name: "newline-name-glob", args: a(ex, "src/fo?")},
		{name: "newline-name-regexp", args: a("--exclude-regexp", "o$")},
		{name: "question-is-one-byte", args: a(ex, "src/?")},
		{name: "two-bytes", args: a(ex, "src/??")},
		{name: "regexp-dot-is-byte", args: a("--exclude-regexp", "^src/..$")},
		{name: "regexp-latin1", args: a("--exclude-regexp", "t\\xe9$")},
		{name: "regexp-flags", args: a("--exclude-regexp", "(?i)^SRC/a{,1}bc\\Z")},
		{name: "ignorecase-class", args: a(ex, "ignorecase:src/[a]*")},
		{name: "class-crosses-slash", args: a(ex, "src/etc[!a]hosts")},
		{name: "class-leading-bracket", args: a(ex, "src/[]]x")},
		{name: "unclosed-bracket", args: a(ex, "src/[abc")},
		{name: "device-files", args: a("--exclude-device-files")},
		{name: "special-and-size", args: a("--exclude-special-files", "--max-file-size", "200")},
		{name: "min-size-links", args: a("--min-file-size", "2")},
		{name: "presence-unreadable", args: a("--exclude-if-present", ".nobackup")},
		{name: "presence-symlink", args: a("--exclude-if-present", ".keep")},
		{name: "include-presence-files", args: a("--include-if-present", ".keep", ex, "**")},
		{name: "scan-star", args: a(in, "src/*/ben/**.py", ex, "**")},
		{name: "scan-survives", args: a(in, "src/home/**/foo.py", ex, "src/home/ben", ex, "**")},
		{name: "double-star-first", args: a(ex, "**/a/*", in, "**/a", ex, "**")},
		{name: "regexp-lookahead-refused", args: a("--exclude-regexp", "a(?!b)")},
	}
	compareOracle(t, "src", cases[:len(cases)-1])
	// rdiff-backup accepts lookahead; gordiff refuses it cleanly (cli.md 3.5 [D]).
	_, _, err := ourRun(t, "src", cases[len(cases)-1])
	if _, ok := err.(*RegexpError); !ok {
		t.Errorf("lookahead: got %v, want a RegexpError", err)
	}
}

// TestBases checks the path-as-written rule with a "./src" base, an
// absolute base, and a base with "..".
func TestBases(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	buildTree(t, "src", workedTree)
	if err := os.Mkdir("x", 0o755); err != nil {
		t.Fatal(err)
	}
	compareOracle(t, "./src/", []oracleCase{
		{name: "dot-base", args: a("--exclude", "src/var", "--exclude", "**/etc/*")},
		{name: "dot-base-dot-pattern", args: a("--exclude", "./src/var")},
	})
	abs := filepath.Join(dir, "src")
	compareOracle(t, abs, []oracleCase{
		{name: "abs", args: a("--include", abs+"/etc", "--exclude", abs+"/*")},
		{name: "abs-relative-pattern", args: a("--exclude", "src/var")},
		{name: "abs-glob", args: a("--exclude", "/**/var")},
	})
	compareOracle(t, "x/../src", []oracleCase{
		{name: "dotdot-plain", args: a("--exclude", "src/var")},
		{name: "dotdot-written", args: a("--exclude", "x/../src/var")},
	})
}

// TestOtherFilesystems mounts a tmpfs below the source (cli.md 3.8 #65).
func TestOtherFilesystems(t *testing.T) {
	t.Chdir(t.TempDir())
	buildTree(t, "src", []node{{path: "a", kind: 'f', size: 1}, {path: "mnt/in", kind: 'd'}, {path: "z/f", kind: 'f', size: 1}})
	if out, err := exec.Command("mount", "-t", "tmpfs", "none", "src/mnt").CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "src/mnt").Run() })
	buildTree(t, "src", []node{{path: "mnt/inner/f", kind: 'f', size: 1}})
	compareOracle(t, "src", []oracleCase{
		{name: "65", args: a("--exclude-other-filesystems")},
		{name: "65-include-first", args: a("--include", "src/mnt/inner", "--exclude-other-filesystems")},
	})
}

// TestClassicPattern is cli.md 3.9 on the real root file system: only
// /etc and /home are read.
func TestClassicPattern(t *testing.T) {
	if testing.Short() {
		t.Skip("reads /etc")
	}
	t.Chdir(t.TempDir())
	compareOracle(t, "/", []oracleCase{
		{name: "3.9", args: a("--exclude-fifos", "--exclude-sockets", "--exclude", "/etc/ssl",
			"--include", "/etc", "--include", "/home", "--exclude", "**")},
	})
}

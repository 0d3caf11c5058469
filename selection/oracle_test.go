//go:build unix

package selection

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// node is one entry of a test tree: kind 'f' (file of size bytes), 'd'
// (directory), 'l' (symlink to target), 'p' (FIFO), 's' (socket),
// 'c' (character device 1,3).
type node struct {
	path   string
	kind   byte
	size   int
	target string
}

// buildTree creates nodes under dir (relative paths allowed).
func buildTree(t *testing.T, dir string, nodes []node) {
	t.Helper()
	for _, n := range nodes {
		p := filepath.Join(dir, n.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch n.kind {
		case 'f':
			err = os.WriteFile(p, bytes.Repeat([]byte{'x'}, n.size), 0o644)
		case 'd':
			err = os.MkdirAll(p, 0o755)
		case 'l':
			err = os.Symlink(n.target, p)
		case 'p':
			err = syscall.Mkfifo(p, 0o644)
		case 'c':
			err = syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|3)
		case 's':
			var l *net.UnixListener
			l, err = net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
			if err == nil {
				l.SetUnlinkOnClose(false)
				err = l.Close()
			}
		}
		if err != nil {
			t.Fatalf("building %s: %v", n.path, err)
		}
	}
}

// workedTree is the source tree of cli.md 3.8.
var workedTree = []node{
	{path: "Docs/Readme.TXT", kind: 'f', size: 5},
	{path: "big.bin", kind: 'f', size: 2000},
	{path: "small.bin", kind: 'f', size: 10},
	{path: "etc/hosts", kind: 'f', size: 5},
	{path: "etc/passwd", kind: 'f', size: 5},
	{path: "etc/ssh/sshd_config", kind: 'f', size: 5},
	{path: "home/alice/doc.PY", kind: 'f', size: 5},
	{path: "home/ben/foo.py", kind: 'f', size: 5},
	{path: "home/ben/bar.txt", kind: 'f', size: 5},
	{path: "home/ben/.cache/x", kind: 'f', size: 5},
	{path: "link", kind: 'l', target: "etc/hosts"},
	{path: "nobackup/.nobackup", kind: 'f', size: 0},
	{path: "nobackup/data", kind: 'f', size: 5},
	{path: "spool/fifo", kind: 'p'},
	{path: "spool/sock", kind: 's'},
	{path: "usr/local/bin/tool", kind: 'f', size: 5},
	{path: "usr/local/doc/readme", kind: 'f', size: 5},
	{path: "usr/local/man/m1", kind: 'f', size: 5},
	{path: "var/cache/apt/pkg.deb", kind: 'f', size: 5},
	{path: "var/log/syslog", kind: 'f', size: 5},
	{path: "weird[1].txt", kind: 'f', size: 5},
}

// oracleCase is one run: global options (before the action), backup
// options, and what is on standard input.
type oracleCase struct {
	name   string
	global []string
	args   []string
	stdin  string
}

type oracleResult struct {
	paths  []string // backed-up paths below the root, sorted
	stderr string
	code   int
}

const currentTime = "1700000000"

var repoCounter atomic.Int64

// runOracle runs rdiff-backup for every case (two at a time) in the
// current directory, backing up src into repo-<i>, and lists the mirrors.
func runOracle(t *testing.T, src string, cases []oracleCase) []oracleResult {
	t.Helper()
	if _, err := exec.LookPath("rdiff-backup"); err != nil {
		t.Skip("rdiff-backup not installed")
	}
	res := make([]oracleResult, len(cases))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			repo := fmt.Sprintf("repo-%d", repoCounter.Add(1))
			args := append(append(slices.Clone(c.global), "--current-time", currentTime, "backup"), c.args...)
			args = append(args, src, repo)
			cmd := exec.Command("rdiff-backup", args...)
			cmd.Stdin = strings.NewReader(c.stdin)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			r := oracleResult{stderr: stderr.String()}
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				r.code = ee.ExitCode()
			} else if err != nil {
				r.code = -1
				r.stderr += err.Error()
			}
			if r.code == 0 {
				r.paths = listMirror(repo)
			}
			res[i] = r
		}()
	}
	wg.Wait()
	return res
}

// listMirror lists a mirror below its root, without rdiff-backup-data.
func listMirror(repo string) []string {
	var out []string
	_ = filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == repo {
			return nil
		}
		rel := filepath.ToSlash(p[len(repo)+1:])
		if rel == "rdiff-backup-data" {
			return fs.SkipDir
		}
		out = append(out, rel)
		return nil
	})
	slices.Sort(out)
	return out
}

// optionsFromArgs turns backup options into Options the way the CLI will:
// every selection flag in order, its argument after it.
func optionsFromArgs(t *testing.T, global, args []string) ([]Option, Config) {
	t.Helper()
	var cfg Config
	if slices.Contains(global, "--null-separator") {
		cfg.NullSeparator = true
	}
	var opts []Option
	for i := 0; i < len(args); i++ {
		k, stdin, ok := KindFromFlag(args[i])
		if !ok {
			t.Fatalf("not a selection flag: %s", args[i])
		}
		o := Option{Kind: k, Stdin: stdin}
		if k.TakesArg() && !stdin {
			i++
			o.Arg = args[i]
		}
		opts = append(opts, o)
	}
	return opts, cfg
}

// ourRun builds a Set for src and walks it, returning the selected paths
// below the root, sorted, and the warnings.
func ourRun(t *testing.T, src string, c oracleCase) ([]string, []string, error) {
	t.Helper()
	opts, cfg := optionsFromArgs(t, c.global, c.args)
	cfg.Stdin = strings.NewReader(c.stdin)
	var warns []string
	cfg.Warn = func(m string) { warns = append(warns, m) }
	set, err := New(src, opts, cfg)
	if err != nil {
		return nil, warns, err
	}
	var got []string
	var prev string
	err = Walk(context.Background(), src, set, func(rel string, fi fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if rel != "." {
			if prev != "" && cmpPath(prev, rel) >= 0 {
				t.Errorf("%s: walk order: %q after %q", c.name, rel, prev)
			}
			prev = rel
			got = append(got, rel)
		}
		return nil
	})
	slices.Sort(got)
	return got, warns, err
}

// compareOracle runs every case with rdiff-backup and with this package and
// reports differences: the selected sets, or the fatal error text.
func compareOracle(t *testing.T, src string, cases []oracleCase) {
	t.Helper()
	oracle := runOracle(t, src, cases)
	for i, c := range cases {
		want := oracle[i]
		got, warns, err := ourRun(t, src, c)
		switch {
		case want.code != 0 && err == nil:
			t.Errorf("%s: rdiff-backup failed (exit %d: %s) but we selected %q", c.name, want.code, want.stderr, got)
		case want.code == 0 && err != nil:
			t.Errorf("%s: we failed: %v; rdiff-backup selected %q", c.name, err, want.paths)
		case err != nil:
			msg := "Fatal Error: " + err.Error()
			if !strings.Contains(want.stderr, msg) {
				t.Errorf("%s: message differs\nours:   %q\ntheirs: %q", c.name, msg, want.stderr)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v does not wrap ErrInvalid", c.name, err)
			}
		default:
			if testing.Verbose() {
				t.Logf("%s: %q", c.name, got)
			}
			if !slices.Equal(got, want.paths) {
				t.Errorf("%s: selection differs\nours:   %q\ntheirs: %q", c.name, got, want.paths)
			}
			for _, w := range warns {
				if !strings.Contains(want.stderr, "WARNING: "+w) {
					t.Errorf("%s: warning %q not printed by rdiff-backup: %q", c.name, w, want.stderr)
				}
			}
			if n := strings.Count(want.stderr, "WARNING: "); n != len(warns) {
				t.Errorf("%s: %d warnings, rdiff-backup printed %d: %q", c.name, len(warns), n, want.stderr)
			}
		}
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func a(s ...string) []string { return s }

// TestWorkedExamples runs every example of cli.md 3.8 against rdiff-backup.
func TestWorkedExamples(t *testing.T) {
	t.Chdir(t.TempDir())
	buildTree(t, "src", workedTree)
	writeFile(t, "L1", "src/usr/local\n- src/usr/local/doc\nsrc/usr/local/bin\n+ src/var\n- src/var\n")
	writeFile(t, "L2", "src/etc\nsrc/home/ben/foo.py\n")
	writeFile(t, "L3", "src/etc/**\n")
	writeFile(t, "G", "src/home/**.py\n- src/var\nsrc/etc\n")
	writeFile(t, "B", "etc\n")
	writeFile(t, "N", "src/etc\x00src/home\x00")
	writeFile(t, "C", "src/etc\r\nsrc/home\r\n\r\n")
	ex := "--exclude"
	in := "--include"
	cases := []oracleCase{
		{name: "1", args: nil},
		{name: "2", args: a(in, "src/etc", in, "src/home", ex, "**")},
		{name: "3", args: a(ex, "src/var")},
		{name: "4a", args: a(ex, "src/var/")},
		{name: "4b", args: a(ex, "src//var")},
		{name: "5", args: a(ex, "var")},
		{name: "6a", args: a(ex, "**/var")},
		{name: "6b", args: a(ex, "*/var")},
		{name: "7", args: a(in, "src/usr/local/bin", ex, "src/usr/local")},
		{name: "8", args: a(ex, "src/usr/local", in, "src/usr/local/bin")},
		{name: "9", args: a(in, "src/usr", ex, "src/usr/local/doc", ex, "**")},
		{name: "10", args: a(ex, "src/usr/local/doc", in, "src/usr", ex, "**")},
		{name: "11", args: a(in, "src/etc/hosts", ex, "**")},
		{name: "12", args: a(in, "src/home/*", ex, "**")},
		{name: "13", args: a(ex, "src/home/ben", in, "src/home", ex, "**")},
		{name: "14", args: a(in, "src/home/ben/foo.py", ex, "src/home")},
		{name: "15", args: a(in, "src/home/**.py", ex, "**")},
		{name: "16", args: a(in, "ignorecase:src/home/**.py", ex, "**")},
		{name: "17", args: a(in, "src/home/**.py", ex, "src/home")},
		{name: "18", args: a(ex, "src/home", in, "src/home/**.py", ex, "**")},
		{name: "19", args: a(in, "ignorecase:src/docs", ex, "**")},
		{name: "20", args: a(in, "src/**/ssh", ex, "**")},
		{name: "21", args: a(in, "**/ssh/**", ex, "**")},
		{name: "22", args: a(in, "src/e?c", ex, "**")},
		{name: "23", args: a(ex, "**.txt")},
		{name: "24", args: a(ex, "**/*.txt")},
		{name: "25", args: a(ex, "src/**/*.txt")},
		{name: "26", args: a(ex, "src/*.txt")},
		{name: "27", args: a(ex, "src/weird[1].txt")},
		{name: "28", args: a(ex, `src/weird\[1\].txt`)},
		{name: "29", args: a(ex, "src/?ink")},
		{name: "30", args: a(ex, "src/[a-c]*")},
		{name: "31", args: a(ex, "src/[!a-c]*")},
		{name: "32", args: a(ex, "src/[^a-u]*")},
		{name: "33", args: a(ex, "src/home/*")},
		{name: "34", args: a(ex, "src/home/**")},
		{name: "35", args: a(ex, "src/home**")},
		{name: "36", args: a(ex, "src/home/*/")},
		{name: "37a", args: a(ex, "**")},
		{name: "37b", args: a(ex, "src")},
		{name: "38", args: a("--exclude-fifos", "--exclude-sockets")},
		{name: "39", args: a("--exclude-symbolic-links")},
		{name: "40", args: a("--exclude-special-files")},
		{name: "41", args: a("--include-symbolic-links", ex, "**")},
		{name: "42", args: a("--include-special-files", ex, "**")},
		{name: "44", args: a("--exclude-if-present", ".nobackup")},
		{name: "45", args: a("--include-if-present", ".nobackup", ex, "**")},
		{name: "46", args: a(in, "src/nobackup", "--exclude-if-present", ".nobackup")},
		{name: "47", args: a("--max-file-size", "100")},
		{name: "48", args: a("--min-file-size", "100")},
		{name: "49", args: a("--exclude-regexp", "cache")},
		{name: "50", args: a("--exclude-regexp", "^src/home$")},
		{name: "51", args: a("--include-regexp", `\.py$`, ex, "**")},
		{name: "52", args: a("--exclude-regexp", "^src/home/", in, "src/home", ex, "**")},
		{name: "53", args: a("--include-filelist", "L1", ex, "**")},
		{name: "54", args: a("--include-filelist", "L1")},
		{name: "55", args: a("--include-filelist", "L2", ex, "**")},
		{name: "56", args: a("--exclude-filelist", "L2")},
		{name: "57", args: a("--include-filelist", "L3", ex, "**")},
		{name: "58", args: a("--include-globbing-filelist", "G", ex, "**")},
		{name: "59", args: a("--exclude-globbing-filelist", "G")},
		{name: "60", args: a("--include-filelist", "B", ex, "**")},
		{name: "61", args: a("--include-filelist-stdin", ex, "**"), stdin: "src/etc\n"},
		{name: "62", args: a("--include-globbing-filelist-stdin", ex, "**"), stdin: "src/etc\n"},
		{name: "63", global: a("--null-separator"), args: a("--include-filelist", "N", ex, "**")},
		{name: "64", args: a("--include-filelist", "C", ex, "**")},
		// 3.7 errors
		{name: "err-slashes", args: a(ex, "src/v*//x")},
		{name: "err-size", args: a("--min-file-size", "0")},
		{name: "err-last-include-glob", args: a(in, "src/home/**.py")},
		{name: "err-last-include-filelist", args: a("--include-filelist", "L2")},
		{name: "err-last-include-links", args: a(ex, "**", "--include-symbolic-links")},
		{name: "err-last-include-present", args: a(ex, "**", "--include-if-present", "x")},
		{name: "err-last-include-regexp", args: a(ex, "**", "--include-regexp", "x")},
		{name: "err-prefix-glob", args: a(ex, "foo/**/bar")},
		{name: "err-prefix-dot", args: a(ex, "./src/var")},
	}
	compareOracle(t, "src", cases)
}

// TestIncludeFifos: rdiff-backup crashes on --include-fifos (cli.md 3.5);
// gordiff implements the natural counterpart.
func TestIncludeFifos(t *testing.T) {
	t.Chdir(t.TempDir())
	buildTree(t, "src", workedTree)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{a("--include-fifos", "--exclude", "**"), nil},
		{a("--include-fifos", "--include", "src/spool", "--exclude", "**"), a("spool", "spool/fifo", "spool/sock")},
		{a("--include-fifos", "--exclude", "src/spool/*"), nil},
	} {
		got, _, err := ourRun(t, "src", oracleCase{name: strings.Join(c.args, " "), args: c.args})
		if err != nil {
			t.Fatal(err)
		}
		if c.want != nil && !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q want %q", c.args, got, c.want)
		}
		if len(c.args) == 3 && slices.Contains(got, "spool/sock") {
			t.Errorf("%q: socket kept: %q", c.args, got)
		}
	}
}

//go:build unix

package selection

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

func TestPyBytesRepr(t *testing.T) {
	for in, want := range map[string]string{
		"src/var":   `b'src/var'`,
		"it's":      `b"it's"`,
		`a'b"c`:     `b'a\'b"c'`,
		"t\xe9\n\\": `b't\xe9\n\\'`,
		"":          `b''`,
	} {
		if got := pyBytesRepr(in); got != want {
			t.Errorf("pyBytesRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNormalizeBase(t *testing.T) {
	for in, want := range map[string]string{
		"src": "src", "src/": "src", "./src": "src", "src//./x/": "src/x", "x/../src": "x/../src",
		"/": "/", "//": "/", "/tmp/": "/tmp", ".": ".", "./": ".", "//srv/share": "//srv/share",
	} {
		if got := NormalizeBase(in); got != want {
			t.Errorf("NormalizeBase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKindFromFlag(t *testing.T) {
	for _, c := range []struct {
		flag  string
		kind  Kind
		stdin bool
		ok    bool
	}{
		{"--exclude", KindExclude, false, true},
		{"include-globbing-filelist-stdin", KindIncludeGlobbingFilelist, true, true},
		{"--exclude-regexp-stdin", KindInvalid, false, false},
		{"--max-file-size", KindMaxFileSize, false, true},
		{"--verbosity", KindInvalid, false, false},
	} {
		k, stdin, ok := KindFromFlag(c.flag)
		if k != c.kind || stdin != c.stdin || ok != c.ok {
			t.Errorf("KindFromFlag(%q) = %v %v %v", c.flag, k, stdin, ok)
		}
	}
	for k := KindInclude; k < kindCount; k++ {
		if got, _, ok := KindFromFlag(k.String()); !ok || got != k {
			t.Errorf("round trip of %v failed", k)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		opts []Option
		want string
	}{
		{[]Option{{Kind: KindExclude, Arg: "src/[z-a]"}}, "bad character range z-a"},
		{[]Option{{Kind: KindExclude, Arg: "ignorecase:SRC/v*//x"}}, "Consecutive '/'s found in globbing string SRC/v*//x"},
		{[]Option{{Kind: KindMaxFileSize, Arg: "-3"}}, "not '-3'"},
		{[]Option{{Kind: KindMaxFileSize, Arg: "abc"}}, "not 'abc'"},
		{[]Option{{Kind: KindExcludeRegexp, Arg: "["}}, "Failed compiling regular expression ["},
		{[]Option{{Kind: KindExcludeRegexp, Arg: `(a)\1`}}, "Failed compiling regular expression"},
		{[]Option{{Kind: KindIncludeFilelist, Arg: "/nonexistent/list"}}, "/nonexistent/list"},
		{[]Option{{Kind: KindExcludeIfPresent}}, "empty file name"},
		{[]Option{{Kind: KindInvalid}}, "not a selection option"},
		{[]Option{{Kind: KindExclude, Arg: "**"}, {Kind: KindInclude, Arg: "**"}}, "Command-line include glob: b'**'"},
	} {
		_, err := New("src", c.opts, Config{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.opts, err, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	set, err := New("/data/", []Option{
		{Kind: KindInclude, Arg: "/data/home/**.py"},
		{Kind: KindExclude, Arg: "/data/home"},
		{Kind: KindInclude, Arg: "/data/etc/hosts"},
		{Kind: KindExclude, Arg: "**"},
	}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := os.Lstat(".")
	for rel, want := range map[string]Result{
		".": Include, "rdiff-backup-data": Exclude, "home": Scan, "home/x": Scan,
		"home/x/a.py": Include, "etc": Include, "etc/hosts": Include, "etc/hosts/x": Include,
		"etc/passwd": Exclude, "var": Exclude, "sub/rdiff-backup-data": Exclude,
	} {
		if got := set.Match(rel, dir); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
	if set.Base() != "/data" {
		t.Errorf("Base() = %q", set.Base())
	}
}

func TestWalkControl(t *testing.T) {
	t.Chdir(t.TempDir())
	buildTree(t, "src", workedTree)
	buildTree(t, "src", []node{{path: "rdiff-backup-data/x", kind: 'f'}, {path: "etc/rdiff-backup-data/y", kind: 'f'}})
	var got []string
	err := Walk(context.Background(), "src/", nil, func(rel string, fi fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		got = append(got, rel)
		if rel == "home" || rel == "link" {
			return fs.SkipDir // a directory's content is skipped; ignored for a file
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(got, " ")
	if strings.Contains(joined, "home/") || !strings.Contains(joined, "nobackup") ||
		strings.Contains(joined, " rdiff-backup-data") || !strings.Contains(joined, "etc/rdiff-backup-data/y") ||
		got[0] != "." {
		t.Errorf("walk: %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Walk(ctx, "src", nil, func(string, fs.FileInfo, error) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: %v", err)
	}
	set, _ := New("src", nil, Config{})
	if err := Walk(context.Background(), "other", set, func(string, fs.FileInfo, error) error { return nil }); err == nil {
		t.Error("walk with a set for another base succeeded")
	}
	stop := errors.New("stop")
	if err := Walk(context.Background(), "src", set, func(rel string, _ fs.FileInfo, _ error) error {
		if rel == "etc/hosts" {
			return stop
		}
		return nil
	}); err != stop {
		t.Errorf("stopped walk: %v", err)
	}
}

// TestWalkListError: a directory that cannot be listed is reported through
// fn and the walk goes on.
func TestWalkListError(t *testing.T) {
	t.Chdir(t.TempDir())
	buildTree(t, "src", []node{{path: "a/f", kind: 'f'}, {path: "b/f", kind: 'f'}})
	set, _ := New("src", nil, Config{})
	// "a" changes after it is yielded: it must not be listed ahead.
	defer func(n int) { maxAhead = n }(maxAhead)
	maxAhead = 0
	var errs, seen []string
	err := Walk(context.Background(), "src", set, func(rel string, fi fs.FileInfo, err error) error {
		if err != nil {
			errs = append(errs, rel)
			return nil
		}
		seen = append(seen, rel)
		if rel == "a" {
			// make "a" unlistable whatever our privileges: replace it by a file
			if err := os.RemoveAll("src/a"); err != nil {
				return err
			}
			return os.WriteFile("src/a", nil, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(errs, ",") != "a" || strings.Join(seen, ",") != ".,a,b,b/f" {
		t.Errorf("errors %q, seen %q", errs, seen)
	}
}

func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	var nodes []node
	for i := range 2000 {
		nodes = append(nodes, node{path: "d" + string(rune('a'+i%20)) + "/sub/f" + strings.Repeat("x", i%7) + string(rune('A'+i%26)) + string(rune('0'+i%10)), kind: 'f'})
	}
	t := &testing.T{}
	buildTree(t, dir, nodes)
	set, err := New(dir, []Option{{Kind: KindExclude, Arg: dir + "/**.tmp"}, {Kind: KindInclude, Arg: dir + "/d*/**"}, {Kind: KindExclude, Arg: "**"}}, Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		_ = Walk(context.Background(), dir, set, func(string, fs.FileInfo, error) error { n++; return nil })
	}
}

package selection

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// refGlobRegexp writes the glob as rdiff-backup's glob_to_re does, as a Go
// regular expression over latin1-mapped strings: an independent reference
// for the token compiler and its automaton.
func refGlobRegexp(pat string) string {
	var b strings.Builder
	lit := func(c byte) { fmt.Fprintf(&b, `\x{%x}`, c) }
	n := len(pat)
	for i := 0; i < n; {
		c := pat[i]
		i++
		switch {
		case c == '\\':
			if i < n {
				lit(pat[i])
				i++
			} else {
				lit('\\')
			}
		case c == '*' && i < n && pat[i] == '*':
			b.WriteString(`(?s:.*)`)
			i++
		case c == '*':
			b.WriteString(`[^/]*`)
		case c == '?':
			b.WriteString(`[^/]`)
		case c == '[':
			j := i
			if j < n && (pat[j] == '!' || pat[j] == '^') {
				j++
			}
			if j < n && pat[j] == ']' {
				j++
			}
			for j < n && pat[j] != ']' {
				j++
			}
			if j >= n {
				lit('[')
				continue
			}
			stuff := pat[i:j]
			b.WriteByte('[')
			if stuff[0] == '!' || stuff[0] == '^' {
				b.WriteByte('^')
				stuff = stuff[1:]
			}
			for k := 0; k < len(stuff); k++ {
				if stuff[k] == '-' && k > 0 && k < len(stuff)-1 {
					b.WriteByte('-')
				} else {
					lit(stuff[k])
				}
			}
			b.WriteByte(']')
			i = j + 1
		default:
			lit(c)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"src/home/**.py", "src/home/ben/foo.py"},
		{"ignorecase:src/[a-c]*", "src/Big"},
		{"src/weird[1].txt", "src/weird1.txt"},
		{`src/weird\[1\].txt`, "src/weird[1].txt"},
		{"src/[!a-c]*", "src/d/x"},
		{"src/[]a]x", "src/]x"},
		{"src/fo?", "src/foo\n"},
		{"**/ssh/**", "src/etc/ssh"},
		{"src/home/*/", "src/home/ben/"},
		{"src/[abc", "src/[abc"},
		{"/**/var", "/tmp/src/var"},
		{"src/x[!a]y", "src/x/y"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, path string) {
		m, _, err := newGlobMatcher(pat)
		fold := hasIgnoreCase(pat)
		body := pat
		if fold {
			body = pat[len(ignoreCasePrefix):]
		}
		src := `^(?:` + refGlobRegexp(body) + `)(?:\z|/|\n\z)`
		if fold {
			src = "(?i)" + src
		}
		ref, rerr := regexp.Compile(src)
		if err != nil {
			if _, ok := err.(*GlobError); !ok {
				t.Fatalf("%q: error of type %T: %v", pat, err, err)
			}
			if rerr == nil && !strings.Contains(err.Error(), "Consecutive") {
				t.Fatalf("%q: we refuse (%v), the reference %q compiles", pat, err, src)
			}
			return
		}
		if rerr != nil {
			t.Fatalf("%q: we compile, the reference %q does not: %v", pat, src, rerr)
		}
		if fold && !isASCII(body) {
			return // Go folds Latin-1 letters, Python's bytes patterns do not
		}
		got := m.matches(path)
		want := ref.MatchString(latin1(path))
		if got != want {
			t.Fatalf("glob %q path %q: got %v, reference %q says %v", pat, path, got, src, want)
		}
		_ = m.scans(path)
	})
}

// refFilelist is rdiff-backup's filelist function: a cursor over the
// sorted entries, moved as paths are visited in order.
type refFilelist struct {
	entries []flEntry
	i       int
}

func (r *refFilelist) pairMatch(rel string, e flEntry) (answer, bool) {
	if e.include {
		switch c := cmpPath(e.path, rel); {
		case c < 0:
			return noAnswer, true
		case c == 0:
			return ansInclude, true
		case hasPathPrefix(e.path, rel):
			return ansInclude, false
		}
		return noAnswer, false
	}
	if hasPathPrefix(rel, e.path) {
		return ansExclude, false
	}
	if cmpPath(e.path, rel) < 0 {
		return noAnswer, true
	}
	return noAnswer, false
}

func (r *refFilelist) eval(rel string) answer {
	for r.i < len(r.entries) {
		ans, moveOn := r.pairMatch(rel, r.entries[r.i])
		if moveOn {
			r.i++
			if ans == noAnswer {
				continue
			}
		}
		return ans
	}
	return noAnswer
}

func FuzzFilelist(f *testing.F) {
	f.Add([]byte("src/usr/local\n- src/usr/local/doc\nsrc/usr/local/bin\n+ src/var\n- src/var\n"), false)
	f.Add([]byte("- src/a/b\n+ src/a/c\n"), false)
	f.Add([]byte("src/etc\x00src/home\x00"), true)
	f.Add([]byte("src/etc\r\nsrc/home\r\n\r\n- src\n"), false)
	f.Add([]byte("etc\nx\ny\nz\nw\nv\nsrc/a-b/c\nsrc/a/b\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, null bool) {
		set, err := New("src", []Option{
			{Kind: KindIncludeFilelist, Arg: "fuzz", Data: data},
			{Kind: KindExclude, Arg: "**"},
		}, Config{NullSeparator: null, Warn: func(string) {}})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		fl := set.tests[1].list
		if !slices.IsSortedFunc(fl.entries, func(a, b flEntry) int { return cmpPath(a.path, b.path) }) {
			t.Fatalf("entries not sorted: %+v", fl.entries)
		}
		// Visit, in order, every entry, its ancestors and neighbours.
		seen := map[string]bool{}
		var paths []string
		for _, e := range fl.entries {
			for p := e.path; p != ""; {
				for _, q := range []string{p, p + "-", p + "/0", p + "0"} {
					if !seen[q] {
						seen[q] = true
						paths = append(paths, q)
					}
				}
				i := strings.LastIndexByte(p, '/')
				if i < 0 {
					break
				}
				p = p[:i]
			}
		}
		slices.SortFunc(paths, cmpPath)
		ref := &refFilelist{entries: fl.entries}
		for _, p := range paths {
			if strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.HasSuffix(p, "/") {
				continue
			}
			want := ref.eval(p)
			if got := fl.eval(p); got != want {
				t.Fatalf("%q: got %d, cursor says %d (entries %+v)", p, got, want, fl.entries)
			}
		}
	})
}

func FuzzPythonRegexp(f *testing.F) {
	for _, s := range []string{`\.py$`, `(?i)^SRC/a{,1}bc\Z`, `a(?!b)`, `[[:alpha:]]`, `(?P<x>a)(?P=x)`, `\`, `[`, `t\xe9$`, `(?m)^a$`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pat string) {
		re, err := compilePythonRegexp(pat)
		if err != nil {
			return
		}
		_ = re.MatchString(latin1("src/" + pat))
	})
}

package selection

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Result is the answer of a Set for one entry.
type Result uint8

// The answers, with rdiff-backup's numbering (0 exclude, 1 include, 2 scan).
const (
	// Exclude: the entry is not backed up; a directory is not descended.
	Exclude Result = 0
	// Include: the entry is backed up; a directory is descended.
	Include Result = 1
	// Scan: a directory that is descended and kept only if something
	// below it is kept; a non-directory answered Scan is dropped.
	Scan Result = 2
)

// String returns "exclude", "include" or "scan".
func (r Result) String() string {
	switch r {
	case Exclude:
		return "exclude"
	case Include:
		return "include"
	case Scan:
		return "scan"
	}
	return "invalid"
}

// answer is what one test says about an entry.
type answer uint8

const (
	noAnswer answer = iota
	ansExclude
	ansInclude
	ansScan
)

// testKind tells how a test decides.
type testKind uint8

const (
	tAll      testKind = iota // "**": always
	tTuple                    // literal path
	tGlob                     // glob
	tRegexp                   // regular expression
	tFilelist                 // plain filelist
	tPresence                 // --*-if-present
	tType                     // file type mask
	tOtherFS                  // --*-other-filesystems
	tMaxSize                  // --max-file-size
	tMinSize                  // --min-file-size
)

// test is one selection test (rdiff-backup's selection function).
type test struct {
	kind    testKind
	include bool   // the answer when it matches: include (else exclude)
	name    string // rdiff-backup's name for it, for the last-test error
	excl    bool   // can exclude something

	tuple    string // tTuple: path below the base, components joined by '/'
	glob     *globMatcher
	re       *regexp.Regexp
	list     *filelist
	presence string
	types    fs.FileMode
	size     int64
}

// Set is a compiled list of selection tests. It is safe for concurrent
// use by several goroutines.
type Set struct {
	base       string // normalised base path, as patterns see it
	prefix     string // base followed by '/' unless it already ends with one
	baseIndex  []string
	tests      []test
	rootDev    uint64
	hasRootDev bool
	ids        processIDs
}

// NormalizeBase returns path the way rdiff-backup normalises a base
// directory before matching patterns against it: empty and "." components
// dropped, a trailing slash dropped, ".." kept, a relative path stays
// relative ("." if nothing is left), "/" stays "/".
func NormalizeBase(path string) string {
	parts := make([]string, 0, strings.Count(path, "/")+1)
	for _, p := range strings.Split(path, "/") {
		if p != "" && p != "." {
			parts = append(parts, p)
		}
	}
	joined := strings.Join(parts, "/")
	switch {
	case strings.HasPrefix(path, "/"):
		if len(path) > 2 && path[1] == '/' && isAlnum(path[2]) {
			return "//" + joined // a Windows share, as rdiff-backup assumes
		}
		return "/" + joined
	case joined == "":
		return "."
	}
	return joined
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func splitComponents(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// New compiles the selection options, in command-line order, for the tree
// whose base path is base (the source directory as written on the command
// line; for restore, the target). Patterns must be absolute or relative in
// the same way base is, and start with it. Filelists are read here (from
// Option.Data, the named file, or Config.Stdin).
//
// Errors are rdiff-backup's start-up errors: *PrefixError, *GlobError,
// *SizeError, *RegexpError, *LastIncludeError (all wrapping ErrInvalid),
// or an I/O error reading a filelist or the base.
func New(base string, opts []Option, cfg Config) (*Set, error) {
	s := &Set{base: NormalizeBase(base)}
	s.prefix = s.base
	if !strings.HasSuffix(s.prefix, "/") {
		s.prefix += "/"
	}
	s.baseIndex = splitComponents(s.base)
	s.ids = currentProcessIDs()
	for _, o := range opts {
		if err := s.add(o, cfg); err != nil {
			return nil, err
		}
	}
	if n := len(s.tests); n > 0 && !s.tests[n-1].excl {
		return nil, &LastIncludeError{Name: s.tests[n-1].name}
	}
	// rdiff-backup always puts this first: a repository's own data is never
	// part of a backup of the directory holding it.
	s.tests = append([]test{{kind: tTuple, tuple: "rdiff-backup-data", excl: true,
		name: "Tuple select ('rdiff-backup-data',)"}}, s.tests...)
	return s, nil
}

// Base returns the normalised base path the patterns are matched against.
func (s *Set) Base() string { return s.base }

// relIndex returns spec's components below the base, joined by '/', or a
// PrefixError when spec does not start with the base.
func (s *Set) relIndex(spec string) (string, error) {
	comps := splitComponents(spec)
	if len(comps) < len(s.baseIndex) {
		return "", &PrefixError{Spec: spec, Base: s.base}
	}
	for i, c := range s.baseIndex {
		if comps[i] != c {
			return "", &PrefixError{Spec: spec, Base: s.base}
		}
	}
	return strings.Join(comps[len(s.baseIndex):], "/"), nil
}

func (s *Set) add(o Option, cfg Config) error {
	include := false
	switch o.Kind {
	case KindInclude, KindIncludeRegexp, KindIncludeFilelist, KindIncludeGlobbingFilelist,
		KindIncludeIfPresent, KindIncludeSpecialFiles, KindIncludeSymbolicLinks,
		KindIncludeDeviceFiles, KindIncludeSockets, KindIncludeFifos, KindIncludeOtherFilesystems:
		include = true
	}
	switch o.Kind {
	case KindInclude, KindExclude:
		t, err := s.globTest(o.Arg, include)
		if err != nil {
			return err
		}
		s.tests = append(s.tests, t)
	case KindIncludeRegexp, KindExcludeRegexp:
		re, err := compilePythonRegexp(o.Arg)
		if err != nil {
			return &RegexpError{Regexp: o.Arg, Err: err}
		}
		s.tests = append(s.tests, test{kind: tRegexp, include: include, excl: !include, re: re,
			name: "Regular expression: " + o.Arg})
	case KindIncludeFilelist, KindExcludeFilelist:
		data, name, err := readFilelist(o, cfg)
		if err != nil {
			return err
		}
		fl, somethingExcluded := s.parseFilelist(data, name, include, cfg)
		s.tests = append(s.tests, test{kind: tFilelist, include: include, list: fl,
			excl: somethingExcluded || !include, name: "Filelist: " + name})
	case KindIncludeGlobbingFilelist, KindExcludeGlobbingFilelist:
		data, _, err := readFilelist(o, cfg)
		if err != nil {
			return err
		}
		for _, line := range splitFilelist(data, cfg.NullSeparator) {
			inc := include
			if strings.HasPrefix(line, "+ ") {
				inc, line = true, line[2:]
			} else if strings.HasPrefix(line, "- ") {
				inc, line = false, line[2:]
			}
			t, err := s.globTest(line, inc)
			if err != nil {
				return err
			}
			s.tests = append(s.tests, t)
		}
	case KindIncludeIfPresent, KindExcludeIfPresent:
		if o.Arg == "" {
			return &OptionError{Option: o, Reason: "empty file name"}
		}
		s.tests = append(s.tests, test{kind: tPresence, include: include, excl: !include,
			presence: o.Arg, name: "Presence file: " + o.Arg})
	case KindIncludeSpecialFiles, KindExcludeSpecialFiles, KindIncludeSymbolicLinks,
		KindExcludeSymbolicLinks, KindIncludeDeviceFiles, KindExcludeDeviceFiles,
		KindIncludeSockets, KindExcludeSockets, KindIncludeFifos, KindExcludeFifos:
		ik := o.Kind
		if !include {
			ik-- // the include kind precedes its exclude twin
		}
		verb := "exclude "
		if include {
			verb = "include "
		}
		s.tests = append(s.tests, test{kind: tType, include: include, excl: !include,
			types: typeMasks[ik], name: verb + typeNames[o.Kind]})
	case KindIncludeOtherFilesystems, KindExcludeOtherFilesystems:
		if !s.hasRootDev {
			fi, err := os.Lstat(s.base)
			if err != nil {
				return fmt.Errorf("selection: %s: %w", o.Kind, err)
			}
			dev, ok := deviceOf(fi)
			if !ok {
				return fmt.Errorf("selection: %s: %w", o.Kind, errNoDevice)
			}
			s.rootDev, s.hasRootDev = dev, true
		}
		s.tests = append(s.tests, test{kind: tOtherFS, include: include, excl: !include,
			name: "Match other filesystems"})
	case KindMaxFileSize, KindMinFileSize:
		n, err := strconv.ParseInt(strings.TrimSpace(o.Arg), 10, 64)
		if err != nil || n <= 0 {
			return &SizeError{Arg: o.Arg}
		}
		k, name := tMaxSize, "Maximum"
		if o.Kind == KindMinFileSize {
			k, name = tMinSize, "Minimum"
		}
		s.tests = append(s.tests, test{kind: k, size: n, excl: true,
			name: fmt.Sprintf("%s size %d", name, n)})
	default:
		return &OptionError{Option: o, Reason: "not a selection option"}
	}
	return nil
}

// typeNames and typeMasks describe the file-type tests.
var typeNames = map[Kind]string{
	KindIncludeSpecialFiles: "special files", KindExcludeSpecialFiles: "special files",
	KindIncludeSymbolicLinks: "symbolic links", KindExcludeSymbolicLinks: "symbolic links",
	KindIncludeDeviceFiles: "device files", KindExcludeDeviceFiles: "device files",
	KindIncludeSockets: "socket files", KindExcludeSockets: "socket files",
	KindIncludeFifos: "fifo files", KindExcludeFifos: "fifo files",
}
var typeMasks = map[Kind]fs.FileMode{
	KindIncludeSpecialFiles:  fs.ModeSymlink | fs.ModeSocket | fs.ModeNamedPipe | fs.ModeDevice,
	KindIncludeSymbolicLinks: fs.ModeSymlink, KindIncludeDeviceFiles: fs.ModeDevice,
	KindIncludeSockets: fs.ModeSocket, KindIncludeFifos: fs.ModeNamedPipe,
}

// globTest builds the test of --include/--exclude PATTERN: "**", a literal
// path, or a glob.
func (s *Set) globTest(pat string, include bool) (test, error) {
	verb := "exclude"
	if include {
		verb = "include"
	}
	t := test{include: include, excl: !include,
		name: "Command-line " + verb + " glob: " + pyBytesRepr(pat)}
	switch {
	case pat == "**":
		t.kind = tAll
	case !isGlob(pat):
		rel, err := s.relIndex(pat)
		if err != nil {
			return t, err
		}
		t.kind, t.tuple = tTuple, rel
	default:
		g, shown, err := newGlobMatcher(pat)
		if err != nil {
			return t, err
		}
		if !g.matches(s.base) && !g.scans(s.base) {
			return t, &PrefixError{Spec: shown, Base: s.base}
		}
		t.kind, t.glob = tGlob, g
	}
	return t, nil
}

func readFilelist(o Option, cfg Config) (data []byte, name string, err error) {
	if o.Stdin {
		name = "standard input"
	} else {
		name = o.Arg
	}
	if o.Data != nil {
		return o.Data, name, nil
	}
	if o.Stdin {
		r := cfg.Stdin
		if r == nil {
			r = os.Stdin
		}
		data, err = io.ReadAll(r)
	} else {
		data, err = os.ReadFile(o.Arg)
	}
	if err != nil {
		return nil, name, fmt.Errorf("selection: reading %s %s: %w", o.Kind, name, err)
	}
	return data, name, nil
}

// splitFilelist cuts a filelist into its non-empty lines, trailing CRs
// removed.
func splitFilelist(data []byte, null bool) []string {
	sep := []byte{'\n'}
	if null {
		sep = []byte{0}
	}
	var out []string
	for _, line := range bytes.Split(data, sep) {
		line = bytes.TrimRight(line, "\r")
		if len(line) > 0 {
			out = append(out, string(line))
		}
	}
	return out
}

// Match answers for the entry at rel (the path below the base, components
// separated by '/'; "." or "" for the base itself) whose lstat is fi. The
// base itself is always included. Presence tests look at the file system
// under the base.
func (s *Set) Match(rel string, fi fs.FileInfo) Result {
	if rel == "." || rel == "" {
		return Include
	}
	return s.match(s.prefix+rel, rel, fi)
}

// match runs the tests in order: the first include or exclude decides, an
// exclude after a scan answer becomes a scan, and nothing decided includes.
func (s *Set) match(full, rel string, fi fs.FileInfo) Result {
	scanned := false
	for i := range s.tests {
		switch s.tests[i].eval(s, full, rel, fi) {
		case ansInclude:
			return Include
		case ansExclude:
			if scanned {
				return Scan
			}
			return Exclude
		case ansScan:
			scanned = true
		}
	}
	return Include
}

func (t *test) verdict() answer {
	if t.include {
		return ansInclude
	}
	return ansExclude
}

// hasPathPrefix reports whether the components of p are a leading part of
// the components of s (an empty p is a leading part of everything).
func hasPathPrefix(s, p string) bool {
	if p == "" {
		return true
	}
	return strings.HasPrefix(s, p) && (len(s) == len(p) || s[len(p)] == '/')
}

func (t *test) eval(s *Set, full, rel string, fi fs.FileInfo) answer {
	switch t.kind {
	case tAll:
		return t.verdict()
	case tTuple:
		if hasPathPrefix(rel, t.tuple) || (t.include && hasPathPrefix(t.tuple, rel)) {
			return t.verdict()
		}
	case tGlob:
		if t.glob.matches(full) {
			return t.verdict()
		}
		if t.include && t.glob.scans(full) {
			return ansScan
		}
	case tRegexp:
		if t.re.MatchString(latin1(full)) {
			return t.verdict()
		}
	case tFilelist:
		return t.list.eval(rel)
	case tPresence:
		if fi.IsDir() {
			if s.ids.readable(fi) {
				if _, err := os.Lstat(full + "/" + t.presence); err == nil {
					return t.verdict()
				}
			}
		} else if t.include {
			dir := s.base
			if i := strings.LastIndexByte(full, '/'); i >= 0 {
				dir = full[:i]
				if dir == "" {
					dir = "/"
				}
			}
			if _, err := os.Lstat(dir + "/" + t.presence); err == nil {
				return t.verdict()
			}
		}
	case tType:
		if fi.Mode()&t.types != 0 {
			return t.verdict()
		}
	case tOtherFS:
		if dev, ok := deviceOf(fi); ok && dev != s.rootDev {
			return t.verdict()
		}
	case tMaxSize:
		if fi.Mode().IsRegular() && fi.Size() > t.size {
			return ansExclude
		}
	case tMinSize:
		if fi.Mode().IsRegular() && fi.Size() < t.size {
			return ansExclude
		}
	}
	return noAnswer
}

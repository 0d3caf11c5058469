package selection

import (
	"fmt"
	"strings"
)

// byteSet is a set of bytes, one bit each.
type byteSet [4]uint64

func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}

func (s *byteSet) invert() {
	for i := range s {
		s[i] = ^s[i]
	}
}

// fold widens s so that it matches what Python's bytes regular expressions
// match under re.IGNORECASE: c matches when lower(c) is the lower case of a
// member (ASCII letters only).
func (s *byteSet) fold() {
	var low byteSet
	for c := 0; c < 256; c++ {
		if s.has(byte(c)) {
			low.add(asciiLower(byte(c)))
		}
	}
	var out byteSet
	for c := 0; c < 256; c++ {
		if low.has(asciiLower(byte(c))) {
			out.add(byte(c))
		}
	}
	*s = out
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

var notSlash = func() byteSet {
	var s byteSet
	s.invert()
	s[0] &^= 1 << '/'
	return s
}()

var anyByte = func() byteSet {
	var s byteSet
	s.invert()
	return s
}()

// globToken is one step of a compiled glob: one byte of set, or (star) any
// number of bytes of set.
type globToken struct {
	set  byteSet
	star bool
}

// globProg is a glob compiled into a sequence of tokens, run as a
// non-deterministic automaton over the path's bytes (linear time, no
// backtracking, no allocation for patterns of up to 63 tokens).
type globProg struct {
	toks     []globToken
	byteMask *[256]uint64 // tokens accepting each byte, when fewer than 64 tokens
	starMask uint64       // the star tokens, same condition
}

// compileGlob translates one glob the way rdiff-backup's glob_to_re does
// (into a Python bytes regular expression), but into tokens: "**" is any
// run of bytes, "*" any run without '/', "?" one byte other than '/',
// "[...]" one byte of a set, "\c" the byte c, anything else itself. A
// bracket never closed is a literal '['. fold applies re.IGNORECASE.
func compileGlob(pat string, fold bool) (*globProg, error) {
	p := &globProg{}
	lit := func(c byte) {
		var s byteSet
		s.add(c)
		if fold {
			s.fold()
		}
		p.toks = append(p.toks, globToken{set: s})
	}
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
			p.toks = append(p.toks, globToken{set: anyByte, star: true})
			i++
		case c == '*':
			p.toks = append(p.toks, globToken{set: notSlash, star: true})
		case c == '?':
			p.toks = append(p.toks, globToken{set: notSlash})
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
			set, err := bracketSet(pat[i:j])
			if err != nil {
				return nil, &GlobError{Glob: pat, Reason: err.Error()}
			}
			if fold {
				set.fold()
			}
			if pat[i] == '!' || pat[i] == '^' {
				set.invert()
			}
			p.toks = append(p.toks, globToken{set: set})
			i = j + 1
		default:
			lit(c)
		}
	}
	p.prepare()
	return p, nil
}

// bracketSet reads the inside of a bracket expression (without the
// brackets) as Python's regular expression parser reads the class
// rdiff-backup generates from it: an optional leading '!' or '^' negates
// (handled by the caller), every other byte, backslash included, stands for
// itself, and "a-b" is a range ("-" first or last is literal). A range whose
// end is below its start is an error, as in Python.
func bracketSet(stuff string) (byteSet, error) {
	var s byteSet
	if stuff != "" && (stuff[0] == '!' || stuff[0] == '^') {
		stuff = stuff[1:]
	}
	n := len(stuff)
	for i := 0; i < n; {
		c := stuff[i]
		if i+2 < n && stuff[i+1] == '-' {
			hi := stuff[i+2]
			if hi < c {
				return s, fmt.Errorf("bad character range %c-%c", c, hi)
			}
			s.addRange(c, hi)
			i += 3
			continue
		}
		s.add(c)
		i++
	}
	return s, nil
}

// boundary reports whether position k of path ends a match of rdiff-backup's
// "^glob($|/)": the end, a '/', or a final newline (Python's "$" also
// matches just before a newline that ends the string).
func boundary(path string, k int, prefix bool) bool {
	if k == len(path) {
		return true
	}
	if prefix && path[k] == '/' {
		return true
	}
	return k == len(path)-1 && path[k] == '\n'
}

// match reports whether the glob matches path, or (prefix) a leading part
// of path followed by '/'.
func (p *globProg) match(path string, prefix bool) bool {
	if len(p.toks) < 64 {
		return p.matchSmall(path, prefix)
	}
	return p.matchBig(path, prefix)
}

func (p *globProg) matchSmall(path string, prefix bool) bool {
	if p.byteMask == nil {
		return p.matchBig(path, prefix)
	}
	accept := uint64(1) << len(p.toks)
	stars := p.starMask
	closure := func(s uint64) uint64 {
		for {
			add := (s & stars) << 1
			if add&^s == 0 {
				return s
			}
			s |= add
		}
	}
	cur := closure(1)
	for k := 0; ; k++ {
		if cur&accept != 0 && boundary(path, k, prefix) {
			return true
		}
		if k == len(path) || cur == 0 {
			return false
		}
		m := cur & p.byteMask[path[k]]
		cur = closure((m&^stars)<<1 | m&stars)
	}
}

// prepare builds the bit-parallel tables of a program of fewer than 64
// tokens: for each byte, the tokens that accept it.
func (p *globProg) prepare() {
	if len(p.toks) >= 64 {
		return
	}
	p.byteMask = new([256]uint64)
	for i, t := range p.toks {
		if t.star {
			p.starMask |= 1 << i
		}
		for c := 0; c < 256; c++ {
			if t.set.has(byte(c)) {
				p.byteMask[c] |= 1 << i
			}
		}
	}
}

func (p *globProg) matchBig(path string, prefix bool) bool {
	toks := p.toks
	n := len(toks)
	cur := make([]bool, n+1)
	next := make([]bool, n+1)
	closure := func(s []bool) {
		for i := 0; i < n; i++ {
			if s[i] && toks[i].star {
				s[i+1] = true
			}
		}
	}
	cur[0] = true
	closure(cur)
	for k := 0; ; k++ {
		if cur[n] && boundary(path, k, prefix) {
			return true
		}
		if k == len(path) {
			return false
		}
		c := path[k]
		clear(next)
		any := false
		for i := 0; i < n; i++ {
			if !cur[i] || !toks[i].set.has(c) {
				continue
			}
			any = true
			if toks[i].star {
				next[i] = true
			} else {
				next[i+1] = true
			}
		}
		if !any {
			return false
		}
		closure(next)
		cur, next = next, cur
	}
}

// globMatcher is a compiled --include/--exclude glob: the expression proper
// and, for the scan answer, one expression per leading run of whole
// components of the glob cut after its first "**".
type globMatcher struct {
	full     *globProg
	prefixes []*globProg
}

// isGlob reports whether rdiff-backup treats pat as a glob rather than a
// literal path: it contains '*', '?', '[' or '\', or starts with
// "ignorecase:" in any letter case.
func isGlob(pat string) bool {
	return strings.ContainsAny(pat, `*?[\`) || hasIgnoreCase(pat)
}

const ignoreCasePrefix = "ignorecase:"

func hasIgnoreCase(pat string) bool {
	return len(pat) >= len(ignoreCasePrefix) && strings.EqualFold(pat[:len(ignoreCasePrefix)], ignoreCasePrefix)
}

// newGlobMatcher compiles a glob. It returns the glob as rdiff-backup
// names it in a prefix error (ignorecase: removed, cut after "**").
func newGlobMatcher(pat string) (*globMatcher, string, error) {
	fold := false
	if hasIgnoreCase(pat) {
		fold = true
		pat = pat[len(ignoreCasePrefix):]
	}
	full, err := compileGlob(pat, fold)
	if err != nil {
		return nil, pat, err
	}
	cut := pat
	if i := strings.Index(cut, "**"); i >= 0 {
		cut = cut[:i+2]
	}
	parts := strings.Split(cut, "/")
	if len(parts) > 2 {
		for _, part := range parts[1 : len(parts)-1] {
			if part == "" {
				return nil, cut, &GlobError{Glob: cut}
			}
		}
	}
	m := &globMatcher{full: full}
	for i := range parts {
		pre := strings.Join(parts[:i+1], "/")
		if i == 0 && (pre == "" || isDriveLetter(pre)) {
			pre += "/"
		}
		prog, err := compileGlob(pre, fold)
		if err != nil {
			return nil, cut, err
		}
		m.prefixes = append(m.prefixes, prog)
	}
	return m, cut, nil
}

// isDriveLetter reports "X:" (rdiff-backup keeps the Windows drive root's
// slash even on POSIX).
func isDriveLetter(s string) bool {
	return len(s) == 2 && s[1] == ':' && ('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z')
}

// matches reports whether the glob matches the full path or a leading part
// of it followed by '/'.
func (m *globMatcher) matches(full string) bool { return m.full.match(full, true) }

// scans reports whether the full path matches one of the glob's leading
// parts, so a directory there may hold a match.
func (m *globMatcher) scans(full string) bool {
	for _, p := range m.prefixes {
		if p.match(full, false) {
			return true
		}
	}
	return false
}

package fsfeatures

import "fmt"

// ParseCharsToQuote reads the contents of a chars_to_quote file, the body of
// a Python regular expression character class, and returns the set of bytes
// it matches. rdiff-backup builds the pattern "[" + body + "]|;" from it, so
// the quoting character ';' is quoted in addition (Quoter adds it; the
// returned set holds only what the body itself names).
//
// The accepted syntax is that of Python's re module for bytes patterns inside
// brackets: an optional leading '^' (negation), a ']' right at the start is
// literal, ranges "a-z", a '-' first or last is literal, and the escapes
// \a \b \f \n \r \t \v \\, \xHH (two hex digits), \0 to \377 (up to three
// octal digits), \d \D \s \S \w \W (ASCII classes), and a backslash before any
// other character that is not an ASCII letter or digit. Everything Python
// would reject is an error. So is a body that would close the class early
// (an unescaped ']' before the end), which Python would turn into a
// different, larger regular expression: gordiff only supports a single class.
// An empty body is valid and means "no quoting" (an empty set).
func ParseCharsToQuote(body []byte) (ByteSet, error) {
	var set ByteSet
	if len(body) == 0 {
		return set, nil
	}
	p := classParser{src: body}
	negate := false
	if p.pos < len(p.src) && p.src[p.pos] == '^' {
		negate = true
		p.pos++
	}
	if p.pos == len(p.src) {
		// Python reads the closing ']' as a literal member: unterminated.
		return set, p.errorf("nothing after '^'")
	}
	first := true
	for {
		if p.pos >= len(p.src) {
			break // the implicit closing ']' follows the body
		}
		c := p.src[p.pos]
		if c == ']' && !first {
			return set, p.errorf("unescaped ']' at offset %d closes the class before the end", p.pos)
		}
		first = false
		lo, loSet, err := p.item()
		if err != nil {
			return set, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '-' {
			if p.pos+1 >= len(p.src) {
				// "x-" then the closing bracket: '-' is literal.
				p.pos++
				p.add(&set, lo, loSet)
				set.Add('-')
				break
			}
			if p.src[p.pos+1] == ']' {
				return set, p.errorf("unescaped ']' at offset %d closes the class before the end", p.pos+1)
			}
			p.pos++
			hi, hiSet, err := p.item()
			if err != nil {
				return set, err
			}
			if loSet != nil || hiSet != nil {
				return set, p.errorf("bad character range at offset %d", p.pos)
			}
			if hi < lo {
				return set, p.errorf("bad character range %#x-%#x", lo, hi)
			}
			set.AddRange(lo, hi)
			continue
		}
		p.add(&set, lo, loSet)
	}
	if negate {
		for i := range set {
			set[i] = ^set[i]
		}
	}
	return set, nil
}

type classParser struct {
	src []byte
	pos int
}

func (p *classParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrBadCharsToQuote, p.src, fmt.Sprintf(format, args...))
}

func (p *classParser) add(set *ByteSet, b byte, class *ByteSet) {
	if class != nil {
		for i := range set {
			set[i] |= class[i]
		}
		return
	}
	set.Add(b)
}

var (
	classDigit = func() (s ByteSet) { s.AddRange('0', '9'); return }()
	classSpace = func() (s ByteSet) {
		for _, c := range []byte(" \t\n\r\f\v") {
			s.Add(c)
		}
		return
	}()
	classWord = func() (s ByteSet) {
		s.AddRange('a', 'z')
		s.AddRange('A', 'Z')
		s.AddRange('0', '9')
		s.Add('_')
		return
	}()
)

func complement(s ByteSet) *ByteSet {
	for i := range s {
		s[i] = ^s[i]
	}
	return &s
}

// item reads one class element: a literal byte (class == nil) or an escape
// standing for a set of bytes (class != nil).
func (p *classParser) item() (b byte, class *ByteSet, err error) {
	c := p.src[p.pos]
	p.pos++
	if c != '\\' {
		return c, nil, nil
	}
	if p.pos >= len(p.src) {
		// Python sees "\]" here: the body's final backslash escapes the
		// closing bracket, leaving the class unterminated.
		return 0, nil, p.errorf("trailing backslash")
	}
	e := p.src[p.pos]
	p.pos++
	switch e {
	case 'a':
		return 7, nil, nil
	case 'b':
		return 8, nil, nil
	case 'f':
		return 12, nil, nil
	case 'n':
		return 10, nil, nil
	case 'r':
		return 13, nil, nil
	case 't':
		return 9, nil, nil
	case 'v':
		return 11, nil, nil
	case '\\':
		return '\\', nil, nil
	case 'd':
		return 0, &classDigit, nil
	case 'D':
		return 0, complement(classDigit), nil
	case 's':
		return 0, &classSpace, nil
	case 'S':
		return 0, complement(classSpace), nil
	case 'w':
		return 0, &classWord, nil
	case 'W':
		return 0, complement(classWord), nil
	case 'x':
		v, n := 0, 0
		for n < 2 && p.pos < len(p.src) && isHex(p.src[p.pos]) {
			v = v*16 + hexVal(p.src[p.pos])
			p.pos++
			n++
		}
		if n != 2 {
			return 0, nil, p.errorf("incomplete escape \\x at offset %d", p.pos)
		}
		return byte(v), nil, nil
	}
	if e >= '0' && e <= '7' {
		v := int(e - '0')
		for n := 0; n < 2 && p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '7'; n++ {
			v = v*8 + int(p.src[p.pos]-'0')
			p.pos++
		}
		if v > 0o377 {
			return 0, nil, p.errorf("octal escape %o out of range", v)
		}
		return byte(v), nil, nil
	}
	if (e >= '0' && e <= '9') || (e|0x20 >= 'a' && e|0x20 <= 'z') {
		return 0, nil, p.errorf("bad escape \\%c", e)
	}
	return e, nil, nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func hexVal(c byte) int {
	if c <= '9' {
		return int(c - '0')
	}
	return int(c|0x20-'a') + 10
}

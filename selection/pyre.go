package selection

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Python's re module and Go's regexp differ. rdiff-backup compiles the
// expression as bytes and searches the path's bytes; here both the
// expression and the path are mapped byte for byte to Latin-1 runes
// (latin1), so '.', classes and counts see one byte as one character,
// exactly as Python's bytes patterns do. The Python-only spellings with a
// Go equivalent are translated: \Z, "{,n}", and "$" (which in Python also
// matches before a final newline). Constructs RE2 cannot run (lookaround,
// backreferences, conditionals) are refused with a clear error.

var errPyUnsupported = errors.New("unsupported in gordiff (RE2 has no lookaround, backreferences or conditionals)")

// latin1 maps every byte of s at or above 0x80 to the rune of that value,
// so a Go regexp sees one character per byte. ASCII strings come back
// unchanged, without copying.
func latin1(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(c)
		} else {
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// compilePythonRegexp compiles a Python regular expression for unanchored
// search over latin1-mapped paths.
func compilePythonRegexp(pat string) (*regexp.Regexp, error) {
	src, err := translatePythonRegexp(pat)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(src)
}

func translatePythonRegexp(pat string) (string, error) {
	var b strings.Builder
	multiline := pythonMultiline(pat)
	put := func(s string) { b.WriteString(latin1(s)) }
	n := len(pat)
	for i := 0; i < n; {
		c := pat[i]
		switch c {
		case '\\':
			if i+1 >= n {
				return "", fmt.Errorf("bad escape (end of pattern) at position %d", i)
			}
			d := pat[i+1]
			switch {
			case d == 'Z':
				b.WriteString(`\z`)
			case d >= '1' && d <= '9':
				return "", fmt.Errorf("backreference \\%c at position %d: %w", d, i, errPyUnsupported)
			default:
				put(pat[i : i+2])
			}
			i += 2
		case '[':
			j := i + 1
			if j < n && pat[j] == '^' {
				j++
			}
			if j < n && pat[j] == ']' {
				j++
			}
			for j < n && pat[j] != ']' {
				if pat[j] == '\\' {
					j++
				}
				j++
			}
			if j >= n {
				return "", fmt.Errorf("unterminated character set at position %d", i)
			}
			// Inside a class Python takes '[' literally; Go reads "[:" as
			// the start of a POSIX class: escape it.
			class := pat[i+1 : j]
			b.WriteByte('[')
			for k := 0; k < len(class); k++ {
				if class[k] == '\\' && k+1 < len(class) {
					put(class[k : k+2])
					k++
					continue
				}
				if class[k] == '[' {
					b.WriteString(`\[`)
					continue
				}
				put(class[k : k+1])
			}
			b.WriteByte(']')
			i = j + 1
		case '(':
			if strings.HasPrefix(pat[i:], "(?=") || strings.HasPrefix(pat[i:], "(?!") ||
				strings.HasPrefix(pat[i:], "(?<=") || strings.HasPrefix(pat[i:], "(?<!") {
				return "", fmt.Errorf("lookaround at position %d: %w", i, errPyUnsupported)
			}
			if strings.HasPrefix(pat[i:], "(?P=") || strings.HasPrefix(pat[i:], "(?(") {
				return "", fmt.Errorf("backreference or conditional at position %d: %w", i, errPyUnsupported)
			}
			if strings.HasPrefix(pat[i:], "(?#") {
				end := strings.IndexByte(pat[i:], ')')
				if end < 0 {
					return "", fmt.Errorf("missing ), unterminated comment at position %d", i)
				}
				i += end + 1
				continue
			}
			b.WriteByte('(')
			i++
		case '$':
			if multiline {
				b.WriteByte('$')
			} else {
				b.WriteString(`(?:\n?\z)`)
			}
			i++
		case '{':
			// Python's "{,n}" is Go's "{0,n}".
			j := i + 2
			for j < n && pat[j] >= '0' && pat[j] <= '9' {
				j++
			}
			if i+1 < n && pat[i+1] == ',' && j > i+2 && j < n && pat[j] == '}' {
				b.WriteString("{0," + pat[i+2:j] + "}")
				i = j + 1
				continue
			}
			b.WriteByte('{')
			i++
		default:
			put(pat[i : i+1])
			i++
		}
	}
	return b.String(), nil
}

// pythonMultiline reports whether pat turns on re.MULTILINE with an inline
// flag group such as "(?m)" or "(?im:...)".
func pythonMultiline(pat string) bool {
	for i := strings.Index(pat, "(?"); i >= 0; {
		j := i + 2
		for j < len(pat) && strings.IndexByte("aiLmsux", pat[j]) >= 0 {
			if pat[j] == 'm' {
				return true
			}
			j++
		}
		k := strings.Index(pat[i+2:], "(?")
		if k < 0 {
			break
		}
		i += 2 + k
	}
	return false
}

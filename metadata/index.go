package metadata

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadIndex is returned for an index with an empty, ".", ".." or
// slash-containing component, or a NUL byte: such an index cannot name an
// entry under the root and is refused by every writer and reader here.
var ErrBadIndex = errors.New("invalid index")

// Index is the path of an entry relative to the root of a backup, as a
// sequence of raw file name components (any bytes but '/' and NUL). The root
// is the empty Index.
type Index []string

// ParseIndex turns a slash-separated relative path into an Index. "." and the
// empty string are the root. No unquoting is done.
func ParseIndex(path string) Index {
	if path == "." || path == "" {
		return Index{}
	}
	return Index(strings.Split(path, "/"))
}

// String returns the components joined with '/', or "." for the root. No
// quoting is applied.
func (ix Index) String() string {
	if len(ix) == 0 {
		return "."
	}
	return strings.Join(ix, "/")
}

// Validate checks that every component is a plain file name: not empty,
// not "." or "..", without '/' or NUL.
func (ix Index) Validate() error {
	for _, c := range ix {
		if c == "" || c == "." || c == ".." || hasSlashOrNUL(c) {
			return fmt.Errorf("%w: component %q of %q", ErrBadIndex, c, ix.String())
		}
	}
	return nil
}

// hasSlashOrNUL is strings.ContainsAny(c, "/\x00"), quicker on the short
// strings file names are.
func hasSlashOrNUL(c string) bool {
	for i := 0; i < len(c); i++ {
		if c[i] == '/' || c[i] == 0 {
			return true
		}
	}
	return false
}

// Equal reports whether two indexes have the same components.
func (ix Index) Equal(other Index) bool {
	return CompareIndex(ix, other) == 0
}

// Append returns a new Index with name added; ix itself is not modified.
func (ix Index) Append(name string) Index {
	out := make(Index, len(ix), len(ix)+1)
	copy(out, ix)
	return append(out, name)
}

// HasPrefix reports whether prefix is ix or one of its ancestors.
func (ix Index) HasPrefix(prefix Index) bool {
	if len(prefix) > len(ix) {
		return false
	}
	for i := range prefix {
		if ix[i] != prefix[i] {
			return false
		}
	}
	return true
}

// CompareIndex orders indexes the way rdiff-backup sorts every data file:
// component by component as unsigned byte strings, a prefix before any
// longer index. It returns -1, 0 or +1.
func CompareIndex(a, b Index) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// appendQuotedIndex appends QuotePath(ix.String()) to dst.
func appendQuotedIndex(dst []byte, ix Index) []byte {
	if len(ix) == 0 {
		return append(dst, '.')
	}
	for i, c := range ix {
		if i > 0 {
			dst = append(dst, '/')
		}
		dst = appendQuoted(dst, c)
	}
	return dst
}

// appendQuoted appends QuotePath(s) to dst.
func appendQuoted(dst []byte, s string) []byte {
	from := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			dst = append(append(dst, s[from:i]...), `\n`...)
			from = i + 1
		case '\\':
			dst = append(append(dst, s[from:i]...), `\\`...)
			from = i + 1
		}
	}
	return append(dst, s[from:]...)
}

// QuotePath escapes a path for the File and SymData fields of
// mirror_metadata and for file_statistics: newline becomes `\n` and backslash
// becomes `\\`; every other byte is kept.
func QuotePath(s string) string {
	if !strings.ContainsAny(s, "\n\\") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// UnquotePath reverses QuotePath: `\n` and `\\` are decoded left to right,
// any other backslash is kept as it is.
func UnquotePath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// appendUnquoted appends UnquotePath(q) to dst.
func appendUnquoted(dst, q []byte) []byte {
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\\' && i+1 < len(q) {
			switch q[i+1] {
			case 'n':
				c = '\n'
				i++
			case '\\':
				i++
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// octalNeedsQuote reports whether the ACL/EA quoting (the getfacl scheme in
// the C locale) escapes byte c.
func octalNeedsQuote(c byte) bool {
	return c <= 0x20 || c >= 0x7f || c == '\\' || c == '='
}

// OctalQuote escapes a string the way rdiff-backup (like getfacl) writes
// paths and attribute names in extended_attributes and access_control_lists
// files: whitespace, control bytes, bytes >= 0x7f, backslash and '=' become a
// backslash and three octal digits.
func OctalQuote(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if octalNeedsQuote(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 3*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if octalNeedsQuote(c) {
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + (c>>3)&7)
			b.WriteByte('0' + c&7)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// OctalUnquote reverses OctalQuote: every backslash followed by three octal
// digits becomes the byte they encode (modulo 256, as in the C code), any
// other backslash is kept.
func OctalUnquote(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 + (s[i+2]-'0')<<3 + (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

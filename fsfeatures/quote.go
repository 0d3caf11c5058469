package fsfeatures

import (
	"bytes"
	"fmt"
)

// QuotingChar is the byte that introduces a ";NNN" escape. rdiff-backup 2.2
// has no option to change it.
const QuotingChar = ';'

// Quoter maps path components to the names stored in a repository and back,
// following the repository's chars_to_quote and special_escapes. The zero
// value (and a Quoter built from an empty chars_to_quote) stores every name
// unchanged. A Quoter is immutable and safe for concurrent use.
type Quoter struct {
	ctq     []byte
	set     ByteSet // bytes to replace, always including QuotingChar when enabled
	enabled bool
	esc     SpecialEscapes
}

// NewQuoter returns the Quoter for a repository whose chars_to_quote file
// holds charsToQuote and whose special_escapes file holds esc. An empty
// charsToQuote disables quoting altogether, special escapes included, as in
// rdiff-backup.
func NewQuoter(charsToQuote []byte, esc SpecialEscapes) (*Quoter, error) {
	q := &Quoter{ctq: bytes.Clone(charsToQuote)}
	if len(charsToQuote) == 0 {
		return q, nil
	}
	set, err := ParseCharsToQuote(charsToQuote)
	if err != nil {
		return nil, err
	}
	set.Add(QuotingChar)
	q.set, q.enabled, q.esc = set, true, esc
	return q, nil
}

// Enabled reports whether names are transformed at all.
func (q *Quoter) Enabled() bool { return q != nil && q.enabled }

// CharsToQuote returns the chars_to_quote contents the Quoter was built from.
func (q *Quoter) CharsToQuote() []byte {
	if q == nil {
		return nil
	}
	return bytes.Clone(q.ctq)
}

// Escapes returns the special escapes in effect (none when quoting is off).
func (q *Quoter) Escapes() SpecialEscapes {
	if !q.Enabled() {
		return SpecialEscapes{}
	}
	return q.esc
}

// Quotes reports whether byte b is replaced by an escape wherever it occurs.
func (q *Quoter) Quotes(b byte) bool { return q.Enabled() && q.set.Has(b) }

// Quote returns the stored form of one path component (a name without '/').
// Every byte of the chars_to_quote set and every ';' becomes ';' followed by
// the byte value in three decimal digits; then, if enabled, a final ' ' or
// '.' is escaped, and then the first byte of a DOS device name (aux, con,
// nul, prn, com0-com9, lpt1-lpt9, with or without an extension, any case).
// The result is a new slice.
func (q *Quoter) Quote(name []byte) []byte {
	if !q.Enabled() {
		return bytes.Clone(name)
	}
	out := make([]byte, 0, len(name)+8)
	for _, b := range name {
		if q.set.Has(b) {
			out = appendEscape(out, b)
		} else {
			out = append(out, b)
		}
	}
	if q.esc.TrailingSpaces && len(out) > 0 {
		if last := out[len(out)-1]; last == ' ' || last == '.' {
			out = appendEscape(out[:len(out)-1], last)
		}
	}
	if q.esc.DOSDevices && isDOSDevice(out) {
		first := out[0]
		rest := bytes.Clone(out[1:])
		out = append(appendEscape(out[:0], first), rest...)
	}
	return out
}

// QuotePath quotes each '/'-separated component of a relative path.
func (q *Quoter) QuotePath(path []byte) []byte {
	if !q.Enabled() {
		return bytes.Clone(path)
	}
	parts := bytes.Split(path, []byte{'/'})
	for i, p := range parts {
		parts[i] = q.Quote(p)
	}
	return bytes.Join(parts, []byte{'/'})
}

// Unquote returns the original form of a stored path component. Every ';'
// must start an escape of exactly three decimal digits whose value is at
// most 255, which is replaced by that byte; anything else is an error
// wrapping ErrMalformedQuoting (rdiff-backup 2.2.2 leaves such text as it is,
// and turns values from 128 up into their UTF-8 encoding, which loses the
// original byte; see the package tests). When quoting is disabled the name
// is returned unchanged.
func (q *Quoter) Unquote(name []byte) ([]byte, error) {
	if !q.Enabled() {
		return bytes.Clone(name), nil
	}
	return UnquoteName(name)
}

// UnquotePath unquotes each '/'-separated component of a stored path.
func (q *Quoter) UnquotePath(path []byte) ([]byte, error) {
	if !q.Enabled() {
		return bytes.Clone(path), nil
	}
	parts := bytes.Split(path, []byte{'/'})
	for i, p := range parts {
		u, err := UnquoteName(p)
		if err != nil {
			return nil, fmt.Errorf("unquote %q: %w", path, err)
		}
		parts[i] = u
	}
	return bytes.Join(parts, []byte{'/'}), nil
}

// UnquoteError describes a malformed escape in a stored name.
type UnquoteError struct {
	Name   []byte // the stored name
	Offset int    // offset of the offending ';'
}

func (e *UnquoteError) Error() string {
	return fmt.Sprintf("%v in %q at offset %d", ErrMalformedQuoting, e.Name, e.Offset)
}

// Unwrap returns ErrMalformedQuoting.
func (e *UnquoteError) Unwrap() error { return ErrMalformedQuoting }

// UnquoteName decodes the ";NNN" escapes of one stored name (see
// Quoter.Unquote); it is what every reader of a quoted repository applies.
func UnquoteName(name []byte) ([]byte, error) {
	i := bytes.IndexByte(name, QuotingChar)
	if i < 0 {
		return bytes.Clone(name), nil
	}
	out := make([]byte, 0, len(name))
	out = append(out, name[:i]...)
	for ; i < len(name); i++ {
		c := name[i]
		if c != QuotingChar {
			out = append(out, c)
			continue
		}
		if i+4 > len(name) {
			return nil, &UnquoteError{Name: bytes.Clone(name), Offset: i}
		}
		v := 0
		for _, d := range name[i+1 : i+4] {
			if d < '0' || d > '9' {
				return nil, &UnquoteError{Name: bytes.Clone(name), Offset: i}
			}
			v = v*10 + int(d-'0')
		}
		if v > 255 {
			return nil, &UnquoteError{Name: bytes.Clone(name), Offset: i}
		}
		out = append(out, byte(v))
		i += 3
	}
	return out, nil
}

func appendEscape(out []byte, b byte) []byte {
	return append(out, QuotingChar, '0'+b/100, '0'+b/10%10, '0'+b%10)
}

// isDOSDevice reproduces rdiff-backup's case-insensitive search for
// ^(aux|prn|con|nul|com[0-9]|lpt[1-9])(\..*)*$ on a byte string: '.' does not
// match a newline, and '$' also matches just before a final newline.
func isDOSDevice(name []byte) bool {
	if len(name) < 3 {
		return false
	}
	lower := func(c byte) byte {
		if c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	p := string([]byte{lower(name[0]), lower(name[1]), lower(name[2])})
	var rest []byte
	switch p {
	case "aux", "prn", "con", "nul":
		rest = name[3:]
	case "com", "lpt":
		if len(name) < 4 {
			return false
		}
		d := name[3]
		if d < '0' || d > '9' || (p == "lpt" && d == '0') {
			return false
		}
		rest = name[4:]
	default:
		return false
	}
	if n := len(rest); n > 0 && rest[n-1] == '\n' {
		rest = rest[:n-1]
	}
	if len(rest) == 0 {
		return true
	}
	return rest[0] == '.' && bytes.IndexByte(rest, '\n') < 0
}

package metadata

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxLineLength bounds one line of any text file this package reads, so that
// a corrupt file without newlines cannot exhaust memory.
const MaxLineLength = 16 << 20

// ErrLineTooLong is returned when a line exceeds MaxLineLength.
var ErrLineTooLong = errors.New("line too long")

// ParseError describes a record that could not be parsed. Readers skip such
// records (as rdiff-backup does) and report them through their Warn hook.
type ParseError struct {
	File string // name of the file being read, as given to the reader
	Line int    // 1-based line number where the record or field starts
	Path string // the record's path as written, when known
	Err  error  // what was wrong
}

// Error implements error.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	fmt.Fprintf(&b, "%d: ", e.Line)
	if e.Path != "" {
		fmt.Fprintf(&b, "record %q: ", e.Path)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *ParseError) Unwrap() error { return e.Err }

// lineReader yields lines (without their '\n') from a buffered reader.
type lineReader struct {
	br      *bufio.Reader
	scratch []byte
	line    int // number of the line last returned
	sep     byte
}

func newLineReader(r io.Reader, sep byte) *lineReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &lineReader{br: br, sep: sep}
}

// next returns the next line; the slice is valid until the next call. At the
// end it returns io.EOF; a last line without separator is returned normally.
func (l *lineReader) next() ([]byte, error) {
	l.scratch = l.scratch[:0]
	for {
		chunk, err := l.br.ReadSlice(l.sep)
		switch {
		case err == nil:
			l.line++
			if len(l.scratch) == 0 {
				return chunk[:len(chunk)-1], nil
			}
			l.scratch = append(l.scratch, chunk[:len(chunk)-1]...)
			return l.scratch, nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.scratch = append(l.scratch, chunk...)
			if len(l.scratch) > MaxLineLength {
				return nil, fmt.Errorf("line %d: %w", l.line+1, ErrLineTooLong)
			}
		case errors.Is(err, io.EOF):
			l.scratch = append(l.scratch, chunk...)
			if len(l.scratch) == 0 {
				return nil, io.EOF
			}
			l.line++
			return l.scratch, nil
		default:
			return nil, fmt.Errorf("line %d: %w", l.line+1, err)
		}
	}
}

// pyInt parses an integer the way Python's int() parses bytes: surrounding
// ASCII whitespace allowed, an optional sign, decimal digits with single
// underscores between them.
func pyInt(s string, bits int) (int64, error) {
	t, err := pyIntText(s)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(t, 10, bits)
}

func pyUint(s string) (uint64, error) {
	t, err := pyIntText(s)
	if err != nil {
		return 0, err
	}
	t = strings.TrimPrefix(t, "+")
	if t == "-0" {
		return 0, nil
	}
	return strconv.ParseUint(t, 10, 64)
}

func pyIntText(s string) (string, error) {
	t := strings.Trim(s, " \t\n\v\f\r")
	body := t
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	if body == "" {
		return "", fmt.Errorf("invalid integer %q", s)
	}
	if !strings.Contains(body, "_") {
		return t, nil
	}
	var b strings.Builder
	b.WriteString(t[:len(t)-len(body)])
	for i := 0; i < len(body); i++ {
		if body[i] == '_' {
			if i == 0 || i == len(body)-1 || body[i-1] == '_' {
				return "", fmt.Errorf("invalid integer %q", s)
			}
			continue
		}
		b.WriteByte(body[i])
	}
	return b.String(), nil
}

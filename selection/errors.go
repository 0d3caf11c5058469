package selection

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every error New returns for bad selection
// options (as opposed to I/O errors reading a filelist). rdiff-backup ends
// with exit code 1 on all of them.
var ErrInvalid = errors.New("invalid selection")

// PrefixError reports a literal path or glob that cannot match the base
// directory or anything below it. Its message is rdiff-backup's, without the
// "Fatal Error: " prefix the caller prints.
type PrefixError struct {
	Spec string // the pattern as rdiff-backup reports it (a glob is cut after its first "**")
	Base string // the normalised base path
}

func (e *PrefixError) Error() string {
	return fmt.Sprintf("The file specification '%s'\n"+
		"cannot match any files in the base directory '%s'.\n"+
		"Useful file specifications begin with the base directory or some\n"+
		"pattern (such as '**') which matches the base directory",
		pyBytesRepr(e.Spec), pyBytesRepr(e.Base))
}

// Unwrap returns ErrInvalid.
func (e *PrefixError) Unwrap() error { return ErrInvalid }

// GlobError reports a glob that cannot be compiled: consecutive slashes
// (rdiff-backup's message) or a bad character range inside brackets
// (where rdiff-backup crashes with a Python traceback).
type GlobError struct {
	Glob   string // the glob (after the ignorecase: prefix; cut after "**" for slashes)
	Reason string // "" for consecutive slashes
}

func (e *GlobError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("Fatal Error while processing expression "+
			"'Consecutive '/'s found in globbing string %s'", e.Glob)
	}
	return fmt.Sprintf("Fatal Error while processing expression '%s in globbing string %s'",
		e.Reason, e.Glob)
}

// Unwrap returns ErrInvalid.
func (e *GlobError) Unwrap() error { return ErrInvalid }

// LastIncludeError reports that the last selection test can only include,
// which makes it redundant (everything is included by default).
type LastIncludeError struct {
	Name string // rdiff-backup's name of the test, e.g. "Command-line include glob: b'src/etc'"
}

func (e *LastIncludeError) Error() string {
	return "Last selection expression " + e.Name + "\n" +
		"only specifies that files be included.  Because the default is to\n" +
		"include all files, the expression is redundant.  Exiting because this\n" +
		"probably isn't what you meant"
}

// Unwrap returns ErrInvalid.
func (e *LastIncludeError) Unwrap() error { return ErrInvalid }

// SizeError reports a --max-file-size or --min-file-size argument that is
// not a positive integer.
type SizeError struct {
	Arg string
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("Max and min file size must be a positive integer and not '%s'", e.Arg)
}

// Unwrap returns ErrInvalid.
func (e *SizeError) Unwrap() error { return ErrInvalid }

// RegexpError reports a --include-regexp/--exclude-regexp expression that
// does not compile, or uses Python syntax gordiff does not support
// (lookaround, backreferences). Error returns rdiff-backup's line; Err holds
// the detail.
type RegexpError struct {
	Regexp string
	Err    error
}

func (e *RegexpError) Error() string {
	return "Failed compiling regular expression " + e.Regexp
}

// Unwrap returns ErrInvalid and the underlying compile error.
func (e *RegexpError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

// OptionError reports an option New cannot use (unknown kind, missing
// argument).
type OptionError struct {
	Option Option
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("bad selection option %s %q: %s", e.Option.Kind, e.Option.Arg, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *OptionError) Unwrap() error { return ErrInvalid }

// pyBytesRepr writes s the way Python's repr() writes a bytes object:
// b'...' with escapes, so messages match rdiff-backup's byte for byte.
func pyBytesRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 3)
	b.WriteByte('b')
	b.WriteByte(quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

package rsync

import "errors"

// Sentinel errors. Every error returned by this package wraps one of them
// (or an I/O error of the caller's reader or writer). They correspond to
// librsync's result codes, which `rdiff` uses as its exit status.
var (
	// ErrInputEnded reports input that ended in the middle of a signature
	// record or a delta command, a delta without its END command, or a copy
	// reaching past the end of the basis (librsync RS_INPUT_ENDED, 103).
	ErrInputEnded = errors.New("unexpected end of input")
	// ErrBadMagic reports a file that does not start with the magic number
	// expected for its kind (librsync RS_BAD_MAGIC, 104).
	ErrBadMagic = errors.New("bad magic number")
	// ErrCorrupt reports a syntactically impossible value: an unknown
	// opcode, a zero or negative length, a negative offset, a signature
	// header out of range (librsync RS_CORRUPT, 106).
	ErrCorrupt = errors.New("corrupt data")
	// ErrParam reports parameters the caller chose that librsync refuses,
	// such as a strong-sum length longer than the hash (RS_PARAM_ERROR, 108).
	ErrParam = errors.New("bad parameter")
)

// ExitCode maps an error from this package to the exit status `rdiff`
// 2.3.2 uses for it: 0 for nil, 103/104/106/108 for the sentinel errors, and
// 100 (RS_IO_ERROR) for anything else.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrInputEnded):
		return 103
	case errors.Is(err, ErrBadMagic):
		return 104
	case errors.Is(err, ErrCorrupt):
		return 106
	case errors.Is(err, ErrParam):
		return 108
	}
	return 100
}

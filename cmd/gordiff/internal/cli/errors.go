package cli

import "strings"

// ErrorKind tells how rdiff-backup reports a command-line problem.
type ErrorKind int

const (
	// UsageError is an argparse error: the usage block, then
	// "PROG: error: MESSAGE" on stderr, exit status 2.
	UsageError ErrorKind = iota + 1
	// FatalError is "Fatal Error: MESSAGE" on stderr whatever the
	// verbosity, exit status 1 (e.g. a bad --api-version).
	FatalError
	// PreCheckError is one or more "ERROR: MESSAGE" lines then
	// "ERROR: Action ACTION failed on step pre_check", exit status 1;
	// the ERROR lines are hidden below terminal verbosity 1.
	PreCheckError
	// CrashError is where rdiff-backup dies with a Python traceback (a
	// non-integer RDIFF_BACKUP_VERBOSITY); gordiff prints the traceback's
	// last line only, exit status 1.
	CrashError
)

// Error is a command line rdiff-backup rejects. Text is what to write on
// stderr; Status is the exit status.
type Error struct {
	Kind   ErrorKind
	Status int
	// Deprecation is the legacy deprecation warning when the parse itself
	// succeeded and the error came after it (rdiff-backup has printed it
	// by then); Text starts with it.
	Deprecation string
	Prog        string // UsageError: the parser that complained, e.g. "rdiff-backup list files"
	Usage       string // UsageError: the usage block printed before the message
	Msg         string // UsageError, FatalError, CrashError: the message
	// PreCheckError: the messages (without "ERROR: "), the action and the
	// terminal verbosity that decides whether they are shown.
	Messages          []string
	Action            string
	TerminalVerbosity int
}

// Error returns the last line rdiff-backup writes for this error.
func (e *Error) Error() string {
	switch e.Kind {
	case UsageError:
		return e.Prog + ": error: " + e.Msg
	case FatalError:
		return "Fatal Error: " + e.Msg
	case PreCheckError:
		return "ERROR: Action " + e.Action + " failed on step pre_check"
	}
	return e.Msg
}

// Text returns everything rdiff-backup writes on stderr for this error,
// newline-terminated (API 200 message format).
func (e *Error) Text() string {
	var b strings.Builder
	if e.Deprecation != "" {
		b.WriteString(e.Deprecation + "\n")
	}
	switch e.Kind {
	case UsageError:
		b.WriteString(e.Usage)
		b.WriteString(e.Error() + "\n")
	case PreCheckError:
		if e.TerminalVerbosity >= 1 {
			for _, m := range e.Messages {
				b.WriteString("ERROR: " + m + "\n")
			}
			b.WriteString(e.Error() + "\n")
		}
	default:
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

package mirror

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/gordiff/gordiff/increments"
)

// Errors of the repository checks; nothing has been changed when they are
// returned.
var (
	// ErrLocked: another process holds the repository.
	ErrLocked = errors.New("the repository is locked by another running backup, regress or remove")
	// ErrNotInPast: the session time is not after the last session's.
	ErrNotInPast = errors.New("The last backup is not in the past. Aborting.")
	// ErrNotRepository: the target exists, is not empty and has no data
	// directory, and Force is off.
	ErrNotRepository = errors.New("does not look like a rdiff-backup repository")
	// ErrBadDataDir: a data directory with increments but no
	// current_mirror marker, which no program can make sense of.
	ErrBadDataDir = errors.New("Bad rdiff-backup-data dir on destination side")
	// ErrNeedsRegress: the repository holds an interrupted session.
	ErrNeedsRegress = errors.New("the repository holds an interrupted session and must be regressed first")
	// ErrStillRunning: the process that wrote the newest marker still runs.
	ErrStillRunning = errors.New("a previous session on this repository is still running")
)

// Level is a message's level, as rdiff-backup numbers them.
type Level int

// Message levels.
const (
	LevelError   Level = 1
	LevelWarning Level = 2
	LevelNote    Level = 3
	LevelInfo    Level = 5
	LevelDebug   Level = 8
)

// DefaultNotCompressed is rdiff-backup's default --not-compressed-regexp:
// names of already-compressed formats, matched case-insensitively against
// the whole mirror path.
const DefaultNotCompressed = `(?i).*\.(?:7z|aac|arj|asc|avi|bik|bz|bz2|deb|docx|flac|flv|gif|gpg|gz|jp2|jpeg|jpg|jsonlz4|lharc|lz4|lzh|lzma|lzo|m4a|m4v|mdf|mkv|mov|mozlz4|mp3|mp4|mpeg|mpg|oga|ogg|ogm|ogv|opus|pgp|pk3|png|rar|rm|rpm|rz|shn|tgz|tzst|vob|webm|webp|wma|wmv|xlsx|xz|z|zip|zoo|zst)$`

// Options configure a backup session on the repository side.
type Options struct {
	// Time is the session time in seconds; 0 takes Clock's.
	Time  int64
	Clock increments.Clock
	// Zone renders time strings; the zero value is UTC.
	Zone increments.Zone
	// CompatibleTimestamps writes '-' instead of ':' in new names.
	CompatibleTimestamps bool

	// NoCompression stores increments and statistics uncompressed.
	NoCompression bool
	// NotCompressed matches mirror paths whose increments stay
	// uncompressed; nil means DefaultNotCompressed.
	NotCompressed *regexp.Regexp

	NoHardLinks      bool // store every hard link as a separate file
	NoFileStatistics bool
	EAs, ACLs        bool // the session stores extended attributes / ACLs
	NoFsync          bool
	NullSeparator    bool // file_statistics and error_log lines end in NUL

	// Force allows writing into a non-empty directory that is not a
	// repository, and regressing over a marker whose process still runs.
	Force bool

	// SourceName is the source as the user named it, for messages and the
	// error log ("src" in "ListError: 'src/f' ...").
	SourceName string

	// Verbosity is the level up to which messages go into backup.log.
	Verbosity int
	// Message receives every message (the caller filters by its terminal
	// verbosity); nil discards them.
	Message func(Level, string)
	// Progress, when set, is called after each entry.
	Progress func(Progress)
}

// Progress is the state of a running backup.
type Progress struct {
	Entries int64  // entries examined
	Bytes   int64  // bytes copied into the mirror
	Path    string // the entry just done
}

// Result sums up a finished session.
type Result struct {
	Time       int64 // the session time
	First      bool  // it created the repository
	Regressed  bool  // an interrupted session was undone first
	FileErrors int   // entries that could not be backed up (in error_log)
	Stats      SessionStats

	// Members of a sealed last listing taken whole (sealedRun) and
	// inflated: for tests.
	membersTaken, membersRead int
}

// Error is an error whose text is a message for the user (rdiff-backup's
// own wording) and whose class is one of this package's sentinel errors,
// for errors.Is.
type Error struct {
	Msg  string
	Kind error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Kind }

// errorf returns an *Error of the given class.
func errorf(kind error, format string, a ...any) error {
	return &Error{Msg: fmt.Sprintf(format, a...), Kind: kind}
}

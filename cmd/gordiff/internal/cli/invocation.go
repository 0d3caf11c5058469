package cli

// Syntax is the grammar a command line was parsed with (cli.md 1.1).
type Syntax int

const (
	// ActionSyntax is rdiff-backup 2.x's `[GLOBAL] ACTION [SUB] [OPTIONS] LOCATIONS`.
	ActionSyntax Syntax = iota + 1
	// LegacySyntax is rdiff-backup 1.x's flat option syntax.
	LegacySyntax
)

func (s Syntax) String() string {
	switch s {
	case ActionSyntax:
		return "action"
	case LegacySyntax:
		return "legacy"
	}
	return "unknown"
}

// Location is one [[USER@]HOST::]PATH argument (cli.md 5.1), unescaped.
type Location struct {
	Raw      string // as written on the command line
	HostInfo string // everything before the "::", unescaped; "" for a local path
	User     string // HostInfo before its last '@', if any
	Host     string // HostInfo after its last '@'
	Path     string // the path, unescaped, backslashes turned into '/'
}

// Remote reports whether the location names another host.
func (l Location) Remote() bool { return l.HostInfo != "" }

// SelectionOption is one file selection option (cli.md section 3), kept in
// command-line order because the first matching option wins.
type SelectionOption struct {
	// Flag is the full long option name without dashes, e.g. "exclude",
	// "include-filelist", "exclude-filelist-stdin", "exclude-if-present",
	// "exclude-fifos", "max-file-size" (abbreviations are resolved).
	Flag string
	// Arg is the option's argument: a glob, regexp, file name ("-" as
	// written), presence name, or a size in canonical decimal form. Empty
	// for options without an argument (type tests, -stdin filelists).
	Arg string
}

// Invocation is a parsed and validated command line. It describes what to
// do; nothing has been done. Fields that do not apply to Action hold their
// defaults, so the legacy and the action syntax give equal values for the
// same request.
type Invocation struct {
	Syntax Syntax
	Prog   string   // program name used in messages, e.g. "rdiff-backup"
	Args   []string // the words parsed, after @FILE expansion

	// Help, when not empty, is to be printed on stdout, then exit 0;
	// nothing else is set. Version asks to print the version, then exit 0.
	Help    string
	Version bool

	// Deprecation is the legacy warning line (no newline) the caller
	// writes on stderr before doing anything; empty when not due.
	Deprecation string

	Action    string     // backup calculate compare complete info list regress remove restore server test verify
	Entity    string     // "files" or "increments" for list, "increments" for remove
	Locations []Location // the locations, in order (statistics files for calculate)

	// Global options (cli.md 1.3).
	Verbosity            int     // -v, default 3 or $RDIFF_BACKUP_VERBOSITY (which may lie outside 0..9)
	TerminalVerbosity    int     // --terminal-verbosity, default Verbosity
	TerminalVerbositySet bool    // --terminal-verbosity was given
	APIVersion           int     // --api-version: 0 (not given, i.e. 200), 200 or 201
	CurrentTime          *int64  // --current-time, nil for the real clock
	Force                bool    // --force
	Fsync                bool    // --fsync (default) / --no-fsync
	NullSeparator        bool    // --null-separator
	CharsToQuote         *string // --chars-to-quote, nil when not given
	ParsableOutput       bool    // --parsable-output
	RemoteSchema         string  // --remote-schema, "" for the default schema
	RemoteTempdir        string  // --remote-tempdir
	SSHCompression       bool    // --ssh-compression (default) / --no-ssh-compression / --ssh-no-compression
	Tempdir              string  // --tempdir
	UseCompatibleTimes   bool    // --use-compatible-timestamps

	// Option groups (cli.md 1.5).
	CreateFullPath           bool              // creation
	Compression              bool              // compression (default true)
	NotCompressedRegexp      string            // compression, default DefaultNotCompressedRegexp
	Selections               []SelectionOption // selection, in command-line order
	ACLs                     bool              // file system (default true)
	EAs                      bool              // file system (default true)
	HardLinks                bool              // file system (default true)
	CompareInode             bool              // file system (default true)
	Carbonfile               bool              // file system (default true)
	ResourceForks            bool              // file system (default true)
	NeverDropACLs            bool              // file system
	UserMappingFile          string            // user/group ("-" is standard input)
	GroupMappingFile         string            // user/group
	PreserveNumericalIDs     bool              // user/group
	FileStatistics           bool              // statistics (default true)
	PrintStatistics          bool              // statistics
	AllowDuplicateTimestamps bool              // timestamp (regress)
	RestrictPath             string            // restrict (server)
	RestrictMode             string            // restrict: read-write (default), read-only, update-only

	// Action options (cli.md 1.6).
	At           string   // --at: "now" by default for compare, list files, verify; "" (not given) for restore
	Increment    bool     // restore --increment
	ChangedSince string   // list files --changed-since ("" when not given)
	OlderThan    string   // remove increments --older-than
	Size         bool     // list/remove increments --size
	Method       string   // compare: meta (default), full, hash; calculate: average
	Debug        bool     // server --debug
	CWord        int      // complete --cword, default -1
	Unique       bool     // complete --unique (default) / --no-unique
	Words        []string // complete: the words after --
}

// EffectiveAPIVersion is the API version in force: 200 unless
// --api-version 201 was given.
func (inv *Invocation) EffectiveAPIVersion() int {
	if inv.APIVersion == 0 {
		return 200
	}
	return inv.APIVersion
}

// defaults returns an Invocation with every option at its default.
func defaults(verbosity int) *Invocation {
	return &Invocation{
		Verbosity:           verbosity,
		TerminalVerbosity:   verbosity,
		Fsync:               true,
		SSHCompression:      true,
		Compression:         true,
		NotCompressedRegexp: DefaultNotCompressedRegexp,
		ACLs:                true,
		EAs:                 true,
		HardLinks:           true,
		CompareInode:        true,
		Carbonfile:          true,
		ResourceForks:       true,
		FileStatistics:      true,
		RestrictMode:        "read-write",
		CWord:               -1,
		Unique:              true,
	}
}

package cli

import "strings"

// This file declares rdiff-backup 2.2.2's two parsers, option by option, in
// its registration order (which decides the order of the candidates in
// "ambiguous option" messages).

// Actions lists the action words of the action syntax, in rdiff-backup's
// order.
var Actions = []string{"backup", "calculate", "compare", "complete", "info", "list",
	"regress", "remove", "restore", "server", "test", "verify"}

// DeprecationWarning is written on stderr after a successful legacy parse
// unless --no-new is given.
const DeprecationWarning = "WARNING: this command line interface is deprecated and will " +
	"disappear, start using the new one as described with '--new --help'."

// DefaultNotCompressedRegexp is the default of --not-compressed-regexp, a
// Python regular expression matched at the start of the path.
const DefaultNotCompressedRegexp = "(?i).*\\.(" +
	"7z|aac|arj|asc|avi|bik|bz|bz2|deb|docx|flac|flv|gif|gpg|gz|jp2|jpeg|jpg|" +
	"jsonlz4|lharc|lz4|lzh|lzma|lzo|m4a|m4v|mdf|mkv|mov|mozlz4|mp3|mp4|mpeg|" +
	"mpg|oga|ogg|ogm|ogv|opus|pgp|pk3|png|rar|rm|rpm|rz|shn|tgz|tzst|vob|webm|" +
	"webp|wma|wmv|xlsx|xz|z|zip|zoo|zst" +
	")$"

func flag(opts []string, dest, help string) *argAction {
	return &argAction{opts: opts, dest: dest, kind: actStoreTrue, nargs: 0, help: help}
}

func boolOpt(name, help string) *argAction {
	return &argAction{opts: []string{"--" + name, "--no-" + name}, dest: destOf(name),
		kind: actBoolOpt, nargs: 0, help: help}
}

func value(opts []string, dest, metavar, help string) *argAction {
	return &argAction{opts: opts, dest: dest, kind: actStore, nargs: nargsNone, metavar: metavar, help: help}
}

func intValue(opts []string, dest, metavar, help string) *argAction {
	a := value(opts, dest, metavar, help)
	a.typ = typeInt
	return a
}

func verbosityValue(opts []string, dest, help string) *argAction {
	a := intValue(opts, dest, "{0,1,2,3,4,5,6,7,8,9}", help)
	a.intRange = true
	return a
}

func constFlag(opts []string, constVal, help string) *argAction {
	return &argAction{opts: opts, dest: "action", kind: actStoreConst, nargs: 0, constVal: constVal, help: help}
}

func positional(dest, metavar string, nargs int, help string) *argAction {
	return &argAction{dest: dest, kind: actStore, nargs: nargs, metavar: metavar, help: help,
		required: nargs != nargsZeroOrMore && nargs != nargsOptional}
}

func destOf(name string) string { return strings.ReplaceAll(name, "-", "_") }

// selectOpt is one of rdiff-backup's SelectAction options: "--SELECT..."
// becomes the --exclude... and --include... pair.
func selectOpt(name, metavar, help string) *argAction {
	a := &argAction{dest: "selections", kind: actSelect, nargs: nargsNone, metavar: metavar, help: help}
	if metavar == "" {
		a.nargs = 0
	}
	if strings.Contains(name, "SELECT") {
		a.opts = []string{"--" + strings.Replace(name, "SELECT", "exclude", 1),
			"--" + strings.Replace(name, "SELECT", "include", 1)}
	} else {
		a.opts = []string{"--" + name}
		a.typ = typeInt
	}
	return a
}

func addCommon(p *argParser) {
	p.add(intValue([]string{"--api-version"}, "api_version", "API_VERSION", "API version to use (200 or 201)"))
	p.add(intValue([]string{"--current-time"}, "current_time", "CURRENT_TIME", "pretend the current time is this many seconds since the epoch"))
	p.add(flag([]string{"--force"}, "force", "force the action (caution, it may be dangerous)"))
	p.add(boolOpt("fsync", "sync (or not) written files and directories"))
	p.add(flag([]string{"--null-separator"}, "null_separator", "use NUL instead of newline in filelists and output files"))
	p.add(boolOpt("new", "force (or not) the action syntax"))
	p.add(value([]string{"--chars-to-quote", "--override-chars-to-quote"}, "chars_to_quote", "CHARS", "characters to quote in stored file names"))
	p.add(flag([]string{"--parsable-output"}, "parsable_output", "machine readable output"))
	p.add(value([]string{"--remote-schema"}, "remote_schema", "REMOTE_SCHEMA", "command used to start the remote side"))
	p.add(value([]string{"--remote-tempdir"}, "remote_tempdir", "DIR_PATH", "temporary directory on the remote side"))
	p.add(boolOpt("ssh-compression", "use (or not) ssh compression with the default remote schema"))
	p.add(value([]string{"--tempdir"}, "tempdir", "DIR_PATH", "local temporary directory"))
	p.add(verbosityValue([]string{"--terminal-verbosity"}, "terminal_verbosity", "verbosity on the terminal (default: --verbosity)"))
	p.add(flag([]string{"--use-compatible-timestamps"}, "use_compatible_timestamps", "write '-' instead of ':' in the time of new file names"))
	p.add(verbosityValue([]string{"-v", "--verbosity"}, "verbosity", "verbosity for log file and terminal (default 3)"))
}

func addCompat(p *argParser) {
	p.addMutex(
		value([]string{"--restrict"}, "restrict", "DIR_PATH", "[legacy] restrict the server to a path, read-write"),
		value([]string{"--restrict-read-only"}, "restrict_read_only", "DIR_PATH", "[legacy] restrict the server to a path, read-only"),
		value([]string{"--restrict-update-only"}, "restrict_update_only", "DIR_PATH", "[legacy] restrict the server to a path, update-only"),
	)
	p.add(flag([]string{"--ssh-no-compression"}, "ssh_no_compression", "[legacy] same as --no-ssh-compression"))
}

func addCreation(p *argParser) {
	p.add(flag([]string{"--create-full-path"}, "create_full_path", "create missing parent directories"))
}

func addCompression(p *argParser) {
	p.add(boolOpt("compression", "compress (or not) snapshot and diff increments"))
	p.add(value([]string{"--not-compressed-regexp", "--no-compression-regexp"}, "not_compressed_regexp", "REGEXP", "files whose increments are not compressed"))
}

func addSelection(p *argParser) {
	p.add(selectOpt("SELECT", "GLOB", "exclude/include files matching a glob"))
	p.add(selectOpt("SELECT-device-files", "", "exclude/include device files"))
	p.add(selectOpt("SELECT-fifos", "", "exclude/include fifos"))
	p.add(selectOpt("SELECT-filelist", "LIST_FILE", "exclude/include the files listed in a file"))
	p.add(selectOpt("SELECT-filelist-stdin", "", "exclude/include the files listed on standard input"))
	p.add(selectOpt("SELECT-symbolic-links", "", "exclude/include symbolic links"))
	p.add(selectOpt("SELECT-sockets", "", "exclude/include sockets"))
	p.add(selectOpt("SELECT-globbing-filelist", "GLOBS_FILE", "exclude/include the globs listed in a file"))
	p.add(selectOpt("SELECT-globbing-filelist-stdin", "", "exclude/include the globs listed on standard input"))
	p.add(selectOpt("SELECT-other-filesystems", "", "exclude/include other file systems"))
	p.add(selectOpt("SELECT-regexp", "REGEXP", "exclude/include paths matching a regular expression"))
	p.add(selectOpt("SELECT-if-present", "FILENAME", "exclude/include directories containing this file"))
	p.add(selectOpt("SELECT-special-files", "", "exclude/include devices, fifos, sockets and links"))
	p.add(selectOpt("max-file-size", "SIZE", "exclude files larger than SIZE bytes"))
	p.add(selectOpt("min-file-size", "SIZE", "exclude files smaller than SIZE bytes"))
}

func addFilesystem(p *argParser) {
	p.add(boolOpt("acls", "handle (or not) POSIX ACLs"))
	p.add(boolOpt("carbonfile", "handle (or not) carbon files (macOS)"))
	p.add(boolOpt("compare-inode", "compare (or not) inodes of hard-linked files"))
	p.add(boolOpt("eas", "handle (or not) extended attributes"))
	p.add(boolOpt("hard-links", "preserve (or not) hard links"))
	p.add(boolOpt("resource-forks", "preserve (or not) resource forks (macOS)"))
	p.add(flag([]string{"--never-drop-acls"}, "never_drop_acls", "fail instead of dropping ACLs"))
}

func addUserGroup(p *argParser) {
	g := value([]string{"--group-mapping-file"}, "group_mapping_file", "MAP_FILE", "map groups according to a file")
	g.typ = typeFile
	p.add(g)
	p.add(flag([]string{"--preserve-numerical-ids"}, "preserve_numerical_ids", "keep user and group ids instead of names"))
	u := value([]string{"--user-mapping-file"}, "user_mapping_file", "MAP_FILE", "map users according to a file")
	u.typ = typeFile
	p.add(u)
}

func addStatistics(p *argParser) {
	p.add(boolOpt("file-statistics", "write (or not) the file statistics"))
	p.add(boolOpt("print-statistics", "print (or not) statistics after the backup"))
}

func addTimestamp(p *argParser) {
	p.add(flag([]string{"--allow-duplicate-timestamps"}, "allow_duplicate_timestamps", "accept duplicate metadata timestamps"))
}

func addRestrict(p *argParser) {
	p.add(value([]string{"--restrict-path"}, "restrict_path", "DIR_PATH", "restrict remote access to this path"))
	m := value([]string{"--restrict-mode"}, "restrict_mode", "{read-write,read-only,update-only}", "restriction mode (default read-write)")
	m.choices = []string{"read-write", "read-only", "update-only"}
	p.add(m)
}

func addVersion(p *argParser) {
	p.add(&argAction{opts: []string{"-V", "--version"}, dest: "version", kind: actVersion, nargs: 0,
		help: "print the version and exit"})
}

const locMetavar = "[[USER@]SERVER::]PATH"

// newActionParser builds the action-syntax parser.
func newActionParser(prog string) *argParser {
	p := newParser(prog)
	p.description = "local/remote mirror and incremental backup"
	p.fromFile = true
	addCommon(p)
	addVersion(p)
	sub := &argAction{dest: "action", kind: actSubparsers, nargs: nargsParser, required: true,
		metavar: "", help: "call '" + prog + " <action> --help' for more information"}
	mk := func(name, desc string, groups ...func(*argParser)) *argParser {
		s := newParser(prog + " " + name)
		s.description = desc
		for _, g := range groups {
			g(s)
		}
		sub.subs = append(sub.subs, s)
		return s
	}
	locs := func(s *argParser, n int, help string) {
		s.add(positional("locations", locMetavar, n, help))
	}
	at := func(def string) *argAction {
		return value([]string{"--at"}, "at", "TIME", "time of the backup to use"+def)
	}

	s := mk("backup", "Back up a directory into a repository.", addCreation, addCompression,
		addSelection, addFilesystem, addUserGroup, addStatistics)
	locs(s, 2, "SOURCE_DIR and REPOSITORY")

	s = mk("calculate", "Calculate values (averages) from session statistics files.")
	m := value([]string{"--method"}, "method", "{average}", "what to calculate (default average)")
	m.choices = []string{"average"}
	s.add(m)
	s.add(positional("locations", "STATISTIC_FILE", nargsOneOrMore, "session statistics files"))

	s = mk("compare", "Compare a directory with a backup.", addSelection)
	m = value([]string{"--method"}, "method", "{meta,full,hash}", "how to compare (default meta)")
	m.choices = []string{"meta", "full", "hash"}
	s.add(m)
	s.add(at(" (default now)"))
	locs(s, 2, "SOURCE_DIR and REPOSITORY, in backup order")

	s = mk("complete", "Shell completion helper.")
	s.add(intValue([]string{"--cword"}, "cword", "CWORD", "index of the word being completed"))
	s.add(boolOpt("unique", "hide (or not) options already typed"))
	s.add(positional("words", "", nargsZeroOrMore, "words typed so far (after --)"))

	mk("info", "Print information useful for bug reports.")

	s = mk("list", "List files or increments of a repository.")
	lf := newParser(prog + " list files")
	lf.description = "List the files of a backup as of a time, or those changed since a time."
	lf.addMutex(
		value([]string{"--changed-since"}, "changed_since", "TIME", "list files changed since TIME"),
		at(" (default now)"),
	)
	lf.add(positional("locations", locMetavar, 1, "repository or path inside it"))
	li := newParser(prog + " list increments")
	li.description = "List the increments of a repository or of a path inside it."
	li.add(boolOpt("size", "show (or not) the size of each increment"))
	li.add(positional("locations", locMetavar, 1, "repository or path inside it"))
	s.add(&argAction{dest: "entity", kind: actSubparsers, nargs: nargsParser, required: true,
		subs: []*argParser{lf, li}})

	s = mk("regress", "Undo a failed backup session.", addCompression, addTimestamp, addUserGroup)
	locs(s, 1, "repository")

	s = mk("remove", "Remove old increments from a repository.")
	ri := newParser(prog + " remove increments")
	ri.description = "Remove the increments older than a time."
	o := value([]string{"--older-than"}, "older_than", "TIME", "remove increments older than TIME")
	o.required = true
	ri.add(o)
	ri.add(boolOpt("size", "show (or not) the size of each increment"))
	ri.add(positional("locations", locMetavar, 1, "repository"))
	s.add(&argAction{dest: "entity", kind: actSubparsers, nargs: nargsParser, required: true,
		subs: []*argParser{ri}})

	s = mk("restore", "Restore files from a repository.", addCreation, addCompression,
		addSelection, addFilesystem, addUserGroup)
	s.addMutex(
		at(""),
		flag([]string{"--increment"}, "increment", "restore from the increment file given as source"),
	)
	locs(s, 2, "REPOSITORY (or increment) and TARGET")

	s = mk("server", "Serve the remote side on standard input and output.", addRestrict)
	s.add(flag([]string{"--debug"}, "debug", "remote debugging (ignored)"))

	s = mk("test", "Test connections to remote locations.")
	s.add(positional("locations", "[USER@]SERVER::PATH", nargsOneOrMore, "remote locations"))

	s = mk("verify", "Verify the SHA-1 digests of the files of a backup.")
	s.add(at(" (default now)"))
	locs(s, 1, "repository or path inside it")

	p.add(sub)
	return p
}

// newLegacyParser builds the legacy (1.x) parser.
func newLegacyParser(prog string) *argParser {
	p := newParser(prog)
	p.description = "local/remote mirror and incremental backup (deprecated interface)"
	p.epilog = DeprecationWarning
	addCommon(p)
	addCompat(p)
	addCreation(p)
	addCompression(p)
	addSelection(p)
	addFilesystem(p)
	addUserGroup(p)
	addStatistics(p)
	addTimestamp(p)
	addRestrict(p)
	addVersion(p)
	tv := func(opt, dest, help string) *argAction {
		return value(strings.Fields(opt), dest, "AT_TIME", help)
	}
	p.addMutex(
		constFlag([]string{"-b", "--backup-mode"}, "backup", "back up (the default)"),
		constFlag([]string{"--calculate-average"}, "calculate-average", "average session statistics files"),
		constFlag([]string{"--check-destination-dir"}, "check-destination-dir", "regress a failed backup"),
		constFlag([]string{"--compare"}, "compare", "compare metadata (at time now)"),
		tv("--compare-at-time", "compare_at_time", "compare metadata at a time"),
		constFlag([]string{"--compare-hash"}, "compare-hash", "compare by hash (at time now)"),
		tv("--compare-hash-at-time", "compare_hash_at_time", "compare by hash at a time"),
		constFlag([]string{"--compare-full"}, "compare-full", "compare full contents (at time now)"),
		tv("--compare-full-at-time", "compare_full_at_time", "compare full contents at a time"),
		tv("--list-at-time", "list_at_time", "list files at a time"),
		tv("--list-changed-since", "list_changed_since", "list files changed since a time"),
		constFlag([]string{"-l", "--list-increments"}, "list-increments", "list increments"),
		constFlag([]string{"--list-increment-sizes"}, "list-increment-sizes", "list increments with sizes"),
		tv("--remove-older-than", "remove_older_than", "remove increments older than a time"),
		tv("-r --restore-as-of", "restore_as_of", "restore as of a time"),
		constFlag([]string{"--restore"}, "restore", "restore the increment given as source"),
		constFlag([]string{"-s", "--server"}, "server", "run as server"),
		constFlag([]string{"--test-server"}, "test", "test remote servers"),
		constFlag([]string{"--verify"}, "verify", "verify digests (at time now)"),
		tv("--verify-at-time", "verify_at_time", "verify digests at a time"),
	)
	p.add(positional("locations", "", nargsZeroOrMore, "locations, remote or local"))
	return p
}

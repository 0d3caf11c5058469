package cli

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Parse parses rdiff-backup's arguments (without the program name) as
// rdiff-backup 2.2.2 does, reporting errors under the name "rdiff-backup".
// env looks up environment variables (RDIFF_BACKUP_VERBOSITY, COLUMNS); it
// may be nil. On failure the error is an *Error.
func Parse(args []string, env func(string) string) (*Invocation, error) {
	return ParseAs("rdiff-backup", args, env)
}

// ParseAs is Parse with another program name in messages and help.
func ParseAs(prog string, args []string, env func(string) string) (*Invocation, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	verbosity := 3
	if v := env("RDIFF_BACKUP_VERBOSITY"); v != "" {
		n, ok := pyInt(v)
		if !ok {
			return nil, &Error{Kind: CrashError, Status: 1,
				Msg: "ValueError: invalid literal for int() with base 10: " + pyRepr(v)}
		}
		verbosity = clampInt(n)
	}
	width := terminalWidth(env)

	var p *argParser
	syntax := ChooseSyntax(args)
	words := slices.Clone(args)
	if syntax == ActionSyntax {
		p = newActionParser(prog)
		expanded, err := p.readArgFiles(words, 0)
		if err != nil {
			return nil, usageError(err, width)
		}
		words = expanded
	} else {
		p = newLegacyParser(prog)
	}
	ns, err := p.parseArgs(words)
	if err != nil {
		var exit *exitRequest
		if errors.As(err, &exit) {
			inv := defaults(verbosity)
			inv.Syntax, inv.Prog, inv.Args = syntax, prog, words
			if exit.version {
				inv.Version = true
			} else {
				inv.Help = exit.parser.help(width)
			}
			return inv, nil
		}
		return nil, usageError(err, width)
	}

	inv := defaults(verbosity)
	inv.Syntax, inv.Prog, inv.Args = syntax, prog, words
	// A --current-time beyond 64 bits is an int to Python; gordiff
	// refuses it, after the checks rdiff-backup makes while parsing.
	fillErr := inv.fill(ns)
	var raw []string
	if syntax == LegacySyntax {
		raw = inv.mapLegacy(ns)
		if err := checkLegacyCount(inv.Action, raw); err != nil {
			return nil, usageError(&parseError{parser: p, msg: err.Error()}, width)
		}
	}
	if fillErr != nil {
		return nil, usageError(&parseError{parser: p, msg: fillErr.Error()}, width)
	}
	if syntax == LegacySyntax {
		if !slices.Contains(args, "--no-new") {
			inv.Deprecation = DeprecationWarning
		}
	} else {
		raw = strs(ns, "locations")
	}
	inv.resetInapplicable()

	if v, ok := ns["api_version"].(string); ok && inv.APIVersion != 200 && inv.APIVersion != 201 {
		return nil, &Error{Kind: FatalError, Status: 1, Deprecation: inv.Deprecation,
			Msg: "API version " + v + " must be between 200 and 201."}
	}

	// pre_check (cli.md 1.6): what rdiff-backup validates before touching
	// any location.
	var msgs []string
	if inv.Tempdir != "" {
		if !fsys.isDir(inv.Tempdir) {
			msgs = append(msgs, "Temporary directory '"+inv.Tempdir+"' doesn't exist.")
		}
	}
	locs := make([]Location, 0, len(raw))
	var locErrs []string
	for _, r := range raw {
		l, err := ParseLocation(r)
		if err != nil {
			locErrs = append(locErrs, err.Error())
			continue
		}
		locs = append(locs, l)
		if inv.Action == "test" && !l.Remote() {
			locErrs = append(locErrs, "Only remote locations can be tested but location '"+r+"' isn't remote")
		}
	}
	switch inv.Action {
	case "test":
		msgs = append(msgs, locErrs...)
	case "complete":
		if len(inv.Words) == 0 {
			msgs = append(msgs, "There must be at least one word, the command rdiff-backup itself, to complete")
		}
		cw, _ := new(big.Int).SetString(str(ns, "cword", "-1"), 10)
		n := big.NewInt(int64(len(inv.Words)))
		if cw.Cmp(n) >= 0 || cw.Cmp(new(big.Int).Neg(n)) < 0 {
			msgs = append(msgs, fmt.Sprintf("The word count %s isn't within range of the words list %s",
				cw.String(), pyListRepr(inv.Words)))
		}
	}
	if len(msgs) == 0 && len(locErrs) > 0 {
		// rdiff-backup dies with a traceback when it connects (cli.md 5.1,
		// [D]): gordiff reports the same message as a pre_check failure.
		msgs = locErrs
	}
	if len(msgs) > 0 {
		return nil, &Error{Kind: PreCheckError, Status: 1, Deprecation: inv.Deprecation,
			Messages: msgs, Action: inv.Action, TerminalVerbosity: inv.TerminalVerbosity}
	}
	inv.Locations = locs
	return inv, nil
}

// ChooseSyntax applies the grammar choice rule of cli.md 1.1 to the raw
// words.
func ChooseSyntax(args []string) Syntax {
	has := func(w string) bool { return slices.Contains(args, w) }
	if has("--new") || has("complete") {
		return ActionSyntax
	}
	for _, a := range args {
		if len(a) > 0 && a[0] == '@' {
			return ActionSyntax
		}
	}
	if !has("--no-new") {
		if has("--api-version") || has("--help") {
			return ActionSyntax
		}
		for _, a := range Actions {
			if has(a) {
				return ActionSyntax
			}
		}
	}
	return LegacySyntax
}

func usageError(err error, width int) error {
	var pe *parseError
	if errors.As(err, &pe) {
		return &Error{Kind: UsageError, Status: 2, Prog: pe.parser.prog,
			Usage: pe.parser.usage(width), Msg: pe.msg}
	}
	return err
}

func clampInt(n *big.Int) int {
	switch {
	case n.Cmp(big.NewInt(math.MaxInt32)) > 0:
		return math.MaxInt32
	case n.Cmp(big.NewInt(math.MinInt32)) < 0:
		return math.MinInt32
	}
	return int(n.Int64())
}

func str(ns namespace, key, def string) string {
	if s, ok := ns[key].(string); ok {
		return s
	}
	return def
}

func strs(ns namespace, key string) []string {
	s, _ := ns[key].([]string)
	return s
}

func boolean(ns namespace, key string, def bool) bool {
	if b, ok := ns[key].(bool); ok {
		return b
	}
	return def
}

// fill copies the parsed values into inv.
func (inv *Invocation) fill(ns namespace) error {
	if v, ok := ns["verbosity"].(string); ok {
		inv.Verbosity, _ = strconv.Atoi(v)
	}
	inv.TerminalVerbosity = inv.Verbosity
	if v, ok := ns["terminal_verbosity"].(string); ok {
		inv.TerminalVerbosity, _ = strconv.Atoi(v)
		inv.TerminalVerbositySet = true
	}
	if v, ok := ns["api_version"].(string); ok {
		n, _ := new(big.Int).SetString(v, 10)
		inv.APIVersion = clampInt(n)
	}
	if v, ok := ns["current_time"].(string); ok {
		t, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("argument --current-time: invalid int value: %s", pyRepr(v))
		}
		inv.CurrentTime = &t
	}
	inv.Force = boolean(ns, "force", false)
	inv.Fsync = boolean(ns, "fsync", true)
	inv.NullSeparator = boolean(ns, "null_separator", false)
	if v, ok := ns["chars_to_quote"].(string); ok {
		inv.CharsToQuote = &v
	}
	inv.ParsableOutput = boolean(ns, "parsable_output", false)
	inv.RemoteSchema = str(ns, "remote_schema", "")
	inv.RemoteTempdir = str(ns, "remote_tempdir", "")
	inv.SSHCompression = boolean(ns, "ssh_compression", true)
	inv.Tempdir = str(ns, "tempdir", "")
	inv.UseCompatibleTimes = boolean(ns, "use_compatible_timestamps", false)

	inv.CreateFullPath = boolean(ns, "create_full_path", false)
	inv.Compression = boolean(ns, "compression", true)
	inv.NotCompressedRegexp = str(ns, "not_compressed_regexp", DefaultNotCompressedRegexp)
	for _, s := range selectionsOf(ns) {
		inv.Selections = append(inv.Selections, SelectionOption{Flag: s.flag, Arg: s.arg})
	}
	inv.ACLs = boolean(ns, "acls", true)
	inv.EAs = boolean(ns, "eas", true)
	inv.HardLinks = boolean(ns, "hard_links", true)
	inv.CompareInode = boolean(ns, "compare_inode", true)
	inv.Carbonfile = boolean(ns, "carbonfile", true)
	inv.ResourceForks = boolean(ns, "resource_forks", true)
	inv.NeverDropACLs = boolean(ns, "never_drop_acls", false)
	inv.UserMappingFile = str(ns, "user_mapping_file", "")
	inv.GroupMappingFile = str(ns, "group_mapping_file", "")
	inv.PreserveNumericalIDs = boolean(ns, "preserve_numerical_ids", false)
	inv.FileStatistics = boolean(ns, "file_statistics", true)
	inv.PrintStatistics = boolean(ns, "print_statistics", false)
	inv.AllowDuplicateTimestamps = boolean(ns, "allow_duplicate_timestamps", false)
	inv.RestrictPath = str(ns, "restrict_path", "")
	inv.RestrictMode = str(ns, "restrict_mode", "read-write")

	inv.Action = str(ns, "action", "")
	inv.Entity = str(ns, "entity", "")
	switch inv.Action {
	case "compare", "verify":
		inv.At = str(ns, "at", "now")
	case "list":
		if inv.Entity == "files" {
			inv.At = str(ns, "at", "now")
		}
	case "restore":
		inv.At = str(ns, "at", "")
	}
	inv.Increment = boolean(ns, "increment", false)
	inv.ChangedSince = str(ns, "changed_since", "")
	inv.OlderThan = str(ns, "older_than", "")
	inv.Size = boolean(ns, "size", false)
	switch inv.Action {
	case "compare":
		inv.Method = str(ns, "method", "meta")
	case "calculate":
		inv.Method = str(ns, "method", "average")
	}
	inv.Debug = boolean(ns, "debug", false)
	inv.CWord = -1
	if v, ok := ns["cword"].(string); ok {
		n, _ := new(big.Int).SetString(v, 10)
		inv.CWord = clampInt(n)
	}
	inv.Unique = boolean(ns, "unique", true)
	inv.Words = strs(ns, "words")
	if inv.Action == "complete" && inv.Words == nil {
		inv.Words = []string{}
	}
	return nil
}

// mapLegacy turns the legacy action switches into the action-syntax
// request (rdiff-backup's _make_values_like_new_compat200) and returns the
// raw locations.
func (inv *Invocation) mapLegacy(ns namespace) []string {
	action := str(ns, "action", "")
	if action == "" {
		for _, c := range []struct{ key, action, entity, method string }{
			{"compare_at_time", "compare", "", "meta"},
			{"compare_hash_at_time", "compare", "", "hash"},
			{"compare_full_at_time", "compare", "", "full"},
			{"list_at_time", "list", "files", ""},
			{"list_changed_since", "list", "files", ""},
			{"remove_older_than", "remove", "increments", ""},
			{"restore_as_of", "restore", "", ""},
			{"verify_at_time", "verify", "", ""},
		} {
			// Python tests the value for truth: an empty time is no switch.
			t := str(ns, c.key, "")
			if t == "" {
				continue
			}
			action, inv.Entity, inv.Method = c.action, c.entity, c.method
			switch c.key {
			case "list_changed_since":
				inv.ChangedSince, inv.At = t, "now"
			case "remove_older_than":
				inv.OlderThan = t
			default:
				inv.At = t
			}
			break
		}
		if action == "" {
			action = "backup"
		}
	} else {
		switch action {
		case "calculate-average":
			action, inv.Method = "calculate", "average"
		case "check-destination-dir":
			action = "regress"
		case "compare", "compare-hash", "compare-full":
			inv.Method = map[string]string{"compare": "meta", "compare-hash": "hash", "compare-full": "full"}[action]
			action, inv.At = "compare", "now"
		case "list-increments", "list-increment-sizes":
			inv.Entity, inv.Size = "increments", action == "list-increment-sizes"
			action = "list"
		case "restore":
			inv.Increment, inv.At = true, ""
		case "verify":
			inv.At = "now"
		}
	}
	inv.Action = action
	if boolean(ns, "ssh_no_compression", false) {
		inv.SSHCompression = false
	}
	if action == "server" && inv.RestrictPath == "" {
		for _, r := range []struct{ key, mode string }{
			{"restrict", "read-write"},
			{"restrict_read_only", "read-only"},
			{"restrict_update_only", "update-only"},
		} {
			if path := str(ns, r.key, ""); path != "" {
				inv.RestrictPath, inv.RestrictMode = path, r.mode
				break
			}
		}
	}
	return strs(ns, "locations")
}

// checkLegacyCount is _validate_number_locations_compat200.
func checkLegacyCount(action string, locs []string) error {
	want := map[string]int{"backup": 2, "calculate": -1, "compare": 2, "info": 0, "list": 1,
		"regress": 1, "remove": 1, "restore": 2, "server": 0, "test": -1, "verify": 1}[action]
	if want >= 0 && len(locs) != want {
		return fmt.Errorf("Action %s requires %d location(s) instead of %s.", action, want, pyListRepr(locs))
	}
	if want < 0 && len(locs) < -want {
		return fmt.Errorf("Action %s requires at least %d location(s) instead of %s.", action, -want, pyListRepr(locs))
	}
	return nil
}

// resetInapplicable puts back the defaults of the option groups the
// action does not take (the legacy parser accepts them all and ignores
// them), so both syntaxes give the same Invocation.
func (inv *Invocation) resetInapplicable() {
	d := defaults(0)
	groups := map[string]string{
		"backup":  "creation compression selection filesystem usergroup statistics",
		"restore": "creation compression selection filesystem usergroup",
		"regress": "compression timestamp usergroup",
		"compare": "selection",
		"server":  "restrict",
	}[inv.Action]
	has := func(g string) bool { return slices.Contains(strings.Fields(groups), g) }
	if !has("creation") {
		inv.CreateFullPath = d.CreateFullPath
	}
	if !has("compression") {
		inv.Compression, inv.NotCompressedRegexp = d.Compression, d.NotCompressedRegexp
	}
	if !has("selection") {
		inv.Selections = nil
	}
	if !has("filesystem") {
		inv.ACLs, inv.EAs, inv.HardLinks, inv.CompareInode = d.ACLs, d.EAs, d.HardLinks, d.CompareInode
		inv.Carbonfile, inv.ResourceForks, inv.NeverDropACLs = d.Carbonfile, d.ResourceForks, d.NeverDropACLs
	}
	if !has("usergroup") {
		inv.UserMappingFile, inv.GroupMappingFile, inv.PreserveNumericalIDs = "", "", false
	}
	if !has("statistics") {
		inv.FileStatistics, inv.PrintStatistics = d.FileStatistics, d.PrintStatistics
	}
	if !has("timestamp") {
		inv.AllowDuplicateTimestamps = false
	}
	if !has("restrict") {
		inv.RestrictPath, inv.RestrictMode = "", d.RestrictMode
	}
}

package cli

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"syscall"
)

// This file is a small re-implementation of the parts of Python 3.11's
// argparse that rdiff-backup 2.2.2 uses: its parsing algorithm (option
// classification, abbreviations, combined short flags, the alternation of
// positionals and optionals, nargs patterns, mutually exclusive groups,
// sub-parsers, @FILE expansion) and its error messages. The behaviour,
// including its oddities, is what scripts written for rdiff-backup see.

// nargs values besides an exact count (>= 0).
const (
	nargsNone       = -1 // one argument, stored as a single value
	nargsOptional   = -2 // '?'
	nargsZeroOrMore = -3 // '*'
	nargsOneOrMore  = -4 // '+'
	nargsParser     = -5 // sub-parser: 'A...'
)

type actKind int

const (
	actStore      actKind = iota // store the converted value
	actStoreTrue                 // store true
	actStoreConst                // store a constant
	actBoolOpt                   // --x / --no-x
	actSelect                    // append to the ordered selection list
	actHelp                      // print help and exit
	actVersion                   // print version and exit
	actSubparsers                // choose a sub-parser
)

type valType int

const (
	typeStr valType = iota
	typeInt
	typeFile // argparse.FileType('r'): the file must be readable
)

// argAction is one argparse action: an option or a positional.
type argAction struct {
	opts     []string // option strings; empty for a positional
	dest     string
	kind     actKind
	nargs    int
	typ      valType
	choices  []string // for typeStr; for typeInt see intChoices
	intRange bool     // choices are range(0, 10)
	constVal string
	metavar  string
	required bool
	help     string
	subs     []*argParser // actSubparsers: the choices, in order
}

// argParser is one argparse.ArgumentParser.
type argParser struct {
	prog        string
	description string
	epilog      string
	actions     []*argAction
	optOrder    []string // option strings in registration order
	optMap      map[string]*argAction
	mutex       [][]*argAction
	fromFile    bool // fromfile_prefix_chars='@'
	defaults    map[string]any
}

func newParser(prog string) *argParser {
	p := &argParser{prog: prog, optMap: map[string]*argAction{}, defaults: map[string]any{}}
	p.add(&argAction{opts: []string{"-h", "--help"}, dest: "help", kind: actHelp, nargs: 0,
		help: "show this help message and exit"})
	return p
}

func (p *argParser) add(a *argAction) *argAction {
	p.actions = append(p.actions, a)
	for _, o := range a.opts {
		if _, dup := p.optMap[o]; !dup {
			p.optOrder = append(p.optOrder, o)
		}
		p.optMap[o] = a
	}
	return a
}

func (p *argParser) addMutex(as ...*argAction) {
	for _, a := range as {
		p.add(a)
	}
	p.mutex = append(p.mutex, as)
}

// parseError is argparse's ArgumentError / parser.error(): the parser that
// complains and the message.
type parseError struct {
	parser *argParser
	msg    string
}

func (e *parseError) Error() string { return e.parser.prog + ": error: " + e.msg }

// exitRequest is a help or version action: print and exit 0.
type exitRequest struct {
	parser  *argParser
	version bool
}

func (e *exitRequest) Error() string { return "exit requested" }

// selectionEntry is one element of the ordered selection list.
type selectionEntry struct{ flag, arg string }

// namespace holds the parsed values by destination.
type namespace map[string]any

// actionName mirrors argparse's _get_action_name.
func actionName(a *argAction) string {
	if len(a.opts) > 0 {
		return strings.Join(a.opts, "/")
	}
	if a.metavar != "" {
		return a.metavar
	}
	return a.dest
}

func argError(p *argParser, a *argAction, msg string) error {
	return &parseError{parser: p, msg: "argument " + actionName(a) + ": " + msg}
}

type optTuple struct {
	action   *argAction // nil: looks like an option this parser lacks
	opt      string
	explicit *string
}

func strp(s string) *string { return &s }

// parseOptional mirrors _parse_optional: nil means the word is an argument.
func (p *argParser) parseOptional(arg string) (*optTuple, error) {
	if arg == "" || arg[0] != '-' {
		return nil, nil
	}
	if a, ok := p.optMap[arg]; ok {
		return &optTuple{action: a, opt: arg}, nil
	}
	if len(arg) == 1 {
		return nil, nil
	}
	if i := strings.IndexByte(arg, '='); i >= 0 {
		if a, ok := p.optMap[arg[:i]]; ok {
			return &optTuple{action: a, opt: arg[:i], explicit: strp(arg[i+1:])}, nil
		}
	}
	tuples := p.optionTuples(arg)
	if len(tuples) > 1 {
		names := make([]string, len(tuples))
		for i, t := range tuples {
			names[i] = t.opt
		}
		return nil, &parseError{parser: p, msg: fmt.Sprintf("ambiguous option: %s could match %s",
			arg, strings.Join(names, ", "))}
	}
	if len(tuples) == 1 {
		return &tuples[0], nil
	}
	if isNegativeNumber(arg) {
		return nil, nil
	}
	if strings.Contains(arg, " ") {
		return nil, nil
	}
	return &optTuple{opt: arg}, nil
}

// optionTuples mirrors _get_option_tuples (allow_abbrev is on).
func (p *argParser) optionTuples(arg string) []optTuple {
	var result []optTuple
	if arg[1] == '-' {
		prefix, explicit := arg, (*string)(nil)
		if i := strings.IndexByte(arg, '='); i >= 0 {
			prefix, explicit = arg[:i], strp(arg[i+1:])
		}
		for _, o := range p.optOrder {
			if strings.HasPrefix(o, prefix) {
				result = append(result, optTuple{action: p.optMap[o], opt: o, explicit: explicit})
			}
		}
		return result
	}
	short, shortExplicit := arg[:2], arg[2:]
	for _, o := range p.optOrder {
		if o == short {
			result = append(result, optTuple{action: p.optMap[o], opt: o, explicit: strp(shortExplicit)})
		} else if strings.HasPrefix(o, arg) {
			result = append(result, optTuple{action: p.optMap[o], opt: o})
		}
	}
	return result
}

// nargsPattern returns the argparse nargs regular expression as a small
// matcher over the pattern string of 'O', 'A' and '-' letters.
// matchNargs returns the number of words matched at the start of pat, or
// -1 when there is no match. Optionals never match '-'.
func matchNargs(a *argAction, pat string) int {
	optional := len(a.opts) > 0
	i := 0
	dashes := func() {
		if !optional {
			for i < len(pat) && pat[i] == '-' {
				i++
			}
		}
	}
	one := func() bool {
		if i < len(pat) && pat[i] == 'A' {
			i++
			return true
		}
		return false
	}
	switch n := a.nargs; {
	case n == nargsNone:
		dashes()
		if !one() {
			return -1
		}
		dashes()
	case n == nargsOptional:
		dashes()
		one()
		dashes()
	case n == nargsZeroOrMore:
		for i < len(pat) && (pat[i] == 'A' || (!optional && pat[i] == '-')) {
			i++
		}
	case n == nargsOneOrMore:
		dashes()
		if !one() {
			return -1
		}
		for i < len(pat) && (pat[i] == 'A' || (!optional && pat[i] == '-')) {
			i++
		}
	case n == nargsParser:
		dashes()
		if !one() {
			return -1
		}
		for i < len(pat) && (pat[i] == 'A' || pat[i] == 'O' || (!optional && pat[i] == '-')) {
			i++
		}
	default:
		dashes()
		for k := 0; k < n; k++ {
			if k > 0 {
				dashes()
			}
			if !one() {
				return -1
			}
		}
		dashes()
	}
	return i
}

// matchPositionals mirrors _match_arguments_partial for the positionals
// rdiff-backup defines (every parser has at most one positional, so the
// greedy regular expression and this direct match agree).
func matchPositionals(positionals []*argAction, pat string) []int {
	for n := len(positionals); n > 0; n-- {
		counts := make([]int, 0, n)
		rest := pat
		ok := true
		for _, a := range positionals[:n] {
			c := matchNargs(a, rest)
			if c < 0 {
				ok = false
				break
			}
			counts = append(counts, c)
			rest = rest[c:]
		}
		if ok {
			return counts
		}
	}
	return nil
}

func nargsError(a *argAction) string {
	switch a.nargs {
	case nargsNone:
		return "expected one argument"
	case nargsOptional:
		return "expected at most one argument"
	case nargsOneOrMore:
		return "expected at least one argument"
	case 1:
		return "expected 1 argument"
	}
	return fmt.Sprintf("expected %d arguments", a.nargs)
}

// readArgFiles mirrors _read_args_from_files: @FILE is replaced by the
// lines of FILE, recursively.
func (p *argParser) readArgFiles(args []string, depth int) ([]string, error) {
	var out []string
	for _, arg := range args {
		if arg == "" || arg[0] != '@' {
			out = append(out, arg)
			continue
		}
		if depth > 100 {
			return nil, &parseError{parser: p, msg: "maximum recursion depth exceeded while reading " + pyRepr(arg[1:])}
		}
		data, err := fsys.readFile(arg[1:])
		if err != nil {
			return nil, &parseError{parser: p, msg: pyOSError(err, arg[1:])}
		}
		sub, err := p.readArgFiles(pySplitLines(string(data)), depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// pyOSError renders an error the way Python's str(OSError) does:
// "[Errno 2] No such file or directory: 'name'".
func pyOSError(err error, name string) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return fmt.Sprintf("[Errno %d] %s: %s", int(errno), msg, pyRepr(name))
	}
	return fmt.Sprintf("%v: %s", err, pyRepr(name))
}

// fsys holds the file system accesses rdiff-backup makes while parsing;
// tests replace them.
var fsys = struct {
	readFile  func(name string) ([]byte, error)
	checkOpen func(name string) error // can the file be opened for reading?
	isDir     func(name string) bool
}{
	readFile: os.ReadFile,
	checkOpen: func(name string) error {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return syscall.EISDIR
		}
		return nil
	},
	isDir: func(name string) bool {
		st, err := os.Stat(name)
		return err == nil && st.IsDir()
	},
}

// parseArgs mirrors parse_args: unrecognized words are an error of this
// parser.
func (p *argParser) parseArgs(args []string) (namespace, error) {
	ns := namespace{}
	extras, err := p.parseKnown(args, ns)
	if err != nil {
		return nil, err
	}
	if len(extras) > 0 {
		return nil, &parseError{parser: p, msg: "unrecognized arguments: " + strings.Join(extras, " ")}
	}
	return ns, nil
}

// parseKnown mirrors parse_known_args + _parse_known_args. It fills ns and
// returns the words nobody recognised (its own first, then those of its
// sub-parsers).
func (p *argParser) parseKnown(args []string, ns namespace) ([]string, error) {
	for _, a := range p.actions {
		if _, ok := ns[a.dest]; !ok && a.kind != actHelp && a.kind != actVersion {
			if d, ok := p.defaults[a.dest]; ok {
				ns[a.dest] = d
			}
		}
	}
	if p.fromFile {
		var err error
		if args, err = p.readArgFiles(args, 0); err != nil {
			return nil, err
		}
	}
	conflicts := map[*argAction][]*argAction{}
	for _, g := range p.mutex {
		for i, a := range g {
			conflicts[a] = append(conflicts[a], g[:i]...)
			conflicts[a] = append(conflicts[a], g[i+1:]...)
		}
	}

	optIdx := map[int]*optTuple{}
	var pat strings.Builder
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			pat.WriteByte('-')
			for i++; i < len(args); i++ {
				pat.WriteByte('A')
			}
			break
		}
		t, err := p.parseOptional(args[i])
		if err != nil {
			return nil, err
		}
		if t == nil {
			pat.WriteByte('A')
		} else {
			optIdx[i] = t
			pat.WriteByte('O')
		}
	}
	pattern := pat.String()

	seen := map[*argAction]bool{}
	seenNonDefault := map[*argAction]bool{}
	var extras, unrecognized []string

	takeAction := func(a *argAction, argStrings []string, opt string) error {
		seen[a] = true
		nonDefault, err := p.apply(a, argStrings, opt, ns, &unrecognized)
		if err != nil {
			return err
		}
		if nonDefault {
			seenNonDefault[a] = true
			for _, c := range conflicts[a] {
				if seenNonDefault[c] {
					return argError(p, a, "not allowed with argument "+actionName(c))
				}
			}
		}
		return nil
	}
	// argparse checks conflicts before running the action; apply() runs
	// it first but has no side effect visible before the error returns,
	// except for sub-parsers, which are never in a group.

	consumeOptional := func(start int) (int, error) {
		t := optIdx[start]
		a, opt, explicit := t.action, t.opt, t.explicit
		type pending struct {
			a    *argAction
			args []string
			opt  string
		}
		var todo []pending
		stop := 0
		for {
			if a == nil {
				extras = append(extras, args[start])
				return start + 1, nil
			}
			if explicit != nil {
				count := matchNargs(a, "A")
				if count < 0 {
					return 0, argError(p, a, nargsError(a))
				}
				if count == 0 && opt[1] != '-' && *explicit != "" {
					todo = append(todo, pending{a, nil, opt})
					opt = "-" + (*explicit)[:1]
					if next, ok := p.optMap[opt]; ok {
						a = next
						if rest := (*explicit)[1:]; rest != "" {
							explicit = strp(rest)
						} else {
							explicit = nil
						}
					} else {
						return 0, argError(p, a, "ignored explicit argument "+pyRepr(*explicit))
					}
				} else if count == 1 {
					stop = start + 1
					todo = append(todo, pending{a, []string{*explicit}, opt})
					break
				} else {
					return 0, argError(p, a, "ignored explicit argument "+pyRepr(*explicit))
				}
			} else {
				count := matchNargs(a, pattern[start+1:])
				if count < 0 {
					return 0, argError(p, a, nargsError(a))
				}
				stop = start + 1 + count
				todo = append(todo, pending{a, append([]string(nil), args[start+1:stop]...), opt})
				break
			}
		}
		for _, t := range todo {
			if err := takeAction(t.a, t.args, t.opt); err != nil {
				return 0, err
			}
		}
		return stop, nil
	}

	var positionals []*argAction
	for _, a := range p.actions {
		if len(a.opts) == 0 {
			positionals = append(positionals, a)
		}
	}
	consumePositionals := func(start int) (int, error) {
		counts := matchPositionals(positionals, pattern[start:])
		for i, c := range counts {
			if err := takeAction(positionals[i], append([]string(nil), args[start:start+c]...), ""); err != nil {
				return 0, err
			}
			start += c
		}
		positionals = positionals[len(counts):]
		return start, nil
	}

	optPos := make([]int, 0, len(optIdx))
	for i := range optIdx {
		optPos = append(optPos, i)
	}
	slices.Sort(optPos)
	maxOpt := -1
	if len(optPos) > 0 {
		maxOpt = optPos[len(optPos)-1]
	}
	start := 0
	for start <= maxOpt {
		for optPos[0] < start {
			optPos = optPos[1:]
		}
		next := optPos[0]
		if start != next {
			end, err := consumePositionals(start)
			if err != nil {
				return nil, err
			}
			if end > start {
				start = end
				continue
			}
			start = end
		}
		if _, ok := optIdx[start]; !ok {
			extras = append(extras, args[start:next]...)
			start = next
		}
		var err error
		if start, err = consumeOptional(start); err != nil {
			return nil, err
		}
	}
	stop, err := consumePositionals(start)
	if err != nil {
		return nil, err
	}
	extras = append(extras, args[stop:]...)

	var required []string
	for _, a := range p.actions {
		if !seen[a] && a.required {
			required = append(required, actionName(a))
		}
	}
	if len(required) > 0 {
		return nil, &parseError{parser: p, msg: "the following arguments are required: " + strings.Join(required, ", ")}
	}
	return append(extras, unrecognized...), nil
}

// apply converts the words for one action, checks them and stores the
// result. It reports whether the value counts as given (argparse's
// "argument_values is not action.default").
func (p *argParser) apply(a *argAction, argStrings []string, opt string, ns namespace, unrecognized *[]string) (bool, error) {
	if a.nargs != nargsParser {
		for i, s := range argStrings {
			if s == "--" {
				argStrings = append(argStrings[:i:i], argStrings[i+1:]...)
				break
			}
		}
	}
	switch a.kind {
	case actHelp:
		return true, &exitRequest{parser: p}
	case actVersion:
		return true, &exitRequest{parser: p, version: true}
	case actStoreTrue:
		ns[a.dest] = true
	case actStoreConst:
		ns[a.dest] = a.constVal
	case actBoolOpt:
		ns[a.dest] = !strings.HasPrefix(opt, "--no-")
	case actSubparsers:
		name := argStrings[0]
		var sub *argParser
		for _, s := range a.subs {
			if s.name() == name {
				sub = s
			}
		}
		if sub == nil {
			choices := make([]string, len(a.subs))
			for i, s := range a.subs {
				choices[i] = pyRepr(s.name())
			}
			return true, argError(p, a, fmt.Sprintf("invalid choice: %s (choose from %s)",
				pyRepr(name), strings.Join(choices, ", ")))
		}
		ns[a.dest] = name
		subNS := namespace{}
		rest, err := sub.parseKnown(argStrings[1:], subNS)
		if err != nil {
			return true, err
		}
		for k, v := range subNS {
			ns[k] = v
		}
		*unrecognized = append(*unrecognized, rest...)
	case actStore, actSelect:
		if a.kind == actSelect && a.nargs == 0 {
			ns["selections"] = append(selectionsOf(ns), selectionEntry{flag: strings.ReplaceAll(opt, "--", "")})
			return true, nil
		}
		var values []string
		for _, s := range argStrings {
			v, err := p.convert(a, s)
			if err != nil {
				return true, err
			}
			values = append(values, v)
		}
		switch {
		case a.kind == actSelect:
			ns["selections"] = append(selectionsOf(ns), selectionEntry{flag: strings.ReplaceAll(opt, "--", ""), arg: values[0]})
		case a.nargs == nargsNone:
			ns[a.dest] = values[0]
		default:
			if values == nil {
				values = []string{}
			}
			ns[a.dest] = values
		}
	}
	return true, nil
}

func selectionsOf(ns namespace) []selectionEntry {
	s, _ := ns["selections"].([]selectionEntry)
	return s
}

// convert applies the action's type and choices to one word; integers are
// returned in canonical decimal form.
func (p *argParser) convert(a *argAction, s string) (string, error) {
	switch a.typ {
	case typeInt:
		n, ok := pyInt(s)
		if !ok {
			return "", argError(p, a, "invalid int value: "+pyRepr(s))
		}
		if a.intRange && (n.Sign() < 0 || n.Cmp(big.NewInt(9)) > 0) {
			return "", argError(p, a, fmt.Sprintf("invalid choice: %s (choose from 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)", n.String()))
		}
		return n.String(), nil
	case typeFile:
		if s != "-" {
			if err := fsys.checkOpen(s); err != nil {
				return "", argError(p, a, fmt.Sprintf("can't open '%s': %s", s, pyOSError(err, s)))
			}
		}
		return s, nil
	}
	if a.choices != nil {
		for _, c := range a.choices {
			if c == s {
				return s, nil
			}
		}
		quoted := make([]string, len(a.choices))
		for i, c := range a.choices {
			quoted[i] = pyRepr(c)
		}
		return "", argError(p, a, fmt.Sprintf("invalid choice: %s (choose from %s)", pyRepr(s), strings.Join(quoted, ", ")))
	}
	return s, nil
}

// name is the last word of a sub-parser's prog: its action or entity name.
func (p *argParser) name() string {
	return p.prog[strings.LastIndexByte(p.prog, ' ')+1:]
}

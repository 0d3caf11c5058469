package gordiff

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"
)

// InfoOptions configure Info.
type InfoOptions struct {
	// Argv is the command line as the program got it, its name first.
	Argv []string
	// APIVersion is the --api-version given, 0 when none was.
	APIVersion int
	// Version is what exec.version shows: "2.2.2" when gordiff stands in
	// for rdiff-backup, gordiff's own version otherwise.
	Version string
	// GordiffVersion is gordiff's own version, shown in the go section.
	GordiffVersion string
}

// RuntimeInfo is the environment `rdiff-backup info` describes, for
// gordiff: the program and its API versions, the Go toolchain it was built
// with (where rdiff-backup names its Python), and the system.
type RuntimeInfo struct {
	Version        string
	APIVersion     int
	Argv           []string
	GoExecutable   string
	GoCompiler     string
	GoVersion      string
	GordiffVersion string
	Platform       string
	FSEncoding     string
}

// The API versions gordiff speaks, as rdiff-backup 2.2.2 does.
const (
	apiDefault = 200
	apiMin     = 200
	apiMax     = 201
)

// Info gathers what `info` prints.
func Info(ctx context.Context, opts InfoOptions) (*RuntimeInfo, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the executable: %w", err)
	}
	return &RuntimeInfo{
		Version:        opts.Version,
		APIVersion:     opts.APIVersion,
		Argv:           opts.Argv,
		GoExecutable:   exe,
		GoCompiler:     runtime.Compiler,
		GoVersion:      runtime.Version(),
		GordiffVersion: opts.GordiffVersion,
		Platform:       platformString(),
		// Names are bytes to gordiff; they are shown, like rdiff-backup
		// shows them, as UTF-8.
		FSEncoding: "utf-8",
	}, ctx.Err()
}

// Format renders the information as the YAML document rdiff-backup prints
// (keys sorted, block style, PyYAML's choice of scalar quoting), followed
// by the empty line of its print.
func (i *RuntimeInfo) Format() string {
	var b strings.Builder
	b.WriteString("---\nexec:\n  api_version:\n")
	fmt.Fprintf(&b, "    actual: %d\n    default: %d\n    max: %d\n    min: %d\n", i.APIVersion, apiDefault, apiMax, apiMin)
	if len(i.Argv) == 0 {
		b.WriteString("  argv: []\n")
	} else {
		b.WriteString("  argv:\n")
		for _, a := range i.Argv {
			b.WriteString("  - ")
			b.WriteString(yamlScalar(a, 4))
			b.WriteString("\n")
		}
	}
	b.WriteString("  parsed: null\n")
	fmt.Fprintf(&b, "  version: %s\n", yamlScalar(i.Version, 11))
	b.WriteString("go:\n")
	fmt.Fprintf(&b, "  compiler: %s\n", yamlScalar(i.GoCompiler, 12))
	fmt.Fprintf(&b, "  executable: %s\n", yamlScalar(i.GoExecutable, 14))
	fmt.Fprintf(&b, "  gordiff_version: %s\n", yamlScalar(i.GordiffVersion, 19))
	fmt.Fprintf(&b, "  version: %s\n", yamlScalar(i.GoVersion, 11))
	b.WriteString("system:\n")
	fmt.Fprintf(&b, "  fs_encoding: %s\n", yamlScalar(i.FSEncoding, 15))
	fmt.Fprintf(&b, "  platform: %s\n", yamlScalar(i.Platform, 12))
	b.WriteString("...\n\n")
	return b.String()
}

// yamlImplicit are PyYAML's resolvers: a plain scalar matching one of them
// would not read back as a string, so it is quoted. Compiled on first use.
var yamlImplicit = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`),
		regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
		regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`),
		regexp.MustCompile(`^(?:<<|=|~|null|Null|NULL|!|&|\*)$`),
		regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`),
	}
})

// pyRunes decodes s as Python decodes a command line: UTF-8, each byte of
// an invalid sequence becoming the lone surrogate U+DC80+byte.
func pyRunes(s string) []rune {
	var out []rune
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			r = 0xDC00 + rune(s[0])
		}
		out = append(out, r)
		s = s[n:]
	}
	return out
}

func isYAMLBreak(r rune) bool { return r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029 }

func isYAMLSpaceOrEnd(t []rune, i int) bool {
	if i >= len(t) {
		return true
	}
	switch t[i] {
	case 0, ' ', '\t', '\r', '\n', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// yamlScalar renders a string value of a block collection as PyYAML's
// safe_dump does (ASCII output, 80 columns): plain when that reads back
// as the same string, else single-quoted, else double-quoted with
// escapes. column is where the value starts; continuation lines are
// indented by 4 spaces, as for every value in a second-level collection,
// which is where all of gordiff's YAML values sit.
func yamlScalar(s string, column int) string {
	t := pyRunes(s)
	const indent = 4
	if len(t) == 0 {
		return "''"
	}
	var block, lineBreaks, special, leadSpace, trailSpace, leadBreak, trailBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		block = true
	}
	prevWS := true
	prevSpace, prevBreak := false, false
	for i, ch := range t {
		next := isYAMLSpaceOrEnd(t, i+1)
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				block = true
			}
			if (ch == '?' || ch == ':' || ch == '-') && next {
				block = true
			}
		} else {
			if ch == ':' && next {
				block = true
			}
			if ch == '#' && prevWS {
				block = true
			}
		}
		if isYAMLBreak(ch) {
			lineBreaks = true
		}
		if ch != '\n' && (ch < 0x20 || ch > 0x7e) {
			special = true // no unicode in safe_dump's default output
		}
		switch {
		case ch == ' ':
			leadSpace = leadSpace || i == 0
			trailSpace = trailSpace || i == len(t)-1
			breakSpace = breakSpace || prevBreak
			prevSpace, prevBreak = true, false
		case isYAMLBreak(ch):
			leadBreak = leadBreak || i == 0
			trailBreak = trailBreak || i == len(t)-1
			spaceBreak = spaceBreak || prevSpace
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		prevWS = isYAMLSpaceOrEnd(t, i)
	}
	plain := !(leadSpace || leadBreak || trailSpace || trailBreak || breakSpace || spaceBreak || special || lineBreaks || block)
	if plain {
		for _, re := range yamlImplicit() {
			if re.MatchString(s) {
				plain = false
				break
			}
		}
	}
	switch {
	case plain:
		return yamlPlain(t, column, indent)
	case !(breakSpace || spaceBreak || special):
		return yamlSingleQuoted(t, column, indent)
	}
	return yamlDoubleQuoted(t, column, indent)
}

const yamlWidth = 80

// yamlPlain writes a plain scalar, breaking at a single space once past
// the width.
func yamlPlain(t []rune, column, indent int) string {
	var b strings.Builder
	spaces := false
	start := 0
	for end := 0; end <= len(t); end++ {
		var ch rune = -1
		if end < len(t) {
			ch = t[end]
		}
		if spaces {
			if ch != ' ' {
				if start+1 == end && column > yamlWidth {
					b.WriteString("\n" + strings.Repeat(" ", indent))
					column = indent
				} else {
					b.WriteString(string(t[start:end]))
					column += end - start
				}
				start = end
			}
		} else if ch == -1 || ch == ' ' {
			b.WriteString(string(t[start:end]))
			column += end - start
			start = end
		}
		if ch != -1 {
			spaces = ch == ' '
		}
	}
	return b.String()
}

// yamlSingleQuoted writes a single-quoted scalar: quotes doubled, breaking
// at a single space once past the width, line breaks doubled.
func yamlSingleQuoted(t []rune, column, indent int) string {
	var b strings.Builder
	b.WriteByte('\'')
	column++
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(t); end++ {
		var ch rune = -1
		if end < len(t) {
			ch = t[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && column > yamlWidth && start != 0 && end != len(t) {
					b.WriteString("\n" + strings.Repeat(" ", indent))
					column = indent
				} else {
					b.WriteString(string(t[start:end]))
					column += end - start
				}
				start = end
			}
		case breaks:
			if ch == -1 || !isYAMLBreak(ch) {
				if t[start] == '\n' {
					b.WriteByte('\n')
				}
				for _, br := range t[start:end] {
					b.WriteString(string(br))
				}
				b.WriteString(strings.Repeat(" ", indent))
				column = indent
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || isYAMLBreak(ch) || ch == '\'' {
				if start < end {
					b.WriteString(string(t[start:end]))
					column += end - start
					start = end
				}
			}
		}
		if ch == '\'' {
			b.WriteString("''")
			column += 2
			start = end + 1
		}
		if ch != -1 {
			spaces = ch == ' '
			breaks = isYAMLBreak(ch)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

var yamlEscapes = map[rune]string{
	0: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r", 0x1b: "e",
	'"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

// yamlDoubleQuoted writes a double-quoted scalar with PyYAML's escapes,
// continuing long lines with a backslash.
func yamlDoubleQuoted(t []rune, column, indent int) string {
	var b strings.Builder
	b.WriteByte('"')
	column++
	start := 0
	for end := 0; end <= len(t); end++ {
		var ch rune = -1
		if end < len(t) {
			ch = t[end]
		}
		if ch == -1 || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xfeff || ch < 0x20 || ch > 0x7e {
			if start < end {
				b.WriteString(string(t[start:end]))
				column += end - start
				start = end
			}
			if ch != -1 {
				var data string
				switch e, ok := yamlEscapes[ch]; {
				case ok:
					data = "\\" + e
				case ch <= 0xff:
					data = fmt.Sprintf("\\x%02X", ch)
				case ch <= 0xffff:
					data = fmt.Sprintf("\\u%04X", ch)
				default:
					data = fmt.Sprintf("\\U%08X", ch)
				}
				b.WriteString(data)
				column += len(data)
				start = end + 1
			}
		}
		if 0 < end && end < len(t)-1 && (ch == ' ' || start >= end) && column+(end-start) > yamlWidth {
			data := "\\"
			if start < end {
				data = string(t[start:end]) + data
			}
			if start < end {
				start = end
			}
			b.WriteString(data)
			b.WriteString("\n" + strings.Repeat(" ", indent))
			column = indent
			if t[start] == ' ' {
				b.WriteString("\\")
				column++
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// platformString names the system as Python's platform.platform() does,
// "System-release-machine", without its "-with-<libc>" tail: gordiff is a
// static binary that links no C library.
func platformString() string {
	system := runtime.GOOS
	if system != "" {
		system = strings.ToUpper(system[:1]) + system[1:]
	}
	machine := map[string]string{"amd64": "x86_64", "386": "i686", "arm64": "aarch64", "arm": "armv7l",
		"ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}[runtime.GOARCH]
	if machine == "" {
		machine = runtime.GOARCH
	}
	parts := []string{system}
	if rel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		parts = append(parts, strings.TrimSpace(string(rel)))
	}
	return strings.Join(append(parts, machine), "-")
}

package cli

import (
	"strconv"
	"strings"
)

// Usage and help texts, laid out the way argparse lays them out (usage
// wrapped at the terminal width given by $COLUMNS, default 80; help in two
// columns). The wording of the help lines is gordiff's own.

func terminalWidth(env func(string) string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env("COLUMNS"))); err == nil && n > 0 {
		return n - 2
	}
	return 80 - 2
}

func (a *argAction) metavarOrDest() string {
	if a.kind == actSubparsers {
		names := make([]string, len(a.subs))
		for i, s := range a.subs {
			names[i] = s.name()
		}
		return "{" + strings.Join(names, ",") + "}"
	}
	if a.metavar != "" {
		return a.metavar
	}
	if len(a.opts) > 0 {
		return strings.ToUpper(a.dest)
	}
	return a.dest
}

// argsString is argparse's _format_args.
func (a *argAction) argsString() string {
	m := a.metavarOrDest()
	switch n := a.nargs; {
	case n == nargsNone:
		return m
	case n == nargsOptional:
		return "[" + m + "]"
	case n == nargsZeroOrMore:
		return "[" + m + " ...]"
	case n == nargsOneOrMore:
		return m + " [" + m + " ...]"
	case n == nargsParser:
		return m + " ..."
	default:
		return strings.TrimSpace(strings.Repeat(m+" ", n))
	}
}

func (a *argAction) usagePart() string {
	if a.kind == actBoolOpt {
		return strings.Join(a.opts, " | ")
	}
	if a.nargs == 0 {
		return a.opts[0]
	}
	return a.opts[0] + " " + a.argsString()
}

// usageParts splits the usage into the words argparse wraps on.
func (p *argParser) usageParts() (opts, pos []string) {
	inGroup := map[*argAction][]*argAction{}
	for _, g := range p.mutex {
		inGroup[g[0]] = g
		for _, a := range g[1:] {
			inGroup[a] = nil
		}
	}
	for _, a := range p.actions {
		if len(a.opts) == 0 {
			switch a.nargs {
			case nargsParser:
				pos = append(pos, a.metavarOrDest(), "...")
			case nargsZeroOrMore:
				pos = append(pos, a.argsString())
			case nargsOneOrMore:
				pos = append(pos, a.metavarOrDest(), "["+a.metavarOrDest()+" ...]")
			default:
				pos = append(pos, strings.Fields(a.argsString())...)
			}
			continue
		}
		g, grouped := inGroup[a]
		switch {
		case grouped && g == nil:
			continue
		case grouped:
			parts := make([]string, len(g))
			for i, m := range g {
				parts[i] = m.usagePart()
			}
			opts = append(opts, "["+strings.Join(parts, " | ")+"]")
		case a.required:
			opts = append(opts, a.usagePart())
		default:
			opts = append(opts, "["+a.usagePart()+"]")
		}
	}
	return opts, pos
}

// usage is argparse's format_usage: "usage: PROG ...\n".
func (p *argParser) usage(width int) string {
	const prefix = "usage: "
	opts, pos := p.usageParts()
	all := append(append([]string{p.prog}, opts...), pos...)
	line := strings.Join(all, " ")
	if len(prefix)+len(line) <= width {
		return prefix + line + "\n"
	}
	getLines := func(parts []string, indent string, withPrefix bool) []string {
		var lines, cur []string
		lineLen := len(indent) - 1
		if withPrefix {
			lineLen = len(prefix) - 1
		}
		for _, part := range parts {
			if lineLen+1+len(part) > width && len(cur) > 0 {
				lines = append(lines, indent+strings.Join(cur, " "))
				cur, lineLen = nil, len(indent)-1
			}
			cur = append(cur, part)
			lineLen += len(part) + 1
		}
		if len(cur) > 0 {
			lines = append(lines, indent+strings.Join(cur, " "))
		}
		if withPrefix && len(lines) > 0 {
			lines[0] = lines[0][len(indent):]
		}
		return lines
	}
	var lines []string
	if float64(len(prefix)+len(p.prog)) <= 0.75*float64(width) {
		indent := strings.Repeat(" ", len(prefix)+len(p.prog)+1)
		switch {
		case len(opts) > 0:
			lines = getLines(append([]string{p.prog}, opts...), indent, true)
			lines = append(lines, getLines(pos, indent, false)...)
		case len(pos) > 0:
			lines = getLines(append([]string{p.prog}, pos...), indent, true)
		default:
			lines = []string{p.prog}
		}
	} else {
		indent := strings.Repeat(" ", len(prefix))
		lines = getLines(append(append([]string(nil), opts...), pos...), indent, false)
		if len(lines) > 1 {
			lines = append(getLines(opts, indent, false), getLines(pos, indent, false)...)
		}
		lines = append([]string{p.prog}, lines...)
	}
	return prefix + strings.Join(lines, "\n") + "\n"
}

func wrapWords(text string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		if cur != "" && len(cur)+1+len(w) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// help is argparse's format_help, with gordiff's own short descriptions.
func (p *argParser) help(width int) string {
	var b strings.Builder
	b.WriteString(p.usage(width))
	if p.description != "" {
		b.WriteString("\n" + strings.Join(wrapWords(p.description, width), "\n") + "\n")
	}
	helpPos := min(24, max(width-20, 4))
	item := func(inv, help string) {
		b.WriteString("  " + inv)
		lines := wrapWords(help, max(width-helpPos, 11))
		if len(inv)+2 <= helpPos-2 {
			b.WriteString(strings.Repeat(" ", helpPos-2-len(inv)))
		} else {
			b.WriteString("\n" + strings.Repeat(" ", helpPos))
		}
		if len(lines) == 0 {
			b.WriteString("\n")
		}
		for i, l := range lines {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", helpPos))
			}
			b.WriteString(l + "\n")
		}
	}
	var positionals, optionals []*argAction
	for _, a := range p.actions {
		if len(a.opts) == 0 {
			positionals = append(positionals, a)
		} else {
			optionals = append(optionals, a)
		}
	}
	first := true
	for _, a := range positionals {
		if a.kind == actSubparsers {
			continue
		}
		if first {
			b.WriteString("\npositional arguments:\n")
			first = false
		}
		item(a.metavarOrDest(), a.help)
	}
	b.WriteString("\noptions:\n")
	for _, a := range optionals {
		var inv []string
		for _, o := range a.opts {
			if a.nargs == 0 {
				inv = append(inv, o)
			} else {
				inv = append(inv, o+" "+a.argsString())
			}
		}
		item(strings.Join(inv, ", "), a.help)
	}
	for _, a := range positionals {
		if a.kind != actSubparsers {
			continue
		}
		title := "possible actions"
		if a.dest != "action" {
			title = "possible " + a.dest + "s"
		}
		b.WriteString("\n" + title + ":\n")
		if a.help != "" {
			item(a.metavarOrDest(), a.help)
		}
		for _, s := range a.subs {
			item("  "+s.name(), s.description)
		}
	}
	if p.epilog != "" {
		b.WriteString("\n" + strings.Join(wrapWords(p.epilog, width), "\n") + "\n")
	}
	return b.String()
}

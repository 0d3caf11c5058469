package cli

import "strings"

// ParseLocation splits a [[USER@]HOST::]PATH argument as rdiff-backup 2.2.2
// does (cli.md 5.1): it splits at each "::" not preceded by an odd number of
// backslashes, then unescapes "\\" and "\:" in both parts and turns the
// remaining backslashes of the path into '/' ("\\host\share" is a UNC path,
// "//host/share"). The error text is rdiff-backup's (without "ERROR: ").
func ParseLocation(desc string) (Location, error) {
	parts := splitDoubleColon(desc)
	switch {
	case len(parts) > 2:
		return Location{}, locationError("Too many parts separated by double colon in '" + pyBytesRepr(desc) + "'")
	case len(parts) == 0:
		return Location{}, locationError("No location could be identified in '" + pyBytesRepr(desc) + "'")
	}
	var host, path string
	if len(parts) == 1 {
		path = parts[0]
	} else {
		if parts[0] == "" {
			return Location{}, locationError("No file host in location '" + pyBytesRepr(desc) + "' starting with '::'")
		}
		if parts[1] == "" {
			return Location{}, locationError("No file path in location '" + pyBytesRepr(desc) + "' ending with '::'")
		}
		host, path = parts[0], parts[1]
	}
	unescape := func(s string) string {
		pieces := strings.Split(s, `\\`)
		for i, p := range pieces {
			pieces[i] = strings.ReplaceAll(p, `\:`, ":")
		}
		return strings.Join(pieces, `\`)
	}
	if host != "" {
		host = unescape(host)
	}
	unc := strings.HasPrefix(path, `\\`) && len(path) > 2 && path[2] != '\\'
	path = strings.ReplaceAll(unescape(path), `\`, "/")
	if unc {
		path = "/" + path
	}
	loc := Location{Raw: desc, HostInfo: host, Host: host, Path: path}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		loc.User, loc.Host = host[:i], host[i+1:]
	}
	return loc, nil
}

type locationError string

func (e locationError) Error() string { return string(e) }

// splitDoubleColon mirrors re.split(rb"(?<!\\)(\\{2})*::", desc) followed by
// rdiff-backup's re-attachment of the captured backslash pairs. As in
// Python, the group captures only the last pair of a run, so a run of four
// backslashes before "::" keeps two.
func splitDoubleColon(s string) []string {
	var raw []string // split pieces, with captured groups as separate items
	start := 0
	for p := 0; p < len(s); {
		if p > 0 && s[p-1] == '\\' {
			p++
			continue
		}
		k := 0
		for p+k < len(s) && s[p+k] == '\\' {
			k++
		}
		if k%2 == 0 && strings.HasPrefix(s[p+k:], "::") {
			raw = append(raw, s[start:p])
			if k > 0 {
				raw = append(raw, `\\`)
			}
			p += k + 2
			start = p
			continue
		}
		p++
	}
	raw = append(raw, s[start:])

	// Walk backwards: a piece made only of backslash pairs (a captured
	// group, or a real piece that happens to look like one) is glued to
	// the end of the piece before it.
	var parts []string
	keep := ""
	for i := len(raw) - 1; i >= 0; i-- {
		part := raw[i]
		if isBackslashPairs(part) {
			keep = part
			continue
		}
		if keep != "" {
			part += keep
			keep = ""
		}
		parts = append(parts, part)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return parts
}

// isBackslashPairs is re.match(rb"^(\\{2})+$", s); Python's $ also
// matches before a final newline.
func isBackslashPairs(s string) bool {
	s = strings.TrimSuffix(s, "\n")
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			return false
		}
	}
	return true
}

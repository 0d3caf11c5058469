package increments

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrBadTime is wrapped by the errors of ParseTime: the string is not a
// time string rdiff-backup accepts.
var ErrBadTime = errors.New("not a session time string")

// timeFieldsLen is the length of the date and clock part of a time string,
// YYYY-MM-DDTHH:MM:SS.
const timeFieldsLen = 19

// ParseTime returns the instant denoted by a session time string such as
// "2023-11-14T22:13:20Z", "2023-11-15T03:43:20+05:30" or the compatible form
// "2023-11-15T03-43-20+05-30", with rdiff-backup's exact rules (the same ones
// decide whether a file name is an increment at all):
//
//   - the first 19 bytes, split at every 'T', ':' and '-', must give exactly
//     six integers year, month, day, hour, minute, second with
//     1900 < year < 2100, 1 <= month <= 12, 1 <= day <= 31, hour <= 23,
//     minute <= 59, second <= 61; the day is not checked against the month
//     and overflows into the next one;
//   - each integer is written the way Python's int() accepts it: ASCII
//     digits, optionally with single '_' between digits, a leading '+', and
//     surrounding white space (so fields need not be two digits wide);
//   - the rest is "Z", or six bytes: '+' or '-', an integer, ':' or '-', an
//     integer;
//   - the offset is 60*HH + MM minutes east, HH carrying the sign and MM
//     always added: "-04:30" is 3 h 30 min west, which is how rdiff-backup
//     writes Newfoundland's -03:30 (see Zone.TZD). The offset is not range
//     checked.
//
// Anything else, including any byte outside ASCII, is an error wrapping
// ErrBadTime.
func ParseTime(s string) (int64, error) {
	t, ok := parseTime(s)
	if !ok {
		return 0, fmt.Errorf("time string %q: %w", s, ErrBadTime)
	}
	return t, nil
}

func parseTime(s string) (int64, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return 0, false
		}
	}
	head, tzd := s, ""
	if len(s) > timeFieldsLen {
		head, tzd = s[:timeFieldsLen], s[timeFieldsLen:]
	}
	var f [6]int64
	n := 0
	start := 0
	for i := 0; i <= len(head); i++ {
		if i < len(head) && head[i] != 'T' && head[i] != ':' && head[i] != '-' {
			continue
		}
		if n == len(f) {
			return 0, false
		}
		v, ok := pyInt(head[start:i])
		if !ok {
			return 0, false
		}
		f[n] = v
		n++
		start = i + 1
	}
	if n != len(f) {
		return 0, false
	}
	year, month, day, hour, minute, second := f[0], f[1], f[2], f[3], f[4], f[5]
	if !(1900 < year && year < 2100 && 1 <= month && month <= 12 && 1 <= day && day <= 31 &&
		0 <= hour && hour <= 23 && 0 <= minute && minute <= 59 && 0 <= second && second <= 61) {
		return 0, false
	}
	utc := time.Date(int(year), time.Month(month), int(day), int(hour), int(minute), int(second), 0, time.UTC).Unix()
	off, ok := parseTZD(tzd)
	if !ok {
		return 0, false
	}
	return utc - off, true
}

// parseTZD returns the offset east of UTC, in seconds, of a zone designator.
func parseTZD(tzd string) (int64, bool) {
	if tzd == "Z" {
		return 0, true
	}
	if len(tzd) != 6 || (tzd[0] != '+' && tzd[0] != '-') || (tzd[3] != ':' && tzd[3] != '-') {
		return 0, false
	}
	h, ok := pyInt(tzd[:3])
	if !ok {
		return 0, false
	}
	m, ok := pyInt(tzd[4:])
	if !ok {
		return 0, false
	}
	return 60 * (60*h + m), true
}

// isPySpace reports whether c is white space that Python's int() skips
// around an ASCII number: space, \t, \n, \v, \f, \r.
func isPySpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// pyInt parses s the way Python's int() parses an ASCII string: optional
// surrounding white space, an optional sign, then decimal digits with single
// underscores allowed between digits. It only serves short fields: values
// that do not fit an int64 are rejected.
func pyInt(s string) (int64, bool) {
	i, j := 0, len(s)
	for i < j && isPySpace(s[i]) {
		i++
	}
	for j > i && isPySpace(s[j-1]) {
		j--
	}
	s = s[i:j]
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return 0, false
	}
	digits := make([]byte, 0, len(s))
	for k := 0; k < len(s); k++ {
		c := s[k]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '_' && s[k-1] != '_':
		default:
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

package increments

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrBadTimeSpec is wrapped by every *TimeSpecError.
var ErrBadTimeSpec = errors.New("bad time string")

// ErrNoSessions is returned when a time specification has to be resolved
// against an empty list of sessions.
var ErrNoSessions = errors.New("no backup sessions")

// TimeSpecError reports a time specification that is none of the accepted
// forms. Its message is the one rdiff-backup logs (after "ERROR: ").
type TimeSpecError struct {
	// Spec is the string as the user gave it.
	Spec string
	// Quoted is the string named in the message: Spec, or for a date
	// (2026-13-01) the W3 date-time it was expanded to and that failed.
	Quoted string
}

// timeSpecHelp follows the first line of a TimeSpecError message. rdiff-backup
// prints a six-line paragraph there; this one says the same in other words.
const timeSpecHelp = `Accepted forms: "now"; seconds since the epoch; an interval ago such as
"3D64s" (units s, m, h, D, W, M, Y); a number of backups ago such as "3B";
a W3 date-time like "2002-04-26T04:22:01-07:00", or without its zone
("2002-04-26T04:22:01", the current local offset is used); the asctime form
"Fri Apr 26 04:22:01 2002"; or a date like 2001-04-23, 2001/4/23 or
4/23/2001 (the month always comes before the day).`

// Error returns "Time string 'X' couldn't be parsed due to 'Bad time string
// "X"", a blank line, an explanation of the accepted forms, and a closing
// quote, like rdiff-backup.
func (e *TimeSpecError) Error() string {
	return fmt.Sprintf("Time string '%s' couldn't be parsed due to 'Bad time string \"%s\"\n\n%s'",
		e.Spec, e.Quoted, timeSpecHelp)
}

// Unwrap returns ErrBadTimeSpec.
func (e *TimeSpecError) Unwrap() error { return ErrBadTimeSpec }

// TimeSpec is a parsed time specification (--at, --changed-since,
// --older-than and their legacy forms). It is either an absolute instant or
// a number of sessions back ("3B"), which only a list of session times can
// turn into an instant.
type TimeSpec struct {
	spec     string
	sessions bool
	count    int64
	time     int64
}

// String returns the specification as it was given.
func (s TimeSpec) String() string { return s.spec }

// IsSessionCount reports whether s is of the form NB.
func (s TimeSpec) IsSessionCount() bool { return s.sessions }

// SessionCount returns N for a spec NB (saturated at math.MaxInt64), 0 otherwise.
func (s TimeSpec) SessionCount() int64 { return s.count }

// Instant returns the absolute time of s and true, or 0 and false for a
// session count.
func (s TimeSpec) Instant() (int64, bool) { return s.time, !s.sessions }

// Time returns the instant s denotes. For NB it is the time of the session N
// backups before the newest of sessions (0B is the newest, the current
// mirror), or the oldest when there are not that many; sessions need not be
// sorted or free of duplicates. For an absolute spec sessions are not used.
//
// The sessions of a location are the current mirror time, the times of every
// mirror_metadata file and those of the location's own increments (for the
// repository root, its increments.<T>.dir markers).
func (s TimeSpec) Time(sessions []int64) (int64, error) {
	if !s.sessions {
		return s.time, nil
	}
	times := sortedSessions(sessions)
	if len(times) == 0 {
		return 0, fmt.Errorf("time string %q: %w", s.spec, ErrNoSessions)
	}
	if s.count >= int64(len(times)) {
		return times[0], nil
	}
	return times[int64(len(times))-1-s.count], nil
}

func sortedSessions(sessions []int64) []int64 {
	times := slices.Clone(sessions)
	slices.Sort(times)
	return slices.Compact(times)
}

// Resolve returns the session whose state --at s (restore, list files,
// compare, verify) and --changed-since s use: the latest session at or
// before s.Time(sessions), or the oldest session when that time precedes
// them all.
func Resolve(s TimeSpec, sessions []int64) (int64, error) {
	t, err := s.Time(sessions)
	if err != nil {
		return 0, err
	}
	return SessionAt(t, sessions)
}

// SessionAt returns the latest of sessions at or before t, or the oldest of
// them when t precedes them all. It fails only on an empty list.
func SessionAt(t int64, sessions []int64) (int64, error) {
	if len(sessions) == 0 {
		return 0, fmt.Errorf("time %d: %w", t, ErrNoSessions)
	}
	best, found := slices.Min(sessions), false
	for _, s := range sessions {
		if s <= t && (!found || s > best) {
			best, found = s, true
		}
	}
	return best, nil
}

// OlderThan returns, sorted oldest first, the times strictly older than
// cutoff. remove increments --older-than s uses it with cutoff
// s.Time(sessions) and, as times, the times of the repository root's
// increments.<T>.dir markers (with --size: every time among the root's
// increment files): none found means nothing to remove (exit 2), more than
// one needs --force, and what is then deleted is every increment and
// metadata file older than the last returned time plus one second, never
// the current mirror. Duplicates are kept, as rdiff-backup counts them.
func OlderThan(cutoff int64, times []int64) []int64 {
	var old []int64
	for _, t := range times {
		if t < cutoff {
			old = append(old, t)
		}
	}
	slices.Sort(old)
	return old
}

// ParseTimeSpec parses a time specification given at now in the zone loc
// (nil: time.Local). now is both what "now" and intervals count from (the
// clock, or --current-time) and the moment whose offset is appended to forms
// given without a zone; see Zone.ParseTimeSpec to tell the two apart.
func ParseTimeSpec(spec string, now time.Time, loc *time.Location) (TimeSpec, error) {
	return NewZone(loc, now).ParseTimeSpec(spec, now.Unix())
}

// The time spec forms, compiled on first use: a backup that is given no
// time spec should not pay for them at start-up.
var timeSpecREs = sync.OnceValue(func() (r struct{ session, ymd, mdy, asctime *regexp.Regexp }) {
	r.session = regexp.MustCompile(`^([0-9]+)B$`)
	r.ymd = regexp.MustCompile(`^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})$`)
	r.mdy = regexp.MustCompile(`^([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})$`)
	r.asctime = regexp.MustCompile(`(?i)^(mon|tue|wed|thu|fri|sat|sun)` + ws + `(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)` + ws + `(3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])` + ws + `(2[0-3]|[01][0-9]|[0-9]):([0-5][0-9]|[0-9]):(6[01]|[0-5][0-9]|[0-9])` + ws + `([0-9]{4})$`)
	return r
})

var (
	monthIndex = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
		"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}
	intervalUnits = map[byte]int64{'s': 1, 'm': 60, 'h': 3600, 'D': 86400, 'W': 7 * 86400,
		'M': 30 * 86400, 'Y': 365 * 86400}
)

// ws is the white space Python's strptime accepts between fields.
const ws = `[\t\n\v\f\r \x1c-\x1f]+`

// ParseTimeSpec parses a time specification with rdiff-backup's rules,
// trying in this order (first success wins):
//
//  1. "now": ref;
//  2. ASCII digits: seconds since the epoch;
//  3. a session time string as ParseTime reads it, or one without zone
//     designator, to which the designator in force at the zone's "now" (not
//     at the date given) is appended; an instant of exactly 0 is not taken;
//  4. NB: N sessions back;
//  5. asctime "Www Mmm d HH:MM:SS YYYY" in local time with the rules of that
//     date (weekday names not checked against the date, case ignored);
//  6. an interval: <digits><unit> pairs, units s m h D W M Y, summed and
//     taken back from ref;
//  7. a date YYYY-MM-DD or MM-DD-YYYY ('-' or '/'), midnight with the
//     designator in force at the zone's "now", then checked as in 3.
//
// Anything else is a *TimeSpecError. A single trailing newline is allowed
// where Python's "$" lets it through (forms 2 and 7). Values too large for
// int64 saturate, which resolves to the same session as rdiff-backup's
// unbounded integers.
func (z Zone) ParseTimeSpec(spec string, ref int64) (TimeSpec, error) {
	abs := func(t int64) (TimeSpec, error) { return TimeSpec{spec: spec, time: t}, nil }
	bad := func(quoted string) (TimeSpec, error) {
		return TimeSpec{}, &TimeSpecError{Spec: spec, Quoted: quoted}
	}
	if spec == "now" {
		return abs(ref)
	}
	trimmed := strings.TrimSuffix(spec, "\n")
	if allDigits(trimmed) {
		return abs(saturatingAtoi(trimmed))
	}
	tzdNow := z.TZD(z.ref, false)
	if t, ok := parseTime(spec); ok && t != 0 {
		return abs(t)
	}
	if t, ok := parseTime(spec + tzdNow); ok && t != 0 {
		return abs(t)
	}
	if m := timeSpecREs().session.FindStringSubmatch(trimmed); m != nil {
		if trimmed != spec {
			return bad(spec)
		}
		return TimeSpec{spec: spec, sessions: true, count: saturatingAtoi(m[1])}, nil
	}
	if t, ok := z.parseAsctime(spec); ok {
		return abs(t)
	}
	if total, ok := parseInterval(spec); ok {
		return abs(saturatingSub(ref, total))
	}
	var year, month, day string
	if m := timeSpecREs().ymd.FindStringSubmatch(trimmed); m != nil {
		year, month, day = m[1], m[2], m[3]
	} else if m := timeSpecREs().mdy.FindStringSubmatch(trimmed); m != nil {
		month, day, year = m[1], m[2], m[3]
	} else {
		return bad(spec)
	}
	expanded := fmt.Sprintf("%s-%02d-%02dT00:00:00%s", year, saturatingAtoi(month), saturatingAtoi(day), tzdNow)
	if t, ok := parseTime(expanded); ok {
		return abs(t)
	}
	return bad(expanded)
}

// parseAsctime reads the C asctime form in the zone's local time.
func (z Zone) parseAsctime(s string) (int64, bool) {
	m := timeSpecREs().asctime.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	month := monthIndex[strings.ToLower(m[2])]
	day := int(saturatingAtoi(strings.TrimSpace(m[3])))
	hour, minute, second := int(saturatingAtoi(m[4])), int(saturatingAtoi(m[5])), int(saturatingAtoi(m[6]))
	year := int(saturatingAtoi(m[7]))
	// Python's strptime refuses year 0 and a day past the end of the month.
	if year < 1 || day > daysIn(month, year) {
		return 0, false
	}
	return mktime(year, month, day, hour, minute, second, z.Location()), true
}

// mktime returns the instant of a local wall clock time as C's mktime with
// tm_isdst = -1 does in a fresh rdiff-backup process (glibc): the same as
// time.Date except in a gap of the local clock (spring forward), where
// glibc prefers, of the two instants it oscillates between, the one whose
// local time is daylight time. (In an overlap both take the first instant
// found from a UTC guess, and agree.)
func mktime(year int, month time.Month, day, hour, minute, second int, loc *time.Location) int64 {
	d := time.Date(year, month, day, hour, minute, second, 0, loc)
	t := d.Unix()
	wall := time.Date(year, month, day, hour, minute, second, 0, time.UTC).Unix()
	_, off := d.Zone()
	if t+int64(off) == wall {
		return t
	}
	other := time.Unix(wall-int64(off), 0).In(d.Location())
	if !d.IsDST() && other.IsDST() {
		return other.Unix()
	}
	return t
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseInterval sums <digits><unit> pairs; it needs at least two bytes.
func parseInterval(s string) (int64, bool) {
	if len(s) < 2 {
		return 0, false
	}
	var total int64
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, false
		}
		unit, ok := intervalUnits[s[i]]
		if !ok {
			return 0, false
		}
		total = saturatingAdd(total, saturatingMul(saturatingAtoi(s[:i]), unit))
		s = s[i+1:]
	}
	return total, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// saturatingAtoi converts ASCII digits, saturating at math.MaxInt64.
func saturatingAtoi(s string) int64 {
	var v int64
	for i := 0; i < len(s); i++ {
		d := int64(s[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return math.MaxInt64
		}
		v = v*10 + d
	}
	return v
}

func saturatingMul(a, b int64) int64 { // a, b >= 0
	if b != 0 && a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func saturatingAdd(a, b int64) int64 { // a, b >= 0
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func saturatingSub(a, b int64) int64 { // b >= 0
	if a < math.MinInt64+b {
		return math.MinInt64
	}
	return a - b
}

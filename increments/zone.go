package increments

import (
	"fmt"
	"strings"
	"time"
)

// pythonYear is the length of the "year" Python's time module steps by when
// it derives time.timezone and time.altzone: 365 days and 6 hours.
const pythonYear = (365*24 + 6) * 3600

// Zone is the local time zone the way rdiff-backup 2.2.2 uses it.
//
// rdiff-backup renders the date and clock part of a time string with the
// zone's real rules for that instant (localtime), but the offset it appends
// comes from Python's time.timezone / time.altzone: the standard and daylight
// offsets in force in January and July of the year the process started, and
// the daylight flag of the instant. For instants in a year whose rules
// differ from the current ones (America/Sao_Paulo before 2019,
// Europe/Moscow 2011-2014) and for zones whose "daylight" period has a
// negative save (Europe/Dublin), the written string therefore does not denote
// the instant it was made from. Zone reproduces that, so gordiff writes the
// same names as rdiff-backup and reads them back to the same instants.
//
// The zero Zone is UTC. Build one with NewZone.
type Zone struct {
	loc      *time.Location
	std      int   // offset east of UTC, in seconds, of standard time
	alt      int   // offset east of UTC, in seconds, of daylight time
	daylight bool  // whether std and alt differ this year
	ref      int64 // the instant taken as "now" for zone-less time specs
}

// NewZone returns the zone loc as rdiff-backup would see it in a process
// started at now. A nil loc means time.Local (which Go, like rdiff-backup,
// takes from TZ). now chooses the year from which the standard and daylight
// offsets are taken and is the "now" whose offset is appended to time specs
// given without a zone; rdiff-backup uses the real clock for both, even
// under --current-time.
func NewZone(loc *time.Location, now time.Time) Zone {
	if loc == nil {
		loc = time.Local
	}
	t := now.Unix() / pythonYear * pythonYear
	jan := -gmtoff(loc, t)
	jul := -gmtoff(loc, t+pythonYear/2)
	// Python names the offsets "west of UTC"; the zone with the larger
	// west offset of the two is standard time (northern and southern
	// hemispheres alike).
	std, alt := jan, jul
	if jan < jul {
		std, alt = jul, jan
	}
	return Zone{loc: loc, std: -std, alt: -alt, daylight: jan != jul, ref: now.Unix()}
}

func gmtoff(loc *time.Location, t int64) int {
	_, off := time.Unix(t, 0).In(loc).Zone()
	return off
}

// Location returns the zone's location (time.UTC for the zero Zone).
func (z Zone) Location() *time.Location {
	if z.loc == nil {
		return time.UTC
	}
	return z.loc
}

// Offset returns the offset east of UTC, in seconds, that rdiff-backup
// writes in the time string of t: the daylight offset when the zone has one
// this year and t falls in daylight time, else the standard offset. It can
// differ from the zone's true offset at t (see Zone).
func (z Zone) Offset(t int64) int {
	if z.daylight && time.Unix(t, 0).In(z.Location()).IsDST() {
		return z.alt
	}
	return z.std
}

// TZD returns the zone designator rdiff-backup appends to the time string of
// t: "Z" for a zero offset, else a sign, hours, a separator (":" or, with
// compat, "-") and minutes. A negative offset that is not a whole number of
// hours is written the way rdiff-backup writes it, with the hours rounded
// down and the minutes counted upwards from there: -03:30 (Newfoundland) is
// written "-04:30", which ParseTime reads back as -03:30.
func (z Zone) TZD(t int64, compat bool) string {
	off := z.Offset(t)
	if off == 0 {
		return "Z"
	}
	sign := byte('+')
	if off < 0 {
		sign = '-'
	}
	q := floorDiv(off, 3600)
	minutes := (off - q*3600) / 60
	if q < 0 {
		q = -q
	}
	sep := ":"
	if compat {
		sep = "-"
	}
	return fmt.Sprintf("%c%02d%s%02d", sign, q, sep, minutes)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Format returns the time string rdiff-backup writes for the session time t
// in file names: YYYY-MM-DDTHH:MM:SS in local time followed by TZD. With
// compat (--use-compatible-timestamps, or a repository whose chars_to_quote
// contains ':'), every ':' is written as '-'.
func (z Zone) Format(t int64, compat bool) string {
	lt := time.Unix(t, 0).In(z.Location())
	s := fmt.Sprintf("%d-%02d-%02dT%02d:%02d:%02d", lt.Year(), int(lt.Month()), lt.Day(),
		lt.Hour(), lt.Minute(), lt.Second())
	if compat {
		s = strings.ReplaceAll(s, ":", "-")
	}
	return s + z.TZD(t, compat)
}

// Asctime returns t in the local zone in C asctime form, as rdiff-backup's
// listings and messages print times: "Sun Nov  1 10:00:00 2026" (day of the
// month padded with a space to two columns, no trailing newline).
func (z Zone) Asctime(t int64) string {
	lt := time.Unix(t, 0).In(z.Location())
	return fmt.Sprintf("%s %s%3d %02d:%02d:%02d %d", lt.Weekday().String()[:3],
		lt.Month().String()[:3], lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Year())
}

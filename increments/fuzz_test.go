package increments

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func FuzzParseName(f *testing.F) {
	for _, n := range trickyNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, err := ParseName(name)
		if err != nil {
			if !errors.Is(err, ErrNotIncrement) {
				t.Fatalf("ParseName(%q): %v does not wrap ErrNotIncrement", name, err)
			}
			return
		}
		if n.String() != name {
			t.Fatalf("ParseName(%q).String() = %q", name, n.String())
		}
		if tm, err := ParseTime(n.TimeString); err != nil || tm != n.Time {
			t.Fatalf("ParseName(%q): time %d, ParseTime %d, %v", name, n.Time, tm, err)
		}
		if strings.Contains(n.TimeString, ".") || n.Type < TypeSnapshot || n.Type > TypeData {
			t.Fatalf("ParseName(%q) = %+v", name, n)
		}
		again, err := ParseName(n.String())
		if err != nil || again != n {
			t.Fatalf("reparse of %q: %+v, %v", name, again, err)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range trickyTimes {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil {
			if !errors.Is(err, ErrBadTime) {
				t.Fatalf("ParseTime(%q): %v", s, err)
			}
			return
		}
		// A valid time string without dots makes a valid increment name.
		if !strings.Contains(s, ".") {
			n, err := ParseName("b." + s + ".dir")
			if err != nil || n.Time != tm {
				t.Fatalf("ParseTime(%q) = %d but name gives %+v, %v", s, tm, n, err)
			}
		}
		// The year bounds hold: the instant is within the fields' range
		// shifted by the (unbounded but two-digit) offset.
		if tm < -2240524800-100*3600*2 || tm > 4102444800+100*3600*2 {
			t.Fatalf("ParseTime(%q) = %d out of range", s, tm)
		}
	})
}

func FuzzParseTimeSpec(f *testing.F) {
	for _, s := range trickySpecs {
		f.Add(s)
	}
	for _, s := range []string{"3D64s", "Mon Nov  2 10:00:00 2026", "11/2/2026", "2026-11-02T10:00:00+01:00"} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("America/St_Johns")
	if err != nil {
		loc = time.UTC
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ts, err := ParseTimeSpec(spec, tableNow, loc)
		if err != nil {
			var te *TimeSpecError
			if !errors.As(err, &te) || te.Spec != spec || !errors.Is(err, ErrBadTimeSpec) {
				t.Fatalf("ParseTimeSpec(%q): %v", spec, err)
			}
			return
		}
		if ts.String() != spec {
			t.Fatalf("ParseTimeSpec(%q).String() = %q", spec, ts.String())
		}
		got, err := Resolve(ts, tableSessions)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", spec, err)
		}
		found := false
		for _, s := range tableSessions {
			found = found || s == got
		}
		if !found {
			t.Fatalf("Resolve(%q) = %d, not a session", spec, got)
		}
	})
}

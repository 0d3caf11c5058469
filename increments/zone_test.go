package increments

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

// dataNames returns the names in repo/rdiff-backup-data.
func dataNames(t *testing.T, repo string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(repo, "rdiff-backup-data"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestFormatAgainstBackups makes two real backups per zone and checks the
// time strings rdiff-backup wrote, and the instants it reads them back as,
// against Format and ParseTime.
func TestFormatAgainstBackups(t *testing.T) {
	rdiffBackup(t)
	cases := []struct {
		tz     string
		t1, t2 int64
		compat bool
	}{
		{"Europe/Paris", 1690000000, 1700000000, false},
		{"America/St_Johns", 1690000000, 1700000000, true},
		{"Europe/Dublin", 1690000000, 1700000000, false},
		{"America/Sao_Paulo", 1340000000, 1550000000, false}, // DST abolished in 2019
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.tz, "/", "_")+map[bool]string{true: "_compat"}[c.compat], func(t *testing.T) {
			loc := mustLoad(t, c.tz)
			z := NewZone(loc, time.Now())
			dir := t.TempDir()
			src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
			if err := os.MkdirAll(src, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(src, "f"), []byte("one\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var g []string
			if c.compat {
				g = []string{"--use-compatible-timestamps"}
			}
			runRB(t, c.tz, false, append(g, "--current-time", strconv.FormatInt(c.t1, 10), "backup", src, repo)...)
			if err := os.WriteFile(filepath.Join(src, "f"), []byte("one two\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			runRB(t, c.tz, false, append(g, "--current-time", strconv.FormatInt(c.t2, 10), "backup", src, repo)...)

			names := dataNames(t, repo)
			// The second session takes T_prev from the current_mirror name
			// it finds, not from the first session's clock: where the name
			// does not denote t1 (Europe/Dublin), the error carries over.
			prev, err := ParseTime(z.Format(c.t1, c.compat))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{
				"current_mirror." + z.Format(c.t2, c.compat) + ".data":         true,
				"session_statistics." + z.Format(c.t1, c.compat) + ".data":     true,
				"session_statistics." + z.Format(c.t2, c.compat) + ".data":     true,
				"increments." + z.Format(prev, c.compat) + ".dir":              true,
				"mirror_metadata." + z.Format(prev, c.compat) + ".diff.gz":     true,
				"mirror_metadata." + z.Format(c.t2, c.compat) + ".snapshot.gz": true,
			}
			for _, n := range names {
				delete(want, n)
			}
			if len(want) > 0 {
				t.Errorf("names not written by rdiff-backup: %v\nit wrote: %v", want, names)
			}

			// What rdiff-backup reads its own names back as.
			out, _, _ := runRB(t, "UTC", false, "--parsable-output", "list", "increments", repo)
			var rbTimes []int64
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Fields(l)
				v, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil {
					t.Fatalf("list increments line %q: %v", l, err)
				}
				rbTimes = append(rbTimes, v)
			}
			var ours []int64
			for _, n := range names {
				if strings.HasPrefix(n, "increments.") || strings.HasPrefix(n, "current_mirror.") {
					nm, err := ParseName(n)
					if err != nil {
						t.Fatalf("ParseName(%q): %v", n, err)
					}
					ours = append(ours, nm.Time)
				}
			}
			if len(ours) != 2 || len(rbTimes) != 2 || min(ours[0], ours[1]) != rbTimes[0] || max(ours[0], ours[1]) != rbTimes[1] {
				t.Errorf("rdiff-backup reads %v, we read %v", rbTimes, ours)
			}
			// The instant a name denotes is the session time, except where
			// rdiff-backup's offsets are wrong (Zone doc).
			if got := z.Name("x", c.t2, TypeDir, false, c.compat).Time; got != rbTimes[1] {
				t.Errorf("Zone.Name(%d).Time = %d, rdiff-backup reads %d", c.t2, got, rbTimes[1])
			}
		})
	}
}

var oracleZones = []string{"UTC", "Europe/Paris", "America/St_Johns", "Europe/Dublin",
	"Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "Europe/Moscow", "Africa/Casablanca",
	"Pacific/Chatham", "Asia/Kathmandu", "America/Caracas", "Pacific/Kiritimati", "America/New_York",
	"Pacific/Pago_Pago", "Australia/Lord_Howe"}

const formatProgram = `
import sys, json, time, os
from rdiff_backup import Time, Globals
for line in sys.stdin:
    tz, t = json.loads(line)
    if os.environ.get("TZ") != tz:
        os.environ["TZ"] = tz
        time.tzset()
    Globals.use_compatible_timestamps = 0
    a = Time.timetostring(t)
    Globals.use_compatible_timestamps = 1
    b = Time.timetostring(t)
    print(json.dumps([a, b, Time.timetopretty(t)]))
`

// oracleTimes are instants around which zones change: DST transitions of
// several years, old and far-future times.
func oracleTimes(t *testing.T, loc *time.Location) []any {
	t.Helper()
	times := []any{int64(0), int64(86400 * 366), int64(1000000000), int64(1340000000), int64(1550000000),
		int64(1690000000), int64(1700000000), int64(1793527200), int64(4102444799), int64(4000000000)}
	// Every zone transition between 1990 and 2030, and one second before.
	prev := time.Date(1990, 1, 1, 0, 0, 0, 0, loc)
	_, off := prev.Zone()
	for d := prev; d.Year() < 2030; d = d.Add(6 * time.Hour) {
		_, o := d.Zone()
		if o != off {
			times = append(times, d.Unix(), d.Unix()-6*3600+1)
			off = o
		}
	}
	return times
}

// TestFormatAgainstPython compares Format (both separators) and Asctime with
// rdiff-backup's own timetostring and timetopretty, zone by zone.
func TestFormatAgainstPython(t *testing.T) {
	var inputs []any
	zones := map[string]Zone{}
	for _, tz := range oracleZones {
		loc := mustLoad(t, tz)
		zones[tz] = NewZone(loc, time.Now())
		for _, ts := range oracleTimes(t, loc) {
			inputs = append(inputs, []any{tz, ts})
		}
	}
	replies := pyOracle(t, "UTC", formatProgram, nil, inputs)
	bad := 0
	for i, r := range replies {
		var want [3]string
		if err := json.Unmarshal(r, &want); err != nil {
			t.Fatal(err)
		}
		in := inputs[i].([]any)
		tz, ts := in[0].(string), in[1].(int64)
		z := zones[tz]
		got := [3]string{z.Format(ts, false), z.Format(ts, true), z.Asctime(ts)}
		if got != want && bad < 10 {
			bad++
			t.Errorf("TZ=%s t=%d: got %q, rdiff-backup %q", tz, ts, got, want)
		}
	}
}

func TestTZDExamplesFromSpec(t *testing.T) {
	// repository-format.md 2.1 and 2.6 (observed on rdiff-backup 2.2.2).
	cases := []struct {
		tz     string
		t      int64
		compat bool
		want   string
	}{
		{"UTC", 1700000000, false, "2023-11-14T22:13:20Z"},
		{"Asia/Kolkata", 1700000000, false, "2023-11-15T03:43:20+05:30"},
		{"America/New_York", 1700000000, false, "2023-11-14T17:13:20-05:00"},
		{"Asia/Kolkata", 1700000000, true, "2023-11-15T03-43-20+05-30"},
		{"UTC", 1700000000, true, "2023-11-14T22-13-20Z"},
	}
	for _, c := range cases {
		z := NewZone(mustLoad(t, c.tz), time.Now())
		if got := z.Format(c.t, c.compat); got != c.want {
			t.Errorf("TZ=%s Format(%d, %v) = %q, want %q", c.tz, c.t, c.compat, got, c.want)
		}
		if back, err := ParseTime(c.want); err != nil || back != c.t {
			t.Errorf("ParseTime(%q) = %d, %v; want %d", c.want, back, err, c.t)
		}
	}
	var zero Zone
	if got := zero.Format(1700000000, false); got != "2023-11-14T22:13:20Z" {
		t.Errorf("zero Zone Format = %q", got)
	}
}

package increments

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func utc(y int, m time.Month, d, h, mi, s int) int64 {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC).Unix()
}

// The repository of cli.md 4.2: sessions at 10:00:00Z on 1, 2, 4, 8 and
// 15 Nov 2026, now 2026-11-15T11:00:00Z, TZ=UTC.
var (
	tableSessions = []int64{utc(2026, 11, 1, 10, 0, 0), utc(2026, 11, 2, 10, 0, 0),
		utc(2026, 11, 4, 10, 0, 0), utc(2026, 11, 8, 10, 0, 0), utc(2026, 11, 15, 10, 0, 0)}
	tableNow = time.Unix(utc(2026, 11, 15, 11, 0, 0), 0)
)

// TestVerifiedTable checks every row of cli.md 4.2, which was verified on
// rdiff-backup 2.2.2 with list files --at.
func TestVerifiedTable(t *testing.T) {
	day := map[int]int64{1: tableSessions[0], 2: tableSessions[1], 4: tableSessions[2], 8: tableSessions[3], 15: tableSessions[4]}
	rows := map[int][]string{
		15: {"now", "0B", "1h", "1m", "5m3s", "2099-01-01"},
		8:  {"1B", "1D", "3D", "7D", "1W", "7D1h", "6D23h"},
		4:  {"2B"},
		2: {"3B", "1793613600", "2026-11-02T10:00:00", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00+01:00",
			"2026-11-02T10-00-00Z", "2026:11:02T10:00:00Z", "Mon Nov  2 10:00:00 2026", "Mon Nov 2 10:00:00 2026",
			"2026-11-03T00:00:00-14:00"},
		1: {"4B", "5B", "9B", "2W", "1M", "1Y", "1793613599", "0", "20261102", "2026-11-02T09:59:59",
			"2026-11-02T10:00:00+01:00", "2026-11-02", "2026/11/02", "11/02/2026", "11-02-2026", "2026-11-2",
			"2026-11/02", "11/2/2026", "1901-01-01", "2026-02-31T00:00:00Z"},
	}
	for d, specs := range rows {
		for _, spec := range specs {
			ts, err := ParseTimeSpec(spec, tableNow, time.UTC)
			if err != nil {
				t.Errorf("ParseTimeSpec(%q): %v", spec, err)
				continue
			}
			got, err := Resolve(ts, tableSessions)
			if err != nil || got != day[d] {
				t.Errorf("Resolve(%q) = %s, %v; rdiff-backup picks Nov %d", spec, time.Unix(got, 0).UTC(), err, d)
			}
		}
	}
	for _, spec := range []string{"1H", "1d", "1w", "1y", "2d3", "h", "", "1s2", "10B3", "B", "2026-13-01",
		"01/02/03", "2026-11-02T10:00", "2026-11-02T10:00:00+0100", "2026-11-02 10:00:00", "2100-01-01",
		"1900-01-01", " 1D", "1D ", "2026-11-02t10:00:00Z", "2026-11-02T10:00:00.5Z", "-1D"} {
		ts, err := ParseTimeSpec(spec, tableNow, time.UTC)
		var te *TimeSpecError
		if !errors.As(err, &te) || !errors.Is(err, ErrBadTimeSpec) {
			t.Errorf("ParseTimeSpec(%q) = %v, %v; want a *TimeSpecError", spec, ts, err)
			continue
		}
		if te.Spec != spec {
			t.Errorf("ParseTimeSpec(%q): error names %q", spec, te.Spec)
		}
	}
}

// TestErrorMessage checks the parts of the message cli.md 4.1 and 6.9 quote.
func TestErrorMessage(t *testing.T) {
	_, err := ParseTimeSpec("1H", tableNow, time.UTC)
	if msg := err.Error(); !strings.HasPrefix(msg, "Time string '1H' couldn't be parsed due to 'Bad time string \"1H\"\n\n") ||
		!strings.HasSuffix(msg, "'") || strings.Count(msg, "\n") != 7 {
		t.Errorf("message:\n%s", msg)
	}
	_, err = ParseTimeSpec("2026-13-01", tableNow, time.UTC)
	if msg := err.Error(); !strings.HasPrefix(msg, "Time string '2026-13-01' couldn't be parsed due to 'Bad time string \"2026-13-01T00:00:00Z\"\n") {
		t.Errorf("message:\n%s", msg)
	}
}

// TestZonesTable checks cli.md 4.3 (verified under TZ=Europe/Paris in
// November): zone-less forms take the offset in force now, asctime the one
// of its date.
func TestZonesTable(t *testing.T) {
	loc := mustLoad(t, "Europe/Paris")
	sessions := []int64{utc(2026, 7, 1, 21, 30, 0), utc(2026, 7, 1, 22, 30, 0), utc(2026, 7, 1, 23, 30, 0)}
	now := time.Unix(utc(2026, 11, 20, 12, 0, 0), 0)
	cases := map[string]int64{
		"2026-07-02":                sessions[1],
		"2026-07-02T00:00:00":       sessions[1],
		"2026-07-02T00:00:00+02:00": sessions[0],
		"2026-07-01T22:00:00Z":      sessions[0],
		"Thu Jul  2 00:30:00 2026":  sessions[1],
	}
	for spec, want := range cases {
		ts, err := ParseTimeSpec(spec, now, loc)
		if err != nil {
			t.Fatalf("ParseTimeSpec(%q): %v", spec, err)
		}
		if got, err := Resolve(ts, sessions); err != nil || got != want {
			t.Errorf("Resolve(%q) = %d, %v; want %d", spec, got, err, want)
		}
	}
	ts, _ := ParseTimeSpec("Thu Jul  2 00:30:00 2026", now, loc)
	if got, _ := ts.Time(nil); got != sessions[1] {
		t.Errorf("asctime = %d, want %d", got, sessions[1])
	}
}

// TestRemoveTable checks cli.md 4.5: which sessions remove increments
// --older-than finds, on the repository of 4.2 (root markers for every
// session but the mirror).
func TestRemoveTable(t *testing.T) {
	markers := tableSessions[:4]
	cases := map[string]int{"0B": 4, "now": 4, "1B": 3, "2B": 2, "2026-11-03": 2, "3B": 1, "4B": 0, "10D": 3, "20D": 0}
	for spec, want := range cases {
		ts, err := ParseTimeSpec(spec, tableNow, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		cutoff, err := ts.Time(tableSessions)
		if err != nil {
			t.Fatal(err)
		}
		old := OlderThan(cutoff, markers)
		if len(old) != want {
			t.Errorf("%s: %d sessions older, want %d", spec, len(old), want)
		}
		for i, o := range old {
			if o != tableSessions[i] {
				t.Errorf("%s: older[%d] = %d, want %d", spec, i, o, tableSessions[i])
			}
		}
	}
}

func TestSessionCountAndEdges(t *testing.T) {
	ts, err := ParseTimeSpec("01B", tableNow, time.UTC)
	if err != nil || !ts.IsSessionCount() || ts.SessionCount() != 1 || ts.String() != "01B" {
		t.Fatalf("01B: %+v, %v", ts, err)
	}
	if _, ok := ts.Instant(); ok {
		t.Error("01B has an instant")
	}
	if _, err := ts.Time(nil); !errors.Is(err, ErrNoSessions) {
		t.Errorf("1B with no sessions: %v", err)
	}
	if _, err := SessionAt(5, nil); !errors.Is(err, ErrNoSessions) {
		t.Errorf("SessionAt on nothing: %v", err)
	}
	// Unsorted, duplicated session lists.
	got, err := ts.Time([]int64{30, 10, 30, 20})
	if err != nil || got != 20 {
		t.Errorf("1B of {10,20,30} = %d, %v", got, err)
	}
	// Huge values saturate on the right side.
	for spec, want := range map[string]int64{
		"99999999999999999999":  math.MaxInt64,
		"99999999999999999999Y": math.MinInt64 + tableNow.Unix() + 1,
	} {
		ts, err := ParseTimeSpec(spec, tableNow, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := ts.Time(nil); got != want {
			t.Errorf("%s = %d, want %d", spec, got, want)
		}
	}
	ts, _ = ParseTimeSpec("99999999999999999999B", tableNow, time.UTC)
	if got, _ := ts.Time(tableSessions); got != tableSessions[0] {
		t.Errorf("huge B = %d", got)
	}
}

const genstrProgram = `
import sys, json
from rdiff_backup import Time
ref = int(sys.argv[1]); sessions = json.loads(sys.argv[2])
for line in sys.stdin:
    s = json.loads(line)
    try:
        print(json.dumps(["ok", int(Time.genstrtotime(s, ref_time=ref, session_times=sessions))]))
    except Time.TimeException as e:
        print(json.dumps(["bad", str(e)]))
    except Exception as e:
        print(json.dumps(["crash", type(e).__name__]))
`

var trickySpecs = []string{
	"now", "now ", "Now", "0", "123", "123\n", "123\n\n", "0123", "3B", "3B\n", "0B", "00B", "99B",
	"2026-11-02T10:00:00", "2026-11-02T10:00:00Z", "2026-11-02T10:00:00+01:00", "2026-11-02T10:00:00-03:30",
	"2026-07-02T10:00:00", "2026-11-02T10:00:00Z\n", "1970-01-01T00:00:00Z", "1970-01-01T01:00:00+01:00",
	"1970-01-01T00:00:00", "1969-12-31T23:59:59Z", "2026-1_1-2T10:00:00Z", "Mon Nov  2 10:00:00 2026",
	"mon nov 2 10:00:00 2026", "MON NOV 02 9:5:7 2026", "Fri Nov  2 10:00:00 2026", "Mon Nov\t2 10:00:00 2026",
	"Mon Nov 2 10:00:00 2026 ", " Mon Nov 2 10:00:00 2026", "Mon Nov 2 10:00:00 2026\n", "Mon Feb 29 10:00:00 2026",
	"Mon Feb 29 10:00:00 2028", "Mon Nov 31 10:00:00 2026", "Mon Nov 2 24:00:00 2026", "Mon Nov 2 10:00:61 2026",
	"Mon Nov 2 10:00:62 2026", "Monday Nov 2 10:00:00 2026", "Mon November 2 10:00:00 2026",
	"Mon Nov 2 10:00:00 0000", "Mon Nov 2 10:00:00 1899", "Mon Nov 2 10:00:00 26",
	"1s", "1m", "1h", "1D", "1W", "1M", "1Y", "3D64s", "1D1D", "0s", "00s", "1H", "s", "1", "1s2", "1D\n",
	"10B3", "B", "", " ", "2d3", "-1D", "+1D", "1.5D", "2026-11-02", "2026/11/02", "11/02/2026", "11-02-2026",
	"2026-11-2", "2026-1-2", "1-2-2026", "2026-11/02", "2026-13-01", "2026-02-31", "2026-00-10", "0999-01-01",
	"1901-01-01", "1900-01-01", "2099-12-31", "2100-01-01", "2026-11-02\n", "2026-11-02\n\n", "01/02/03",
	"111/02/2026", "2026-11-002", "1970-01-01", "1970/1/1", "2026-07-01", "2026-03-29",
}

// TestTimeSpecAgainstPython compares ParseTimeSpec and TimeSpec.Time with
// rdiff-backup's genstrtotime in three zones.
func TestTimeSpecAgainstPython(t *testing.T) {
	sessions := tableSessions
	sj, _ := json.Marshal(sessions)
	ref := tableNow.Unix()
	inputs := make([]any, len(trickySpecs))
	for i, s := range trickySpecs {
		inputs[i] = s
	}
	for _, tz := range []string{"UTC", "Europe/Paris", "America/St_Johns", "America/New_York", "Australia/Sydney"} {
		z := NewZone(mustLoad(t, tz), time.Now())
		replies := pyOracle(t, tz, genstrProgram, []string{strconv.FormatInt(ref, 10), string(sj)}, inputs)
		for i, r := range replies {
			var reply [2]json.RawMessage
			if err := json.Unmarshal(r, &reply); err != nil {
				t.Fatal(err)
			}
			var kind string
			_ = json.Unmarshal(reply[0], &kind)
			spec := trickySpecs[i]
			ts, err := z.ParseTimeSpec(spec, ref)
			switch kind {
			case "ok":
				var want int64
				_ = json.Unmarshal(reply[1], &want)
				if err != nil {
					t.Errorf("TZ=%s %q: %v; rdiff-backup gives %d", tz, spec, err, want)
					continue
				}
				if got, err := ts.Time(sessions); err != nil || got != want {
					t.Errorf("TZ=%s %q = %d, %v; rdiff-backup gives %d", tz, spec, got, err, want)
				}
			case "bad":
				var msg string
				_ = json.Unmarshal(reply[1], &msg)
				var te *TimeSpecError
				if !errors.As(err, &te) {
					t.Errorf("TZ=%s %q = %+v, %v; rdiff-backup: %s", tz, spec, ts, err, msg)
					continue
				}
				if want := "Bad time string \"" + te.Quoted + "\"\n\n"; !strings.HasPrefix(msg, want) {
					t.Errorf("TZ=%s %q: quotes %q, rdiff-backup %q", tz, spec, want, msg)
				}
			default: // rdiff-backup crashes; an error is the least we owe.
				if err == nil {
					t.Errorf("TZ=%s %q = %+v; rdiff-backup crashes (%s)", tz, spec, ts, reply[1])
				}
			}
		}
	}
}

// TestTimeSpecAgainstCLI builds a four-session repository with the real
// rdiff-backup and checks that list files --at picks the session Resolve
// picks, for specs of every form.
func TestTimeSpecAgainstCLI(t *testing.T) {
	rdiffBackup(t)
	const tz = "Europe/Paris"
	loc := mustLoad(t, tz)
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	sessions := []int64{utc(2026, 11, 1, 10, 0, 0), utc(2026, 11, 2, 10, 0, 0), utc(2026, 11, 4, 10, 0, 0), utc(2026, 11, 8, 10, 0, 0)}
	for i, s := range sessions {
		// Session i has i+1 files.
		if err := os.WriteFile(filepath.Join(src, "s"+strconv.Itoa(i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		runRB(t, tz, false, "--current-time", strconv.FormatInt(s, 10), "backup", src, repo)
	}
	now := utc(2026, 11, 9, 11, 0, 0)
	specs := []string{"1B", "5D", "2026-11-02T11:00:00", "2026-11-02T10:59:59", "2026-11-03",
		"Mon Nov  2 10:59:59 2026"}
	z := NewZone(loc, time.Now())
	for _, spec := range specs {
		out, _, _ := runRB(t, tz, false, "--current-time", strconv.FormatInt(now, 10), "list", "files", "--at", spec, repo)
		files := 0
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "s") {
				files++
			}
		}
		ts, err := z.ParseTimeSpec(spec, now)
		if err != nil {
			t.Errorf("%q: %v", spec, err)
			continue
		}
		got, err := Resolve(ts, sessions)
		if err != nil {
			t.Fatal(err)
		}
		if want := sessions[files-1]; got != want {
			t.Errorf("--at %q: we pick %s, rdiff-backup %s", spec, time.Unix(got, 0).UTC(), time.Unix(want, 0).UTC())
		}
	}
}

// TestAsctimeAtClockChanges checks asctime specs that fall in a gap or an
// overlap of the local clock, one fresh rdiff-backup Python process each
// (glibc's mktime remembers its last offset within a process).
func TestAsctimeAtClockChanges(t *testing.T) {
	py := rdiffBackupPython(t)
	cases := [][2]string{
		{"America/New_York", "Sun Mar  8 02:30:00 2026"}, {"America/New_York", "Sun Nov  1 01:30:00 2026"},
		{"Europe/Dublin", "Sun Mar 29 01:30:00 2026"}, {"Europe/Dublin", "Sun Oct 25 01:30:00 2026"},
		{"Australia/Sydney", "Sun Oct  4 02:30:00 2026"}, {"Australia/Sydney", "Sun Apr  5 02:30:00 2026"},
		{"Australia/Lord_Howe", "Sun Oct  4 02:15:00 2026"},
		{"America/St_Johns", "Sun Mar  8 02:30:00 2026"}, {"America/St_Johns", "Sun Nov  1 01:30:00 2026"},
	}
	for _, c := range cases {
		cmd := exec.Command(py, "-c", "import sys\nfrom rdiff_backup import Time\nprint(int(Time.genstrtotime(sys.argv[1], ref_time=0, session_times=[1])))", c[1])
		cmd.Env = append(os.Environ(), "TZ="+c[0])
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("python: %v", err)
		}
		want, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := ParseTimeSpec(c[1], time.Now(), mustLoad(t, c[0]))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := ts.Time(nil); got != want {
			t.Errorf("TZ=%s %q = %d, rdiff-backup %d", c[0], c[1], got, want)
		}
	}
}

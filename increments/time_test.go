package increments

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// trickyTimes are time strings at the edges of what rdiff-backup accepts.
var trickyTimes = []string{
	"2023-11-14T22:13:20Z", "2023-11-15T03:43:20+05:30", "2023-11-14T18:43:20-04:30",
	"2023-11-14T18:43:20-03:30", "2023-11-15T03-43-20+05-30", "2023-11-14T22-13-20Z",
	"2023:11:14T22:13:20Z", "2023T11T14T22T13T20Z", "2023-11-14T22:13:20-00:30",
	"2023-11-14T22:13:20+99:99", "2023-11-14T22:13:20+05:-3", "2023-11-14T22:13:20+5 :30",
	"2023-11-14T22:13:20+ 5:30", "2023-11-14T22:13:20+05: 3", "2023-11-14T22:13:20+05:3 ",
	"2023-11-14T22:13:20+05_30", "2023-11-14T22:13:20+0530", "2023-11-14T22:13:20+05",
	"2023-11-14T22:13:20", "2023-11-14T22:13:20z", "2023-11-14T22:13:20ZZ", "2023-11-14t22:13:20Z",
	"2023-11-14 22:13:20Z", "2023-11-14T22:13:20.5Z", "2023-11-14T22:13Z", "2023-1-14T22:13:200Z",
	"2023-1_1-4T22:13:20Z", "2023-1__1-4T22:13:20Z", "2023-_11-4T22:13:20Z", "2023-+11-4T22:13:20Z",
	"2023- 11-4T22:13:20Z", "2023-\t1-14T22:13:20Z", "2023-\x1c1-14T22:13:20Z", "2023-\v1-14T22:13:20Z",
	"1901-01-01T00:00:00Z", "1900-12-31T23:59:59Z", "2099-12-31T23:59:59Z", "2100-01-01T00:00:00Z",
	"2026-02-31T00:00:00Z", "2026-02-29T00:00:00Z", "2026-00-01T00:00:00Z", "2026-13-01T00:00:00Z",
	"2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
	"2026-01-01T00:00:60Z", "2026-01-01T00:00:61Z", "2026-01-01T00:00:62Z", "1970-01-01T00:00:00Z",
	"02026-01-01T0:0:00Z", "2026-01-01T00:00:0Z", "", "Z", "2026", "2026-01-01T00:00:00-",
	"2026-01-01T00:00:00+01:00x", "2026-01-01T00:00:00\n", "2026-01-01T00:00:00 Z", "2026-01-01T00:00:00-01-00",
	"2026-01-01T00:00:00-00:00", "2026-01-01T00:00:00+00:00", "2026-11-02T10:00:00+01:00",
	"2026-01-01T00:00:00-1_:00", "2026-01-01T00:00:00+1_0:00", "\u00e9026-01-01T00:00:00Z",
	"2026-01-01T00:00:00+01:0\u00e9", "2026-01-01T00:00:00--1:00", "2026-01-01T00:00:00++1:00",
}

const parseTimeProgram = `
import sys, json
from rdiff_backup import Time
for line in sys.stdin:
    s = bytes.fromhex(json.loads(line))
    print(json.dumps(Time.bytestotime(s)))
`

// TestParseTimeAgainstPython compares ParseTime with rdiff-backup's own
// bytestotime, which decides what an increment name's time is.
func TestParseTimeAgainstPython(t *testing.T) {
	var inputs []any
	for _, s := range trickyTimes {
		inputs = append(inputs, hex.EncodeToString([]byte(s)))
	}
	replies := pyOracle(t, "UTC", parseTimeProgram, nil, inputs)
	for i, r := range replies {
		var want *int64
		if err := json.Unmarshal(r, &want); err != nil {
			t.Fatalf("reply %s: %v", r, err)
		}
		s := trickyTimes[i]
		got, err := ParseTime(s)
		switch {
		case want == nil && err == nil:
			t.Errorf("ParseTime(%q) = %d, rdiff-backup refuses it", s, got)
		case want != nil && err != nil:
			t.Errorf("ParseTime(%q): %v, rdiff-backup reads %d", s, err, *want)
		case want != nil && got != *want:
			t.Errorf("ParseTime(%q) = %d, rdiff-backup reads %d", s, got, *want)
		}
		if err != nil && !errors.Is(err, ErrBadTime) {
			t.Errorf("ParseTime(%q) error %v does not wrap ErrBadTime", s, err)
		}
	}
}

func TestPyInt(t *testing.T) {
	// Python's own int() on these, checked with python3.
	ok := map[string]int64{"1": 1, " 1": 1, "1 ": 1, "+1": 1, "-1": -1, "1_0": 10, "0_0_1": 1, "007": 7, "\t\n12\r\f": 12}
	for s, want := range ok {
		if got, good := pyInt(s); !good || got != want {
			t.Errorf("pyInt(%q) = %d, %v; want %d", s, got, good, want)
		}
	}
	for _, s := range []string{"", " ", "+", "_1", "1_", "1__0", "+ 1", "1 1", "0x1", "1.0", "--1", "+-1", "99999999999999999999"} {
		if got, good := pyInt(s); good {
			t.Errorf("pyInt(%q) = %d, want refusal", s, got)
		}
	}
}

func ExampleParseTime() {
	for _, s := range []string{"2023-11-14T22:13:20Z", "2023-11-15T03-43-20+05-30", "2023-11-14T18:43:20-04:30"} {
		t, err := ParseTime(s)
		fmt.Println(t, err)
	}
	// Output:
	// 1700000000 <nil>
	// 1700000000 <nil>
	// 1700000000 <nil>
}

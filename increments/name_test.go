package increments

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

var trickyNames = []string{
	"a.txt.2023-11-14T22:13:20Z.diff.gz", "increments.2023-11-14T22:13:20Z.dir",
	"mirror_metadata.2023-11-14T22:13:20Z.snapshot.gz", "current_mirror.2023-11-14T23:13:20Z.data",
	"arch.GZ.2023-11-14T23:13:20Z.diff", "newfile.2023-11-14T22:13:20Z.missing",
	"with space.2023-11-14T22:13:20Z.snapshot.gz", "error_log.2023-11-15T03-43-20+05-30.data",
	".2023-11-14T22:13:20Z.dir", "..2023-11-14T22:13:20Z.dir", "2023-11-14T22:13:20Z.dir",
	"a.2023-11-14T22:13:20Z.gz", "a.2023-11-14T22:13:20Z.dir.gz.gz", "a.2023-11-14T22:13:20Z.DIR",
	"a.2023-11-14T22:13:20Z.Diff", "a.2023-11-14T22:13:20Z.dirx", "a.2023-11-14T22:13:20Z.dir.GZ",
	"a.2023-11-14T22:13:20Z", "a.b.c", "a", "", ".", "..", "a.gz", "a.b.gz", "x.dir.gz",
	"a.2023-11-14T22:13:20.dir", "a.2023-11-14T22:13:20Z.dir.", "a.2023-11-14T22:13:20Z..dir",
	"a.2023-1_1-4T22:13:20Z.dir", "a.2023-11-14T22:13:20+05:30.snapshot", "a.2023-11-14T18:43:20-04:30.diff.gz",
	"a.1900-11-14T22:13:20Z.dir", "w.2023-01-01T00:00:00Z.dir.2023-11-14T22:13:20Z.dir",
	"\xff.2023-11-14T22:13:20Z.dir", "a.2023-11-14T22:13:20\xff.dir", "a.\x00.dir",
	"long_filename_data/1.2023-11-14T22:13:20Z.diff.gz",
}

const incInfoProgram = `
import sys, json
from rdiff_backup import rpath, Time
for line in sys.stdin:
    name = bytes.fromhex(json.loads(line))
    info = rpath.get_incfile_info(name)
    if info is None:
        print("null")
    else:
        comp, ts, typ, base = info
        print(json.dumps([bool(comp), ts.hex(), typ.decode(), base.hex(), Time.bytestotime(ts)]))
`

// TestParseNameAgainstPython compares ParseName with rdiff-backup's own
// get_incfile_info.
func TestParseNameAgainstPython(t *testing.T) {
	var inputs []any
	for _, n := range trickyNames {
		inputs = append(inputs, hex.EncodeToString([]byte(n)))
	}
	replies := pyOracle(t, "UTC", incInfoProgram, nil, inputs)
	for i, r := range replies {
		name := trickyNames[i]
		got, err := ParseName(name)
		var want []any
		if err := json.Unmarshal(r, &want); err != nil {
			t.Fatal(err)
		}
		if want == nil {
			if err == nil {
				t.Errorf("ParseName(%q) = %+v, rdiff-backup: not an increment", name, got)
			} else if !errors.Is(err, ErrNotIncrement) {
				t.Errorf("ParseName(%q): %v does not wrap ErrNotIncrement", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseName(%q): %v; rdiff-backup: %v", name, err, want)
			continue
		}
		ts, _ := hex.DecodeString(want[1].(string))
		base, _ := hex.DecodeString(want[3].(string))
		if got.Compressed != want[0].(bool) || got.TimeString != string(ts) || got.Type.String() != want[2].(string) ||
			got.Base != string(base) || float64(got.Time) != want[4].(float64) {
			t.Errorf("ParseName(%q) = %+v; rdiff-backup %v", name, got, want)
		}
		if got.String() != name {
			t.Errorf("ParseName(%q).String() = %q", name, got.String())
		}
	}
}

func TestTypes(t *testing.T) {
	for _, w := range []string{"snapshot", "diff", "dir", "missing", "data"} {
		typ, err := ParseType(w)
		if err != nil || typ.String() != w {
			t.Errorf("ParseType(%q) = %v, %v", w, typ, err)
		}
		if typ.IsIncrement() != (w != "data") {
			t.Errorf("%s.IsIncrement() = %v", w, typ.IsIncrement())
		}
	}
	if _, err := ParseType("Dir"); !errors.Is(err, ErrNotIncrement) {
		t.Errorf("ParseType(Dir): %v", err)
	}
	if s := Type(0).String(); s != "Type(0)" {
		t.Errorf("Type(0) = %q", s)
	}
}

// TestNamesOfRealRepository checks every name rdiff-backup wrote in the data
// directory of a two-session repository: increment-shaped ones parse and
// rebuild, the others do not parse.
func TestNamesOfRealRepository(t *testing.T) {
	rdiffBackup(t)
	dir := t.TempDir()
	src, repo := dir+"/src", dir+"/repo"
	mkTree(t, src, map[string]string{"f": "one", "g.jpg": "x"})
	runRB(t, "Asia/Kolkata", false, "--current-time", "1700000000", "backup", src, repo)
	mkTree(t, src, map[string]string{"f": "one two", "g.jpg": "xy"})
	runRB(t, "Asia/Kolkata", false, "--current-time", "1700003600", "backup", src, repo)
	z := NewZone(mustLoad(t, "Asia/Kolkata"), time.Now())
	notInc := map[string]bool{"backup.log": true, "chars_to_quote": true, "special_escapes": true, "increments": true}
	for _, n := range dataNames(t, repo) {
		nm, err := ParseName(n)
		if notInc[n] {
			if err == nil {
				t.Errorf("%q parsed as %+v", n, nm)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", n, err)
			continue
		}
		if nm.Time != 1700000000 && nm.Time != 1700003600 {
			t.Errorf("%q: time %d", n, nm.Time)
		}
		if rebuilt := z.Name(nm.Base, nm.Time, nm.Type, nm.Compressed, false).String(); rebuilt != n {
			t.Errorf("%q rebuilt as %q", n, rebuilt)
		}
	}
	ents := readDirNames(t, repo+"/rdiff-backup-data/increments")
	want := map[string]bool{"f.2023-11-15T03:43:20+05:30.diff.gz": true, "g.jpg.2023-11-15T03:43:20+05:30.diff": true}
	for _, n := range ents {
		nm, err := ParseName(n)
		if err != nil || !nm.Type.IsIncrement() || !want[n] {
			t.Errorf("increments/%s: %+v, %v", n, nm, err)
		}
		delete(want, n)
	}
	if len(want) != 0 {
		t.Errorf("missing increments %v (have %v)", want, ents)
	}
}

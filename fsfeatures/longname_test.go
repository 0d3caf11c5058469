package fsfeatures

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecideLongName(t *testing.T) {
	plain := &Quoter{}
	for n, want := range map[int]LongName{1: NormalName, 205: NormalName, 206: AlternateIncrement, 255: AlternateIncrement, 256: AlternateMirror} {
		if got := plain.DecideLongName([]byte(strings.Repeat("x", n)), 255); got != want {
			t.Errorf("%d bytes: %v, want %v", n, got, want)
		}
	}
	q := mustQuoter(t, "A-Z", SpecialEscapes{})
	// 51 upper-case letters quote to 204 bytes, 52 to 208.
	if got := q.DecideLongName([]byte(strings.Repeat("Q", 51)), 255); got != NormalName {
		t.Errorf("51 quoted: %v", got)
	}
	if got := q.DecideLongName([]byte(strings.Repeat("Q", 52)), 255); got != AlternateIncrement {
		t.Errorf("52 quoted: %v", got)
	}
	if got := q.DecideLongName([]byte(strings.Repeat("Q", 64)), 255); got != AlternateMirror {
		t.Errorf("64 quoted: %v", got)
	}
	if got := q.DecideLongName(nil, 255); got != NormalName {
		t.Errorf("root: %v", got)
	}
	// The pad is quoted with the name: a trailing dot is no longer final.
	e := mustQuoter(t, "*", SpecialEscapes{TrailingSpaces: true})
	if got := string(e.IncrementTrialName([]byte("x."))); got != "x."+strings.Repeat("a", IncrementPad) {
		t.Errorf("trial name %q", got)
	}
	if AlternateMirror.String() == "" || LongName(9).String() != "LongName(9)" {
		t.Error("String")
	}
}

func TestNameFits(t *testing.T) {
	dir := t.TempDir()
	for n, want := range map[int]bool{255: true, 256: false} {
		ok, err := NameFits(filepath.Join(dir, strings.Repeat("n", n)))
		if err != nil || ok != want {
			t.Errorf("%d: %v %v", n, ok, err)
		}
	}
	if ok, err := NameFits(dir); !ok || err != nil {
		t.Errorf("existing: %v %v", ok, err)
	}
	writeFiles(t, dir, "file")
	if _, err := NameFits(filepath.Join(dir, "file", "x")); err == nil {
		t.Error("ENOTDIR not reported")
	}
}

func TestNextFree(t *testing.T) {
	for in, want := range map[string]uint64{"4": 4, "12\n": 12, " 7 ": 7, "1_0": 10, "+3": 3, "0": 0, "-2": 0, "18446744073709551615": 1<<64 - 1} {
		got, err := ParseNextFree([]byte(in))
		if err != nil || got != want {
			t.Errorf("ParseNextFree(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "x", "1_", "_1", "1__0", "4 2", "18446744073709551616", "0x10", "-"} {
		if _, err := ParseNextFree([]byte(in)); !errors.Is(err, ErrBadNextFree) {
			t.Errorf("ParseNextFree(%q): %v", in, err)
		}
	}
	if got := string(FormatNextFree(4)); got != "4" {
		t.Errorf("FormatNextFree = %q", got)
	}
	if got := ScanNextFree([]string{"next_free", "1.2023-11-14T22:13:20Z.diff.gz", "2", "12.x", "-5", "a.b"}); got != 13 {
		t.Errorf("ScanNextFree = %d", got)
	}
	if got := ScanNextFree(nil); got != 1 {
		t.Errorf("empty: %d", got)
	}
	if n, ok := StandInNumber("3.2023-11-14T22:13:20Z.dir"); !ok || n != 3 {
		t.Errorf("StandInNumber: %d %v", n, ok)
	}
	for _, s := range []string{"next_free", "", ".x", "+1"} {
		if _, ok := StandInNumber(s); ok {
			t.Errorf("StandInNumber(%q) accepted", s)
		}
	}
	if StandInName(7) != "7" {
		t.Error("StandInName")
	}
}

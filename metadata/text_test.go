package metadata

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readEvery reads data with Next, or with NextText and Parse, and returns the
// records, the warnings, Skipped and the final error.
func readEvery(data []byte, text bool) (recs []*Record, warns []string, skipped int, err error) {
	var r io.Reader = bytes.NewReader(data)
	if len(data) > 3 {
		r = iotest.HalfReader(r) // lines cut across reads
	}
	rd := NewReader(r, "f")
	rd.Warn = func(err error) { warns = append(warns, err.Error()) }
	var buf []byte
	for {
		var rec *Record
		if text {
			var line int
			buf, line, err = rd.NextText(buf[:0])
			if err == nil {
				rec, err = rd.Parse(buf, line)
				if rec == nil && err == nil {
					continue
				}
			}
		} else {
			rec, err = rd.Next()
		}
		if err != nil {
			return recs, warns, rd.Skipped, err
		}
		recs = append(recs, rec)
	}
}

// sameAsText checks that NextText and Parse give what Next gives.
func sameAsText(t *testing.T, data []byte) {
	t.Helper()
	r1, w1, s1, e1 := readEvery(data, false)
	r2, w2, s2, e2 := readEvery(data, true)
	if !reflect.DeepEqual(r1, r2) {
		t.Fatalf("records differ for %q:\nNext:     %+v\nNextText: %+v", data, r1, r2)
	}
	if !reflect.DeepEqual(w1, w2) || s1 != s2 {
		t.Fatalf("warnings differ for %q:\nNext:     %d %q\nNextText: %d %q", data, s1, w1, s2, w2)
	}
	if (e1 == nil) != (e2 == nil) || e1 != nil && e1.Error() != e2.Error() {
		t.Fatalf("errors differ for %q: %v / %v", data, e1, e2)
	}
}

func TestTextModeMatchesNext(t *testing.T) {
	for _, in := range []string{
		"",
		"\n\n",
		"garbage\n",
		"\n\nFile a\n  Type reg\n",
		"junk\nmore\nFile a\n  Type reg\n  Size 3\nFile b\n  Type dir\n",
		"File a\n  Type reg\n  Size x\nFile b\n  Type fifo",
		"File a\n  Type reg\n  Frob 1\n  Uname u\n  Gname g\nFile a/b\n  Type sym\n  SymData \\\\n\n\n",
		"File a\nFile b\n  Type reg\n",
		"File a/\n  Type reg\n",
		seedSnapshot,
	} {
		sameAsText(t, []byte(in))
	}
}

// The text NextText gives is the record as written, so a record written by
// AppendRecord comes back as the same bytes.
func TestNextTextIsTheWrittenText(t *testing.T) {
	var all []byte
	var want []string
	rd := NewReader(strings.NewReader(seedSnapshot), "seed")
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		one := AppendRecord(nil, rec, true)
		all = append(all, one...)
		want = append(want, string(one))
	}
	if len(want) < 3 {
		t.Fatalf("seed has %d records", len(want))
	}
	rd = NewReader(bytes.NewReader(all), "all")
	for i, w := range want {
		got, _, err := rd.NextText(nil)
		if err != nil || string(got) != w {
			t.Fatalf("record %d: %q, %v; want %q", i, got, err, w)
		}
	}
	if _, _, err := rd.NextText(nil); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last record: %v, want io.EOF", err)
	}
}

func TestNextTextReadError(t *testing.T) {
	boom := errors.New("boom")
	rd := NewReader(io.MultiReader(strings.NewReader("File a\n  Type reg\nFile b\n  Ty"), iotest.ErrReader(boom)), "f")
	text, line, err := rd.NextText(nil)
	if err != nil || string(text) != "File a\n  Type reg\n" || line != 1 {
		t.Fatalf("first record: %q %d %v", text, line, err)
	}
	if _, _, err := rd.NextText(nil); !errors.Is(err, boom) {
		t.Fatalf("second record: %v, want %v", err, boom)
	}
	if _, _, err := rd.NextText(nil); !errors.Is(err, boom) {
		t.Fatalf("after the error: %v, want it again", err)
	}
}

func TestNextTextLineTooLong(t *testing.T) {
	long := "File a\n  Type reg\n  SymData " + strings.Repeat("x", MaxLineLength+textReadSize*2) + "\nFile b\n  Type dir\n"
	rd := NewReader(strings.NewReader(long), "f")
	if _, _, err := rd.NextText(nil); !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("NextText over a %d-byte line: %v, want line 3: %v", MaxLineLength+textReadSize*2, err, ErrLineTooLong)
	}
	if _, err := NewReader(strings.NewReader(long), "f").Next(); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("Next over the same line: %v, want %v", err, ErrLineTooLong)
	}
}

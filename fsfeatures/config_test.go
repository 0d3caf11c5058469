package fsfeatures

import (
	"errors"
	"strings"
	"testing"
)

func TestDecideCharsToQuote(t *testing.T) {
	cases := []struct {
		name string
		in   CharsToQuoteInput
		want string
		d    CharsToQuoteDecision
		fail bool
	}{
		{"new, suggestion", CharsToQuoteInput{Suggested: []byte("A-Z;")}, "A-Z;", CharsToQuoteDecision{WriteFile: true}, false},
		{"new, override", CharsToQuoteInput{Override: []byte("A-Z"), HaveOverride: true}, "A-Z", CharsToQuoteDecision{WriteFile: true, OverrideNote: true}, false},
		{"new, same override", CharsToQuoteInput{Suggested: []byte("x"), Override: []byte("x"), HaveOverride: true}, "x", CharsToQuoteDecision{WriteFile: true}, false},
		{"kept", CharsToQuoteInput{Previous: []byte("A-Z;"), HavePrevious: true}, "A-Z;", CharsToQuoteDecision{RetainedNote: true}, false},
		{"kept, same suggestion", CharsToQuoteInput{Suggested: []byte("A-Z;"), Previous: []byte("A-Z;"), HavePrevious: true}, "A-Z;", CharsToQuoteDecision{}, false},
		{"empty kept", CharsToQuoteInput{Previous: []byte{}, HavePrevious: true}, "", CharsToQuoteDecision{}, false},
		{"fs changed", CharsToQuoteInput{Suggested: []byte("A-Z;"), Previous: []byte(""), HavePrevious: true}, "", CharsToQuoteDecision{}, true},
		{"override changes", CharsToQuoteInput{Override: []byte("A-Z"), HaveOverride: true, Previous: []byte(""), HavePrevious: true}, "", CharsToQuoteDecision{}, true},
		{"override equal", CharsToQuoteInput{Override: []byte("A-Z"), HaveOverride: true, Previous: []byte("A-Z"), HavePrevious: true}, "A-Z", CharsToQuoteDecision{OverrideNote: true}, false},
	}
	for _, c := range cases {
		d, err := DecideCharsToQuote("r/chars_to_quote", c.in)
		if c.fail {
			var me *MigrationError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), "would need to be migrated") || !strings.Contains(err.Error(), "r/chars_to_quote") {
				t.Errorf("%s: err %v", c.name, err)
			}
			continue
		}
		c.d.CharsToQuote = []byte(c.want)
		if err != nil || string(d.CharsToQuote) != c.want || d.WriteFile != c.d.WriteFile || d.OverrideNote != c.d.OverrideNote || d.RetainedNote != c.d.RetainedNote {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, d, err, c.d)
		}
	}
	if ctq, missing := DecideRestoreCharsToQuote(nil, false, nil, false); ctq != nil || !missing {
		t.Error("restore without file")
	}
	if ctq, _ := DecideRestoreCharsToQuote([]byte("a"), true, []byte("b"), true); string(ctq) != "b" {
		t.Error("restore override")
	}
}

func TestSuggestCharsToQuote(t *testing.T) {
	linux := Features{Writable: true, CaseSensitive: true, ExtendedFilenames: true}
	ci := linux
	ci.CaseSensitive = false
	win := ci
	win.WinReservedFilenames = true
	dos := win
	dos.ExtendedFilenames = false
	for _, c := range []struct {
		dst  Features
		want string
	}{
		{linux, ""},
		{ci, "A-Z;"},
		{win, "A-Z\x00-\x1f\"*/:<>?\\\\|\x7f;"},
		{dos, "A-Z\x00-\x1f\x80-\xff\"*/:<>?\\\\|\x7f;"},
	} {
		got := SuggestCharsToQuote(linux, c.dst)
		if string(got) != c.want {
			t.Errorf("%+v: %q, want %q", c.dst, got, c.want)
		}
		if _, err := ParseCharsToQuote(got); err != nil {
			t.Errorf("suggestion %q does not parse: %v", got, err)
		}
	}
	if got := SuggestCharsToQuote(ci, ci); len(got) != 0 {
		t.Errorf("case-insensitive source: %q", got)
	}
}

func TestSpecialEscapesFile(t *testing.T) {
	for se, want := range map[SpecialEscapes]string{
		{}:                                       "",
		{DOSDevices: true}:                       "escape_dos_devices\n",
		{TrailingSpaces: true}:                   "escape_trailing_spaces\n",
		{DOSDevices: true, TrailingSpaces: true}: "escape_dos_devices\nescape_trailing_spaces\n",
	} {
		if got := string(se.MarshalFile()); got != want {
			t.Errorf("%+v: %q", se, got)
		}
		if back := ParseSpecialEscapes([]byte(want)); back != se {
			t.Errorf("%q parsed as %+v", want, back)
		}
	}
	// API 201 form, stray text.
	if got := ParseSpecialEscapes([]byte("escape_trailing_spaces\nescape_dos_devices")); got != (SpecialEscapes{true, true}) {
		t.Errorf("API 201 form: %+v", got)
	}
	if got := ParseSpecialEscapes([]byte(" escape_dos_devices x\nfoo")); got != (SpecialEscapes{}) {
		t.Errorf("garbage: %+v", got)
	}
	d := DecideSpecialEscapes(SpecialEscapes{}, SpecialEscapes{TrailingSpaces: true}, true)
	if !d.Escapes.TrailingSpaces || d.WriteFile || !d.RetainedTrailingSpaces || d.RetainedDOSDevices {
		t.Errorf("%+v", d)
	}
	if d := DecideSpecialEscapes(SpecialEscapes{DOSDevices: true}, SpecialEscapes{}, false); !d.WriteFile || !d.Escapes.DOSDevices {
		t.Errorf("%+v", d)
	}
}

func TestUsesCompatibleTimestamps(t *testing.T) {
	for ctq, want := range map[string]bool{"": false, "A-Z": false, "A-Z:": true, "9-;": false, "\"*/:<>?\\\\|": true} {
		if UsesCompatibleTimestamps([]byte(ctq)) != want {
			t.Errorf("%q: want %v", ctq, want)
		}
	}
}

func TestPyBytesRepr(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "b''",
		"A-Z:":                "b'A-Z:'",
		"\x00-\x1f\x80-\xff;": `b'\x00-\x1f\x80-\xff;'`,
		"\"*/:<>?\\\\|\x7f":   `b'"*/:<>?\\\\|\x7f'`,
		"it's":                `b"it's"`,
		"'\"":                 `b'\'"'`,
		"\t\n\r":              `b'\t\n\r'`,
	} {
		if got := PyBytesRepr([]byte(in)); got != want {
			t.Errorf("PyBytesRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

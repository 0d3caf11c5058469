package fsfeatures

import (
	"bytes"
	"testing"
)

// FuzzParseCharsToQuote: any chars_to_quote contents either fail cleanly or
// give a Quoter whose stored names unquote to the original.
func FuzzParseCharsToQuote(f *testing.F) {
	for _, s := range []string{"", "A-Z", "A-Z:", "^a-z", "]", "\\", "\x00-\x1f\x80-\xff;", "A-Z\x00-\x1f\"*/:<>?\\\\|\x7f;", `\d\W\x4`, "a]"} {
		f.Add([]byte(s), []byte("Con.Txt ;x\xe9"))
	}
	f.Fuzz(func(t *testing.T, ctq, name []byte) {
		set, err := ParseCharsToQuote(ctq)
		if err != nil {
			return
		}
		if len(ctq) == 0 && !set.Empty() {
			t.Fatal("empty body matches bytes")
		}
		name = bytes.ReplaceAll(name, []byte{'/'}, nil)
		q, err := NewQuoter(ctq, SpecialEscapes{DOSDevices: true, TrailingSpaces: true})
		if err != nil {
			t.Fatalf("parsed but NewQuoter failed: %v", err)
		}
		stored := q.Quote(name)
		back, err := q.Unquote(stored)
		if err != nil || !bytes.Equal(back, name) {
			t.Fatalf("ctq %q: %q -> %q -> %q, %v", ctq, name, stored, back, err)
		}
	})
}

// FuzzUnquoteName: never panics; a decoded name quoted again with every byte
// quoted decodes to the same bytes.
func FuzzUnquoteName(f *testing.F) {
	for _, s := range []string{"", ";068ir", "a;233b", ";", ";12", ";256", ";999", "x;0581", ";;059"} {
		f.Add([]byte(s))
	}
	all, err := NewQuoter([]byte(`\x00-\xff`), SpecialEscapes{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, stored []byte) {
		name, err := UnquoteName(stored)
		if err != nil {
			return
		}
		again, err := UnquoteName(all.Quote(name))
		if err != nil || !bytes.Equal(again, name) {
			t.Fatalf("%q -> %q -> %q, %v", stored, name, again, err)
		}
		if bytes.IndexByte(stored, ';') < 0 && !bytes.Equal(name, stored) {
			t.Fatalf("%q changed without escapes", stored)
		}
	})
}

// FuzzParseNextFree: never panics; a parsed value formats back to digits
// that parse to the same value.
func FuzzParseNextFree(f *testing.F) {
	for _, s := range []string{"4", " 12\n", "1_0", "-3", "", "x", "18446744073709551616"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseNextFree(b)
		if err != nil {
			return
		}
		w, err := ParseNextFree(FormatNextFree(v))
		if err != nil || w != v {
			t.Fatalf("%q: %d -> %d, %v", b, v, w, err)
		}
		_ = ScanNextFree([]string{string(b)})
	})
}

// FuzzParseSpecialEscapes: parsing then marshalling is stable.
func FuzzParseSpecialEscapes(f *testing.F) {
	for _, s := range []string{"", "escape_dos_devices\n", "escape_trailing_spaces\nescape_dos_devices", " x\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		se := ParseSpecialEscapes(b)
		if ParseSpecialEscapes(se.MarshalFile()) != se {
			t.Fatalf("%q: unstable %+v", b, se)
		}
	})
}

package fsfeatures

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustQuoter(t *testing.T, ctq string, esc SpecialEscapes) *Quoter {
	t.Helper()
	q, err := NewQuoter([]byte(ctq), esc)
	if err != nil {
		t.Fatalf("NewQuoter(%q): %v", ctq, err)
	}
	return q
}

func TestQuoteSpecExamples(t *testing.T) {
	q := mustQuoter(t, "A-Z", SpecialEscapes{})
	for in, want := range map[string]string{
		"Dir":        ";068ir",
		"semi;colon": "semi;059colon",
		"co:lon":     "co:lon",
		"trail.":     "trail.",
		"aux.txt":    "aux.txt",
		"mirror_metadata.2023-11-14T22:13:20Z.snapshot.gz": "mirror_metadata.2023-11-14;08422:13:20;090.snapshot.gz",
		"": "",
	} {
		if got := string(q.Quote([]byte(in))); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
	q = mustQuoter(t, "A-Z:", SpecialEscapes{})
	if got := string(q.Quote([]byte("co:lon*"))); got != "co;058lon*" {
		t.Errorf("got %q", got)
	}
	q = mustQuoter(t, "*", SpecialEscapes{})
	if got := string(q.Quote([]byte("a*b;c"))); got != "a;042b;059c" {
		t.Errorf("got %q", got)
	}
}

func TestQuoteDisabled(t *testing.T) {
	for _, q := range []*Quoter{nil, {}, mustQuoter(t, "", SpecialEscapes{DOSDevices: true, TrailingSpaces: true})} {
		if q.Enabled() {
			t.Fatal("quoting enabled without chars_to_quote")
		}
		for _, n := range []string{"aux", "trail.", "semi;colon", "Dir"} {
			if got := string(q.Quote([]byte(n))); got != n {
				t.Errorf("Quote(%q) = %q with quoting off", n, got)
			}
			if got, err := q.Unquote([]byte(n)); err != nil || string(got) != n {
				t.Errorf("Unquote(%q) = %q, %v with quoting off", n, got, err)
			}
		}
	}
}

// The table of repository-format.md 6.3 (observed with rdiff-backup).
func TestQuoteSpecialEscapes(t *testing.T) {
	q := mustQuoter(t, "*", SpecialEscapes{DOSDevices: true, TrailingSpaces: true})
	for in, want := range map[string]string{
		"aux":                                 ";097ux",
		"con.txt":                             ";099on.txt",
		"lpt1":                                ";108pt1",
		"com10":                               "com10",
		"trail.":                              "trail;046",
		"space ":                              "space;032",
		"AUX":                                 ";065UX",
		"Com0.a.b":                            ";067om0.a.b",
		"lpt0":                                "lpt0",
		"nul\n":                               ";110ul\n",
		"nul.\n":                              ";110ul.\n",
		"nul.a\nb":                            "nul.a\nb",
		"nul\n\n":                             "nul\n\n",
		"auxx":                                "auxx",
		"aux.":                                "aux;046",
		";097ux.2023-11-14T22:13:20Z.missing": ";059097ux.2023-11-14T22:13:20Z.missing",
		"aux.2023-11-14T22:13:20Z.missing":    ";097ux.2023-11-14T22:13:20Z.missing",
		"trail..2023-11-14T22:13:20Z.missing": "trail..2023-11-14T22:13:20Z.missing",
	} {
		if got := string(q.Quote([]byte(in))); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
		back, err := q.Unquote([]byte(want))
		if err != nil || string(back) != in {
			t.Errorf("Unquote(%q) = %q, %v, want %q", want, back, err, in)
		}
	}
	only := mustQuoter(t, "*", SpecialEscapes{TrailingSpaces: true})
	if got := string(only.Quote([]byte("aux."))); got != "aux;046" {
		t.Errorf("trailing only: %q", got)
	}
	if got := string(only.Quote([]byte("aux"))); got != "aux" {
		t.Errorf("trailing only: %q", got)
	}
}

func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{
		"":                "",
		"plain":           "plain",
		";068ir":          "Dir",
		"a;233b":          "a\xe9b",
		";000;255;059":    "\x00\xff;",
		"x;0581":          "x:1",
		"2023;05822;058Z": "2023:22:Z",
	} {
		got, err := UnquoteName([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("UnquoteName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{";", ";1", ";12", "a;12", ";256", ";999", ";-12", ";1a2", "ok;0x1", "a;b"} {
		_, err := UnquoteName([]byte(in))
		var ue *UnquoteError
		if !errors.Is(err, ErrMalformedQuoting) || !errors.As(err, &ue) || !bytes.Equal(ue.Name, []byte(in)) {
			t.Errorf("UnquoteName(%q): err %v, want an *UnquoteError", in, err)
		}
	}
	q := mustQuoter(t, "A-Z", SpecialEscapes{})
	if _, err := q.UnquotePath([]byte("ok/bad;1")); err == nil || !strings.Contains(err.Error(), "ok/bad;1") {
		t.Errorf("UnquotePath error %v does not name the path", err)
	}
	p, err := q.UnquotePath(q.QuotePath([]byte("Dir/Sub/File;1")))
	if err != nil || string(p) != "Dir/Sub/File;1" {
		t.Errorf("path round trip: %q, %v", p, err)
	}
	if got := string(q.QuotePath([]byte("Dir/f"))); got != ";068ir/f" {
		t.Errorf("QuotePath = %q", got)
	}
}

func TestQuoteRoundTripAllBytes(t *testing.T) {
	var all []byte
	for c := 1; c < 256; c++ {
		if c != '/' {
			all = append(all, byte(c))
		}
	}
	for _, ctq := range []string{"A-Z", "\x00-\x1f\x80-\xff", "^a", "A-Z\x00-\x1f\"*/:<>?\\\\|\x7f;"} {
		for _, esc := range []SpecialEscapes{{}, {DOSDevices: true, TrailingSpaces: true}} {
			q := mustQuoter(t, ctq, esc)
			for _, name := range [][]byte{all, []byte("con. "), []byte("x")} {
				stored := q.Quote(name)
				for _, c := range stored {
					if q.Quotes(c) && c != QuotingChar && (c < '0' || c > '9') {
						t.Fatalf("ctq %q: stored name %q keeps quoted byte %#x", ctq, stored, c)
					}
				}
				back, err := q.Unquote(stored)
				if err != nil || !bytes.Equal(back, name) {
					t.Fatalf("ctq %q esc %+v: round trip of %q gave %q, %v", ctq, esc, name, back, err)
				}
			}
		}
	}
}

func TestNewQuoterRejectsBadClass(t *testing.T) {
	if _, err := NewQuoter([]byte("a]"), SpecialEscapes{}); !errors.Is(err, ErrBadCharsToQuote) {
		t.Errorf("err = %v", err)
	}
}

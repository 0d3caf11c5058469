package fsfeatures

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// classBodies are chars_to_quote bodies whose meaning as a single character
// class is checked against Python's own re module.
var classBodies = []string{
	"", "A-Z", "A-Z:", "a-z0-9._-", "*", "^a-z", "]", "^]", "]a", "-a", "a-", "a-z-",
	"\x00-\x1f\x80-\xff", "A-Z\x00-\x1f\"*/:<>?\\\\|\x7f;",
	"A-Z\x00-\x1f\x80-\xff\"*/:<>?\\\\|\x7f;",
	`\d`, `\D`, `\s\S`, `\w`, `\W`, `\x41-\x5a`, `\101-\132`, `\0`, `\7`, `\77`, `\377`,
	`\a\b\f\n\r\t\v`, `\\`, `\]`, `\-`, `\^`, `\.`, `\;`, "\\\xe9", "[", "[a", "&&",
	`\400`, `\8`, `\x4`, `\xg0`, `\q`, `\A`, `\u0041`, `z-a`, `\d-z`, `a-\d`, "\\", "^", "a\\",
}

// pythonClassSets asks python3 which bytes each body matches as "[body]".
// A nil entry means Python rejects the pattern.
func pythonClassSets(t *testing.T, bodies []string) []*ByteSet {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: cannot compare with Python's re")
	}
	script := `
import re, sys, warnings
warnings.simplefilter("ignore")
for line in sys.stdin:
    body = bytes.fromhex(line.strip())
    try:
        r = re.compile(b"[" + body + b"]")
    except re.error:
        print("ERR"); continue
    print("".join("1" if r.fullmatch(bytes([c])) else "0" for c in range(256)))
`
	var in bytes.Buffer
	for _, b := range bodies {
		in.WriteString(hex.EncodeToString([]byte(b)) + "\n")
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var sets []*ByteSet
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if line == "ERR" {
			sets = append(sets, nil)
			continue
		}
		var s ByteSet
		for i, c := range line {
			if c == '1' {
				s.Add(byte(i))
			}
		}
		sets = append(sets, &s)
	}
	if len(sets) != len(bodies) {
		t.Fatalf("python3 answered %d lines for %d bodies", len(sets), len(bodies))
	}
	return sets
}

func TestParseCharsToQuoteMatchesPython(t *testing.T) {
	want := pythonClassSets(t, classBodies)
	for i, body := range classBodies {
		got, err := ParseCharsToQuote([]byte(body))
		switch {
		case body == "":
			if err != nil || !got.Empty() {
				t.Errorf("empty body: got %v, %v; want empty set", got.String(), err)
			}
		case want[i] == nil:
			if err == nil {
				t.Errorf("%q: Python rejects it, we accepted %v", body, got.String())
			}
		case err != nil:
			t.Errorf("%q: %v; Python matches %v", body, err, want[i].String())
		case got != *want[i]:
			t.Errorf("%q: got %v, Python %v", body, got.String(), want[i].String())
		}
	}
}

func TestParseCharsToQuoteRejectsEarlyClose(t *testing.T) {
	// Python would compile these into a larger expression than one class.
	for _, body := range []string{"a]", "a]|[b", "0-]x", "A-Z]"} {
		if s, err := ParseCharsToQuote([]byte(body)); err == nil {
			t.Errorf("%q accepted as %v", body, s.String())
		} else if !strings.Contains(err.Error(), "chars_to_quote") {
			t.Errorf("%q: error %q does not say what was being parsed", body, err)
		}
	}
}

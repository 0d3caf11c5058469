package main

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s (Debian package %s) is not installed", name, pkg)
	}
	return p
}

// runGordiff runs the command in-process with stdin read from the named file
// ("" for an empty stdin) and returns its exit status, stdout and stderr.
func runGordiff(t *testing.T, stdin string, args ...string) (int, []byte, string) {
	t.Helper()
	if stdin == "" {
		stdin = os.DevNull
	}
	in, err := os.Open(stdin)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out, errb bytes.Buffer
	code := run(args, in, &out, &errb)
	return code, out.Bytes(), errb.String()
}

// realRdiff runs the real rdiff the same way.
func realRdiff(t *testing.T, rdiff, stdin string, args ...string) (int, []byte) {
	t.Helper()
	cmd := exec.Command(rdiff, args...)
	if stdin != "" {
		f, err := os.Open(stdin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.Bytes()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.Bytes()
}

func randomFile(t *testing.T, path string, n int, seed uint64) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRdiffCommandMatchesRdiff runs the same command lines through the real
// rdiff and `gordiff rdiff` and compares outputs byte for byte, for files,
// stdin and stdout.
func TestRdiffCommandMatchesRdiff(t *testing.T) {
	rdiff := needTool(t, "rdiff", "rdiff")
	dir := t.TempDir()
	basis := filepath.Join(dir, "basis")
	newer := filepath.Join(dir, "new")
	data := randomFile(t, basis, 200000, 1)
	edited := append(append(append([]byte{}, data[:5000]...), "inserted"...), data[9000:]...)
	if err := os.WriteFile(newer, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, opts := range [][]string{nil, {"-H", "md4", "-R", "rollsum", "-S", "8", "-b", "384"}, {"--hash=md4", "--sum-size=-1"}, {"-b", "1000", "-S", "3"}} {
		// signature BASIS SIG, and signature from stdin to stdout
		realRdiff(t, rdiff, "", append(append([]string{"-f"}, opts...), "signature", basis, p("sig.rdiff"))...)
		code, _, errs := runGordiff(t, "", append(append([]string{"rdiff", "-f"}, opts...), "signature", basis, p("sig.ours"))...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", opts, code, errs)
		}
		if !bytes.Equal(readAll(t, p("sig.rdiff")), readAll(t, p("sig.ours"))) {
			t.Errorf("%v: signature files differ", opts)
		}
		_, pipeTheirs := realRdiff(t, rdiff, basis, append(append([]string{}, opts...), "signature")...)
		code, pipeOurs, _ := runGordiff(t, basis, append(append([]string{"rdiff"}, opts...), "signature", "-", "-")...)
		if code != 0 || !bytes.Equal(pipeOurs, pipeTheirs) {
			t.Errorf("%v: signature through stdin/stdout differs (exit %d)", opts, code)
		}
		// delta SIG NEW DELTA, then patch both ways.
		realRdiff(t, rdiff, "", "-f", "delta", p("sig.rdiff"), newer, p("delta.rdiff"))
		if code, _, errs := runGordiff(t, newer, "rdiff", "-f", "delta", p("sig.ours"), "-", p("delta.ours")); code != 0 {
			t.Fatalf("delta: exit %d: %s", code, errs)
		}
		if !bytes.Equal(readAll(t, p("delta.rdiff")), readAll(t, p("delta.ours"))) {
			t.Errorf("%v: delta files differ", opts)
		}
		realRdiff(t, rdiff, "", "-f", "patch", basis, p("delta.ours"), p("out.rdiff"))
		code, out, _ := runGordiff(t, p("delta.rdiff"), "rdiff", "patch", basis)
		if code != 0 || !bytes.Equal(out, edited) || !bytes.Equal(readAll(t, p("out.rdiff")), edited) {
			t.Errorf("%v: patch results differ from the new file", opts)
		}
	}
}

// TestRdiffPatchIncrementByHand is the repair a sysadmin does on an
// rdiff-backup increment: zcat x.diff.gz | gordiff rdiff patch mirror - out.
func TestRdiffPatchIncrementByHand(t *testing.T) {
	rdiff := needTool(t, "rdiff", "rdiff")
	dir := t.TempDir()
	mirror := filepath.Join(dir, "mirror")
	old := filepath.Join(dir, "old")
	randomFile(t, mirror, 100000, 2)
	oldData := randomFile(t, old, 120000, 3)
	realRdiff(t, rdiff, "", "-H", "md4", "-R", "rollsum", "-S", "8", "-b", "384", "signature", mirror, filepath.Join(dir, "sig"))
	realRdiff(t, rdiff, "", "delta", filepath.Join(dir, "sig"), old, filepath.Join(dir, "x.diff"))
	// Compress as rdiff-backup stores it, then decompress to a pipe.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(readAll(t, filepath.Join(dir, "x.diff")))
	zw.Close()
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := new(bytes.Buffer)
		buf.ReadFrom(zr)
		pw.Write(buf.Bytes())
		pw.Close()
	}()
	var stdout, stderr bytes.Buffer
	out := filepath.Join(dir, "restored")
	if code := run([]string{"rdiff", "patch", mirror, "-", out}, pr, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !bytes.Equal(readAll(t, out), oldData) {
		t.Error("restored file differs from the old version")
	}
}

// TestRdiffExitCodes: usage mistakes and bad files give rdiff's exit
// status, checked against the real rdiff on the same command line, and a
// failed run leaves no output file.
func TestRdiffExitCodes(t *testing.T) {
	rdiff := needTool(t, "rdiff", "rdiff")
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	randomFile(t, p("a"), 5000, 4)
	os.WriteFile(p("junk"), []byte("junk\n"), 0o644)
	realRdiff(t, rdiff, "", "signature", p("a"), p("a.sig"))
	os.WriteFile(p("trunc.sig"), readAll(t, p("a.sig"))[:30], 0o644)
	os.WriteFile(p("bad.delta"), []byte{0x72, 0x73, 0x02, 0x36, 0x55, 0}, 0o644)
	os.WriteFile(p("short.delta"), []byte{0x72, 0x73, 0x02, 0x36, 0x03, 'a'}, 0o644)
	cases := [][]string{
		{},
		{"bogus"},
		{"-x", "signature"},
		{"delta"},
		{"patch"},
		{"-H", "sha1", "signature", p("a"), p("o1")},
		{"-R", "adler", "signature", p("a"), p("o1")},
		{"-H", "md4", "-S", "20", "signature", p("a"), p("o1")},
		{"signature", p("missing"), p("o1")},
		{"signature", p("a"), p("a.sig")}, // exists, no -f
		{"delta", p("junk"), p("a"), p("o2")},
		{"delta", p("trunc.sig"), p("a"), p("o3")},
		{"patch", p("a"), p("a.sig"), p("o4")},
		{"patch", p("a"), p("bad.delta"), p("o5")},
		{"patch", p("a"), p("short.delta"), p("o6")},
		{"delta", p("a.sig"), p("a"), p("o7"), "extra"},
	}
	for _, args := range cases {
		want, _ := realRdiff(t, rdiff, "", args...)
		for _, o := range []string{"o1", "o2", "o3", "o4", "o5", "o6", "o7"} {
			os.Remove(p(o))
		}
		got, _, errs := runGordiff(t, "", append([]string{"rdiff"}, args...)...)
		if got != want {
			t.Errorf("%v: exit %d, rdiff exits %d (%s)", args, got, want, strings.TrimSpace(errs))
		}
		if got != 0 {
			for _, o := range []string{"o1", "o2", "o3", "o4", "o5", "o6", "o7"} {
				if _, err := os.Stat(p(o)); err == nil {
					t.Errorf("%v: failed run left %s behind", args, o)
				}
			}
			if errs == "" {
				t.Errorf("%v: failed without a message", args)
			}
		}
	}
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

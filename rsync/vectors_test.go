package rsync

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The vectors of spec/librsync-format.md section 13. Their inputs are
// rebuilt here; the expected signatures and deltas are files under
// testdata/golden written by the real `rdiff` 2.3.2 (go test -run
// TestGolden -update-golden regenerates them with it), and their SHA-256
// sums, as printed in the spec, are checked too.

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden with the real rdiff")

// lcg is the spec's byte generator: x = x*1103515245 + 12345 mod 2^31,
// byte = x>>16 & 0xff.
func lcg(count int, seed uint32) []byte {
	out := make([]byte, count)
	x := seed
	for i := range out {
		x = (x*1103515245 + 12345) & 0x7fffffff
		out[i] = byte(x >> 16)
	}
	return out
}

func vectorA() []byte {
	var b strings.Builder
	for k := 1; k <= 4; k++ {
		fmt.Fprintf(&b, "line 0%d: the quick brown fox jumps over the lazy dog\n", k)
	}
	return []byte(b.String())
}

func vectorC() []byte { return lcg(300000, 1) }

func vectorN() []byte {
	c := vectorC()
	var n []byte
	n = append(n, c[:1000]...)
	n = append(n, "hello"...)
	n = append(n, c[70000:300000]...)
	n = append(n, c[:5000]...)
	return n
}

func vectorAPlus() []byte { return append(vectorA(), lcg(40000, 7)...) }

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectorInputs(t *testing.T) {
	if got := hex.EncodeToString(lcg(16, 1)); got != "c67e816b4bfbe2fb54f6bddf7c1ce187" {
		t.Errorf("lcg(16,1) = %s", got)
	}
	if got := hex.EncodeToString(lcg(16, 7)); got != "6c4e74921325222e31a1cd13be12ed42" {
		t.Errorf("lcg(16,7) = %s", got)
	}
	for _, c := range []struct {
		name string
		data []byte
		sum  string
	}{
		{"A", vectorA(), "2570594e9fdac9e822ce4a43d4e0de1d78acb4e7af12ceefdfeff1e8baa33884"},
		{"C", vectorC(), "d28df553ab48f1f2483a95ec9b86ee7c44a7a7180d8bc541c8fd79d10a4ba1cc"},
		{"N", vectorN(), "2979ed9e63d48e1d773fd409329d0c77ec32abb05bb0383e79139021ebc12d17"},
		{"A+", vectorAPlus(), "3edb7142d0e6dfc1a891048631b78c64840e1eee6b14ebd020010ece3486a90a"},
	} {
		if got := sha(c.data); got != c.sum {
			t.Errorf("input %s: sha256 %s, want %s", c.name, got, c.sum)
		}
	}
}

// sigCase is one signature vector: rdiff's arguments, the input, and the
// SHA-256 the spec gives for the result ("" where the spec gives the bytes
// in full, which the golden file then holds).
type sigCase struct {
	golden string
	input  string // key into vectorInputs
	args   []string
	sha    string
}

func vectorInputs() map[string][]byte {
	return map[string][]byte{
		"abc": []byte("abc"), "A": vectorA(), "E": {}, "C": vectorC(), "N": vectorN(), "A+": vectorAPlus(),
		"B1": vectorA(),
		"B2": func() []byte { b := vectorA(); b[100] = 'X'; return b }(),
		"B3": append([]byte("XYZ"), vectorA()...),
		"B4": vectorA()[:100],
		"B5": append(vectorA(), vectorA()...),
		"B6": {},
		"B7": func() []byte {
			a := vectorA()
			var b []byte
			b = append(b, a[:50]...)
			b = append(b, "INSERTED TEXT "...)
			b = append(b, a[50:180]...)
			return append(b, a[196:212]...)
		}(),
	}
}

var sigCases = []sigCase{
	{"abc.md4.rollsum.sig", "abc", []string{"-H", "md4", "-R", "rollsum"}, ""},
	{"abc.blake2.rollsum.sig", "abc", []string{"-H", "blake2", "-R", "rollsum"}, ""},
	{"abc.md4.rabinkarp.sig", "abc", []string{"-H", "md4", "-R", "rabinkarp"}, ""},
	{"abc.default.sig", "abc", nil, ""},
	{"A.md4.rollsum.b64.sig", "A", []string{"-H", "md4", "-R", "rollsum", "-b", "64"}, ""},
	{"A.blake2.rollsum.b64.sig", "A", []string{"-H", "blake2", "-R", "rollsum", "-b", "64"}, ""},
	{"A.md4.rabinkarp.b64.sig", "A", []string{"-H", "md4", "-R", "rabinkarp", "-b", "64"}, ""},
	{"A.blake2.rabinkarp.b64.sig", "A", []string{"-H", "blake2", "-R", "rabinkarp", "-b", "64"}, ""},
	{"A.blake2.rabinkarp.b64.S8.sig", "A", []string{"-H", "blake2", "-R", "rabinkarp", "-b", "64", "-S", "8"}, ""},
	{"A.md4.rollsum.b64.S8.sig", "A", []string{"-H", "md4", "-R", "rollsum", "-b", "64", "-S", "8"}, ""},
	{"A.default.sig", "A", nil, ""},
	{"A.min.sig", "A", []string{"-S", "-1"}, ""},
	{"E.default.sig", "E", nil, ""},
	{"E.min.sig", "E", []string{"-S", "-1"}, ""},
	{"A.md4.rollsum.b16.sig", "A", []string{"-H", "md4", "-R", "rollsum", "-b", "16"}, "97e63dcfaa22881ccdf46f7d2f2c73d723df4db8333d434e436ee542b8a6a1a8"},
	{"A.blake2.rollsum.b16.sig", "A", []string{"-H", "blake2", "-R", "rollsum", "-b", "16"}, "23f081d058df957c9a77c08ba41603284502e258ab4e3242e4e0dd890d46810e"},
	{"A.md4.rabinkarp.b16.sig", "A", []string{"-H", "md4", "-R", "rabinkarp", "-b", "16"}, "660c6d1c6114218fc4267ce58fe40b54ff1fe95c19573e4089353c6d32021e4f"},
	{"A.blake2.rabinkarp.b16.sig", "A", []string{"-H", "blake2", "-R", "rabinkarp", "-b", "16"}, "6df2ea5bce15634a85f55a993dfee8f4324b3c60f2f3d45beb37fdb4c93c0fd4"},
	{"C.md4.rollsum.sig", "C", []string{"-H", "md4", "-R", "rollsum"}, "462f253e0dcdd67dda680b7a04f7a633b90ad2746708ad8cba5855877f130a13"},
	{"C.blake2.rollsum.sig", "C", []string{"-H", "blake2", "-R", "rollsum"}, "2966e452ddeebdc307252b3ef2d8380bd5cab60202749b7368870141b2899d48"},
	{"C.md4.rabinkarp.sig", "C", []string{"-H", "md4", "-R", "rabinkarp"}, "2666956af3082c66af6ae43688348aafd29dc20e94e8780cc98af8f7d969f68e"},
	{"C.default.sig", "C", nil, "f79b701a0230466abecbcbafbc20ba62bb369bb3e5937ad24419d17d2cff08b8"},
	{"C.rdiffbackup.sig", "C", []string{"-H", "md4", "-R", "rollsum", "-S", "8", "-b", "576"}, "4bcd71f42e758c1062956bea0d373ff2f78d738b8752bbb4a8144c590fca4d13"},
}

// deltaCase is one delta vector: the new file, the golden signature it is
// computed against, and the SHA-256 from the spec where it gives one.
type deltaCase struct {
	golden, input, sig, sha string
}

var deltaCases = []deltaCase{
	{"B1.delta", "B1", "A.md4.rollsum.b16.sig", ""},
	{"B2.delta", "B2", "A.blake2.rabinkarp.b16.sig", ""},
	{"B3.delta", "B3", "A.md4.rabinkarp.b16.sig", ""},
	{"B4.delta", "B4", "A.blake2.rollsum.b16.sig", ""},
	{"B5.delta", "B5", "A.md4.rollsum.b16.sig", ""},
	{"B6.delta", "B6", "A.md4.rollsum.b16.sig", ""},
	{"B7.delta", "B7", "A.blake2.rabinkarp.b16.sig", ""},
	{"N.delta", "N", "C.default.sig", "93b5b628487ab70c406e3d40177be891c6acaab89957011026ed23613a71df90"},
	{"N.md4.rollsum.delta", "N", "C.md4.rollsum.sig", "93b5b628487ab70c406e3d40177be891c6acaab89957011026ed23613a71df90"},
	{"N.rdiffbackup.delta", "N", "C.rdiffbackup.sig", "c77bfc78ce79c5a12e2be8623292f58599f01360b0ab0e559ee322c368918380"},
	{"A+.delta", "A+", "A.md4.rollsum.b16.sig", "077e04b281b33cb985d45c4f27de5c4d1ca91fe149ebd035d1b8baf7ba2c5248"},
}

// Hex deltas printed in full in spec section 13.4.
var specDeltaHex = map[string]string{
	"B1.delta": "72730236 45 00 d4 00",
	"B2.delta": "72730236 45 00 60  10 206c617a5820646f670a6c696e652030  45 70 64  00",
	"B3.delta": "72730236 03 58595a 45 00 d4 00",
	"B4.delta": "72730236 45 00 60 04 206c617a 00",
	"B5.delta": "72730236 45 00 d0 04 646f670a 45 00 d4 00",
	"B6.delta": "72730236 00",
	"B7.delta": "72730236 45 00 30 1e 2064494e5345525445442054455854206f670a6c696e652030323a207468 45 40 70 10 6b206272657220746865206c617a7920 45 d0 04 00",
}

// Hex signatures printed in full in spec sections 13.2 and 13.3.
var specSigHex = map[string]string{
	"abc.md4.rollsum.sig":           "72730136 00000100 00000010 03040183 a448017aaf21d8525fc10ae87aa6729d",
	"abc.blake2.rollsum.sig":        "72730137 00000100 00000020 03040183 bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
	"abc.md4.rabinkarp.sig":         "72730146 00000100 00000010 66298923 a448017aaf21d8525fc10ae87aa6729d",
	"abc.default.sig":               "72730147 00000100 00000020 66298923 bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
	"A.md4.rollsum.b64.sig":         "72730136 00000040 00000010 cb7c1da6 fc5bb98163d66ab454a185bb92c59296 e6d61e4d ad8affbf9d7709c742f19e5512eb8446 deca1e77 7c70566555f7c4bac1d59f07ee441edc 64dc0960 cc5674969d835b7b4f9c21f8d681f61a",
	"A.blake2.rabinkarp.b64.S8.sig": "72730147 00000040 00000008 af64c34f 78b85788db418246 993a3092 6e3dc4e6365ec3f7 d2131f74 51d19db4ac569084 01c0455d 7bd279f1fa1d8316",
	"A.md4.rollsum.b64.S8.sig":      "72730136 00000040 00000008 cb7c1da6 fc5bb98163d66ab4 e6d61e4d ad8affbf9d7709c7 deca1e77 7c70566555f7c4ba 64dc0960 cc5674969d835b7b",
	"A.default.sig":                 "72730147 00000100 00000020 495ea80f 7c128209ec475677446de3a03a2078608473d75ddb578cf7a23a86b2773a9d64",
	"A.min.sig":                     "72730147 00000100 00000005 495ea80f 7c128209ec",
	"E.default.sig":                 "72730147 00000100 00000020",
	"E.min.sig":                     "72730147 00000100 00000005",
}

// sigParamsFromArgs turns rdiff's signature options into parameters the way
// `rdiff signature` does for a regular file of n bytes.
func sigParamsFromArgs(t testing.TB, args []string, n int64) SigParams {
	t.Helper()
	rk, b2, blockLen, strongLen := true, true, 0, 0
	for i := 0; i < len(args); i += 2 {
		v := args[i+1]
		switch args[i] {
		case "-H":
			b2 = v == "blake2"
		case "-R":
			rk = v == "rabinkarp"
		case "-b":
			fmt.Sscan(v, &blockLen)
		case "-S":
			fmt.Sscan(v, &strongLen)
		}
	}
	p, err := SigArgs(n, SigMagic(rk, b2), blockLen, strongLen)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name) }

// TestGolden checks our signatures and deltas against the files rdiff wrote
// (and the spec's hashes of them).
func TestGolden(t *testing.T) {
	inputs := vectorInputs()
	if *updateGolden {
		regenerateGolden(t, inputs)
	}
	for _, c := range sigCases {
		data := inputs[c.input]
		want, err := os.ReadFile(goldenPath(c.golden))
		if err != nil {
			t.Fatal(err)
		}
		if c.sha != "" && sha(want) != c.sha {
			t.Errorf("golden %s does not have the spec's sha256", c.golden)
		}
		if h, ok := specSigHex[c.golden]; ok && !bytes.Equal(want, unhex(t, h)) {
			t.Errorf("golden %s differs from the spec's bytes", c.golden)
		}
		var got bytes.Buffer
		if err := WriteSignature(&got, bytes.NewReader(data), sigParamsFromArgs(t, c.args, int64(len(data)))); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("signature %s:\n got %x\nwant %x", c.golden, got.Bytes(), want)
		}
	}
	for _, c := range deltaCases {
		want, err := os.ReadFile(goldenPath(c.golden))
		if err != nil {
			t.Fatal(err)
		}
		if c.sha != "" && sha(want) != c.sha {
			t.Errorf("golden %s does not have the spec's sha256", c.golden)
		}
		if h, ok := specDeltaHex[c.golden]; ok && !bytes.Equal(want, unhex(t, h)) {
			t.Errorf("golden %s differs from the spec's bytes", c.golden)
		}
		sigBytes, err := os.ReadFile(goldenPath(c.sig))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := ReadSignature(bytes.NewReader(sigBytes))
		if err != nil {
			t.Fatalf("%s: %v", c.sig, err)
		}
		var got bytes.Buffer
		if err := WriteDelta(&got, sig, bytes.NewReader(inputs[c.input])); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("delta %s:\n got %x\nwant %x", c.golden, got.Bytes(), want)
		}
		basis := inputs["A"]
		if strings.HasPrefix(c.sig, "C.") {
			basis = inputs["C"]
		}
		var out bytes.Buffer
		if err := Patch(&out, bytes.NewReader(basis), bytes.NewReader(want)); err != nil {
			t.Fatalf("patch %s: %v", c.golden, err)
		}
		if !bytes.Equal(out.Bytes(), inputs[c.input]) {
			t.Errorf("patch %s does not rebuild %s", c.golden, c.input)
		}
	}
}

// TestPatchEveryOpcode applies the delta of spec 13.6, which uses every
// explicit-width opcode.
func TestPatchEveryOpcode(t *testing.T) {
	delta, err := os.ReadFile(goldenPath("every-opcode.delta"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(goldenPath("every-opcode.out"))
	if err != nil {
		t.Fatal(err)
	}
	if sha(want) != "18dc0ddc7c1efbdab2ab80d47867b26ad8af926211e019d89ac6113bed4f2cb4" || len(delta) != 239 {
		t.Fatal("golden every-opcode files do not match the spec")
	}
	var out bytes.Buffer
	if err := Patch(&out, bytes.NewReader(vectorA()), bytes.NewReader(delta)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("got %x\nwant %x", out.Bytes(), want)
	}
}

const everyOpcodeHex = "72730236013c40404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f41036e312d4200036e322d43000000036e342d4400000000000000036e382d450903461600044723000000054830000000000000000649003d074a004a00034b0057000000044c006400000000000000054d00000071064e0000007e00074f0000008b00000003500000009800000000000000045100000000000000a5055200000000000000b200065300000000000000bf000000075400000000000000cc000000000000000300"

// regenerateGolden rewrites testdata/golden by running the real rdiff.
func regenerateGolden(t *testing.T, inputs map[string][]byte) {
	rdiff := needRdiff(t)
	dir := t.TempDir()
	for name, data := range inputs {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(goldenPath(""), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		cmd := exec.Command(rdiff, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rdiff %v: %v\n%s", args, err, out)
		}
	}
	for _, c := range sigCases {
		run(append(append([]string{"-f"}, c.args...), "signature", filepath.Join(dir, c.input), goldenPath(c.golden))...)
	}
	for _, c := range deltaCases {
		run("-f", "delta", goldenPath(c.sig), filepath.Join(dir, c.input), goldenPath(c.golden))
	}
	delta := unhex(t, everyOpcodeHex)
	if err := os.WriteFile(goldenPath("every-opcode.delta"), delta, 0o644); err != nil {
		t.Fatal(err)
	}
	run("-f", "patch", filepath.Join(dir, "A"), goldenPath("every-opcode.delta"), goldenPath("every-opcode.out"))
}

// needRdiff returns the path of the real rdiff, or skips the test when it
// is not installed (scripts/test.sh installs it).
func needRdiff(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("rdiff")
	if err != nil {
		t.Skip("the real rdiff (Debian package rdiff) is not installed")
	}
	return p
}

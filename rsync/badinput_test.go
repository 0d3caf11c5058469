package rsync

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestPatchBadDeltas: the hand-made bad deltas of spec section 10, with the
// error class (and so the rdiff exit code) rdiff gives for each.
func TestPatchBadDeltas(t *testing.T) {
	basis := vectorA()
	magic := "72730236"
	cases := []struct {
		name  string
		delta string
		want  error
		out   string // output before the failure, or the result
	}{
		{"nothing after magic", magic, ErrInputEnded, ""},
		{"no END", magic + "03414243", ErrInputEnded, "ABC"},
		{"zero literal", magic + "410000", ErrCorrupt, ""},
		{"zero copy", magic + "45000000", ErrCorrupt, ""},
		{"copy past end", magic + "45c81000", ErrInputEnded, ""},
		{"copy at end", magic + "45d41000", ErrInputEnded, ""},
		{"negative offset", magic + "51ff000000000000000100", ErrCorrupt, ""},
		{"negative literal length", magic + "44ff00000000000001", ErrCorrupt, ""},
		{"reserved opcode", magic + "5500", ErrCorrupt, ""},
		{"bad magic", "72730237" + "00", ErrBadMagic, ""},
		{"signature magic", "72730136" + "00", ErrBadMagic, ""},
		{"empty", "", ErrInputEnded, ""},
		{"short magic", "7273", ErrInputEnded, ""},
		{"literal runs out", magic + "4110414243", ErrInputEnded, ""},
		{"huge literal claim", magic + "443fffffffffffffff4142", ErrInputEnded, ""},
		{"huge copy claim", magic + "54" + "0000000000000000" + "3fffffffffffffff", ErrInputEnded, ""},
		{"offset truncated", magic + "4d0000", ErrInputEnded, ""},
		{"ok then junk", magic + "0341424300ffffff", nil, "ABC"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := Patch(&out, bytes.NewReader(basis), bytes.NewReader(unhex(t, c.delta)))
		if c.want == nil {
			if err != nil || out.String() != c.out {
				t.Errorf("%s: err %v, output %q", c.name, err, out.String())
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

// TestReadSignatureBad: truncated and corrupted signatures.
func TestReadSignatureBad(t *testing.T) {
	good := unhex(t, specSigHex["A.md4.rollsum.b64.sig"])
	cases := []struct {
		name string
		sig  []byte
		want error
	}{
		{"empty", nil, ErrInputEnded},
		{"short header", good[:7], ErrInputEnded},
		{"delta magic", append(unhex(t, "72730236"), good[4:]...), ErrBadMagic},
		{"garbage magic", append(unhex(t, "deadbeef"), good[4:]...), ErrBadMagic},
		{"zero block length", append(append(append([]byte{}, good[:4]...), 0, 0, 0, 0), good[8:]...), ErrCorrupt},
		{"negative block length", append(append(append([]byte{}, good[:4]...), 0x80, 0, 0, 0), good[8:]...), ErrCorrupt},
		{"strong length 33", append(append([]byte{}, good[:8]...), 0, 0, 0, 33), ErrCorrupt},
		{"strong length negative", append(append([]byte{}, good[:8]...), 0xff, 0xff, 0xff, 0xff), ErrCorrupt},
		{"strong length 17 with md4", append(append([]byte{}, good[:8]...), 0, 0, 0, 17), ErrParam},
		{"truncated record", good[:len(good)-3], ErrInputEnded},
		{"weak sum only", append(append([]byte{}, good...), 1, 2, 3, 4), ErrInputEnded},
		{"stray bytes", append(append([]byte{}, good...), 1, 2), ErrInputEnded},
	}
	for _, c := range cases {
		_, err := ReadSignature(bytes.NewReader(c.sig))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// Strong length 0 means the full size.
	zero := append(append(append([]byte{}, good[:8]...), 0, 0, 0, 0), good[12:]...)
	s, err := ReadSignature(bytes.NewReader(zero))
	if err != nil || s.StrongLen != 16 || s.Blocks() != 4 {
		t.Errorf("strong length 0: %v, %+v", err, s)
	}
}

// TestHugeBlockLengthSmallInput: a signature claiming 2 GiB blocks costs
// memory in proportion to the data, not the claim.
func TestHugeBlockLengthSmallInput(t *testing.T) {
	p := SigParams{RkBlake2SigMagic, MaxBlockLen, 32}
	data := vectorA()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sig, err := ComputeSignature(bytes.NewReader(data), p)
	if err != nil {
		t.Fatal(err)
	}
	var d bytes.Buffer
	if err := WriteDelta(&d, sig, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("a 212-byte input with a 2 GiB block length allocated %d bytes", grew)
	}
	var out bytes.Buffer
	if err := Patch(&out, bytes.NewReader(data), &d); err != nil || !bytes.Equal(out.Bytes(), data) {
		t.Errorf("round trip with a 2 GiB block length: %v", err)
	}
}

// failingWriter fails after n bytes, like a full disk.
type failingWriter struct{ n int }

var errDiskFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

// TestWriteErrorsSurface: a writer that fails (disk full) makes every
// operation fail with that error rather than report success.
func TestWriteErrorsSurface(t *testing.T) {
	data := bytes.Repeat(vectorA(), 2000)
	p := SigParams{MD4SigMagic, 64, 8}
	if err := WriteSignature(&failingWriter{n: 1000}, bytes.NewReader(data), p); !errors.Is(err, errDiskFull) {
		t.Errorf("signature: %v", err)
	}
	sig, _ := ComputeSignature(bytes.NewReader(data), p)
	if _, err := sig.WriteTo(&failingWriter{n: 1000}); !errors.Is(err, errDiskFull) {
		t.Errorf("signature WriteTo: %v", err)
	}
	newData := mutate(rand.New(rand.NewPCG(1, 1)), data)
	newData = append(newData, bytes.Repeat([]byte("x"), 200000)...)
	if err := WriteDelta(&failingWriter{n: 1000}, sig, bytes.NewReader(newData)); !errors.Is(err, errDiskFull) {
		t.Errorf("delta: %v", err)
	}
	var d bytes.Buffer
	WriteDelta(&d, sig, bytes.NewReader(newData))
	if err := Patch(&failingWriter{n: 1000}, bytes.NewReader(data), &d); !errors.Is(err, errDiskFull) {
		t.Errorf("patch: %v", err)
	}
}

// TestPatchFileToFile exercises the in-kernel copy between two files, and a
// basis that is shorter than a large COPY claims.
func TestPatchFileToFile(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 3))
	basisData := randomBytes(rng, 3<<20)
	newData := mutate(rng, basisData)
	sig, err := ComputeSignature(bytes.NewReader(basisData), SigParams{MD4SigMagic, 4096, 8})
	if err != nil {
		t.Fatal(err)
	}
	var d bytes.Buffer
	if err := WriteDelta(&d, sig, bytes.NewReader(newData)); err != nil {
		t.Fatal(err)
	}
	basis := writeFile(t, dir, "basis", basisData)
	bf, err := os.Open(basis)
	if err != nil {
		t.Fatal(err)
	}
	defer bf.Close()
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	out.WriteString("keep") // the patch must append at the current offset
	if err := Patch(out, bf, bytes.NewReader(d.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, out.Name()); !bytes.Equal(got, append([]byte("keep"), newData...)) {
		t.Fatal("file-to-file patch result differs")
	}
	// A COPY of 1 MiB from offset 2.5 MiB of a 3 MiB basis runs out.
	short := unhex(t, "72730236 4f 00280000 00100000 00")
	if err := Patch(out, bf, bytes.NewReader(short)); !errors.Is(err, ErrInputEnded) {
		t.Errorf("copy past the end of a file basis: %v", err)
	}
}

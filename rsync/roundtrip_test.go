package rsync

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// TestRoundTripProperty: for random bases, random edits and random
// parameters, patch(basis, delta(sig(basis), new)) is new.
func TestRoundTripProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	magics := []Magic{MD4SigMagic, Blake2SigMagic, RkMD4SigMagic, RkBlake2SigMagic}
	for i := 0; i < 300; i++ {
		var basis []byte
		switch rng.IntN(4) {
		case 0:
			basis = randomBytes(rng, rng.IntN(200))
		case 1:
			basis = randomBytes(rng, rng.IntN(100000))
		case 2: // low entropy: many equal blocks and weak-sum collisions
			basis = bytes.Repeat([]byte{byte(rng.IntN(3))}, rng.IntN(50000))
		case 3: // text-like repeated phrases
			basis = bytes.Repeat(vectorA(), rng.IntN(300))
		}
		newData := mutate(rng, basis)
		m := magics[rng.IntN(len(magics))]
		l := []int{1, 2, 7, 16, 64, 100, 256, 2048, 70000}[rng.IntN(9)]
		s := 1 + rng.IntN(m.StrongSize())
		roundTrip(t, basis, newData, SigParams{m, l, s})
	}
}

// TestDeltaUnchangedIsOneCopy: an unchanged file is one COPY covering it
// (copies of consecutive blocks merge).
func TestDeltaUnchangedIsOneCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := randomBytes(rng, 1<<20+77)
	d := roundTrip(t, data, data, RdiffBackupSigParams(int64(len(data))))
	// magic, COPY_N1_N4 (0x47), offset 0, length, END
	want := []byte{0x72, 0x73, 0x02, 0x36, 0x47, 0, 0x00, 0x10, 0x00, 0x4d, 0}
	if !bytes.Equal(d, want) {
		t.Errorf("delta of an unchanged file: %x, want %x", d, want)
	}
}

// TestDeltaLargeStreams pushes several MiB through delta and patch with a
// reader that returns short reads, so that the scanner's buffer refills and
// compactions happen at every kind of position.
func TestDeltaLargeStreams(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	basis := randomBytes(rng, 5<<20+123)
	newData := mutate(rng, basis)
	newData = append(newData, randomBytes(rng, 100000)...) // long literal tail
	for _, p := range []SigParams{RdiffBackupSigParams(int64(len(basis))), {RkBlake2SigMagic, 2048, 32}, {MD4SigMagic, 40000, 4}} {
		sig, err := ComputeSignature(bytes.NewReader(basis), p)
		if err != nil {
			t.Fatal(err)
		}
		var whole, chopped bytes.Buffer
		if err := WriteDelta(&whole, sig, bytes.NewReader(newData)); err != nil {
			t.Fatal(err)
		}
		if err := WriteDelta(&chopped, sig, &choppyReader{data: newData, rng: rng}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole.Bytes(), chopped.Bytes()) {
			t.Fatalf("%+v: delta depends on how the input is read", p)
		}
		var out bytes.Buffer
		if err := Patch(&out, bytes.NewReader(basis), &choppyReader{data: whole.Bytes(), rng: rng}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), newData) {
			t.Fatalf("%+v: patch result differs", p)
		}
	}
}

// choppyReader returns its data in reads of random, often tiny, sizes.
type choppyReader struct {
	data []byte
	rng  *rand.Rand
}

func (c *choppyReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(70000))
	if c.rng.IntN(4) == 0 {
		n = min(n, 1+c.rng.IntN(10))
	}
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestComputeEqualsRead: ComputeSignature, WriteSignature and ReadSignature
// agree.
func TestComputeEqualsRead(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	data := randomBytes(rng, 123457)
	for _, p := range []SigParams{{MD4SigMagic, 64, 8}, {RkBlake2SigMagic, 1000, 32}, {Blake2SigMagic, 1, 3}} {
		sig, err := ComputeSignature(bytes.NewReader(data), p)
		if err != nil {
			t.Fatal(err)
		}
		var a, b bytes.Buffer
		if _, err := sig.WriteTo(&a); err != nil {
			t.Fatal(err)
		}
		if err := WriteSignature(&b, &choppyReader{data: data, rng: rng}, p); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || int64(a.Len()) != sig.Size() {
			t.Fatalf("%+v: WriteTo and WriteSignature differ", p)
		}
		back, err := ReadSignature(&a)
		if err != nil {
			t.Fatal(err)
		}
		if back.SigParams != p || back.Blocks() != sig.Blocks() {
			t.Fatalf("%+v: read back %+v with %d blocks", p, back.SigParams, back.Blocks())
		}
		for i := 0; i < sig.Blocks(); i++ {
			w1, s1 := sig.Block(i)
			w2, s2 := back.Block(i)
			if w1 != w2 || !bytes.Equal(s1, s2) {
				t.Fatalf("block %d differs", i)
			}
		}
	}
}

// TestSignatureWriter: writing the basis in pieces of any size gives the
// signature ComputeSignature reads.
func TestSignatureWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{0, 1, 63, 64, 65, 1000, 100000} {
		data := randomBytes(rng, n)
		for _, p := range []SigParams{{MD4SigMagic, 64, 8}, {RkBlake2SigMagic, 7, 32}, {MD4SigMagic, 70000, 16}} {
			want, err := ComputeSignature(bytes.NewReader(data), p)
			if err != nil {
				t.Fatal(err)
			}
			w, err := NewSignatureWriter(p)
			if err != nil {
				t.Fatal(err)
			}
			for rest := data; len(rest) > 0; {
				k := min(len(rest), rng.IntN(200))
				w.Write(rest[:k])
				rest = rest[k:]
			}
			var a, b bytes.Buffer
			want.WriteTo(&a)
			w.Signature().WriteTo(&b)
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("n=%d %+v: SignatureWriter differs from ComputeSignature", n, p)
			}
		}
	}
	if _, err := NewSignatureWriter(SigParams{MD4SigMagic, 0, 8}); err == nil {
		t.Error("block length 0 accepted")
	}
}

// TestIdentityDelta: the delta of an unchanged file written without
// reading it is the one WriteDelta computes.
func TestIdentityDelta(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{0, 1, 100, 70000, 1 << 20} {
		data := randomBytes(rng, n)
		want := roundTrip(t, data, data, RdiffBackupSigParams(int64(n)))
		var got bytes.Buffer
		if err := WriteIdentityDelta(&got, int64(n)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("n=%d: identity delta %x, WriteDelta %x", n, got.Bytes(), want)
		}
	}
}

// TestSkipRollsumMatchesGeneric: the assembly scan and the Go scan stop at
// the same position with the same sums, for random data and signatures.
func TestSkipRollsumMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for k := 0; k < 200; k++ {
		l := 1 + rng.IntN(3000)
		basis := randomBytes(rng, l*(1+rng.IntN(40)))
		sig, err := ComputeSignature(bytes.NewReader(basis), SigParams{MD4SigMagic, l, 8})
		if err != nil {
			t.Fatal(err)
		}
		ix := buildIndex(sig)
		data := randomBytes(rng, l+1+rng.IntN(20000))
		if k%3 == 0 { // make some windows match
			copy(data[rng.IntN(len(data)-l):], basis[:l])
		}
		s1, s2 := rollsumUpdate(0, 0, data[:l])
		p, stop := 0, len(data)-l
		for p < stop {
			p1, a1, b1 := skipRollsum(data, p, stop, l, s1, s2, ix.filter)
			p2, a2, b2 := skipRollsumGeneric(data, p, stop, l, s1, s2, ix.filter)
			if p1 != p2 || a1 != a2 || b1 != b2 {
				t.Fatalf("case %d: skipRollsum (%d,%x,%x), generic (%d,%x,%x)", k, p1, a1, b1, p2, a2, b2)
			}
			if p1 == stop {
				break
			}
			// Step over the hit the way the scanner does.
			s1, s2 = a1, b1
			out, in := uint32(data[p1]), uint32(data[p1+l])
			s1 += in - out
			s2 += s1 - uint32(l)*(out+charOffset)
			p = p1 + 1
		}
	}
}

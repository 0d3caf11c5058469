package rsync

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// applyVisitor rebuilds Patch's output from ReadDelta's commands.
type applyVisitor struct {
	basis []byte
	out   bytes.Buffer
}

func (v *applyVisitor) Copy(off, n int64) error {
	if off > int64(len(v.basis)) || n > int64(len(v.basis))-off {
		return ErrInputEnded
	}
	v.out.Write(v.basis[off : off+n])
	return nil
}

func (v *applyVisitor) Literal(r io.Reader, n int64) error {
	_, err := io.CopyN(&v.out, r, n)
	return err
}

// errClass names the sentinel an error wraps.
func errClass(err error) string {
	for _, e := range []error{ErrInputEnded, ErrBadMagic, ErrCorrupt} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return "ok"
}

// TestReadDeltaAgreesWithPatch: on real deltas, and on the same deltas
// cut short or with bytes flipped, the commands ReadDelta hands out
// rebuild exactly what Patch writes, and both fail with the same error
// class.
func TestReadDeltaAgreesWithPatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		basis := randomBytes(rng, rng.IntN(20000))
		newData := mutate(rng, basis)
		sig, err := ComputeSignature(bytes.NewReader(basis), SigParams{Magic: MD4SigMagic, BlockLen: 64 + rng.IntN(512), StrongLen: 8})
		if err != nil {
			t.Fatal(err)
		}
		var d bytes.Buffer
		if err := WriteDelta(&d, sig, bytes.NewReader(newData)); err != nil {
			t.Fatal(err)
		}
		delta := d.Bytes()
		switch i % 3 {
		case 1:
			delta = delta[:rng.IntN(len(delta)+1)]
		case 2:
			delta = append([]byte(nil), delta...)
			for range 1 + rng.IntN(3) {
				delta[rng.IntN(len(delta))] ^= byte(1 + rng.IntN(255))
			}
		}
		var want bytes.Buffer
		perr := Patch(&want, bytes.NewReader(basis), bytes.NewReader(delta))
		v := &applyVisitor{basis: basis}
		rerr := ReadDelta(bytes.NewReader(delta), v)
		if errClass(perr) != errClass(rerr) {
			t.Fatalf("case %d: Patch says %v, ReadDelta %v", i, perr, rerr)
		}
		if perr == nil && !bytes.Equal(want.Bytes(), v.out.Bytes()) {
			t.Fatalf("case %d: ReadDelta's commands rebuild %d bytes, Patch wrote %d", i, v.out.Len(), want.Len())
		}
	}
}

// TestReadDeltaBadDeltas: the hand-made bad deltas fail in ReadDelta with
// the class Patch gives them.
func TestReadDeltaBadDeltas(t *testing.T) {
	basis := vectorA()
	magic := "72730236"
	for _, d := range []string{magic, magic + "03414243", magic + "410000", magic + "45000000", magic + "45c81000",
		magic + "51ff000000000000000100", magic + "44ff00000000000001", magic + "5500", "72730237" + "00", "",
		magic + "4110414243", magic + "443fffffffffffffff4142", magic + "4d0000"} {
		delta := unhex(t, d)
		perr := Patch(io.Discard, bytes.NewReader(basis), bytes.NewReader(delta))
		rerr := ReadDelta(bytes.NewReader(delta), &applyVisitor{basis: basis})
		if errClass(perr) != errClass(rerr) {
			t.Errorf("%s: Patch says %v, ReadDelta %v", d, perr, rerr)
		}
	}
}

package rsync

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// The fuzz targets start from the committed corpus under testdata/fuzz
// (signatures and deltas written by rdiff, and the bad inputs of spec
// section 10) plus the seeds added here.

// FuzzReadSignature: any input is either a signature that survives a
// write/read round trip and can drive a delta, or an error of this
// package's classes; never a panic.
func FuzzReadSignature(f *testing.F) {
	f.Add(unhex(f, specSigHex["A.md4.rollsum.b64.sig"]))
	f.Add(unhex(f, specSigHex["E.min.sig"]))
	f.Add(unhex(f, "72730147 7fffffff 00000000"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, err := ReadSignature(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInputEnded) && !errors.Is(err, ErrBadMagic) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrParam) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if _, err := sig.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		// The re-written header has the strong length made explicit.
		if sig.StrongLen == sig.Magic.StrongSize() && int32(data[11]) == 0 {
			data = append(append(append([]byte{}, data[:8]...), out.Bytes()[8:12]...), data[12:]...)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("round trip changed the signature")
		}
		if err := WriteDelta(io.Discard, sig, bytes.NewReader(vectorA())); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzPatch: any delta either applies or fails with a classified error;
// never a panic, a hang or a giant allocation.
func FuzzPatch(f *testing.F) {
	f.Add(unhex(f, everyOpcodeHex))
	f.Add(unhex(f, specDeltaHex["B7.delta"]))
	f.Add(unhex(f, "72730236 443fffffffffffffff4142"))
	f.Fuzz(func(t *testing.T, delta []byte) {
		var out bytes.Buffer
		err := Patch(&out, bytes.NewReader(vectorA()), bytes.NewReader(delta))
		if err != nil && !errors.Is(err, ErrInputEnded) && !errors.Is(err, ErrBadMagic) && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("unclassified error: %v", err)
		}
		if err == nil && out.Len() > 64*len(delta)*len(vectorA()) {
			t.Fatalf("output of %d bytes from a %d-byte delta", out.Len(), len(delta))
		}
	})
}

// FuzzDeltaRoundTrip: for any basis, new file and parameters, the delta
// patches back to the new file.
func FuzzDeltaRoundTrip(f *testing.F) {
	f.Add(vectorA(), append(vectorA(), vectorA()...), uint16(16), uint8(0))
	f.Add([]byte("abcabcabcabc"), []byte("xabcabcyabc"), uint16(3), uint8(3))
	f.Add([]byte{}, []byte("new"), uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, basis, newData []byte, blockLen uint16, format uint8) {
		m := []Magic{MD4SigMagic, Blake2SigMagic, RkMD4SigMagic, RkBlake2SigMagic}[format%4]
		s := 1 + int(format/4)%m.StrongSize()
		roundTrip(t, basis, newData, SigParams{m, 1 + int(blockLen%300), s})
	})
}

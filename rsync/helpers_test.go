package rsync

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// randomBytes returns n pseudo-random bytes from rng.
func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// mutate returns a new version of basis with a random mix of the edits a
// file goes through: overwrites, insertions, deletions, a block moved
// elsewhere, a block repeated, a new tail or a cut tail.
func mutate(rng *rand.Rand, basis []byte) []byte {
	out := append([]byte(nil), basis...)
	edits := 1 + rng.IntN(6)
	for range edits {
		if len(out) == 0 {
			out = randomBytes(rng, rng.IntN(2000))
			continue
		}
		at := rng.IntN(len(out))
		n := 1 + rng.IntN(min(len(out)-at, 3000))
		switch rng.IntN(6) {
		case 0: // overwrite
			copy(out[at:at+n], randomBytes(rng, n))
		case 1: // insert
			out = append(out[:at], append(randomBytes(rng, n), out[at:]...)...)
		case 2: // delete
			out = append(out[:at], out[at+n:]...)
		case 3: // move a range elsewhere
			chunk := append([]byte(nil), out[at:at+n]...)
			out = append(out[:at], out[at+n:]...)
			to := rng.IntN(len(out) + 1)
			out = append(out[:to], append(chunk, out[to:]...)...)
		case 4: // repeat a range
			chunk := append([]byte(nil), out[at:at+n]...)
			out = append(out[:at], append(chunk, out[at:]...)...)
		case 5: // new tail or cut tail
			if rng.IntN(2) == 0 {
				out = append(out, randomBytes(rng, n)...)
			} else {
				out = out[:at]
			}
		}
	}
	return out
}

// roundTrip computes sig(basis) with p, delta(sig, newData), patch(basis,
// delta) and checks the result is newData. It returns the delta.
func roundTrip(t *testing.T, basis, newData []byte, p SigParams) []byte {
	t.Helper()
	sig, err := ComputeSignature(bytes.NewReader(basis), p)
	if err != nil {
		t.Fatal(err)
	}
	var delta bytes.Buffer
	if err := WriteDelta(&delta, sig, bytes.NewReader(newData)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Patch(&out, bytes.NewReader(basis), bytes.NewReader(delta.Bytes())); err != nil {
		t.Fatalf("patch (%+v, basis %d, new %d): %v", p, len(basis), len(newData), err)
	}
	if !bytes.Equal(out.Bytes(), newData) {
		t.Fatalf("round trip (%+v, basis %d, new %d): result differs", p, len(basis), len(newData))
	}
	return delta.Bytes()
}

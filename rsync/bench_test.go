package rsync

import (
	"bytes"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
)

// Micro-benchmarks of the three operations on 64 MiB in memory; the
// side-by-side comparison with rdiff on files is bench/rdiff.sh.

const benchSize = 64 << 20

var benchData = sync.OnceValues(func() ([]byte, []byte) {
	rng := rand.New(rand.NewPCG(42, 42))
	basis := randomBytes(rng, benchSize)
	// About 1 % of 4 KiB blocks rewritten, plus a few insertions.
	newData := append([]byte(nil), basis...)
	for i := 0; i < benchSize/4096/100; i++ {
		at := rng.IntN(benchSize/4096) * 4096
		copy(newData[at:at+4096], randomBytes(rng, 4096))
	}
	for i := 0; i < 5; i++ {
		at := rng.IntN(len(newData))
		newData = append(newData[:at], append(randomBytes(rng, 100+rng.IntN(4900)), newData[at:]...)...)
	}
	return basis, newData
})

func benchSig(b *testing.B, p SigParams) {
	basis, _ := benchData()
	b.SetBytes(int64(len(basis)))
	for b.Loop() {
		if err := WriteSignature(io.Discard, bytes.NewReader(basis), p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignatureRdiffBackup(b *testing.B) { benchSig(b, SigParams{MD4SigMagic, 32768, 8}) }
func BenchmarkSignatureDefault(b *testing.B)     { benchSig(b, SigParams{RkBlake2SigMagic, 8192, 32}) }

func benchDelta(b *testing.B, p SigParams, unrelated bool) {
	basis, newData := benchData()
	if unrelated {
		newData = randomBytes(rand.New(rand.NewPCG(7, 7)), benchSize)
	}
	sig, err := ComputeSignature(bytes.NewReader(basis), p)
	if err != nil {
		b.Fatal(err)
	}
	sig.index = buildIndex(sig)
	b.SetBytes(int64(len(newData)))
	for b.Loop() {
		if err := WriteDelta(io.Discard, sig, bytes.NewReader(newData)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeltaOnePercent(b *testing.B) { benchDelta(b, SigParams{MD4SigMagic, 32768, 8}, false) }
func BenchmarkDeltaNoMatch(b *testing.B)    { benchDelta(b, SigParams{MD4SigMagic, 32768, 8}, true) }
func BenchmarkDeltaNoMatchSmallBlocks(b *testing.B) {
	benchDelta(b, SigParams{RkBlake2SigMagic, 2048, 32}, true)
}

func BenchmarkPatch(b *testing.B) {
	basis, newData := benchData()
	sig, _ := ComputeSignature(bytes.NewReader(basis), SigParams{MD4SigMagic, 32768, 8})
	var d bytes.Buffer
	if err := WriteDelta(&d, sig, bytes.NewReader(newData)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(newData)))
	for b.Loop() {
		if err := Patch(io.Discard, bytes.NewReader(basis), bytes.NewReader(d.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRollsumUpdate32K(b *testing.B) {
	buf := randomBytes(rand.New(rand.NewPCG(1, 1)), 32768)
	b.SetBytes(int64(len(buf)))
	var s1, s2 uint32
	for b.Loop() {
		s1, s2 = rollsumUpdate(s1, s2, buf)
	}
	_ = s1 + s2
}

func BenchmarkStrongMD4_32K(b *testing.B) {
	buf := randomBytes(rand.New(rand.NewPCG(1, 1)), 32768)
	b.SetBytes(int64(len(buf)))
	var out [maxStrongSize]byte
	for b.Loop() {
		strongSum(false, buf, &out)
	}
}

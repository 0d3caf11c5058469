package rollsum

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// reference is the rollsum one byte at a time, as librsync defines it.
func reference(p []byte) (s1, s2 uint32) {
	for _, b := range p {
		s1 += uint32(b) + CharOffset
		s2 += s1
	}
	return s1, s2
}

// withPaths runs f with every implementation this CPU can run: AVX2,
// SSSE3 and the pure-Go loop.
func withPaths(t testing.TB, f func(name string)) {
	saved := simdLevel
	defer func() { simdLevel = saved }()
	for level := maxSIMDLevel(); level >= 0; level-- {
		simdLevel = level
		f([]string{"go", "ssse3", "avx2"}[level])
	}
}

func check(t testing.TB, path string, p []byte) {
	t.Helper()
	s1, s2 := Sum(p)
	w1, w2 := reference(p)
	if s1 != w1 || s2 != w2 {
		t.Fatalf("%s: Sum of %d bytes = %#x, %#x, want %#x, %#x", path, len(p), s1, s2, w1, w2)
	}
}

func digest(p []byte) uint32 {
	s1, s2 := Sum(p)
	return s2<<16 | s1&0xffff
}

// TestVectors checks the weak-sum vectors of the format spec (section 4.3).
func TestVectors(t *testing.T) {
	seq := make([]byte, 256)
	for i := range seq {
		seq[i] = byte(i)
	}
	vectors := []struct {
		in   []byte
		want uint32
	}{
		{nil, 0x00000000},
		{[]byte("a"), 0x00800080},
		{[]byte("abc"), 0x03040183},
		{[]byte("abcd"), 0x050a0206},
		{seq, 0x3a009e80},
	}
	withPaths(t, func(path string) {
		for _, v := range vectors {
			if got := digest(v.in); got != v.want {
				t.Errorf("%s: digest of %d bytes = %08x, want %08x", path, len(v.in), got, v.want)
			}
		}
	})
}

func TestSumMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 1000)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	ones := make([]byte, 1000)
	for i := range ones {
		ones[i] = 0xff
	}
	zeros := make([]byte, 1000)
	withPaths(t, func(path string) {
		for n := 0; n <= 1000; n++ {
			check(t, path, random[:n])
			check(t, path, ones[:n])
			check(t, path, zeros[:n])
			// an unaligned start
			if n < 1000 {
				check(t, path, random[1000-n:])
			}
		}
	})
}

// TestSumLarge covers blocks whose sums wrap modulo 2^32 many times.
func TestSumLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{32768, 32768 + 63, 1<<20 + 7, 3 << 20} {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		withPaths(t, func(path string) { check(t, path, p) })
		for i := range p {
			p[i] = 0xff
		}
		withPaths(t, func(path string) { check(t, path, p) })
	}
}

func TestSumDoesNotAllocate(t *testing.T) {
	p := make([]byte, 5000)
	withPaths(t, func(path string) {
		if n := testing.AllocsPerRun(100, func() { Sum(p) }); n != 0 {
			t.Errorf("%s: Sum allocates %v times per call", path, n)
		}
	})
}

func FuzzSum(f *testing.F) {
	f.Add([]byte("abc"))
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, p []byte) {
		withPaths(t, func(path string) { check(t, path, p) })
	})
}

// BenchmarkSum sums one 32 KiB block (rdiff-backup's block length for big
// files) and one 2 KiB block with each implementation; "go" is the pure-Go 8-bytes-per-step loop,
// the scalar baseline.
func BenchmarkSum(b *testing.B) {
	p := make([]byte, 32<<10)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	for _, n := range []int{2 << 10, 32 << 10} {
		withPaths(b, func(path string) {
			b.Run(fmt.Sprintf("%d/%s", n, path), func(b *testing.B) {
				b.SetBytes(int64(n))
				for b.Loop() {
					Sum(p[:n])
				}
			})
		})
	}
}

package md4

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	//lint:ignore SA1019 x/crypto/md4 is the reference these tests compare against.
	xmd4 "golang.org/x/crypto/md4"
)

// RFC 1320, appendix A.5.
var rfcVectors = []struct{ in, want string }{
	{"", "31d6cfe0d16ae931b73c59d7e0c089c0"},
	{"a", "bde52cb31de33e46245e05fbdbd6fb24"},
	{"abc", "a448017aaf21d8525fc10ae87aa6729d"},
	{"message digest", "d9130a8164549fe818874806e1c7014b"},
	{"abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4"},
	{"12345678901234567890123456789012345678901234567890123456789012345678901234567890", "e33b4ddc9c38f2199c3e7b164fcc0536"},
}

func TestRFC1320(t *testing.T) {
	for _, v := range rfcVectors {
		got := Sum([]byte(v.in))
		if h := hex.EncodeToString(got[:]); h != v.want {
			t.Errorf("Sum(%q) = %s, want %s", v.in, h, v.want)
		}
		d := New()
		d.Write([]byte(v.in))
		if h := hex.EncodeToString(d.Sum(nil)); h != v.want {
			t.Errorf("New().Write(%q).Sum = %s, want %s", v.in, h, v.want)
		}
	}
}

func reference(p []byte) []byte {
	h := xmd4.New()
	h.Write(p)
	return h.Sum(nil)
}

func randomBytes(r *rand.Rand, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

func testLengths() []int {
	var ls []int
	for n := 0; n <= 300; n++ {
		ls = append(ls, n)
	}
	return append(ls, 1000, 4095, 4096, 4097, 32768, 32768+55, 32768+56, 65536, 1<<20+13)
}

func TestSumMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range testLengths() {
		p := randomBytes(r, n)
		want := reference(p)
		if got := Sum(p); !bytes.Equal(got[:], want) {
			t.Fatalf("Sum of %d bytes = %x, want %x", n, got, want)
		}
	}
}

func TestStreamingSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range testLengths() {
		p := randomBytes(r, n)
		want := reference(p)
		for range 4 {
			d := New()
			rest := p
			for len(rest) > 0 {
				k := r.IntN(len(rest) + 1)
				if r.IntN(4) == 0 {
					k = r.IntN(min(len(rest), 130) + 1)
				}
				d.Write(rest[:k])
				rest = rest[k:]
			}
			if got := d.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("streamed %d bytes = %x, want %x", n, got, want)
			}
		}
	}
}

func TestStreamingSumKeepsState(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	p := randomBytes(r, 777)
	d := New()
	for i, c := range p {
		d.Write([]byte{c})
		prefix := []byte("prefix")
		got := d.Sum(prefix)
		want := append([]byte("prefix"), reference(p[:i+1])...)
		if !bytes.Equal(got, want) {
			t.Fatalf("Sum after %d bytes = %x, want %x", i+1, got, want)
		}
	}
	d.Reset()
	if got, want := d.Sum(nil), reference(nil); !bytes.Equal(got, want) {
		t.Fatalf("after Reset: %x, want %x", got, want)
	}
	if d.Size() != Size || d.BlockSize() != BlockSize {
		t.Fatalf("Size, BlockSize = %d, %d", d.Size(), d.BlockSize())
	}
}

// TestBlockImplementations checks block (assembly where there is one) against
// blockGeneric from random states over random runs of blocks.
func TestBlockImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 2000 {
		var s1 [4]uint32
		for j := range s1 {
			s1[j] = r.Uint32()
		}
		s2 := s1
		nblocks := i % 9
		p := randomBytes(r, nblocks*BlockSize+r.IntN(BlockSize))
		block(&s1, p)
		blockGeneric(&s2, p)
		if s1 != s2 {
			t.Fatalf("%d blocks: block = %x, blockGeneric = %x", nblocks, s1, s2)
		}
	}
}

func TestSumDoesNotAllocate(t *testing.T) {
	p := make([]byte, 1000)
	var sink [Size]byte
	if n := testing.AllocsPerRun(100, func() { sink = Sum(p) }); n != 0 {
		t.Errorf("Sum allocates %v times per call", n)
	}
	_ = sink
	d := New()
	out := make([]byte, 0, Size)
	if n := testing.AllocsPerRun(100, func() {
		d.Reset()
		d.Write(p[:333])
		d.Write(p[333:])
		out = d.Sum(out[:0])
	}); n != 0 {
		t.Errorf("streaming Reset/Write/Sum allocates %v times per round", n)
	}
}

func FuzzSum(f *testing.F) {
	for _, v := range rfcVectors {
		f.Add([]byte(v.in))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		want := reference(p)
		if got := Sum(p); !bytes.Equal(got[:], want) {
			t.Fatalf("Sum = %x, want %x", got, want)
		}
		d := New()
		h := len(p) / 3
		d.Write(p[:h])
		d.Write(p[h:])
		if got := d.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("streamed Sum = %x, want %x", got, want)
		}
	})
}

var benchSink [Size]byte

func benchSum(b *testing.B, n int, sum func([]byte) [Size]byte) {
	p := randomBytes(rand.New(rand.NewPCG(9, 10)), n)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		benchSink = sum(p)
	}
}

func xSum(p []byte) (out [Size]byte) {
	h := xmd4.New()
	h.Write(p)
	h.Sum(out[:0])
	return out
}

func genericSum(p []byte) [Size]byte {
	s := [4]uint32{init0, init1, init2, init3}
	n := len(p) &^ (BlockSize - 1)
	blockGeneric(&s, p[:n])
	var tail [2 * BlockSize]byte
	t := copy(tail[:], p[n:])
	return finish(&s, &tail, t, uint64(len(p)))
}

func BenchmarkSum64(b *testing.B)  { benchSum(b, 64, Sum) }
func BenchmarkSum1K(b *testing.B)  { benchSum(b, 1024, Sum) }
func BenchmarkSum32K(b *testing.B) { benchSum(b, 32768, Sum) }

func BenchmarkGenericSum64(b *testing.B)  { benchSum(b, 64, genericSum) }
func BenchmarkGenericSum1K(b *testing.B)  { benchSum(b, 1024, genericSum) }
func BenchmarkGenericSum32K(b *testing.B) { benchSum(b, 32768, genericSum) }

func BenchmarkXCryptoSum64(b *testing.B)  { benchSum(b, 64, xSum) }
func BenchmarkXCryptoSum1K(b *testing.B)  { benchSum(b, 1024, xSum) }
func BenchmarkXCryptoSum32K(b *testing.B) { benchSum(b, 32768, xSum) }

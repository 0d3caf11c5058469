package rsync

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// weakSum is what the tests need of both rolling sums.
type rollingSum interface {
	Update([]byte)
	Rotate(out, in byte)
	RollIn(byte)
	RollOut(byte)
	Digest() uint32
	Count() int
	Reset()
}

func newWeak(kind string) rollingSum {
	if kind == "rollsum" {
		return &Rollsum{}
	}
	rk := NewRabinKarp()
	return &rk
}

// TestWeakSumVectors checks the table of spec section 4.3, built step by
// step with rotate, roll out and roll in as the table describes.
func TestWeakSumVectors(t *testing.T) {
	want := map[string][]uint32{
		"rollsum":   {0x00000000, 0x00800080, 0x03040183, 0x3a009e80, 0x050a0206, 0x0514020a, 0x051e020e, 0x05280212, 0x05320216, 0x03220192, 0x053c021a},
		"rabinkarp": {0x00000001, 0x08104286, 0x66298923, 0xc1972381, 0x238bd873, 0x56e2cfcf, 0x8a39c72b, 0xbd90be87, 0xf0e7b5e3, 0xcb0e529e, 0x243ead3f},
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for kind, w := range want {
		var got []uint32
		for _, in := range [][]byte{nil, []byte("a"), []byte("abc"), all, []byte("abcd")} {
			s := newWeak(kind)
			s.Update(in)
			got = append(got, s.Digest())
		}
		s := newWeak(kind)
		s.Update([]byte("abcd"))
		for _, step := range []string{"ae", "bf", "cg", "dh"} {
			s.Rotate(step[0], step[1])
			got = append(got, s.Digest())
		}
		s.RollOut('e')
		got = append(got, s.Digest())
		s.RollIn('i')
		got = append(got, s.Digest())
		if fmt.Sprintf("%08x", got) != fmt.Sprintf("%08x", w) {
			t.Errorf("%s:\n got %08x\nwant %08x", kind, got, w)
		}
	}
}

// TestWeakSumRolling checks that every rotate, roll out and roll in gives
// the sum computed from scratch over the same window, for random data,
// window lengths and both sums (spec section 4.3, last paragraph).
func TestWeakSumRolling(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	data[100], data[101] = 0xff, 0xff
	for _, kind := range []string{"rollsum", "rabinkarp"} {
		for _, l := range []int{1, 2, 7, 8, 9, 16, 63, 64, 100, 1000} {
			s := newWeak(kind)
			s.Update(data[:l])
			fresh := newWeak(kind)
			for p := 1; p+l <= len(data); p++ {
				s.Rotate(data[p-1], data[p+l-1])
				fresh.Reset()
				fresh.Update(data[p : p+l])
				if s.Digest() != fresh.Digest() {
					t.Fatalf("%s L=%d p=%d: rotate %08x, fresh %08x", kind, l, p, s.Digest(), fresh.Digest())
				}
			}
			// Shrink from the front down to nothing.
			start := len(data) - l
			for k := l; k > 0; k-- {
				s.RollOut(data[start])
				start++
				fresh.Reset()
				fresh.Update(data[start:])
				if s.Digest() != fresh.Digest() || s.Count() != k-1 {
					t.Fatalf("%s L=%d rollout to %d: %08x, fresh %08x", kind, l, k-1, s.Digest(), fresh.Digest())
				}
			}
			// Grow byte by byte.
			for k := 0; k < l; k++ {
				s.RollIn(data[k])
				fresh.Reset()
				fresh.Update(data[:k+1])
				if s.Digest() != fresh.Digest() {
					t.Fatalf("%s rollin to %d: %08x, fresh %08x", kind, k+1, s.Digest(), fresh.Digest())
				}
			}
		}
	}
}

// TestWeakSumSplitUpdate checks that Update over pieces equals Update over
// the whole, whatever the split (the eight-byte fast path must agree with the
// byte loop).
func TestWeakSumSplitUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 777)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, kind := range []string{"rollsum", "rabinkarp"} {
		whole := newWeak(kind)
		whole.Update(data)
		var bytewise = newWeak(kind)
		for _, b := range data {
			bytewise.RollIn(b)
		}
		if whole.Digest() != bytewise.Digest() {
			t.Fatalf("%s: Update %08x, RollIn loop %08x", kind, whole.Digest(), bytewise.Digest())
		}
		for i := 0; i < 50; i++ {
			s := newWeak(kind)
			rest := data
			for len(rest) > 0 {
				n := rng.IntN(len(rest) + 1)
				s.Update(rest[:n])
				rest = rest[n:]
			}
			if s.Digest() != whole.Digest() {
				t.Fatalf("%s: split update %08x, whole %08x", kind, s.Digest(), whole.Digest())
			}
		}
	}
}

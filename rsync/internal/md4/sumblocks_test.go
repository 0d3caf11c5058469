package md4

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

// withLevels runs f once for every SumBlocks implementation this CPU can
// run, from the loop of Sum (level 0) up.
func withLevels(t testing.TB, f func(level int)) {
	saved := simdLevel
	defer func() { simdLevel = saved }()
	for level := 0; level <= maxSIMDLevel(); level++ {
		simdLevel = level
		f(level)
	}
}

func checkSumBlocks(t testing.TB, level int, data []byte, blockLen int) {
	t.Helper()
	n := len(data) / blockLen
	out := make([][Size]byte, n)
	SumBlocks(data, blockLen, out)
	for i := range out {
		if want := Sum(data[i*blockLen : (i+1)*blockLen]); out[i] != want {
			t.Fatalf("level %d, blockLen %d, %d blocks: block %d = %x, want %x", level, blockLen, n, i, out[i], want)
		}
	}
}

func TestSumBlocksMatchesSum(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var lens []int
	for l := 1; l <= 200; l++ {
		lens = append(lens, l)
	}
	lens = append(lens, 247, 248, 255, 256, 1000, 2048, 4096+55, 32768)
	for _, blockLen := range lens {
		data := randomBytes(r, 20*blockLen)
		withLevels(t, func(level int) {
			for n := 0; n <= 20; n++ {
				checkSumBlocks(t, level, data[:n*blockLen], blockLen)
			}
		})
	}
}

// TestSumBlocksLanesIndependent gives each lane a block that differs from
// the others in one word only, so that a mixed-up lane or word shows.
func TestSumBlocksLanesIndependent(t *testing.T) {
	for _, blockLen := range []int{4, 60, 64, 128, 200} {
		data := make([]byte, 8*blockLen)
		for w := 0; w < blockLen/4; w++ {
			for l := range 8 {
				clear(data)
				binary.LittleEndian.PutUint32(data[l*blockLen+4*w:], 0x01020304*uint32(l+1))
				withLevels(t, func(level int) { checkSumBlocks(t, level, data, blockLen) })
			}
		}
	}
}

func TestSumBlocksAllOnes(t *testing.T) {
	data := make([]byte, 9*1000)
	for i := range data {
		data[i] = 0xff
	}
	withLevels(t, func(level int) { checkSumBlocks(t, level, data, 1000) })
}

func TestSumBlocksMisuse(t *testing.T) {
	cases := []struct {
		data     int
		blockLen int
		out      int
	}{
		{10, 0, 0},
		{10, -1, 0},
		{10, 3, 3},
		{9, 3, 2},
		{9, 3, 4},
		{0, 0, 0},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SumBlocks(%d bytes, %d, %d outs) did not panic", c.data, c.blockLen, c.out)
				}
			}()
			SumBlocks(make([]byte, c.data), c.blockLen, make([][Size]byte, c.out))
		}()
	}
	SumBlocks(nil, 5, nil) // no blocks is fine
}

func TestSumBlocksDoesNotAllocate(t *testing.T) {
	data := make([]byte, 11*1000)
	out := make([][Size]byte, 11)
	withLevels(t, func(level int) {
		if n := testing.AllocsPerRun(20, func() { SumBlocks(data, 1000, out) }); n != 0 {
			t.Errorf("level %d: SumBlocks allocates %v times per call", level, n)
		}
	})
}

func FuzzSumBlocks(f *testing.F) {
	f.Add([]byte("abc"), uint16(1))
	f.Add(make([]byte, 8*64), uint16(64))
	f.Add(make([]byte, 9*56), uint16(56))
	f.Fuzz(func(t *testing.T, data []byte, blockLen uint16) {
		l := int(blockLen)%1024 + 1
		data = data[:len(data)/l*l]
		withLevels(t, func(level int) { checkSumBlocks(t, level, data, l) })
	})
}

// BenchmarkSumBlocks hashes 256 KiB (what a signature reads at once) in
// blocks of 2 KiB and 32 KiB, with SumBlocks at each level; level 0 is the
// loop of Sum, the scalar baseline.
func BenchmarkSumBlocks(b *testing.B) {
	const chunk = 256 << 10
	data := randomBytes(rand.New(rand.NewPCG(1, 1)), chunk)
	for _, blockLen := range []int{2048, 32768} {
		out := make([][Size]byte, chunk/blockLen)
		withLevels(b, func(level int) {
			name := []string{"scalar", "avx2", "avx512"}[level]
			b.Run(fmt.Sprintf("%d/%s", blockLen, name), func(b *testing.B) {
				b.SetBytes(chunk)
				for b.Loop() {
					SumBlocks(data, blockLen, out)
				}
			})
		})
	}
}

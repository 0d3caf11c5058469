//go:build !amd64 || purego

package md4

// simdLevel is always 0 here: SumBlocks is a loop of Sum.
var simdLevel = maxSIMDLevel()

func maxSIMDLevel() int { return 0 }

func blocks8(level int, s *[4][8]uint32, p *[8]*byte, n int) {
	panic("md4: no multi-buffer implementation on this platform")
}

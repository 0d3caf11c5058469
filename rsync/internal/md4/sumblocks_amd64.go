//go:build amd64 && !purego

package md4

import "golang.org/x/sys/cpu"

// simdLevel selects SumBlocks's multi-buffer implementation: 0 none (a loop
// of Sum), 1 AVX2, 2 AVX-512 (F and VL, on YMM registers). It must never be
// set above what the CPU supports; tests lower it to cover every path.
var simdLevel = maxSIMDLevel()

func maxSIMDLevel() int {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL:
		return 2
	case cpu.X86.HasAVX2:
		return 1
	}
	return 0
}

// blocks8 runs the MD4 compression function over n 64-byte blocks of each
// of eight messages at once: lane l of s is the state of the message at
// p[l], which must have n*64 readable bytes. level is simdLevel.
func blocks8(level int, s *[4][8]uint32, p *[8]*byte, n int) {
	if level >= 2 {
		blocks8AVX512(s, p, n)
	} else {
		blocks8AVX2(s, p, n)
	}
}

// blocks8AVX2 is blocks8 in AVX2. It is implemented in sumblocks_amd64.s.
//
//go:noescape
func blocks8AVX2(s *[4][8]uint32, p *[8]*byte, n int)

// blocks8AVX512 is blocks8 with AVX-512F and AVX-512VL instructions on YMM
// registers. It is implemented in sumblocks_amd64.s.
//
//go:noescape
func blocks8AVX512(s *[4][8]uint32, p *[8]*byte, n int)

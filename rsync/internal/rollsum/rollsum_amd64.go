//go:build amd64 && !purego

package rollsum

import "golang.org/x/sys/cpu"

// simdChunk is how many bytes sumSIMD takes per step; it only takes whole
// steps.
const simdChunk = 64

// simdLevel selects Sum's implementation for whole steps: 0 pure Go, 1
// SSSE3, 2 AVX2. It must never be set above what the CPU supports; tests
// lower it to cover every path.
var simdLevel = maxSIMDLevel()

func maxSIMDLevel() int {
	switch {
	case cpu.X86.HasAVX2:
		return 2
	case cpu.X86.HasSSSE3:
		return 1
	}
	return 0
}

// sumSIMD returns the offset-free sums of p (s1 = sum of x_i, s2 = sum of
// (k-i+1)*x_i); len(p) must be a multiple of simdChunk and simdLevel
// positive.
func sumSIMD(p []byte) (s1, s2 uint32) {
	if simdLevel >= 2 {
		return sumAVX2(p)
	}
	return sumSSSE3(p)
}

// sumAVX2 is sumSIMD in AVX2. It is implemented in rollsum_amd64.s.
//
//go:noescape
func sumAVX2(p []byte) (s1, s2 uint32)

// sumSSSE3 is sumSIMD in SSSE3. It is implemented in rollsum_amd64.s.
//
//go:noescape
func sumSSSE3(p []byte) (s1, s2 uint32)

//go:build !amd64 || purego

package rollsum

const simdChunk = 64

// simdLevel is always 0 here: Sum is pure Go.
var simdLevel = maxSIMDLevel()

func maxSIMDLevel() int { return 0 }

func sumSIMD(p []byte) (s1, s2 uint32) { return rawUpdate(0, 0, p) }

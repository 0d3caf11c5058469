// Package rollsum computes librsync's classic rolling checksum ("rollsum",
// the weak sum of the MD4 signature formats that rdiff-backup uses) over a
// whole block at a time, as fast as the CPU allows.
//
// It exists for signatures, which need the rollsum of every block of every
// basis file: on amd64 with AVX2 (or SSSE3), Sum adds 64 bytes per step in
// SIMD registers, chosen at run time with golang.org/x/sys/cpu so that no
// CPU ever executes an instruction it lacks; elsewhere, or with the purego
// build tag, it adds 8 bytes per step in plain Go. Both give identical results and are tested against each
// other and against a byte-at-a-time reference.
//
// The package only computes sums from scratch; rolling (rotating a byte in
// and out of a window) stays with the delta search in package rsync. It must
// never change what a sum is: librsync's digests are a file format, so any
// result that differs from the byte loop in the low 16 bits of either half
// is a bug. Sum must never allocate, and the package must never depend on
// anything outside the standard library and golang.org/x/sys/cpu.
package rollsum

// CharOffset is librsync's RS_CHAR_OFFSET, added to every byte by the
// rollsum so that runs of zero bytes still move the sum.
const CharOffset = 31

// Sum returns the rollsum halves of the block p = x_1..x_k:
//
//	s1 = sum of (x_i + 31)
//	s2 = sum of (k - i + 1) * (x_i + 31)
//
// Both are exact modulo 2^32, the same as the byte loop
// "s1 += x + 31; s2 += s1" starting from zero; librsync keeps only their low
// 16 bits, and its digest is s2<<16 | s1&0xffff. Sum does not allocate.
func Sum(p []byte) (s1, s2 uint32) {
	var a, b uint32
	n := 0
	if simdLevel > 0 && len(p) >= simdChunk {
		n = len(p) &^ (simdChunk - 1)
		a, b = sumSIMD(p[:n])
	}
	a, b = rawUpdate(a, b, p[n:])

	// The offsets contribute 31*k to s1 and 31*k(k+1)/2 to s2. Halve the
	// even factor first so that the product is exact modulo 2^32.
	k := uint32(len(p))
	tri := k * ((k + 1) / 2)
	if k%2 == 0 {
		tri = (k / 2) * (k + 1)
	}
	return a + CharOffset*k, b + CharOffset*tri
}

// rawUpdate appends p to the sums of the bytes alone, without the offset:
// "s1 += x; s2 += s1" per byte, eight bytes per step. For bytes b0..b7, s2
// gains 8*s1 + 8*b0 + 7*b1 + ... + 1*b7 and s1 gains their sum.
func rawUpdate(s1, s2 uint32, p []byte) (uint32, uint32) {
	for len(p) >= 8 {
		q := (*[8]byte)(p)
		b0, b1, b2, b3 := uint32(q[0]), uint32(q[1]), uint32(q[2]), uint32(q[3])
		b4, b5, b6, b7 := uint32(q[4]), uint32(q[5]), uint32(q[6]), uint32(q[7])
		s2 += 8*s1 + 8*b0 + 7*b1 + 6*b2 + 5*b3 + 4*b4 + 3*b5 + 2*b6 + b7
		s1 += b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7
		p = p[8:]
	}
	for _, b := range p {
		s1 += uint32(b)
		s2 += s1
	}
	return s1, s2
}

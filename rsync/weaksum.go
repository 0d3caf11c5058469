package rsync

// charOffset is librsync's RS_CHAR_OFFSET, added to every byte by the
// classic rollsum so that runs of zero bytes still move the sum.
const charOffset = 31

// Rollsum is librsync's classic rolling checksum: an Adler-32-like pair of
// 16-bit sums without a prime modulus, each byte offset by 31. The zero value
// is the sum of the empty window. Arithmetic wraps; only the low 16 bits of
// each half are meaningful.
type Rollsum struct {
	s1, s2 uint32
	count  uint32
}

// Update appends p to the window.
func (r *Rollsum) Update(p []byte) {
	r.s1, r.s2 = rollsumUpdate(r.s1, r.s2, p)
	r.count += uint32(len(p))
}

// rollsumUpdate adds p to the sums, eight bytes per step: for bytes
// b0..b7 (with offsets), s2 gains 8*s1 + 8*b0 + 7*b1 + ... + 1*b7 and s1
// gains their sum. The offsets contribute 8*31 to s1 and 36*31 to s2.
func rollsumUpdate(s1, s2 uint32, p []byte) (uint32, uint32) {
	for len(p) >= 8 {
		b0, b1, b2, b3 := uint32(p[0]), uint32(p[1]), uint32(p[2]), uint32(p[3])
		b4, b5, b6, b7 := uint32(p[4]), uint32(p[5]), uint32(p[6]), uint32(p[7])
		s2 += 8*s1 + 8*b0 + 7*b1 + 6*b2 + 5*b3 + 4*b4 + 3*b5 + 2*b6 + b7 + 36*charOffset
		s1 += b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + 8*charOffset
		p = p[8:]
	}
	for _, b := range p {
		s1 += uint32(b) + charOffset
		s2 += s1
	}
	return s1, s2
}

// Rotate drops the oldest byte out of the window and appends in; the window
// length stays the same.
func (r *Rollsum) Rotate(out, in byte) {
	r.s1 += uint32(in) - uint32(out)
	r.s2 += r.s1 - r.count*(uint32(out)+charOffset)
}

// RollIn appends one byte to the window.
func (r *Rollsum) RollIn(in byte) {
	r.s1 += uint32(in) + charOffset
	r.s2 += r.s1
	r.count++
}

// RollOut drops the oldest byte, which the caller passes in, from the
// window.
func (r *Rollsum) RollOut(out byte) {
	r.s1 -= uint32(out) + charOffset
	r.s2 -= r.count * (uint32(out) + charOffset)
	r.count--
}

// Count returns the window length.
func (r *Rollsum) Count() int { return int(r.count) }

// Digest returns the sum as librsync stores it in a signature: s2 in the
// high 16 bits, s1 in the low 16 bits.
func (r *Rollsum) Digest() uint32 { return r.s2<<16 | r.s1&0xffff }

// Reset empties the window.
func (r *Rollsum) Reset() { *r = Rollsum{} }

// RabinKarp constants (librsync rabinkarp.h), all modulo 2^32.
const (
	rkSeed = 1
	rkMult = 0x08104225
	rkInvM = 0x98f009ad // rkMult^-1 mod 2^32
	rkAdj  = 0x08104224 // (rkMult-1) * rkSeed
)

// rkPow8 is rkMult^1..8, for the eight-bytes-per-step update.
var rkPow [9]uint32

func init() {
	rkPow[0] = 1
	for i := 1; i < len(rkPow); i++ {
		rkPow[i] = rkPow[i-1] * rkMult
	}
}

// RabinKarp is librsync's polynomial rolling hash, the weak sum of the
// default signature formats. Use NewRabinKarp for the empty window (the
// zero value is not a valid state).
type RabinKarp struct {
	hash  uint32
	mult  uint32 // rkMult^count
	count uint32
}

// NewRabinKarp returns the hash of the empty window.
func NewRabinKarp() RabinKarp { return RabinKarp{hash: rkSeed, mult: 1} }

// Update appends p to the window.
func (r *RabinKarp) Update(p []byte) {
	r.hash = rabinKarpUpdate(r.hash, p)
	r.mult *= rkPower(uint64(len(p)))
	r.count += uint32(len(p))
}

func rabinKarpUpdate(h uint32, p []byte) uint32 {
	m1, m2, m3, m4, m5, m6, m7, m8 := rkPow[1], rkPow[2], rkPow[3], rkPow[4], rkPow[5], rkPow[6], rkPow[7], rkPow[8]
	for len(p) >= 8 {
		h = h*m8 + uint32(p[0])*m7 + uint32(p[1])*m6 + uint32(p[2])*m5 + uint32(p[3])*m4 +
			uint32(p[4])*m3 + uint32(p[5])*m2 + uint32(p[6])*m1 + uint32(p[7])
		p = p[8:]
	}
	for _, b := range p {
		h = h*rkMult + uint32(b)
	}
	return h
}

// rkPower returns rkMult^n mod 2^32 by square and multiply.
func rkPower(n uint64) uint32 {
	result, base := uint32(1), uint32(rkMult)
	for n > 0 {
		if n&1 != 0 {
			result *= base
		}
		base *= base
		n >>= 1
	}
	return result
}

// Rotate drops the oldest byte out of the window and appends in; the window
// length stays the same.
func (r *RabinKarp) Rotate(out, in byte) {
	r.hash = r.hash*rkMult + uint32(in) - r.mult*(uint32(out)+rkAdj)
}

// RollIn appends one byte to the window.
func (r *RabinKarp) RollIn(in byte) {
	r.hash = r.hash*rkMult + uint32(in)
	r.mult *= rkMult
	r.count++
}

// RollOut drops the oldest byte, which the caller passes in, from the
// window.
func (r *RabinKarp) RollOut(out byte) {
	r.mult *= rkInvM
	r.hash -= r.mult * (uint32(out) + rkAdj)
	r.count--
}

// Count returns the window length.
func (r *RabinKarp) Count() int { return int(r.count) }

// Digest returns the hash as stored in a signature.
func (r *RabinKarp) Digest() uint32 { return r.hash }

// Reset empties the window.
func (r *RabinKarp) Reset() { *r = NewRabinKarp() }

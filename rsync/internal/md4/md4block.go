package md4

import (
	"encoding/binary"
	"math/bits"
)

// blockGeneric runs the MD4 compression function over every whole 64-byte
// block of p, updating s. It is the portable version of block, fully unrolled.
func blockGeneric(s *[4]uint32, p []byte) {
	a, b, c, d := s[0], s[1], s[2], s[3]
	for ; len(p) >= BlockSize; p = p[BlockSize:] {
		q := (*[BlockSize]byte)(p)
		x0 := binary.LittleEndian.Uint32(q[0:])
		x1 := binary.LittleEndian.Uint32(q[4:])
		x2 := binary.LittleEndian.Uint32(q[8:])
		x3 := binary.LittleEndian.Uint32(q[12:])
		x4 := binary.LittleEndian.Uint32(q[16:])
		x5 := binary.LittleEndian.Uint32(q[20:])
		x6 := binary.LittleEndian.Uint32(q[24:])
		x7 := binary.LittleEndian.Uint32(q[28:])
		x8 := binary.LittleEndian.Uint32(q[32:])
		x9 := binary.LittleEndian.Uint32(q[36:])
		x10 := binary.LittleEndian.Uint32(q[40:])
		x11 := binary.LittleEndian.Uint32(q[44:])
		x12 := binary.LittleEndian.Uint32(q[48:])
		x13 := binary.LittleEndian.Uint32(q[52:])
		x14 := binary.LittleEndian.Uint32(q[56:])
		x15 := binary.LittleEndian.Uint32(q[60:])
		aa, bb, cc, dd := a, b, c, d

		// Round 1: F(x, y, z) = (x & y) | (^x & z), written as z ^ (x & (y ^ z)).
		a = bits.RotateLeft32(a+x0+(d^(b&(c^d))), 3)
		d = bits.RotateLeft32(d+x1+(c^(a&(b^c))), 7)
		c = bits.RotateLeft32(c+x2+(b^(d&(a^b))), 11)
		b = bits.RotateLeft32(b+x3+(a^(c&(d^a))), 19)
		a = bits.RotateLeft32(a+x4+(d^(b&(c^d))), 3)
		d = bits.RotateLeft32(d+x5+(c^(a&(b^c))), 7)
		c = bits.RotateLeft32(c+x6+(b^(d&(a^b))), 11)
		b = bits.RotateLeft32(b+x7+(a^(c&(d^a))), 19)
		a = bits.RotateLeft32(a+x8+(d^(b&(c^d))), 3)
		d = bits.RotateLeft32(d+x9+(c^(a&(b^c))), 7)
		c = bits.RotateLeft32(c+x10+(b^(d&(a^b))), 11)
		b = bits.RotateLeft32(b+x11+(a^(c&(d^a))), 19)
		a = bits.RotateLeft32(a+x12+(d^(b&(c^d))), 3)
		d = bits.RotateLeft32(d+x13+(c^(a&(b^c))), 7)
		c = bits.RotateLeft32(c+x14+(b^(d&(a^b))), 11)
		b = bits.RotateLeft32(b+x15+(a^(c&(d^a))), 19)

		// Round 2: G(x, y, z) = majority = (y & z) | (x & (y ^ z)). The two
		// terms never share a set bit, so | can be +, which lets y & z join
		// the sum before x (the previous step's result) is ready.
		a = bits.RotateLeft32(a+x0+0x5a827999+(c&d)+(b&(c^d)), 3)
		d = bits.RotateLeft32(d+x4+0x5a827999+(b&c)+(a&(b^c)), 5)
		c = bits.RotateLeft32(c+x8+0x5a827999+(a&b)+(d&(a^b)), 9)
		b = bits.RotateLeft32(b+x12+0x5a827999+(d&a)+(c&(d^a)), 13)
		a = bits.RotateLeft32(a+x1+0x5a827999+(c&d)+(b&(c^d)), 3)
		d = bits.RotateLeft32(d+x5+0x5a827999+(b&c)+(a&(b^c)), 5)
		c = bits.RotateLeft32(c+x9+0x5a827999+(a&b)+(d&(a^b)), 9)
		b = bits.RotateLeft32(b+x13+0x5a827999+(d&a)+(c&(d^a)), 13)
		a = bits.RotateLeft32(a+x2+0x5a827999+(c&d)+(b&(c^d)), 3)
		d = bits.RotateLeft32(d+x6+0x5a827999+(b&c)+(a&(b^c)), 5)
		c = bits.RotateLeft32(c+x10+0x5a827999+(a&b)+(d&(a^b)), 9)
		b = bits.RotateLeft32(b+x14+0x5a827999+(d&a)+(c&(d^a)), 13)
		a = bits.RotateLeft32(a+x3+0x5a827999+(c&d)+(b&(c^d)), 3)
		d = bits.RotateLeft32(d+x7+0x5a827999+(b&c)+(a&(b^c)), 5)
		c = bits.RotateLeft32(c+x11+0x5a827999+(a&b)+(d&(a^b)), 9)
		b = bits.RotateLeft32(b+x15+0x5a827999+(d&a)+(c&(d^a)), 13)

		// Round 3: H(x, y, z) = x ^ y ^ z.
		a = bits.RotateLeft32(a+x0+0x6ed9eba1+(b^(c^d)), 3)
		d = bits.RotateLeft32(d+x8+0x6ed9eba1+(a^(b^c)), 9)
		c = bits.RotateLeft32(c+x4+0x6ed9eba1+(d^(a^b)), 11)
		b = bits.RotateLeft32(b+x12+0x6ed9eba1+(c^(d^a)), 15)
		a = bits.RotateLeft32(a+x2+0x6ed9eba1+(b^(c^d)), 3)
		d = bits.RotateLeft32(d+x10+0x6ed9eba1+(a^(b^c)), 9)
		c = bits.RotateLeft32(c+x6+0x6ed9eba1+(d^(a^b)), 11)
		b = bits.RotateLeft32(b+x14+0x6ed9eba1+(c^(d^a)), 15)
		a = bits.RotateLeft32(a+x1+0x6ed9eba1+(b^(c^d)), 3)
		d = bits.RotateLeft32(d+x9+0x6ed9eba1+(a^(b^c)), 9)
		c = bits.RotateLeft32(c+x5+0x6ed9eba1+(d^(a^b)), 11)
		b = bits.RotateLeft32(b+x13+0x6ed9eba1+(c^(d^a)), 15)
		a = bits.RotateLeft32(a+x3+0x6ed9eba1+(b^(c^d)), 3)
		d = bits.RotateLeft32(d+x11+0x6ed9eba1+(a^(b^c)), 9)
		c = bits.RotateLeft32(c+x7+0x6ed9eba1+(d^(a^b)), 11)
		b = bits.RotateLeft32(b+x15+0x6ed9eba1+(c^(d^a)), 15)

		a += aa
		b += bb
		c += cc
		d += dd
	}
	s[0], s[1], s[2], s[3] = a, b, c, d
}

package md4

import "encoding/binary"

// minLanes returns the fewest blocks worth a multi-buffer pass at a level.
// A pass costs the same however many of its eight lanes carry real blocks
// (the rest repeat the last block). Measured at 2 KiB and 32 KiB blocks, an
// AVX2 pass costs about 1.5 scalar Sums and an AVX-512 pass about 0.9.
func minLanes(level int) int {
	if level >= 2 {
		return 1
	}
	return 2
}

// SumBlocks sets out[i] to the MD4 digest of the i-th blockLen-byte block of
// data, that is Sum(data[i*blockLen:(i+1)*blockLen]), for every i.
//
// It is meant for signatures, where every block is hashed on its own: when
// the CPU allows (AVX2 or AVX-512 on amd64) it hashes eight blocks at once
// in SIMD lanes, which is several times faster than one Sum per block.
// Elsewhere it is a loop of Sum. It does not allocate.
//
// blockLen must be positive, len(data) a multiple of blockLen and len(out)
// exactly len(data)/blockLen; otherwise SumBlocks panics. A short last block
// of a file must be hashed with Sum.
func SumBlocks(data []byte, blockLen int, out [][Size]byte) {
	if blockLen <= 0 || len(data)%blockLen != 0 || len(out) != len(data)/blockLen {
		panic("md4: SumBlocks: data is not len(out) whole blocks of blockLen bytes")
	}
	i := 0
	if simdLevel > 0 {
		i = sumBlocks8(simdLevel, data, blockLen, out)
	}
	for ; i < len(out); i++ {
		out[i] = Sum(data[i*blockLen : (i+1)*blockLen])
	}
}

// sumBlocks8 hashes the blocks of data eight at a time with the level's
// multi-buffer compression function, and returns how many leading blocks it
// has done; fewer than minLanes(level) are left at the end for Sum.
func sumBlocks8(level int, data []byte, blockLen int, out [][Size]byte) int {
	n := len(out)
	whole := blockLen / BlockSize
	t := blockLen % BlockSize // message bytes in the first tail block

	// Every lane's message has the same length, so the padding is the
	// same in every lane: only the first t bytes of each tail differ.
	tailBlocks := 1
	if t >= BlockSize-8 {
		tailBlocks = 2
	}
	var tails [8][2 * BlockSize]byte
	for l := range tails {
		tails[l][t] = 0x80
		binary.LittleEndian.PutUint64(tails[l][tailBlocks*BlockSize-8:], uint64(blockLen)<<3)
	}

	var p [8]*byte
	done := 0
	for g := 0; n-g >= minLanes(level); g += 8 {
		s := [4][8]uint32{
			{init0, init0, init0, init0, init0, init0, init0, init0},
			{init1, init1, init1, init1, init1, init1, init1, init1},
			{init2, init2, init2, init2, init2, init2, init2, init2},
			{init3, init3, init3, init3, init3, init3, init3, init3},
		}
		if whole > 0 {
			for l := range p {
				p[l] = &data[min(g+l, n-1)*blockLen]
			}
			blocks8(level, &s, &p, whole)
		}
		for l := range p {
			off := min(g+l, n-1)*blockLen + whole*BlockSize
			copy(tails[l][:t], data[off:off+t])
			p[l] = &tails[l][0]
		}
		blocks8(level, &s, &p, tailBlocks)
		for l := 0; l < 8 && g+l < n; l++ {
			o := &out[g+l]
			binary.LittleEndian.PutUint32(o[0:], s[0][l])
			binary.LittleEndian.PutUint32(o[4:], s[1][l])
			binary.LittleEndian.PutUint32(o[8:], s[2][l])
			binary.LittleEndian.PutUint32(o[12:], s[3][l])
		}
		done = min(g+8, n)
	}
	return done
}

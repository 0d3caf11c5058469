package rsync

import (
	"fmt"
	"math/bits"
)

// Magic is the 4-byte big-endian number that starts every librsync file and
// says what it is: a delta, or a signature of one of four formats.
type Magic uint32

// The librsync 2.3.2 magic numbers.
const (
	DeltaMagic Magic = 0x72730236 // "rs\x026": a delta

	MD4SigMagic      Magic = 0x72730136 // rollsum + MD4: what rdiff-backup writes
	Blake2SigMagic   Magic = 0x72730137 // rollsum + BLAKE2b-256
	RkMD4SigMagic    Magic = 0x72730146 // RabinKarp + MD4
	RkBlake2SigMagic Magic = 0x72730147 // RabinKarp + BLAKE2b-256: librsync's default
)

// DefaultSigMagic is the signature format librsync picks when asked for
// none.
const DefaultSigMagic = RkBlake2SigMagic

// IsSignature reports whether m is one of the four signature magics.
func (m Magic) IsSignature() bool {
	switch m {
	case MD4SigMagic, Blake2SigMagic, RkMD4SigMagic, RkBlake2SigMagic:
		return true
	}
	return false
}

// RabinKarp reports whether the signature format uses the RabinKarp weak
// sum (otherwise the classic rollsum).
func (m Magic) RabinKarp() bool { return m == RkMD4SigMagic || m == RkBlake2SigMagic }

// Blake2 reports whether the signature format uses BLAKE2b-256 as its strong
// hash (otherwise MD4).
func (m Magic) Blake2() bool { return m == Blake2SigMagic || m == RkBlake2SigMagic }

// StrongSize returns the full size of the format's strong hash: 16 for MD4,
// 32 for BLAKE2b-256, 0 for anything that is not a signature magic.
func (m Magic) StrongSize() int {
	switch {
	case !m.IsSignature():
		return 0
	case m.Blake2():
		return 32
	}
	return 16
}

// SigMagic returns the signature magic for a weak-sum and strong-hash
// choice.
func SigMagic(rabinKarp, blake2 bool) Magic {
	m := MD4SigMagic
	if blake2 {
		m = Blake2SigMagic
	}
	if rabinKarp {
		m += 0x10
	}
	return m
}

func (m Magic) String() string {
	switch m {
	case DeltaMagic:
		return "delta"
	case MD4SigMagic:
		return "rollsum/md4"
	case Blake2SigMagic:
		return "rollsum/blake2"
	case RkMD4SigMagic:
		return "rabinkarp/md4"
	case RkBlake2SigMagic:
		return "rabinkarp/blake2"
	}
	return fmt.Sprintf("0x%08x", uint32(m))
}

// MaxBlockLen is the largest block length the signature header can carry
// (librsync reads it as a signed 32-bit integer).
const MaxBlockLen = 1<<31 - 1

// SigParams are the three numbers of a signature header.
type SigParams struct {
	Magic     Magic
	BlockLen  int // bytes per block, 1..MaxBlockLen
	StrongLen int // leading bytes of the strong hash kept per block, 1..Magic.StrongSize()
}

// Validate reports whether p describes a signature librsync can write and
// read.
func (p SigParams) Validate() error {
	if !p.Magic.IsSignature() {
		return fmt.Errorf("signature magic %s: %w", p.Magic, ErrBadMagic)
	}
	if p.BlockLen < 1 || p.BlockLen > MaxBlockLen {
		return fmt.Errorf("block length %d out of range 1..%d: %w", p.BlockLen, MaxBlockLen, ErrParam)
	}
	if p.StrongLen < 1 || p.StrongLen > p.Magic.StrongSize() {
		return fmt.Errorf("strong sum length %d out of range 1..%d for %s: %w", p.StrongLen, p.Magic.StrongSize(), p.Magic, ErrParam)
	}
	return nil
}

// UnknownSize stands for a basis whose size cannot be known in advance
// (a pipe) in SigArgs and RecommendedBlockLen.
const UnknownSize = -1

// RecommendedBlockLen is librsync's block length for a basis of size n
// bytes (or UnknownSize): 2048 when unknown, 256 up to 64 KiB, else the
// integer square root rounded down to a multiple of 128.
func RecommendedBlockLen(n int64) int {
	switch {
	case n < 0:
		return 2048
	case n <= 256*256:
		return 256
	}
	return int(isqrt(uint64(n)) &^ 127)
}

// MinStrongLen is librsync's smallest safe strong-sum length for a basis
// of n bytes (or UnknownSize) cut into blocks of blockLen bytes.
func MinStrongLen(n int64, blockLen int) int {
	if n < 0 {
		return 12
	}
	return 2 + (log2(uint64(n)+1<<24)+log2(uint64(n)/uint64(blockLen)+1)+7)/8
}

// SigArgs chooses signature parameters as librsync's rs_sig_args does (and
// so `rdiff signature`): magic 0 picks the default format, blockLen 0 the
// recommended length for a basis of n bytes (or UnknownSize), strongLen 0
// the hash's full size and -1 the minimum safe length.
func SigArgs(n int64, magic Magic, blockLen, strongLen int) (SigParams, error) {
	if magic == 0 {
		magic = DefaultSigMagic
	}
	if !magic.IsSignature() {
		return SigParams{}, fmt.Errorf("signature magic %s: %w", magic, ErrBadMagic)
	}
	if blockLen == 0 {
		blockLen = RecommendedBlockLen(n)
	}
	if blockLen < 0 {
		return SigParams{}, fmt.Errorf("block length %d: %w", blockLen, ErrParam)
	}
	switch {
	case strongLen == 0:
		strongLen = magic.StrongSize()
	case strongLen == -1:
		strongLen = MinStrongLen(n, blockLen)
	}
	p := SigParams{Magic: magic, BlockLen: blockLen, StrongLen: strongLen}
	return p, p.Validate()
}

// RdiffBackupBlockLen is the block length rdiff-backup 2.2 asks librsync for
// when it signs a file of n bytes: 64 below 10240 bytes, else
// n >> (bitlen(n)/2 + 4) << 4, roughly the square root rounded down to a
// multiple of 16.
func RdiffBackupBlockLen(n int64) int {
	if n < 10240 {
		return 64
	}
	u := uint64(n)
	return int(u >> (bits.Len64(u)/2 + 4) << 4)
}

// RdiffBackupSigParams are the signature parameters rdiff-backup 2.2 uses for
// a file of n bytes: classic rollsum, MD4 truncated to 8 bytes, and
// RdiffBackupBlockLen.
func RdiffBackupSigParams(n int64) SigParams {
	return SigParams{Magic: MD4SigMagic, BlockLen: RdiffBackupBlockLen(n), StrongLen: 8}
}

func isqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	x := uint64(1) << ((bits.Len64(n) + 1) / 2) // >= sqrt(n)
	for {
		y := (x + n/x) / 2
		if y >= x {
			return x
		}
		x = y
	}
}

// log2 is the floor of the base-2 logarithm, 0 for v <= 1.
func log2(v uint64) int {
	if v <= 1 {
		return 0
	}
	return bits.Len64(v) - 1
}

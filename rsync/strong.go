package rsync

import (
	"golang.org/x/crypto/blake2b"

	"github.com/gordiff/gordiff/rsync/internal/md4"
)

// maxStrongSize is the largest strong hash librsync uses (BLAKE2b-256).
const maxStrongSize = 32

// strongSum writes the full strong hash of p for the given format into out
// and returns out's used prefix.
func strongSum(blake2 bool, p []byte, out *[maxStrongSize]byte) []byte {
	if blake2 {
		*out = blake2b.Sum256(p)
		return out[:32]
	}
	d := md4.Sum(p)
	copy(out[:], d[:])
	return out[:md4.Size]
}

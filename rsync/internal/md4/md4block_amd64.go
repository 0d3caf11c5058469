//go:build amd64 && !purego

package md4

// block runs the MD4 compression function over every whole 64-byte block of
// p, updating s. It is implemented in md4block_amd64.s.
//
//go:noescape
func block(s *[4]uint32, p []byte)

// Package md4 implements the MD4 message digest (RFC 1320) for the rsync
// engine's block signatures and deltas.
//
// It exists because librsync-compatible signatures (rdiff-backup's default
// "MD4 + rollsum" format) need one MD4 over every byte of every file, and
// golang.org/x/crypto/md4 is too slow for that. Sum is the hot path: it hashes
// one independent block without allocating. New gives a streaming hash.Hash
// for callers that see a block in pieces.
//
// On amd64 the compression function is written in assembly; elsewhere, or
// with the purego build tag, a fully unrolled pure-Go version is used. Both
// produce identical results and are tested against each other.
//
// SumBlocks hashes many equal-length blocks at once, as a signature needs:
// on amd64 CPUs with AVX2 (or AVX-512) it runs eight blocks side by side in
// SIMD lanes, chosen at run time with golang.org/x/sys/cpu so that no CPU
// ever executes an instruction it lacks; otherwise it is a loop of Sum.
//
// MD4 is cryptographically broken. This package must never be used for
// anything that needs collision or preimage resistance (passwords,
// authentication, integrity against an adversary); it is here only for
// compatibility with the librsync signature and delta formats. It must never
// depend on anything outside the standard library except
// golang.org/x/sys/cpu (for CPU feature detection only), and Sum and
// SumBlocks must never allocate.
package md4
